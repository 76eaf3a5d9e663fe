import TallyGit
import TallyText

/// Reads what ``HistoryCache`` wrote; every read checks bounds and returns nil past the end.
///
/// It reads through a pointer, not an array, so reading a byte costs no reference counting:
/// use it only inside the `withUnsafeBufferPointer` (or ``SharedBytes/read(_:)``) call that
/// made the pointer.
struct ByteReader {
  let bytes: UnsafeBufferPointer<UInt8>
  var position = 0

  init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

  var atEnd: Bool { position >= bytes.count }
  var remaining: Int { bytes.count - position }

  mutating func take(_ count: Int) -> [UInt8]? {
    guard count >= 0, count <= remaining else { return nil }
    defer { position += count }
    return Array(UnsafeBufferPointer(rebasing: bytes[position..<(position + count)]))
  }

  mutating func skip(_ count: Int) -> Bool {
    guard count >= 0, count <= remaining else { return false }
    position += count
    return true
  }

  mutating func byte() -> UInt8? {
    guard position < bytes.count else { return nil }
    defer { position += 1 }
    return bytes[position]
  }

  mutating func fixed64() -> UInt64? {
    guard remaining >= 8 else { return nil }
    var value: UInt64 = 0
    for index in 0..<8 { value |= UInt64(bytes[position + index]) << UInt64(index * 8) }
    position += 8
    return value
  }

  mutating func int() -> Int? {
    var value: UInt64 = 0
    var shift: UInt64 = 0
    while position < bytes.count, shift < 64 {
      let byte = bytes[position]
      position += 1
      value |= UInt64(byte & 0x7F) << shift
      if byte < 0x80 {
        let decoded = Int64(bitPattern: (value >> 1) ^ (0 &- (value & 1)))
        return Int(decoded)
      }
      shift += 7
    }
    return nil
  }

  mutating func string() -> String? {
    guard let count = int(), count >= 0, count <= remaining else { return nil }
    defer { position += count }
    return String(decoding: UnsafeBufferPointer(rebasing: bytes[position..<(position + count)]), as: UTF8.self)
  }

  /// Steps over a string without making one.
  mutating func skipString() -> Bool {
    guard let count = int() else { return false }
    return skip(count)
  }

  mutating func id() -> ObjectID? {
    guard let raw = take(20) else { return nil }
    return ObjectID(bytes: raw)
  }

  /// `.some(nil)` for an absent value, nil on damage.
  mutating func optionalString() -> String?? {
    guard let flag = byte() else { return nil }
    if flag == 0 { return .some(nil) }
    guard flag == 1, let text = string() else { return nil }
    return .some(text)
  }

  mutating func optionalID() -> ObjectID?? {
    guard let flag = byte() else { return nil }
    if flag == 0 { return .some(nil) }
    guard flag == 1, let id = id() else { return nil }
    return .some(id)
  }

  mutating func optionalValue() -> Value?? {
    guard let flag = byte() else { return nil }
    if flag == 0 { return .some(nil) }
    guard flag == 1, let value = value(depth: 0) else { return nil }
    return .some(value)
  }

  mutating func value(depth: Int) -> Value? {
    guard depth < 80, let tag = byte() else { return nil }
    switch tag {
    case 0:
      return .null
    case 1:
      guard let code = byte(), let style = ScalarStyle(code: code), let text = string() else { return nil }
      return .scalar(text, style: style)
    case 2:
      guard let count = int(), count >= 0, count <= remaining else { return nil }
      var items: [Value] = []
      items.reserveCapacity(count)
      for _ in 0..<count {
        guard let item = value(depth: depth + 1) else { return nil }
        items.append(item)
      }
      return .sequence(items)
    case 3:
      guard let count = int(), count >= 0, count <= remaining else { return nil }
      var pairs: [Value.Pair] = []
      pairs.reserveCapacity(count)
      for _ in 0..<count {
        guard let key = string(), let item = value(depth: depth + 1) else { return nil }
        pairs.append(Value.Pair(key: key, value: item))
      }
      return .mapping(pairs)
    default:
      return nil
    }
  }

  /// Steps over an optional value, checking it as ``optionalValue()`` would read it (so that
  /// reading it later cannot fail), without making it. False on damage.
  mutating func skipOptionalValue() -> Bool {
    guard let flag = byte() else { return false }
    if flag == 0 { return true }
    return flag == 1 && skipValue(depth: 0)
  }

  mutating func skipValue(depth: Int) -> Bool {
    guard depth < 80, let tag = byte() else { return false }
    switch tag {
    case 0:
      return true
    case 1:
      guard let code = byte(), ScalarStyle(code: code) != nil else { return false }
      return skipString()
    case 2:
      guard let count = int(), count >= 0, count <= remaining else { return false }
      for _ in 0..<count where !skipValue(depth: depth + 1) { return false }
      return true
    case 3:
      guard let count = int(), count >= 0, count <= remaining else { return false }
      for _ in 0..<count where !(skipString() && skipValue(depth: depth + 1)) { return false }
      return true
    default:
      return false
    }
  }
}

extension ScalarStyle {
  var code: UInt8 {
    switch self {
    case .plain: 0
    case .singleQuoted: 1
    case .doubleQuoted: 2
    case .literal: 3
    case .folded: 4
    }
  }

  init?(code: UInt8) {
    switch code {
    case 0: self = .plain
    case 1: self = .singleQuoted
    case 2: self = .doubleQuoted
    case 3: self = .literal
    case 4: self = .folded
    default: return nil
    }
  }
}
