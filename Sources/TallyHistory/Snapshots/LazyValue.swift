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
    /// The encoding of one value, alone.
    case own([UInt8])
  }

  private var storage: Storage

  init(_ value: Value?) { storage = .decoded(value) }

  /// The ``EncodedValue`` at `offset` in `bytes`.
  init(encodedIn bytes: SharedBytes, at offset: Int) { storage = .encoded(bytes, offset) }

  /// `value` encoded on its own, to hold: its encoding takes a fraction of the memory of a
  /// parsed ``Value`` (a tree of strings, arrays and enums).
  init(encoding value: Value?) {
    guard let value else {
      storage = .decoded(nil)
      return
    }
    storage = .own(EncodedValue.encoding(value))
  }

  /// Appends the value as the history cache file holds it (a presence flag, then
  /// ``EncodedValue``'s encoding): an encoded value's bytes are copied as they are.
  func write(into out: inout [UInt8]) {
    switch storage {
    case .decoded(let value):
      guard let value else { return out.append(0) }
      out.append(1)
      EncodedValue.encode(value, into: &out)
    case .own(let bytes):
      out.append(1)
      out.append(contentsOf: bytes)
    case .encoded(let bytes, let offset):
      let copied = bytes.read { buffer -> Bool in
        var reader = ByteReader(buffer)
        reader.position = offset
        guard EncodedValue.skip(&reader) else { return false }
        out.append(1)
        out.append(contentsOf: buffer[offset..<reader.position])
        return true
      }
      // (Bytes that do not hold a value were checked when read: not reached.)
      if !copied { LazyValue(value).write(into: &out) }
    }
  }

  /// The value read in place (encoded on its own first when it was given decoded).
  var encoded: EncodedValue? {
    switch storage {
    case .decoded(let value): value.map(EncodedValue.init(encoding:))
    case .encoded(let bytes, let offset): EncodedValue(bytes, at: offset)
    case .own(let bytes): EncodedValue(SharedBytes(bytes), at: 0)
    }
  }

  var value: Value? {
    switch storage {
    case .decoded(let value): value
    case .encoded(let bytes, let offset): EncodedValue(bytes, at: offset).decoded
    case .own(let bytes): EncodedValue(SharedBytes(bytes), at: 0).decoded
    }
  }
}

extension LazyValue: Equatable {
  static func == (lhs: LazyValue, rhs: LazyValue) -> Bool { lhs.value == rhs.value }
}
