import Dispatch
import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Timings of a command's phases on standard error, when `TALLY_TRACE` is set: where the
/// time of a slow run goes, without a profiler.
public enum Trace {
  static let enabled = getenv("TALLY_TRACE") != nil
  nonisolated(unsafe) private static var last = DispatchTime.now().uptimeNanoseconds
  private static let lock = NSLock()

  /// Prints the time since the previous mark (or the start) with `phase`.
  public static func mark(_ phase: @autoclosure () -> String) {
    guard enabled else { return }
    let now = DispatchTime.now().uptimeNanoseconds
    let elapsed = lock.withLock {
      defer { last = now }
      return now > last ? now - last : 0
    }
    FileHandle.standardError.write(Data("tally trace: \(phase()) \(elapsed / 1_000_000) ms\n".utf8))
  }
}
