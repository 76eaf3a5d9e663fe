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

  // MARK: Records of a type whose schema has errors

  /// A committed copy of example-repo.
  func committedExample() throws -> TemporaryDirectory {
    let dir = try copyOfExampleRepository()
    try git(["init", "-q", "-b", "main"], in: dir.path)
    try git(["add", "-A"], in: dir.path)
    try git(["commit", "-q", "-m", "team"], in: dir.path)
    return dir
  }

  /// The bytes of every customer record, to show that nothing rewrote them.
  func customers(_ dir: TemporaryDirectory) throws -> [[UInt8]] {
    try listing(dir, "customers").map { try dir.bytes("customers/" + $0) }
  }

  @Test func aFieldWithABrokenSpecIsNamedAndItsRecordsAreNotReformatted() throws {
    let dir = try committedExample()
    let schema = try dir.read("schema/customer.yaml")
    try dir.write(
      "schema/customer.yaml", schema.replacing("type: enum\n    title: 行业", with: "type: enumm\n    title: 行业"))
    // Not canonical, with an industry no schema allows: fmt must leave it as it is.
    let customer = try dir.read("customers/C-0042.yaml")
    try dir.write("customers/C-0042.yaml", customer.replacing("industry: education", with: "industry:   教育"))
    let before = try customers(dir)
    let run = { (arguments: [String]) in
      try TallyProcess.run(arguments, in: dir.path, environment: ["TALLY_TODAY": "2026-11-01"], stdin: "")
    }

    let check = try run(["check"])
    #expect(check.status == 1)
    #expect(
      check.stdout.hasSuffix(
        """
        did you mean 'enum'?
        schema/customer.yaml: note: until this is fixed, 'industry' is not checked: records may give it any value
        checked 449 records: 1 error

        """), "\(check.stdout)")

    let fmt = try run(["fmt"])
    #expect(fmt.status == 1)
    #expect(
      fmt.stderr
        == """
        tally: 280 files not formatted: the schema of customer (schema/customer.yaml) has errors; fix the schema first (see 'tally check')
        0 files reformatted, 182 already canonical, 280 left untouched (their schema has errors)

        """)
    #expect(try customers(dir) == before)

    let set = try run(["set", "staff/S-0012", "phone=13900001111"])
    #expect(set.status == 1)
    #expect(
      set.stderr.hasSuffix(
        "tally: nothing was written: the schemas or tally.yaml have 1 error; fix them first (see 'tally check')\n"),
      "\(set.stderr)")
    #expect(
      try git(["status", "--porcelain"], in: dir.path).stdout == " M customers/C-0042.yaml\n M schema/customer.yaml\n")
  }

  @Test func aSchemaFileThatIsNoTypeStopsWhatWouldMissItsRecords() throws {
    let dir = try committedExample()
    try dir.write("schema/customer.yaml", try dir.read("schema/customer.yaml") + "\tbroken: tab\n")
    let before = try customers(dir)
    let run = { (arguments: [String]) in
      try TallyProcess.run(arguments, in: dir.path, environment: ["TALLY_TODAY": "2026-11-01"], stdin: "")
    }
    let check = try run(["check"])
    #expect(check.status == 1)
    #expect(
      check.stdout.hasPrefix(
        "schema: note[unassigned-file]: 280 files are not checked: a schema file has errors, so their types are unknown\n"
      ), "\(check.stdout)")

    let fmt = try run(["fmt"])
    #expect(fmt.status == 1)
    #expect(
      fmt.stderr.contains(
        "\ntally: 280 files not formatted: schema/customer.yaml cannot be read as a record type, so these files may be records of an unknown type; fix the schema first (see 'tally check')\n"
      ), "\(fmt.stderr)")
    #expect(try customers(dir) == before)

    let refusal =
      "cannot be read as a record type, so the records of its type would be missing; fix it first (see 'tally check')\n"
    let report = try run(["report", "pipeline"])
    #expect(report.status == 1)
    #expect(report.stdout == "")
    #expect(report.stderr == "tally: cannot report: schema/customer.yaml \(refusal)")
    let diff = try run(["diff"])
    #expect(diff.status == 1)
    #expect(diff.stderr == "tally: cannot diff: schema/customer.yaml \(refusal)")

    let unknown =
      "tally: there is no record type 'customer'\n  schema/customer.yaml cannot be read as a record type: fix it first (see 'tally check'); record types: minutes, plan, staff\n"
    for command in ["show", "log", "blame"] {
      let result = try run([command, "customer/C-0042"])
      #expect(result.status == 64)
      #expect(result.stderr == unknown, "\(command)")
    }
    let set = try run(["set", "customer/C-0042", "tier=A"])
    #expect(set.status == 64)
    #expect(set.stderr == unknown)
  }

  @Test func aRuleWhoseConditionDoesNotParseIsNotCheckedOnEveryRecord() throws {
    let dir = try copyOfExampleRepository()
    let schema = try dir.read("schema/customer.yaml")
    try dir.write(
      "schema/customer.yaml", schema.replacing("when: status == \"churned\"", with: "when: status == \"churned\" and"))
    let check = try TallyProcess.run(["check"], in: dir.path, environment: ["TALLY_TODAY": "2026-11-01"])
    #expect(check.status == 1)
    #expect(
      check.stdout
        == """
        schema/customer.yaml:206:34: error[schema-bad-rule]: the condition does not parse: the expression ends too early
          206 |     when: status == "churned" and
              |                                  ^
        schema/customer.yaml: note: until this is fixed, the rule 'churn-reason' is not checked
        checked 449 records: 1 error

        """)
  }

  // MARK: Shell completion of record types, names and reports

  /// Completes `line` (the cursor at its end) as bash does with tally's generated script:
  /// the script is sourced, and its completion function runs with the words of the line,
  /// calling the built tally the way it would be called from the shell. Returns the
  /// candidates bash would offer, and what the completion printed on standard error.
  func bashCompletions(_ line: [String], in directory: String, script: String) throws -> (
    candidates: [String], stderr: String
  ) {
    let words = ([TallyProcess.binary] + line).map { "'\($0)'" }.joined(separator: " ")
    let program = """
      source '\(script)'
      COMP_WORDS=(\(words))
      COMP_CWORD=\(line.count)
      COMP_LINE="${COMP_WORDS[*]}"
      COMP_POINT=${#COMP_LINE}
      _tally "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
      printf '%s\\n' "${COMPREPLY[@]}"
      """
    let result = try TallyProcess.runProgram("bash", ["--norc", "--noprofile", "-c", program], in: directory)
    #expect(result.status == 0, "\(result.stderr)")
    return (result.stdout.split(separator: "\n").map(String.init), result.stderr)
  }

  @Test func completionScriptsCompleteTypesRecordsAndReports() throws {
    let dir = try copyOfExampleRepository()
    let scripts = try TemporaryDirectory()
    let generated = try TallyProcess.run(["--generate-completion-script", "bash"], in: scripts.path)
    #expect(generated.status == 0)
    let script = try scripts.write("tally.bash", generated.stdout)
    let syntax = try TallyProcess.runProgram("bash", ["-n", script])
    #expect(syntax.status == 0, "\(syntax.stderr)")
    for command in ["set", "add", "show", "log", "blame", "new", "report"] {
      #expect(generated.stdout.contains("---completion \(command) -- positional@0 "), "\(command)")
    }

    // Through bash, as a user pressing Tab.
    let ids = (40...49).map { "customer/C-00\($0)" }
    for command in ["set", "add", "show", "log", "blame"] {
      let found = try bashCompletions([command, "customer/C-004"], in: dir.path, script: script)
      #expect(found.candidates == ids, "\(command)")
      #expect(found.stderr == "")
    }
    #expect(try bashCompletions(["show", "st"], in: dir.path, script: script).candidates == ["staff/"])
    #expect(
      try bashCompletions(["log", "staff/S-000"], in: dir.path + "/customers", script: script).candidates
        == (1...9).map { "staff/S-000\($0)" })
    #expect(try bashCompletions(["new", "m"], in: dir.path, script: script).candidates == ["minutes"])
    #expect(try bashCompletions(["report", "p"], in: dir.path, script: script).candidates == ["pipeline", "plan"])
    // --repo names the repository from anywhere.
    #expect(
      try bashCompletions(["set", "--repo", dir.path, "customers/C-028"], in: scripts.path, script: script).candidates
        == ["customers/C-0280", "customers/C-0281"])
    // Outside a records repository: nothing, and not a word on the terminal.
    let outside = try bashCompletions(["set", "customer/C-00"], in: scripts.path, script: script)
    #expect(outside.candidates.isEmpty)
    #expect(outside.stderr == "")

    // The entry point itself, as the script calls it.
    let direct = try TallyProcess.run(
      ["---completion", "blame", "--", "positional@0", "2", "14", "tally", "blame", "customer/C-028"], in: dir.path)
    #expect(direct.status == 0)
    #expect(direct.stdout == "customer/C-0280\ncustomer/C-0281\n")
    #expect(direct.stderr == "")
    let quiet = try TallyProcess.run(
      ["---completion", "new", "--", "positional@0", "2", "0", "tally", "new", ""], in: scripts.path)
    #expect(quiet.status == 0)
    #expect(quiet.stdout == "")
    #expect(quiet.stderr == "")
  }
}
