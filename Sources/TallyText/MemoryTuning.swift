#if os(Linux)
  /// glibc's `int mallopt(int param, int value)` (not exported by the Glibc module).
  @_silgen_name("mallopt")
  private func mallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif

/// Process-wide allocator settings for programs that parse many files.
public enum MemoryTuning {
  /// Keeps freed memory in the process instead of returning it to the system after every
  /// document (glibc trims the heap top above 128 KiB by default, and parsing the next file
  /// then faults the same pages back in: about a tenth of parse time on 10k files).
  /// Call once at start-up; it changes nothing on other platforms.
  public static func keepFreedMemory() {
    #if os(Linux)
      // M_TRIM_THRESHOLD (-1), M_TOP_PAD (-2), M_MMAP_THRESHOLD (-3) from <malloc.h>.
      _ = mallopt(-1, 256 << 20)
      _ = mallopt(-2, 16 << 20)
      _ = mallopt(-3, 64 << 20)
    #endif
  }
}
