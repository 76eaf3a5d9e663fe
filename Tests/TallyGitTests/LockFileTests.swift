import Foundation
import TallyTestSupport
import Testing

@testable import TallyGit

/// ``LockFile``: a lock whose holder is gone is removed with a notice; one held by a live
/// process, by another host or by git is waited for and then reported.
@Suite("Lock files")
struct LockFileTests {
  /// A process id that no process has now.
  static func deadProcessID() throws -> Int32 {
    let maximum =
      Int32(
        (try? String(contentsOfFile: "/proc/sys/kernel/pid_max", encoding: .utf8))?
          .trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 32768
    for pid in stride(from: maximum - 1, to: 300, by: -1) where kill(pid, 0) != 0 && errno == ESRCH {
      return pid
    }
    throw CancellationError()
  }

  func lockPath() throws -> (TemporaryDirectory, String) {
    let dir = try TemporaryDirectory()
    return (dir, dir.path + "/index.lock")
  }

  @Test func aLockHoldsItsOwnerUntilReleased() throws {
    let (dir, path) = try lockPath()
    let lock = try LockFile(path, timeout: 0) { _ in Issue.record("no notice expected") }
    let owner = try #require(LockOwner.read(path))
    #expect(owner == LockOwner.current)
    #expect(owner.pid == getpid())
    #expect(owner.start != 0, "the start time is read from /proc")
    #expect(!owner.isStale)
    #expect(try dir.read("index.lock") == "tally \(getpid()) \(owner.start) \(LockOwner.hostName)\n")
    lock.release()
    #expect(!FileManager.default.fileExists(atPath: path))
    // No draft of the lock is left either.
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    lock.release()
    do { _ = try LockFile(path, timeout: 0) { _ in } }
    #expect(!FileManager.default.fileExists(atPath: path), "deinit releases the lock")
  }

  @Test func aLockLeftByAProcessThatIsGoneIsRemovedWithANotice() throws {
    let (dir, path) = try lockPath()
    let pid = try Self.deadProcessID()
    try dir.write("index.lock", "tally \(pid) 12345 \(LockOwner.hostName)\n")
    var notices: [LockNotice] = []
    let lock = try LockFile(path, timeout: 5) { notices.append($0) }
    #expect(notices == [.removedStale(path: path, pid: pid)])
    #expect(
      notices.first?.description
        == "removed the stale lock \(path) left by tally process \(pid), which is no longer running")
    #expect(LockOwner.read(path) == LockOwner.current)
    lock.release()
  }

  @Test func aLockWhoseProcessIdWasReusedIsStale() throws {
    let (dir, path) = try lockPath()
    // This process's id, but another start time: the holder was an earlier process.
    let current = LockOwner.current
    try dir.write("index.lock", "tally \(current.pid) \(current.start + 1) \(LockOwner.hostName)\n")
    #expect(try #require(LockOwner.read(path)).isStale)
    var notices: [LockNotice] = []
    let lock = try LockFile(path, timeout: 5) { notices.append($0) }
    #expect(notices == [.removedStale(path: path, pid: current.pid)])
    lock.release()
  }

  @Test func aLiveHolderIsWaitedForThenReported() throws {
    let (dir, path) = try lockPath()
    let held = try LockFile(path, timeout: 0) { _ in }
    var notices: [LockNotice] = []
    let started = Date()
    let error = try #require(throws: GitError.self) { try LockFile(path, timeout: 0.25) { notices.append($0) } }
    #expect(Date().timeIntervalSince(started) >= 0.25)
    #expect(error.code == .locked)
    #expect(error.description == "'\(path)' is held by tally (process \(getpid())), still running after 0.25 s")
    #expect(notices == [.waiting(path: path, holder: "tally (process \(getpid()))", seconds: 0.25)])
    #expect(
      notices.first?.description == "waiting for tally (process \(getpid())), which holds \(path) (up to 0.25 s)")
    // The holder's lock is untouched.
    #expect(LockOwner.read(path) == LockOwner.current)
    held.release()
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
  }

  @Test func aLockFromAnotherHostIsNeverCalledStale() throws {
    let (dir, path) = try lockPath()
    let pid = try Self.deadProcessID()
    try dir.write("index.lock", "tally \(pid) 1 build-server-7\n")
    let owner = try #require(LockOwner.read(path))
    #expect(!owner.isLocal)
    #expect(!owner.isStale)
    let error = try #require(throws: GitError.self) { try LockFile(path, timeout: 0) { _ in } }
    #expect(error.code == .locked)
    #expect(error.description.contains("held by tally (process \(pid) on build-server-7)"))
    #expect(try dir.read("index.lock") == "tally \(pid) 1 build-server-7\n")
  }

  @Test(arguments: ["", "DIRC\u{0}\u{0}\u{0}\u{2}", "tally 12 x\n", "tally twelve 1 host\n"])
  func aLockThatIsNotTallysIsLeftAlone(content: String) throws {
    let (dir, path) = try lockPath()
    try dir.write("index.lock", content)
    #expect(LockOwner.read(path) == nil)
    var notices: [LockNotice] = []
    let error = try #require(throws: GitError.self) { try LockFile(path, timeout: 0.1) { notices.append($0) } }
    #expect(error.code == .locked)
    #expect(error.description.contains("another git process seems to be running in this repository"))
    #expect(notices == [.waiting(path: path, holder: "another git process", seconds: 0.1)])
    #expect(try dir.read("index.lock") == content)
  }

  @Test func aStaleIndexLockDoesNotStopATransaction() throws {
    let f = try GitFixture()
    try f.commit("one", ["a.txt": "a\n"])
    let pid = try Self.deadProcessID()
    try f.dir.write(".git/index.lock", "tally \(pid) 99 \(LockOwner.hostName)\n")
    // What a killed run may leave next to it.
    try f.dir.write(".git/index.tally", "half a copy")
    let repository = try f.repository()
    var notices: [LockNotice] = []
    let transaction = try repository.beginIndexTransaction(timeout: 5) { notices.append($0) }
    #expect(notices == [.removedStale(path: f.path + "/.git/index.lock", pid: pid)])
    try transaction.stage([.write(path: "b.txt", bytes: Array("b\n".utf8), executable: false)])
    try transaction.commit(
      message: "after a crash", author: IndexTransactionTests.author, committer: IndexTransactionTests.committer)
    #expect(try f.out(["ls-files"]) == "a.txt\nb.txt")
    #expect(f.gitFile("index.lock") == nil)
    #expect(f.gitFile("index.tally") == nil)
    try f.expectSound()
  }
}
