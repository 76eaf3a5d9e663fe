import Foundation
import TallyHistory
import TallyRecords
import TallySchema
import TallyText

/// Writes the layout's rows into a database: the tables, the commits and versions of a run
/// of commits, the records at the tip.
/// Git object ids (commits and blobs) are TallyGit's ids, named through TallyRecords.
typealias BlobID = CommitID

struct Writer {
  let database: SQLiteDatabase
  let layout: SQLLayout
  let history: History
  let offset: (Int64) -> Int
  /// Who commit authors are (the policy's staff directory: e-mail and git identities).
  var staff: StaffDirectory?
  var statements: [String: SQLiteDatabase.Statement] = [:]
  /// Each type's statements' text, made once.
  let sql: [String: TypeSQL]

  /// The statements of one record type and its lists.
  struct TypeSQL {
    var findOpen: String
    var closeVersion: String
    var copyRemoved: String
    var insertVersion: String
    var insertCurrent: String
    var deleteCurrent: String
    var closeItems: [String]
    var insertItemVersions: [String]
    var insertItems: [String]
    var deleteItems: [String]

    init(_ tables: SQLLayout.RecordTables) {
      let q = Writer.quote
      let p = { (count: Int) in Array(repeating: "?", count: count).joined(separator: ", ") }
      let h = q("history_" + tables.main.name)
      findOpen = "SELECT version FROM \(h) WHERE id = ? AND valid_to IS NULL AND change != 'removed'"
      closeVersion = "UPDATE \(h) SET valid_to = ?, valid_to_commit = ? WHERE version = ?"
      let columns = tables.main.columns.map { q($0.name) }.joined(separator: ", ")
      let lead = columns.isEmpty ? "" : ", "
      copyRemoved = """
        INSERT INTO \(h) (id\(lead)\(columns), commit_oid, change, valid_from, valid_from_commit)
        SELECT id\(lead)\(columns), ?, 'removed', ?, ? FROM \(h) WHERE version = ?
        """
      insertVersion = "INSERT INTO \(h) VALUES (NULL, \(p(tables.main.columns.count + 7)))"
      insertCurrent = "INSERT OR REPLACE INTO \(q(tables.main.name)) VALUES (\(p(tables.main.columns.count + 1)))"
      deleteCurrent = "DELETE FROM \(q(tables.main.name)) WHERE id = ?"
      let owner = q(tables.main.name + "_id")
      closeItems = tables.lists.map { "UPDATE \(q("history_" + $0.name)) SET valid_to = ? WHERE version = ?" }
      insertItemVersions = tables.lists.map {
        "INSERT INTO \(q("history_" + $0.name)) VALUES (\(p($0.columns.count + 5)))"
      }
      insertItems = tables.lists.map { "INSERT INTO \(q($0.name)) VALUES (\(p($0.columns.count + 2)))" }
      deleteItems = tables.lists.map { "DELETE FROM \(q($0.name)) WHERE \(owner) = ?" }
    }
  }

  init(database: SQLiteDatabase, layout: SQLLayout, history: History) {
    self.database = database
    self.layout = layout
    self.history = history
    let zone = history.records.config.timeZone
    offset = { TimeZones.offsetMinutes(zone, at: Int($0)) ?? 0 }
    var sql: [String: TypeSQL] = [:]
    for tables in layout.types { sql[tables.main.name] = TypeSQL(tables) }
    self.sql = sql
  }

  static func quote(_ name: String) -> String { "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

  static func sqlType(_ type: SQLLayout.ColumnType) -> String {
    switch type {
    case .integer, .boolean, .cents: "INTEGER"
    case .real: "REAL"
    default: "TEXT"
    }
  }

  /// A table's `CREATE TABLE` and `CREATE INDEX` statements in SQLite's types (a single-column
  /// integer primary key is the rowid).
  static func ddl(_ table: SQLTableDefinition) -> String {
    var columns = table.columns.map { column in
      var text = quote(column.name) + " " + sqlType(column.type)
      if table.primaryKey == [column.name] { text += " PRIMARY KEY" }
      if column.notNull { text += " NOT NULL" }
      return text
    }
    if table.primaryKey.count > 1 {
      columns.append("PRIMARY KEY (\(table.primaryKey.map(quote).joined(separator: ", ")))")
    }
    var sql = "CREATE TABLE \(quote(table.name)) (\(columns.joined(separator: ", ")));\n"
    for index in table.indexes {
      sql +=
        "CREATE INDEX \(quote(index.name)) ON \(quote(table.name)) (\(index.columns.map(quote).joined(separator: ", ")));\n"
    }
    return sql
  }

  // MARK: Tables

  func create() throws {
    var sql = """
      CREATE VIRTUAL TABLE search USING fts5 (type UNINDEXED, id UNINDEXED, field UNINDEXED, text, tokenize = 'trigram');
      CREATE TABLE search_keys (key INTEGER PRIMARY KEY, type TEXT NOT NULL, id TEXT NOT NULL);
      CREATE INDEX search_keys_record ON search_keys (type, id);

      """
    for table in layout.tableDefinitions { sql += Self.ddl(table) }
    try database.execute(sql)
  }

  mutating func statement(_ sql: String) throws -> SQLiteDatabase.Statement {
    if let known = statements[sql] { return known }
    let prepared = try database.prepare(sql)
    statements[sql] = prepared
    return prepared
  }

  func placeholders(_ count: Int) -> String { Array(repeating: "?", count: count).joined(separator: ", ") }

  /// `2026-03-20 12:00:00`, in the repository's time zone.
  func time(_ epochSeconds: Int64) -> String {
    let seconds = Int(epochSeconds)
    let minutes = offset(epochSeconds)
    let date = CivilDate(epochSeconds: seconds, offsetMinutes: minutes)
    let local = seconds + minutes * 60
    let ofDay = ((local % 86400) + 86400) % 86400
    func two(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }
    return "\(date) \(two(ofDay / 3600)):\(two(ofDay % 3600 / 60)):\(two(ofDay % 60))"
  }

  // MARK: Commits and versions

  mutating func loadStaff(at commit: CommitID) throws {
    let settings = ActorSettings()
    guard staff == nil, history.records.schema.type(named: settings.type) != nil else { return }
    let records = try history.records(at: commit).records(of: settings.type).map {
      (id: $0.key, value: $0.value.decoded)
    }
    staff = StaffDirectory(
      records: records, settings: settings, schema: history.records.schema,
      today: CivilDate(epochSeconds: 0, offsetMinutes: 0))
  }

  /// Adds `commits` (oldest first, following the ones already in): their rows, the versions
  /// they made and their field changes.
  mutating func add(_ commits: [CommitChanges]) throws {
    if let last = commits.last { try loadStaff(at: last.id) }
    var sequence: Int64 = 0
    if let row = try database.prepare("SELECT COALESCE(MAX(seq), -1) FROM commits").next(),
      case .integer(let number)? = row.first
    {
      sequence = number + 1
    }
    // Every version's value, read in one pass (the value store parses what it lacks).
    var blobs: [BlobID] = []
    for commit in commits {
      for change in commit.records where change.kind != .removed {
        if let blob = change.newBlob { blobs.append(blob) }
      }
    }
    let values = try history.recordValues.values(blobs)
    var valueOf: [BlobID: Value] = [:]
    for (blob, value) in zip(blobs, values) { if let value { valueOf[blob] = value.decoded } }
    let insertCommit = try statement("INSERT INTO commits VALUES (\(placeholders(10)))")
    let insertChange = try statement("INSERT INTO field_changes VALUES (\(placeholders(7)))")
    for commit in commits {
      let when = time(commit.author.time)
      try insertCommit.run([
        .text(commit.id.hex), .integer(sequence), commit.parents.first.map { .text($0.hex) } ?? .null,
        .integer(commit.parents.count > 1 ? 1 : 0), .text(commit.author.name), .text(commit.author.email),
        staff?.person(identity: commit.author.email).map { .text($0.id) } ?? .null, .text(when),
        .text(time(commit.committer.time)), .text(commit.message),
      ])
      sequence += 1
      for change in commit.records {
        switch change.kind {
        case .removed:
          try close(type: change.type, id: change.id, at: commit, when: when, removed: true)
        case .renamed:
          try close(
            type: change.oldType ?? change.type, id: change.oldID ?? change.id, at: commit, when: when, removed: false)
          if let blob = change.newBlob, let value = valueOf[blob] {
            try open(type: change.type, id: change.id, value: value, change: "renamed", at: commit, when: when)
          }
        case .modified where change.isReformatOnly:
          // The same values laid out differently: not a new version.
          continue
        case .added, .modified:
          try close(type: change.type, id: change.id, at: commit, when: when, removed: false)
          if let blob = change.newBlob, let value = change.value ?? valueOf[blob] {
            try open(
              type: change.type, id: change.id, value: value, change: change.kind == .added ? "added" : "changed",
              at: commit, when: when)
          }
        }
        for field in change.fields {
          try insertChange.run([
            .text(commit.id.hex), .text(change.type), .text(change.id), .text(field.path.description),
            .text(field.kind.name), Self.text(field.old), Self.text(field.new),
          ])
        }
      }
    }
  }

  /// A value as text typed by the schema: a scalar's text, a list or mapping as JSON.
  static func text(_ value: Value?) -> SQLValue {
    switch value {
    case nil, .null?: return .null
    case .scalar(let text, _)?: return .text(text)
    case let other?:
      var out: [UInt8] = []
      other.writeJSON(into: &out)
      return .text(String(decoding: out, as: UTF8.self))
    }
  }

  func tables(of type: String) -> SQLLayout.RecordTables? { layout.types.first { $0.main.name == type } }

  /// Ends the version of `type`/`id` in force; a removal keeps its last values in a version of
  /// its own (`change = 'removed'`).
  mutating func close(type: String, id: String, at commit: CommitChanges, when: String, removed: Bool) throws {
    guard let tables = tables(of: type), let text = sql[type] else { return }
    let find = try statement(text.findOpen)
    try find.bind([.text(id)])
    guard let row = try find.next(), case .integer(let version)? = row.first else { return }
    try find.bind([])
    try statement(text.closeVersion).run([.text(when), .text(commit.id.hex), .integer(version)])
    for (index, list) in tables.lists.enumerated() where !list.columns.isEmpty {
      try statement(text.closeItems[index]).run([.text(when), .integer(version)])
    }
    guard removed else { return }
    try statement(text.copyRemoved).run([.text(commit.id.hex), .text(when), .text(commit.id.hex), .integer(version)])
  }

  mutating func open(type: String, id: String, value: Value, change: String, at commit: CommitChanges, when: String)
    throws
  {
    guard let tables = tables(of: type), let text = sql[type] else { return }
    let (main, lists) = layout.rows(of: tables, id: id, value: value)
    try statement(text.insertVersion).run(
      main + [.text(commit.id.hex), .text(change), .text(when), .null, .text(commit.id.hex), .null])
    let version = Int64(database.lastInsertedRow)
    for (index, rows) in lists.enumerated() where !rows.isEmpty {
      let insert = try statement(text.insertItemVersions[index])
      for row in rows { try insert.run([.integer(version)] + row + [.text(when), .null]) }
    }
  }

  // MARK: The records at the tip

  mutating func loadCurrent(at tip: CommitID) throws {
    let snapshot = history.records(at: tip)
    for tables in layout.types {
      for (id, value) in try snapshot.records(of: tables.main.name) {
        try insertCurrent(tables, id: id, value: value.decoded)
      }
    }
  }

  mutating func insertCurrent(_ tables: SQLLayout.RecordTables, id: String, value: Value) throws {
    let (main, lists) = layout.rows(of: tables, id: id, value: value)
    try statement("INSERT OR REPLACE INTO \(Self.quote(tables.main.name)) VALUES (\(placeholders(main.count)))").run(
      main)
    // The record's search rows get rowids from its key (key × 65536 + n), so an update
    // deletes them by range (deleteCurrent).
    try statement("INSERT INTO search_keys (type, id) VALUES (?, ?)").run([.text(tables.main.name), .text(id)])
    var rowid = database.lastInsertedRow * 65536
    let insertSearch = try statement("INSERT INTO search (rowid, type, id, field, text) VALUES (?, ?, ?, ?, ?)")
    func search(_ field: String, _ text: String) throws {
      try insertSearch.run([.integer(rowid), .text(tables.main.name), .text(id), .text(field), .text(text)])
      rowid += 1
    }
    for (column, cell) in zip(tables.main.columns, main.dropFirst()) where column.type == .text {
      if case .text(let text) = cell { try search(column.name, text) }
    }
    for (list, rows) in zip(tables.lists, lists) {
      let insert = try statement(
        "INSERT INTO \(Self.quote(list.name)) VALUES (\(placeholders(list.columns.count + 2)))")
      for row in rows {
        try insert.run(row)
        for (column, cell) in zip(list.columns, row.dropFirst(2)) where column.type == .text {
          if case .text(let text) = cell, case .integer(let index) = row[1] {
            try search("\(list.list ?? list.name)[\(index)].\(column.name)", text)
          }
        }
      }
    }
  }

  mutating func deleteCurrent(_ tables: SQLLayout.RecordTables, id: String) throws {
    let text = sql[tables.main.name]!
    try statement(text.deleteCurrent).run([.text(id)])
    for index in tables.lists.indices { try statement(text.deleteItems[index]).run([.text(id)]) }
    // The record's search rows, by their key (the search table's own columns have no index).
    let find = try statement("SELECT key FROM search_keys WHERE type = ? AND id = ?")
    try find.bind([.text(tables.main.name), .text(id)])
    var keys: [Int64] = []
    while let row = try find.next() { if case .integer(let key)? = row.first { keys.append(key) } }
    for key in keys {
      try statement("DELETE FROM search WHERE rowid >= ? AND rowid < ?").run([
        .integer(key * 65536), .integer((key + 1) * 65536),
      ])
      try statement("DELETE FROM search_keys WHERE key = ?").run([.integer(key)])
    }
  }

  /// The current tables after `commits`: each record they touched as its last one left it.
  mutating func refreshCurrent(_ commits: [CommitChanges]) throws {
    var last: [String: (type: String, id: String, blob: BlobID?)] = [:]
    for commit in commits {
      for change in commit.records {
        if change.kind == .renamed {
          let old = (change.oldType ?? change.type, change.oldID ?? change.id)
          last["\(old.0)/\(old.1)"] = (old.0, old.1, nil)
        }
        last[change.key] = (change.type, change.id, change.kind == .removed ? nil : change.newBlob)
      }
    }
    for (_, state) in last {
      guard let tables = tables(of: state.type) else { continue }
      try deleteCurrent(tables, id: state.id)
      if let blob = state.blob, let value = try history.recordValues.values([blob]).first??.decoded {
        try insertCurrent(tables, id: state.id, value: value)
      }
    }
  }

  func writeMeta(head: String, schemaHash: String, tallyVersion: String) throws {
    try database.execute("DELETE FROM meta")
    try database.prepare("INSERT INTO meta VALUES (?, ?, ?, ?, datetime('now'))").run([
      .text(schemaHash), .text(head), .text(tallyVersion), .integer(Int64(QueryDatabase.layoutVersion)),
    ])
  }
}
