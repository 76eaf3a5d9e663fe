internal import CLibGit2

#if canImport(Glibc)
  import Glibc
#endif

/// A git object id (SHA-1), as a value: 20 bytes held inline (no allocation per id, which
/// matters when an index or a tree lists 100,000 of them).
public struct ObjectID: Hashable, Sendable, Comparable, CustomStringConvertible {
  // The bytes as big-endian integers, so that comparing them compares the bytes in order.
  private let high: UInt64
  private let middle: UInt64
  private let low: UInt32

  /// The 20 bytes of the id.
  public var bytes: [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(20)
    withUnsafeBytes(of: high.bigEndian) { out.append(contentsOf: $0) }
    withUnsafeBytes(of: middle.bigEndian) { out.append(contentsOf: $0) }
    withUnsafeBytes(of: low.bigEndian) { out.append(contentsOf: $0) }
    return out
  }

  /// The id of 20 bytes at `raw`.
  init(raw: UnsafeRawPointer) {
    high = UInt64(bigEndian: raw.loadUnaligned(as: UInt64.self))
    middle = UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
    low = UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: 16, as: UInt32.self))
  }

  public init?(hex: String) {
    let chars = Array(hex.utf8)
    guard chars.count == 40 else { return nil }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(20)
    var i = 0
    while i < 40 {
      guard let high = Self.nibble(chars[i]), let low = Self.nibble(chars[i + 1]) else { return nil }
      bytes.append(high << 4 | low)
      i += 2
    }
    self.init(bytes: bytes)
  }

  init(_ oid: git_oid) {
    var copy = oid
    self = withUnsafeBytes(of: &copy.id) { ObjectID(raw: $0.baseAddress!) }
  }

  init(_ pointer: UnsafePointer<git_oid>) {
    self = ObjectID(raw: UnsafeRawPointer(pointer))
  }

  var raw: git_oid {
    var oid = git_oid()
    withUnsafeMutableBytes(of: &oid.id) { buffer in
      buffer.storeBytes(of: high.bigEndian, toByteOffset: 0, as: UInt64.self)
      buffer.storeBytes(of: middle.bigEndian, toByteOffset: 8, as: UInt64.self)
      buffer.storeBytes(of: low.bigEndian, toByteOffset: 16, as: UInt32.self)
    }
    return oid
  }

  static func nibble(_ c: UInt8) -> UInt8? {
    switch c {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
    default: nil
    }
  }

  /// The 40-character hex form.
  public var hex: String {
    String(unsafeUninitializedCapacity: 40) { out in
      withUnsafeBytes(of: (high.bigEndian, middle.bigEndian, low.bigEndian)) { raw in
        Self.writeHex(of: raw.baseAddress!, to: out.baseAddress!)
      }
      return 40
    }
  }

  /// Writes the 40 lowercase hex digits of the 20 id bytes at `raw` to `out`.
  static func writeHex(of raw: UnsafeRawPointer, to out: UnsafeMutablePointer<UInt8>) {
    let digits: StaticString = "0123456789abcdef"
    let table = digits.utf8Start
    for index in 0..<20 {
      let byte = raw.load(fromByteOffset: index, as: UInt8.self)
      out[2 * index] = table[Int(byte >> 4)]
      out[2 * index + 1] = table[Int(byte & 0xF)]
    }
  }

  /// Whether `hex` is the 40-digit form (``hex``) of the 20 id bytes at `raw`: an id where
  /// it lies in a file compared with a stored key, no ``ObjectID`` or `String` made.
  public static func hex(_ hex: UnsafeBufferPointer<UInt8>, spells raw: UnsafeRawPointer) -> Bool {
    guard hex.count == 40 else { return false }
    return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 40) { spelled in
      writeHex(of: raw, to: spelled.baseAddress!)
      return memcmp(spelled.baseAddress!, hex.baseAddress!, 40) == 0
    }
  }

  /// The first `length` hex digits (7 by default), as git abbreviates.
  public func short(_ length: Int = 7) -> String { String(hex.prefix(length)) }

  public var description: String { hex }

  public static func < (lhs: ObjectID, rhs: ObjectID) -> Bool {
    (lhs.high, lhs.middle, lhs.low) < (rhs.high, rhs.middle, rhs.low)
  }

  /// The id git gives the empty tree.
  public static let emptyTree = ObjectID(hex: "4b825dc642cb6eb9a060e54bf8d69288fbee4904")!
}
