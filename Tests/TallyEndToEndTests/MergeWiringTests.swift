import Foundation
import TallyTestSupport
import Testing

/// A records repository made with `tally init` (hooks and drivers installed as a user gets
/// them), in a temporary directory, with the real `git` and no global or system git
/// configuration.
private struct MergeSandbox {
  let dir: TemporaryDirectory
  let home: TemporaryDirectory

  /// `tally init` in `team/`, the small team (4 staff, customer C-0042) committed on `main`.
  init() throws {
    dir = try TemporaryDirectory(prefix: "tally-merge")
    home = try TemporaryDirectory(prefix: "tally-merge-home")
    let initialized = try TallyProcess.run(["init", "team"], in: dir.path, environment: environment)
    #expect(initialized.status == 0, "\(initialized.stderr)")
    let team = try makeTeamRepository()
    for relative in ["staff/S-0001.yaml", "staff/S-0002.yaml", "staff/S-0003.yaml", "staff/S-0012.yaml"]
      + ["customers/C-0042.yaml"]
    {
      try dir.write("team/" + relative, team.read(relative))
    }
    try write("staff/S-0013.yaml", staffS0013)
    try git(["add", "-A"])
    try git(["commit", "-q", "-m", "team"])
  }

  var root: String { dir.path + "/team" }

  var environment: [String: String] {
    [
      "HOME": home.path, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null",
      "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.cn", "GIT_COMMITTER_NAME": "Test",
      "GIT_COMMITTER_EMAIL": "test@example.cn", "GIT_AUTHOR_DATE": "2026-03-09T10:00:00+08:00",
      "GIT_COMMITTER_DATE": "2026-03-09T10:00:00+08:00", "TALLY_TODAY": "2026-03-09",
    ]
  }

  /// Runs git in `directory` (the records repository by default); a failure is recorded
  /// unless `allowFailure`.
  @discardableResult
  func git(
    _ arguments: [String], in directory: String? = nil, allowFailure: Bool = false,
    sourceLocation: SourceLocation = #_sourceLocation
  ) throws -> ProcessResult {
    let result = try TallyProcess.runProgram("git", arguments, in: directory ?? root, environment: environment)
    if result.status != 0 && !allowFailure {
      Issue.record(
        "git \(arguments.joined(separator: " ")) failed: \(result.stdout)\(result.stderr)",
        sourceLocation: sourceLocation)
    }
    return result
  }

  @discardableResult
  func tally(_ arguments: [String], in directory: String? = nil) throws -> ProcessResult {
    try TallyProcess.run(arguments, in: directory ?? root, environment: environment)
  }

  func read(_ relative: String) throws -> String { try dir.read("team/" + relative) }

  func write(_ relative: String, _ text: String) throws { try dir.write("team/" + relative, text) }

  /// Replaces `old` with `new` in a record (which must hold `old`), and commits it.
  func edit(
    _ relative: String, _ old: String, _ new: String, message: String,
    sourceLocation: SourceLocation = #_sourceLocation
  ) throws {
    let text = try read(relative)
    #expect(text.contains(old), "\(relative) has no \(old)", sourceLocation: sourceLocation)
    try write(relative, text.replacing(old, with: new))
    try git(["commit", "-q", "-am", message], sourceLocation: sourceLocation)
  }

  func head() throws -> String {
    try git(["rev-parse", "HEAD"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
  }
}

/// A second sales rep, who leaves on one branch.
private let staffS0013 = """
  name: 李娜
  role: sales_rep
  team: 华东一组
  reports_to: S-0003
  email: li@example.cn
  joined: 2025-02-10
  status: active

  """

/// The end of C-0042 in the team fixture: its only follow-up.
private let lastFollowUp = """
      outcome: interested
      next_contact: 2026-03-09

  """

/// A follow-up appended by the rep (dated 5 March).
private let repFollowUp = """
    - date: 2026-03-05
      by: S-0012
      channel: phone
      summary: 电话回访，客户要报价
      outcome: callback

  """

/// A follow-up appended by the team lead (dated 4 March).
private let leadFollowUp = """
    - date: 2026-03-04
      by: S-0003
      channel: visit
      summary: 组长拜访，确认预算
      outcome: interested

  """

/// C-0042 after both branches: the rep's tier, the lead's source, both follow-ups in date order.
private let bothMerged =
  """
  name: 上海华信贸易有限公司
  industry: trade
  tier: B
  status: prospect
  owner: S-0012
  source: exhibition
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

  """ + leadFollowUp + repFollowUp

@Suite("git merges records with tally's driver and hooks (end to end)")
struct MergeWiringTests {
  /// On `rep`: the tier and a follow-up; on `main`: the source and another follow-up. As
  /// text, both follow-ups are appended at the same place: a conflict.
  private func divergedBranches(_ box: MergeSandbox) throws -> (rep: String, main: String) {
    try box.git(["checkout", "-q", "-b", "rep"])
    let customer = "customers/C-0042.yaml"
    try box.write(
      customer,
      try box.read(customer).replacing("tier: A", with: "tier: B").replacing(
        lastFollowUp, with: lastFollowUp + repFollowUp))
    try box.git(["commit", "-q", "-am", "rep: tier B, call-back"])
    let rep = try box.head()
    try box.git(["checkout", "-q", "main"])
    try box.write(
      customer,
      try box.read(customer).replacing("source: referral", with: "source: exhibition").replacing(
        lastFollowUp, with: lastFollowUp + leadFollowUp))
    try box.git(["commit", "-q", "-am", "lead: source, visit"])
    return (rep, try box.head())
  }

  // MARK: (a) git merge

  @Test func gitMergeOfTwoBranchesThatEditTheSameCustomerIsClean() throws {
    let box = try MergeSandbox()
    let (rep, main) = try divergedBranches(box)
    let merge = try box.git(["merge", "--no-edit", "rep"], allowFailure: true)
    #expect(merge.status == 0, "\(merge.stdout)\(merge.stderr)")
    #expect(!merge.stdout.contains("CONFLICT"))
    #expect(try box.read("customers/C-0042.yaml") == bothMerged)
    #expect(try box.git(["log", "-1", "--format=%P"]).stdout == "\(main) \(rep)\n")
    #expect(try box.git(["status", "--porcelain"]).stdout == "")
    let check = try box.tally(["check"])
    #expect(check.status == 0, "\(check.stdout)")
    #expect(check.stdout == "checked 6 records: no problems\n")
  }

  // MARK: (b) rebase, cherry-pick, revert

  @Test func gitRebaseUsesTheDriver() throws {
    let box = try MergeSandbox()
    _ = try divergedBranches(box)
    try box.git(["checkout", "-q", "rep"])
    let rebase = try box.git(["rebase", "main"], allowFailure: true)
    #expect(rebase.status == 0, "\(rebase.stdout)\(rebase.stderr)")
    #expect(try box.read("customers/C-0042.yaml") == bothMerged)
    #expect(try box.git(["rev-parse", "HEAD~1"]).stdout == box.git(["rev-parse", "main"]).stdout)
    #expect(try box.tally(["check"]).status == 0)
  }

  @Test func gitCherryPickUsesTheDriver() throws {
    let box = try MergeSandbox()
    let (rep, main) = try divergedBranches(box)
    let pick = try box.git(["cherry-pick", rep], allowFailure: true)
    #expect(pick.status == 0, "\(pick.stdout)\(pick.stderr)")
    #expect(try box.read("customers/C-0042.yaml") == bothMerged)
    #expect(try box.git(["rev-parse", "HEAD~1"]).stdout == main + "\n")
    #expect(try box.git(["status", "--porcelain"]).stdout == "")
  }

  @Test func gitRevertOfAnEarlierFollowUpUsesTheDriver() throws {
    let box = try MergeSandbox()
    let customer = "customers/C-0042.yaml"
    try box.edit(customer, lastFollowUp, lastFollowUp + leadFollowUp, message: "visit")
    let visit = try box.head()
    try box.edit(customer, leadFollowUp, leadFollowUp + repFollowUp, message: "call-back")
    let revert = try box.git(["revert", "--no-edit", visit], allowFailure: true)
    #expect(revert.status == 0, "\(revert.stdout)\(revert.stderr)")
    let text = try box.read(customer)
    #expect(!text.contains("组长拜访"))
    #expect(text.hasSuffix(lastFollowUp + repFollowUp))
  }

  // MARK: (c) the pre-merge-commit hook

  /// `main` removes S-0013 (she left); `customers` gives a customer to S-0013. Each branch is
  /// valid alone; merged, a customer's owner is gone.
  private func referenceBreakingBranches(_ box: MergeSandbox, existing: Bool) throws {
    try box.git(["checkout", "-q", "-b", "customers"])
    if existing {
      try box.edit("customers/C-0042.yaml", "owner: S-0012", "owner: S-0013", message: "C-0042 to 李娜")
    } else {
      try box.write(
        "customers/C-0043.yaml",
        "name: 杭州明远电子\nindustry: trade\ntier: B\nstatus: lead\nowner: S-0013\ncontacts:\n  - name: 赵敏\n")
      try box.git(["add", "-A"])
      try box.git(["commit", "-q", "-m", "C-0043 for 李娜"])
    }
    try box.git(["checkout", "-q", "main"])
    try box.git(["rm", "-q", "staff/S-0013.yaml"])
    try box.git(["commit", "-q", "-m", "李娜 left"])
  }

  @Test func aMergeThatBreaksAReferenceIsRefusedAndFinishedWithTallyCommit() throws {
    let box = try MergeSandbox()
    try referenceBreakingBranches(box, existing: false)
    let before = try box.head()
    #expect(try box.tally(["check", "--rev", "customers"]).status == 0)
    #expect(try box.tally(["check", "--rev", "main"]).status == 0)

    let merge = try box.git(["merge", "--no-edit", "customers"], allowFailure: true)
    #expect(merge.status == 1)
    #expect(
      merge.stderr.contains("customers/C-0043.yaml:5:8: error[broken-ref]: 'owner': there is no staff 'S-0013'"),
      "\(merge.stderr)")
    #expect(merge.stderr.contains("tally: merge refused"))
    #expect(try box.head() == before)
    #expect(FileManager.default.fileExists(atPath: box.root + "/.git/MERGE_HEAD"))
    #expect(try box.git(["diff", "--cached", "--name-only"]).stdout == "customers/C-0043.yaml\n")

    // Fixed, and finished with tally commit, which checks it the same way.
    let fixed = try box.read("customers/C-0043.yaml").replacing("owner: S-0013", with: "owner: S-0012")
    try box.write("customers/C-0043.yaml", fixed)
    let unfixed = try box.tally(["commit"])
    #expect(unfixed.status == 1, "the fix is not staged yet: \(unfixed.stdout)")
    try box.git(["add", "customers/C-0043.yaml"])
    let commit = try box.tally(["commit"])
    #expect(commit.status == 0, "\(commit.stdout)\(commit.stderr)")
    #expect(commit.stdout.contains("] Merge branch 'customers'"))
    let customers = try box.git(["rev-parse", "customers"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(try box.git(["log", "-1", "--format=%P"]).stdout == "\(before) \(customers)\n")
    #expect(!FileManager.default.fileExists(atPath: box.root + "/.git/MERGE_HEAD"))
    #expect(try box.tally(["check", "--rev", "HEAD"]).status == 0)
  }

  @Test func aMergeGivingAnExistingCustomerToSomeoneWhoLeftIsRefused() throws {
    let box = try MergeSandbox()
    try referenceBreakingBranches(box, existing: true)
    let before = try box.head()
    let merge = try box.git(["merge", "--no-edit", "customers"], allowFailure: true)
    #expect(merge.status == 1)
    #expect(merge.stderr.contains("customers/C-0042.yaml:5:8: error[broken-ref]"), "\(merge.stderr)")
    #expect(try box.head() == before)
    #expect(FileManager.default.fileExists(atPath: box.root + "/.git/MERGE_HEAD"))
    try box.git(["merge", "--abort"])
    #expect(try box.git(["status", "--porcelain"]).stdout == "")
  }

  @Test func aStateReachedStepByStepOnTheMergedBranchDoesNotStopTheMerge() throws {
    let box = try MergeSandbox()
    // C-0042 is a prospect; on a branch it becomes active (with an order), then dormant:
    // against main alone, prospect → dormant is not allowed.
    try box.git(["checkout", "-q", "-b", "pipeline"])
    try box.write(
      "customers/C-0042.yaml",
      try box.read("customers/C-0042.yaml").replacing("status: prospect", with: "status: active")
        + "orders:\n  - date: 2026-03-06\n    product: 智能客服系统标准版\n    amount: 12000.00\n")
    try box.git(["commit", "-q", "-am", "active"])
    try box.edit("customers/C-0042.yaml", "status: active", "status: dormant", message: "dormant")
    try box.git(["checkout", "-q", "main"])
    try box.edit("staff/S-0013.yaml", "email: li@example.cn", "email: lina@example.cn", message: "email")
    let merge = try box.git(["merge", "--no-edit", "pipeline"], allowFailure: true)
    #expect(merge.status == 0, "\(merge.stdout)\(merge.stderr)")
    #expect(try box.git(["log", "-1", "--format=%P"]).stdout.split(separator: " ").count == 2)
    // CI judges the merge commit the same way: against every parent.
    let range = try box.tally(["check", "--range", "HEAD~1..HEAD"])
    #expect(range.status == 0, "\(range.stdout)")
    #expect(range.stdout.hasSuffix("checked 3 commits: no problems\n"), "\(range.stdout)")
  }

  // MARK: (d) a clone

  @Test func aCloneHasTheAttributeButNotTheDriverUntilHookInstall() throws {
    let box = try MergeSandbox()
    _ = try divergedBranches(box)
    try box.git(["clone", "-q", "--no-local", box.root, box.dir.path + "/clone"], in: box.dir.path)
    let clone = box.dir.path + "/clone"
    #expect(
      try box.git(["check-attr", "merge", "--", "customers/C-0042.yaml"], in: clone).stdout.hasSuffix(": tally\n"))

    let status = try box.tally(["hook", "status"], in: clone)
    #expect(status.status == 1)
    #expect(
      status.stdout.contains(
        "merge driver: not configured: the records (customers/, minutes/, plans/, staff/) have merge=tally, but merge.tally.driver is not set in this clone\n  git then silently merges these files as text: run 'tally hook install'\n"
      ), "\(status.stdout)")
    #expect(
      status.stderr
        == "tally: warning: merge=tally is set for the records but merge.tally.driver is not configured: git then silently merges these files as text: run 'tally hook install'\n"
    )
    let json = try box.tally(["hook", "status", "--format", "json"], in: clone)
    #expect(json.status == 1)
    let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
    let drivers = try #require(object["drivers"] as? [String: [String: Any]])
    #expect(drivers["merge"]?["state"] as? String == "not_configured")
    #expect(object["ok"] as? Bool == false)

    // What the warning is about: the same merge, as text, stops at a conflict.
    try box.git(["checkout", "-q", "-b", "rep", "origin/rep"], in: clone)
    try box.git(["checkout", "-q", "main"], in: clone)
    let textMerge = try box.git(["merge", "--no-edit", "rep"], in: clone, allowFailure: true)
    #expect(textMerge.status == 1)
    #expect(textMerge.stdout.contains("CONFLICT (content): Merge conflict in customers/C-0042.yaml"))
    try box.git(["merge", "--abort"], in: clone)

    let install = try box.tally(["hook", "install"], in: clone)
    #expect(install.status == 0, "\(install.stderr)")
    #expect(install.stdout.contains("set up the diff and merge drivers in this clone"))
    let after = try box.tally(["hook", "status"], in: clone)
    #expect(after.status == 0, "\(after.stdout)\(after.stderr)")
    #expect(after.stdout.contains("merge driver: installed: merge.tally.driver = '"))
    #expect(after.stderr == "")
    let merge = try box.git(["merge", "--no-edit", "rep"], in: clone, allowFailure: true)
    #expect(merge.status == 0, "\(merge.stdout)\(merge.stderr)")
    #expect(try String(contentsOfFile: clone + "/customers/C-0042.yaml", encoding: .utf8) == bothMerged)
  }

  // MARK: (e) uninstall

  @Test func uninstallRemovesTheDriverAndTheAttributeLines() throws {
    let box = try MergeSandbox()
    // tally-merge-driver is built beside tally: the quick program is the one git is given.
    #expect(
      try box.git(["config", "--get", "merge.tally.driver"]).stdout.hasSuffix("/tally-merge-driver' %O %A %B %L %P\n"))
    #expect(try box.git(["config", "--get", "merge.tally.name"]).stdout == "tally: records merged field by field\n")
    let hooks = box.root + "/.git/hooks/"
    #expect(FileManager.default.isExecutableFile(atPath: hooks + "pre-merge-commit"))
    // Other attributes of the team's are kept.
    try box.write(".gitattributes", "*.pdf binary\n" + (try box.read(".gitattributes")))

    let uninstall = try box.tally(["hook", "uninstall"])
    #expect(uninstall.status == 0, "\(uninstall.stderr)")
    #expect(uninstall.stdout.contains("removed tally's pre-merge-commit hook: \(hooks)pre-merge-commit\n"))
    #expect(uninstall.stdout.contains("removed the diff and merge drivers"))
    for key in ["merge.tally.driver", "merge.tally.name", "diff.tally.textconv"] {
      #expect(try box.git(["config", "--get", key], allowFailure: true).status == 1, "\(key) is left")
    }
    #expect(try box.read(".gitattributes") == "*.pdf binary\n")
    #expect(
      try box.git(["check-attr", "merge", "diff", "--", "customers/C-0042.yaml"]).stdout
        == "customers/C-0042.yaml: merge: unspecified\ncustomers/C-0042.yaml: diff: unspecified\n")
    #expect(!FileManager.default.fileExists(atPath: hooks + "pre-merge-commit"))
    #expect(!FileManager.default.fileExists(atPath: hooks + "pre-commit"))
    let status = try box.tally(["hook", "status"])
    #expect(status.status == 1)
    #expect(status.stdout.contains("merge driver: not installed"))
  }
}
