/// The checksum of the entries of Tally's cache files: 8 bytes at a step (every entry is
/// checked on every run that reads it, so it must be cheap; byte-at-a-time FNV-1a was a
/// fifth of loading the history cache).
public enum Checksum {
  public static func of(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
    let raw = UnsafeRawBufferPointer(bytes)
    var hash: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(raw.count)
    var index = 0
    while index + 8 <= raw.count {
      let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: index, as: UInt64.self))
      hash = (hash ^ word) &* 0xFF51_AFD7_ED55_8CCD
      hash ^= hash >> 32
      index += 8
    }
    var tail: UInt64 = 0
    var shift: UInt64 = 0
    while index < raw.count {
      tail |= UInt64(raw[index]) << shift
      shift += 8
      index += 1
    }
    hash = (hash ^ tail) &* 0xFF51_AFD7_ED55_8CCD
    return hash ^ (hash >> 29)
  }

  public static func of(_ bytes: [UInt8]) -> UInt64 { bytes.withUnsafeBufferPointer(of) }
}
