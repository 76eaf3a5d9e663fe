import Foundation
import TallyHistory
import TallyRecords
import TallySchema
import TallyText

/// The SQL database of a records repository and its history (docs/sql.md): built from the
/// history engine's change data, kept in the git directory, and brought up to date before
/// each query by adding only the commits made since (a history that was rewritten, or new
/// schemas, rebuild it whole).
public enum QueryDatabase {
  /// The layout's version: a database of another one is rebuilt.
  static let layoutVersion = 3

  public static func path(gitDirectory: String) -> String { gitDirectory + "/tally/records.sqlite" }

  /// How much of the history cache a full build reads and writes at a time (the
  /// `TALLY_SQL_BATCH_BYTES` environment variable sets it, for tests of many small batches).
  static let batchBytes: Int = {
    guard let text = ProcessInfo.processInfo.environment["TALLY_SQL_BATCH_BYTES"], let bytes = Int(text), bytes > 0
    else { return 32 << 20 }
    return bytes
  }()

  public struct Outcome: Sendable {
    public var rebuilt: Bool
    public var commitsAdded: Int
    public var head: String
    public var seconds: Double
  }

  /// Brings the database at `path` up to date with the first-parent history of `revision`.
  public static func update(
    _ history: History, at path: String, revision: String = "HEAD", tallyVersion: String,
    progress: ((Int, Int) -> Void)? = nil
  ) throws -> Outcome {
    let start = Date()
    let layout = SQLLayout(schema: history.records.schema)
    let schemaHash = hash(history.schemaKey + "layout-\(layoutVersion)")
    // What the database holds, when it can be extended.
    var known: (head: String, hash: String)?
    if FileManager.default.fileExists(atPath: path), let database = try? SQLiteDatabase(path: path, mode: .readOnly),
      let statement = try? database.prepare("SELECT head_oid, schema_hash FROM meta"),
      let row = try? statement.next(), case .text(let head)? = row.first, case .text(let hash)? = row.last
    {
      known = (head, hash)
    }
    // New commits on top of what the database holds: read from git and computed alone (the
    // history cache file is only appended to), the database extended.
    Trace.mark("sql: database opened")
    if let known, known.hash == schemaHash, let head = CommitID(hex: known.head),
      let new = try history.firstParents(of: revision, after: head)
    {
      Trace.mark("sql: \(new.count) new commits found")
      if new.isEmpty {
        return Outcome(rebuilt: false, commitsAdded: 0, head: known.head, seconds: Date().timeIntervalSince(start))
      }
      let changes = try history.freshChanges(new)
      Trace.mark("sql: their changes computed")
      history.save()
      Trace.mark("sql: history cache saved")
      do {
        let database = try SQLiteDatabase(path: path)
        // The database is derived from git: no fsync per update (a file a power cut damaged
        // fails the next update, which then rebuilds it, below).
        try database.execute("PRAGMA synchronous = OFF")
        var writer = Writer(database: database, layout: layout, history: history)
        let tip = new.last!.hex
        try database.transaction {
          try writer.add(changes)
          Trace.mark("sql: versions and commits added")
          try writer.refreshCurrent(changes)
          Trace.mark("sql: current records replaced")
          try writer.writeMeta(head: tip, schemaHash: schemaHash, tallyVersion: tallyVersion)
        }
        Trace.mark("sql: database extended")
        return Outcome(rebuilt: false, commitsAdded: new.count, head: tip, seconds: Date().timeIntervalSince(start))
      } catch {
        // A database that cannot be extended (damaged, locked out of shape) is built anew.
      }
    }
    // Every record at the tip and every version is read from the pack: mapped whole (2 GB at
    // a million records), it would be half of the build's memory.
    History.limitPackMapping(to: History.longReadPackMapping)
    // Walked by git: following the chain through the history cache would load it whole.
    let ids = try history.commits(revision, firstParent: true, throughCache: false)
    // A new database, built beside the old one and renamed over it: a reader never sees half.
    let temporary = path + ".building-\(getpid())"
    try? FileManager.default.removeItem(atPath: temporary)
    try FileManager.default.createDirectory(
      atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    let bulk = "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -262144;"
    do {
      // The tables, with the records at the tip and their full-text rows, are made on another
      // thread while the history is walked (whose tree comparisons keep one core busy).
      let tipSide = TipLoad()
      let group = DispatchGroup()
      let detached = try history.detached()
      DispatchQueue.global().async(group: group) {
        do {
          let database = try SQLiteDatabase(path: temporary)
          try database.execute(bulk)
          var writer = Writer(database: database, layout: layout, history: detached)
          try database.transaction {
            try writer.create(bulk: true)
            if let tip = ids.last { try writer.loadCurrent(at: tip) }
          }
        } catch {
          tipSide.error = error
        }
      }
      // What the history cache lacks is computed (and appended to it) while the tables are
      // made; then the commits are read from it a batch at a time and written as they come.
      let stream: History.ChangeStream
      do {
        stream = try history.changeStream(ids, progress: progress)
      } catch {
        group.wait()
        throw error
      }
      Trace.mark("sql: history ready to stream")
      group.wait()
      Trace.mark("sql: tables and current records made")
      if let error = tipSide.error { throw error }
      let database = try SQLiteDatabase(path: temporary)
      try database.execute(bulk)
      var writer = Writer(database: database, layout: layout, history: history)
      try database.transaction {
        writer.pending = Writer.PendingVersions()
        if let tip = ids.last { try writer.loadStaff(at: tip) }
        try stream.forEachBatch(batchBytes: batchBytes) { try writer.add($0) }
        Trace.mark("sql: commits and closed versions written")
        try writer.flushVersions()
        Trace.mark("sql: versions in force written")
        try writer.createIndexes()
        try writer.writeMeta(head: ids.last?.hex ?? "", schemaHash: schemaHash, tallyVersion: tallyVersion)
      }
      history.save()
      Trace.mark("sql: indexes made, history saved")
      try database.execute("ANALYZE")
    } catch {
      try? FileManager.default.removeItem(atPath: temporary)
      throw error
    }
    if rename(temporary, path) != 0 {
      try? FileManager.default.removeItem(atPath: temporary)
      throw SQLError(message: "cannot put the database in place at \(path)", code: 0)
    }
    return Outcome(
      rebuilt: true, commitsAdded: ids.count, head: ids.last?.hex ?? "", seconds: Date().timeIntervalSince(start))
  }

  /// What the thread loading the tip's records ran into.
  private final class TipLoad: @unchecked Sendable {
    var error: (any Error)?
  }

  /// A standalone copy of the database (for Datasette, DBeaver, Metabase): SQLite's backup of
  /// the up-to-date database into `file`, written beside it and renamed into place.
  public static func export(from path: String, to file: String) throws {
    let temporary = file + ".tally-export-\(getpid())"
    try? FileManager.default.removeItem(atPath: temporary)
    let source = try SQLiteDatabase(path: path, mode: .readOnly)
    try source.execute("VACUUM INTO '\(temporary.replacingOccurrences(of: "'", with: "''"))'")
    if rename(temporary, file) != 0 {
      try? FileManager.default.removeItem(atPath: temporary)
      throw SQLError(message: "cannot write \(file)", code: 0)
    }
  }

  /// FNV-1a of the text, as hex.
  static func hash(_ text: String) -> String {
    var value: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in text.utf8 {
      value ^= UInt64(byte)
      value = value &* 0x100_0000_01b3
    }
    return String(value, radix: 16)
  }
}
