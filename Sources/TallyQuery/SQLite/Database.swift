internal import CSQLite
import Foundation

/// What went wrong in SQLite, with its message.
public struct SQLError: Error, CustomStringConvertible, Sendable {
  public var message: String
  public var code: Int32

  public var description: String { message }
}

/// A value read from or bound to SQLite.
public enum SQLValue: Sendable, Hashable {
  case null
  case integer(Int64)
  case real(Double)
  case text(String)

  /// As text for tables and CSV: null as empty.
  public var text: String? {
    switch self {
    case .null: nil
    case .integer(let value): String(value)
    case .real(let value): value == value.rounded() && abs(value) < 1e15 ? String(format: "%.1f", value) : String(value)
    case .text(let value): value
    }
  }
}

/// One SQLite connection (the system's libsqlite3). Not shared between threads.
public final class SQLiteDatabase: @unchecked Sendable {
  let handle: OpaquePointer
  public let path: String

  public enum Mode: Sendable {
    case readOnly
    case readWrite
  }

  public init(path: String, mode: Mode = .readWrite) throws(SQLError) {
    var handle: OpaquePointer?
    let flags =
      mode == .readOnly
      ? SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX
      : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
    let rc = sqlite3_open_v2(path, &handle, flags, nil)
    guard rc == SQLITE_OK, let handle else {
      let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
      if let handle { sqlite3_close(handle) }
      throw SQLError(message: "\(path): \(message)", code: rc)
    }
    self.handle = handle
    self.path = path
    sqlite3_extended_result_codes(handle, 1)
  }

  deinit {
    sqlite3_close_v2(handle)
  }

  var lastError: SQLError {
    SQLError(message: String(cString: sqlite3_errmsg(handle)), code: sqlite3_errcode(handle))
  }

  /// Runs statements that return no rows.
  public func execute(_ sql: String) throws(SQLError) {
    var error: UnsafeMutablePointer<CChar>?
    if sqlite3_exec(handle, sql, nil, nil, &error) != SQLITE_OK {
      let message = error.map { String(cString: $0) } ?? "error"
      sqlite3_free(error)
      throw SQLError(message: message, code: sqlite3_errcode(handle))
    }
  }

  public func prepare(_ sql: String) throws(SQLError) -> Statement {
    var statement: OpaquePointer?
    guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
      throw lastError
    }
    return Statement(handle: statement, database: self)
  }

  /// `body` in one transaction: committed when it returns, rolled back when it throws.
  public func transaction<T>(_ body: () throws -> T) throws -> T {
    try execute("BEGIN IMMEDIATE")
    do {
      let result = try body()
      try execute("COMMIT")
      return result
    } catch {
      try? execute("ROLLBACK")
      throw error
    }
  }

  /// The rowid of the last row inserted.
  public var lastInsertedRow: Int64 { sqlite3_last_insert_rowid(handle) }

  /// The SQLite library's version.
  public static var version: String { String(cString: sqlite3_libversion()) }

  public final class Statement {
    let handle: OpaquePointer
    unowned let database: SQLiteDatabase

    init(handle: OpaquePointer, database: SQLiteDatabase) {
      self.handle = handle
      self.database = database
    }

    deinit { sqlite3_finalize(handle) }

    public func bind(_ values: [SQLValue]) throws(SQLError) {
      sqlite3_reset(handle)
      sqlite3_clear_bindings(handle)
      for (index, value) in values.enumerated() {
        let position = Int32(index + 1)
        let rc: Int32
        switch value {
        case .null: rc = sqlite3_bind_null(handle, position)
        case .integer(let number): rc = sqlite3_bind_int64(handle, position, number)
        case .real(let number): rc = sqlite3_bind_double(handle, position, number)
        case .text(let text):
          rc = sqlite3_bind_text(handle, position, text, -1, unsafeBitCast(-1, to: sqlite3_destructor_type.self))
        }
        if rc != SQLITE_OK { throw database.lastError }
      }
    }

    /// Binds `values` and runs the statement to its end (an insert).
    public func run(_ values: [SQLValue]) throws(SQLError) {
      try bind(values)
      let rc = sqlite3_step(handle)
      if rc != SQLITE_DONE && rc != SQLITE_ROW { throw database.lastError }
      sqlite3_reset(handle)
    }

    public var columnNames: [String] {
      (0..<sqlite3_column_count(handle)).map { String(cString: sqlite3_column_name(handle, $0)) }
    }

    /// The next row, nil at the end.
    public func next() throws(SQLError) -> [SQLValue]? {
      let rc = sqlite3_step(handle)
      if rc == SQLITE_DONE { return nil }
      guard rc == SQLITE_ROW else { throw database.lastError }
      return (0..<sqlite3_column_count(handle)).map { column in
        switch sqlite3_column_type(handle, column) {
        case SQLITE_INTEGER: .integer(sqlite3_column_int64(handle, column))
        case SQLITE_FLOAT: .real(sqlite3_column_double(handle, column))
        case SQLITE_NULL: .null
        default: .text(String(cString: sqlite3_column_text(handle, column)))
        }
      }
    }

    /// Whether the statement only reads (`sqlite3_stmt_readonly`).
    public var isReadOnly: Bool { sqlite3_stmt_readonly(handle) != 0 }
  }
}
