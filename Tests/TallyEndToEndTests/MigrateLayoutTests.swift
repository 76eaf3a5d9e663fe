import Foundation
import TallyTestSupport
import Testing

/// `tally migrate layout` on example-repo: one commit of pure renames (checked with git), the
/// history of records the same before and after, back to flat byte for byte, and refusals
/// that leave everything as it was.
@Suite struct MigrateLayoutTests {
  static func example(_ prefix: String) throws -> ExampleRepository {
    try ExampleRepository(prefix: prefix, date: "2026-10-30T10:00:00+08:00")
  }

  static func status(_ repo: ExampleRepository) throws -> String {
    try repo.git(["status", "--porcelain", "--untracked-files=all"]).stdout
  }

  static func head(_ repo: ExampleRepository) throws -> String {
    try repo.git(["rev-parse", "HEAD"]).stdout
  }

  @Test func oneCommitOfRenamesThatTheHistoryGoesStraightAcross() throws {
    let repo = try Self.example("tally-migrate")
    let questions = [
      ["log", "customer/C-0042", "--format", "json"], ["blame", "customer/C-0107", "--format", "json"],
      ["show", "customer/C-0042", "--at", "2026-10-30"], ["report", "followups", "--format", "json"],
      ["sql", "select id, tier, owner from customer order by id", "--format", "csv"],
    ]
    let before = try questions.map { try repo.tally($0).stdout }
    let schemaBefore = try String(contentsOfFile: repo.root + "/schema/customer.yaml", encoding: .utf8)

    let result = try repo.tally(["migrate", "layout", "customer", "--digits", "2"])
    #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    #expect(result.stdout.contains("moved customer records into shard folders"), "\(result.stdout)")
    #expect(result.stdout.contains("280 of 280 moved; committed"), "\(result.stdout)")
    // What git sees: 280 renames at 100 % similarity, the schema changed, nothing else.
    let changes = try repo.git(["show", "--format=", "--name-status", "-M", "HEAD"]).stdout
      .split(separator: "\n")
    #expect(changes.count == 281, "\(changes.prefix(5))")
    #expect(changes.filter { $0.hasPrefix("R100\tcustomers/C-") }.count == 280)
    #expect(changes.contains("M\tschema/customer.yaml"))
    #expect(changes.contains("R100\tcustomers/C-0042.yaml\tcustomers/42/C-0042.yaml"))
    #expect(try Self.status(repo) == "")
    let schema = try String(contentsOfFile: repo.root + "/schema/customer.yaml", encoding: .utf8)
    #expect(schema.contains("directory: customers\nshard:\n  digits: 2\n"))
    #expect(try repo.tally(["check"]).status == 0)
    #expect(try repo.tally(["fmt", "--check"]).status == 0)
    // Transitions are checked against the flat commit record by record (a churned customer
    // is no new record starting as churned).
    let transitions = try repo.tally(["check", "--against", "HEAD~1"])
    #expect(transitions.status == 0, "\(transitions.stdout.suffix(300))")
    #expect(try repo.tally(["check", "--range", "HEAD~1..HEAD"]).status == 0)
    // The same answers about every record: paths aside, the move changed nothing.
    let after = try questions.map {
      try repo.tally($0).stdout.replacingOccurrences(of: "customers/42/", with: "customers/")
    }
    for (question, (was, now)) in zip(questions, zip(before, after)) where question[0] != "report" {
      #expect(was == now, "\(question)")
    }
    // The report names the new commit; its rows are the same.
    let rows = { (text: String) in text.split(separator: "\n").dropFirst().joined(separator: "\n") }
    #expect(rows(before[3]) == rows(after[3]))

    // Back to flat: the files and the schema exactly as they were, in a second commit.
    let back = try repo.tally(["migrate", "layout", "customers", "--flat", "--format", "json"])
    #expect(back.status == 0, "\(back.stderr)")
    let json = try JSONSerialization.jsonObject(with: Data(back.stdout.utf8)) as? [String: Any]
    #expect(json?["moved"] as? Int == 280)
    #expect(json?["layout"] as? String == "flat")
    #expect((json?["commit"] as? String)?.count == 40)
    #expect(try String(contentsOfFile: repo.root + "/schema/customer.yaml", encoding: .utf8) == schemaBefore)
    #expect(try repo.git(["diff", "--stat", "HEAD~2", "HEAD"]).stdout == "")
    #expect(!FileManager.default.fileExists(atPath: repo.root + "/customers/42"))
  }

  /// make demo's six months of history (959 commits by the simulated team), cloned: after the
  /// move, `log` and `blame` of several records say exactly what they said before, and the
  /// history cache is kept (only the migration commit is read).
  @Test func onTheTeamsHistoryLogAndBlameAreUnchangedAndTheCacheIsKept() throws {
    let source = try Replayed.repository.get()
    let dir = try TemporaryDirectory(prefix: "tally-migrate-history")
    let root = dir.path + "/r"
    let environment = [
      "HOME": dir.path, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_AUTHOR_NAME": "何杰",
      "GIT_AUTHOR_EMAIL": "hejie@huadong.example", "GIT_COMMITTER_NAME": "何杰",
      "GIT_COMMITTER_EMAIL": "hejie@huadong.example", "TALLY_TODAY": "2026-11-01",
    ]
    let cloned = try TallyProcess.runProgram("git", ["clone", "-q", source, root], environment: environment)
    #expect(cloned.status == 0, "\(cloned.stderr)")
    func tally(_ arguments: [String]) throws -> ProcessResult {
      try TallyProcess.run(arguments, in: root, environment: environment)
    }
    let questions = ["customer/C-0042", "customer/C-0107", "customer/C-0199", "customer/C-0250", "customer/C-0003"]
      .flatMap { [["log", $0, "--format", "json"], ["blame", $0, "--format", "json"]] }
    let before = try questions.map { try tally($0).stdout }
    #expect(before.allSatisfy { $0.count > 100 })
    let migrated = try tally(["migrate", "layout", "customer", "--digits", "2"])
    #expect(migrated.status == 0, "\(migrated.stdout)\(migrated.stderr)")
    let stats = try tally(["history", "build", "--stats"])
    #expect(stats.stdout.contains(": 1 computed,"), "\(stats.stdout)")
    for (question, was) in zip(questions, before) {
      #expect(try tally(question).stdout == was, "\(question)")
    }
    #expect(try tally(["check"]).status == 0)
  }

  @Test func theDriversLineFollowsTheLayout() throws {
    let repo = try Self.example("tally-migrate-attributes")
    #expect(try repo.tally(["hook", "install"]).status == 0)
    try repo.git(["add", ".gitattributes"])
    try repo.git(["commit", "-q", "-m", "drivers"])
    let result = try repo.tally(["migrate", "layout", "customer", "--digits", "3"])
    #expect(result.status == 0, "\(result.stderr)")
    let attributes = try String(contentsOfFile: repo.root + "/.gitattributes", encoding: .utf8)
    #expect(attributes.contains("customers/*/*.yaml diff=tally merge=tally\n"))
    #expect(!attributes.contains("customers/*.yaml"))
    #expect(try repo.git(["check-attr", "merge", "customers/042/C-0042.yaml"]).stdout.hasSuffix(": merge: tally\n"))
    #expect(try repo.git(["show", "--format=", "--name-only", "HEAD"]).stdout.contains(".gitattributes\n"))
    #expect(try Self.status(repo) == "")
  }

  @Test func aRecordChangedApartFromTheMoveIsRefusedAndNothingMoves() throws {
    let repo = try Self.example("tally-migrate-refused")
    let path = repo.root + "/customers/C-0042.yaml"
    let edited = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(
      of: "tier: B\n", with: "tier: A\n")
    try edited.write(toFile: path, atomically: true, encoding: .utf8)
    let head = try Self.head(repo)
    let status = try Self.status(repo)
    let result = try repo.tally(["migrate", "layout", "customer", "--digits", "2"])
    #expect(result.status == 1)
    #expect(result.stderr.contains("customers/C-0042.yaml changed apart from the move"), "\(result.stderr)")
    #expect(result.stderr.contains("nothing was moved"))
    #expect(try Self.head(repo) == head)
    #expect(try Self.status(repo) == status)
    #expect(try String(contentsOfFile: path, encoding: .utf8) == edited)
    #expect(!FileManager.default.fileExists(atPath: repo.root + "/customers/42"))
    #expect(!(try String(contentsOfFile: repo.root + "/schema/customer.yaml", encoding: .utf8)).contains("shard:"))
  }

  @Test func usageErrorsAndDryRunsTouchNothing() throws {
    let repo = try Self.example("tally-migrate-usage")
    let head = try Self.head(repo)
    for (arguments, code, message) in [
      (["migrate", "layout", "client", "--digits", "2"], Int32(64), "no record type 'client'"),
      (["migrate", "layout", "customer", "--flat"], 64, "customer records are already flat"),
      (["migrate", "layout", "customer", "--digits", "9"], 64, "--digits must be 1 to 4"),
      (["migrate", "layout", "customer"], 64, "give either --digits N or --flat"),
    ] {
      let result = try repo.tally(arguments)
      #expect(result.status == code, "\(arguments): \(result.stderr)")
      #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
    }
    let dry = try repo.tally(["migrate", "layout", "customer", "--digits", "2", "--dry-run"])
    #expect(dry.status == 0)
    #expect(dry.stdout.contains("customers/C-0001.yaml → customers/01/C-0001.yaml"), "\(dry.stdout)")
    #expect(dry.stdout.contains("would move customer records into shard folders"), "\(dry.stdout)")
    #expect(try Self.head(repo) == head)
    #expect(try Self.status(repo) == "")
  }
}
