/// Eight bytes at a time: the word-at-a-time tests the parser's scans use to pass over
/// ordinary text (indentation, printable ASCII, keys, plain values).
///
/// Each test sets the high bit of the bytes it flags. Borrows and carries between bytes can
/// also flag bytes above a flagged one, never below it, so the lowest flagged byte is always
/// a true one: ``first(_:)`` is exact, and a mask of zero means no byte matched.
enum ByteWord {
  static let ones: UInt64 = 0x0101_0101_0101_0101
  static let highs: UInt64 = 0x8080_8080_8080_8080

  /// The eight bytes at `offset`, the first one lowest (on any machine).
  @inline(__always)
  static func load(_ base: UnsafePointer<UInt8>, _ offset: Int) -> UInt64 {
    UInt64(littleEndian: UnsafeRawPointer(base + offset).loadUnaligned(as: UInt64.self))
  }

  /// Flags the bytes equal to `byte`.
  @inline(__always)
  static func equal(_ word: UInt64, _ byte: UInt8) -> UInt64 {
    let x = word ^ (ones &* UInt64(byte))
    return (x &- ones) & ~x & highs
  }

  /// Flags the bytes below `limit` (at most 0x80).
  @inline(__always)
  static func below(_ word: UInt64, _ limit: UInt8) -> UInt64 {
    (word &- ones &* UInt64(limit)) & ~word & highs
  }

  /// Flags the bytes from 0x7F up (DEL and every byte of a non-ASCII character).
  @inline(__always)
  static func notASCIIPrintable(_ word: UInt64) -> UInt64 {
    ((word &+ ones) | word) & highs
  }

  /// Flags the bytes that are not `byte`.
  @inline(__always)
  static func other(_ word: UInt64, than byte: UInt8) -> UInt64 {
    word ^ (ones &* UInt64(byte))
  }

  /// The position (0–7) of the first flagged byte of a mask that is not zero.
  @inline(__always)
  static func first(_ mask: UInt64) -> Int { mask.trailingZeroBitCount >> 3 }
}
