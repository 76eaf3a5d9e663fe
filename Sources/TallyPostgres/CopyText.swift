import NIOCore
import TallyQuery
import TallySchema

/// Rows in COPY's text format (one line per row, columns split by tabs, `\N` for null,
/// backslash escapes), each value checked against its column's PostgreSQL type: a value
/// SQLite kept that PostgreSQL's type would refuse (text in a number column, a day not in the
/// calendar) is written as null and counted, so one bad record cannot fail the export.
struct CopyText {
  /// Values that did not fit their column, per `table.column`: how many and the first one.
  var misfits: [String: (count: Int, first: String)] = [:]

  mutating func append(_ row: [SQLValue], of table: SQLTableDefinition, to buffer: inout ByteBuffer) {
    for (index, column) in table.columns.enumerated() {
      if index > 0 { buffer.writeInteger(UInt8(ascii: "\t")) }
      let value = index < row.count ? row[index] : .null
      if case .null = value {
        buffer.writeStaticString("\\N")
      } else if let text = Self.fitted(value, column.type) {
        Self.writeEscaped(text, to: &buffer)
      } else {
        buffer.writeStaticString("\\N")
        let key = table.name + "." + column.name
        misfits[key, default: (0, value.text ?? "")].count += 1
      }
    }
    buffer.writeInteger(UInt8(ascii: "\n"))
  }

  /// The value as PostgreSQL's input text for `type`; nil when that type would refuse it.
  static func fitted(_ value: SQLValue, _ type: SQLLayout.ColumnType) -> String? {
    switch type {
    case .text, .datetime, .json:
      return value.text
    case .integer, .cents:
      switch value {
      case .integer(let number): return String(number)
      case .real(let number): return number == number.rounded() && abs(number) < 9e18 ? String(Int64(number)) : nil
      case .text(let text): return Int64(text).map(String.init)
      case .null: return nil
      }
    case .real:
      switch value {
      case .integer(let number): return String(number)
      case .real(let number):
        if number.isNaN { return "NaN" }
        if number.isInfinite { return number > 0 ? "Infinity" : "-Infinity" }
        return String(number)
      case .text(let text): return isNumber(text, exponent: true) ? text : nil
      case .null: return nil
      }
    case .money:
      switch value {
      case .integer(let number): return String(number)
      case .text(let text): return isNumber(text, exponent: false) ? text : nil
      default: return nil
      }
    case .boolean:
      switch value {
      case .integer(0): return "f"
      case .integer(1): return "t"
      default: return nil
      }
    case .date:
      guard case .text(let text) = value, text.utf8.count == 10, CivilDate(text) != nil else { return nil }
      return text
    case .timestamp:
      guard case .text(let text) = value, text.utf8.count == 19, CivilDate(String(text.prefix(10))) != nil else {
        return nil
      }
      return text
    }
  }

  /// `-12`, `12.50` (and with `exponent`, `1.5e-3`): what PostgreSQL's numeric and double
  /// precision read, and nothing they would not.
  static func isNumber(_ text: String, exponent: Bool) -> Bool {
    var bytes = text.utf8[...]
    if bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
    let digits = bytes.prefix { (48...57).contains($0) }
    bytes = bytes.dropFirst(digits.count)
    var fraction = 0
    if bytes.first == UInt8(ascii: ".") {
      bytes = bytes.dropFirst()
      fraction = bytes.prefix { (48...57).contains($0) }.count
      bytes = bytes.dropFirst(fraction)
      if fraction == 0 { return false }
    }
    if digits.isEmpty && fraction == 0 { return false }
    if exponent, let e = bytes.first, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
      bytes = bytes.dropFirst()
      if let sign = bytes.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") { bytes = bytes.dropFirst() }
      let power = bytes.prefix { (48...57).contains($0) }.count
      if power == 0 { return false }
      bytes = bytes.dropFirst(power)
    }
    return bytes.isEmpty
  }

  static func writeEscaped(_ text: String, to buffer: inout ByteBuffer) {
    let special = text.utf8.contains { $0 == UInt8(ascii: "\\") || $0 == 9 || $0 == 10 || $0 == 13 }
    guard special else {
      buffer.writeString(text)
      return
    }
    for byte in text.utf8 {
      switch byte {
      case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
      case 9: buffer.writeStaticString("\\t")
      case 10: buffer.writeStaticString("\\n")
      case 13: buffer.writeStaticString("\\r")
      default: buffer.writeInteger(byte)
      }
    }
  }
}
