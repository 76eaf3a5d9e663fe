internal import CSQLite
import Foundation

/// Why a query was refused or stopped.
public enum QueryError: Error, CustomStringConvertible, Sendable {
  case empty
  case severalStatements
  case notReadOnly(String)
  case sql(String)
  case timedOut(Double)

  public var description: String {
    switch self {
    case .empty: "the query is empty"
    case .severalStatements: "one statement at a time: the query has text after its first ';'"
    case .notReadOnly(let what): "tally sql only reads: \(what) is not allowed (the database is rebuilt from git)"
    case .sql(let message): message
    case .timedOut(let seconds):
      "the query ran longer than \(Wording.seconds(seconds)) and was stopped (raise --timeout)"
    }
  }
}

enum Wording {
  static func seconds(_ value: Double) -> String {
    value == value.rounded() ? "\(Int(value)) s" : "\(value) s"
  }
}

/// The rows of a query.
public struct QueryResult: Sendable {
  public var columns: [String]
  public var rows: [[SQLValue]]
}

/// The deadline a progress handler checks.
final class Deadline {
  let end: Double
  var expired = false
  init(seconds: Double) { end = Date().timeIntervalSince1970 + seconds }
}

extension SQLiteDatabase {
  /// Runs one read-only statement: a second statement, a write (INSERT, CREATE, …), ATTACH or
  /// a PRAGMA is refused before anything runs; a query longer than `timeout` seconds is
  /// stopped. The connection should be opened read-only too.
  public func query(_ sql: String, parameters: [String: SQLValue] = [:], timeout: Double) throws(QueryError)
    -> QueryResult
  {
    let trimmed = sql.trimmingCharacters(in: .whitespacesAndNewlines)
    guard !trimmed.isEmpty else { throw .empty }
    // Refuse what a statement could reach outside the database. (Not CREATE: a virtual
    // table declares its columns with one when it is opened.)
    sqlite3_set_authorizer(
      handle,
      { _, action, first, second, _, _ in
        switch action {
        case SQLITE_PRAGMA:
          // Pragmas that only describe the database; none that sets anything.
          let name = first.map { String(cString: $0).lowercased() } ?? ""
          let readOnly: Set<String> = [
            "table_info", "table_xinfo", "table_list", "index_list", "index_info", "index_xinfo",
            "foreign_key_list", "page_size", "page_count", "schema_version", "user_version", "data_version",
            "function_list", "module_list", "pragma_list", "collation_list", "compile_options",
          ]
          let setting =
            second != nil
            && ![
              "table_info", "table_xinfo", "index_list", "index_info", "index_xinfo", "foreign_key_list", "table_list",
            ].contains(name)
          return readOnly.contains(name) && !setting ? SQLITE_OK : SQLITE_DENY
        // Writes are refused by the read-only connection and sqlite3_stmt_readonly; these
        // would reach beyond the database or change the connection.
        case SQLITE_ATTACH, SQLITE_DETACH, SQLITE_TRANSACTION, SQLITE_SAVEPOINT:
          return SQLITE_DENY
        default:
          return SQLITE_OK
        }
      }, nil)
    defer { sqlite3_set_authorizer(handle, nil, nil) }
    var statement: OpaquePointer?
    var tail: UnsafePointer<CChar>?
    let rc = trimmed.withCString { text in
      let rc = sqlite3_prepare_v2(handle, text, -1, &statement, &tail)
      if rc == SQLITE_OK, let tail {
        let rest = String(cString: tail).trimmingCharacters(in: .whitespacesAndNewlines)
        if !rest.isEmpty && rest != ";" && !Self.onlyComments(rest) { return SQLITE_MISUSE }
      }
      return rc
    }
    if rc == SQLITE_MISUSE {
      sqlite3_finalize(statement)
      throw .severalStatements
    }
    guard rc == SQLITE_OK, let statement else {
      let message = String(cString: sqlite3_errmsg(handle))
      if message.contains("not authorized") {
        throw .sql("not authorized: tally sql reads the database only (no ATTACH, no extensions, no PRAGMA that sets)")
      }
      throw .sql(message)
    }
    defer { sqlite3_finalize(statement) }
    guard sqlite3_stmt_readonly(statement) != 0 else { throw .notReadOnly(Self.firstWord(trimmed)) }
    // Named parameters (:name) from `parameters`.
    for index in 0..<sqlite3_bind_parameter_count(statement) {
      guard let namePointer = sqlite3_bind_parameter_name(statement, index + 1) else { continue }
      let name = String(String(cString: namePointer).dropFirst())
      guard let value = parameters[name] else {
        throw .sql("no value for the parameter :\(name) (pass --param \(name)=…)")
      }
      switch value {
      case .null: sqlite3_bind_null(statement, index + 1)
      case .integer(let number): sqlite3_bind_int64(statement, index + 1, number)
      case .real(let number): sqlite3_bind_double(statement, index + 1, number)
      case .text(let text):
        sqlite3_bind_text(statement, index + 1, text, -1, unsafeBitCast(-1, to: sqlite3_destructor_type.self))
      }
    }
    let deadline = Deadline(seconds: timeout)
    let context = Unmanaged.passRetained(deadline)
    defer { context.release() }
    sqlite3_progress_handler(
      handle, 10_000,
      { pointer in
        let deadline = Unmanaged<Deadline>.fromOpaque(pointer!).takeUnretainedValue()
        if Date().timeIntervalSince1970 > deadline.end {
          deadline.expired = true
          return 1
        }
        return 0
      }, context.toOpaque())
    defer { sqlite3_progress_handler(handle, 0, nil, nil) }
    let count = sqlite3_column_count(statement)
    let columns = (0..<count).map { String(cString: sqlite3_column_name(statement, $0)) }
    var rows: [[SQLValue]] = []
    while true {
      let step = sqlite3_step(statement)
      if step == SQLITE_DONE { break }
      guard step == SQLITE_ROW else {
        if deadline.expired { throw .timedOut(timeout) }
        throw .sql(String(cString: sqlite3_errmsg(handle)))
      }
      rows.append(
        (0..<count).map { column in
          switch sqlite3_column_type(statement, column) {
          case SQLITE_INTEGER: .integer(sqlite3_column_int64(statement, column))
          case SQLITE_FLOAT: .real(sqlite3_column_double(statement, column))
          case SQLITE_NULL: .null
          default: .text(String(cString: sqlite3_column_text(statement, column)))
          }
        })
    }
    return QueryResult(columns: columns, rows: rows)
  }

  static func firstWord(_ sql: String) -> String {
    String(sql.split(whereSeparator: { $0.isWhitespace || $0 == "(" }).first ?? "the statement").uppercased()
  }

  /// Whether `text` holds only SQL comments.
  static func onlyComments(_ text: String) -> Bool {
    var rest = Substring(text)
    while true {
      rest = rest.drop(while: { $0.isWhitespace || $0 == ";" })
      if rest.isEmpty { return true }
      if rest.hasPrefix("--") {
        rest = rest.drop(while: { $0 != "\n" })
      } else if rest.hasPrefix("/*"), let end = rest.range(of: "*/") {
        rest = rest[end.upperBound...]
      } else {
        return false
      }
    }
  }
}
