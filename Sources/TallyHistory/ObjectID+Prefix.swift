import TallyGit

extension ObjectID {
  /// The first 8 bytes of the id, as a dictionary key: hashing a whole id (an array) costs
  /// more than finding it. Ids that share a prefix must be told apart by the whole id.
  var prefix64: UInt64 {
    bytes.withUnsafeBytes { $0.count >= 8 ? $0.loadUnaligned(as: UInt64.self) : 0 }
  }
}
