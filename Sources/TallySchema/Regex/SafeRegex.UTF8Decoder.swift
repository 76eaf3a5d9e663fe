extension SafeRegex {
  /// Decodes UTF-8 one code point at a time, straight from a byte buffer.
  ///
  /// Ill-formed input never traps: each maximal ill-formed subsequence reads as one U+FFFD, the
  /// same replacement that `String(decoding:as:)` makes, so matching bytes and matching the
  /// string made from them agree.
  enum UTF8Decoder {
    /// The value returned past the end of the input; it is no code point.
    static let endOfInput = UInt32.max

    /// The code point starting at byte `index` and its length in bytes, or
    /// (``endOfInput``, 0) at the end.
    @inline(__always)
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> (value: UInt32, length: Int) {
      guard index < bytes.count else { return (endOfInput, 0) }
      let lead = bytes[index]
      if lead < 0x80 { return (UInt32(lead), 1) }
      return decodeMultibyte(bytes, at: index)
    }

    private static func decodeMultibyte(
      _ bytes: UnsafeBufferPointer<UInt8>, at index: Int
    ) -> (value: UInt32, length: Int) {
      let lead = bytes[index]
      let continuationCount: Int
      var value: UInt32
      // The range the first continuation byte must fall in (it excludes overlong forms,
      // surrogates and values past U+10FFFF); later ones are always 0x80...0xBF.
      var firstRange: ClosedRange<UInt8> = 0x80...0xBF
      switch lead {
      case 0xC2...0xDF:
        continuationCount = 1
        value = UInt32(lead & 0x1F)
      case 0xE0...0xEF:
        continuationCount = 2
        value = UInt32(lead & 0x0F)
        if lead == 0xE0 { firstRange = 0xA0...0xBF }
        if lead == 0xED { firstRange = 0x80...0x9F }
      case 0xF0...0xF4:
        continuationCount = 3
        value = UInt32(lead & 0x07)
        if lead == 0xF0 { firstRange = 0x90...0xBF }
        if lead == 0xF4 { firstRange = 0x80...0x8F }
      default:
        return (0xFFFD, 1)
      }
      var next = index + 1
      for position in 0..<continuationCount {
        guard next < bytes.count else { return (0xFFFD, next - index) }
        let byte = bytes[next]
        guard (position == 0 ? firstRange : 0x80...0xBF).contains(byte) else {
          return (0xFFFD, next - index)
        }
        value = value << 6 | UInt32(byte & 0x3F)
        next += 1
      }
      return (value, next - index)
    }
  }
}
