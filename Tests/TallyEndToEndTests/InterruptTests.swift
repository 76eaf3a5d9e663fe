import Foundation
import TallySampleData
import TallyTestSupport
import Testing

/// A repository of generated customers, committed, with every customer changed in the
/// working tree — half only in layout, half in a field — and what each file holds before
/// and after `tally fmt` (which is also what a finished `tally commit --all` leaves).
final class InterruptFixture: @unchecked Sendable {
  let directory: TemporaryDirectory
  var path: String { directory.path + "/repo" }
  /// Customer path → bytes in the working tree before the command.
  let before: [String: [UInt8]]
  /// Customer path → canonical bytes.
  let after: [String: [UInt8]]

  init(customers: Int) throws {
    directory = try TemporaryDirectory(prefix: "interrupt")
    let root = directory.path + "/repo"
    let records = SampleCorpus.checkRepository(customers: customers, seed: 18)
    let schemas = Golden.directory() + "/../../schema"
    var files = records
    for name in try FileManager.default.contentsOfDirectory(atPath: schemas) where name.hasSuffix(".yaml") {
      files["schema/" + name] = Array(try Data(contentsOf: URL(fileURLWithPath: schemas + "/" + name)))
    }
    files["tally.yaml"] = Array("version: 1\nschema_dir: schema\ntime_zone: Asia/Shanghai\ncurrency: CNY\n".utf8)
    for (relative, bytes) in files {
      let url = URL(fileURLWithPath: root + "/" + relative)
      try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
      try Data(bytes).write(to: url)
    }
    try git(["init", "-q", "-b", "main"], in: root)
    try git(["config", "core.hooksPath", "/dev/null"], in: root)
    try git(["add", "-A"], in: root)
    try git(["commit", "-q", "-m", "records"], in: root)
    var before: [String: [UInt8]] = [:]
    for (index, relative) in files.keys.filter({ $0.hasPrefix("customers/") }).sorted().enumerated() {
      let text = String(decoding: files[relative]!, as: UTF8.self)
      let changed: String
      if index % 2 == 0 {
        changed = text.replacing("\ntier: ", with: "\ntier:    ")
      } else {
        let tier = text.firstMatch(of: /\ntier: (.)\n/)?.1 ?? "A"
        changed = text.replacing("\ntier: \(tier)\n", with: "\ntier:  \(tier == "A" ? "B" : "A")\n")
      }
      before[relative] = Array(changed.utf8)
      try Data(changed.utf8).write(to: URL(fileURLWithPath: root + "/" + relative))
    }
    self.before = before
    let formatted = try twin(of: root)
    let fmt = try TallyProcess.run(["fmt"], in: formatted.path)
    #expect(fmt.status == 0, "\(fmt.stderr)")
    var after: [String: [UInt8]] = [:]
    for relative in before.keys {
      after[relative] = Array(try Data(contentsOf: URL(fileURLWithPath: formatted.path + "/" + relative)))
    }
    self.after = after
  }

  /// The files every run must leave behind: none of these may exist.
  static let leftovers = [".git/index.lock", ".git/index.tally", ".git/index.tally.lock"]
}

/// Issue 18, item 3: `tally commit --all` and `tally fmt`, stopped by SIGINT, SIGTERM or
/// SIGHUP at random moments, leave no lock and no temporary file, every file as it was or
/// whole in its new form, and a repository `git fsck` finds consistent: a commit either
/// landed whole (the index is the commit, the files are canonical) or not at all (the
/// index and every file as before).
///
/// `make test` runs a short, seeded run; `make stress` a long one
/// (`TALLY_STRESS_MOMENTS`, `TALLY_STRESS_CUSTOMERS`, `TALLY_SEED`).
@Suite("Interrupted writes leave nothing half-done (end to end)", .serialized)
struct InterruptTests {
  static let environment = ProcessInfo.processInfo.environment
  static let moments = environment["TALLY_STRESS_MOMENTS"].flatMap(Int.init) ?? 5
  static let customers = environment["TALLY_STRESS_CUSTOMERS"].flatMap(Int.init) ?? 1_500
  static let seed = environment["TALLY_SEED"].flatMap(UInt64.init) ?? 18_003
  static let fixture = Result(catching: { try InterruptFixture(customers: customers) })

  @Test(arguments: [["commit", "--all", "-m", "bulk"], ["fmt"]])
  func interruptedAtRandomMoments(command: [String]) throws {
    let fixture = try Self.fixture.get()
    try interruptAtRandomMoments(
      command, seed: Self.seed &+ UInt64(command.count), copy: { try twin(of: fixture.path) }
    ) {
      path, moment in
      try expectConsistent(path, fixture: fixture, command: command, moment: moment)
    }
  }

  /// `tally migrate layout`, stopped at random moments: the move landed whole (one commit,
  /// every customer in its shard, the schema saying so) or not at all (every file where it
  /// was); never a mix, never a change left in the working tree or the index.
  @Test func migrateLayoutInterruptedAtRandomMoments() throws {
    let fixture = try Self.fixture.get()
    let command = ["migrate", "layout", "customer", "--digits", "2"]
    func clean() throws -> TemporaryDirectory {
      let dir = try twin(of: fixture.path)
      try git(["reset", "-q", "--hard"], in: dir.path)
      return dir
    }
    try interruptAtRandomMoments(command, seed: Self.seed &+ 7, copy: clean) { path, moment in
      let landed = try expectMigrationConsistent(path, fixture: fixture, moment: moment)
      if moment == "uninterrupted" { #expect(landed == true) }
    }
  }

  /// Runs `command` whole in a copy made by `copy`, then in `moments` more copies stopped by
  /// SIGINT, SIGTERM or SIGHUP after a random part of the whole run's time; `check` judges
  /// each copy (its path, and the moment for messages). Runs that finished before the signal
  /// prove nothing, so at least half must have been interrupted.
  func interruptAtRandomMoments(
    _ command: [String], seed: UInt64, copy: () throws -> TemporaryDirectory, check: (String, String) throws -> Void
  ) throws {
    var random = SeededRandom(seed: seed)
    let full = try copy()
    let start = Date()
    let finished = try TallyProcess.run(command, in: full.path, environment: tallyGitEnvironment)
    let duration = Date().timeIntervalSince(start)
    #expect(finished.status == 0, "\(finished.stderr)")
    try check(full.path, "uninterrupted")
    var interrupted = 0
    for moment in 0..<Self.moments {
      let dir = try copy()
      let signal = [SIGINT, SIGINT, SIGTERM, SIGHUP][random.below(4)]
      let delay = duration * Double(random.below(1000)) / 1000
      let process = try TallyProcess.start(command, in: dir.path, environment: tallyGitEnvironment)
      Thread.sleep(forTimeInterval: delay)
      process.send(signal)
      let result = try process.wait()
      let label = "\(command[0]) moment \(moment): \(signal) after \(Int(delay * 1000)) ms (seed \(Self.seed))"
      if let ended = result.signal {
        #expect(ended == signal, "\(label): ended by \(ended)")
        interrupted += 1
      } else {
        #expect(result.status == 0, "\(label): exit \(result.status): \(result.stderr)")
      }
      try check(dir.path, label)
    }
    #expect(interrupted * 2 >= Self.moments, "only \(interrupted) of \(Self.moments) runs were interrupted")
  }

  /// Whether the migration landed (nil when the repository is in neither state).
  func expectMigrationConsistent(_ path: String, fixture: InterruptFixture, moment: String) throws -> Bool? {
    for leftover in InterruptFixture.leftovers {
      #expect(!FileManager.default.fileExists(atPath: path + "/" + leftover), "\(moment): \(leftover) left behind")
    }
    let fsck = try TallyProcess.runProgram("git", ["fsck", "--no-progress", "--no-dangling"], in: path)
    #expect(fsck.status == 0, "\(moment): git fsck: \(fsck.stdout)\(fsck.stderr)")
    let status = try TallyProcess.runProgram("git", ["status", "--porcelain", "--untracked-files=all"], in: path)
    #expect(status.stdout.isEmpty, "\(moment): git status: \(status.stdout.prefix(300))")
    let commits = try git(["rev-list", "--count", "HEAD"], in: path).stdout
    let schema = try String(contentsOfFile: path + "/schema/customer.yaml", encoding: .utf8)
    var flat = 0
    var sharded = 0
    for relative in fixture.before.keys {
      let name = (relative as NSString).lastPathComponent
      let shard = String(name.dropLast(5).suffix(2))
      if FileManager.default.fileExists(atPath: path + "/" + relative) { flat += 1 }
      if FileManager.default.fileExists(atPath: path + "/customers/" + shard + "/" + name) { sharded += 1 }
    }
    if commits == "2\n" {
      #expect(sharded == fixture.before.count && flat == 0, "\(moment): committed, but \(flat) files are flat")
      #expect(schema.contains("\nshard:\n  digits: 2\n"), "\(moment): committed without the schema")
      return true
    }
    #expect(commits == "1\n", "\(moment): \(commits) commits")
    #expect(flat == fixture.before.count && sharded == 0, "\(moment): not committed, but \(sharded) files moved")
    #expect(!schema.contains("shard:"), "\(moment): not committed, but the schema says shard")
    return commits == "1\n" ? false : nil
  }

  func expectConsistent(_ path: String, fixture: InterruptFixture, command: [String], moment: String) throws {
    for leftover in InterruptFixture.leftovers {
      #expect(!FileManager.default.fileExists(atPath: path + "/" + leftover), "\(moment): \(leftover) left behind")
    }
    let temporary = try FileManager.default.contentsOfDirectory(atPath: path + "/customers").filter {
      $0.hasSuffix(".tmp")
    }
    #expect(temporary.isEmpty, "\(moment): temporary files left: \(temporary.prefix(3))")
    var old = 0
    var new = 0
    for (relative, original) in fixture.before {
      let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path + "/" + relative)))
      if bytes == original {
        old += 1
      } else if bytes == fixture.after[relative] {
        new += 1
      } else {
        Issue.record("\(moment): \(relative) is neither as it was nor formatted whole")
      }
    }
    let fsck = try TallyProcess.runProgram("git", ["fsck", "--no-progress", "--no-dangling"], in: path)
    #expect(fsck.status == 0, "\(moment): git fsck: \(fsck.stdout)\(fsck.stderr)")
    let status = try TallyProcess.runProgram("git", ["status", "--porcelain"], in: path)
    #expect(status.status == 0, "\(moment): git status: \(status.stderr)")
    guard command[0] == "commit" else { return }
    let commits = try git(["rev-list", "--count", "HEAD"], in: path).stdout
    let staged = try TallyProcess.runProgram("git", ["diff", "--cached", "--quiet"], in: path)
    #expect(staged.status == 0, "\(moment): the index differs from HEAD")
    if commits == "2\n" {
      // The commit landed: every file canonical, nothing left to commit.
      #expect(new == fixture.before.count, "\(moment): committed, but \(old) files were not formatted")
      #expect(status.stdout.isEmpty, "\(moment): committed, but git status shows changes")
    } else {
      #expect(commits == "1\n")
      #expect(old == fixture.before.count, "\(moment): not committed, but \(new) files were left formatted")
    }
  }
}

@Suite("Locks on the index (end to end)")
struct IndexLockTests {
  func changedRepository() throws -> TemporaryDirectory {
    let dir = try makeCommittedTeamRepository()
    let text = try dir.read("customers/C-0042.yaml")
    try dir.write("customers/C-0042.yaml", text.replacing("tier: A", with: "tier: B"))
    return dir
  }

  @Test func aLockLeftByAKilledTallyIsRemovedWithANotice() throws {
    let dir = try changedRepository()
    let lock = dir.path + "/.git/index.lock"
    // A tally killed with SIGKILL while it held the index.
    let running = try TallyProcess.start(
      ["commit", "--all", "-m", "x"], in: dir.path, environment: tallyGitEnvironment)
    let deadline = Date().addingTimeInterval(10)
    while !FileManager.default.fileExists(atPath: lock), Date() < deadline { usleep(100) }
    running.send(SIGKILL)
    let killed = try running.wait()
    try #require(killed.signal == SIGKILL, "tally finished before it could be killed")
    #expect(FileManager.default.fileExists(atPath: lock))
    #expect(try String(contentsOfFile: lock, encoding: .utf8).hasPrefix("tally \(running.pid) "))
    let result = try TallyProcess.run(["commit", "--all", "-m", "x"], in: dir.path, environment: tallyGitEnvironment)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(
      result.stderr.contains(
        "tally: removed the stale lock \(dir.path)/.git/index.lock left by tally process \(running.pid), which is no longer running"
      ))
    #expect(!FileManager.default.fileExists(atPath: lock))
    #expect(try git(["status", "--porcelain"], in: dir.path).stdout == "")
  }

  @Test func aLockHeldByALiveTallyIsWaitedForNotCalledStale() throws {
    let dir = try changedRepository()
    let lock = dir.path + "/.git/index.lock"
    // This test process stands in for a live tally holding the lock.
    let pid = getpid()
    let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
    let start = stat[stat.lastIndex(of: ")")!...].split(separator: " ")[20]
    var host = [CChar](repeating: 0, count: 256)
    gethostname(&host, 255)
    let hostName = String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    try "tally \(pid) \(start) \(hostName)\n".write(toFile: lock, atomically: false, encoding: .utf8)
    let held = try TallyProcess.run(
      ["commit", "--all", "-m", "x", "--lock-timeout", "0.5"], in: dir.path, environment: tallyGitEnvironment)
    #expect(held.status == 2)
    #expect(held.stderr.contains("tally: waiting for tally (process \(pid)), which holds \(lock) (up to 0.5 s)\n"))
    #expect(held.stderr.contains("tally: '\(lock)' is held by tally (process \(pid)), still running after 0.5 s\n"))
    #expect(!held.stderr.contains("stale"))
    #expect(FileManager.default.fileExists(atPath: lock))
    // Released while the next commit waits: it goes ahead.
    let waiting = try TallyProcess.start(
      ["commit", "--all", "-m", "x", "--lock-timeout", "20"], in: dir.path, environment: tallyGitEnvironment)
    Thread.sleep(forTimeInterval: 0.5)
    try FileManager.default.removeItem(atPath: lock)
    let result = try waiting.wait()
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.hasPrefix("[main "))
  }

  @Test func aLockOfGitIsReportedAfterTheWait() throws {
    let dir = try changedRepository()
    #expect(FileManager.default.createFile(atPath: dir.path + "/.git/index.lock", contents: Data()))
    let before = try dir.read("customers/C-0042.yaml")
    let result = try TallyProcess.run(
      ["commit", "--all", "-m", "x", "--lock-timeout", "0.2"], in: dir.path, environment: tallyGitEnvironment)
    #expect(result.status == 2)
    #expect(result.stderr.contains("another git process seems to be running in this repository"))
    #expect(try dir.read("customers/C-0042.yaml") == before)
    #expect(FileManager.default.fileExists(atPath: dir.path + "/.git/index.lock"))
  }
}
