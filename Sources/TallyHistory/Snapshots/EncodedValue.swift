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
  init(encoding value: Value) {
    var bytes: [UInt8] = []
    Self.encode(value, into: &bytes)
    self.init(SharedBytes(bytes), at: 0)
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
      var body: [UInt8] = []
      HistoryCache.putInt(items.count, into: &body)
      for item in items { encode(item, into: &body) }
      out.append(listTag)
      HistoryCache.putInt(body.count, into: &out)
      out.append(contentsOf: body)
    case .mapping(let pairs):
      var body: [UInt8] = []
      HistoryCache.putInt(pairs.count, into: &body)
      for pair in pairs {
        HistoryCache.putString(pair.key, into: &body)
        encode(pair.value, into: &body)
      }
      out.append(mappingTag)
      HistoryCache.putInt(body.count, into: &out)
      out.append(contentsOf: body)
    }
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
