import Dispatch
import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

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
