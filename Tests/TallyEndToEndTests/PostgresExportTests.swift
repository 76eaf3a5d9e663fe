import Foundation
import TallyTestSupport
import Testing

/// The PostgreSQL server `make test` starts (scripts/postgres.sh): its URL, nil when the tests
/// run without one (then these tests are skipped, except under CI, where that is a failure).
enum PostgresServer {
  static var url: String? {
    ProcessInfo.processInfo.environment["TALLY_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
  }

  /// A schema name no other test uses.
  static func schema(_ prefix: String) -> String {
    prefix + "_" + String(UInt32.random(in: 0...UInt32.max), radix: 36)
  }

  /// Runs `psql` on the test server: CSV rows (header first), after `SET search_path`.
  static func psql(_ sql: String, schema: String? = nil) throws -> ProcessResult {
    var arguments = ["-X", "-q", "--csv", "-v", "ON_ERROR_STOP=1", url ?? ""]
    if let schema { arguments += ["-c", "SET search_path TO \"\(schema)\""] }
    arguments += ["-c", sql]
    return try TallyProcess.runProgram("psql", arguments)
  }

  static func rows(_ sql: String, schema: String? = nil) throws -> [[String]] {
    let result = try psql(sql, schema: schema)
    #expect(result.status == 0, "psql: \(result.stderr)")
    return CSV.parse(result.stdout)
  }

  /// The tables of `schema` whose rows differ from those of `other` (as multisets).
  static func differingTables(_ schema: String, _ other: String) throws -> [String] {
    let tables = try rows(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = '\(schema)' AND table_name <> 'meta' ORDER BY 1"
    ).dropFirst().map { $0[0] }
    #expect(tables.count > 10)
    var differing: [String] = []
    for table in tables {
      let count = try rows(
        """
        SELECT (SELECT count(*) FROM (SELECT * FROM "\(schema)"."\(table)" EXCEPT ALL SELECT * FROM "\(other)"."\(table)") a)
          + (SELECT count(*) FROM (SELECT * FROM "\(other)"."\(table)" EXCEPT ALL SELECT * FROM "\(schema)"."\(table)") b)
        """)
      if count.last?.first != "0" { differing.append(table) }
    }
    return differing
  }
}

/// RFC 4180 rows (psql's and tally's CSV).
enum CSV {
  static func parse(_ text: String) -> [[String]] {
    var rows: [[String]] = []
    var row: [String] = []
    var field = ""
    var quoted = false
    var characters = text.makeIterator()
    var pending: Character?
    while let character = pending ?? characters.next() {
      pending = nil
      if quoted {
        if character == "\"" {
          let next = characters.next()
          if next == "\"" { field.append("\"") } else { quoted = false; pending = next }
        } else {
          field.append(character)
        }
        continue
      }
      switch character {
      case "\"": quoted = true
      case ",": row.append(field); field = ""
      case "\n", "\r\n":
        row.append(field)
        rows.append(row)
        row = []
        field = ""
      case "\r": continue
      default: field.append(character)
      }
    }
    if !field.isEmpty || !row.isEmpty {
      row.append(field)
      rows.append(row)
    }
    return rows
  }
}

/// Two cells hold the same value: the same text, or the same number however written
/// (SQLite's real 3.0 is PostgreSQL's 3, numeric 1200.00 is 1200.00).
private func same(_ a: String, _ b: String) -> Bool {
  if a == b { return true }
  guard let x = Double(a), let y = Double(b) else { return false }
  return x == y
}

@Suite(
  .serialized, .enabled(if: PostgresServer.url != nil, "needs TALLY_TEST_POSTGRES_URL (make test starts a server)"))
struct PostgresExportTests {
  /// The fixture queries of Scripts/portable-queries.sql: name and SQL.
  static let fixtures: [(name: String, sql: String)] = {
    let text =
      (try? String(contentsOfFile: Golden.directory() + "/Scripts/portable-queries.sql", encoding: .utf8)) ?? ""
    var result: [(String, String)] = []
    for block in text.components(separatedBy: "-- name: ").dropFirst() {
      let lines = block.split(separator: "\n", omittingEmptySubsequences: false)
      let sql = lines.dropFirst().joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
      result.append((String(lines[0]), String(sql.dropLast(sql.hasSuffix(";") ? 1 : 0))))
    }
    return result
  }()

  func export(_ repository: String, schema: String, _ extra: [String] = []) throws -> ProcessResult {
    try TallyProcess.run(
      ["export", "postgres", "--url", PostgresServer.url!, "--schema", schema] + extra, in: repository)
  }

  /// make demo's replayed history, exported: every fixture query gives the same rows in the
  /// exported SQLite file (through tally sql) and in PostgreSQL.
  @Test func fixtureQueriesAgreeInSQLiteAndPostgres() throws {
    let repository = try Replayed.repository.get()
    let schema = PostgresServer.schema("fixtures")
    let exported = try export(repository, schema: schema)
    #expect(exported.status == 0, "\(exported.stderr)")
    #expect(exported.stdout.contains("into schema \(schema)"), "\(exported.stdout)")
    #expect(Self.fixtures.count >= 20)
    for (name, sql) in Self.fixtures {
      let local = try TallyProcess.run(["sql", sql, "--format", "csv"], in: repository)
      #expect(local.status == 0, "\(name): \(local.stderr)")
      let sqlite = CSV.parse(local.stdout)
      let postgres = try PostgresServer.rows(sql, schema: schema)
      #expect(
        sqlite.count == postgres.count, "\(name): \(sqlite.count) rows in SQLite, \(postgres.count) in PostgreSQL")
      #expect(sqlite.count > 1, "\(name) returns rows")
      for (index, (a, b)) in zip(sqlite, postgres).enumerated() {
        let agree = a.count == b.count && zip(a, b).allSatisfy { same($0, $1) }
        #expect(agree, "\(name) row \(index): SQLite \(a) ≠ PostgreSQL \(b)")
        if !agree { break }
      }
    }
    // Types are PostgreSQL's own: money numeric, dates date, booleans boolean.
    let types = try PostgresServer.rows(
      """
      SELECT table_name || '.' || column_name, data_type FROM information_schema.columns
      WHERE table_schema = '\(schema)' AND (table_name, column_name) IN
        (('customer_orders', 'amount'), ('customer_orders', 'date'), ('commits', 'is_merge'), ('commits', 'author_time'))
      ORDER BY 1
      """)
    #expect(
      types.dropFirst().map { $0.joined(separator: " ") } == [
        "commits.author_time timestamp without time zone", "commits.is_merge boolean", "customer_orders.amount numeric",
        "customer_orders.date date",
      ])
    // The union view names the repository.
    let union = try PostgresServer.rows(
      "SELECT count(*) FROM tally_all.customer WHERE repository = '\(schema)'")
    let local = try TallyProcess.run(["sql", "SELECT count(*) FROM customer", "--format", "csv"], in: repository)
    #expect(union.last == CSV.parse(local.stdout).last)
  }
}

/// A small repository exported, changed, exported again.
@Suite(.enabled(if: PostgresServer.url != nil, "needs TALLY_TEST_POSTGRES_URL (make test starts a server)"))
struct PostgresIncrementalTests {
  let repo: ExampleRepository
  var root: String { repo.root }

  init() throws { repo = try ExampleRepository(prefix: "tally-pg") }

  @discardableResult
  func git(_ arguments: [String]) throws -> ProcessResult { try repo.git(arguments) }

  func tally(_ arguments: [String]) throws -> ProcessResult { try repo.tally(arguments) }

  func export(_ schema: String, url: String? = nil) throws -> ProcessResult {
    try tally(["export", "postgres", "--url", url ?? PostgresServer.url!, "--schema", schema])
  }

  func commitChanges() throws {
    #expect(try tally(["set", "customer/C-0042", "tier=A", "--commit", "-m", "tier"]).status == 0)
    // Quotes, a backslash, a tab and Chinese: COPY's escapes must bring them through exactly.
    let order = try tally([
      "add", "customer/C-0042", "orders", "date=2026-10-30", "product=CRM企业版 \"旗舰\"\\年度\t订阅",
      "amount=12345.67", "--commit", "-m", "order",
    ])
    #expect(order.status == 0, "\(order.stderr)")
    try git(["mv", "customers/C-0041.yaml", "customers/C-9041.yaml"])
    try git(["commit", "-q", "-m", "renumber"])
    try git(["rm", "-q", "customers/C-0040.yaml"])
    try git(["commit", "-q", "-m", "remove"])
  }

  @Test func anIncrementalExportEqualsAFullOne() throws {
    let incremental = PostgresServer.schema("inc")
    let full = PostgresServer.schema("full")
    let first = try export(incremental)
    #expect(first.status == 0, "\(first.stderr)")
    #expect(first.stdout.contains("first export"))
    try commitChanges()
    let second = try tally([
      "export", "postgres", "--url", PostgresServer.url!, "--schema", incremental, "--format", "json",
    ])
    #expect(second.status == 0, "\(second.stderr)")
    let outcome = try JSONSerialization.jsonObject(with: Data(second.stdout.utf8)) as? [String: Any]
    #expect(outcome?["full"] as? Bool == false, "\(second.stdout)")
    #expect(outcome?["commits_added"] as? Int == 4)
    #expect(try export(incremental).stdout.contains("up to date"))
    #expect(try export(full).status == 0)
    #expect(try PostgresServer.differingTables(incremental, full) == [])
    // Exact values: money, the product's escapes and Chinese, the removal and the rename.
    let order = try PostgresServer.rows(
      "SELECT amount, amount_cents, product FROM customer_orders WHERE customer_id = 'C-0042' AND date = '2026-10-30'",
      schema: incremental)
    #expect(order.last == ["12345.67", "1234567", "CRM企业版 \"旗舰\"\\年度\t订阅"])
    let removed = try PostgresServer.rows(
      "SELECT change FROM history_customer WHERE id = 'C-0040' ORDER BY version DESC LIMIT 1", schema: incremental)
    #expect(removed.last == ["removed"])
    #expect(
      try PostgresServer.rows("SELECT count(*) FROM customer WHERE id = 'C-9041'", schema: incremental).last == ["1"])
    // Both repositories side by side in the union views.
    let union = try PostgresServer.rows(
      "SELECT repository, count(*) FROM tally_all.customer WHERE repository IN ('\(incremental)', '\(full)') GROUP BY 1 ORDER BY 1"
    )
    #expect(union.count == 3 && union[1][1] == union[2][1], "\(union)")
  }

  /// A force-push: what the schema holds is no longer in the history; the export loads it all
  /// again rather than adding to rows of commits that are gone.
  @Test func aRewrittenHistoryIsLoadedAgainInFull() throws {
    let schema = PostgresServer.schema("rewrite")
    let fresh = PostgresServer.schema("fresh")
    try commitChanges()
    #expect(try export(schema).status == 0)
    try git(["reset", "-q", "--hard", "HEAD~3"])
    #expect(try tally(["set", "customer/C-0043", "tier=C", "--commit", "-m", "another tier"]).status == 0)
    let again = try export(schema)
    #expect(again.status == 0, "\(again.stderr)")
    #expect(again.stdout.contains("the history was rewritten"), "\(again.stdout)")
    #expect(try export(fresh).status == 0)
    #expect(try PostgresServer.differingTables(schema, fresh) == [])
    #expect(try PostgresServer.rows("SELECT count(*) FROM commits", schema: schema).last == ["3"])
  }

  @Test func anUnreachableOrRefusingServerIsAClearErrorAndExit2() throws {
    // A port nobody listens on.
    let refused = try export("nobody", url: "postgres://postgres@127.0.0.1:1/postgres?sslmode=disable")
    #expect(refused.status == 2)
    #expect(refused.stderr.contains("cannot connect to PostgreSQL at postgres://postgres@127.0.0.1:1/postgres"))
    // A database that does not exist: the server's own words.
    var url = URLComponents(string: PostgresServer.url!)!
    url.path = "/no_such_database"
    let missing = try export("nobody", url: url.string!)
    #expect(missing.status == 2)
    #expect(missing.stderr.contains("does not exist"), "\(missing.stderr)")
    // Not a URL, or not a schema name Tally exports into: usage errors.
    #expect(try export("x", url: "mysql://localhost/x").status == 64)
    let reserved = try export("public")
    #expect(reserved.status == 64)
    #expect(reserved.stderr.contains("not a schema Tally exports into"))
    // The password is never printed.
    let secret = try export("nobody", url: "postgres://bi:hunter2@127.0.0.1:1/x?sslmode=disable")
    #expect(!secret.stderr.contains("hunter2"))
  }

  /// A schema of someone else's is left alone; a failure half-way rolls back everything.
  @Test func aRefusedOrFailedExportChangesNothing() throws {
    let foreign = PostgresServer.schema("foreign")
    _ = try PostgresServer.rows("CREATE SCHEMA \(foreign); CREATE TABLE \(foreign).ledger (n int); SELECT 1")
    let refused = try export(foreign)
    #expect(refused.status == 2)
    #expect(refused.stderr.contains("that Tally did not make"), "\(refused.stderr)")
    #expect(try PostgresServer.rows("SELECT count(*) FROM \(foreign).ledger").last == ["0"])

    let schema = PostgresServer.schema("atomic")
    #expect(try export(schema).status == 0)
    let before = try PostgresServer.rows("SELECT head_oid FROM meta", schema: schema)
    try commitChanges()
    // The server refuses a row half-way (a trigger on field_changes, copied after commits and
    // meta were replaced): the export fails, and none of what it had loaded stays.
    _ = try PostgresServer.rows(
      """
      CREATE FUNCTION \(schema).refuse() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'no more changes today'; END $$;
      CREATE TRIGGER refuse BEFORE INSERT ON \(schema).field_changes FOR EACH ROW EXECUTE FUNCTION \(schema).refuse();
      SELECT 1
      """)
    let failed = try export(schema)
    #expect(failed.status == 2, "\(failed.stdout)")
    #expect(failed.stderr.contains("no more changes today"), "\(failed.stderr)")
    #expect(try PostgresServer.rows("SELECT head_oid FROM meta", schema: schema) == before)
    #expect(try PostgresServer.rows("SELECT count(*) FROM commits", schema: schema).last == ["1"])
    _ = try PostgresServer.rows("DROP TRIGGER refuse ON \(schema).field_changes; SELECT 1")
    let retried = try export(schema)
    #expect(retried.stdout.contains("added 4 commits"), "\(retried.stdout) \(retried.stderr)")
  }
}

/// Under CI the PostgreSQL tests must run, not be skipped.
@Test(.enabled(if: ProcessInfo.processInfo.environment["CI"] != nil))
func ciRunsThePostgresTests() {
  #expect(PostgresServer.url != nil, "CI must run the tests through make test, which starts PostgreSQL")
}
