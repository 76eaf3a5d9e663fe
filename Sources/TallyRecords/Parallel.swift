import Dispatch
import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Runs `transform` over `items` on all cores, keeping the order of the results.
///
/// Work is handed out in small batches from a shared counter, so a few large files do not
/// leave a core idle. `progress`, when given, is called after each batch with the number
/// of items done and the total — from the worker threads, so it must be thread-safe.
public func parallelMap<T: Sendable, R: Sendable>(
  _ items: [T], batch: Int = 16, progress: (@Sendable (Int, Int) -> Void)? = nil, _ transform: @Sendable (T) -> R
) -> [R] {
  let count = items.count
  if count == 0 { return [] }
  let workers = min(ProcessInfoLite.activeProcessorCount, (count + batch - 1) / batch)
  if workers <= 1 && progress == nil { return items.map(transform) }
  let results = UnsafeMutableBufferPointer<R?>.allocate(capacity: count)
  results.initialize(repeating: nil)
  let next = AtomicCounter()
  let done = AtomicCounter()
  nonisolated(unsafe) let output = results
  DispatchQueue.concurrentPerform(iterations: max(workers, 1)) { _ in
    while true {
      let start = next.add(batch)
      if start >= count { break }
      let end = min(start + batch, count)
      for index in start..<end {
        output[index] = transform(items[index])
      }
      if let progress { progress(done.add(end - start) + end - start, count) }
    }
  }
  // Moved out, not copied: a copy retains everything a result holds, and the buffer's
  // elements must be deinitialised before it is freed anyway.
  var collected: [R] = []
  collected.reserveCapacity(count)
  for index in 0..<count { collected.append((results.baseAddress! + index).move()!) }
  results.deallocate()
  return collected
}

/// A counter shared between threads.
final class AtomicCounter: @unchecked Sendable {
  private var value = 0
  private let lock = DispatchQueue(label: "tally.counter")

  /// Adds `amount` and returns the value before.
  func add(_ amount: Int) -> Int {
    lock.sync {
      let old = value
      value += amount
      return old
    }
  }
}

enum ProcessInfoLite {
  /// The number of cores this process may use.
  static var activeProcessorCount: Int {
    if let text = getenv("TALLY_THREADS"), let count = Int(String(cString: text)), count > 0 { return count }
    return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
  }
}

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
