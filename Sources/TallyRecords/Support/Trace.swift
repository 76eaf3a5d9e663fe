import Dispatch
import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Timings of a command's phases on standard error, when `TALLY_TRACE` is set: where the
/// time of a slow run goes, without a profiler. Each line also gives the memory the process
/// holds then and the most it has held (Linux; where its peak is reached).
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
    FileHandle.standardError.write(Data("tally trace: \(phase()) \(elapsed / 1_000_000) ms\(memory)\n".utf8))
  }

  /// ", rss 812 MB, peak 1204 MB" from /proc/self/status; empty where it cannot be read.
  private static var memory: String {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return "" }
    func megabytes(_ key: String) -> Int? {
      guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(key + ":") }) else { return nil }
      return line.split(separator: " ").dropFirst().first.flatMap { Int($0) }.map { $0 / 1024 }
    }
    guard let rss = megabytes("VmRSS"), let peak = megabytes("VmHWM") else { return "" }
    return ", rss \(rss) MB, peak \(peak) MB"
  }
}
