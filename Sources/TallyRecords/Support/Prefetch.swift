import Dispatch
import Foundation

/// Work started on another thread at once and waited for where its result is needed: what a
/// command reads beside other work — the stored state of the last check (a million entries,
/// a fifth of a second) while the working tree is listed or the index is read.
final class Prefetch<Value: Sendable>: @unchecked Sendable {
  private let done = DispatchSemaphore(value: 0)
  private var result: Value?
  private var waited = false
  private let lock = NSLock()

  init(_ work: @escaping @Sendable () -> Value) {
    DispatchQueue.global(qos: .userInitiated).async { [self] in
      result = work()
      done.signal()
    }
  }

  /// The work's result, waiting for it the first time.
  func value() -> Value {
    lock.lock()
    defer { lock.unlock() }
    if !waited {
      done.wait()
      waited = true
    }
    return result!
  }
}
