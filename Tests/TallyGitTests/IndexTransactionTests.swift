import Foundation
import TallyTestSupport
import Testing

@testable import TallyGit

/// ``IndexTransaction`` at the library level: what a commit records (checked with `git`),
/// and that it is all or nothing — a failure at any step, a refusal, a race lost to another
/// process, or a release without a commit leaves the index file's bytes, `HEAD` and every
/// reference exactly as they were.
@Suite("Index transaction")
struct IndexTransactionTests {
  static let author = Signature(name: "赵敏", email: "zhao@example.cn", time: 1_772_500_000, offsetMinutes: 480)
  static let committer = Signature(name: "王芳", email: "wang@example.cn", time: 1_772_500_060, offsetMinutes: 480)

  static func write(_ path: String, _ text: String) -> StagedChange {
    .write(path: path, bytes: Array(text.utf8), executable: false)
  }

  /// Three customers committed; then C-0001 changed and C-0003 added in the working tree.
  func committedRecords() throws -> GitFixture {
    let f = try GitFixture()
    try f.commit(
      "records",
      [
        "customers/C-0001.yaml": "name: 上海华信\nstatus: lead\n", "customers/C-0002.yaml": "name: 南京远达\n",
        "staff/S-0001.yaml": "name: 陈建国\n",
      ])
    try f.write(["customers/C-0001.yaml": "name: 上海华信\nstatus: prospect\n", "customers/C-0003.yaml": "name: 新\n"])
    return f
  }

  /// No lock and no copy of the index is left in the git directory.
  func expectNoLeftovers(_ f: GitFixture, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let names = try FileManager.default.contentsOfDirectory(atPath: f.path + "/.git")
    let left = names.filter { $0.hasSuffix(".lock") || $0.hasPrefix("index.") || $0.contains(".tally-") }
    #expect(left.isEmpty, "left in .git: \(left)", sourceLocation: sourceLocation)
  }

  // MARK: What a commit records

  @Test func aCommitRecordsTheStagedIndexAndMovesTheBranch() throws {
    let f = try committedRecords()
    let parent = try f.id("HEAD")
    try f.write(["customers/C-0002.yaml": nil])
    let repository = try f.repository()
    let transaction = try repository.beginIndexTransaction()
    #expect(f.gitFile("index.lock") != nil, "the index is held while the transaction lasts")
    try transaction.stage([
      Self.write("customers/C-0001.yaml", "name: 上海华信\nstatus: prospect\n"),
      Self.write("customers/C-0003.yaml", "name: 新\n"),
      .remove(path: "customers/C-0002.yaml"),
      // Removing what is not staged is not an error.
      .remove(path: "customers/C-9999.yaml"),
    ])
    #expect(
      (try transaction.entries()).map(\.path) == [
        "customers/C-0001.yaml", "customers/C-0003.yaml", "staff/S-0001.yaml",
      ])
    let commit = try transaction.commit(
      message: "客户状态: 线索 → 意向\n\n详细说明\n", author: Self.author, committer: Self.committer)

    #expect(try f.id("HEAD") == commit)
    #expect(try f.id("refs/heads/main") == commit)
    #expect(try f.id("HEAD^") == parent)
    #expect(try f.out(["rev-list", "--parents", "-1", "HEAD"]) == "\(commit.hex) \(parent.hex)")
    #expect(
      try f.out(["log", "-1", "--format=%an <%ae> %at %ai|%cn <%ce> %ct"])
        == "赵敏 <zhao@example.cn> 1772500000 2026-03-03 09:06:40 +0800|王芳 <wang@example.cn> 1772500060")
    #expect(try f.out(["log", "-1", "--format=%B"]) == "客户状态: 线索 → 意向\n\n详细说明\n")
    #expect(try f.out(["reflog", "-1", "--format=%gs", "main"]) == "commit (tally): 客户状态: 线索 → 意向")
    // The index is what was committed, with the stat data of the files that hold the staged
    // bytes: git finds nothing to look at again (diff-files does not refresh the index).
    #expect(try f.out(["diff-files", "--name-only"]) == "")
    #expect(try f.out(["diff-index", "--cached", "--name-only", "HEAD"]) == "")
    #expect(try f.stagedEntries() == stagedLines(transaction.entries()))
    #expect(try f.out(["status", "--porcelain"]) == "")
    #expect(
      try f.out(["ls-tree", "-r", "--name-only", "HEAD"]).split(separator: "\n") == [
        "customers/C-0001.yaml", "customers/C-0003.yaml", "staff/S-0001.yaml",
      ])
    try f.expectSound()
    try expectNoLeftovers(f)
  }

  @Test func modesAndLinksAreStagedAsGitStagesThem() throws {
    let f = try committedRecords()
    let repository = try f.repository()
    let transaction = try repository.beginIndexTransaction()
    try transaction.stage([
      .write(path: "scripts/check.sh", bytes: Array("#!/bin/sh\nexit 0\n".utf8), executable: true),
      .link(path: "latest.yaml", target: Array("customers/C-0001.yaml".utf8)),
    ])
    try transaction.commit(message: "modes", author: Self.author, committer: Self.committer)
    let check = try f.blobID("#!/bin/sh\nexit 0\n")
    let link = try f.blobID("customers/C-0001.yaml")
    let lines = try f.stagedEntries()
    #expect(lines.contains("100755 \(check.hex) 0\tscripts/check.sh"))
    #expect(lines.contains("120000 \(link.hex) 0\tlatest.yaml"))
    #expect(try f.out(["ls-tree", "HEAD", "latest.yaml"]) == "120000 blob \(link.hex)\tlatest.yaml")
    try f.expectSound()
  }

  @Test func anExplicitTreeIsCommittedWhileTheIndexKeepsEverythingStaged() throws {
    // As `git commit PATH`: the commit holds HEAD plus the named path; what else was staged
    // stays staged.
    let f = try committedRecords()
    let repository = try f.repository()
    let head = try repository.headState()
    let transaction = try repository.beginIndexTransaction()
    let named = Self.write("customers/C-0003.yaml", "name: 新\n")
    try transaction.stage([named, Self.write("customers/C-0001.yaml", "name: 上海华信\nstatus: prospect\n")])
    let tree = try repository.tree(repository.tree(ofCommit: head.commit!), applying: [named])
    let commit = try transaction.commit(message: "one path", author: Self.author, committer: Self.committer, tree: tree)
    #expect(try f.id("HEAD^{tree}") == tree)
    #expect(try f.id("HEAD") == commit)
    #expect(try f.out(["diff", "--cached", "--name-only"]) == "customers/C-0001.yaml")
    #expect(try f.out(["diff-tree", "--no-commit-id", "--name-only", "-r", "HEAD"]) == "customers/C-0003.yaml")
    try f.expectSound()
  }

  @Test func libgit2ReadsTheIndexBesideTheCallerAndItsRefusalStopsTheCommit() throws {
    // The transaction hands out Tally's read of the index at once and lets libgit2 read it
    // on another thread. An index whose checksum is wrong reads fine for Tally (which does
    // not verify it) but not for libgit2: staging then fails with libgit2's word for it, and
    // nothing changes — not the index, not the branch — and the lock is given back.
    let f = try committedRecords()
    var bytes = try #require(f.gitFile("index"))
    bytes[bytes.count - 1] ^= 0xFF
    try Data(bytes).write(to: URL(fileURLWithPath: f.path + "/.git/index"))
    let head = try f.id("HEAD")
    let repository = try f.repository()
    let transaction = try repository.beginIndexTransaction()
    let file = try #require(transaction.file)
    #expect(file.count == 3)
    #expect(throws: GitError.self) { try transaction.stage([Self.write("customers/C-0003.yaml", "name: 新\n")]) }
    do {
      try transaction.stage([Self.write("customers/C-0003.yaml", "name: 新\n")])
    } catch {
      #expect(error.function == "git_index_open")
      #expect(error.message.contains("checksum"), "\(error.message)")
    }
    transaction.release()
    #expect(f.gitFile("index") == bytes)
    #expect(try f.id("HEAD") == head)
    try expectNoLeftovers(f)
    // A good index: the same entries both ways.
    try f.git(["read-tree", "HEAD"])
    let again = try repository.beginIndexTransaction()
    let read = try #require(again.file)
    #expect((0..<read.count).map(read.entry) == (try again.entries()))
    again.release()
  }

  @Test func theFirstCommitOfAnUnbornBranch() throws {
    let f = try GitFixture()
    try f.write(["staff/S-0001.yaml": "name: 陈建国\n"])
    let repository = try f.repository()
    let transaction = try repository.beginIndexTransaction()
    #expect(try transaction.entries().isEmpty)
    try transaction.stage([Self.write("staff/S-0001.yaml", "name: 陈建国\n")])
    let commit = try transaction.commit(message: "first", author: Self.author, committer: Self.committer)
    #expect(try f.id("refs/heads/main") == commit)
    #expect(try f.out(["rev-list", "--parents", "HEAD"]) == commit.hex)
    #expect(try f.out(["status", "--porcelain"]) == "")
    try f.expectSound()
    try expectNoLeftovers(f)
  }

  @Test func aDetachedHeadMovesAndNoBranchDoes() throws {
    let f = try committedRecords()
    let first = try f.id("HEAD")
    try f.commit("second", ["x.txt": "x\n"])
    let main = try f.id("main")
    try f.git(["checkout", "-q", "--detach", first.hex])
    let repository = try f.repository()
    let transaction = try repository.beginIndexTransaction()
    try transaction.stage([Self.write("customers/C-0003.yaml", "name: 新\n")])
    let commit = try transaction.commit(message: "detached", author: Self.author, committer: Self.committer)
    #expect(try f.out(["rev-parse", "--symbolic-full-name", "HEAD"]) == "HEAD")
    #expect(try f.id("HEAD") == commit)
    #expect(try f.id("HEAD^") == first)
    #expect(try f.id("main") == main)
  }

  // MARK: Merges

  /// main and side each changed a different file; `git merge --no-commit side` stopped
  /// with the merged index, for tally to commit.
  func mergeInProgress() throws -> (GitFixture, main: ObjectID, side: ObjectID) {
    let f = try committedRecords()
    try f.git(["checkout", "-q", "-b", "side"])
    let side = try f.commit("side", ["staff/S-0001.yaml": "name: 陈建国\nrole: manager\n"])
    try f.git(["checkout", "-q", "main"])
    let main = try f.commit("main", ["customers/C-0002.yaml": "name: 南京远达\nstatus: lead\n"])
    try f.git(["merge", "-q", "--no-commit", "--no-ff", "side"])
    return (f, main, side)
  }

  @Test func aMergeCommitHasTheMergedHeadsAsParentsAndEndsTheMerge() throws {
    let (f, main, side) = try mergeInProgress()
    let repository = try f.repository()
    #expect(try repository.operationInProgress() == .merge)
    let heads = try repository.mergeHeads()
    #expect(heads == [side])
    let message = try #require(try repository.preparedMessage())
    #expect(message.hasPrefix("Merge branch 'side'"))
    let transaction = try repository.beginIndexTransaction()
    #expect(try !transaction.hasConflicts())
    let commit = try transaction.commit(
      message: message, author: Self.author, committer: Self.committer, mergeHeads: heads)
    #expect(try f.out(["rev-list", "--parents", "-1", "HEAD"]) == "\(commit.hex) \(main.hex) \(side.hex)")
    #expect(try f.out(["reflog", "-1", "--format=%gs", "main"]) == "commit (merge) (tally): Merge branch 'side'")
    #expect(f.gitFile("MERGE_HEAD") == nil)
    #expect(f.gitFile("MERGE_MSG") == nil)
    #expect(try repository.operationInProgress() == nil)
    #expect(try repository.mergeHeads().isEmpty)
    #expect(try repository.preparedMessage() == nil)
    #expect(try f.out(["cat-file", "-p", "HEAD:staff/S-0001.yaml"]) == "name: 陈建国\nrole: manager")
    #expect(try f.out(["status", "--porcelain"]) == "")
    try f.expectSound()
  }

  @Test func aConflictedIndexIsRefusedAndLeftAsItWas() throws {
    let f = try committedRecords()
    try f.git(["checkout", "-q", "-b", "side"])
    try f.commit("side", ["customers/C-0002.yaml": "name: 南京远达\nstatus: active\n"])
    try f.git(["checkout", "-q", "main"])
    try f.commit("main", ["customers/C-0002.yaml": "name: 南京远达\nstatus: lead\n"])
    let merge = try f.git(["merge", "-q", "side"], allowFailure: true)
    #expect(merge.status != 0, "the merge stops on the conflict")
    let before = try f.state()
    let mergeHead = f.gitFile("MERGE_HEAD")
    let repository = try f.repository()
    let transaction = try repository.beginIndexTransaction()
    #expect(try transaction.hasConflicts())
    #expect(try Set(transaction.entries().filter { $0.stage > 0 }.map(\.stage)) == [1, 2, 3])
    let error = try #require(throws: GitError.self) {
      try transaction.commit(
        message: "x", author: Self.author, committer: Self.committer, mergeHeads: try repository.mergeHeads())
    }
    #expect(error.code == .unmerged)
    transaction.release()
    #expect(try f.state() == before)
    #expect(f.gitFile("MERGE_HEAD") == mergeHead)
    try expectNoLeftovers(f)
  }

  @Test func stagingAConflictedPathResolvesItAsGitAddDoes() throws {
    let f = try committedRecords()
    try f.git(["checkout", "-q", "-b", "side"])
    try f.commit(
      "side", ["customers/C-0002.yaml": "name: 南京远达\nstatus: active\n", "staff/S-0001.yaml": "name: 陈建国\nrole: x\n"])
    try f.git(["checkout", "-q", "main"])
    try f.commit("main", ["customers/C-0002.yaml": "name: 南京远达\nstatus: lead\n", "staff/S-0001.yaml": nil])
    let merge = try f.git(["merge", "-q", "side"], allowFailure: true)
    #expect(merge.status != 0, "the merge stops on the conflicts")
    #expect(try f.out(["ls-files", "-u"]).split(separator: "\n").count == 5)
    let repository = try f.repository()
    let transaction = try repository.beginIndexTransaction()
    // A content conflict resolved by writing the file, a modify/delete one by removing it.
    try transaction.stage([
      Self.write("customers/C-0002.yaml", "name: 南京远达\nstatus: active\n"), .remove(path: "staff/S-0001.yaml"),
    ])
    #expect(try !transaction.hasConflicts())
    try transaction.writeIndex()
    #expect(try f.out(["ls-files", "-u"]) == "")
    #expect(try f.out(["ls-files", "-s", "customers/C-0002.yaml"]).hasSuffix(" 0\tcustomers/C-0002.yaml"))
    #expect(try f.out(["ls-files", "staff/S-0001.yaml"]) == "")
    try f.write(["customers/C-0002.yaml": "name: 南京远达\nstatus: active\n", "staff/S-0001.yaml": nil])
    // Staged as resolved; deleted, as HEAD has it: nothing to commit for it.
    let status = try f.out(["status", "--porcelain"]).split(separator: "\n")
    #expect(status.contains("M  customers/C-0002.yaml"), "\(status)")
    #expect(!status.contains { $0.contains("staff/") }, "\(status)")
    // The conflict stages were kept for undoing, as git keeps them: checkout -m conflicts the file again.
    try f.git(["checkout", "-m", "customers/C-0002.yaml"])
    #expect(try f.out(["ls-files", "-u", "customers/C-0002.yaml"]).split(separator: "\n").count == 3)
    try expectNoLeftovers(f)
  }

  // MARK: All or nothing

  @Test func releasingWithoutACommitChangesNothing() throws {
    let f = try committedRecords()
    let before = try f.state()
    let repository = try f.repository()
    do {
      let transaction = try repository.beginIndexTransaction()
      try transaction.stage([Self.write("customers/C-0003.yaml", "name: 新\n"), .remove(path: "staff/S-0001.yaml")])
      _ = try transaction.writeTree()
      transaction.release()
      // Released twice: nothing more happens.
      transaction.release()
    }
    #expect(try f.state() == before)
    try expectNoLeftovers(f)
    do {
      // Dropped without a release: deinit gives the lock back.
      let transaction = try repository.beginIndexTransaction()
      try transaction.stage([Self.write("customers/C-0003.yaml", "name: 新\n")])
    }
    #expect(try f.state() == before)
    try expectNoLeftovers(f)
  }

  @Test func aFinishedTransactionCommitsNothingMore() throws {
    let f = try committedRecords()
    let repository = try f.repository()
    let transaction = try repository.beginIndexTransaction()
    try transaction.stage([Self.write("customers/C-0003.yaml", "name: 新\n")])
    try transaction.commit(message: "once", author: Self.author, committer: Self.committer)
    let after = try f.state()
    let again = try #require(throws: GitError.self) {
      try transaction.commit(message: "twice", author: Self.author, committer: Self.committer)
    }
    #expect(again.code == .locked)
    #expect(try #require(throws: GitError.self) { try transaction.writeIndex() }.code == .locked)
    #expect(try f.state() == after)
  }

  @Test func aBranchMovedByAnotherProcessIsNotOverwritten() throws {
    let f = try committedRecords()
    let repository = try f.repository()
    let transaction = try repository.beginIndexTransaction()
    try transaction.stage([Self.write("customers/C-0003.yaml", "name: 新\n")])
    // Another process moves the branch (update-ref does not need the index).
    let tree = try f.out(["rev-parse", "HEAD^{tree}"])
    let other = try f.out(["commit-tree", tree, "-p", "HEAD", "-m", "elsewhere"])
    try f.git(["update-ref", "refs/heads/main", other])
    let before = try f.state()
    let error = try #require(throws: GitError.self) {
      try transaction.commit(message: "lost race", author: Self.author, committer: Self.committer)
    }
    #expect(error.code == .modified)
    #expect(error.description.contains("refs/heads/main moved while this commit was prepared"))
    transaction.release()
    #expect(try f.state() == before)
    #expect(try f.out(["rev-parse", "main"]) == other)
    try expectNoLeftovers(f)
  }

  @Test func writeIndexReplacesTheIndexWithoutACommit() throws {
    let f = try committedRecords()
    let head = try f.id("HEAD")
    let repository = try f.repository()
    let transaction = try repository.beginIndexTransaction()
    try transaction.stage([Self.write("customers/C-0003.yaml", "name: 新\n")])
    try transaction.writeIndex()
    #expect(try f.id("HEAD") == head)
    #expect(try f.out(["diff", "--cached", "--name-status"]) == "A\tcustomers/C-0003.yaml")
    #expect(try f.stagedEntries() == stagedLines(try repository.indexEntries()))
    try expectNoLeftovers(f)
    // Finished: a second write is refused.
    #expect(try #require(throws: GitError.self) { try transaction.writeIndex() }.code == .locked)
  }

  @Test func aSecondTransactionWaitsForTheFirstThenGivesUp() throws {
    let f = try committedRecords()
    let repository = try f.repository()
    let first = try repository.beginIndexTransaction()
    var notices: [LockNotice] = []
    let started = Date()
    let error = try #require(throws: GitError.self) {
      try repository.beginIndexTransaction(timeout: 0.3) { notices.append($0) }
    }
    #expect(Date().timeIntervalSince(started) >= 0.3)
    #expect(error.code == .locked)
    #expect(error.description.contains("is held by tally (process \(getpid()))"))
    #expect(
      notices == [.waiting(path: f.path + "/.git/index.lock", holder: "tally (process \(getpid()))", seconds: 0.3)])
    first.release()
    let second = try repository.beginIndexTransaction(timeout: 0)
    second.release()
    try expectNoLeftovers(f)
  }

  /// Where `HEAD` is when a commit is made.
  enum Situation: String, CaseIterable, Sendable {
    case branch
    case unborn
    case detached
    case merge

    /// How many parents a commit made here has.
    var parents: Int {
      switch self {
      case .unborn: 0
      case .branch, .detached: 1
      case .merge: 2
      }
    }
  }

  /// A repository in `situation`, and the changes and merge heads to commit there.
  func repository(in situation: Situation) throws -> (GitFixture, [StagedChange], [ObjectID]) {
    let change = Self.write("customers/C-0003.yaml", "name: 新\n")
    switch situation {
    case .branch:
      let f = try committedRecords()
      return (f, [change, .remove(path: "customers/C-0002.yaml")], [])
    case .unborn:
      let f = try GitFixture()
      try f.write(["customers/C-0003.yaml": "name: 新\n"])
      return (f, [change], [])
    case .detached:
      let f = try committedRecords()
      try f.git(["checkout", "-q", "--detach"])
      return (f, [change], [])
    case .merge:
      let (f, _, side) = try mergeInProgress()
      return (f, [change], [side])
    }
  }

  @Test(arguments: Situation.allCases, [IndexTransaction.Step.afterStaging, .afterCommitObject, .afterBranchUpdate])
  func aFailureAtAnyStepLeavesIndexHeadAndReferencesAsTheyWere(
    situation: Situation, step: IndexTransaction.Step
  ) throws {
    let (f, changes, mergeHeads) = try repository(in: situation)
    let before = try f.state()
    let mergeState = [f.gitFile("MERGE_HEAD"), f.gitFile("MERGE_MSG")]
    let reflog = try f.git(["reflog", "--format=%H %gs"], allowFailure: true).stdout
    let repository = try f.repository()
    do {
      let transaction = try repository.beginIndexTransaction()
      try transaction.stage(changes)
      transaction.injectedFailure = step
      let error = try #require(throws: GitError.self) {
        try transaction.commit(
          message: "refused", author: Self.author, committer: Self.committer, mergeHeads: mergeHeads)
      }
      #expect(error.message == "injected failure at \(step.rawValue)")
      transaction.release()
    }
    #expect(try f.state() == before)
    #expect([f.gitFile("MERGE_HEAD"), f.gitFile("MERGE_MSG")] == mergeState)
    try expectNoLeftovers(f)
    try f.expectSound()
    if step != .afterBranchUpdate {
      // Nothing moved, so nothing was written to the reflog either.
      #expect(try f.git(["reflog", "--format=%H %gs"], allowFailure: true).stdout == reflog)
    }

    // The repository is as usable as before: the same commit now goes through.
    let transaction = try repository.beginIndexTransaction()
    try transaction.stage(changes)
    let commit = try transaction.commit(
      message: "accepted", author: Self.author, committer: Self.committer, mergeHeads: mergeHeads)
    #expect(try f.id("HEAD") == commit)
    #expect(try f.out(["cat-file", "-p", "HEAD:customers/C-0003.yaml"]) == "name: 新")
    #expect(try f.out(["rev-list", "--parents", "-1", "HEAD"]).split(separator: " ").count == 1 + situation.parents)
    try f.expectSound()
  }
}
