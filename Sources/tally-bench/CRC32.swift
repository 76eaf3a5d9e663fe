/// CRC-32 (the zlib polynomial), for the per-object checksums of a pack index.
struct CRC32 {
  private(set) var value: UInt32 = 0

  private static let table: [UInt32] = (0..<256).map { n in
    var c = UInt32(n)
    for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
    return c
  }

  mutating func update(_ bytes: UnsafeRawBufferPointer) {
    var c = ~value
    Self.table.withUnsafeBufferPointer { table in
      for byte in bytes { c = table[Int((c ^ UInt32(byte)) & 0xFF)] ^ (c >> 8) }
    }
    value = ~c
  }
}
