import TallyGit

/// A git object id with its 20 bytes inline, as a dictionary key: hashing and comparing an
/// ``ObjectID`` walks a heap array, which made finding 20,000 commits cost more than
/// reading them.
struct ObjectKey: Hashable, Sendable {
  let first: UInt64
  let second: UInt64
  let last: UInt32

  /// The key of `id`; nil for an id that is not 20 bytes long.
  init?(_ id: ObjectID) {
    guard let key = id.bytes.withUnsafeBytes({ $0.count == 20 ? ObjectKey($0, at: 0) : nil }) else { return nil }
    self = key
  }

  /// The key of the 20 bytes at `offset` in `bytes` (in bounds).
  init(_ bytes: UnsafeRawBufferPointer, at offset: Int) {
    first = bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
    second = bytes.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self)
    last = bytes.loadUnaligned(fromByteOffset: offset + 16, as: UInt32.self)
  }
}

extension ObjectKey {
  /// Whether this key's bytes sort before `other`'s (as `memcmp` orders them).
  func precedes(_ other: ObjectKey) -> Bool {
    if first != other.first { return first.byteSwapped < other.first.byteSwapped }
    if second != other.second { return second.byteSwapped < other.second.byteSwapped }
    return last.byteSwapped < other.last.byteSwapped
  }

  /// Appends the key's 20 bytes.
  func append(to out: inout [UInt8]) {
    withUnsafeBytes(of: first) { out.append(contentsOf: $0) }
    withUnsafeBytes(of: second) { out.append(contentsOf: $0) }
    withUnsafeBytes(of: last) { out.append(contentsOf: $0) }
  }
}
