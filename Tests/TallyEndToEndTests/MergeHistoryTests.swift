import Foundation
import TallyTestSupport
import Testing

/// A merge commit in the history: main changes C-0042's source, branch `tier` changes its
/// tier, and a plain `git merge` (the two edits are lines apart) joins them.
func makeMergedHistory() throws -> (dir: TemporaryDirectory, merge: String, branch: String) {
  let dir = try makeTeamRepository()
  try dir.write("customers/C-0042.yaml", activeWithFollowUp)
  try git(["init", "-q", "-b", "main"], in: dir.path)
  try gitAs("2026-03-01T10:00:00+08:00", ["add", "-A"], in: dir.path)
  try gitAs("2026-03-01T10:00:00+08:00", ["commit", "-qm", "team"], in: dir.path)
  try gitAs("2026-03-02T10:00:00+08:00", ["checkout", "-qb", "tier"], in: dir.path)
  try dir.write("customers/C-0042.yaml", activeWithFollowUp.replacing("tier: A", with: "tier: B"))
  try gitAs("2026-03-02T10:00:00+08:00", ["commit", "-qam", "tier down"], in: dir.path)
  let branch = try head(dir.path)
  try gitAs("2026-03-03T10:00:00+08:00", ["checkout", "-q", "main"], in: dir.path)
  try dir.write("customers/C-0042.yaml", activeWithFollowUp.replacing("source: referral", with: "source: website"))
  try gitAs("2026-03-03T10:00:00+08:00", ["commit", "-qam", "source"], in: dir.path)
  try gitAs("2026-03-04T10:00:00+08:00", ["merge", "-q", "--no-edit", "tier"], in: dir.path)
  return (dir, try head(dir.path), branch)
}

@Suite("Merge commits in log and diff (end to end)")
struct MergeHistoryTests {
  @Test func logShowsWhatAMergeBroughtInOnTheFirstParentTimeline() throws {
    let (dir, merge, branch) = try makeMergedHistory()
    let log = try TallyProcess.run(["log", "customers/C-0042"], in: dir.path)
    #expect(log.status == 0, "\(log.stderr)")
    let lines = log.stdout.split(separator: "\n").map(String.init)
    #expect(lines.first?.contains(merge) == true, "\(log.stdout)")
    #expect(lines.dropFirst().first == "    merge of \(branch): the changes it brought in", "\(log.stdout)")
    #expect(lines.dropFirst(2).first == "    tier: A → B", "\(log.stdout)")
    // The branch's own commit is not on the first-parent timeline; --all-parents shows it.
    #expect(!log.stdout.contains("tier down"))
    let all = try TallyProcess.run(["log", "customers/C-0042", "--all-parents"], in: dir.path)
    #expect(all.stdout.contains("\(branch)  tier down"), "\(all.stdout)")
  }

  @Test func logJSONListsEachCommitsParents() throws {
    let (dir, _, branch) = try makeMergedHistory()
    let log = try TallyProcess.run(["log", "customers/C-0042", "--format", "json"], in: dir.path)
    let object = try #require(try JSONSerialization.jsonObject(with: Data(log.stdout.utf8)) as? [String: Any])
    let commits = try #require(object["commits"] as? [[String: Any]])
    let parents = commits.map { ($0["parents"] as? [String])?.count ?? -1 }
    #expect(parents == [2, 1, 0], "\(log.stdout)")
    let second = try #require((commits[0]["parents"] as? [String])?.last)
    #expect(second.hasPrefix(branch))
  }

  @Test func diffOfAMergeCommitIsWhatItBroughtIn() throws {
    let (dir, merge, _) = try makeMergedHistory()
    let diff = try TallyProcess.run(["diff", "\(merge)^!"], in: dir.path)
    #expect(diff.status == 0, "\(diff.stderr)")
    #expect(diff.stdout.contains("tier: A → B"), "\(diff.stdout)")
    // main's own change is in the first parent already.
    #expect(!diff.stdout.contains("source"), "\(diff.stdout)")
  }

  @Test func diffOfTheFirstCommitSaysItHasNoParent() throws {
    let (dir, _, _) = try makeMergedHistory()
    let root = try git(["rev-list", "--max-parents=0", "HEAD"], in: dir.path).stdout
      .trimmingCharacters(in: .whitespacesAndNewlines)
    let diff = try TallyProcess.run(["diff", "\(root)^!"], in: dir.path)
    #expect(diff.status == 2)
    #expect(diff.stderr.contains("is the first commit"), "\(diff.stderr)")
  }
}
