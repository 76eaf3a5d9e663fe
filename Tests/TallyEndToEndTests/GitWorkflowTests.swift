import Foundation
import TallyTestSupport
import Testing

/// A committed team repository: `makeTeamRepository()` in git on `main`.
func makeCommittedTeamRepository() throws -> TemporaryDirectory {
  let dir = try makeTeamRepository()
  try git(["init", "-q", "-b", "main"], in: dir.path)
  try git(["add", "-A"], in: dir.path)
  try git(["commit", "-q", "-m", "team"], in: dir.path)
  return dir
}

/// Fixed identities and dates for `tally commit`, as for `git`.
let tallyGitEnvironment = [
  "GIT_AUTHOR_NAME": "王芳", "GIT_AUTHOR_EMAIL": "wang@example.cn", "GIT_COMMITTER_NAME": "王芳",
  "GIT_COMMITTER_EMAIL": "wang@example.cn", "GIT_AUTHOR_DATE": "2026-03-09T09:30:00+08:00",
  "GIT_COMMITTER_DATE": "2026-03-09T09:30:00+08:00", "TALLY_TODAY": "2026-03-09",
]

/// What `git` says about the state a refused operation must not change.
func gitState(_ directory: String) throws -> [String] {
  [
    try git(["status", "--porcelain=v1", "-uall"], in: directory).stdout,
    try git(["diff", "--cached", "--binary"], in: directory).stdout,
    try git(["diff", "--binary"], in: directory).stdout,
    try git(["rev-parse", "HEAD"], in: directory).stdout,
    try git(["log", "--all", "--format=%H"], in: directory).stdout,
  ]
}

let activeWithFollowUp = """
  name: 上海华信贸易有限公司
  industry: trade
  tier: A
  status: active
  owner: S-0012
  source: referral
  contacts:
    - name: 李强
      title: 采购经理
      phone: '13900001111'
  follow_ups:
    - date: 2026-03-02
      by: S-0012
      channel: phone
      summary: 介绍智能客服系统，客户表示有兴趣
      outcome: interested
      next_contact: 2026-03-09
    - date: 2026-03-09
      by: S-0012
      channel: visit
      summary: 签订年度合同
      outcome: ordered

  """

@Suite("tally check --staged / --rev / --range (end to end)")
struct GitCheckTests {
  @Test func stagedChecksTheIndexNotTheWorkingTree() throws {
    let dir = try makeCommittedTeamRepository()
    let good = try dir.read("customers/C-0042.yaml")
    try dir.write("customers/C-0042.yaml", good.replacing("status: prospect", with: "status: bogus"))
    try git(["add", "customers/C-0042.yaml"], in: dir.path)
    // The working tree is fixed again, but the index still holds the bad version.
    try dir.write("customers/C-0042.yaml", good)
    #expect(try TallyProcess.run(["check"], in: dir.path).status == 0)
    let staged = try TallyProcess.run(["check", "--staged"], in: dir.path)
    #expect(staged.status == 1)
    #expect(staged.stdout.contains("customers/C-0042.yaml:4:9: error[not-in-enum]: 'status': 'bogus'"))
    #expect(staged.stdout.contains("  4 | status: bogus"))
  }

  @Test func stagedTransitionsAreCheckedAgainstHEAD() throws {
    let dir = try makeCommittedTeamRepository()
    let text = try dir.read("customers/C-0042.yaml").replacing("status: prospect", with: "status: dormant")
    try dir.write("customers/C-0042.yaml", text)
    try git(["add", "-A"], in: dir.path)
    let result = try TallyProcess.run(["check", "--staged"], in: dir.path)
    #expect(result.status == 1)
    #expect(result.stdout.contains("error[transition]: 'status' cannot change from 'prospect' to 'dormant'"))
  }

  @Test func aRenamedRecordKeepsItsStateAndANewOneDoesNot() throws {
    let dir = try makeCommittedTeamRepository()
    let dormant = try dir.read("customers/C-0042.yaml").replacing("status: prospect", with: "status: dormant")
    try dir.write("customers/C-0042.yaml", dormant)
    try git(["commit", "-qam", "dormant"], in: dir.path)
    // A rename (as history reads one: the same content under another id) is not a new record.
    try git(["mv", "customers/C-0042.yaml", "customers/C-0043.yaml"], in: dir.path)
    let staged = try TallyProcess.run(["check", "--staged"], in: dir.path)
    #expect(staged.status == 0, "\(staged.stdout)")
    try git(["commit", "-qm", "rename"], in: dir.path)
    let range = try TallyProcess.run(["check", "--range", "HEAD~1..HEAD"], in: dir.path)
    #expect(range.status == 0, "\(range.stdout)")
    #expect(range.stdout == "checked 1 commit: no problems\n")
    // A new record in that state is still refused.
    try dir.write("customers/C-0044.yaml", dormant.replacing("上海华信贸易有限公司", with: "杭州新开贸易有限公司"))
    try git(["add", "-A"], in: dir.path)
    let new = try TallyProcess.run(["check", "--staged"], in: dir.path)
    #expect(new.status == 1)
    #expect(new.stdout.contains("customers/C-0044.yaml:4:9: error[initial-state]"), "\(new.stdout)")
    #expect(!new.stdout.contains("C-0043.yaml"), "\(new.stdout)")
  }

  @Test func aStagedDeletionThatBreaksAReferenceIsCaught() throws {
    let dir = try makeCommittedTeamRepository()
    try git(["rm", "-q", "staff/S-0012.yaml"], in: dir.path)
    let result = try TallyProcess.run(["check", "--staged"], in: dir.path)
    #expect(result.status == 1)
    #expect(result.stdout.contains("customers/C-0042.yaml:5:8: error[broken-ref]: 'owner': there is no staff 'S-0012'"))
    // The file is gone from the index, so a file-by-file check of staged files sees nothing.
    #expect(try git(["diff", "--cached", "--name-only", "--diff-filter=ACM"], in: dir.path).stdout.isEmpty)
  }

  @Test func rangeNamesTheFirstBadCommit() throws {
    let dir = try makeCommittedTeamRepository()
    let good = try dir.read("customers/C-0042.yaml")
    try dir.write("customers/C-0042.yaml", good.replacing("tier: A", with: "tier: B"))
    try git(["commit", "-qam", "tier B"], in: dir.path)
    try dir.write("customers/C-0042.yaml", good.replacing("tier: A", with: "tier: Z"))
    try git(["commit", "-qam", "tier Z"], in: dir.path)
    let bad = try git(["rev-parse", "HEAD"], in: dir.path).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    try dir.write(
      "customers/C-0042.yaml", good.replacing("tier: A", with: "tier: Z").replacing("采购经理", with: "采购总监"))
    try git(["commit", "-qam", "title"], in: dir.path)

    let text = try TallyProcess.run(["check", "--range", "HEAD~3..HEAD"], in: dir.path)
    #expect(text.status == 1)
    #expect(text.stdout.contains("commit \(bad.prefix(7)) tier Z\ncustomers/C-0042.yaml:3:7: error[not-in-enum]"))
    #expect(text.stdout.hasSuffix("checked 3 commits: 1 with problems; first bad commit \(bad.prefix(7)) (tier Z)\n"))
    // "title" keeps a problem its parent already had: it is not blamed on it.
    #expect(!text.stdout.contains(" title\n"))

    let json = try TallyProcess.run(["check", "--range", "HEAD~3..HEAD", "--format", "json"], in: dir.path)
    let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
    #expect(object["first_bad"] as? String == bad)
    #expect((object["commits"] as? [Any])?.count == 3)

    let clean = try TallyProcess.run(["check", "--range", "HEAD~3..HEAD~2"], in: dir.path)
    #expect(clean.status == 0)
    #expect(clean.stdout == "checked 1 commit: no problems\n")
  }

  @Test func revChecksACommit() throws {
    let dir = try makeCommittedTeamRepository()
    try dir.write("customers/C-0042.yaml", try dir.read("customers/C-0042.yaml").replacing("tier: A", with: "tier: Z"))
    try git(["commit", "-qam", "tier Z"], in: dir.path)
    try git(["revert", "--no-edit", "HEAD"], in: dir.path)
    #expect(try TallyProcess.run(["check", "--rev", "HEAD"], in: dir.path).status == 0)
    let result = try TallyProcess.run(["check", "--rev", "HEAD~1"], in: dir.path)
    #expect(result.status == 1)
    #expect(result.stdout.contains("customers/C-0042.yaml:3:7: error[not-in-enum]"))
    #expect(try TallyProcess.run(["check", "--rev", "no-such-rev"], in: dir.path).status == 2)
    #expect(try TallyProcess.run(["check", "--rev", "HEAD", "--staged"], in: dir.path).status == 64)
  }
}

@Suite("The stored check cache")
struct CheckCacheTests {
  @Test func isKeptInTheGitDirectoryAndGivesTheSameAnswers() throws {
    let dir = try makeCommittedTeamRepository()
    let cache = dir.path + "/.git/tally/check-cache"
    #expect(try TallyProcess.run(["check", "--staged"], in: dir.path).stdout == "checked 5 records: no problems\n")
    #expect(FileManager.default.fileExists(atPath: cache))
    #expect(try git(["status", "--porcelain", "--ignored"], in: dir.path).stdout.isEmpty)
    // With the cache warm, a bad change is still found, and a deletion still breaks references.
    try git(["rm", "-q", "staff/S-0012.yaml"], in: dir.path)
    let deleted = try TallyProcess.run(["check", "--staged"], in: dir.path)
    #expect(deleted.stdout.contains("customers/C-0042.yaml:5:8: error[broken-ref]"))
    try git(["reset", "-q", "--hard"], in: dir.path)
    #expect(try TallyProcess.run(["check", "--staged"], in: dir.path).status == 0)
  }

  @Test func aTornCacheIsIgnoredAndRebuilt() throws {
    let dir = try makeCommittedTeamRepository()
    let cache = dir.path + "/.git/tally/check-cache"
    #expect(try TallyProcess.run(["check", "--staged"], in: dir.path).status == 0)
    let full = try Data(contentsOf: URL(fileURLWithPath: cache))
    // Cut in half, as a killed writer without the rename would leave it. (Without the
    // check state, the next check is a full one, which reads the cache.)
    try full.prefix(full.count / 2).write(to: URL(fileURLWithPath: cache))
    try FileManager.default.removeItem(atPath: dir.path + "/.git/tally/check-state")
    try dir.write("customers/C-0042.yaml", try dir.read("customers/C-0042.yaml").replacing("tier: A", with: "tier: Q"))
    try git(["add", "-A"], in: dir.path)
    let result = try TallyProcess.run(["check", "--staged"], in: dir.path)
    #expect(result.stdout.contains("customers/C-0042.yaml:3:7: error[not-in-enum]"))
    #expect(try Data(contentsOf: URL(fileURLWithPath: cache)).count > full.count / 2)
    // Garbage of the right length is no better.
    try Data(repeating: 0x41, count: full.count).write(to: URL(fileURLWithPath: cache))
    #expect(try TallyProcess.run(["check", "--staged"], in: dir.path).status == 1)
  }

  @Test func aTornCheckStateIsIgnoredAndRewritten() throws {
    let dir = try makeCommittedTeamRepository()
    let state = dir.path + "/.git/tally/check-state"
    #expect(try TallyProcess.run(["check", "--staged"], in: dir.path).status == 0)
    let full = try Data(contentsOf: URL(fileURLWithPath: state))
    try full.prefix(full.count / 2).write(to: URL(fileURLWithPath: state))
    try dir.write("customers/C-0042.yaml", try dir.read("customers/C-0042.yaml").replacing("tier: A", with: "tier: Q"))
    try git(["add", "-A"], in: dir.path)
    let result = try TallyProcess.run(["check", "--staged"], in: dir.path)
    #expect(result.stdout.contains("customers/C-0042.yaml:3:7: error[not-in-enum]"))
    #expect(try Data(contentsOf: URL(fileURLWithPath: state)).count > full.count / 2)
    // A state that passes its checksum but names other files is only a starting point: a
    // deletion staged after it is still seen, through the state's record of references.
    try git(["reset", "-q", "--hard"], in: dir.path)
    try git(["rm", "-q", "staff/S-0012.yaml"], in: dir.path)
    let deleted = try TallyProcess.run(["check", "--staged"], in: dir.path)
    #expect(deleted.stdout.contains("customers/C-0042.yaml:5:8: error[broken-ref]"))
  }

  @Test func aSchemaChangeInvalidatesIt() throws {
    let dir = try makeCommittedTeamRepository()
    #expect(try TallyProcess.run(["check", "--staged"], in: dir.path).status == 0)
    // Tier A is no longer allowed: the cached "no problems" for C-0042 must not be used.
    let schema = try dir.read("schema/customer.yaml").replacing("      A: 重点客户\n", with: "")
    try dir.write("schema/customer.yaml", schema)
    try git(["add", "-A"], in: dir.path)
    let result = try TallyProcess.run(["check", "--staged"], in: dir.path)
    #expect(result.status == 1)
    #expect(result.stdout.contains("customers/C-0042.yaml:3:7: error[not-in-enum]: 'tier': 'A'"))
  }
}

@Suite("tally commit (end to end)")
struct CommitCommandTests {
  @Test func commitsAValidChangeWithAGeneratedMessage() throws {
    let dir = try makeCommittedTeamRepository()
    try dir.write("customers/C-0042.yaml", activeWithFollowUp)
    let result = try TallyProcess.run(
      ["commit", "customers/C-0042.yaml"], in: dir.path, environment: tallyGitEnvironment)
    #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    let log = try git(["log", "-1", "--format=%s%n%an <%ae> %aI"], in: dir.path).stdout
    #expect(
      log
        == "customer C-0042: status: prospect → active; +1 follow-up\n王芳 <wang@example.cn> 2026-03-09T09:30:00+08:00\n")
    #expect(try git(["status", "--porcelain"], in: dir.path).stdout.isEmpty)
    #expect(try git(["show", "HEAD:customers/C-0042.yaml"], in: dir.path).stdout == activeWithFollowUp)
    #expect(result.stdout.contains("[main "))
    #expect(result.stdout.contains(" M customers/C-0042.yaml"))
  }

  @Test func formatsRecordsBeforeCommitting() throws {
    let dir = try makeCommittedTeamRepository()
    // Keys out of schema order, needless quotes: the commit gets the canonical form.
    try dir.write(
      "customers/C-0043.yaml",
      "status: \"lead\"\nname: '杭州新客户'\nindustry: trade\ntier: C\nowner: S-0012\n")
    let result = try TallyProcess.run(
      ["commit", "-m", "add C-0043", "--all"], in: dir.path, environment: tallyGitEnvironment)
    #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    let committed = try git(["show", "HEAD:customers/C-0043.yaml"], in: dir.path).stdout
    #expect(committed == "name: 杭州新客户\nindustry: trade\ntier: C\nstatus: lead\nowner: S-0012\n")
    #expect(try dir.read("customers/C-0043.yaml") == committed)
    #expect(try git(["status", "--porcelain"], in: dir.path).stdout.isEmpty)
    #expect(result.stdout.contains(" A customers/C-0043.yaml  (formatted)"))
  }

  @Test func aRefusedCommitChangesNothing() throws {
    let dir = try makeCommittedTeamRepository()
    try dir.write(
      "customers/C-0042.yaml", activeWithFollowUp.replacing("status: active", with: "status: bogus"))
    try dir.write("customers/C-0043.yaml", "status: lead\nname: 新\nindustry: trade\ntier: C\nowner: S-0012\n")
    try git(["add", "customers/C-0043.yaml"], in: dir.path)
    let before = try gitState(dir.path)
    let files = try [dir.bytes("customers/C-0042.yaml"), dir.bytes("customers/C-0043.yaml")]
    let result = try TallyProcess.run(["commit", "--all", "-m", "bad"], in: dir.path, environment: tallyGitEnvironment)
    #expect(result.status == 1)
    #expect(result.stdout.contains("error[not-in-enum]: 'status': 'bogus'"))
    #expect(result.stdout.contains("commit refused"))
    #expect(try gitState(dir.path) == before)
    #expect(try [dir.bytes("customers/C-0042.yaml"), dir.bytes("customers/C-0043.yaml")] == files)
  }

  @Test(arguments: ["after-staging", "after-commit-object", "after-branch-update"])
  func aFailureAtAnyStepChangesNothing(step: String) throws {
    let dir = try makeCommittedTeamRepository()
    // Not in canonical form, so that the working tree would be rewritten too.
    try dir.write("customers/C-0043.yaml", "status: lead\nname: 新\nindustry: trade\ntier: C\nowner: S-0012\n")
    try dir.write("customers/C-0042.yaml", activeWithFollowUp)
    try git(["add", "customers/C-0042.yaml"], in: dir.path)
    let before = try gitState(dir.path)
    let files = try [dir.bytes("customers/C-0042.yaml"), dir.bytes("customers/C-0043.yaml")]
    var environment = tallyGitEnvironment
    environment["TALLY_INJECT_FAILURE"] = step
    let result = try TallyProcess.run(["commit", "--all", "-m", "x"], in: dir.path, environment: environment)
    #expect(result.status == 2)
    #expect(result.stderr.contains("injected failure at \(step)"))
    #expect(try gitState(dir.path) == before)
    #expect(try [dir.bytes("customers/C-0042.yaml"), dir.bytes("customers/C-0043.yaml")] == files)
    #expect(!FileManager.default.fileExists(atPath: dir.path + "/.git/index.lock"))
  }

  @Test func aLockedIndexIsAClearError() throws {
    let dir = try makeCommittedTeamRepository()
    try dir.write("customers/C-0042.yaml", activeWithFollowUp)
    try dir.write(".git/index.lock", "")
    let before = try gitState(dir.path)
    let result = try TallyProcess.run(
      ["commit", "--all", "-m", "x", "--lock-timeout", "0.3"], in: dir.path, environment: tallyGitEnvironment)
    #expect(result.status == 2)
    #expect(result.stderr.contains("another git process seems to be running in this repository"))
    #expect(try gitState(dir.path) == before)
    #expect(FileManager.default.fileExists(atPath: dir.path + "/.git/index.lock"))
  }

  @Test func racingCommitsGiveOneCommitAndTheOtherWaitsForIt() throws {
    let dir = try makeCommittedTeamRepository()
    try dir.write("customers/C-0042.yaml", activeWithFollowUp)
    let results = try [0, 1].map { _ in
      try TallyProcess.start(["commit", "--all", "-m", "race"], in: dir.path, environment: tallyGitEnvironment)
    }.map { try $0.wait() }
    let succeeded = results.filter { $0.status == 0 }
    let failed = results.filter { $0.status != 0 }
    #expect(succeeded.count == 1 && failed.count == 1)
    // The second waits for the first to let go of the index, then finds its work done.
    let reason = failed.first?.stderr ?? ""
    #expect(reason.hasSuffix("tally: nothing to commit (stage changes with git add, or name paths, or use --all)\n"))
    #expect(failed.first?.status == 1)
    #expect(try git(["rev-list", "--count", "HEAD"], in: dir.path).stdout == "2\n")
    #expect(try git(["status", "--porcelain"], in: dir.path).stdout.isEmpty)
  }

  @Test func theFirstCommitOnAnUnbornBranch() throws {
    let dir = try makeTeamRepository()
    try git(["init", "-q", "-b", "main"], in: dir.path)
    let result = try TallyProcess.run(
      ["commit", "--all", "-m", "start"], in: dir.path, environment: tallyGitEnvironment)
    #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    #expect(try git(["log", "--format=%s"], in: dir.path).stdout == "start\n")
    #expect(try git(["status", "--porcelain"], in: dir.path).stdout.isEmpty)
    #expect(try git(["fsck", "--strict"], in: dir.path).status == 0)
  }

  @Test func dryRunShowsButDoesNotCommit() throws {
    let dir = try makeCommittedTeamRepository()
    try dir.write("customers/C-0042.yaml", activeWithFollowUp)
    let before = try gitState(dir.path)
    let result = try TallyProcess.run(
      ["commit", "--all", "--dry-run", "--format", "json"], in: dir.path, environment: tallyGitEnvironment)
    #expect(result.status == 0)
    let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    #expect(object["committed"] as? Bool == false)
    #expect(object["message"] as? String == "customer C-0042: status: prospect → active; +1 follow-up")
    #expect((object["changes"] as? [[String: Any]])?.first?["kind"] as? String == "M")
    #expect(try gitState(dir.path) == before)
  }

  @Test func nothingToCommit() throws {
    let dir = try makeCommittedTeamRepository()
    let result = try TallyProcess.run(["commit", "-m", "x"], in: dir.path, environment: tallyGitEnvironment)
    #expect(result.status == 1)
    #expect(result.stderr.contains("nothing to commit"))
  }

  @Test func recordsInASubdirectoryOfALargerRepository() throws {
    let outer = try TemporaryDirectory()
    let team = try makeTeamRepository()
    try FileManager.default.copyItem(atPath: team.path, toPath: outer.path + "/records")
    try outer.write("src/main.c", "int main() { return 0; }\n")
    try git(["init", "-q", "-b", "main"], in: outer.path)
    try git(["add", "-A"], in: outer.path)
    try git(["commit", "-q", "-m", "monorepo"], in: outer.path)
    try outer.write("records/customers/C-0042.yaml", activeWithFollowUp)
    try outer.write("src/main.c", "int main() { return 1; }\n")
    let result = try TallyProcess.run(
      ["commit", "--all", "--repo", "records"], in: outer.path, environment: tallyGitEnvironment)
    #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    // Only the records were committed; the other change is still in the working tree.
    #expect(
      try git(["show", "--name-only", "--format=", "HEAD"], in: outer.path).stdout == "records/customers/C-0042.yaml\n")
    let status = try git(["status", "--porcelain"], in: outer.path).stdout
    #expect(status == " M src/main.c\n", "git status --porcelain:\n\(status)")
  }

  /// git's "racily clean" case: a tracked file rewritten with the same size in the second
  /// the index was written matches its entry's stat data, and git compares its content only
  /// while the index is no newer than the file. The newer index a commit writes must not
  /// hide the change (git smudges such entries when it writes an index; so must tally).
  @Test func aChangeInTheSecondOfTheLastIndexWriteStaysVisible() throws {
    let dir = try makeCommittedTeamRepository()
    try git(["config", "core.trustctime", "false"], in: dir.path)
    try git(["config", "core.checkStat", "minimal"], in: dir.path)
    let moment = Date(timeIntervalSince1970: 1_600_000_000)
    func setTime(_ relative: String) throws {
      try FileManager.default.setAttributes([.modificationDate: moment], ofItemAtPath: dir.path + "/" + relative)
    }
    try dir.write("notes.txt", "return 0\n")
    try setTime("notes.txt")
    try git(["add", "notes.txt"], in: dir.path)
    try git(["commit", "-q", "-m", "notes"], in: dir.path)
    try dir.write("notes.txt", "return 1\n")
    try setTime("notes.txt")
    try setTime(".git/index")
    // Without optional locks, git status does not rewrite (and so smudge) the index itself.
    #expect(try git(["--no-optional-locks", "status", "--porcelain"], in: dir.path).stdout == " M notes.txt\n")
    try dir.write("customers/C-0042.yaml", activeWithFollowUp)
    let result = try TallyProcess.run(
      ["commit", "-m", "C-0042 is active", "customers/C-0042.yaml"], in: dir.path, environment: tallyGitEnvironment)
    #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    let status = try git(["--no-optional-locks", "status", "--porcelain"], in: dir.path).stdout
    #expect(status == " M notes.txt\n", "git status --porcelain:\n\(status)")
  }

  @Test func aGitCommitAfterwardsSeesACleanIndex() throws {
    let dir = try makeCommittedTeamRepository()
    try dir.write("customers/C-0042.yaml", activeWithFollowUp)
    #expect(try TallyProcess.run(["commit", "--all"], in: dir.path, environment: tallyGitEnvironment).status == 0)
    // The index tally wrote is one git reads and extends.
    try dir.write("notes.txt", "x\n")
    try git(["add", "notes.txt"], in: dir.path)
    try git(["commit", "-qm", "notes"], in: dir.path)
    #expect(try git(["ls-files"], in: dir.path).stdout.contains("customers/C-0042.yaml\n"))
    #expect(try git(["fsck", "--strict"], in: dir.path).status == 0)
  }

  @Test func leftoversOfAKilledCommitDoNotStopTheNext() throws {
    let dir = try makeCommittedTeamRepository()
    // A tally commit killed while writing its copy of the index leaves the copy and
    // libgit2's lock on it (never git's own index.lock: that one tally removes or renames).
    try dir.write(".git/index.tally", "half an index")
    try dir.write(".git/index.tally.lock", "")
    try dir.write("customers/C-0042.yaml", activeWithFollowUp)
    let result = try TallyProcess.run(["commit", "--all"], in: dir.path, environment: tallyGitEnvironment)
    #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    #expect(!FileManager.default.fileExists(atPath: dir.path + "/.git/index.tally"))
    #expect(!FileManager.default.fileExists(atPath: dir.path + "/.git/index.tally.lock"))
    #expect(try git(["status", "--porcelain"], in: dir.path).stdout.isEmpty)
  }
}

@Suite("The working tree's check state")
struct WorkingTreeStateTests {
  /// Sets every file's modification time to an hour ago and waits until their change times
  /// are more than two seconds old: files changed in the last two seconds are always read
  /// again, so a test of what the state remembers needs old files.
  func age(_ dir: TemporaryDirectory) throws {
    defer { Thread.sleep(forTimeInterval: 3) }
    for path in try git(["ls-files", "-z"], in: dir.path).stdout.split(separator: "\0") {
      try FileManager.default.setAttributes(
        [.modificationDate: Date(timeIntervalSinceNow: -3600)], ofItemAtPath: dir.path + "/" + path)
    }
  }

  @Test func aRepeatedCheckReadsOnlyWhatChangedAndSaysWhatAFullCheckSays() throws {
    let dir = try makeCommittedTeamRepository()
    let state = dir.path + "/.git/tally/worktree-state"
    try age(dir)
    #expect(try TallyProcess.run(["check"], in: dir.path).stdout == "checked 5 records: no problems\n")
    #expect(FileManager.default.fileExists(atPath: state))
    #expect(try git(["status", "--porcelain", "--ignored"], in: dir.path).stdout.isEmpty)

    // A deleted staff record breaks references in files that did not change.
    try FileManager.default.removeItem(atPath: dir.path + "/staff/S-0012.yaml")
    let deleted = try TallyProcess.run(["check"], in: dir.path)
    #expect(deleted.status == 1)
    #expect(deleted.stdout.contains("customers/C-0042.yaml:5:8: error[broken-ref]"))
    try git(["checkout", "-q", "--", "staff/S-0012.yaml"], in: dir.path)
    #expect(try TallyProcess.run(["check"], in: dir.path).status == 0)
  }

  @Test func aChangeThatKeepsSizeAndModificationTimeIsStillSeen() throws {
    let dir = try makeCommittedTeamRepository()
    try age(dir)
    #expect(try TallyProcess.run(["check"], in: dir.path).status == 0)
    // Same size, same modification time as before: only the change time (which no one can
    // set back) tells the new content from the old.
    // (`touch -r` copies the time to the nanosecond.)
    try TallyProcess.runProgram("cp", ["-p", "customers/C-0042.yaml", ".git/reference"], in: dir.path)
    try dir.write("customers/C-0042.yaml", try dir.read("customers/C-0042.yaml").replacing("tier: A", with: "tier: Q"))
    try TallyProcess.runProgram("touch", ["-m", "-r", ".git/reference", "customers/C-0042.yaml"], in: dir.path)
    let stats = try TallyProcess.runProgram(
      "stat", ["-c", "%y %s", "customers/C-0042.yaml", ".git/reference"], in: dir.path
    ).stdout.split(separator: "\n")
    #expect(stats.count == 2 && stats[0] == stats[1])
    // Past the two seconds in which a changed file is read again whatever its stat data says.
    Thread.sleep(forTimeInterval: 2.5)
    let result = try TallyProcess.run(["check"], in: dir.path)
    #expect(result.stdout.contains("customers/C-0042.yaml:3:7: error[not-in-enum]"))
  }

  @Test func noCacheNeitherReadsNorWritesIt() throws {
    let dir = try makeCommittedTeamRepository()
    let tally = dir.path + "/.git/tally"
    #expect(try TallyProcess.run(["check", "--no-cache"], in: dir.path).status == 0)
    #expect(try TallyProcess.run(["check", "--staged", "--no-cache"], in: dir.path).status == 0)
    #expect(!FileManager.default.fileExists(atPath: tally))
    #expect(try TallyProcess.run(["check"], in: dir.path).status == 0)
    #expect(FileManager.default.fileExists(atPath: tally + "/worktree-state"))
  }

  @Test func aDamagedStateIsIgnored() throws {
    let dir = try makeCommittedTeamRepository()
    try age(dir)
    #expect(try TallyProcess.run(["check"], in: dir.path).status == 0)
    let state = dir.path + "/.git/tally/worktree-state"
    var bytes = try Data(contentsOf: URL(fileURLWithPath: state))
    bytes[bytes.count - 5] ^= 0x01
    try bytes.write(to: URL(fileURLWithPath: state))
    try dir.write("customers/C-0042.yaml", try dir.read("customers/C-0042.yaml").replacing("tier: A", with: "tier: Q"))
    #expect(try TallyProcess.run(["check"], in: dir.path).stdout.contains("error[not-in-enum]"))
    #expect(try TallyProcess.run(["check"], in: dir.path).stdout.contains("error[not-in-enum]"))
  }
}
