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
