import TallyText

/// A record's or a field's value in the change data: either a value, or where it is encoded
/// in a cache file's bytes, decoded each time it is read.
///
/// Loading the history cache used to decode every value of every change — most of the file —
/// while a report reads a few fields of some changes and `tally log` one record's. Entries
/// are checked when the file is loaded (checksum and structure), so decoding later cannot
/// fail. Readers that look at a value several times should bind it once.
struct LazyValue: Sendable {
  private enum Storage: Sendable {
    case decoded(Value?)
    /// The bytes and the offset of an optional value (its presence flag) in them.
    case encoded(SharedBytes, Int)
  }

  private var storage: Storage

  init(_ value: Value?) { storage = .decoded(value) }

  /// The optional value at `offset` in `bytes`, already checked by
  /// ``ByteReader/skipOptionalValue()``.
  init(encodedIn bytes: SharedBytes, at offset: Int) {
    storage = bytes.read { $0[offset] } == 0 ? .decoded(nil) : .encoded(bytes, offset)
  }

  /// The value read in place (encoded on its own first when it was given decoded).
  var encoded: EncodedValue? {
    switch storage {
    case .decoded(let value):
      return value.map(EncodedValue.init(encoding:))
    case .encoded(let bytes, let offset):
      return EncodedValue(bytes, at: offset + 1, lengthPrefixed: false)
    }
  }

  var value: Value? {
    switch storage {
    case .decoded(let value):
      return value
    case .encoded(let bytes, let offset):
      return bytes.read { buffer in
        var reader = ByteReader(buffer)
        reader.position = offset
        return reader.optionalValue() ?? nil
      }
    }
  }
}

extension LazyValue: Equatable {
  static func == (lhs: LazyValue, rhs: LazyValue) -> Bool { lhs.value == rhs.value }
}
