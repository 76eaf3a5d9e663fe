/// zlib streams made of stored (uncompressed) deflate blocks: valid for every inflater,
/// written at memory speed. `gen-history` stores its pack objects this way (see
/// `PackWriter`), so the pack is about twice the size git would write.
enum Zlib {
  /// The largest stored block.
  static let blockSize = 65_535

  /// The bytes `stored(_:)` writes for `count` bytes of data.
  static func storedSize(_ count: Int) -> Int {
    let blocks = max(1, (count + blockSize - 1) / blockSize)
    return 2 + blocks * 5 + count + 4
  }

  /// Appends a zlib stream holding `data` in stored blocks to `out`.
  static func appendStored(_ data: UnsafeRawBufferPointer, to out: inout [UInt8]) {
    out.append(0x78)
    out.append(0x01)
    var start = 0
    repeat {
      let count = min(blockSize, data.count - start)
      let last = start + count == data.count
      out.append(last ? 1 : 0)
      out.append(UInt8(count & 0xFF))
      out.append(UInt8(count >> 8))
      out.append(UInt8(~count & 0xFF))
      out.append(UInt8((~count >> 8) & 0xFF))
      if count > 0 { out.append(contentsOf: UnsafeRawBufferPointer(rebasing: data[start..<(start + count)])) }
      start += count
    } while start < data.count
    let checksum = adler32(data)
    for shift in stride(from: 24, through: 0, by: -8) {
      out.append(UInt8(truncatingIfNeeded: checksum >> UInt32(shift)))
    }
  }

  /// Adler-32 of `data`.
  static func adler32(_ data: UnsafeRawBufferPointer) -> UInt32 {
    var a: UInt32 = 1
    var b: UInt32 = 0
    var index = 0
    while index < data.count {
      // 5,552 bytes is the most that cannot overflow 32 bits before the modulo.
      let end = min(data.count, index + 5552)
      for i in index..<end {
        a &+= UInt32(data[i])
        b &+= a
      }
      a %= 65_521
      b %= 65_521
      index = end
    }
    return b << 16 | a
  }
}
