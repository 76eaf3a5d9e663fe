import Foundation
import TallyTestSupport
import Testing

/// Issue 18, item 5: a record that is a symbolic link is an error of its own; no command
/// reads through it or replaces it.
@Suite("Symbolic links are never followed (end to end)")
struct SymlinkTests {
  /// The team repository, committed, with `customers/C-0043.yaml` a link to a record-like
  /// file outside the repository.
  func repositoryWithLinkedRecord() throws -> (TemporaryDirectory, TemporaryDirectory) {
    let dir = try makeCommittedTeamRepository()
    let outside = try TemporaryDirectory(prefix: "outside")
    let secret = try dir.read("customers/C-0042.yaml").replacing("上海华信贸易有限公司", with: "外部机密公司")
    try outside.write("secret.yaml", secret.replacing("tier: A", with: "tier:    A"))
    try FileManager.default.createSymbolicLink(
      atPath: dir.path + "/customers/C-0043.yaml", withDestinationPath: outside.path + "/secret.yaml")
    return (dir, outside)
  }

  @Test func checkReportsALinkedRecordAndNeverReadsIt() throws {
    let (dir, _) = try repositoryWithLinkedRecord()
    let result = try TallyProcess.run(["check"], in: dir.path)
    #expect(result.status == 1)
    #expect(
      result.stdout.contains(
        "customers/C-0043.yaml: error[symlink]: 'customers/C-0043.yaml' is a symbolic link where the customer record C-0043 belongs; tally does not follow links"
      ))
    #expect(!result.stdout.contains("外部机密公司"))
  }

  @Test func fmtLeavesTheLinkAndItsTargetAlone() throws {
    let (dir, outside) = try repositoryWithLinkedRecord()
    let target = try outside.read("secret.yaml")
    let result = try TallyProcess.run(["fmt"], in: dir.path)
    #expect(result.status == 1)
    #expect(result.stderr.contains("error[symlink]"))
    let attributes = try FileManager.default.attributesOfItem(atPath: dir.path + "/customers/C-0043.yaml")
    #expect(attributes[.type] as? FileAttributeType == .typeSymbolicLink)
    #expect(try outside.read("secret.yaml") == target)
  }

  @Test func editsAndCommitsRefuseALinkedRecord() throws {
    let (dir, outside) = try repositoryWithLinkedRecord()
    let target = try outside.read("secret.yaml")
    let set = try TallyProcess.run(["set", "customer/C-0043", "tier=B"], in: dir.path)
    #expect(set.status != 0)
    #expect(set.stderr.contains("symbolic link"))
    let before = try gitState(dir.path)
    let commit = try TallyProcess.run(["commit", "--all", "-m", "x"], in: dir.path, environment: tallyGitEnvironment)
    #expect(commit.status == 1)
    #expect(commit.stdout.contains("error[symlink]"))
    #expect(try gitState(dir.path) == before)
    #expect(try outside.read("secret.yaml") == target)
  }

  @Test func aLinkInTheIndexOrACommitIsAnError() throws {
    let (dir, _) = try repositoryWithLinkedRecord()
    try git(["add", "customers/C-0043.yaml"], in: dir.path)
    let staged = try TallyProcess.run(["check", "--staged"], in: dir.path)
    #expect(staged.status == 1)
    #expect(staged.stdout.contains("error[symlink]"))
    try git(["commit", "-q", "-m", "link"], in: dir.path)
    let committed = try TallyProcess.run(["check", "--rev", "HEAD"], in: dir.path)
    #expect(committed.status == 1)
    #expect(committed.stdout.contains("error[symlink]"))
  }

  @Test func aLinkThatIsNotARecordIsCommittedAsALink() throws {
    let dir = try makeCommittedTeamRepository()
    try FileManager.default.createSymbolicLink(atPath: dir.path + "/notes.md", withDestinationPath: "tally.yaml")
    let result = try TallyProcess.run(
      ["commit", "--all", "-m", "notes"], in: dir.path, environment: tallyGitEnvironment)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(try git(["ls-files", "--stage", "notes.md"], in: dir.path).stdout.hasPrefix("120000 "))
    #expect(try git(["status", "--porcelain"], in: dir.path).stdout == "")
  }
}

/// Issue 18, item 4: temporary files of an interrupted tally are reported and never
/// committed; files the team keeps beside the records draw no warning.
@Suite("Stray and ignored files (end to end)")
struct StrayFileTests {
  @Test func aTemporaryFileOfAnInterruptedTallyIsReportedAndNeverCommitted() throws {
    let dir = try makeCommittedTeamRepository()
    let name = ".C-0042.yaml.tally-999999-0.tmp"
    try dir.write("customers/" + name, try dir.read("customers/C-0042.yaml"))
    let check = try TallyProcess.run(["check"], in: dir.path)
    #expect(check.status == 0)
    #expect(
      check.stdout.contains(
        "customers/\(name): warning[stray-file]: 'customers/\(name)' is a temporary file left by an interrupted tally (process 999999)"
      ))
    try dir.write(
      "customers/C-0042.yaml", try dir.read("customers/C-0042.yaml").replacing("tier: A", with: "tier: B"))
    let dryRun = try TallyProcess.run(["commit", "--all", "--dry-run"], in: dir.path, environment: tallyGitEnvironment)
    #expect(dryRun.status == 0)
    #expect(!dryRun.stdout.contains(".tmp"))
    let commit = try TallyProcess.run(["commit", "--all", "-m", "x"], in: dir.path, environment: tallyGitEnvironment)
    #expect(commit.status == 0, "\(commit.stderr)")
    #expect(try git(["ls-files"], in: dir.path).stdout.contains(".tmp") == false)
  }

  @Test func hiddenConfigurationDrawsNoWarningAndTheIgnoreListSilencesOthers() throws {
    let dir = try makeCommittedTeamRepository()
    try dir.write(".pre-commit-config.yaml", "repos: []\n")
    try dir.write(".github/workflows/records.yaml", "on: push\n")
    try dir.write("mkdocs.yaml", "site_name: records\n")
    try dir.write("docs/guide.yaml", "title: guide\n")
    try git(["add", "-A"], in: dir.path)
    let before = try TallyProcess.run(["check", "--staged"], in: dir.path)
    #expect(before.status == 0)
    #expect(!before.stdout.contains(".pre-commit-config.yaml"))
    #expect(!before.stdout.contains(".github"))
    #expect(before.stdout.contains("'mkdocs.yaml' is not in a record directory"))
    #expect(before.stdout.contains("'docs/guide.yaml' is not in a record directory"))
    let config = try dir.read("tally.yaml") + "ignore: [mkdocs.yaml, docs/]\n"
    try dir.write("tally.yaml", config)
    try git(["add", "-A"], in: dir.path)
    let after = try TallyProcess.run(["check", "--staged"], in: dir.path)
    #expect(after.status == 0)
    #expect(after.stdout == "checked 5 records: no problems\n")
  }

  @Test func theIgnoreListNeverHidesARecord() throws {
    let dir = try makeCommittedTeamRepository()
    try dir.write("tally.yaml", try dir.read("tally.yaml") + "ignore: [customers/, '*.yaml']\n")
    try dir.write(
      "customers/C-0042.yaml", try dir.read("customers/C-0042.yaml").replacing("tier: A", with: "tier: Z"))
    let result = try TallyProcess.run(["check"], in: dir.path)
    #expect(result.status == 1)
    #expect(result.stdout.contains("customers/C-0042.yaml:3:7: error[not-in-enum]"))
  }

  @Test func aBadIgnoreListIsAPositionedError() throws {
    let dir = try makeCommittedTeamRepository()
    try dir.write("tally.yaml", try dir.read("tally.yaml") + "ignore: docs/\n")
    let result = try TallyProcess.run(["check"], in: dir.path)
    #expect(result.status == 1)
    #expect(
      result.stdout.contains(
        "tally.yaml:5:9: error[config-bad-value]: ignore is a list of file patterns, as in .gitignore"))
  }
}
