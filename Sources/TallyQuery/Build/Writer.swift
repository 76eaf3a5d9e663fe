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
  /// A full build's versions in force, each written when the next version of its record
  /// closes it (or at the end, by ``flushVersions()``): written once with its validity known,
  /// instead of inserted and later updated — the history tables have no indexes until the
  /// build ends. A closed version is not held: memory grows with the records in force, not
  /// with the history.
  var pending: PendingVersions?
  /// The next commit's `seq`, once read from the database.
  var nextSequence: Int64?

  struct PendingVersions {
    struct Open {
      /// Numbered when made, as adding the versions one by one numbers them (each history
      /// table's rowid), though written when closed.
      var number: Int64
      /// Held in place (the history cache's or the value store's bytes), decoded when written.
      var value: EncodedValue
      var change: String
      /// The commit that made it, in `commits`.
      var commit: Int
    }
    /// The version in force of each record ("type\u{1}id"), a removal's not counted.
    var open: [String: Open] = [:]
    /// The next version number of each type's history table.
    var next: [String: Int64] = [:]
    /// The id (hex) and time of each commit added, in order.
    var commits: [(hex: String, when: String)] = []

    mutating func number(for type: String) -> Int64 {
      let number = next[type, default: 1]
      next[type] = number + 1
      return number
    }
  }
  /// Each type's statements' text, made once.
  let sql: [String: TypeSQL]

  /// The statements of one record type and its lists.
  struct TypeSQL {
    var findOpen: String
    var closeVersion: String
    var copyRemoved: String
    var insertVersion: String
    var insertNumberedVersion: String
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
      insertNumberedVersion = "INSERT INTO \(h) VALUES (\(p(tables.main.columns.count + 8)))"
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
  static func ddl(_ table: SQLTableDefinition, indexes: Bool = true) -> String {
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
    if indexes { sql += indexDDL(table) }
    return sql
  }

  static func indexDDL(_ table: SQLTableDefinition) -> String {
    var sql = ""
    for index in table.indexes {
      sql +=
        "CREATE INDEX \(quote(index.name)) ON \(quote(table.name)) (\(index.columns.map(quote).joined(separator: ", ")));\n"
    }
    return sql
  }

  // MARK: Tables

  /// Creates the tables; a full build (`bulk`) adds the indexes after the rows
  /// (``createIndexes()``), which is faster than keeping them up to date row by row.
  func create(bulk: Bool = false) throws {
    var sql = """
      CREATE VIRTUAL TABLE search USING fts5 (type UNINDEXED, id UNINDEXED, field UNINDEXED, text, tokenize = 'trigram');
      CREATE TABLE search_keys (key INTEGER PRIMARY KEY, type TEXT NOT NULL, id TEXT NOT NULL);
      CREATE INDEX search_keys_record ON search_keys (type, id);

      """
    for table in layout.tableDefinitions { sql += Self.ddl(table, indexes: !bulk) }
    try database.execute(sql)
  }

  func createIndexes() throws {
    try database.execute(layout.tableDefinitions.map(Self.indexDDL).joined())
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
    if nextSequence == nil, let row = try database.prepare("SELECT COALESCE(MAX(seq), -1) FROM commits").next(),
      case .integer(let number)? = row.first
    {
      nextSequence = number + 1
    }
    var sequence = nextSequence ?? 0
    defer { nextSequence = sequence }
    // Every version's value, read in one pass (the value store parses what it lacks); an
    // added record's is in the change data already.
    var blobs: [BlobID] = []
    for commit in commits {
      for change in commit.records where change.kind != .removed && change.encodedValue == nil {
        if let blob = change.newBlob { blobs.append(blob) }
      }
    }
    let values = try history.recordValues.values(blobs)
    var valueOf: [BlobID: EncodedValue] = [:]
    for (blob, value) in zip(blobs, values) { if let value { valueOf[blob] = value } }
    let insertCommit = try statement("INSERT INTO commits VALUES (\(placeholders(10)))")
    let insertChange = try statement("INSERT INTO field_changes VALUES (\(placeholders(7)))")
    for commit in commits {
      let when = time(commit.author.time)
      // One text of the id for all the commit's rows (a full build keeps them until the end).
      let hex = commit.id.hex
      pending?.commits.append((hex, when))
      try insertCommit.run([
        .text(hex), .integer(sequence), commit.parents.first.map { .text($0.hex) } ?? .null,
        .integer(commit.parents.count > 1 ? 1 : 0), .text(commit.author.name), .text(commit.author.email),
        staff?.person(identity: commit.author.email).map { .text($0.id) } ?? .null, .text(when),
        .text(time(commit.committer.time)), .text(commit.message),
      ])
      sequence += 1
      for change in commit.records {
        switch change.kind {
        case .removed:
          try close(type: change.type, id: change.id, at: hex, when: when, removed: true)
        case .renamed:
          try close(
            type: change.oldType ?? change.type, id: change.oldID ?? change.id, at: hex, when: when, removed: false)
          if let blob = change.newBlob, let value = change.encodedValue ?? valueOf[blob] {
            try open(type: change.type, id: change.id, value: value, change: "renamed", at: hex, when: when)
          }
        case .modified where change.isReformatOnly:
          // The same values laid out differently: not a new version.
          continue
        case .added, .modified:
          try close(type: change.type, id: change.id, at: hex, when: when, removed: false)
          if let blob = change.newBlob, let value = change.encodedValue ?? valueOf[blob] {
            try open(
              type: change.type, id: change.id, value: value, change: change.kind == .added ? "added" : "changed",
              at: hex, when: when)
          }
        }
        for field in change.fields {
          try insertChange.run([
            .text(hex), .text(change.type), .text(change.id), .text(field.path.description),
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
  /// its own (`change = 'removed'`). `commit` is the commit's id in hex.
  mutating func close(type: String, id: String, at commit: String, when: String, removed: Bool) throws {
    guard let tables = tables(of: type), let text = sql[type] else { return }
    if pending != nil {
      guard let version = pending!.open.removeValue(forKey: type + "\u{1}" + id) else { return }
      let made = pending!.commits[version.commit]
      try writeVersion(
        tables, text, id: id, number: version.number, value: version.value, change: version.change, made: made,
        closed: (when, commit))
      if removed {
        // The last values again, as of the removal, in a version of their own (no list items).
        try writeVersion(
          tables, text, id: id, number: pending!.number(for: type), value: version.value, change: "removed",
          made: (commit, when), closed: nil, removal: true)
      }
      return
    }
    let find = try statement(text.findOpen)
    try find.bind([.text(id)])
    guard let row = try find.next(), case .integer(let version)? = row.first else { return }
    try find.bind([])
    try statement(text.closeVersion).run([.text(when), .text(commit), .integer(version)])
    for (index, list) in tables.lists.enumerated() where !list.columns.isEmpty {
      try statement(text.closeItems[index]).run([.text(when), .integer(version)])
    }
    guard removed else { return }
    try statement(text.copyRemoved).run([.text(commit), .text(when), .text(commit), .integer(version)])
  }

  mutating func open(
    type: String, id: String, value: EncodedValue, change: String, at commit: String, when: String
  ) throws {
    guard let tables = tables(of: type), let text = sql[type] else { return }
    if pending != nil {
      let version = PendingVersions.Open(
        number: pending!.number(for: type), value: value, change: change, commit: pending!.commits.count - 1)
      if let replaced = pending!.open.updateValue(version, forKey: type + "\u{1}" + id) {
        // A version opened over one that was never closed stays in force, as adding them
        // one by one leaves it (not reached by what the history engine reports).
        try writeVersion(
          tables, text, id: id, number: replaced.number, value: replaced.value, change: replaced.change,
          made: pending!.commits[replaced.commit], closed: nil)
      }
      return
    }
    let (main, lists) = layout.rows(of: tables, id: id, value: value.decoded)
    try statement(text.insertVersion).run(
      main + [.text(commit), .text(change), .text(when), .null, .text(commit), .null])
    let version = Int64(database.lastInsertedRow)
    for (index, rows) in lists.enumerated() where !rows.isEmpty {
      let insert = try statement(text.insertItemVersions[index])
      for row in rows { try insert.run([.integer(version)] + row + [.text(when), .null]) }
    }
  }

  /// Writes a full build's versions still in force (each type's in the order they were made).
  mutating func flushVersions() throws {
    guard let open = pending?.open else { return }
    pending!.open = [:]
    for (key, version) in open.sorted(by: { $0.value.number < $1.value.number }) {
      guard let split = key.firstIndex(of: "\u{1}") else { continue }
      let type = String(key[..<split])
      guard let tables = tables(of: type), let text = sql[type] else { continue }
      try writeVersion(
        tables, text, id: String(key[key.index(after: split)...]), number: version.number, value: version.value,
        change: version.change, made: pending!.commits[version.commit], closed: nil)
    }
    pending = nil
  }

  /// Writes one version of a full build, numbered, with its list items (a removal's last
  /// values have none).
  mutating func writeVersion(
    _ tables: SQLLayout.RecordTables, _ text: TypeSQL, id: String, number: Int64, value: EncodedValue,
    change: String, made: (hex: String, when: String), closed: (when: String, commit: String)?,
    removal: Bool = false
  ) throws {
    let (main, lists) = layout.rows(of: tables, id: id, value: value.decoded)
    let closedWhen = closed.map { SQLValue.text($0.when) } ?? .null
    try statement(text.insertNumberedVersion).run(
      [.integer(number)] + main + [
        .text(made.hex), .text(change), .text(made.when), closedWhen, .text(made.hex),
        closed.map { .text($0.commit) } ?? .null,
      ])
    guard !removal else { return }
    for (index, rows) in lists.enumerated() where !rows.isEmpty {
      let insert = try statement(text.insertItemVersions[index])
      for row in rows { try insert.run([.integer(number)] + row + [.text(made.when), closedWhen]) }
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

  /// A record's rows in its type's table and its lists' tables, and a new search key for its
  /// full-text rows.
  mutating func insertCurrent(_ tables: SQLLayout.RecordTables, id: String, value: Value) throws {
    let (main, lists) = layout.rows(of: tables, id: id, value: value)
    try insertRows(tables, main: main, lists: lists)
    // The record's search rows get rowids from its key (key × 65536 + n), so an update finds
    // them by range (refreshCurrent).
    try statement("INSERT INTO search_keys (type, id) VALUES (?, ?)").run([.text(tables.main.name), .text(id)])
    var rowid = database.lastInsertedRow * 65536
    for (field, text) in Self.searchRows(tables, main: main, lists: lists) {
      try insertSearch(rowid: rowid, type: tables.main.name, id: id, field: field, text: text)
      rowid += 1
    }
  }

  mutating func insertRows(_ tables: SQLLayout.RecordTables, main: [SQLValue], lists: [[[SQLValue]]]) throws {
    try statement(sql[tables.main.name]!.insertCurrent).run(main)
    for (list, rows) in zip(tables.lists, lists) where !rows.isEmpty {
      let insert = try statement(
        "INSERT INTO \(Self.quote(list.name)) VALUES (\(placeholders(list.columns.count + 2)))")
      for row in rows { try insert.run(row) }
    }
  }

  mutating func insertSearch(rowid: Int64, type: String, id: String, field: String, text: String) throws {
    try statement("INSERT INTO search (rowid, type, id, field, text) VALUES (?, ?, ?, ?, ?)").run([
      .integer(rowid), .text(type), .text(id), .text(field), .text(text),
    ])
  }

  /// The text fields of a record and of its list items: (where, text).
  static func searchRows(_ tables: SQLLayout.RecordTables, main: [SQLValue], lists: [[[SQLValue]]]) -> [(
    String, String
  )] {
    var result: [(String, String)] = []
    for (column, cell) in zip(tables.main.columns, main.dropFirst()) where column.type == .text {
      if case .text(let text) = cell { result.append((column.name, text)) }
    }
    for (list, rows) in zip(tables.lists, lists) {
      for row in rows {
        guard case .integer(let index) = row[1] else { continue }
        for (column, cell) in zip(list.columns, row.dropFirst(2)) where column.type == .text {
          if case .text(let text) = cell { result.append(("\(list.list ?? list.name)[\(index)].\(column.name)", text)) }
        }
      }
    }
    return result
  }

  mutating func deleteRows(_ tables: SQLLayout.RecordTables, id: String) throws {
    let text = sql[tables.main.name]!
    try statement(text.deleteCurrent).run([.text(id)])
    for index in tables.lists.indices { try statement(text.deleteItems[index]).run([.text(id)]) }
  }

  /// A record that changed: its rows replaced, and of its search rows only those whose text
  /// changed (an FTS5 delete re-reads and re-tokenises the row: most of a record's text stays
  /// the same when a follow-up is added). A removed record (`value` nil) loses all of them.
  mutating func replaceCurrent(_ tables: SQLLayout.RecordTables, id: String, value: Value?) throws {
    try deleteRows(tables, id: id)
    let find = try statement("SELECT key FROM search_keys WHERE type = ? AND id = ?")
    try find.bind([.text(tables.main.name), .text(id)])
    var key: Int64?
    if let row = try find.next(), case .integer(let found)? = row.first { key = found }
    try find.bind([])
    guard let value else {
      if let key {
        try statement("DELETE FROM search WHERE rowid >= ? AND rowid < ?").run([
          .integer(key * 65536), .integer((key + 1) * 65536),
        ])
        try statement("DELETE FROM search_keys WHERE key = ?").run([.integer(key)])
      }
      return
    }
    guard let key else { return try insertCurrent(tables, id: id, value: value) }
    let (main, lists) = layout.rows(of: tables, id: id, value: value)
    try insertRows(tables, main: main, lists: lists)
    // The rows it has, by (field, text); those still wanted stay.
    var wanted: [String: Int] = [:]
    for (field, text) in Self.searchRows(tables, main: main, lists: lists) {
      wanted[field + "\u{1}" + text, default: 0] += 1
    }
    let existing = try statement("SELECT rowid, field, text FROM search WHERE rowid >= ? AND rowid < ?")
    try existing.bind([.integer(key * 65536), .integer((key + 1) * 65536)])
    var stale: [Int64] = []
    var last = key * 65536 - 1
    while let row = try existing.next() {
      guard case .integer(let rowid) = row[0], case .text(let field) = row[1], case .text(let text) = row[2] else {
        continue
      }
      last = max(last, rowid)
      let name = field + "\u{1}" + text
      if let count = wanted[name], count > 0 {
        wanted[name] = count - 1
      } else {
        stale.append(rowid)
      }
    }
    try existing.bind([])
    for rowid in stale { try statement("DELETE FROM search WHERE rowid = ?").run([.integer(rowid)]) }
    let added = Self.searchRows(tables, main: main, lists: lists).filter { field, text in
      let name = field + "\u{1}" + text
      guard let count = wanted[name], count > 0 else { return false }
      wanted[name] = count - 1
      return true
    }
    if last + Int64(added.count) >= (key + 1) * 65536 {
      // The key's range is used up: the record starts again under a new key.
      try replaceCurrent(tables, id: id, value: nil)
      return try insertCurrent(tables, id: id, value: value)
    }
    for (field, text) in added {
      last += 1
      try insertSearch(rowid: last, type: tables.main.name, id: id, field: field, text: text)
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
    // In the order of the records' search keys, so full-text rowids only go up within the
    // transaction: FTS5 writes out what it holds whenever a rowid goes down (a segment per
    // record otherwise, and merges to follow).
    let find = try statement("SELECT key FROM search_keys WHERE type = ? AND id = ?")
    var ordered: [(key: Int64, state: (type: String, id: String, blob: BlobID?))] = []
    for (_, state) in last {
      try find.bind([.text(state.type), .text(state.id)])
      var key = Int64.max
      if let row = try find.next(), case .integer(let found)? = row.first { key = found }
      ordered.append((key, state))
    }
    try find.bind([])
    ordered.sort { ($0.key, $0.state.type, $0.state.id) < ($1.key, $1.state.type, $1.state.id) }
    // Their values, read in one pass (in parallel where the value store must parse).
    let blobs = ordered.compactMap(\.state.blob)
    var valueOf: [BlobID: Value] = [:]
    for (blob, value) in zip(blobs, try history.recordValues.values(blobs)) {
      if let value { valueOf[blob] = value.decoded }
    }
    for (_, state) in ordered {
      guard let tables = tables(of: state.type) else { continue }
      try replaceCurrent(tables, id: state.id, value: state.blob.flatMap { valueOf[$0] })
    }
  }

  func writeMeta(head: String, schemaHash: String, tallyVersion: String) throws {
    try database.execute("DELETE FROM meta")
    try database.prepare("INSERT INTO meta VALUES (?, ?, ?, ?, datetime('now'))").run([
      .text(schemaHash), .text(head), .text(tallyVersion), .integer(Int64(QueryDatabase.layoutVersion)),
    ])
  }
}
