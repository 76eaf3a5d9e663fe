import Foundation
import TallyTestSupport
import Testing

/// Record folders sharded by the id's last digits (`shard: {digits: 2}` → `customers/42/C-0042.yaml`):
/// every command finds records by id wherever the layout puts them, the history reads a record
/// before and after the move as one record, and files in the wrong place are positioned errors.
@Suite struct ShardedLayoutTests {
  /// example-repo, committed once flat, then with its customers moved into shard folders by
  /// hand (`git mv`) and the schema saying so, in a second commit.
  static func shardedExample(_ prefix: String) throws -> (repo: ExampleRepository, flat: String) {
    let repo = try ExampleRepository(prefix: prefix, date: "2026-10-30T10:00:00+08:00")
    let flat = try repo.git(["rev-parse", "HEAD"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    let schemaPath = repo.root + "/schema/customer.yaml"
    let schema = try String(contentsOfFile: schemaPath, encoding: .utf8)
    try schema.replacingOccurrences(of: "directory: customers\n", with: "directory: customers\nshard:\n  digits: 2\n")
      .write(toFile: schemaPath, atomically: true, encoding: .utf8)
    let names = try FileManager.default.contentsOfDirectory(atPath: repo.root + "/customers").filter {
      $0.hasSuffix(".yaml")
    }
    for name in names {
      let shard = String(name.dropLast(5).suffix(2))
      try FileManager.default.createDirectory(
        atPath: repo.root + "/customers/" + shard, withIntermediateDirectories: true)
      try FileManager.default.moveItem(
        atPath: repo.root + "/customers/" + name, toPath: repo.root + "/customers/" + shard + "/" + name)
    }
    try repo.git(["add", "-A"])
    // A day later, so that `--at` the first day reads the flat commit.
    var environment = repo.environment
    environment["GIT_AUTHOR_DATE"] = "2026-10-31T10:00:00+08:00"
    environment["GIT_COMMITTER_DATE"] = "2026-10-31T10:00:00+08:00"
    let moved = try TallyProcess.runProgram(
      "git", ["commit", "-q", "-m", "customers in shard folders"], in: repo.root, environment: environment)
    #expect(moved.status == 0, "\(moved.stderr)")
    return (repo, flat)
  }

  @Test func checkFindsEveryRecordInItsShardAndPositionsMisplacedOnes() throws {
    let (repo, _) = try Self.shardedExample("tally-shard-check")
    let clean = try repo.tally(["check"])
    #expect(clean.status == 0, "\(clean.stdout)\(clean.stderr)")
    #expect(clean.stdout.hasSuffix("checked 449 records: no problems\n"))
    // A record in another shard than its id's, one left directly in the directory, a stray
    // file in a shard folder.
    try FileManager.default.createDirectory(atPath: repo.root + "/customers/99", withIntermediateDirectories: true)
    try FileManager.default.copyItem(
      atPath: repo.root + "/customers/42/C-0042.yaml", toPath: repo.root + "/customers/99/C-0042.yaml")
    try FileManager.default.copyItem(
      atPath: repo.root + "/customers/43/C-0043.yaml", toPath: repo.root + "/customers/C-0043.yaml")
    try "notes\n".write(toFile: repo.root + "/customers/42/notes.txt", atomically: true, encoding: .utf8)
    let result = try repo.tally(["check", "--format", "json"])
    #expect(result.status == 1)
    let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
    let diagnostics = try #require(object?["diagnostics"] as? [[String: Any]])
    let byFile = Dictionary(grouping: diagnostics) { $0["file"] as? String ?? "" }
    #expect(byFile["customers/99/C-0042.yaml"]?.first?["code"] as? String == "wrong-shard")
    #expect((byFile["customers/99/C-0042.yaml"]?.first?["hint"] as? String ?? "").contains("customers/42/C-0042.yaml"))
    #expect(byFile["customers/C-0043.yaml"]?.first?["code"] as? String == "wrong-shard")
    #expect(byFile["customers/42/notes.txt"]?.first?["code"] as? String == "stray-file")
  }

  @Test func historyReadsARecordBeforeAndAfterTheMoveAsOneRecord() throws {
    let (repo, flat) = try Self.shardedExample("tally-shard-history")
    // The same answers as at the flat commit: the layout commit changed no record.
    for arguments in [
      ["log", "customer/C-0042", "--format", "json"], ["blame", "customer/C-0042", "--format", "json"],
      ["log", "customer/C-0107", "--format", "json"], ["blame", "customer/C-0107", "--format", "json"],
      ["show", "customer/C-0042", "--at", "2026-10-30"],
    ] {
      let now = try repo.tally(arguments)
      #expect(now.status == 0, "\(arguments): \(now.stderr)")
      let before = try Self.atCommit(flat, repo: repo, arguments)
      #expect(now.stdout == before, "\(arguments)")
    }
    let diff = try repo.tally(["diff", "HEAD~1..HEAD", "--format", "json"])
    #expect(diff.status == 0)
    #expect(!diff.stdout.contains("C-00"), "the move is no record change: \(diff.stdout)")
    // A record path names it, and so does its shard folder.
    #expect(try repo.tally(["show", "customers/42/C-0042.yaml"]).status == 0)
    #expect(try repo.tally(["show", "customers/42/C-0042"]).status == 0)
  }

  /// `tally ARGUMENTS` in a checkout of the flat commit (a worktree of the same repository).
  static func atCommit(_ commit: String, repo: ExampleRepository, _ arguments: [String]) throws -> String {
    let other = repo.dir.path + "/flat-" + commit.prefix(7)
    if !FileManager.default.fileExists(atPath: other) {
      try repo.git(["worktree", "add", "-q", "--detach", other, commit])
    }
    return try TallyProcess.run(arguments, in: other, environment: repo.environment).stdout
  }

  @Test func newWritesIntoTheShardAndReportsAndSQLReadEveryShard() throws {
    let (repo, flat) = try Self.shardedExample("tally-shard-new")
    let made = try repo.tally([
      "new", "customer", "C-1234", "--set", "name=分片测试客户", "--set", "industry=retail", "--set", "scale=small",
      "--set", "owner=S-0022", "--set", "status=lead", "--set", "tier=B", "--set", "source=referral", "--set",
      "purchasing_power=low", "--set", "loyalty=low", "--commit", "--message", "a customer in shard 34",
    ])
    #expect(made.status == 0, "\(made.stdout)\(made.stderr)")
    #expect(FileManager.default.fileExists(atPath: repo.root + "/customers/34/C-1234.yaml"))
    #expect(try repo.git(["ls-files", "customers/34/C-1234.yaml"]).stdout == "customers/34/C-1234.yaml\n")
    // An id without digits to shard by is refused before anything is written.
    let refused = try repo.tally(["new", "customer", "C-ABCD", "--set", "name=x"])
    #expect(refused.status != 0)
    // SQL sees all 281 customers; a report of the flat commit, read with the sharded schema,
    // is the report in a checkout of that commit.
    let count = try repo.tally(["sql", "select count(*) as n from customer", "--format", "csv"])
    #expect(count.stdout == "n\r\n281\r\n", "\(count.stderr)")
    // The flat commit read with the sharded schema: the same report as in a checkout of it.
    let report = ["report", "followups", "--rev", flat, "--format", "json"]
    let now = try repo.tally(report)
    #expect(now.status == 0, "\(now.stderr)")
    #expect(now.stdout == (try Self.atCommit(flat, repo: repo, report)))
    #expect(now.stdout.contains("\"customer\":\"C-0"), "\(now.stdout.prefix(300))")
  }

  @Test func hooksAttributeShardFoldersAndGitMergesFieldByField() throws {
    let (repo, _) = try Self.shardedExample("tally-shard-merge")
    let installed = try repo.tally(["hook", "install"])
    #expect(installed.status == 0, "\(installed.stderr)")
    let attributes = try String(contentsOfFile: repo.root + "/.gitattributes", encoding: .utf8)
    #expect(attributes.contains("customers/*/*.yaml diff=tally merge=tally"))
    let checked = try repo.git(["check-attr", "merge", "customers/42/C-0042.yaml"])
    #expect(checked.stdout == "customers/42/C-0042.yaml: merge: tally\n")
    try repo.git(["add", ".gitattributes"])
    try repo.git(["commit", "-q", "-m", "drivers"])
    // Two branches change two fields of one record on neighbouring lines.
    try repo.git(["checkout", "-q", "-b", "other"])
    #expect(try repo.tally(["set", "customer/C-0042", "tier=A", "--commit"]).status == 0)
    try repo.git(["checkout", "-q", "main"])
    #expect(try repo.tally(["set", "customer/C-0042", "loyalty=medium", "--commit"]).status == 0)
    let merged = try TallyProcess.runProgram(
      "git", ["merge", "-q", "--no-edit", "other"], in: repo.root, environment: repo.environment)
    #expect(merged.status == 0, "\(merged.stderr)")
    let text = try String(contentsOfFile: repo.root + "/customers/42/C-0042.yaml", encoding: .utf8)
    #expect(text.contains("tier: A\n") && text.contains("loyalty: medium\n"))
    #expect(try repo.tally(["check"]).status == 0)
  }

  @Test func serveFindsARecordInItsShard() throws {
    let (repo, _) = try Self.shardedExample("tally-shard-serve")
    let server = try ServeCommandTests.Server(in: repo)
    let page = try server.get("customer/C-0042.json")
    #expect(page.status == 200)
    #expect(page.body == (try repo.tally(["show", "customer/C-0042", "--format", "json"])).stdout)
    let list = try server.get("customer.json")
    #expect(list.status == 200)
    #expect(list.body.contains("\"C-0001\""), "\(list.body.prefix(300))")
  }

  @Test func aBadShardSettingIsAPositionedSchemaError() throws {
    let repo = try ExampleRepository(prefix: "tally-shard-schema")
    let schemaPath = repo.root + "/schema/customer.yaml"
    let schema = try String(contentsOfFile: schemaPath, encoding: .utf8)
    for (setting, message) in [
      ("shard:\n  digits: 9\n", "at most 4 digits name a shard"),
      ("shard:\n  digits: 0\n", "digits must be a whole number of at least 1"),
      ("shard: 3\n", "'shard' must be a mapping"),
      ("shard:\n  last: 3\n", "'last'"),
    ] {
      try schema.replacingOccurrences(of: "directory: customers\n", with: "directory: customers\n" + setting)
        .write(toFile: schemaPath, atomically: true, encoding: .utf8)
      let result = try repo.tally(["check"])
      #expect(result.status != 0, "\(setting)")
      #expect(result.stdout.contains("schema/customer.yaml:"), "\(setting): \(result.stdout)")
      #expect(result.stdout.contains(message), "\(setting): \(result.stdout)")
    }
  }
}
