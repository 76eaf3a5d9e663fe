import Foundation
import TallyTestSupport
import Testing

/// A committed team repository in `records/` of a directory that also holds files outside
/// the records root: a customer record and a secret, which no command may read or write.
struct EnclosedRepository {
  let parent: TemporaryDirectory
  let root: String

  static let outsideCustomer = "name: 外面的客户\nindustry: trade\ntier: A\nstatus: prospect\nowner: S-0012\n"

  init() throws {
    parent = try TemporaryDirectory(prefix: "tally-enclosed")
    let team = try makeTeamRepository()
    root = parent.path + "/records"
    try FileManager.default.moveItem(atPath: team.path, toPath: root)
    try git(["init", "-q", "-b", "main"], in: root)
    try git(["add", "-A"], in: root)
    try git(["commit", "-q", "-m", "team"], in: root)
    try parent.write("customers/C-0042.yaml", Self.outsideCustomer)
    try parent.write("secret.yaml", "password: hunter2\n")
  }

  /// The files outside the root with their contents, and git's view of the repository.
  func state() throws -> [String] {
    let outside = try FileManager.default.subpathsOfDirectory(atPath: parent.path)
      .filter { !$0.hasPrefix("records") }.sorted()
    return try outside.map { path in
      var isDirectory: ObjCBool = false
      _ = FileManager.default.fileExists(atPath: parent.path + "/" + path, isDirectory: &isDirectory)
      return isDirectory.boolValue ? path + "/" : path + ": " + (try parent.read(path))
    } + gitState(root)
  }
}

@Suite("small fixes of issue 18 (end to end)")
struct SmallFixesTests {
  // MARK: Record names never reach outside the records root

  @Test func dotsAndPathsOutsideTheRootAreOneLineUsageErrors() throws {
    let enclosed = try EnclosedRepository()
    let before = try enclosed.state()
    let root = enclosed.root
    func dots(_ name: String, _ part: String = "..") -> String {
      "tally: '\(name)': '\(part)' cannot be part of a record name; write TYPE/ID (customer/C-0001) or the path of the record's file\n"
    }
    func outside(_ path: String) -> String {
      "tally: \(path) is outside the records repository at \(root)\n"
    }
    let cases: [([String], String)] = [
      (["set", "customer/../../etc/passwd", "status=active"], dots("customer/../../etc/passwd")),
      (["set", "customer/../C-0042", "status=active"], dots("customer/../C-0042")),
      (["set", "customer/..", "status=active"], dots("customer/..")),
      (["set", "customers/./C-0042", "status=active"], dots("customers/./C-0042", ".")),
      (
        ["set", "customers/../../customers/C-0042.yaml", "status=active"],
        outside("customers/../../customers/C-0042.yaml")
      ),
      (["set", "../secret.yaml", "password=x"], outside("../secret.yaml")),
      (
        ["add", "customer/../C-0042", "contacts", "name=李四", "phone=13900002222"],
        dots("customer/../C-0042")
      ),
      (["add", "../customers/C-0042.yaml", "contacts", "name=李四"], outside("../customers/C-0042.yaml")),
      (["show", "customer/../C-0042"], dots("customer/../C-0042")),
      (["show", "../customers/C-0042.yaml"], outside("../customers/C-0042.yaml")),
      (["log", "customer/../../secret"], dots("customer/../../secret")),
      (["log", "customers/../../customers/C-0042.yaml"], outside("customers/../../customers/C-0042.yaml")),
      (["blame", "customer/.."], dots("customer/..")),
      (["blame", "/etc/passwd.yaml"], outside("/etc/passwd.yaml")),
      (
        ["new", "../customers", "--set", "name=x"],
        "tally: '../customers': '..' cannot be part of a record type; write its name or directory\n"
      ),
      (
        ["new", "customer", "../../secret", "--set", "name=x"],
        "tally: '../../secret' cannot be a record id: an id is a file name in customers/\n"
      ),
      (["check", "../customers/C-0042.yaml"], outside("../customers/C-0042.yaml")),
      (["check", "customers/../../secret.yaml"], outside("customers/../../secret.yaml")),
      (["commit", "-m", "x", "../customers/C-0042.yaml"], outside("../customers/C-0042.yaml")),
    ]
    for (arguments, expected) in cases {
      let result = try TallyProcess.run(
        arguments, in: root, environment: ["TALLY_TODAY": "2026-03-09"].merging(tallyGitEnvironment) { $1 }, stdin: "")
      #expect(result.status == 64, "\(arguments): \(result.stderr)")
      #expect(result.stderr == expected, "\(arguments)")
      #expect(result.stdout == "", "\(arguments)")
    }
    #expect(try enclosed.state() == before)
  }

  @Test func recordFilePathsAreReadFromTheCurrentDirectory() throws {
    let enclosed = try EnclosedRepository()
    // From the schema directory, ../customers/C-0042.yaml is the repository's record, not
    // the one outside it.
    for command in ["show", "log", "blame"] {
      let result = try TallyProcess.run([command, "../customers/C-0042.yaml"], in: enclosed.root + "/schema")
      #expect(result.status == 0, "\(command): \(result.stderr)")
      #expect(result.stdout.contains("上海华信贸易有限公司"), "\(command): \(result.stdout)")
      #expect(!result.stdout.contains("外面的客户"), "\(command)")
    }
    let set = try TallyProcess.run(
      ["set", "customers/C-0001/../C-0042.yaml", "tier=B"], in: enclosed.root,
      environment: ["TALLY_TODAY": "2026-03-09"], stdin: "")
    #expect(set.status == 0, "\(set.stderr)")
    #expect(try enclosed.parent.read("records/customers/C-0042.yaml").contains("\ntier: B\n"))
    #expect(try enclosed.parent.read("customers/C-0042.yaml") == EnclosedRepository.outsideCustomer)
  }

  // MARK: "Did you mean" proposes only records a reference may name

  /// The team: S-0001 manager, S-0002 supervisor, S-0003 team lead, S-0012 sales rep; a
  /// customer's owner must be a sales rep or team lead who has not left.
  @Test func brokenReferenceHintsNameOnlyAllowedTargets() throws {
    let dir = try makeCommittedTeamRepository()
    let customer = try dir.read("customers/C-0042.yaml")
    func write(owner: String) throws {
      try dir.write("customers/C-0042.yaml", customer.replacing("owner: S-0012", with: "owner: \(owner)"))
    }
    func check(owner: String, _ arguments: [String] = []) throws -> ProcessResult {
      try write(owner: owner)
      return try TallyProcess.run(
        ["check"] + arguments, in: dir.path, environment: ["TALLY_TODAY": "2026-03-09", "TALLY_TRACE": "1"])
    }
    /// What the check printed, without the trace; and whether it was incremental.
    func output(_ result: ProcessResult) -> (text: String, incremental: Bool) {
      let lines = (result.stdout + result.stderr).split(separator: "\n", omittingEmptySubsequences: false)
      let text = lines.filter { !$0.hasPrefix("tally trace:") }.joined(separator: "\n")
      return (text, lines.contains { $0.hasPrefix("tally trace: incremental: checks across records") })
    }
    func report(_ owner: String, _ hint: String) -> String {
      """
      customers/C-0042.yaml:5:8: error[broken-ref]: 'owner': there is no staff '\(owner)'
        5 | owner: \(owner)
          |        ^^^^^^ \(hint)
      checked 5 records: 1 error

      """
    }
    // S-0001 (a manager) and S-0012 are one edit from S-0011; S-0001 sorts first.
    let full = try check(owner: "S-0011", ["--no-cache"])
    #expect(full.status == 1)
    #expect(output(full).text == report("S-0011", "did you mean S-0012?"))
    #expect(!output(full).incremental)
    // Only S-0002, a supervisor, is one edit from S-0020: no suggestion.
    let none = try check(owner: "S-0020", ["--no-cache"])
    #expect(output(none).text == report("S-0020", "create staff/S-0020.yaml, or correct the id"))
    // The same from an incremental check of the index: the state of the committed records,
    // then one change (blob ids tell changed files apart exactly).
    try git(["checkout", "HEAD", "--", "customers/C-0042.yaml"], in: dir.path)
    #expect(try check(owner: "S-0012", ["--staged"]).status == 0)
    for (owner, hint) in [
      ("S-0011", "did you mean S-0012?"), ("S-0020", "create staff/S-0020.yaml, or correct the id"),
    ] {
      try write(owner: owner)
      try git(["add", "customers/C-0042.yaml"], in: dir.path)
      let incremental = output(try check(owner: owner, ["--staged"]))
      #expect(incremental.incremental, "\(incremental.text)")
      #expect(incremental.text == report(owner, hint))
    }
    try git(["reset", "-q", "--hard"], in: dir.path)

    // tally set checks the reference before writing, with the same rule for its hint.
    let set = try TallyProcess.run(
      ["set", "customer/C-0042", "owner=S-0011"], in: dir.path, environment: ["TALLY_TODAY": "2026-03-09"], stdin: "")
    #expect(set.status == 64)
    #expect(set.stderr == "tally: 'owner': there is no staff 'S-0011'\n  did you mean S-0012?\n")
    let noneSet = try TallyProcess.run(
      ["set", "customer/C-0042", "owner=S-0020"], in: dir.path, environment: ["TALLY_TODAY": "2026-03-09"], stdin: "")
    #expect(
      noneSet.stderr
        == "tally: 'owner': there is no staff 'S-0020'\n  create staff/S-0020.yaml first, or correct the id\n")
    #expect(try dir.read("customers/C-0042.yaml") == customer)
  }

  // MARK: tally new names its real option

  @Test func newNamesTheSetOptionInItsHints() throws {
    let dir = try copyOfExampleRepository()
    let missing = try tallyEdit(["new", "customer", "--set", "name=苏州新起点教育科技有限公司"], in: dir)
    #expect(missing.status == 64)
    #expect(missing.stderr.hasPrefix("tally: required fields have no value:\n  industry: "), "\(missing.stderr)")
    #expect(missing.stderr.hasSuffix("\n  give them as --set field=value (run on a terminal to be asked for them)\n"))
    let asID = try tallyEdit(["new", "customer", "name=苏州新起点"], in: dir)
    #expect(asID.status == 64)
    #expect(
      asID.stderr == "tally: 'name=苏州新起点' is not a valid customer id\n  fields are given with --set: --set name=苏州新起点\n"
    )
    // tally add takes the item's fields as they are.
    let add = try tallyEdit(["add", "customer/C-0042", "follow_ups", "date=2026-11-01"], in: dir)
    #expect(add.stderr.hasSuffix("\n  give them as field=value (run on a terminal to be asked for them)\n"))
    #expect(try listing(dir, "customers") == (try listing(try copyOfExampleRepository(), "customers")))
  }

  // MARK: tally init keeps .tally/ out of git

  @Test func initIgnoresTheExportedSchemas() throws {
    let dir = try TemporaryDirectory()
    let home = try TemporaryDirectory()
    let environment = [
      "HOME": home.path, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null", "TALLY_TODAY": "2026-03-02",
    ]
    let created = try TallyProcess.run(["init", "team", "--no-hook"], in: dir.path, environment: environment)
    #expect(created.status == 0, "\(created.stderr)")
    #expect(created.stdout.contains("\n  wrote .gitignore\n"))
    let line = "# Generated by tally (JSON Schemas for editors: tally schema export)\n.tally/\n"
    #expect(try dir.read("team/.gitignore") == line)
    let export = try TallyProcess.run(
      ["schema", "export", "--json-schema", ".tally/json-schema"], in: dir.path + "/team", environment: environment)
    #expect(export.status == 0, "\(export.stderr)")
    #expect(FileManager.default.fileExists(atPath: dir.path + "/team/.tally/json-schema/customer.schema.json"))
    let status = try TallyProcess.runProgram(
      "git", ["status", "--porcelain", "--untracked-files=all"], in: dir.path + "/team", environment: environment)
    #expect(status.stdout.contains("?? .gitignore\n"))
    #expect(!status.stdout.contains(".tally/"), "\(status.stdout)")
    #expect(try TallyProcess.run(["check"], in: dir.path + "/team", environment: environment).status == 0)

    // An existing directory with its own .gitignore: the line is added once.
    try dir.write("notes/.gitignore", "*.log")
    let existing = try TallyProcess.run(["init", "notes", "--no-hook"], in: dir.path, environment: environment)
    #expect(existing.status == 0, "\(existing.stderr)")
    #expect(existing.stdout.contains("\n  added .tally/ to the existing .gitignore\n"))
    #expect(!existing.stdout.contains("wrote .gitignore"))
    #expect(try dir.read("notes/.gitignore") == "*.log\n" + line)
    // Run again after an interruption (tally.yaml, the last file, missing): not added twice.
    try FileManager.default.removeItem(atPath: dir.path + "/notes/tally.yaml")
    let again = try TallyProcess.run(["init", "notes", "--no-hook"], in: dir.path, environment: environment)
    #expect(again.status == 0, "\(again.stderr)")
    #expect(!again.stdout.contains(".gitignore"))
    #expect(try dir.read("notes/.gitignore") == "*.log\n" + line)
  }
}
