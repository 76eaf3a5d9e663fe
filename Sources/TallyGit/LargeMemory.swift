#if canImport(Glibc)
  import Glibc
#endif

/// Buffers of tens of megabytes — an index of a million entries, the stored state of a
/// check, the tables over them — filled once by a short-lived command. Each 4 KiB page
/// first touched costs a page fault; for a `check --staged` of a million records those
/// were more than half its time (300 MB: 70,000 faults). Backed by huge pages (2 MiB, where
/// the system offers transparent huge pages on request, `madvise`), the same buffers take a
/// few hundred. Where it does not, nothing changes.
public enum LargeMemory {
  /// Buffers smaller than this are left to ordinary pages.
  public static let threshold = 4 << 20
  static let hugePage = 2 << 20

  /// Asks for huge pages for the whole 2 MiB pages within `count` bytes at `start`; before
  /// they are first written.
  public static func advise(_ start: UnsafeMutableRawPointer?, count: Int) {
    #if os(Linux)
      guard let start, count >= threshold else { return }
      let address = UInt(bitPattern: start)
      let first = (address + UInt(hugePage) - 1) & ~UInt(hugePage - 1)
      let end = (address + UInt(count)) & ~UInt(hugePage - 1)
      guard end > first, let aligned = UnsafeMutableRawPointer(bitPattern: first) else { return }
      _ = madvise(aligned, Int(end - first), MADV_HUGEPAGE)
    #endif
  }

  /// `count` copies of `value`, in huge pages when the array is large. (Inlinable, to be
  /// specialized where it is used: generic, it copied each element through its type's
  /// witness table.)
  @inlinable
  public static func array<Element>(repeating value: Element, count: Int) -> [Element] {
    [Element](unsafeUninitializedCapacity: count) { buffer, initialized in
      advise(UnsafeMutableRawPointer(buffer.baseAddress), count: count * MemoryLayout<Element>.stride)
      buffer.initialize(repeating: value)
      initialized = count
    }
  }
}
