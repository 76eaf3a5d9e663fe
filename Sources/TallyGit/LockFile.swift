import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// What happened while taking a lock, for the user: a stale lock removed, or a wait for a
/// live holder.
public enum LockNotice: Sendable, Equatable, CustomStringConvertible {
  /// A lock left by a Tally process that no longer runs (killed, or the machine went down)
  /// was removed.
  case removedStale(path: String, pid: Int32)
  /// The lock is held by a running process: waiting for it (at most `seconds`).
  case waiting(path: String, holder: String, seconds: Double)

  public var description: String {
    switch self {
    case .removedStale(let path, let pid):
      "removed the stale lock \(path) left by tally process \(pid), which is no longer running"
    case .waiting(let path, let holder, let seconds):
      "waiting for \(holder), which holds \(path) (up to \(Self.format(seconds)) s)"
    }
  }

  static func format(_ seconds: Double) -> String {
    seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
  }
}

/// A lock file as git makes them (`index.lock`): created with `O_EXCL`, so a second taker
/// fails instead of overwriting. Tally writes who holds it — `tally <pid> <start> <host>` —
/// so that a lock whose holder was killed (SIGKILL, power loss) can be told from one held
/// by a live process: the first is removed with a notice, the second waited for.
///
/// While held, the lock is registered with ``Signals`` so that a signal that ends the
/// process removes it.
final class LockFile {
  let path: String
  private let remembered: Signals.RememberedFile
  private var held = true

  /// Takes the lock at `path`, waiting up to `timeout` seconds while a live process holds
  /// it. Throws ``GitError/Code/locked`` when it stays held.
  init(_ path: String, timeout: Double, notice: (LockNotice) -> Void) throws(GitError) {
    self.path = path
    let deadline = Date().addingTimeInterval(timeout)
    var waited = false
    while true {
      try Signals.checkpoint()
      // The lock appears with its holder written in it: the line goes to a file of its own
      // first, which is then linked to the lock's name (`link` fails when the name exists).
      // A lock with no holder in it could only be git's.
      let taken = try Self.create(holding: LockOwner.current.line, at: path)
      if let taken {
        remembered = taken
        return
      }
      let holder = LockOwner.read(path)
      if let holder, holder.isStale {
        // Removed only if it is still the same file (another taker may have done this first).
        if unlink(path) == 0 { notice(.removedStale(path: path, pid: holder.pid)) }
        continue
      }
      guard Date() < deadline else {
        let who = holder.map { "tally (process \($0.pid)\($0.isLocal ? "" : " on \($0.host)"))" }
        let message =
          if let who {
            "'\(path)' is held by \(who), still running after \(LockNotice.format(timeout)) s"
          } else {
            "'\(path)' exists: another git process seems to be running in this repository; if none is, a git command was killed while it held the index: remove the file"
          }
        throw GitError(code: .locked, message: message, function: "lock")
      }
      if !waited {
        waited = true
        let who = holder.map { "tally (process \($0.pid))" } ?? "another git process"
        notice(.waiting(path: path, holder: who, seconds: timeout))
      }
      usleep(50_000)
    }
  }

  /// Creates `path` holding `ownerLine`, registered with ``Signals``; nil when `path`
  /// exists already.
  private static func create(holding ownerLine: String, at path: String) throws(GitError) -> Signals.RememberedFile? {
    let draft = "\(path).tally-\(getpid())"
    let draftRemembered = Signals.remember(draft)
    defer {
      unlink(draft)
      Signals.forget(draftRemembered)
    }
    let fd = open(draft, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0o644)
    guard fd >= 0 else {
      throw GitError(
        code: .other(-1), message: "cannot create '\(draft)': \(String(cString: strerror(errno)))", function: "open")
    }
    let bytes = Array(ownerLine.utf8)
    let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    close(fd)
    guard written == bytes.count else {
      throw GitError(code: .other(-1), message: "cannot write '\(draft)'", function: "write")
    }
    // Registered before it exists, so that no moment leaves it behind.
    let remembered = Signals.remember(path)
    if link(draft, path) == 0 { return remembered }
    let code = errno
    Signals.forget(remembered)
    guard code == EEXIST else {
      throw GitError(
        code: .other(-1), message: "cannot create '\(path)': \(String(cString: strerror(code)))", function: "link")
    }
    return nil
  }

  /// Removes the lock (nothing was written through it). Later calls do nothing.
  func release() {
    guard held else { return }
    held = false
    unlink(path)
    Signals.forget(remembered)
  }

  deinit { release() }
}

/// Who holds a lock that Tally made: its process id, when that process started (to tell a
/// reused id), and the host.
struct LockOwner: Equatable {
  var pid: Int32
  /// The process's start time (`/proc/<pid>/stat`, clock ticks since boot); 0 when unknown.
  var start: UInt64
  var host: String

  static var current: LockOwner {
    let pid = getpid()
    return LockOwner(pid: pid, start: startTime(of: pid) ?? 0, host: hostName)
  }

  var line: String { "tally \(pid) \(start) \(host)\n" }

  /// The holder written in the lock at `path`, or nil when the lock is not Tally's (git
  /// writes the new index into `index.lock`) or cannot be read.
  static func read(_ path: String) -> LockOwner? {
    guard let data = FileManager.default.contents(atPath: path), data.count < 512,
      let text = String(data: data, encoding: .utf8)
    else { return nil }
    let parts = text.split(separator: " ", omittingEmptySubsequences: true).map {
      $0.trimmingCharacters(in: .whitespacesAndNewlines)
    }
    guard parts.count == 4, parts[0] == "tally", let pid = Int32(parts[1]), let start = UInt64(parts[2]) else {
      return nil
    }
    return LockOwner(pid: pid, start: start, host: parts[3])
  }

  var isLocal: Bool { host == Self.hostName }

  /// The holder is known to be gone: it was on this host and no process with its id (and
  /// start time) runs. A lock from another host is never called stale.
  var isStale: Bool {
    guard isLocal, pid > 0 else { return false }
    if kill(pid, 0) != 0 && errno == ESRCH { return true }
    // The id is in use: by the holder, or by a later process that got the same id.
    if start != 0, let now = Self.startTime(of: pid), now != start { return true }
    return false
  }

  static let hostName: String = {
    var buffer = [CChar](repeating: 0, count: 256)
    guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
    let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    return name.isEmpty || name.contains(" ") ? "localhost" : name
  }()

  /// When process `pid` started (field 22 of `/proc/<pid>/stat`), or nil where there is no
  /// `/proc`.
  static func startTime(of pid: Int32) -> UInt64? {
    guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/stat"),
      let text = String(data: data, encoding: .utf8),
      let close = text.lastIndex(of: ")")
    else { return nil }
    // After the command name (which may hold spaces), fields 3... follow.
    let fields = text[text.index(after: close)...].split(separator: " ")
    guard fields.count > 19 else { return nil }
    return UInt64(fields[19])
  }
}
