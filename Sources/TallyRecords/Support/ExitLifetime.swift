import Dispatch
import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Large results a short-lived command no longer needs, kept alive until the process exits
/// so that it does not spend its last moments freeing them one object at a time (as
/// compilers do with `-disable-free`). Off unless a command turns it on: a long-lived
/// process (tests, a server) frees its memory as usual.
public enum ExitLifetime {
  nonisolated(unsafe) public static var enabled = false
  nonisolated(unsafe) private static var kept: [Any] = []
  private static let lock = NSLock()

  /// Keeps `value` until exit when enabled; otherwise does nothing.
  public static func keep(_ value: some Any) {
    guard enabled else { return }
    lock.withLock { kept.append(value) }
  }
}
