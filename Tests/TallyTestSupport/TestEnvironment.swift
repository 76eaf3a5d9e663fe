import Foundation

/// Changes to this process's environment made by a test, kept away from child processes.
///
/// Every test target runs in one process, in parallel. A variable a test sets for a library
/// call (`TALLY_INJECT_FAILURE`, to make an index transaction fail at a given step) would be
/// inherited by any `tally` another test starts meanwhile. ``TallyProcess`` starts its
/// children while holding the same lock, so none starts while a variable is changed.
public enum TestEnvironment {
  /// Held while the environment is changed and while a child process is started. Recursive,
  /// so that a body that starts a process on the same thread does not wait for itself.
  static let lock = NSRecursiveLock()

  /// Runs `body` with `name` set to `value` in this process's environment, then puts back
  /// what was there. Calls are serialized with each other and with starting child processes.
  public static func with<T>(_ name: String, _ value: String, _ body: () throws -> T) rethrows -> T {
    lock.lock()
    defer { lock.unlock() }
    let previous = getenv(name).map { String(cString: $0) }
    setenv(name, value, 1)
    defer {
      if let previous { setenv(name, previous, 1) } else { unsetenv(name) }
    }
    return try body()
  }

  /// Runs `body` (which starts a child process) while no test changes the environment.
  static func spawning<T>(_ body: () throws -> T) rethrows -> T {
    lock.lock()
    defer { lock.unlock() }
    return try body()
  }
}
