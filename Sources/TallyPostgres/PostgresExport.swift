import Dispatch
import Foundation
import Logging
import NIOCore
import NIOSSL
import PostgresNIO
import TallyQuery

/// `tally export postgres`: the SQL layout (docs/sql.md) loaded from the up-to-date SQLite
/// database into a schema of a PostgreSQL server, in one transaction, with `COPY … FROM STDIN`
/// over postgres-nio. The first export (and one after a rewritten history, new schemas or a
/// new layout) loads everything; later ones add only the commits since the last (`meta`
/// names it), replacing the versions, records and search rows those commits touched. Every
/// exported schema gets a view per table in `tally_all` that puts all the team repositories
/// exported into the database side by side, with a `repository` column.
public enum PostgresExport {
  /// The schema holding the union views.
  public static let unionSchema = "tally_all"

  public struct Outcome: Sendable {
    /// Everything was loaded (else only what changed).
    public var full: Bool
    /// Why everything was loaded.
    public var reason: String
    public var commitsAdded: Int
    public var rows: Int
    public var head: String
    /// Values PostgreSQL's types would refuse, exported as null: one line per column.
    public var warnings: [String]
  }

  public struct Failure: Error, CustomStringConvertible, Sendable {
    public var description: String
  }

  /// Checks a schema name: lower-case letters, digits and `_`, not a system schema.
  public static func checkSchemaName(_ name: String) -> String? {
    let bytes = Array(name.utf8)
    guard let first = bytes.first, (97...122).contains(first) || first == UInt8(ascii: "_"),
      bytes.allSatisfy({ (97...122).contains($0) || (48...57).contains($0) || $0 == UInt8(ascii: "_") }),
      bytes.count <= 63
    else {
      return "a schema name is lower-case letters, digits and _ (at most 63), starting with a letter: '\(name)'"
    }
    if name.hasPrefix("pg_") || name == "information_schema" || name == "public" || name == unionSchema {
      return "'\(name)' is not a schema Tally exports into: choose a name of the team's own, e.g. --schema sales_east"
    }
    return nil
  }

  /// Exports the SQLite database at `sqlitePath` (up to date, `layout`'s tables) into `schema`.
  /// Blocks until done; on any failure the transaction is rolled back and nothing changed.
  public static func run(
    sqlite sqlitePath: String, layout: SQLLayout, url: PostgresURL, schema: String,
    progress: (@Sendable (Int, Int) -> Void)? = nil
  ) throws -> Outcome {
    let box = ResultBox()
    let done = DispatchSemaphore(value: 0)
    Task {
      do {
        box.result = .success(
          try await export(sqlite: sqlitePath, layout: layout, url: url, schema: schema, progress: progress))
      } catch {
        box.result = .failure(error)
      }
      done.signal()
    }
    done.wait()
    return try box.result!.get()
  }

  private final class ResultBox: @unchecked Sendable {
    var result: Result<Outcome, any Error>?
  }

  static func export(
    sqlite sqlitePath: String, layout: SQLLayout, url: PostgresURL, schema: String,
    progress: (@Sendable (Int, Int) -> Void)?
  ) async throws -> Outcome {
    let source: SQLiteDatabase
    do {
      source = try SQLiteDatabase(path: sqlitePath, mode: .readOnly)
    } catch {
      throw Failure(description: "cannot read the SQL database: \(error)")
    }
    let local = try LocalState(source)
    let connection = try await connect(url)
    var session = Session(
      connection: connection, source: source, layout: layout, schema: schema, progress: progress)
    do {
      let outcome = try await session.export(local)
      try? await connection.close()
      return outcome
    } catch {
      // Nothing is committed: the server rolls the transaction back when the connection ends.
      _ = try? await connection.query("ROLLBACK", logger: Session.logger)
      try? await connection.close()
      if let failure = error as? Failure { throw failure }
      throw Failure(description: describe(error, url: url))
    }
  }

  static func connect(_ url: PostgresURL) async throws -> PostgresConnection {
    var configuration: PostgresConnection.Configuration
    if let socket = url.socketPath {
      configuration = .init(unixSocketPath: socket, username: url.user, password: url.password, database: url.database)
    } else {
      let tls: PostgresConnection.Configuration.TLS
      do {
        switch url.sslMode {
        case .disable:
          tls = .disable
        case .allow, .prefer, .require:
          // As libpq: encrypted, the server's certificate not checked.
          var settings = TLSConfiguration.makeClientConfiguration()
          settings.certificateVerification = .none
          let context = try NIOSSLContext(configuration: settings)
          tls = url.sslMode == .require ? .require(context) : .prefer(context)
        case .verifyCA, .verifyFull:
          var settings = TLSConfiguration.makeClientConfiguration()
          settings.certificateVerification = url.sslMode == .verifyFull ? .fullVerification : .noHostnameVerification
          tls = .require(try NIOSSLContext(configuration: settings))
        }
      } catch {
        throw Failure(description: "cannot set up TLS for \(url): \(error)")
      }
      configuration = .init(
        host: url.host, port: url.port, username: url.user, password: url.password, database: url.database, tls: tls)
    }
    configuration.options.connectTimeout = .seconds(Int64(url.connectTimeout))
    do {
      return try await PostgresConnection.connect(configuration: configuration, id: 1, logger: Session.logger)
    } catch {
      throw Failure(description: describe(error, url: url))
    }
  }

  /// A server's error as its message (and detail and hint), a connection's as what failed.
  static func describe(_ error: any Error, url: PostgresURL) -> String {
    guard let error = error as? PSQLError else { return "PostgreSQL at \(url): \(error)" }
    if let info = error.serverInfo, let message = info[.message] {
      var text = "PostgreSQL at \(url) said: \(message)"
      if let state = info[.sqlState] { text += " (SQLSTATE \(state))" }
      if let detail = info[.detail] { text += "\n  detail: \(detail)" }
      if let hint = info[.hint] { text += "\n  hint: \(hint)" }
      return text
    }
    if let underlying = error.underlying {
      return "cannot connect to PostgreSQL at \(url): \(underlying)"
    }
    switch error.code {
    case .sslUnsupported:
      return "PostgreSQL at \(url) does not offer TLS (add ?sslmode=disable to the URL to go without)"
    case .authMechanismRequiresPassword:
      return "PostgreSQL at \(url) asks for a password (put it in the URL or in PGPASSWORD)"
    case .serverClosedConnection, .uncleanShutdown: return "PostgreSQL at \(url) closed the connection"
    default: return "PostgreSQL at \(url): \(error.code)"
    }
  }

  /// What the local database holds.
  struct LocalState {
    var head: String
    var schemaHash: String
    var layoutVersion: Int64
    var headSeq: Int64

    init(_ source: SQLiteDatabase) throws {
      guard let row = try? source.prepare("SELECT head_oid, schema_hash, layout_version FROM meta").next(),
        case .text(let head) = row[0], case .text(let hash) = row[1], case .integer(let version) = row[2]
      else {
        throw Failure(description: "the SQL database has no meta row; run 'tally sql' to build it")
      }
      self.head = head
      schemaHash = hash
      layoutVersion = version
      let seq = (try? source.prepare("SELECT COALESCE(MAX(seq), -1) FROM commits").next())??.first
      if case .integer(let number)? = seq { headSeq = number } else { headSeq = -1 }
    }
  }

  struct Session {
    static let logger = Logger(label: "tally.export.postgres", factory: { _ in SwiftLogNoOpLogHandler() })

    let connection: PostgresConnection
    let source: SQLiteDatabase
    let layout: SQLLayout
    let schema: String
    let progress: (@Sendable (Int, Int) -> Void)?
    var encoder = CopyText()
    var rows = 0
    var total = 0

    init(
      connection: PostgresConnection, source: SQLiteDatabase, layout: SQLLayout, schema: String,
      progress: (@Sendable (Int, Int) -> Void)?
    ) {
      self.connection = connection
      self.source = source
      self.layout = layout
      self.schema = schema
      self.progress = progress
    }

    /// The comment on every table the export makes: the union views take only those.
    static let mark = "made by tally export postgres"

    static func quote(_ name: String) -> String { "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
    static func literal(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }

    var tables: [SQLTableDefinition] { layout.tableDefinitions + [.search] }

    func run(_ sql: String) async throws {
      try await connection.query(PostgresQuery(unsafeSQL: sql), logger: Self.logger)
    }

    mutating func export(_ local: LocalState) async throws -> Outcome {
      try await run("BEGIN")
      try await run("SET LOCAL client_min_messages = warning")
      // One export at a time into a database: the union views span every schema.
      try await run("SELECT pg_advisory_xact_lock(7243001)")
      let decision = try await decide(local)
      var outcome: Outcome
      switch decision {
      case .upToDate:
        outcome = Outcome(full: false, reason: "", commitsAdded: 0, rows: 0, head: local.head, warnings: [])
      case .incremental(let afterSeq):
        try await run("SET LOCAL search_path TO \(Self.quote(schema))")
        try await addCommits(after: afterSeq)
        outcome = Outcome(
          full: false, reason: "", commitsAdded: Int(local.headSeq - afterSeq), rows: rows, head: local.head,
          warnings: [])
      case .full(let reason, let dropFirst):
        if dropFirst { try await run("DROP SCHEMA \(Self.quote(schema)) CASCADE") }
        try await run("CREATE SCHEMA IF NOT EXISTS \(Self.quote(schema))")
        try await run("SET LOCAL search_path TO \(Self.quote(schema))")
        try await loadEverything()
        outcome = Outcome(
          full: true, reason: reason, commitsAdded: Int(local.headSeq + 1), rows: rows, head: local.head,
          warnings: [])
      }
      try await unionViews()
      try await run("COMMIT")
      outcome.warnings = encoder.misfits.sorted { $0.key < $1.key }.map { column, misfit in
        "\(misfit.count) value\(misfit.count == 1 ? "" : "s") of \(column) did not fit its PostgreSQL type "
          + "and \(misfit.count == 1 ? "was" : "were") exported as NULL (first: '\(misfit.first)')"
      }
      return outcome
    }

    enum Decision {
      case upToDate
      case incremental(afterSeq: Int64)
      case full(reason: String, dropFirst: Bool)
    }

    /// Whether the schema can be extended: it is Tally's, of the same schemas and layout, and
    /// what it last took is still in the history (a force-push makes it a full load).
    func decide(_ local: LocalState) async throws -> Decision {
      let exists = try await single(
        "SELECT count(*) FROM pg_namespace WHERE nspname = \(Self.literal(schema))", as: Int64.self)
      guard exists == 1 else { return .full(reason: "first export into schema \(schema)", dropFirst: false) }
      let marked = try await single(
        """
        SELECT count(*) FROM information_schema.columns WHERE table_schema = \(Self.literal(schema))
          AND table_name = 'meta' AND column_name = 'tally_version'
        """, as: Int64.self)
      guard marked == 1 else {
        let relations = try await single(
          """
          SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = \(Self.literal(schema))
          """, as: Int64.self)
        if relations > 0 {
          throw Failure(
            description:
              "schema \(schema) already holds \(relations) tables or views that Tally did not make; "
              + "nothing was changed (choose another --schema)")
        }
        return .full(reason: "first export into schema \(schema)", dropFirst: false)
      }
      let s = Self.quote(schema)
      var remote: (head: String, hash: String, layout: Int64)?
      for try await (head, hash, version) in try await connection.query(
        PostgresQuery(unsafeSQL: "SELECT head_oid, schema_hash, layout_version FROM \(s).meta"), logger: Self.logger
      ).decode((String, String, Int64).self) {
        remote = (head, hash, version)
      }
      guard let remote else { return .full(reason: "the schema's meta row is missing", dropFirst: true) }
      guard remote.layout == local.layoutVersion else {
        return .full(reason: "the table layout changed", dropFirst: true)
      }
      guard remote.hash == local.schemaHash else { return .full(reason: "the record schemas changed", dropFirst: true) }
      if remote.head == local.head { return .upToDate }
      // The commit it last took must be in the local first-parent history at the same place.
      let remoteSeq = try await single(
        "SELECT seq FROM \(s).commits WHERE oid = \(Self.literal(remote.head))", as: Int64.self)
      let statement = try source.prepare("SELECT seq FROM commits WHERE oid = ?")
      try statement.bind([.text(remote.head)])
      guard let row = try statement.next(), case .integer(let localSeq) = row[0], localSeq == remoteSeq else {
        return .full(
          reason: "the history was rewritten: \(remote.head.prefix(12)), exported last, is no longer in it",
          dropFirst: true)
      }
      // Each version table must end where the local one has the same row (the local database
      // was not rebuilt in another order).
      for table in layout.tableDefinitions {
        guard case .versions = table.role else { continue }
        var last: (Int64, String, String)?
        for try await row in try await connection.query(
          PostgresQuery(
            unsafeSQL:
              "SELECT version, id, valid_from_commit FROM \(s).\(Self.quote(table.name)) ORDER BY version DESC LIMIT 1"),
          logger: Self.logger
        ).decode((Int64, String, String).self) {
          last = row
        }
        guard let last else { continue }
        let check = try source.prepare("SELECT id, valid_from_commit FROM \(Self.quote(table.name)) WHERE version = ?")
        try check.bind([.integer(last.0)])
        guard let mine = try check.next(), mine == [.text(last.1), .text(last.2)] else {
          return .full(reason: "the local SQL database was rebuilt", dropFirst: true)
        }
      }
      return .incremental(afterSeq: localSeq)
    }

    func single<T: PostgresDecodable & Sendable>(_ sql: String, as: T.Type) async throws -> T {
      for try await (value) in try await connection.query(PostgresQuery(unsafeSQL: sql), logger: Self.logger).decode(
        T.self)
      {
        return value
      }
      throw Failure(description: "PostgreSQL returned no row for: \(sql)")
    }

    // MARK: Loading

    static func postgresType(_ type: SQLLayout.ColumnType) -> String {
      switch type {
      case .text, .datetime: "text"
      case .integer, .cents: "bigint"
      case .real: "double precision"
      case .boolean: "boolean"
      case .date: "date"
      case .timestamp: "timestamp"
      case .money: "numeric"
      case .json: "json"
      }
    }

    /// Every table created bare, filled, then given its keys and indexes (faster than
    /// keeping indexes up to date row by row).
    mutating func loadEverything() async throws {
      for table in tables {
        let columns = table.columns.map {
          Self.quote($0.name) + " " + Self.postgresType($0.type) + ($0.notNull ? " NOT NULL" : "")
        }
        try await run("CREATE TABLE \(Self.quote(table.name)) (\(columns.joined(separator: ", ")))")
        try await run("COMMENT ON TABLE \(Self.quote(table.name)) IS \(Self.literal(Self.mark))")
      }
      for table in tables {
        total += try count(table, where: "")
      }
      for table in tables { try await copy(table, where: "") }
      for table in tables {
        if !table.primaryKey.isEmpty {
          try await run(
            "ALTER TABLE \(Self.quote(table.name)) ADD PRIMARY KEY (\(table.primaryKey.map(Self.quote).joined(separator: ", ")))"
          )
        }
        for index in table.indexes {
          try await run(
            "CREATE INDEX \(Self.quote(index.name)) ON \(Self.quote(table.name)) (\(index.columns.map(Self.quote).joined(separator: ", ")))"
          )
        }
      }
      try await run("ANALYZE")
    }

    /// The rows the commits after `afterSeq` made or changed: new commits and field changes
    /// added; the versions they opened or closed, and the records and search rows they
    /// touched, replaced.
    mutating func addCommits(after afterSeq: Int64) async throws {
      let new = "(SELECT oid FROM commits WHERE seq > \(afterSeq))"
      // Each type's touched versions and records, found once (each is a scan of its history).
      var touched: [String: (versions: [Int64], ids: [String])] = [:]
      for type in layout.types {
        let name = type.main.name
        var versions: [Int64] = []
        var ids: Set<String> = []
        let statement = try source.prepare("SELECT version, id FROM \(touchedVersions(name, new))")
        while let row = try statement.next() {
          if case .integer(let version) = row[0], case .text(let id) = row[1] {
            versions.append(version)
            ids.insert(id)
          }
        }
        touched[name] = (versions, ids.sorted())
      }
      func versionList(_ type: String) -> String {
        "(" + (touched[type]?.versions ?? []).map(String.init).joined(separator: ", ") + ")"
      }
      func idList(_ type: String) -> String {
        "(" + (touched[type]?.ids ?? []).map(Self.literal).joined(separator: ", ") + ")"
      }
      for table in tables {
        let q = Self.quote(table.name)
        switch table.role {
        case .meta:
          try await run("DELETE FROM meta")
          try await copy(table, where: "")
        case .commits:
          try await copy(table, where: "WHERE seq > \(afterSeq)")
        case .fieldChanges:
          try await copy(table, where: "WHERE commit_oid IN \(new)")
        case .versions(let type), .itemVersions(let type):
          let versions = touched[type]?.versions ?? []
          guard !versions.isEmpty else { continue }
          try await connection.query(
            "DELETE FROM \(unescaped: q) WHERE version = ANY(\(versions))", logger: Self.logger)
          try await copy(table, where: "WHERE version IN \(versionList(type))")
        case .current(let type):
          let ids = touched[type]?.ids ?? []
          guard !ids.isEmpty else { continue }
          try await connection.query("DELETE FROM \(unescaped: q) WHERE id = ANY(\(ids))", logger: Self.logger)
          try await copy(table, where: "WHERE id IN \(idList(type))")
        case .currentItems(let type, let owner):
          let ids = touched[type]?.ids ?? []
          guard !ids.isEmpty else { continue }
          try await connection.query(
            "DELETE FROM \(unescaped: q) WHERE \(unescaped: Self.quote(owner)) = ANY(\(ids))", logger: Self.logger)
          try await copy(table, where: "WHERE \(Self.quote(owner)) IN \(idList(type))")
        case .search:
          for type in layout.types {
            let name = type.main.name
            let ids = touched[name]?.ids ?? []
            guard !ids.isEmpty else { continue }
            try await connection.query(
              "DELETE FROM search WHERE type = \(name) AND id = ANY(\(ids))", logger: Self.logger)
            // A record's search rows are the rowids key × 65536 + n (its search_keys row): read
            // by range, key by key (a join would scan the whole FTS table for each key).
            let keys = try integers(
              """
              SELECT key FROM search_keys WHERE type = \(Self.literal(name)) AND id IN \(idList(name))
              """)
            let range = try source.prepare("SELECT type, id, field, text FROM search WHERE rowid BETWEEN ? AND ?")
            var remaining = keys[...]
            var started = false
            try await copy(table) {
              while true {
                if started, let row = try range.next() { return row }
                guard let key = remaining.popFirst() else { return nil }
                try range.bind([.integer(key * 65536), .integer(key * 65536 + 65535)])
                started = true
              }
            }
          }
        }
      }
    }

    /// The local versions of `type` opened or closed by the new commits (a FROM clause).
    func touchedVersions(_ type: String, _ new: String) -> String {
      "\(Self.quote("history_" + type)) WHERE valid_from_commit IN \(new) OR valid_to_commit IN \(new)"
    }

    func integers(_ sql: String) throws -> [Int64] {
      let statement = try source.prepare(sql)
      var result: [Int64] = []
      while let row = try statement.next() { if case .integer(let value) = row[0] { result.append(value) } }
      return result
    }

    func count(_ table: SQLTableDefinition, where clause: String) throws -> Int {
      let statement = try source.prepare("SELECT count(*) FROM \(Self.quote(table.name)) \(clause)")
      if let row = try statement.next(), case .integer(let number) = row[0] { return Int(number) }
      return 0
    }

    mutating func copy(_ table: SQLTableDefinition, where clause: String) async throws {
      let columns = table.columns.map { Self.quote($0.name) }.joined(separator: ", ")
      try await copy(table, from: "SELECT \(columns) FROM \(Self.quote(table.name)) \(clause)")
    }

    /// Streams the rows of the local `query` into `table` with one COPY.
    mutating func copy(_ table: SQLTableDefinition, from query: String) async throws {
      let statement = try source.prepare(query)
      try await copy(table) { try statement.next() }
    }

    /// Streams the rows `next` gives (nil at the end) into `table` with one COPY.
    mutating func copy(_ table: SQLTableDefinition, rows next: () throws -> [SQLValue]?) async throws {
      var encoder = self.encoder
      var added = 0
      let total = total
      let before = rows
      let progress = progress
      try await connection.copyFrom(
        table: table.name, columns: table.columns.map(\.name), logger: Self.logger
      ) { writer in
        var buffer = ByteBufferAllocator().buffer(capacity: 1 << 20)
        while let row = try next() {
          encoder.append(row, of: table, to: &buffer)
          added += 1
          if buffer.readableBytes >= 1 << 20 {
            try await writer.write(buffer)
            buffer.clear()
            if total > 0 { progress?(min(before + added, total), total) }
          }
        }
        if buffer.readableBytes > 0 { try await writer.write(buffer) }
      }
      self.encoder = encoder
      rows += added
    }

    // MARK: The union views

    /// `tally_all.<table>`: every exported schema's rows of the table, with `repository`
    /// first; the columns all of them have with the same type (schemas may differ).
    func unionViews() async throws {
      try await run("CREATE SCHEMA IF NOT EXISTS \(Self.quote(unionSchema))")
      var views: [String] = []
      for try await (name) in try await connection.query(
        "SELECT table_name::text FROM information_schema.views WHERE table_schema = \(unionSchema)",
        logger: Self.logger
      ).decode(String.self) {
        views.append(name)
      }
      for view in views { try await run("DROP VIEW IF EXISTS \(Self.quote(unionSchema)).\(Self.quote(view)) CASCADE") }
      // table -> schema -> columns (name, type) in order.
      var columns: [String: [String: [(String, String)]]] = [:]
      for try await (schemaName, table, column, type) in try await connection.query(
        """
        SELECT c.table_schema::text, c.table_name::text, c.column_name::text, c.data_type::text
        FROM information_schema.columns c
        JOIN pg_namespace n ON n.nspname = c.table_schema
        JOIN pg_class k ON k.relnamespace = n.oid AND k.relname = c.table_name AND k.relkind = 'r'
        WHERE obj_description(k.oid, 'pg_class') = \(Self.mark) AND c.table_schema IN (
          SELECT table_schema FROM information_schema.columns
          WHERE table_name = 'meta' AND column_name = 'tally_version' AND table_schema <> \(unionSchema))
        ORDER BY c.table_schema, c.table_name, c.ordinal_position
        """,
        logger: Self.logger
      ).decode((String, String, String, String).self) {
        columns[table, default: [:]][schemaName, default: []].append((column, type))
      }
      for (table, bySchema) in columns.sorted(by: { $0.key < $1.key }) {
        let schemas = bySchema.keys.sorted()
        let first = bySchema[schemas[0]]!
        let shared = first.filter { column in
          schemas.allSatisfy { bySchema[$0]!.contains { $0.0 == column.0 && $0.1 == column.1 } }
        }.map { Self.quote($0.0) }.joined(separator: ", ")
        let parts = schemas.map { schemaName in
          "SELECT \(Self.literal(schemaName))::text AS repository\(shared.isEmpty ? "" : ", " + shared) FROM "
            + "\(Self.quote(schemaName)).\(Self.quote(table))"
        }
        try await run(
          "CREATE VIEW \(Self.quote(unionSchema)).\(Self.quote(table)) AS \(parts.joined(separator: " UNION ALL "))")
      }
    }
  }
}
