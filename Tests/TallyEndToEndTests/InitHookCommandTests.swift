import Foundation
import TallyTestSupport
import Testing

/// `tally init`, `tally hook` and the git hooks, end to end: the built `tally`, the real
/// `git`, in temporary directories, with no global or system git configuration.
private struct GitSandbox {
  let dir: TemporaryDirectory
  let home: TemporaryDirectory

  init() throws {
    dir = try TemporaryDirectory()
    home = try TemporaryDirectory()
  }

  var path: String { dir.path }

  var environment: [String: String] {
    [
      "HOME": home.path, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null",
      "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.cn", "GIT_COMMITTER_NAME": "Test",
      "GIT_COMMITTER_EMAIL": "test@example.cn", "GIT_AUTHOR_DATE": "2026-03-02T10:00:00+08:00",
      "GIT_COMMITTER_DATE": "2026-03-02T10:00:00+08:00", "TALLY_TODAY": "2026-03-02",
    ]
  }

  /// Runs git in `directory` (relative to the sandbox); a failure is recorded unless
  /// `allowFailure`.
  @discardableResult
  func git(
    _ arguments: [String], in directory: String = "", environment extra: [String: String] = [:],
    allowFailure: Bool = false, sourceLocation: SourceLocation = #_sourceLocation
  ) throws -> ProcessResult {
    let result = try TallyProcess.runProgram(
      "git", arguments, in: FileSystemPath.join(path, directory), environment: environment.merging(extra) { $1 })
    if result.status != 0 && !allowFailure {
      Issue.record("git \(arguments.joined(separator: " ")) failed: \(result.stderr)", sourceLocation: sourceLocation)
    }
    return result
  }

  @discardableResult
  func tally(_ arguments: [String], in directory: String = "") throws -> ProcessResult {
    try TallyProcess.run(arguments, in: FileSystemPath.join(path, directory), environment: environment)
  }

  /// Runs `tally init ARGUMENTS`, which must succeed: a test that sets up with it is about
  /// what comes after, and would otherwise go on in a directory that is not what it thinks.
  @discardableResult
  func initRecords(
    _ arguments: [String] = [], in directory: String = "", sourceLocation: SourceLocation = #_sourceLocation
  ) throws -> ProcessResult {
    let result = try tally(["init"] + arguments, in: directory)
    #expect(
      result.status == 0, "tally init \(arguments.joined(separator: " ")) failed: \(result.stderr)",
      sourceLocation: sourceLocation)
    return result
  }

  func head(in directory: String = "") throws -> String {
    try git(["rev-parse", "--verify", "-q", "HEAD"], in: directory, allowFailure: true).stdout
  }

  /// Copies the small valid team (4 staff, 1 customer) into `directory`.
  func addTeam(to directory: String) throws {
    let team = try makeTeamRepository()
    for relative in ["staff/S-0001.yaml", "staff/S-0002.yaml", "staff/S-0003.yaml", "staff/S-0012.yaml"]
      + ["customers/C-0042.yaml"]
    {
      try dir.write(FileSystemPath.join(directory, relative), team.read(relative))
    }
  }
}

private enum FileSystemPath {
  static func join(_ base: String, _ relative: String) -> String {
    relative.isEmpty ? base : base + "/" + relative
  }
}

/// A customer whose tier is not one of the allowed values (line 3, column 7).
private let invalidCustomer =
  "name: 杭州明远电子\nindustry: trade\ntier: D\nstatus: lead\nowner: S-0012\ncontacts:\n  - name: 赵敏\n"
private let validCustomer =
  "name: 杭州明远电子\nindustry: trade\ntier: B\nstatus: lead\nowner: S-0012\ncontacts:\n  - name: 赵敏\n"

@Suite("tally init and tally hook (end to end)")
struct InitHookCommandTests {
  // MARK: tally init

  @Test func initCreatesARepositoryThatGitShowsAndTallyChecks() throws {
    let box = try GitSandbox()
    let result = try box.tally(["init", "team"])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.contains("initialized a git repository in \(box.path)/team (branch main)"))
    #expect(result.stdout.contains("installed tally's pre-commit hook: \(box.path)/team/.git/hooks/pre-commit"))
    let status = try box.git(["status", "--porcelain", "--untracked-files=all"], in: "team").stdout
    #expect(
      status.split(separator: "\n").sorted() == [
        "?? .gitattributes", "?? .gitignore", "?? README.md", "?? customers/.gitkeep", "?? minutes/.gitkeep",
        "?? plans/.gitkeep", "?? policy.yaml",
        "?? schema/customer.yaml", "?? schema/minutes.yaml", "?? schema/plan.yaml", "?? schema/staff.yaml",
        "?? staff/.gitkeep", "?? tally.yaml",
      ])
    #expect(try box.git(["symbolic-ref", "HEAD"], in: "team").stdout == "refs/heads/main\n")
    let check = try box.tally(["check"], in: "team")
    #expect(check.status == 0)
    #expect(check.stdout == "checked 0 records: no problems\n")
    #expect(try box.tally(["fmt", "--check"], in: "team").status == 0)
    let config = try box.dir.read("team/tally.yaml")
    #expect(config.contains("time_zone: Asia/Shanghai\n"))
    #expect(config.contains("currency: CNY\n"))
    #expect(try box.dir.read("team/README.md").contains("## 新增记录 · Adding a record"))
    let shipped = Golden.directory() + "/../../schema/customer.yaml"
    #expect(try box.dir.read("team/schema/customer.yaml") == String(contentsOfFile: shipped, encoding: .utf8))
    let policy = Golden.directory() + "/../../example-repo/policy.yaml"
    #expect(try box.dir.read("team/policy.yaml") == String(contentsOfFile: policy, encoding: .utf8))
    // The first commit goes through the hook.
    try box.git(["add", "-A"], in: "team")
    try box.git(["commit", "-q", "-m", "Set up the records"], in: "team")
    #expect(try box.head(in: "team").count == 41)
  }

  @Test func initTakesTheTemplateTimeZoneAndCurrency() throws {
    let box = try GitSandbox()
    let result = try box.tally(["init", "--template", "empty", "--time-zone", "UTC", "--currency", "USD", "--no-hook"])
    #expect(result.status == 0, "\(result.stderr)")
    let config = try box.dir.read("tally.yaml")
    #expect(config.contains("time_zone: UTC\n"))
    #expect(config.contains("currency: USD\n"))
    #expect(!config.contains("follow_up_intervals"))
    #expect(FileManager.default.fileExists(atPath: box.path + "/schema/.gitkeep"))
    #expect(!FileManager.default.fileExists(atPath: box.path + "/staff"))
    #expect(!FileManager.default.fileExists(atPath: box.path + "/.git/hooks/pre-commit"))
    #expect(try box.tally(["check"]).status == 0)
  }

  @Test func initRefusesARecordsRepositoryAndWritesNothing() throws {
    let box = try GitSandbox()
    try box.dir.write("tally.yaml", "version: 1\n")
    let result = try box.tally(["init"])
    #expect(result.status == 1)
    #expect(result.stderr.contains("tally.yaml exists"))
    #expect(try FileManager.default.contentsOfDirectory(atPath: box.path) == ["tally.yaml"])
    #expect(try box.dir.read("tally.yaml") == "version: 1\n")
  }

  @Test func initRejectsBadSettingsAsUsageErrors() throws {
    let box = try GitSandbox()
    let zone = try box.tally(["init", "--time-zone", "Mars/Olympus"])
    #expect(zone.status == 64)
    #expect(zone.stderr.contains("'Mars/Olympus' is not a time zone"))
    #expect(try box.tally(["init", "--template", "bakery"]).status == 64)
    #expect(try FileManager.default.contentsOfDirectory(atPath: box.path).isEmpty)
  }

  @Test func initInsideAGitRepositoryPutsTheRecordsInASubdirectoryOfIt() throws {
    let box = try GitSandbox()
    try box.git(["init", "-q", "-b", "main"])
    try box.dir.write("src/main.c", "int main(void) { return 0; }\n")
    try box.git(["add", "-A"])
    try box.git(["commit", "-q", "-m", "code"])
    let result = try box.tally(["init", "team records"])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(!result.stdout.contains("initialized a git repository"))
    #expect(!FileManager.default.fileExists(atPath: box.path + "/team records/.git"))
    let hook = try box.dir.read(".git/hooks/pre-commit")
    #expect(hook.contains("records_dir='team records'\n"))
    #expect(try box.tally(["check"], in: "team records").status == 0)
  }

  // MARK: tally hook

  @Test func hookInstallTwiceIsIdempotent() throws {
    let box = try GitSandbox()
    try box.initRecords(["--no-hook"])
    let first = try box.tally(["hook", "install"])
    #expect(first.status == 0)
    #expect(first.stdout.hasPrefix("installed tally's pre-commit hook: \(box.path)/.git/hooks/pre-commit"))
    let bytes = try box.dir.bytes(".git/hooks/pre-commit")
    let second = try box.tally(["hook", "install"])
    #expect(second.status == 0)
    #expect(second.stdout.contains("already installed"))
    #expect(second.stdout.contains("the diff and merge drivers are already set up"))
    #expect(try box.dir.bytes(".git/hooks/pre-commit") == bytes)
    let status = try box.tally(["hook", "status"])
    #expect(status.status == 0)
    #expect(status.stdout.hasPrefix("pre-commit hook: installed: \(box.path)/.git/hooks/pre-commit\n"))
    #expect(status.stdout.contains("  runs: /"))
    // The hook runs this very binary, so it works without tally on PATH.
    let script = String(decoding: bytes, as: UTF8.self)
    let recorded = try #require(
      script.split(separator: "\n").first { $0.hasPrefix("tally_bin='") }?.dropFirst("tally_bin='".count).dropLast())
    #expect(
      URL(fileURLWithPath: String(recorded)).resolvingSymlinksInPath().path
        == URL(fileURLWithPath: TallyProcess.binary).resolvingSymlinksInPath().path)
  }

  @Test func anExistingHookIsChainedAndUninstallRestoresItExactly() throws {
    let box = try GitSandbox()
    try box.git(["init", "-q", "-b", "main"])
    let original = "#!/bin/sh\n# the team's hook\ntouch \"$(git rev-parse --git-dir)/team-hook-ran\"\n"
    let hook = try box.dir.write(".git/hooks/pre-commit", original)
    try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: hook)
    try box.initRecords(["--no-hook"])
    let install = try box.tally(["hook", "install"])
    #expect(install.status == 0)
    #expect(
      install.stdout.contains("it runs the existing hook first, now \(box.path)/.git/hooks/pre-commit.tally-chained"))
    #expect(
      try box.tally(["hook", "status"]).stdout.contains("runs first: \(box.path)/.git/hooks/pre-commit.tally-chained"))
    try box.git(["add", "-A"])
    try box.git(["commit", "-q", "-m", "records"])
    #expect(FileManager.default.fileExists(atPath: box.path + "/.git/team-hook-ran"), "the chained hook ran")

    let uninstall = try box.tally(["hook", "uninstall"])
    #expect(uninstall.status == 0)
    #expect(uninstall.stdout.contains("restored the hook it ran first"))
    #expect(try box.dir.read(".git/hooks/pre-commit") == original)
    let mode = try FileManager.default.attributesOfItem(atPath: hook)[.posixPermissions] as? Int
    #expect(mode == 0o700)
    #expect(!FileManager.default.fileExists(atPath: box.path + "/.git/hooks/pre-commit.tally-chained"))
    let status = try box.tally(["hook", "status"])
    #expect(status.status == 1)
    #expect(status.stdout.contains("is another hook"))
  }

  @Test func coreHooksPathIsRespected() throws {
    let box = try GitSandbox()
    try box.git(["init", "-q", "-b", "main"])
    try box.git(["config", "core.hooksPath", ".githooks"])
    let result = try box.tally(["init"])
    #expect(result.stdout.contains("installed tally's pre-commit hook: \(box.path)/.githooks/pre-commit"))
    #expect(!FileManager.default.fileExists(atPath: box.path + "/.git/hooks/pre-commit"))
    // git runs it from there: an invalid record is refused.
    try box.addTeam(to: "")
    try box.dir.write("customers/C-0043.yaml", invalidCustomer)
    try box.git(["add", "-A"])
    let commit = try box.git(["commit", "-q", "-m", "team"], allowFailure: true)
    #expect(commit.status != 0)
    #expect(commit.stderr.contains("customers/C-0043.yaml:3:7: error[not-in-enum]"))
  }

  @Test func gitDiffShowsRecordsFieldByField() throws {
    let box = try GitSandbox()
    try box.initRecords()
    #expect(try box.dir.read(".gitattributes").contains("\ncustomers/*.yaml diff=tally merge=tally\n"))
    try box.addTeam(to: "")
    try box.git(["add", "-A"])
    try box.git(["commit", "-q", "-m", "team"])
    let customer = try box.dir.read("customers/C-0042.yaml")
    try box.dir.write("customers/C-0042.yaml", customer.replacing("outcome: interested", with: "outcome: callback"))
    let diff = try box.git(["diff"]).stdout
    #expect(diff.contains("-follow_ups[0].outcome: interested\n+follow_ups[0].outcome: callback\n"), "\(diff)")
    // Without the driver, git diffs the text.
    let plain = try box.git(["diff", "--no-textconv"]).stdout
    #expect(plain.contains("+    outcome: callback\n"))

    let uninstall = try box.tally(["hook", "uninstall"])
    #expect(uninstall.stdout.contains("removed the diff and merge drivers"))
    #expect(!FileManager.default.fileExists(atPath: box.path + "/.gitattributes"))
    #expect(try box.git(["diff"]).stdout.contains("+    outcome: callback\n"))
  }

  // MARK: The pre-commit hook with plain git

  @Test func aPlainGitCommitOfAnInvalidRecordIsRefusedAndAValidOneGoesThrough() throws {
    let box = try GitSandbox()
    try box.initRecords()
    try box.addTeam(to: "")
    try box.git(["add", "-A"])
    try box.git(["commit", "-q", "-m", "team"])
    let before = try box.head()
    #expect(before.count == 41)

    try box.dir.write("customers/C-0043.yaml", invalidCustomer)
    try box.git(["add", "customers/C-0043.yaml"])
    let refused = try box.git(["commit", "-q", "-m", "new customer"], allowFailure: true)
    #expect(refused.status != 0)
    #expect(refused.stderr.contains("customers/C-0043.yaml:3:7: error[not-in-enum]: 'tier': 'D' is not one of"))
    #expect(refused.stderr.contains("  3 | tier: D\n    |       ^"))
    #expect(refused.stderr.contains("tally: commit refused"))
    #expect(try box.head() == before)
    #expect(try box.git(["diff", "--cached", "--name-only"]).stdout == "customers/C-0043.yaml\n")

    try box.dir.write("customers/C-0043.yaml", validCustomer)
    try box.git(["add", "customers/C-0043.yaml"])
    try box.git(["commit", "-q", "-m", "new customer"])
    #expect(try box.head() != before)
    #expect(try box.git(["show", "--name-only", "--format=", "HEAD"]).stdout == "customers/C-0043.yaml\n")
  }

  @Test func aRecordNotInCanonicalFormIsRefusedUntilFormatted() throws {
    let box = try GitSandbox()
    try box.initRecords()
    try box.addTeam(to: "")
    try box.git(["add", "-A"])
    try box.git(["commit", "-q", "-m", "team"])
    // Valid, but the keys are out of schema order.
    try box.dir.write(
      "customers/C-0043.yaml",
      "industry: trade\nname: 杭州明远电子\ntier: B\nstatus: lead\nowner: S-0012\ncontacts:\n  - name: 赵敏\n")
    try box.git(["add", "-A"])
    let refused = try box.git(["commit", "-q", "-m", "new customer"], allowFailure: true)
    #expect(refused.status != 0)
    #expect(refused.stderr.contains("customers/C-0043.yaml\n"))
    #expect(refused.stderr.contains("not in canonical form"))
    #expect(try box.tally(["fmt", "customers/C-0043.yaml"]).status == 0)
    try box.git(["add", "-A"])
    try box.git(["commit", "-q", "-m", "new customer"])
  }

  @Test func theHookFindsTallyWithoutPath() throws {
    let box = try GitSandbox()
    try box.initRecords()
    try box.addTeam(to: "")
    try box.dir.write("customers/C-0043.yaml", invalidCustomer)
    try box.git(["add", "-A"])
    // As in a GUI client with a short PATH: the recorded absolute path is used.
    let refused = try box.git(
      ["commit", "-q", "-m", "team"], environment: ["PATH": "/usr/bin:/bin"], allowFailure: true)
    #expect(refused.status != 0)
    #expect(refused.stderr.contains("customers/C-0043.yaml:3:7: error[not-in-enum]"))
  }

  @Test func recordsInASubdirectoryAreCheckedWithTheirPaths() throws {
    let box = try GitSandbox()
    try box.git(["init", "-q", "-b", "main"])
    try box.dir.write("src/main.c", "int main(void) { return 0; }\n")
    try box.initRecords(["team records"])
    try box.addTeam(to: "team records")
    try box.git(["add", "-A"])
    // The repository's history has no records before this commit.
    try box.git(["commit", "-q", "--no-verify", "-m", "code and team"])

    try box.dir.write("team records/customers/C-0043.yaml", invalidCustomer)
    try box.git(["add", "-A"])
    let refused = try box.git(["commit", "-q", "-m", "new customer"], allowFailure: true)
    #expect(refused.status != 0)
    #expect(refused.stderr.contains("team records/customers/C-0043.yaml:3:7: error[not-in-enum]"))

    try box.dir.write("team records/customers/C-0043.yaml", validCustomer)
    try box.git(["add", "-A"])
    try box.git(["commit", "-q", "-m", "new customer"])
    #expect(try box.git(["show", "--name-only", "--format=", "HEAD"]).stdout == "team records/customers/C-0043.yaml\n")
  }

  @Test func theFirstCommitOfRecordsInAnExistingRepositoryGoesThrough() throws {
    let box = try GitSandbox()
    try box.git(["init", "-q", "-b", "main"])
    try box.dir.write("src/main.c", "int main(void) { return 0; }\n")
    try box.git(["add", "-A"])
    try box.git(["commit", "-q", "-m", "code"])
    let code = try box.head()
    let initialized = try box.initRecords(["records"])
    #expect(initialized.stdout.contains("installed tally's pre-commit hook: \(box.path)/.git/hooks/pre-commit"))
    // HEAD holds no records yet; the hook checks the first commit of records all the same:
    // an invalid record is refused...
    try box.addTeam(to: "records")
    try box.dir.write("records/customers/C-0043.yaml", invalidCustomer)
    try box.git(["add", "-A"])
    let refused = try box.git(["commit", "-q", "-m", "team"], allowFailure: true)
    #expect(refused.status != 0)
    #expect(refused.stderr.contains("records/customers/C-0043.yaml:3:7: error[not-in-enum]"))
    #expect(try box.head() == code)
    // ...and a valid one goes through, on top of the code.
    try box.dir.write("records/customers/C-0043.yaml", validCustomer)
    try box.git(["add", "-A"])
    let committed = try box.git(["commit", "-q", "-m", "team"], allowFailure: true)
    #expect(committed.status == 0, "\(committed.stderr)")
    #expect(try box.git(["rev-parse", "HEAD~1"]).stdout == code)
    let files = try box.git(["show", "--name-only", "--format=", "HEAD"]).stdout.split(separator: "\n")
    #expect(files.contains("records/tally.yaml"))
    #expect(files.contains("records/customers/C-0042.yaml"))
    #expect(files.contains("records/customers/C-0043.yaml"))
    #expect(files.contains("records/staff/S-0012.yaml"))
    #expect(try box.git(["status", "--porcelain"]).stdout == "")
  }

  @Test
  func theEmptyTemplateCanBeCommitted() throws {
    let box = try GitSandbox()
    try box.initRecords(["--template", "empty"])
    try box.git(["add", "-A"])
    try box.git(["commit", "-q", "-m", "Set up the records"])
    #expect(try box.head().count == 41)
  }

  @Test
  func commitAllChecksWhatGitIsAboutToCommit() throws {
    let box = try GitSandbox()
    try box.initRecords()
    try box.addTeam(to: "")
    try box.git(["add", "-A"])
    try box.git(["commit", "-q", "-m", "team"])
    let before = try box.head()
    let customer = try box.dir.read("customers/C-0042.yaml")
    try box.dir.write("customers/C-0042.yaml", customer.replacing("tier: A", with: "tier: D"))
    let refused = try box.git(["commit", "-q", "-a", "-m", "tier"], allowFailure: true)
    #expect(refused.status != 0)
    #expect(refused.stderr.contains("customers/C-0042.yaml:3:7: error[not-in-enum]"))
    #expect(try box.head() == before)
    try box.dir.write("customers/C-0042.yaml", customer.replacing("tier: A", with: "tier: B"))
    try box.git(["commit", "-q", "-a", "-m", "tier"])
    #expect(try box.head() != before)
  }

  // MARK: The server-side pre-receive hook

  @Test func preReceiveRejectsABadPushAndAcceptsAGoodOne() throws {
    let box = try GitSandbox()
    try box.git(["init", "-q", "--bare", "-b", "main", "server.git"])
    let sample = Golden.directory() + "/../../scripts/pre-receive.sample"
    let hook = box.path + "/server.git/hooks/pre-receive"
    try FileManager.default.copyItem(atPath: sample, toPath: hook)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: hook)
    try box.git(["init", "-q", "-b", "main", "work"])
    try box.git(["remote", "add", "origin", box.path + "/server.git"], in: "work")
    try box.initRecords(["--no-hook"], in: "work")
    try box.addTeam(to: "work")
    try box.git(["add", "-A"], in: "work")
    try box.git(["commit", "-q", "-m", "team"], in: "work")
    let push: ([String]) throws -> ProcessResult = { arguments in
      try box.git(["push"] + arguments, in: "work", environment: ["TALLY": TallyProcess.binary], allowFailure: true)
    }
    let serverMain = {
      try box.git(["rev-parse", "-q", "--verify", "main"], in: "server.git", allowFailure: true).stdout
    }

    // The first push to an empty server: its whole history is checked.
    let first = try push(["-q", "origin", "main"])
    #expect(first.status == 0, "\(first.stderr)")
    let good = try box.head(in: "work")
    #expect(try serverMain() == good)

    try box.dir.write("work/customers/C-0043.yaml", invalidCustomer)
    try box.git(["add", "-A"], in: "work")
    try box.git(["commit", "-q", "-m", "bad customer"], in: "work")
    let bad = try box.head(in: "work")
    let rejected = try push(["origin", "main"])
    #expect(rejected.status != 0)
    #expect(rejected.stderr.contains("customers/C-0043.yaml:3:7: error[not-in-enum]"))
    #expect(rejected.stderr.contains("first bad commit \(bad.prefix(7))"))
    #expect(rejected.stderr.contains("pre-receive hook declined"))
    #expect(try serverMain() == good)
    // The same commit on a new branch is refused too.
    let branch = try push(["origin", "main:feature"])
    #expect(branch.status != 0)
    #expect(branch.stderr.contains("error[not-in-enum]"))

    try box.dir.write("work/customers/C-0043.yaml", validCustomer)
    try box.git(["add", "-A"], in: "work")
    try box.git(["commit", "-q", "--amend", "-m", "good customer"], in: "work")
    let fixed = try push(["-q", "origin", "main", "main:feature"])
    #expect(fixed.status == 0, "\(fixed.stderr)")
    #expect(try serverMain() == box.head(in: "work"))
    // Deleting a branch is let through.
    #expect(try push(["-q", "origin", ":feature"]).status == 0)
  }

  @Test func preReceiveChecksRecordsInASubdirectoryAndLetsOtherBranchesThrough() throws {
    let box = try GitSandbox()
    try box.git(["init", "-q", "--bare", "-b", "main", "server.git"])
    let hook = box.path + "/server.git/hooks/pre-receive"
    try FileManager.default.copyItem(atPath: Golden.directory() + "/../../scripts/pre-receive.sample", toPath: hook)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: hook)
    try box.git(["init", "-q", "-b", "main", "work"])
    try box.git(["remote", "add", "origin", box.path + "/server.git"], in: "work")
    let environment = ["TALLY": TallyProcess.binary, "TALLY_RECORDS_DIR": "team records"]
    // A branch without records passes, with a note.
    try box.dir.write("work/src/main.c", "int main(void) { return 0; }\n")
    try box.git(["add", "-A"], in: "work")
    try box.git(["commit", "-q", "-m", "code"], in: "work")
    let code = try box.git(["push", "origin", "main"], in: "work", environment: environment, allowFailure: true)
    #expect(code.status == 0, "\(code.stderr)")
    #expect(code.stderr.contains("main has no team records/tally.yaml: not a records branch, not checked"))

    try box.initRecords(["--no-hook", "team records"], in: "work")
    try box.addTeam(to: "work/team records")
    try box.dir.write("work/team records/customers/C-0043.yaml", invalidCustomer)
    try box.git(["add", "-A"], in: "work")
    try box.git(["commit", "-q", "-m", "records"], in: "work")
    let rejected = try box.git(["push", "origin", "main"], in: "work", environment: environment, allowFailure: true)
    #expect(rejected.status != 0)
    #expect(rejected.stderr.contains("team records/customers/C-0043.yaml:3:7: error[not-in-enum]"))

    try box.dir.write("work/team records/customers/C-0043.yaml", validCustomer)
    try box.git(["add", "-A"], in: "work")
    try box.git(["commit", "-q", "-m", "fix the tier"], in: "work")
    // Every new commit is checked: the bad one is still in the pushed history.
    let still = try box.git(["push", "origin", "main"], in: "work", environment: environment, allowFailure: true)
    #expect(still.status != 0)
    try box.git(["reset", "-q", "--soft", "HEAD~2"], in: "work")
    try box.git(["commit", "-q", "-m", "records"], in: "work")
    let accepted = try box.git(
      ["push", "-q", "origin", "main"], in: "work", environment: environment, allowFailure: true)
    #expect(accepted.status == 0, "\(accepted.stderr)")
  }
}
