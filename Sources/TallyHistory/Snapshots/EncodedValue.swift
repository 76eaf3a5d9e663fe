import TallyText

/// A record's value read in place from its encoding (in ``ValueStore`` or ``HistoryCache``):
/// only what is asked for is decoded, so reading two fields of ten thousand records costs
/// two lookups each, not ten thousand parsed files.
///
/// It reads like ``Value``: `value["status"]?.text`, `value["follow_ups"]?.items`. Equal
/// content gives equal answers; ``decoded`` gives the whole value.
///
/// The encoding: a tag byte (0 null, 1 scalar, 2 list, 3 mapping); a scalar is its style
/// byte and its text (length, UTF-8); a list or a mapping is the length in bytes of what
/// follows, the number of items, then the items (a mapping's: key text, value). With the
/// length a reader steps over a whole list in one step. Every read checks its bounds: bytes
/// that are not such an encoding read as null, never past the end.
public struct EncodedValue: Sendable {
  let storage: SharedBytes
  /// Where the value's tag is in `storage`.
  let offset: Int

  init(_ storage: SharedBytes, at offset: Int) {
    self.storage = storage
    self.offset = offset
  }

  /// `value`, encoded on its own.
  init(encoding value: Value) { self.init(SharedBytes(Self.encoding(value)), at: 0) }

  /// The encoding of `value`, alone (made with one allocation).
  static func encoding(_ value: Value) -> [UInt8] {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(size(value))
    encode(value, into: &bytes)
    return bytes
  }

  func at(_ offset: Int) -> EncodedValue { EncodedValue(storage, at: offset) }

  /// Reads a list's or a mapping's header after its tag: its length in bytes, then the
  /// number of items.
  func count(_ reader: inout ByteReader) -> Int? {
    guard reader.int() != nil, let count = reader.int(), count >= 0, count <= reader.remaining else { return nil }
    return count
  }

  func skip(_ reader: inout ByteReader) -> Bool { Self.skip(&reader) }

  static let nullTag: UInt8 = 0
  static let scalarTag: UInt8 = 1
  static let listTag: UInt8 = 2
  static let mappingTag: UInt8 = 3

  /// The value at `key`, for a mapping (the first pair with that key, as ``Value`` reads it).
  public subscript(key: String) -> EncodedValue? {
    var key = key
    return key.withUTF8 { wanted in
      storage.read { buffer -> EncodedValue? in
        var reader = ByteReader(buffer)
        reader.position = offset
        guard reader.byte() == Self.mappingTag, let count = count(&reader) else { return nil }
        let wantedIsASCII = Self.isASCII(wanted)
        for _ in 0..<count {
          guard let length = reader.int(), length >= 0, length <= reader.remaining else { return nil }
          let stored = UnsafeBufferPointer(rebasing: buffer[reader.position..<(reader.position + length)])
          reader.position += length
          // Bytes decide between ASCII keys; otherwise String equality (canonical
          // equivalence), as `Value` compares keys.
          let matches =
            (length == wanted.count && Self.sameBytes(stored, wanted))
            || (!(wantedIsASCII && Self.isASCII(stored))
              && String(decoding: stored, as: UTF8.self) == String(decoding: wanted, as: UTF8.self))
          if matches { return at(reader.position) }
          guard skip(&reader) else { return nil }
        }
        return nil
      }
    }
  }

  static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    var all: UInt8 = 0
    for byte in bytes { all |= byte }
    return all < 0x80
  }

  /// Whether two buffers of the same length hold the same bytes.
  static func sameBytes(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
    for index in 0..<a.count where a[index] != b[index] { return false }
    return true
  }

  /// The scalar's text, or nil for anything else.
  public var text: String? {
    storage.read { buffer in
      var reader = ByteReader(buffer)
      reader.position = offset
      guard reader.byte() == Self.scalarTag, reader.byte() != nil else { return nil }
      return reader.string()
    }
  }

  /// A list's items, or nil for anything else.
  public var items: [EncodedValue]? {
    storage.read { buffer in
      var reader = ByteReader(buffer)
      reader.position = offset
      guard reader.byte() == Self.listTag, let count = count(&reader) else { return nil }
      var result: [EncodedValue] = []
      result.reserveCapacity(count)
      for _ in 0..<count {
        result.append(at(reader.position))
        guard skip(&reader) else { return nil }
      }
      return result
    }
  }

  /// A mapping's keys and values in order, or nil for anything else.
  public var pairs: [(key: String, value: EncodedValue)]? {
    storage.read { buffer in
      var reader = ByteReader(buffer)
      reader.position = offset
      guard reader.byte() == Self.mappingTag, let count = count(&reader) else { return nil }
      var result: [(key: String, value: EncodedValue)] = []
      result.reserveCapacity(count)
      for _ in 0..<count {
        guard let key = reader.string() else { return nil }
        result.append((key, at(reader.position)))
        guard skip(&reader) else { return nil }
      }
      return result
    }
  }

  public var isNull: Bool {
    storage.read { buffer in offset >= buffer.count || buffer[offset] == Self.nullTag }
  }

  /// The whole value, decoded.
  public var decoded: Value {
    storage.read { buffer in
      var reader = ByteReader(buffer)
      reader.position = offset
      return decode(&reader, depth: 0) ?? .null
    }
  }

  // MARK: Encoding

  /// Appends the encoding of `value` to `out`.
  static func encode(_ value: Value, into out: inout [UInt8]) {
    switch value {
    case .null:
      out.append(nullTag)
    case .scalar(let text, let style):
      out.append(scalarTag)
      out.append(style.code)
      HistoryCache.putString(text, into: &out)
    case .sequence(let items):
      // The body's length first, worked out without making it: a body made apart and then
      // copied was an allocation per list and mapping, most of encoding a record.
      out.append(listTag)
      HistoryCache.putInt(bodySize(value), into: &out)
      HistoryCache.putInt(items.count, into: &out)
      for item in items { encode(item, into: &out) }
    case .mapping(let pairs):
      out.append(mappingTag)
      HistoryCache.putInt(bodySize(value), into: &out)
      HistoryCache.putInt(pairs.count, into: &out)
      for pair in pairs {
        HistoryCache.putString(pair.key, into: &out)
        encode(pair.value, into: &out)
      }
    }
  }

  /// How many bytes ``encode(_:into:)`` writes for `value`.
  static func size(_ value: Value) -> Int {
    switch value {
    case .null: 1
    case .scalar(let text, _): 2 + stringSize(text)
    case .sequence, .mapping:
      { body in 1 + intSize(body) + body }(bodySize(value))
    }
  }

  /// The length of a list's or a mapping's body (its count, then its items).
  private static func bodySize(_ value: Value) -> Int {
    switch value {
    case .sequence(let items):
      var total = intSize(items.count)
      for item in items { total += size(item) }
      return total
    case .mapping(let pairs):
      var total = intSize(pairs.count)
      for pair in pairs { total += stringSize(pair.key) + size(pair.value) }
      return total
    case .null, .scalar: return 0
    }
  }

  /// The bytes ``HistoryCache/putInt(_:into:)`` writes for `value`.
  private static func intSize(_ value: Int) -> Int {
    var rest = UInt64(bitPattern: Int64((value << 1) ^ (value >> 63)))
    var count = 1
    while rest >= 0x80 {
      rest >>= 7
      count += 1
    }
    return count
  }

  private static func stringSize(_ text: String) -> Int {
    let count = text.utf8.count
    return intSize(count) + count
  }

  /// Steps over one encoded value; false when it is not one.
  static func skip(_ reader: inout ByteReader) -> Bool {
    guard let tag = reader.byte() else { return false }
    switch tag {
    case nullTag:
      return true
    case scalarTag:
      return reader.byte() != nil && reader.skipString()
    case listTag, mappingTag:
      guard let length = reader.int() else { return false }
      return reader.skip(length)
    default:
      return false
    }
  }

  func decode(_ reader: inout ByteReader, depth: Int) -> Value? {
    guard depth < 80, let tag = reader.byte() else { return nil }
    switch tag {
    case Self.nullTag:
      return .null
    case Self.scalarTag:
      guard let code = reader.byte(), let style = ScalarStyle(code: code), let text = reader.string() else {
        return nil
      }
      return .scalar(text, style: style)
    case Self.listTag:
      guard let count = count(&reader) else { return nil }
      var items: [Value] = []
      items.reserveCapacity(count)
      for _ in 0..<count {
        guard let item = decode(&reader, depth: depth + 1) else { return nil }
        items.append(item)
      }
      return .sequence(items)
    case Self.mappingTag:
      guard let count = count(&reader) else { return nil }
      var pairs: [Value.Pair] = []
      pairs.reserveCapacity(count)
      for _ in 0..<count {
        guard let key = reader.string(), let item = decode(&reader, depth: depth + 1) else { return nil }
        pairs.append(Value.Pair(key: key, value: item))
      }
      return .mapping(pairs)
    default:
      return nil
    }
  }
}
