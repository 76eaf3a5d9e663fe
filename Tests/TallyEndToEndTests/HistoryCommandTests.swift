import Foundation
import TallyTestSupport
import Testing

/// `git` as 王芳 (S-0012 in staff) at a fixed time.
@discardableResult
func gitAs(_ date: String, _ arguments: [String], in directory: String, name: String = "王芳") throws -> ProcessResult {
  let email = name == "王芳" ? "wang@example.cn" : "outsider@example.org"
  let result = try TallyProcess.runProgram(
    "git", arguments, in: directory,
    environment: [
      "GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email, "GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email,
      "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date,
    ])
  if result.status != 0 { Issue.record("git \(arguments.joined(separator: " ")) failed: \(result.stderr)") }
  return result
}

func head(_ directory: String) throws -> String {
  String(try git(["rev-parse", "--short=7", "HEAD"], in: directory).stdout.prefix(7))
}

/// A scripted history of C-0042, written by hand:
/// c1 team (plain git, author not in staff) → c2 status and a follow-up (tally commit) →
/// c3 reformat only → c4 a follow-up's outcome edited → c5 renamed to C-0050 → c6 deleted →
/// c7 re-created as a new lead.
struct ScriptedHistory {
  let dir: TemporaryDirectory
  var ids: [String] = []

  init() throws {
    dir = try makeTeamRepository()
    try git(["init", "-q", "-b", "main"], in: dir.path)
    try git(["add", "-A"], in: dir.path)
    try git(["commit", "-q", "-m", "team"], in: dir.path)
    ids.append(try head(dir.path))

    try dir.write("customers/C-0042.yaml", activeWithFollowUp)
    var environment = tallyGitEnvironment
    environment["GIT_AUTHOR_DATE"] = "2026-03-09T09:30:00+08:00"
    environment["GIT_COMMITTER_DATE"] = "2026-03-09T09:30:00+08:00"
    let committed = try TallyProcess.run(["commit", "--all"], in: dir.path, environment: environment)
    if committed.status != 0 { Issue.record("tally commit failed: \(committed.stdout)\(committed.stderr)") }
    ids.append(try head(dir.path))

    // Keys reordered and a value quoted: no field changes.
    let reordered =
      "industry: trade\nname: '上海华信贸易有限公司'\n"
      + activeWithFollowUp.split(separator: "\n", omittingEmptySubsequences: false).dropFirst(2).joined(separator: "\n")
    try dir.write("customers/C-0042.yaml", reordered)
    try gitAs("2026-03-10T10:00:00+08:00", ["commit", "-qam", "reformat"], in: dir.path)
    ids.append(try head(dir.path))

    try dir.write(
      "customers/C-0042.yaml",
      reordered.replacing("outcome: interested", with: "outcome: ordered"))
    try gitAs("2026-03-11T10:00:00+08:00", ["commit", "-qam", "outcome"], in: dir.path)
    ids.append(try head(dir.path))

    try gitAs("2026-03-12T10:00:00+08:00", ["mv", "customers/C-0042.yaml", "customers/C-0050.yaml"], in: dir.path)
    try gitAs("2026-03-12T10:00:00+08:00", ["commit", "-qm", "rename"], in: dir.path)
    ids.append(try head(dir.path))

    try gitAs("2026-03-13T10:00:00+08:00", ["rm", "-q", "customers/C-0050.yaml"], in: dir.path)
    try gitAs("2026-03-13T10:00:00+08:00", ["commit", "-qm", "delete"], in: dir.path)
    ids.append(try head(dir.path))

    try dir.write(
      "customers/C-0050.yaml", "name: 新华信\nindustry: trade\ntier: C\nstatus: lead\nowner: S-0012\n")
    try gitAs("2026-03-14T10:00:00+08:00", ["add", "-A"], in: dir.path)
    try gitAs("2026-03-14T10:00:00+08:00", ["commit", "-qm", "recreate"], in: dir.path, name: "外包录入员")
    ids.append(try head(dir.path))
  }

  var path: String { dir.path }
}

@Suite("tally log / blame / diff / show (end to end)")
struct HistoryCommandTests {
  @Test func logFollowsRenamesNewestFirst() throws {
    let h = try ScriptedHistory()
    let result = try TallyProcess.run(["log", "customer/C-0050"], in: h.path)
    #expect(result.status == 0, "\(result.stderr)")
    let expected = """
      2026-03-14 10:00  外包录入员  \(h.ids[6])  recreate
          created (新华信)
      2026-03-13 10:00  王芳 (S-0012)  \(h.ids[5])  delete
          removed
      2026-03-12 10:00  王芳 (S-0012)  \(h.ids[4])  rename
          renamed from customer/C-0042
      2026-03-11 10:00  王芳 (S-0012)  \(h.ids[3])  outcome
          follow_ups[0].outcome: interested → ordered
      2026-03-10 10:00  王芳 (S-0012)  \(h.ids[2])  reformat
          reformatted (no field changed)
      2026-03-09 09:30  王芳 (S-0012)  \(h.ids[1])  customer C-0042: status: prospect → active; +1 follow-up
          status: prospect → active
          + follow_ups[1]: 2026-03-09 · S-0012 · visit · 签订年度合同 · ordered
      2026-03-02 10:00  Test  \(h.ids[0])  team
          created (上海华信贸易有限公司)
      7 commits changed customer/C-0050

      """
    #expect(result.stdout == expected)
  }

  @Test func logNarrowedToOneFieldAndDates() throws {
    let h = try ScriptedHistory()
    let status = try TallyProcess.run(["log", "customer/C-0042", "--rev", h.ids[3], "--field", "status"], in: h.path)
    #expect(
      status.stdout == """
        2026-03-09 09:30  王芳 (S-0012)  \(h.ids[1])  customer C-0042: status: prospect → active; +1 follow-up
            status: prospect → active
        2026-03-02 10:00  Test  \(h.ids[0])  team
            created (上海华信贸易有限公司)
        2 commits changed customer/C-0042

        """)
    let dated = try TallyProcess.run(
      ["log", "customers/C-0050.yaml", "--since", "2026-03-11", "--until", "2026-03-12", "--format", "json"],
      in: h.path)
    let object = try #require(try JSONSerialization.jsonObject(with: Data(dated.stdout.utf8)) as? [String: Any])
    let commits = try #require(object["commits"] as? [[String: Any]])
    #expect(commits.map { ($0["message"] as? String) ?? "" } == ["rename\n", "outcome\n"])
    let change = try #require(commits[1]["change"] as? [String: Any])
    let fields = try #require(change["fields"] as? [[String: Any]])
    #expect(fields.first?["path"] as? String == "follow_ups[0].outcome")
    #expect(fields.first?["old"] as? String == "interested")
    #expect(fields.first?["new"] as? String == "ordered")
    let author = try #require(commits[0]["author"] as? [String: Any])
    #expect(author["staff"] as? String == "S-0012")
  }

  @Test func blameIgnoresReformattingAndFollowsRenames() throws {
    let h = try ScriptedHistory()
    let result = try TallyProcess.run(["blame", "customer/C-0050", "--rev", h.ids[4], "--format", "json"], in: h.path)
    #expect(result.status == 0, "\(result.stderr)")
    let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    let fields = try #require(object["fields"] as? [[String: Any]])
    var byPath: [String: String] = [:]
    for field in fields { byPath[field["path"] as! String] = String((field["commit"] as? String ?? "").prefix(7)) }
    #expect(byPath["name"] == h.ids[0])
    #expect(byPath["status"] == h.ids[1])
    #expect(byPath["follow_ups[0].outcome"] == h.ids[3])
    #expect(byPath["follow_ups[0].summary"] == h.ids[0])
    #expect(byPath["follow_ups[1].summary"] == h.ids[1])
    // The reformat commit and the rename explain nothing.
    #expect(!byPath.values.contains(h.ids[2]) && !byPath.values.contains(h.ids[4]))
    let text = try TallyProcess.run(["blame", "customer/C-0050", "--rev", h.ids[4]], in: h.path)
    #expect(text.stdout.contains("\n\(h.ids[1])  2026-03-09 09:30  王芳  status                      active\n"))
    // A reference is shown with the name of what it names; the first commit's author is
    // not in staff, so git's name is shown.
    #expect(text.stdout.contains("\n\(h.ids[0])  2026-03-02 10:00  Test  owner                       王芳 (S-0012)\n"))
  }

  @Test func diffBetweenCommitsAndStaged() throws {
    let h = try ScriptedHistory()
    let result = try TallyProcess.run(["diff", "\(h.ids[0])..\(h.ids[1])"], in: h.path)
    #expect(
      result.stdout == """
        customer:
          C-0042  2 field changes
              status: prospect → active
              + follow_ups[1]: 2026-03-09 · S-0012 · visit · 签订年度合同 · ordered
        \(h.ids[0]) → \(h.ids[1]): 1 customer changed; +1 follow-up

        """)
    let reformat = try TallyProcess.run(["diff", "\(h.ids[1])..\(h.ids[2])"], in: h.path)
    #expect(reformat.stdout.hasSuffix(": 1 customer changed\n"))
    #expect(reformat.stdout.contains("reformatted (no field changed)"))
    let rename = try TallyProcess.run(["diff", "\(h.ids[3])..\(h.ids[4])", "--format", "json"], in: h.path)
    #expect(rename.stdout.contains("\"kind\":\"renamed\",\"from\":\"customer/C-0042\""))

    try git(["rm", "-q", "staff/S-0003.yaml"], in: h.path)
    let staged = try TallyProcess.run(["diff", "--staged"], in: h.path)
    #expect(staged.stdout.hasSuffix("HEAD → the index: 1 staff removed\n"))
    let worktree = try TallyProcess.run(["diff"], in: h.path)
    #expect(worktree.stdout.hasSuffix("HEAD → the working tree: 1 staff removed\n"))
  }

  @Test func showAsOfADateFindsTheRecordUnderItsOldID() throws {
    let h = try ScriptedHistory()
    let result = try TallyProcess.run(["show", "customer/C-0050", "--at", "2026-03-09"], in: h.path)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout == activeWithFollowUp)
    let before = try TallyProcess.run(["show", "customer/C-0050", "--at", "2026-03-01"], in: h.path)
    #expect(before.status == 1)
    #expect(before.stderr.contains("the history starts after 2026-03-01"))
    let gone = try TallyProcess.run(["show", "customer/C-0050", "--rev", h.ids[5]], in: h.path)
    #expect(gone.status == 1)
  }

  @Test func mergesFirstParentAndAllParents() throws {
    let h = try ScriptedHistory()
    try gitAs("2026-03-15T10:00:00+08:00", ["checkout", "-q", "-b", "side"], in: h.path)
    try h.dir.write(
      "customers/C-0050.yaml", try h.dir.read("customers/C-0050.yaml").replacing("tier: C", with: "tier: B"))
    try gitAs("2026-03-15T10:00:00+08:00", ["commit", "-qam", "tier on side"], in: h.path)
    try gitAs("2026-03-16T10:00:00+08:00", ["checkout", "-q", "main"], in: h.path)
    try gitAs("2026-03-16T10:00:00+08:00", ["merge", "-q", "--no-ff", "-m", "merge side", "side"], in: h.path)
    let first = try TallyProcess.run(["log", "customer/C-0050", "--since", "2026-03-15"], in: h.path)
    #expect(first.stdout.contains("merge side\n    merge of "), "\(first.stdout)")
    #expect(first.stdout.contains(": the changes it brought in\n    tier: C → B\n"), "\(first.stdout)")
    #expect(!first.stdout.contains("tier on side"))
    let all = try TallyProcess.run(["log", "customer/C-0050", "--since", "2026-03-15", "--all-parents"], in: h.path)
    #expect(all.stdout.contains("tier on side\n    tier: C → B\n"))
  }

  @Test func theCacheIsReusedRebuiltWhenTornAndKeyedBySchema() throws {
    let h = try ScriptedHistory()
    let cold = try TallyProcess.run(["history", "build"], in: h.path)
    #expect(cold.stdout == "read 7 commits: 7 computed, 0 from the cache\n")
    let warm = try TallyProcess.run(["history", "build"], in: h.path)
    #expect(warm.stdout == "read 7 commits: 0 computed, 7 from the cache\n")
    let log = try TallyProcess.run(["log", "customer/C-0050"], in: h.path).stdout

    // A killed writer: the file cut short. The good entries are kept, the rest recomputed.
    let files = try FileManager.default.contentsOfDirectory(atPath: h.path + "/.git/tally")
    let cache = h.path + "/.git/tally/" + (try #require(files.first { $0.hasPrefix("history-") }))
    let bytes = try Data(contentsOf: URL(fileURLWithPath: cache))
    try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: cache))
    let torn = try TallyProcess.run(["history", "build"], in: h.path)
    #expect(torn.stdout.contains("(the cache was damaged and is rebuilt)"))
    #expect(!torn.stdout.contains(" 0 computed"))
    #expect(try TallyProcess.run(["log", "customer/C-0050"], in: h.path).stdout == log)
    #expect(try TallyProcess.run(["history", "build"], in: h.path).stdout.contains("0 computed, 7 from the cache"))

    // A schema change (here in the working tree, as a commit would bring it) starts over.
    try h.dir.write("schema/customer.yaml", try h.dir.read("schema/customer.yaml") + "\n")
    #expect(try TallyProcess.run(["history", "build"], in: h.path).stdout.contains("7 computed, 0 from the cache"))
    // Nothing is written to the working tree.
    #expect(try git(["status", "--porcelain"], in: h.path).stdout == " M schema/customer.yaml\n")
  }

  @Test func aSchemaChangeInTheMiddleOfHistory() throws {
    let h = try ScriptedHistory()
    // Allow a tier D from now on, and use it.
    let schema = try h.dir.read("schema/customer.yaml").replacing(
      "      C: 一般客户\n", with: "      C: 一般客户\n      D: 观察客户\n")
    try h.dir.write("schema/customer.yaml", schema)
    try gitAs("2026-03-15T10:00:00+08:00", ["commit", "-qam", "tier D"], in: h.path)
    try h.dir.write(
      "customers/C-0050.yaml", try h.dir.read("customers/C-0050.yaml").replacing("tier: C", with: "tier: D"))
    try gitAs("2026-03-16T10:00:00+08:00", ["commit", "-qam", "use tier D"], in: h.path)
    let log = try TallyProcess.run(["log", "customer/C-0050", "--since", "2026-03-15"], in: h.path)
    #expect(log.stdout.hasPrefix("2026-03-16 10:00  王芳 (S-0012)  \(try head(h.path))  use tier D\n    tier: C → D\n"))
    #expect(log.stdout.hasSuffix("1 commit changed customer/C-0050\n"))
    #expect(try TallyProcess.run(["check", "--range", "\(h.ids[6])..HEAD"], in: h.path).status == 0)
  }

  @Test func gitTextconvShowsFieldLines() throws {
    let dir = try makeTeamRepository()
    let result = try TallyProcess.run(["diff", "--git-textconv", "customers/C-0042.yaml"], in: dir.path)
    #expect(result.stdout.hasPrefix("name: 上海华信贸易有限公司\nindustry: trade\ntier: A\nstatus: prospect\n"))
    #expect(result.stdout.contains("follow_ups[0].outcome: interested\n"))
  }
}
