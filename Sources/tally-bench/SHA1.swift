/// SHA-1 (FIPS 180-4), for the object ids and checksums of the packs `gen-history` writes.
///
/// Besides the usual streaming interface, the compression function is exposed on whole
/// 64-byte blocks so that a caller can keep the state at checkpoints of a large buffer and
/// hash it again from the first block that changed (see `IncrementalTree`).
struct SHA1 {
  /// The five chaining words.
  struct State: Equatable {
    var h0: UInt32 = 0x6745_2301
    var h1: UInt32 = 0xEFCD_AB89
    var h2: UInt32 = 0x98BA_DCFE
    var h3: UInt32 = 0x1032_5476
    var h4: UInt32 = 0xC3D2_E1F0

    /// The digest of a finished hash.
    var hash: GitHash {
      GitHash(
        high: UInt64(h0) << 32 | UInt64(h1), middle: UInt64(h2) << 32 | UInt64(h3), low: h4)
    }
  }

  private(set) var state = State()
  private var pending: [UInt8] = []
  private var length: UInt64 = 0

  init() {
    pending.reserveCapacity(64)
  }

  mutating func update(_ bytes: [UInt8]) {
    bytes.withUnsafeBytes { update($0) }
  }

  mutating func update(_ bytes: UnsafeRawBufferPointer) {
    guard let base = bytes.baseAddress, bytes.count > 0 else { return }
    length &+= UInt64(bytes.count)
    var start = 0
    if !pending.isEmpty {
      let take = min(64 - pending.count, bytes.count)
      pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[0..<take]))
      start = take
      if pending.count == 64 {
        pending.withUnsafeBytes { Self.compress(&state, $0.baseAddress!, blocks: 1) }
        pending.removeAll(keepingCapacity: true)
      }
    }
    let blocks = (bytes.count - start) / 64
    if blocks > 0 {
      Self.compress(&state, base + start, blocks: blocks)
      start += blocks * 64
    }
    if start < bytes.count {
      pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start...]))
    }
  }

  /// The digest of everything given to `update`.
  mutating func finish() -> GitHash {
    Self.finish(&state, tail: pending, totalLength: length)
  }

  /// One-shot hash of `bytes`.
  static func hash(_ bytes: [UInt8]) -> GitHash {
    var sha = SHA1()
    sha.update(bytes)
    return sha.finish()
  }

  /// Pads `tail` (the last, partial block: fewer than 64 bytes) and returns the digest of
  /// a message of `totalLength` bytes whose full blocks went into `state`.
  static func finish(_ state: inout State, tail: [UInt8], totalLength: UInt64) -> GitHash {
    var block = tail
    block.append(0x80)
    while block.count % 64 != 56 { block.append(0) }
    let bits = totalLength &* 8
    for shift in stride(from: 56, through: 0, by: -8) { block.append(UInt8(truncatingIfNeeded: bits >> UInt64(shift))) }
    block.withUnsafeBytes { compress(&state, $0.baseAddress!, blocks: block.count / 64) }
    return state.hash
  }

  /// Runs the compression function over `blocks` consecutive 64-byte blocks at `data`.
  ///
  /// The 80 rounds are written out, with the message schedule in 16 local words and the
  /// five working variables renamed from round to round instead of moved: about three times
  /// faster than a loop over the rounds (the optimizer neither unrolls it nor keeps the
  /// schedule in registers). Generated; the round function and constant change every 20.
  static func compress(_ state: inout State, _ data: UnsafeRawPointer, blocks: Int) {
    @inline(__always) func rotl(_ x: UInt32, _ n: UInt32) -> UInt32 { (x << n) | (x >> (32 - n)) }
    var h0 = state.h0
    var h1 = state.h1
    var h2 = state.h2
    var h3 = state.h3
    var h4 = state.h4
    for block in 0..<blocks {
      let p = data + block * 64
      var a = h0
      var b = h1
      var c = h2
      var d = h3
      var e = h4
      var w0 = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 0, as: UInt32.self))
      var w1 = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
      var w2 = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
      var w3 = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 12, as: UInt32.self))
      var w4 = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 16, as: UInt32.self))
      var w5 = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 20, as: UInt32.self))
      var w6 = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 24, as: UInt32.self))
      var w7 = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 28, as: UInt32.self))
      var w8 = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 32, as: UInt32.self))
      var w9 = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 36, as: UInt32.self))
      var w10 = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 40, as: UInt32.self))
      var w11 = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 44, as: UInt32.self))
      var w12 = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 48, as: UInt32.self))
      var w13 = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 52, as: UInt32.self))
      var w14 = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 56, as: UInt32.self))
      var w15 = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 60, as: UInt32.self))
      // Rounds 0–19.
      e = e &+ rotl(a, 5) &+ ((b & c) | (~b & d)) &+ 0x5A82_7999 &+ w0
      b = rotl(b, 30)
      d = d &+ rotl(e, 5) &+ ((a & b) | (~a & c)) &+ 0x5A82_7999 &+ w1
      a = rotl(a, 30)
      c = c &+ rotl(d, 5) &+ ((e & a) | (~e & b)) &+ 0x5A82_7999 &+ w2
      e = rotl(e, 30)
      b = b &+ rotl(c, 5) &+ ((d & e) | (~d & a)) &+ 0x5A82_7999 &+ w3
      d = rotl(d, 30)
      a = a &+ rotl(b, 5) &+ ((c & d) | (~c & e)) &+ 0x5A82_7999 &+ w4
      c = rotl(c, 30)
      e = e &+ rotl(a, 5) &+ ((b & c) | (~b & d)) &+ 0x5A82_7999 &+ w5
      b = rotl(b, 30)
      d = d &+ rotl(e, 5) &+ ((a & b) | (~a & c)) &+ 0x5A82_7999 &+ w6
      a = rotl(a, 30)
      c = c &+ rotl(d, 5) &+ ((e & a) | (~e & b)) &+ 0x5A82_7999 &+ w7
      e = rotl(e, 30)
      b = b &+ rotl(c, 5) &+ ((d & e) | (~d & a)) &+ 0x5A82_7999 &+ w8
      d = rotl(d, 30)
      a = a &+ rotl(b, 5) &+ ((c & d) | (~c & e)) &+ 0x5A82_7999 &+ w9
      c = rotl(c, 30)
      e = e &+ rotl(a, 5) &+ ((b & c) | (~b & d)) &+ 0x5A82_7999 &+ w10
      b = rotl(b, 30)
      d = d &+ rotl(e, 5) &+ ((a & b) | (~a & c)) &+ 0x5A82_7999 &+ w11
      a = rotl(a, 30)
      c = c &+ rotl(d, 5) &+ ((e & a) | (~e & b)) &+ 0x5A82_7999 &+ w12
      e = rotl(e, 30)
      b = b &+ rotl(c, 5) &+ ((d & e) | (~d & a)) &+ 0x5A82_7999 &+ w13
      d = rotl(d, 30)
      a = a &+ rotl(b, 5) &+ ((c & d) | (~c & e)) &+ 0x5A82_7999 &+ w14
      c = rotl(c, 30)
      e = e &+ rotl(a, 5) &+ ((b & c) | (~b & d)) &+ 0x5A82_7999 &+ w15
      b = rotl(b, 30)
      w0 = rotl(w13 ^ w8 ^ w2 ^ w0, 1)
      d = d &+ rotl(e, 5) &+ ((a & b) | (~a & c)) &+ 0x5A82_7999 &+ w0
      a = rotl(a, 30)
      w1 = rotl(w14 ^ w9 ^ w3 ^ w1, 1)
      c = c &+ rotl(d, 5) &+ ((e & a) | (~e & b)) &+ 0x5A82_7999 &+ w1
      e = rotl(e, 30)
      w2 = rotl(w15 ^ w10 ^ w4 ^ w2, 1)
      b = b &+ rotl(c, 5) &+ ((d & e) | (~d & a)) &+ 0x5A82_7999 &+ w2
      d = rotl(d, 30)
      w3 = rotl(w0 ^ w11 ^ w5 ^ w3, 1)
      a = a &+ rotl(b, 5) &+ ((c & d) | (~c & e)) &+ 0x5A82_7999 &+ w3
      c = rotl(c, 30)
      // Rounds 20–39.
      w4 = rotl(w1 ^ w12 ^ w6 ^ w4, 1)
      e = e &+ rotl(a, 5) &+ (b ^ c ^ d) &+ 0x6ED9_EBA1 &+ w4
      b = rotl(b, 30)
      w5 = rotl(w2 ^ w13 ^ w7 ^ w5, 1)
      d = d &+ rotl(e, 5) &+ (a ^ b ^ c) &+ 0x6ED9_EBA1 &+ w5
      a = rotl(a, 30)
      w6 = rotl(w3 ^ w14 ^ w8 ^ w6, 1)
      c = c &+ rotl(d, 5) &+ (e ^ a ^ b) &+ 0x6ED9_EBA1 &+ w6
      e = rotl(e, 30)
      w7 = rotl(w4 ^ w15 ^ w9 ^ w7, 1)
      b = b &+ rotl(c, 5) &+ (d ^ e ^ a) &+ 0x6ED9_EBA1 &+ w7
      d = rotl(d, 30)
      w8 = rotl(w5 ^ w0 ^ w10 ^ w8, 1)
      a = a &+ rotl(b, 5) &+ (c ^ d ^ e) &+ 0x6ED9_EBA1 &+ w8
      c = rotl(c, 30)
      w9 = rotl(w6 ^ w1 ^ w11 ^ w9, 1)
      e = e &+ rotl(a, 5) &+ (b ^ c ^ d) &+ 0x6ED9_EBA1 &+ w9
      b = rotl(b, 30)
      w10 = rotl(w7 ^ w2 ^ w12 ^ w10, 1)
      d = d &+ rotl(e, 5) &+ (a ^ b ^ c) &+ 0x6ED9_EBA1 &+ w10
      a = rotl(a, 30)
      w11 = rotl(w8 ^ w3 ^ w13 ^ w11, 1)
      c = c &+ rotl(d, 5) &+ (e ^ a ^ b) &+ 0x6ED9_EBA1 &+ w11
      e = rotl(e, 30)
      w12 = rotl(w9 ^ w4 ^ w14 ^ w12, 1)
      b = b &+ rotl(c, 5) &+ (d ^ e ^ a) &+ 0x6ED9_EBA1 &+ w12
      d = rotl(d, 30)
      w13 = rotl(w10 ^ w5 ^ w15 ^ w13, 1)
      a = a &+ rotl(b, 5) &+ (c ^ d ^ e) &+ 0x6ED9_EBA1 &+ w13
      c = rotl(c, 30)
      w14 = rotl(w11 ^ w6 ^ w0 ^ w14, 1)
      e = e &+ rotl(a, 5) &+ (b ^ c ^ d) &+ 0x6ED9_EBA1 &+ w14
      b = rotl(b, 30)
      w15 = rotl(w12 ^ w7 ^ w1 ^ w15, 1)
      d = d &+ rotl(e, 5) &+ (a ^ b ^ c) &+ 0x6ED9_EBA1 &+ w15
      a = rotl(a, 30)
      w0 = rotl(w13 ^ w8 ^ w2 ^ w0, 1)
      c = c &+ rotl(d, 5) &+ (e ^ a ^ b) &+ 0x6ED9_EBA1 &+ w0
      e = rotl(e, 30)
      w1 = rotl(w14 ^ w9 ^ w3 ^ w1, 1)
      b = b &+ rotl(c, 5) &+ (d ^ e ^ a) &+ 0x6ED9_EBA1 &+ w1
      d = rotl(d, 30)
      w2 = rotl(w15 ^ w10 ^ w4 ^ w2, 1)
      a = a &+ rotl(b, 5) &+ (c ^ d ^ e) &+ 0x6ED9_EBA1 &+ w2
      c = rotl(c, 30)
      w3 = rotl(w0 ^ w11 ^ w5 ^ w3, 1)
      e = e &+ rotl(a, 5) &+ (b ^ c ^ d) &+ 0x6ED9_EBA1 &+ w3
      b = rotl(b, 30)
      w4 = rotl(w1 ^ w12 ^ w6 ^ w4, 1)
      d = d &+ rotl(e, 5) &+ (a ^ b ^ c) &+ 0x6ED9_EBA1 &+ w4
      a = rotl(a, 30)
      w5 = rotl(w2 ^ w13 ^ w7 ^ w5, 1)
      c = c &+ rotl(d, 5) &+ (e ^ a ^ b) &+ 0x6ED9_EBA1 &+ w5
      e = rotl(e, 30)
      w6 = rotl(w3 ^ w14 ^ w8 ^ w6, 1)
      b = b &+ rotl(c, 5) &+ (d ^ e ^ a) &+ 0x6ED9_EBA1 &+ w6
      d = rotl(d, 30)
      w7 = rotl(w4 ^ w15 ^ w9 ^ w7, 1)
      a = a &+ rotl(b, 5) &+ (c ^ d ^ e) &+ 0x6ED9_EBA1 &+ w7
      c = rotl(c, 30)
      // Rounds 40–59.
      w8 = rotl(w5 ^ w0 ^ w10 ^ w8, 1)
      e = e &+ rotl(a, 5) &+ ((b & c) | (b & d) | (c & d)) &+ 0x8F1B_BCDC &+ w8
      b = rotl(b, 30)
      w9 = rotl(w6 ^ w1 ^ w11 ^ w9, 1)
      d = d &+ rotl(e, 5) &+ ((a & b) | (a & c) | (b & c)) &+ 0x8F1B_BCDC &+ w9
      a = rotl(a, 30)
      w10 = rotl(w7 ^ w2 ^ w12 ^ w10, 1)
      c = c &+ rotl(d, 5) &+ ((e & a) | (e & b) | (a & b)) &+ 0x8F1B_BCDC &+ w10
      e = rotl(e, 30)
      w11 = rotl(w8 ^ w3 ^ w13 ^ w11, 1)
      b = b &+ rotl(c, 5) &+ ((d & e) | (d & a) | (e & a)) &+ 0x8F1B_BCDC &+ w11
      d = rotl(d, 30)
      w12 = rotl(w9 ^ w4 ^ w14 ^ w12, 1)
      a = a &+ rotl(b, 5) &+ ((c & d) | (c & e) | (d & e)) &+ 0x8F1B_BCDC &+ w12
      c = rotl(c, 30)
      w13 = rotl(w10 ^ w5 ^ w15 ^ w13, 1)
      e = e &+ rotl(a, 5) &+ ((b & c) | (b & d) | (c & d)) &+ 0x8F1B_BCDC &+ w13
      b = rotl(b, 30)
      w14 = rotl(w11 ^ w6 ^ w0 ^ w14, 1)
      d = d &+ rotl(e, 5) &+ ((a & b) | (a & c) | (b & c)) &+ 0x8F1B_BCDC &+ w14
      a = rotl(a, 30)
      w15 = rotl(w12 ^ w7 ^ w1 ^ w15, 1)
      c = c &+ rotl(d, 5) &+ ((e & a) | (e & b) | (a & b)) &+ 0x8F1B_BCDC &+ w15
      e = rotl(e, 30)
      w0 = rotl(w13 ^ w8 ^ w2 ^ w0, 1)
      b = b &+ rotl(c, 5) &+ ((d & e) | (d & a) | (e & a)) &+ 0x8F1B_BCDC &+ w0
      d = rotl(d, 30)
      w1 = rotl(w14 ^ w9 ^ w3 ^ w1, 1)
      a = a &+ rotl(b, 5) &+ ((c & d) | (c & e) | (d & e)) &+ 0x8F1B_BCDC &+ w1
      c = rotl(c, 30)
      w2 = rotl(w15 ^ w10 ^ w4 ^ w2, 1)
      e = e &+ rotl(a, 5) &+ ((b & c) | (b & d) | (c & d)) &+ 0x8F1B_BCDC &+ w2
      b = rotl(b, 30)
      w3 = rotl(w0 ^ w11 ^ w5 ^ w3, 1)
      d = d &+ rotl(e, 5) &+ ((a & b) | (a & c) | (b & c)) &+ 0x8F1B_BCDC &+ w3
      a = rotl(a, 30)
      w4 = rotl(w1 ^ w12 ^ w6 ^ w4, 1)
      c = c &+ rotl(d, 5) &+ ((e & a) | (e & b) | (a & b)) &+ 0x8F1B_BCDC &+ w4
      e = rotl(e, 30)
      w5 = rotl(w2 ^ w13 ^ w7 ^ w5, 1)
      b = b &+ rotl(c, 5) &+ ((d & e) | (d & a) | (e & a)) &+ 0x8F1B_BCDC &+ w5
      d = rotl(d, 30)
      w6 = rotl(w3 ^ w14 ^ w8 ^ w6, 1)
      a = a &+ rotl(b, 5) &+ ((c & d) | (c & e) | (d & e)) &+ 0x8F1B_BCDC &+ w6
      c = rotl(c, 30)
      w7 = rotl(w4 ^ w15 ^ w9 ^ w7, 1)
      e = e &+ rotl(a, 5) &+ ((b & c) | (b & d) | (c & d)) &+ 0x8F1B_BCDC &+ w7
      b = rotl(b, 30)
      w8 = rotl(w5 ^ w0 ^ w10 ^ w8, 1)
      d = d &+ rotl(e, 5) &+ ((a & b) | (a & c) | (b & c)) &+ 0x8F1B_BCDC &+ w8
      a = rotl(a, 30)
      w9 = rotl(w6 ^ w1 ^ w11 ^ w9, 1)
      c = c &+ rotl(d, 5) &+ ((e & a) | (e & b) | (a & b)) &+ 0x8F1B_BCDC &+ w9
      e = rotl(e, 30)
      w10 = rotl(w7 ^ w2 ^ w12 ^ w10, 1)
      b = b &+ rotl(c, 5) &+ ((d & e) | (d & a) | (e & a)) &+ 0x8F1B_BCDC &+ w10
      d = rotl(d, 30)
      w11 = rotl(w8 ^ w3 ^ w13 ^ w11, 1)
      a = a &+ rotl(b, 5) &+ ((c & d) | (c & e) | (d & e)) &+ 0x8F1B_BCDC &+ w11
      c = rotl(c, 30)
      // Rounds 60–79.
      w12 = rotl(w9 ^ w4 ^ w14 ^ w12, 1)
      e = e &+ rotl(a, 5) &+ (b ^ c ^ d) &+ 0xCA62_C1D6 &+ w12
      b = rotl(b, 30)
      w13 = rotl(w10 ^ w5 ^ w15 ^ w13, 1)
      d = d &+ rotl(e, 5) &+ (a ^ b ^ c) &+ 0xCA62_C1D6 &+ w13
      a = rotl(a, 30)
      w14 = rotl(w11 ^ w6 ^ w0 ^ w14, 1)
      c = c &+ rotl(d, 5) &+ (e ^ a ^ b) &+ 0xCA62_C1D6 &+ w14
      e = rotl(e, 30)
      w15 = rotl(w12 ^ w7 ^ w1 ^ w15, 1)
      b = b &+ rotl(c, 5) &+ (d ^ e ^ a) &+ 0xCA62_C1D6 &+ w15
      d = rotl(d, 30)
      w0 = rotl(w13 ^ w8 ^ w2 ^ w0, 1)
      a = a &+ rotl(b, 5) &+ (c ^ d ^ e) &+ 0xCA62_C1D6 &+ w0
      c = rotl(c, 30)
      w1 = rotl(w14 ^ w9 ^ w3 ^ w1, 1)
      e = e &+ rotl(a, 5) &+ (b ^ c ^ d) &+ 0xCA62_C1D6 &+ w1
      b = rotl(b, 30)
      w2 = rotl(w15 ^ w10 ^ w4 ^ w2, 1)
      d = d &+ rotl(e, 5) &+ (a ^ b ^ c) &+ 0xCA62_C1D6 &+ w2
      a = rotl(a, 30)
      w3 = rotl(w0 ^ w11 ^ w5 ^ w3, 1)
      c = c &+ rotl(d, 5) &+ (e ^ a ^ b) &+ 0xCA62_C1D6 &+ w3
      e = rotl(e, 30)
      w4 = rotl(w1 ^ w12 ^ w6 ^ w4, 1)
      b = b &+ rotl(c, 5) &+ (d ^ e ^ a) &+ 0xCA62_C1D6 &+ w4
      d = rotl(d, 30)
      w5 = rotl(w2 ^ w13 ^ w7 ^ w5, 1)
      a = a &+ rotl(b, 5) &+ (c ^ d ^ e) &+ 0xCA62_C1D6 &+ w5
      c = rotl(c, 30)
      w6 = rotl(w3 ^ w14 ^ w8 ^ w6, 1)
      e = e &+ rotl(a, 5) &+ (b ^ c ^ d) &+ 0xCA62_C1D6 &+ w6
      b = rotl(b, 30)
      w7 = rotl(w4 ^ w15 ^ w9 ^ w7, 1)
      d = d &+ rotl(e, 5) &+ (a ^ b ^ c) &+ 0xCA62_C1D6 &+ w7
      a = rotl(a, 30)
      w8 = rotl(w5 ^ w0 ^ w10 ^ w8, 1)
      c = c &+ rotl(d, 5) &+ (e ^ a ^ b) &+ 0xCA62_C1D6 &+ w8
      e = rotl(e, 30)
      w9 = rotl(w6 ^ w1 ^ w11 ^ w9, 1)
      b = b &+ rotl(c, 5) &+ (d ^ e ^ a) &+ 0xCA62_C1D6 &+ w9
      d = rotl(d, 30)
      w10 = rotl(w7 ^ w2 ^ w12 ^ w10, 1)
      a = a &+ rotl(b, 5) &+ (c ^ d ^ e) &+ 0xCA62_C1D6 &+ w10
      c = rotl(c, 30)
      w11 = rotl(w8 ^ w3 ^ w13 ^ w11, 1)
      e = e &+ rotl(a, 5) &+ (b ^ c ^ d) &+ 0xCA62_C1D6 &+ w11
      b = rotl(b, 30)
      w12 = rotl(w9 ^ w4 ^ w14 ^ w12, 1)
      d = d &+ rotl(e, 5) &+ (a ^ b ^ c) &+ 0xCA62_C1D6 &+ w12
      a = rotl(a, 30)
      w13 = rotl(w10 ^ w5 ^ w15 ^ w13, 1)
      c = c &+ rotl(d, 5) &+ (e ^ a ^ b) &+ 0xCA62_C1D6 &+ w13
      e = rotl(e, 30)
      w14 = rotl(w11 ^ w6 ^ w0 ^ w14, 1)
      b = b &+ rotl(c, 5) &+ (d ^ e ^ a) &+ 0xCA62_C1D6 &+ w14
      d = rotl(d, 30)
      w15 = rotl(w12 ^ w7 ^ w1 ^ w15, 1)
      a = a &+ rotl(b, 5) &+ (c ^ d ^ e) &+ 0xCA62_C1D6 &+ w15
      c = rotl(c, 30)
      h0 &+= a
      h1 &+= b
      h2 &+= c
      h3 &+= d
      h4 &+= e
    }
    state = State(h0: h0, h1: h1, h2: h2, h3: h3, h4: h4)
  }
}

/// A git object id (SHA-1), stored so that comparing the fields compares the bytes.
struct GitHash: Hashable, Comparable {
  var high: UInt64
  var middle: UInt64
  var low: UInt32

  /// The 20 bytes, most significant first.
  var bytes: [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(20)
    append(to: &out)
    return out
  }

  func append(to out: inout [UInt8]) {
    for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: high >> UInt64(shift))) }
    for shift in stride(from: 56, through: 0, by: -8) {
      out.append(UInt8(truncatingIfNeeded: middle >> UInt64(shift)))
    }
    for shift in stride(from: 24, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: low >> UInt32(shift))) }
  }

  /// Forty lower-case hex digits.
  var hex: String {
    let digits = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    out.reserveCapacity(40)
    for byte in bytes {
      out.append(digits[Int(byte >> 4)])
      out.append(digits[Int(byte & 15)])
    }
    return String(decoding: out, as: UTF8.self)
  }

  /// The first byte, for the fan-out table of a pack index.
  var firstByte: Int { Int(high >> 56) }

  init(high: UInt64, middle: UInt64, low: UInt32) {
    self.high = high
    self.middle = middle
    self.low = low
  }

  /// Parses forty hex digits.
  init?(hex: some StringProtocol) {
    let utf8 = Array(hex.utf8)
    guard utf8.count == 40 else { return nil }
    var values: [UInt8] = []
    for c in utf8 {
      switch c {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): values.append(c - UInt8(ascii: "0"))
      case UInt8(ascii: "a")...UInt8(ascii: "f"): values.append(c - UInt8(ascii: "a") + 10)
      default: return nil
      }
    }
    func word(_ from: Int, _ count: Int) -> UInt64 {
      var v: UInt64 = 0
      for i in from..<(from + count) { v = v << 4 | UInt64(values[i]) }
      return v
    }
    self.init(high: word(0, 16), middle: word(16, 16), low: UInt32(word(32, 8)))
  }

  static func < (lhs: GitHash, rhs: GitHash) -> Bool {
    (lhs.high, lhs.middle, lhs.low) < (rhs.high, rhs.middle, rhs.low)
  }
}
