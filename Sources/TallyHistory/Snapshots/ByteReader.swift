import TallyGit
import TallyText

/// Reads what ``HistoryCache`` and ``ValueStore`` wrote; every read checks bounds and returns
/// nil past the end.
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
}
