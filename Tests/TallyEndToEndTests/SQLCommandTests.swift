import Foundation
import TallyTestSupport
import Testing

/// make demo's repository: the simulated team's 959 commits replayed (made once per run).
enum Replayed {
  static let repository: Result<String, Error> = Result {
    let dir = try TemporaryDirectory(prefix: "tally-sql")
    ExitLifetime.keep(dir)
    let bench = (TallyProcess.binary as NSString).deletingLastPathComponent + "/tally-bench"
    let history = dir.path + "/history.jsonl"
    let written = try TallyProcess.runProgram(bench, ["write-history", history])
    guard written.status == 0 else { throw Failure(text: written.stderr) }
    let script = Golden.directory() + "/../../scripts/demo-history.py"
    let replayed = try TallyProcess.runProgram(
      "python3", [script, "--tally-every", "1000", history, dir.path + "/demo", TallyProcess.binary],
      environment: ["GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null"])
    guard replayed.status == 0 else { throw Failure(text: replayed.stderr) }
    try FileManager.default.copyItem(
      atPath: Golden.directory() + "/../../example-repo/queries", toPath: dir.path + "/demo/queries")
    return dir.path + "/demo"
  }

  struct Failure: Error, CustomStringConvertible {
    var text: String
    var description: String { text }
  }

  static func sql(_ query: String, _ extra: [String] = []) throws -> [[String: Any]] {
    let result = try TallyProcess.run(["sql", query, "--format", "json"] + extra, in: try repository.get())
    guard result.status == 0 else { throw Failure(text: result.stderr) }
    return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]] ?? []
  }

  static func json(_ arguments: [String]) throws -> Any {
    let result = try TallyProcess.run(arguments, in: try repository.get())
    guard result.status == 0 else { throw Failure(text: result.stderr) }
    return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
  }
}

/// Keeps a value alive until the process ends (the replayed repository's directory).
enum ExitLifetime {
  nonisolated(unsafe) static var kept: [Any] = []
  static func keep(_ value: Any) { kept.append(value) }
}

/// A value of tally's JSON (typed) as the text field_changes holds: a scalar's text, else JSON.
private func text(_ value: Any?) -> String? {
  switch value {
  case nil, is NSNull: return nil
  case let string as String: return string
  case let number as NSNumber:
    return number.stringValue
  case let other?:
    let data = try? JSONSerialization.data(withJSONObject: other, options: [.sortedKeys])
    return data.map { String(decoding: $0, as: UTF8.self) }
  }
}

/// JSON text normalised (keys sorted), to compare documents whatever their key order.
private func normalised(_ text: String?) -> String? {
  guard let text, let data = text.data(using: .utf8),
    let object = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]),
    !(object is String), !(object is NSNumber)
  else { return text }
  return (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])).map {
    String(decoding: $0, as: UTF8.self)
  }
}

@Suite(.serialized) struct SQLCommandTests {
  /// Every record's versions and field changes, against `tally log TYPE/ID --format json`
  /// (records that were never renamed: `tally log` follows a rename into the earlier id).
  @Test func theHistoryTablesHoldWhatTallyLogShows() throws {
    var checked = 0
    for type in ["customer", "staff", "plan", "minutes"] {
      let renamed = Set(
        try Replayed.sql("SELECT DISTINCT id FROM history_\(type) WHERE change = 'renamed'").compactMap {
          $0["id"] as? String
        })
      let versions = Dictionary(
        uniqueKeysWithValues: try Replayed.sql(
          "SELECT id, count(*) AS n FROM history_\(type) WHERE change != 'removed' GROUP BY id"
        ).map { ($0["id"] as! String, $0["n"] as! Int) })
      let stored = try Replayed.sql("SELECT * FROM field_changes WHERE type = '\(type)'")
      var storedByID: [String: [String]] = [:]
      for row in stored {
        storedByID[row["id"] as! String, default: []].append(
          ["commit_oid", "path", "kind"].map { "\(row[$0]!)" }.joined(separator: "|") + "|"
            + (normalised(row["old_value"] as? String) ?? "∅") + "|" + (normalised(row["new_value"] as? String) ?? "∅"))
      }
      for id in try Replayed.sql("SELECT id FROM \"\(type)\"").compactMap({ $0["id"] as? String })
      where !renamed.contains(id) {
        let log = try #require(try Replayed.json(["log", "\(type)/\(id)", "--format", "json"]) as? [String: Any])
        var listed = 0
        var changes: [String] = []
        for commit in log["commits"] as? [[String: Any]] ?? [] {
          let change = commit["change"] as? [String: Any] ?? [:]
          let fields = change["fields"] as? [[String: Any]] ?? []
          if change["kind"] as? String != "modified" || !fields.isEmpty { listed += 1 }
          for field in fields {
            changes.append(
              ["\(commit["commit"]!)", "\(field["path"]!)", "\(field["kind"]!)"].joined(separator: "|") + "|"
                + (normalised(text(field["old"])) ?? "∅") + "|" + (normalised(text(field["new"])) ?? "∅"))
          }
        }
        #expect(versions[id] == listed, "\(type)/\(id): \(versions[id] ?? 0) versions, tally log lists \(listed)")
        #expect(Set(storedByID[id] ?? []) == Set(changes), "\(type)/\(id): field changes differ")
        #expect((storedByID[id] ?? []).count == changes.count)
        checked += 1
      }
    }
    #expect(checked > 300)
  }

  /// 50 records on 50 days: the version in force at the end of the day is what `tally show
  /// --at` shows.
  @Test func asOfADayIsOneWhere() throws {
    var random = SystemRandomNumberGenerator()
    let ids = try Replayed.sql("SELECT DISTINCT id FROM history_customer ORDER BY id").compactMap {
      $0["id"] as? String
    }
    for _ in 0..<50 {
      let id = ids.randomElement(using: &random)!
      let day = String(
        format: "2026-%02d-%02d", Int.random(in: 5...10, using: &random), Int.random(in: 1...28, using: &random))
      let rows = try Replayed.sql(
        """
        SELECT h.tier, h.status, h.owner, h.name,
          (SELECT count(*) FROM history_customer_follow_ups f WHERE f.version = h.version) AS follow_ups
        FROM history_customer h WHERE h.id = '\(id)' AND h.change != 'removed'
          AND h.valid_from < date('\(day)', '+1 day') AND (h.valid_to IS NULL OR h.valid_to >= date('\(day)', '+1 day'))
        """)
      let shown = try TallyProcess.run(
        ["show", "customer/\(id)", "--at", day, "--format", "json"], in: try Replayed.repository.get())
      guard shown.status == 0,
        let object = try? JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any],
        let record = (object["value"] ?? object["record"]) as? [String: Any]
      else {
        #expect(rows.isEmpty, "\(id) at \(day): tally show has none, SQL has \(rows)")
        continue
      }
      let row = try #require(rows.first, "\(id) at \(day): tally show has it, SQL has none")
      #expect(rows.count == 1)
      for field in ["tier", "status", "owner", "name"] {
        #expect(text(record[field]) == text(row[field]), "\(id) \(day) \(field)")
      }
      #expect((record["follow_ups"] as? [Any] ?? []).count == row["follow_ups"] as? Int, "\(id) \(day)")
    }
  }

  /// Revenue per owner, from the layout, is exactly what the plan report prints.
  @Test func moneySumsAreTheReportsFigures() throws {
    let report = try #require(
      try Replayed.json(["report", "plan", "--period", "2026-Q3", "--format", "json"]) as? [String: Any])
    let sections = try #require(report["sections"] as? [[String: Any]])
    let targets = try #require(
      sections.first { $0["key"] as? String == "targets" || $0["title"] as? String == "Targets and results" })
    let revenue = (targets["rows"] as? [[String: Any]] ?? []).filter {
      $0["counts"] as? String == "own" && ($0["target"] as? String)?.contains(".") == true
    }
    #expect(revenue.count >= 5)
    let result = try TallyProcess.run(
      ["query", "revenue-per-owner", "--format", "json"], in: try Replayed.repository.get())
    let rows = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
    let byName = Dictionary(
      rows.map { ($0["name"] as! String, $0["revenue"] as! String) }, uniquingKeysWith: { a, _ in a })
    for row in revenue {
      let name = try #require(row["assignee"] as? String)
      #expect(byName[name] ?? "0.00" == row["actual"] as? String, "\(name)")
    }
  }

  /// A real client reads the export: Datasette serves the exported file and the saved
  /// queries `--datasette` offers it, with the same rows as tally.
  @Test func datasetteServesTheExportWithItsSavedQueries() throws {
    let repository = try Replayed.repository.get()
    let dir = try TemporaryDirectory(prefix: "tally-datasette")
    let exported = try TallyProcess.run(
      ["export", "sqlite", dir.path + "/team.sqlite", "--datasette", dir.path + "/metadata.json"], in: repository)
    #expect(exported.status == 0, "\(exported.stderr)")
    let python = ProcessInfo.processInfo.environment["TALLY_PYTHON"].flatMap { $0.isEmpty ? nil : $0 } ?? "python3"
    let socket = dir.path + "/datasette.sock"
    let server = Process()
    server.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    server.arguments = [
      python, "-m", "datasette", "serve", dir.path + "/team.sqlite", "-m", dir.path + "/metadata.json", "--uds", socket,
    ]
    server.standardOutput = FileHandle.nullDevice
    let log = Pipe()
    server.standardError = log
    try server.run()
    defer {
      // Datasette (uvicorn) may wait out SIGTERM; nothing of it needs keeping.
      kill(server.processIdentifier, SIGKILL)
      server.waitUntilExit()
    }
    var waited = 0
    while !FileManager.default.fileExists(atPath: socket) && waited < 300 && server.isRunning {
      usleep(100_000)
      waited += 1
    }
    try #require(
      FileManager.default.fileExists(atPath: socket), "datasette did not start (pip install datasette): \(python)")
    func get(_ path: String) throws -> Any {
      let result = try TallyProcess.runProgram(
        "curl", ["-sS", "--fail", "--unix-socket", socket, "http://localhost/team/" + path])
      #expect(result.status == 0, "curl \(path): \(result.stderr)")
      return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
    }
    // A table: every customer, the same values.
    let served = try #require(try get("customer.json?_shape=array&_size=max") as? [[String: Any]])
    let local = try Replayed.sql("SELECT * FROM customer")
    #expect(served.count == local.count && served.count > 100)
    let byID = Dictionary(local.map { ($0["id"] as! String, $0) }, uniquingKeysWith: { a, _ in a })
    for row in served {
      #expect(NSDictionary(dictionary: row).isEqual(to: byID[row["id"] as! String] ?? [:]), "\(row)")
    }
    // A saved query, with its parameters, as `tally query` runs it.
    let query = try #require(
      try get("revenue-per-owner.json?_shape=array&from=2026-07-01&to=2026-09-30") as? [[String: Any]])
    let mine = try #require(
      try Replayed.json([
        "query", "revenue-per-owner", "--param", "from=2026-07-01", "--param", "to=2026-09-30",
        "--format", "json",
      ]) as? [[String: Any]])
    #expect(query.count == mine.count && query.count >= 5)
    #expect(NSArray(array: query).isEqual(to: mine))
  }

  @Test func fullTextSearchFindsChineseText() throws {
    let rows = try Replayed.sql("SELECT type, id, field FROM search WHERE text MATCH '报价单' LIMIT 5")
    #expect(rows.count == 5)
    #expect(rows.allSatisfy { ($0["field"] as? String)?.contains("summary") == true })
  }
}

/// A small repository: commits made here, the database extended or rebuilt.
@Suite struct SQLDatabaseTests {
  let repo: ExampleRepository
  var root: String { repo.root }

  init() throws { repo = try ExampleRepository(prefix: "tally-sqldb") }

  @discardableResult
  func git(_ arguments: [String]) throws -> ProcessResult { try repo.git(arguments) }

  func tally(_ arguments: [String]) throws -> ProcessResult { try repo.tally(arguments) }

  func commitChange(_ arguments: [String], message: String) throws {
    let result = try tally(arguments + ["--commit", "-m", message])
    #expect(result.status == 0, "\(result.stderr)")
  }

  /// Every table's rows, sorted, as text: two databases with the same dump hold the same.
  func dump() throws -> String {
    let tables = try tally([
      "sql",
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'search%' AND name NOT LIKE 'sqlite%' AND name != 'meta' ORDER BY name",
      "--format", "csv",
    ])
    var out = ""
    for name in tables.stdout.split(separator: "\r\n").dropFirst() {
      let rows = try tally(["sql", "SELECT * FROM \"\(name)\"", "--format", "csv"])
      out += "== \(name)\n" + rows.stdout.split(separator: "\r\n").sorted().joined(separator: "\n") + "\n"
    }
    // The full-text rows too: an update replaces a changed record's rows, it does not add to them.
    let search = try tally(["sql", "SELECT type, id, field, text FROM search", "--format", "csv"])
    out += "== search\n" + search.stdout.split(separator: "\r\n").sorted().joined(separator: "\n") + "\n"
    return out
  }

  @Test func anIncrementalUpdateEqualsAFullBuild() throws {
    #expect(try tally(["sql", "SELECT count(*) FROM customer"]).status == 0)
    try commitChange(["set", "customer/C-0042", "tier=A"], message: "tier")
    try commitChange(
      ["add", "customer/C-0042", "orders", "date=2026-10-30", "product=CRM企业版年度订阅", "amount=12345.67"],
      message: "order")
    try git(["mv", "customers/C-0041.yaml", "customers/C-9041.yaml"])
    try git(["commit", "-q", "-m", "renumber"])
    try git(["rm", "-q", "customers/C-0040.yaml"])
    try git(["commit", "-q", "-m", "remove"])
    let added = try tally([
      "sql", "SELECT amount, amount_cents FROM customer_orders WHERE customer_id = 'C-0042' AND date = '2026-10-30'",
      "--format", "csv",
    ])
    #expect(added.stdout.contains("12345.67,1234567"), "money exact: \(added.stdout)")
    let removed = try tally([
      "sql", "SELECT change FROM history_customer WHERE id = 'C-0040' ORDER BY version DESC LIMIT 1", "--format", "csv",
    ])
    #expect(removed.stdout.contains("removed"))
    let incremental = try dump()
    try FileManager.default.removeItem(atPath: root + "/.git/tally/records.sqlite")
    let full = try dump()
    #expect(incremental == full)
    #expect(incremental.contains("C-9041"))
    // A full build streams the history cache in batches (32 MB of it by default): a commit
    // at a time, and without the cache (computed and read back), the database is the same.
    try FileManager.default.removeItem(atPath: root + "/.git/tally/records.sqlite")
    for cache in try FileManager.default.contentsOfDirectory(atPath: root + "/.git/tally")
    where cache.hasPrefix("history-") {
      try FileManager.default.removeItem(atPath: root + "/.git/tally/" + cache)
    }
    let built = try TallyProcess.run(
      ["sql", "SELECT count(*) FROM commits"], in: root,
      environment: repo.environment.merging(["TALLY_SQL_BATCH_BYTES": "1"]) { $1 })
    #expect(built.status == 0, "\(built.stderr)")
    #expect(try dump() == full)
  }

  /// A database that cannot be extended (here a table is missing) is built anew, and one that
  /// is not a database at all too.
  @Test func aDamagedDatabaseIsRebuilt() throws {
    #expect(try tally(["sql", "SELECT 1"]).status == 0)
    let path = root + "/.git/tally/records.sqlite"
    let dropped = try TallyProcess.runProgram(
      "python3",
      [
        "-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('DROP TABLE customer_orders'); c.commit()",
        path,
      ])
    #expect(dropped.status == 0, "\(dropped.stderr)")
    try commitChange(["set", "customer/C-0042", "tier=A"], message: "tier")
    let orders = try tally(["sql", "SELECT count(*) AS n FROM customer_orders", "--format", "csv"])
    #expect(orders.status == 0, "\(orders.stderr)")
    #expect(orders.stdout != "n\r\n0\r\n")
    try Array("not a database".utf8).withUnsafeBytes { try Data($0).write(to: URL(fileURLWithPath: path)) }
    let again = try tally(["sql", "SELECT tier FROM customer WHERE id = 'C-0042'", "--format", "csv"])
    #expect(again.stdout == "tier\r\nA\r\n", "\(again.stderr)")
  }

  @Test func aRewrittenHistoryIsRebuiltNotExtended() throws {
    try commitChange(["set", "customer/C-0042", "tier=A"], message: "tier A")
    #expect(try tally(["sql", "SELECT 1"]).status == 0)
    try git(["reset", "-q", "--hard", "HEAD~1"])
    try commitChange(["set", "customer/C-0042", "tier=C"], message: "tier C")
    let tiers = try tally([
      "sql", "SELECT tier FROM history_customer WHERE id = 'C-0042' ORDER BY version", "--format", "csv",
    ])
    #expect(!tiers.stdout.contains("A\r\n"), "the dropped commit's version is gone: \(tiers.stdout)")
    #expect(tiers.stdout.hasSuffix("C\r\n"))
    let commits = try tally(["sql", "SELECT count(*) AS n FROM commits", "--format", "csv"])
    #expect(commits.stdout == "n\r\n2\r\n")
  }

  @Test(arguments: [
    ("DELETE FROM customer", "DELETE is not allowed"),
    ("DROP TABLE customer", "DROP is not allowed"),
    ("SELECT 1; DELETE FROM customer", "one statement at a time"),
    ("ATTACH DATABASE '/tmp/x.sqlite' AS x", "not authorized"),
    ("PRAGMA writable_schema = 1", "not authorized"),
    ("SELECT * FROM nowhere", "no such table: nowhere"),
    ("SELEC 1", "syntax error"),
  ])
  func badQueriesChangeNothing(query: String, message: String) throws {
    #expect(try tally(["sql", "SELECT 1"]).status == 0)
    let before = try dump()
    let result = try tally(["sql", query])
    #expect(result.status == 1)
    #expect(result.stderr.contains(message), "\(result.stderr)")
    #expect(try dump() == before)
  }

  @Test func aQueryThatRunsForeverIsStopped() throws {
    let start = Date()
    let result = try tally([
      "sql", "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n", "--timeout", "1",
    ])
    #expect(result.status == 1)
    #expect(result.stderr.contains("ran longer than 1 s"))
    #expect(Date().timeIntervalSince(start) < 30)
  }

  @Test func savedQueriesTakeParameters() throws {
    let list = try tally(["report", "--list"])
    #expect(list.stdout.contains("stale-a-customers"), "\(list.stdout)")
    let run = try tally(["query", "revenue-by-product", "--param", "from=2026-01-01", "--format", "csv"])
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stdout.hasPrefix("product,orders,amount\r\n"))
    let unknown = try tally(["query", "revenue-by-product", "--param", "color=red"])
    #expect(unknown.status == 1)
    #expect(unknown.stderr.contains("has no parameter 'color'"))
  }

  @Test func anExportIsAStandaloneSQLiteFile() throws {
    let file = repo.dir.path + "/export.sqlite"
    let result = try tally(["export", "sqlite", file])
    #expect(result.status == 0, "\(result.stderr)")
    let check = try TallyProcess.runProgram(
      "python3",
      [
        "-c",
        "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(c.execute(\"SELECT name, owner FROM customer WHERE id='C-0042'\").fetchone()[0])",
        file,
      ])
    #expect(check.stdout.contains("扬州海汇教育咨询有限公司"), "\(check.stdout)\(check.stderr)")
  }
}
