import Foundation
import TallyGit
import TallySchema
import TallyTestSupport
import Testing

@testable import TallyRecords

/// A commit's plan from Tally's own read of the index (which finds the paths staged
/// differently from HEAD through the index's cache-tree and looks HEAD's files up one by
/// one) is the plan made from libgit2's entries and a listing of all of HEAD: same changes,
/// same index and tree updates, same check — for each way of choosing what to commit.
@Suite("Commit plans from the index file")
struct CommitPlanTests {
  static let exampleRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../../example-repo").standardized.path

  /// example-repo in a temporary git repository, committed, then changed: a record edited
  /// and staged, one deleted and staged, one added and staged, one edited and left unstaged
  /// (with a layout the formatter changes), one whose mode is staged as executable.
  func changedExample() throws -> (TemporaryDirectory, String) {
    let directory = try TemporaryDirectory(prefix: "tally-plan")
    let root = directory.path + "/r"
    try FileManager.default.copyItem(atPath: Self.exampleRoot, toPath: root)
    let environment = [
      "HOME": directory.path, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null",
      "GIT_AUTHOR_NAME": "何杰", "GIT_AUTHOR_EMAIL": "hejie@huadong.example", "GIT_COMMITTER_NAME": "何杰",
      "GIT_COMMITTER_EMAIL": "hejie@huadong.example",
    ]
    func git(_ arguments: [String]) throws {
      let result = try TallyProcess.runProgram("git", arguments, in: root, environment: environment)
      #expect(result.status == 0, "git \(arguments): \(result.stderr)")
    }
    try git(["init", "-q", "-b", "main"])
    try git(["add", "-A"])
    try git(["commit", "-q", "-m", "records"])
    func edit(_ path: String, _ change: (String) -> String) throws {
      let text = try String(contentsOfFile: root + "/" + path, encoding: .utf8)
      try change(text).write(toFile: root + "/" + path, atomically: true, encoding: .utf8)
    }
    try edit("customers/C-0042.yaml") { $0.replacingOccurrences(of: "scale: ", with: "scale:  ") }
    try edit("customers/C-0043.yaml") { $0 + "notes: 新的备注\n" }
    try FileManager.default.removeItem(atPath: root + "/customers/C-0044.yaml")
    try FileManager.default.copyItem(atPath: root + "/customers/C-0045.yaml", toPath: root + "/customers/C-9045.yaml")
    try git(["add", "customers/C-0043.yaml", "customers/C-0044.yaml", "customers/C-9045.yaml"])
    try git(["update-index", "--chmod=+x", "customers/C-0046.yaml"])
    return (directory, root)
  }

  func plans(_ root: String, _ selection: Committer.Selection) throws -> (Committer.Plan, Committer.Plan) {
    let records = try RecordsRepository.open(root: root, from: root, displayBase: root)
    let today = CivilDate(year: 2026, month: 11, day: 1)
    // A fresh committer for each, with no stored check state: both check the same way.
    let fromFile = try Committer(records: records, today: today)
    fromFile.checker.persistent = false
    let staged = try StagedIndex.read(fromFile.git)
    guard case .file = staged.storage else {
      Issue.record("the index was not read by Tally")
      return try (
        fromFile.plan(selection, message: nil, staged: staged), fromFile.plan(selection, message: nil, staged: staged)
      )
    }
    let fromEntries = try Committer(records: records, today: today)
    fromEntries.checker.persistent = false
    let entries = StagedIndex(entries: try fromEntries.git.indexEntries())
    return (
      try fromFile.plan(selection, message: nil, staged: staged),
      try fromEntries.plan(selection, message: nil, staged: entries)
    )
  }

  func summary(_ plan: Committer.Plan) -> [String] {
    plan.changes.map {
      "\($0.kind.rawValue) \($0.path) \($0.old?.count ?? -1) \($0.new?.count ?? -1) \($0.reformatted)"
    }
      + plan.indexUpdates.map { "index \($0)" } + (plan.treeUpdates ?? []).map { "tree \($0)" }
      + plan.report.diagnostics.map { "problem \($0)" } + ["message \(plan.message)", "refused \(plan.isRefused)"]
  }

  @Test(arguments: ["staged", "all", "file", "folder", "deleted", "unchanged"])
  func plansFromTheIndexFileAreThoseFromLibgit2(_ choice: String) throws {
    let (directory, root) = try changedExample()
    _ = directory
    let selection: Committer.Selection =
      switch choice {
      case "staged": .staged
      case "all": .all
      case "file": .paths(["customers/C-0043.yaml"])
      case "folder": .paths(["customers"])
      case "deleted": .paths(["customers/C-0044.yaml"])
      default: .paths(["customers/C-0044.yaml", "customers/C-0047.yaml"])
      }
    let (fromFile, fromEntries) = try plans(root, selection)
    #expect(summary(fromFile) == summary(fromEntries))
    #expect(!fromFile.changes.isEmpty)
    // A staged change of mode alone is committed and said.
    if choice == "staged" {
      #expect(fromFile.changes.contains { $0.path == "customers/C-0046.yaml" && $0.old == $0.new })
      #expect(fromFile.message.contains("customer C-0046: mode changed"))
    }
  }
}
