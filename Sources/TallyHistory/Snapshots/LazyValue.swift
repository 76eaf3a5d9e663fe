import TallyText

/// A record's or a field's value in the change data: either a value, or where it is encoded
/// in a cache file's bytes, decoded each time it is read.
///
/// Loading the history cache used to decode every value of every change — most of the file —
/// while a report reads a few fields of some changes and `tally log` one record's. Entries
/// are checked when the file is loaded (checksum, and each value's extent), and read with
/// bounds checks. Readers that look at a value several times should bind it once, or read
/// it in place (``encoded``).
struct LazyValue: Sendable {
  private enum Storage: Sendable {
    case decoded(Value?)
    /// The bytes and the offset of an ``EncodedValue`` in them.
    case encoded(SharedBytes, Int)
  }

  private var storage: Storage

  init(_ value: Value?) { storage = .decoded(value) }

  /// The ``EncodedValue`` at `offset` in `bytes`.
  init(encodedIn bytes: SharedBytes, at offset: Int) { storage = .encoded(bytes, offset) }

  /// The value read in place (encoded on its own first when it was given decoded).
  var encoded: EncodedValue? {
    switch storage {
    case .decoded(let value): value.map(EncodedValue.init(encoding:))
    case .encoded(let bytes, let offset): EncodedValue(bytes, at: offset)
    }
  }

  var value: Value? {
    switch storage {
    case .decoded(let value): value
    case .encoded(let bytes, let offset): EncodedValue(bytes, at: offset).decoded
    }
  }
}

extension LazyValue: Equatable {
  static func == (lhs: LazyValue, rhs: LazyValue) -> Bool { lhs.value == rhs.value }
}
