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
