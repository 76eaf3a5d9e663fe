internal import CLibGit2

/// A git object id (SHA-1), as a value.
public struct ObjectID: Hashable, Sendable, Comparable, CustomStringConvertible {
  /// The 20 bytes of the id.
  public let bytes: [UInt8]

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
    self.bytes = bytes
  }

  init(_ oid: git_oid) {
    var copy = oid
    bytes = withUnsafeBytes(of: &copy.id) { Array($0.prefix(20)) }
  }

  init(_ pointer: UnsafePointer<git_oid>) {
    self.init(pointer.pointee)
  }

  var raw: git_oid {
    var oid = git_oid()
    withUnsafeMutableBytes(of: &oid.id) { buffer in
      for (index, byte) in bytes.enumerated() { buffer[index] = byte }
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
    let digits = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    out.reserveCapacity(40)
    for byte in bytes {
      out.append(digits[Int(byte >> 4)])
      out.append(digits[Int(byte & 0xF)])
    }
    return String(decoding: out, as: UTF8.self)
  }

  /// The first `length` hex digits (7 by default), as git abbreviates.
  public func short(_ length: Int = 7) -> String { String(hex.prefix(length)) }

  public var description: String { hex }

  public static func < (lhs: ObjectID, rhs: ObjectID) -> Bool { lhs.bytes.lexicographicallyPrecedes(rhs.bytes) }

  /// The id git gives the empty tree.
  public static let emptyTree = ObjectID(hex: "4b825dc642cb6eb9a060e54bf8d69288fbee4904")!
}
