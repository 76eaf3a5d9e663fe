import Foundation
import TallyTestSupport
import Testing

/// The example repository (with its policy.yaml) in a temporary git repository, committed by
/// the manager; people act through their staff e-mail addresses.
private struct PolicySandbox {
  let dir: TemporaryDirectory
  static let example = Golden.directory() + "/../../example-repo"
  static let manager = "hejie@huadong.example"  // S-0001
  static let rep = "liangjiaxin@huadong.example"  // S-0022, sales_rep in 华东三组, owns C-0012
  static let lead = "panyang@huadong.example"  // S-0006, team_lead of 华东三组
  static let otherLead = "huangshaohua@huadong.example"  // S-0004, team_lead of 华东一组

  init() throws {
    dir = try TemporaryDirectory(prefix: "tally-policy")
    try FileManager.default.copyItem(atPath: Self.example, toPath: root)
    try git(["init", "-q", "-b", "main"])
    try git(["add", "-A"])
    try commit("records", as: Self.manager)
  }

  var root: String { dir.path + "/work" }

  func environment(_ email: String = manager, extra: [String: String] = [:]) -> [String: String] {
    [
      "HOME": dir.path, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null",
      "GIT_AUTHOR_NAME": email, "GIT_AUTHOR_EMAIL": email, "GIT_COMMITTER_NAME": email,
      "GIT_COMMITTER_EMAIL": email, "GIT_AUTHOR_DATE": "2026-12-01T10:00:00+08:00",
      "GIT_COMMITTER_DATE": "2026-12-01T10:00:00+08:00", "TALLY_TODAY": "2026-12-01",
    ].merging(extra) { $1 }
  }

  @discardableResult
  func git(
    _ arguments: [String], in directory: String? = nil, as email: String = manager, extra: [String: String] = [:],
    allowFailure: Bool = false, sourceLocation: SourceLocation = #_sourceLocation
  ) throws -> ProcessResult {
    let result = try TallyProcess.runProgram(
      "git", arguments, in: directory ?? root, environment: environment(email, extra: extra))
    if result.status != 0 && !allowFailure {
      Issue.record("git \(arguments.joined(separator: " ")) failed: \(result.stderr)", sourceLocation: sourceLocation)
    }
    return result
  }

  func commit(_ message: String, as email: String, in directory: String? = nil) throws {
    try git(["commit", "-q", "-a", "-m", message], in: directory, as: email)
  }

  func tally(_ arguments: [String], in directory: String? = nil, as email: String = manager) throws -> ProcessResult {
    try TallyProcess.run(arguments, in: directory ?? root, environment: environment(email))
  }

  /// Replaces `old` by `new` in a file of the working tree (of `directory`).
  func edit(_ relative: String, _ old: String, _ new: String, in directory: String? = nil) throws {
    let path = (directory ?? root) + "/" + relative
    let text = try String(contentsOfFile: path, encoding: .utf8)
    #expect(text.contains(old), "\(relative) has no '\(old)'")
    try text.replacingOccurrences(of: old, with: new).write(toFile: path, atomically: true, encoding: .utf8)
  }

  func head(_ directory: String? = nil) throws -> String {
    try git(["rev-parse", "HEAD"], in: directory).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
  }
}

@Suite struct PolicyCommandTests {
  @Test func theShippedPolicyPassesItsOwnTests() throws {
    let sandbox = try PolicySandbox()
    let result = try sandbox.tally(["policy", "test", "--format", "json"])
    #expect(result.status == 0, "\(result.stdout)")
    let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    #expect((json["passed"] as? Int ?? 0) >= 30)
    #expect(json["failed"] as? Int == 0)
    // A case whose expectation is wrong fails, naming the file and line.
    try sandbox.edit("policy-tests/customers.yaml", "expect: denied", "expect: allowed")
    let broken = try sandbox.tally(["policy", "test"])
    #expect(broken.status == 1)
    #expect(broken.stdout.contains("FAIL  policy-tests/customers.yaml:"), "\(broken.stdout)")
  }

  @Test func aRepHandingOverACustomerIsRefusedAndALeadMayReassign() throws {
    let sandbox = try PolicySandbox()
    let base = try sandbox.head()
    try sandbox.edit("customers/C-0012.yaml", "owner: S-0022", "owner: S-0023")
    try sandbox.commit("hand over", as: PolicySandbox.rep)
    let refused = try sandbox.tally(["policy", "check", "--range", "\(base)..HEAD"])
    #expect(refused.status == 1)
    #expect(refused.stdout.contains("customers/C-0012.yaml:7:1: error[policy]: 梁嘉欣 (S-0022) may not change 'owner'"))
    #expect(refused.stdout.contains("leads-reassign-in-team"), "the rule that would allow it is named")
    // The same commit checked as the team lead (CI's --as): allowed within the team.
    let lead = try sandbox.tally(["policy", "check", "--range", "\(base)..HEAD", "--as", "S-0006"])
    #expect(lead.status == 0, "\(lead.stdout)")
    // Across teams: the lead of 华东一组 may not move a customer of 华东三组.
    let other = try sandbox.tally(["policy", "check", "--range", "\(base)..HEAD", "--as", "S-0004"])
    #expect(other.status == 1)
  }

  @Test func aCommitCannotGrantItselfRights() throws {
    let sandbox = try PolicySandbox()
    let base = try sandbox.head()
    // The rep adds a rule letting reps move customers, then uses it.
    let policy = try String(contentsOfFile: sandbox.root + "/policy.yaml", encoding: .utf8)
    try
      (policy
      + "\n  - name: reps-move-customers\n    allow: [change]\n    who:\n      roles: [sales_rep]\n    type: customer\n    fields: [owner]\n")
      .write(toFile: sandbox.root + "/policy.yaml", atomically: true, encoding: .utf8)
    try sandbox.commit("grant", as: PolicySandbox.rep)
    try sandbox.edit("customers/C-0012.yaml", "owner: S-0022", "owner: S-0023")
    try sandbox.commit("use it", as: PolicySandbox.rep)
    let result = try sandbox.tally(["policy", "check", "--range", "\(base)..HEAD", "--format", "json"])
    #expect(result.status == 1)
    let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    let commits = try #require(json["commits"] as? [[String: Any]])
    #expect(commits.count == 2)
    for commit in commits {
      #expect((commit["violations"] as? [Any])?.isEmpty == false, "\(commit)")
    }
  }

  @Test func mergingMainIntoABranchRaisesNothingAlreadyAllowed() throws {
    let sandbox = try PolicySandbox()
    let base = try sandbox.head()
    try sandbox.git(["checkout", "-q", "-b", "rep-work"])
    try sandbox.edit("customers/C-0012.yaml", "name: 上海美航超市有限责任公司", "name: 上海美航超市有限公司")
    try sandbox.commit("needs", as: PolicySandbox.rep)
    try sandbox.git(["checkout", "-q", "main"])
    try sandbox.edit("customers/C-0042.yaml", "tier: B", "tier: A")
    try sandbox.commit("tier", as: PolicySandbox.manager)
    try sandbox.git(["checkout", "-q", "rep-work"])
    try sandbox.git(["merge", "-q", "--no-edit", "main"], as: PolicySandbox.rep)
    let result = try sandbox.tally(["policy", "check", "--range", "\(base)..rep-work"])
    #expect(result.status == 0, "\(result.stdout)")
    #expect(result.stdout.contains("checked 3 commits, every change allowed"), "\(result.stdout)")
  }

  @Test func thePolicyFileIsCheckedWithPositions() throws {
    let sandbox = try PolicySandbox()
    try sandbox.edit("policy.yaml", "fields: [owner]", "fields: [ownr]")
    let result = try sandbox.tally(["check"])
    #expect(result.status == 1)
    #expect(
      result.stdout.contains("error[policy-unknown-field]: 'ownr' is not a field of customer"), "\(result.stdout)")
    #expect(result.stdout.contains("did you mean 'owner'?"))
  }

  @Test func stagedChangesGetAdvisoryWarnings() throws {
    let sandbox = try PolicySandbox()
    try sandbox.edit("customers/C-0012.yaml", "owner: S-0022", "owner: S-0023")
    try sandbox.git(["add", "-A"])
    let result = try sandbox.tally(["check", "--staged"], as: PolicySandbox.rep)
    #expect(result.status == 0, "a warning does not stop a commit: \(result.stdout)")
    #expect(result.stdout.contains("warning[policy]: 梁嘉欣 (S-0022) may not change 'owner'"), "\(result.stdout)")
  }

  @Test func explainNamesTheDecidingRuleAndItsLine() throws {
    let sandbox = try PolicySandbox()
    let rep = try sandbox.tally(["policy", "explain", "--as", "S-0022", "customer/C-0012", "owner", "--format", "json"])
    #expect(rep.status == 0, "\(rep.stderr)")
    #expect(rep.stdout.contains("\"allowed\":false"))
    let lead = try sandbox.tally(["policy", "explain", "--as", "S-0006", "customer/C-0012", "owner"])
    #expect(lead.stdout.contains("leads-reassign-in-team"), "\(lead.stdout)")
    #expect(lead.stdout.range(of: #"policy\.yaml:\d+"#, options: .regularExpression) != nil)
    let unknown = try sandbox.tally(["policy", "explain", "--as", "S-9999", "customer/C-0012"])
    #expect(unknown.status == 64)
  }

  /// The server: a bare repository with the pre-receive hook; clones push as different people
  /// (the pusher variable set as a forge sets it).
  @Test func theServerHookRefusesWhatThePolicyDoesNotAllow() throws {
    let sandbox = try PolicySandbox()
    let server = sandbox.dir.path + "/server.git"
    try sandbox.git(["clone", "-q", "--bare", sandbox.root, server], in: sandbox.dir.path)
    let installed = try sandbox.tally(["hook", "install", "--server"], in: server)
    #expect(installed.status == 0, "\(installed.stderr)")
    let clone = sandbox.dir.path + "/clone"
    try sandbox.git(["clone", "-q", server, clone], in: sandbox.dir.path)
    let before = try sandbox.head(server)
    let objectsBefore = try sandbox.git(["count-objects", "-v"], in: server).stdout

    // A rep hands a customer over: refused, nothing lands on the server.
    try sandbox.edit("customers/C-0012.yaml", "owner: S-0022", "owner: S-0023", in: clone)
    try sandbox.commit("hand over", as: PolicySandbox.rep, in: clone)
    let refused = try sandbox.git(
      ["push", "-q", "origin", "main"], in: clone, as: PolicySandbox.rep,
      extra: ["GL_USERNAME": PolicySandbox.rep], allowFailure: true)
    #expect(refused.status != 0)
    #expect(refused.stderr.contains("may not change 'owner'"), "\(refused.stderr)")
    #expect(try sandbox.head(server) == before)
    #expect(try sandbox.git(["count-objects", "-v"], in: server).stdout == objectsBefore, "quarantine dropped")

    // Someone the staff records do not know: refused, saying how to add them.
    let stranger = try sandbox.git(
      ["push", "-q", "origin", "main"], in: clone, as: PolicySandbox.rep, extra: ["GITEA_PUSHER_NAME": "mallory"],
      allowFailure: true)
    #expect(stranger.status != 0)
    #expect(stranger.stderr.contains("mallory (GITEA_PUSHER_NAME) is not anyone"), "\(stranger.stderr)")

    // The team lead pushes the same commit: allowed (reassigning within the team).
    let accepted = try sandbox.git(
      ["push", "-q", "origin", "main"], in: clone, as: PolicySandbox.lead, extra: ["GL_USERNAME": PolicySandbox.lead])
    #expect(accepted.status == 0)
    #expect(try sandbox.head(server) == (try sandbox.head(clone)))

    // A policy with errors cannot be pushed, not even by the manager.
    try sandbox.edit("policy.yaml", "allow: '*'", "allow: [everything]", in: clone)
    try sandbox.commit("broken policy", as: PolicySandbox.manager, in: clone)
    let broken = try sandbox.git(
      ["push", "-q", "origin", "main"], in: clone, as: PolicySandbox.manager,
      extra: ["GL_USERNAME": PolicySandbox.manager], allowFailure: true)
    #expect(broken.status != 0)
    #expect(broken.stderr.contains("the new policy.yaml has errors"), "\(broken.stderr)")

    // One that got there anyway (the hook bypassed on the server): every push is refused
    // until it is fixed — fail closed.
    try sandbox.git(["fetch", "-q", clone, "main:broken"], in: server)
    try sandbox.git(["update-ref", "refs/heads/main", "refs/heads/broken"], in: server)
    try sandbox.git(["reset", "-q", "--hard", "HEAD~1"], in: clone)
    try sandbox.git(["pull", "-q", "--no-rebase", "origin", "main"], in: clone)
    try sandbox.edit("customers/C-0042.yaml", "tier: B", "tier: A", in: clone)
    try sandbox.commit("tier", as: PolicySandbox.manager, in: clone)
    let closed = try sandbox.git(
      ["push", "-q", "origin", "main"], in: clone, as: PolicySandbox.manager,
      extra: ["GL_USERNAME": PolicySandbox.manager], allowFailure: true)
    #expect(closed.status != 0)
    #expect(closed.stderr.contains("every change is refused until it is fixed"), "\(closed.stderr)")
  }

  /// A pre-receive hook already in place runs first, on the same input; where the server has
  /// a pre-receive.d directory (Gitea, Forgejo), tally's hook goes there instead.
  @Test func theServerHookKeepsTheHookThatWasThere() throws {
    let sandbox = try PolicySandbox()
    let server = sandbox.dir.path + "/server.git"
    try sandbox.git(["clone", "-q", "--bare", sandbox.root, server], in: sandbox.dir.path)
    let seen = sandbox.dir.path + "/seen.txt"
    try "#!/bin/sh\ncat > '\(seen)'\n".write(toFile: server + "/hooks/pre-receive", atomically: true, encoding: .utf8)
    _ = try TallyProcess.runProgram("chmod", ["+x", server + "/hooks/pre-receive"])
    let installed = try sandbox.tally(["hook", "install", "--server", "--git-dir", server], in: sandbox.dir.path)
    #expect(installed.stdout.contains("the hook that was there runs first"), "\(installed.stdout)")
    let again = try sandbox.tally(["hook", "install", "--server", "--git-dir", server], in: sandbox.dir.path)
    #expect(again.stdout.contains("already installed"))
    let clone = sandbox.dir.path + "/clone"
    try sandbox.git(["clone", "-q", server, clone], in: sandbox.dir.path)
    try sandbox.edit("customers/C-0012.yaml", "owner: S-0022", "owner: S-0023", in: clone)
    try sandbox.commit("hand over", as: PolicySandbox.rep, in: clone)
    let refused = try sandbox.git(
      ["push", "-q", "origin", "main"], in: clone, as: PolicySandbox.rep, extra: ["GL_USERNAME": "liangjx"],
      allowFailure: true)
    #expect(refused.status != 0)
    #expect(try String(contentsOfFile: seen, encoding: .utf8).contains("refs/heads/main"), "the old hook ran first")

    let gitea = sandbox.dir.path + "/gitea.git"
    try sandbox.git(["clone", "-q", "--bare", sandbox.root, gitea], in: sandbox.dir.path)
    try FileManager.default.createDirectory(atPath: gitea + "/hooks/pre-receive.d", withIntermediateDirectories: true)
    let placed = try sandbox.tally(["hook", "install", "--server"], in: gitea)
    #expect(placed.status == 0)
    #expect(FileManager.default.isExecutableFile(atPath: gitea + "/hooks/pre-receive.d/tally"))
    #expect(!FileManager.default.fileExists(atPath: gitea + "/hooks/pre-receive"))
  }

  /// A violation shows the line of the record it is about, like every diagnostic.
  @Test func violationsShowTheirLine() throws {
    let sandbox = try PolicySandbox()
    let base = try sandbox.head()
    try sandbox.edit("customers/C-0012.yaml", "owner: S-0022", "owner: S-0023")
    try sandbox.commit("hand over", as: PolicySandbox.rep)
    let result = try sandbox.tally(["policy", "check", "--range", "\(base)..HEAD"])
    #expect(result.stdout.contains("owner: S-0023"), "the excerpt of the record at the commit: \(result.stdout)")
  }
}
