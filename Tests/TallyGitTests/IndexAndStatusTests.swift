import Foundation
import TallyTestSupport
import Testing

@testable import TallyGit

/// Reading the index and the working tree's status, and telling which git operation stopped
/// half-way: each compared with what `git` reports for the same repository.
@Suite("Index, status and operations in progress")
struct IndexAndStatusTests {
  func records() throws -> GitFixture {
    let f = try GitFixture()
    try f.commit(
      "records",
      [
        "customers/C-0001.yaml": "name: 甲\n", "customers/C-0002.yaml": "name: 乙\n",
        "customers-old/C-0000.yaml": "name: 旧\n", "staff/S-0001.yaml": "name: 陈建国\n", "README.md": "r\n",
      ])
    return f
  }

  @Test func indexEntriesAreWhatGitLsFilesLists() throws {
    let f = try records()
    try f.write(["customers/C-0003.yaml": "name: 丙\n", "客户/说明.yaml": "x: 1\n"])
    try f.git(["add", "-A"])
    try f.git(["update-index", "--chmod=+x", "README.md"])
    let repository = try f.repository()
    #expect(stagedLines(try repository.indexEntries()) == (try f.stagedEntries()))
  }

  @Test func changesAgainstATreeUnderAPrefixAreWhatGitDiffCachedLists() throws {
    let f = try records()
    let head = try f.id("HEAD^{tree}")
    try f.write([
      "customers/C-0001.yaml": "name: 甲\nstatus: lead\n", "customers/C-0002.yaml": nil,
      "customers/C-0003.yaml": "name: 丙\n", "customers-old/C-0000.yaml": "name: 更旧\n", "README.md": "s\n",
    ])
    try f.git(["add", "-A"])
    let repository = try f.repository()
    for prefix in ["", "customers", "staff"] {
      let (entries, changed) = try repository.indexEntries(comparedWith: head, under: prefix)
      #expect(stagedLines(entries) == (try f.stagedEntries()))
      let expected = try f.out(["diff", "--cached", "--name-only", head.hex, "--"] + (prefix.isEmpty ? [] : [prefix]))
      #expect(
        (changed ?? []).sorted() == expected.split(separator: "\n").map(String.init).sorted(), "prefix '\(prefix)'")
    }
    // 'customers' does not reach into 'customers-old'.
    let changed = try repository.indexEntries(comparedWith: head, under: "customers").changed ?? []
    #expect(changed.sorted() == ["customers/C-0001.yaml", "customers/C-0002.yaml", "customers/C-0003.yaml"])
    #expect(try repository.indexEntries(comparedWith: nil, under: "").changed == nil)
  }

  @Test func theIndexNamedByGitIndexFileIsTheOneRead() throws {
    // As in a hook run by `git commit -a`: git prepared another index and named it.
    let f = try records()
    let other = f.home.path + "/prepared-index"
    try f.git(["read-tree", "HEAD"], environment: ["GIT_INDEX_FILE": other])
    let blob = try f.blobID("name: 丁\n", write: true)
    try f.git(
      ["update-index", "--add", "--cacheinfo", "100644,\(blob.hex),customers/C-0004.yaml"],
      environment: ["GIT_INDEX_FILE": other])
    let repository = try f.repository()
    let entries = try TestEnvironment.with("GIT_INDEX_FILE", other) { try repository.indexEntries() }
    #expect(entries.contains { $0.path == "customers/C-0004.yaml" && $0.id == blob })
    let expected = try f.git(["ls-files", "--stage"], environment: ["GIT_INDEX_FILE": other]).stdout
    #expect(stagedLines(entries) == expected.split(separator: "\n").map(String.init))
    // Without it, the repository's own index.
    #expect(!(try repository.indexEntries()).contains { $0.path == "customers/C-0004.yaml" })
  }

  @Test func workingTreeChangesAreWhatGitStatusLists() throws {
    let f = try records()
    try f.write([
      "customers/C-0001.yaml": "name: 甲\nstatus: lead\n", "customers/C-0002.yaml": nil,
      "customers/new/C-0009.yaml": "name: 新\n", "customers-old/C-0000.yaml": "name: 更旧\n",
      "ignored.log": "x\n", ".gitignore": "*.log\n",
    ])
    let repository = try f.repository()
    let all = try repository.workingTreeChanges(under: "")
    func kind(_ code: Substring) -> WorkingTreeChange.Kind {
      code == "??" ? .added : code.hasSuffix("D") ? .deleted : .modified
    }
    let status = try f.out(["status", "--porcelain=v1", "--untracked-files=all"]).split(separator: "\n").map {
      WorkingTreeChange(path: String($0.dropFirst(3)), kind: kind($0.prefix(2)))
    }
    #expect(Set(all) == Set(status))
    #expect(!all.contains { $0.path == "ignored.log" })
    let customers = try repository.workingTreeChanges(under: "customers")
    #expect(
      Set(customers) == [
        WorkingTreeChange(path: "customers/C-0001.yaml", kind: .modified),
        WorkingTreeChange(path: "customers/C-0002.yaml", kind: .deleted),
        WorkingTreeChange(path: "customers/new/C-0009.yaml", kind: .added),
      ])
    // Staged changes are not working-tree changes.
    try f.git(["add", "-A"])
    #expect(try repository.workingTreeChanges(under: "").isEmpty)
  }

  // MARK: Operations in progress

  /// main and side changed the same line of C-0001.
  func conflictingBranches() throws -> (GitFixture, side: ObjectID) {
    let f = try records()
    try f.git(["checkout", "-q", "-b", "side"])
    let side = try f.commit("side", ["customers/C-0001.yaml": "name: 甲方\n"])
    try f.git(["checkout", "-q", "main"])
    try f.commit("main", ["customers/C-0001.yaml": "name: 甲公司\n"])
    return (f, side)
  }

  @Test func noOperationIsInProgressInAQuietRepository() throws {
    let f = try records()
    let repository = try f.repository()
    #expect(try repository.operationInProgress() == nil)
    #expect(try repository.mergeHeads().isEmpty)
    #expect(try repository.preparedMessage() == nil)
  }

  @Test func aStoppedMergeIsAMerge() throws {
    let (f, side) = try conflictingBranches()
    #expect(try f.git(["merge", "-q", "side"], allowFailure: true).status != 0)
    let repository = try f.repository()
    #expect(try repository.operationInProgress() == .merge)
    #expect(try repository.mergeHeads() == [side])
    #expect(try repository.preparedMessage()?.hasPrefix("Merge branch 'side'") == true)
    #expect(OperationInProgress.merge.advice.contains("git merge --abort"))
    try f.git(["merge", "--abort"])
    #expect(try repository.operationInProgress() == nil)
  }

  @Test func aStoppedCherryPickRevertRebaseAndBisectAreToldApart() throws {
    do {
      let (f, side) = try conflictingBranches()
      #expect(try f.git(["cherry-pick", side.hex], allowFailure: true).status != 0)
      #expect(try f.repository().operationInProgress() == .cherryPick)
      #expect(try f.repository().mergeHeads().isEmpty)
    }
    do {
      let (f, _) = try conflictingBranches()
      try f.commit("again", ["customers/C-0001.yaml": "name: 甲公司二\n"])
      #expect(try f.git(["revert", "--no-edit", "HEAD~1"], allowFailure: true).status != 0)
      #expect(try f.repository().operationInProgress() == .revert)
    }
    do {
      let (f, _) = try conflictingBranches()
      #expect(try f.git(["rebase", "side"], allowFailure: true).status != 0)
      #expect(try f.repository().operationInProgress() == .rebase)
      #expect(
        OperationInProgress.rebase.advice
          == "finish it with 'git rebase --continue', or abandon it with 'git rebase --abort'")
    }
    do {
      let f = try records()
      try f.git(["bisect", "start"])
      #expect(try f.repository().operationInProgress() == .bisect)
    }
  }
}
