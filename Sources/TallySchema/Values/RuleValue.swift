import TallyText

/// A typed value as rules see it.
public enum RuleValue: Sendable, CustomStringConvertible {
  case null
  case bool(Bool)
  case number(ExactDecimal)
  case text(String)
  case date(CivilDate)
  case dateTime(CivilDateTime)
  case list([RuleValue])
  case object(ObjectView)
  /// A reference to a record: its type and id.
  case reference(type: String, id: String)
  /// A value that does not have its field's type (reported by the field checks); rules that
  /// read it are not evaluated.
  case invalid

  public var typeName: String {
    switch self {
    case .null: "empty"
    case .bool: "true/false"
    case .number: "number"
    case .text: "text"
    case .date: "date"
    case .dateTime: "date-time"
    case .list: "list"
    case .object: "object"
    case .reference(let type, _): "reference to \(type)"
    case .invalid: "invalid value"
    }
  }

  public var description: String {
    switch self {
    case .null: "null"
    case .bool(let b): b ? "true" : "false"
    case .number(let n): n.description
    case .text(let t): "\"\(t)\""
    case .date(let d): d.description
    case .dateTime(let d): d.description
    case .list(let items): "[" + items.map(\.description).joined(separator: ", ") + "]"
    case .object: "{...}"
    case .reference(_, let id): id
    case .invalid: "(invalid)"
    }
  }

  public var isNull: Bool {
    if case .null = self { return true }
    return false
  }
}

/// Where each field of an object being checked is: its value's node in the tree, by the
/// field's position in the object's spec (-1: absent). The validator fills it while it walks
/// the object's keys, and the object's rules read their fields from it; valid while they
/// are evaluated.
struct FieldNodeTable: @unchecked Sendable {
  let tree: SyntaxTree
  let nodes: UnsafeBufferPointer<Int32>
}

/// A record, or an object inside one, with typed access to its fields.
public struct ObjectView: Sendable {
  enum Storage: Sendable {
    case syntax(SyntaxNode)
    case value([Value.Pair])
  }

  let storage: Storage
  public let spec: ObjectSpec
  /// The record type, when this is a whole record (for `id`).
  public let recordType: String?
  public let id: String?

  public init(syntax: SyntaxNode, spec: ObjectSpec, recordType: String? = nil, id: String? = nil) {
    storage = .syntax(syntax)
    self.spec = spec
    self.recordType = recordType
    self.id = id
  }

  public init(value: Value, spec: ObjectSpec, recordType: String? = nil, id: String? = nil) {
    storage = .value(value.pairs ?? [])
    self.spec = spec
    self.recordType = recordType
    self.id = id
  }

  /// The typed value of field `name` (null when the field is absent).
  public func field(_ name: String) -> RuleValue {
    guard let field = spec[name] else { return read(name, nil) }
    return read(field)
  }

  /// The typed value of the field at `position` of the spec's fields, named `name`
  /// (a resolved name, see ``Expression/resolved(in:)``).
  func field(at position: Int, _ name: String, nodes: FieldNodeTable? = nil) -> RuleValue {
    let fields = spec.fields
    // A view of another spec than the one the name was resolved in: look it up by name.
    guard position < fields.count, fields[position].name == name else { return field(name) }
    if let nodes, position < nodes.nodes.count {
      let node = nodes.nodes[position]
      return node < 0 ? .null : Self.convert(nodes.tree.node(at: Int(node)), fields[position])
    }
    return read(fields[position])
  }

  /// The value of the spec's `field`.
  @inline(__always)
  private func read(_ field: FieldSpec) -> RuleValue {
    guard case .syntax(let node) = storage else { return read(field.name, field.type) }
    // The key's bytes are the spec's: no string to make or hash.
    guard let child = field.utf8Name.withUnsafeBufferPointer({ node.value(forKey: $0) }) else { return .null }
    return Self.convert(child, field)
  }

  /// The value of the entry `name`, typed as `type`.
  private func read(_ name: String, _ type: FieldType?) -> RuleValue {
    switch storage {
    case .syntax(let node):
      guard let child = node[name] else { return .null }
      return Self.convert(child, type)
    case .value(let pairs):
      guard let pair = pairs.first(where: { $0.key == name }) else { return .null }
      return Self.convert(pair.value, type)
    }
  }

  /// A field's value: dates and enum values, what rules compare most, are read from the
  /// bytes by the field's kind (matching on its type would copy the type's settings).
  @inline(__always)
  static func convert(_ node: SyntaxNode, _ field: FieldSpec) -> RuleValue {
    if node.isScalar {
      switch field.kind {
      case .date:
        if let date = node.withUTF8({ CivilDate(utf8: $0) }) ?? nil { return .date(date) }
      case .enumeration:
        let allowed = node.withUTF8 { bytes in field.enumBytes.contains { bytes.hasSameBytes(as: $0) } } ?? false
        if allowed { return .text(node.text ?? "") }
      default:
        break
      }
    }
    return convert(node, field.type)
  }

  static func convert(_ node: SyntaxNode, _ type: FieldType?) -> RuleValue {
    switch node.kind {
    case .null:
      return .null
    case .scalar:
      guard let type else { return .text(node.text ?? "") }
      // Dates are what rules compare most: read them from the bytes, without a string.
      if case .date = type, let date = node.withUTF8({ CivilDate(utf8: $0) }) ?? nil { return .date(date) }
      // Enum values are what rules compare next: an allowed value is its text.
      if case .enumeration(let values) = type, node.withUTF8({ values.contains(utf8: $0) }) == true {
        return .text(node.text ?? "")
      }
      return TypedScalar.value(of: node.text ?? "", type: type)
    case .sequence:
      var itemType: FieldType?
      if let type {
        guard case .list(let list) = type else { return .invalid }
        itemType = list.items.type
      }
      return .list(node.items.map { convert($0, itemType) })
    case .mapping:
      if let type {
        guard case .object(let object) = type else { return .invalid }
        return .object(ObjectView(syntax: node, spec: object))
      }
      return .object(ObjectView(syntax: node, spec: ObjectSpec(fields: [], open: true)))
    }
  }

  static func convert(_ value: Value, _ type: FieldType?) -> RuleValue {
    switch value {
    case .null:
      return .null
    case .scalar(let text, _):
      guard let type else { return .text(text) }
      return TypedScalar.value(of: text, type: type)
    case .sequence(let items):
      var itemType: FieldType?
      if let type {
        guard case .list(let list) = type else { return .invalid }
        itemType = list.items.type
      }
      return .list(items.map { convert($0, itemType) })
    case .mapping:
      if let type {
        guard case .object(let object) = type else { return .invalid }
        return .object(ObjectView(value: value, spec: object))
      }
      return .object(ObjectView(value: value, spec: ObjectSpec(fields: [], open: true)))
    }
  }
}

/// Reading scalar text as a value of a field type.
public enum TypedScalar {
  /// The typed value, or `.invalid` when the text is not of the type.
  public static func value(of text: String, type: FieldType) -> RuleValue {
    switch check(text, type: type) {
    case .success(let value): value
    case .failure: .invalid
    }
  }

  /// Why text is not a value of its field's type.
  public struct Problem: Error, Sendable {
    public var code: String
    public var message: String
    public var hint: String?
  }

  /// The typed value, or the problem with the text.
  public static func check(_ text: String, type: FieldType) -> Result<RuleValue, Problem> {
    func fail(_ code: String, _ message: String, _ hint: String? = nil) -> Result<RuleValue, Problem> {
      .failure(Problem(code: code, message: message, hint: hint))
    }
    var shown: String { text.utf8.count > 120 ? String(text.prefix(40)) + "…" : text }
    switch type {
    case .text:
      // In place: through the view's iterator this took a thousand instructions per name.
      if text.utf8.withContiguousStorageIfAvailable({ $0.contains(0x0A) }) ?? text.utf8.contains(0x0A) {
        return fail(
          "line-break", "a one-line text field holds a line break",
          "remove the line break, or make the field 'multiline' in the schema")
      }
      return .success(.text(text))
    case .multiline, .email, .phone, .url:
      switch type {
      case .email where !isEmail(text):
        return fail("not-an-email", "'\(shown)' is not an email address", "write it like name@example.com")
      case .phone where !isPhone(text):
        return fail(
          "not-a-phone", "'\(shown)' is not a phone number",
          "7 to 15 digits, optionally with a leading +, spaces, dashes or parentheses: '13800138000', '+86 21 5555 0100'"
        )
      case .url where !isURL(text):
        return fail("not-a-url", "'\(shown)' is not a web address", "write it with http:// or https://")
      default:
        return .success(.text(text))
      }
    case .int:
      guard isInteger(text), let value = ExactDecimal(text) else {
        return fail("not-an-integer", "'\(shown)' is not a whole number", hintForNumber(text))
      }
      return .success(.number(value))
    case .decimal:
      guard let value = ExactDecimal(text) else {
        return fail("not-a-number", "'\(shown)' is not a number", hintForNumber(text))
      }
      return .success(.number(value))
    case .money:
      guard let value = ExactDecimal(text) else {
        return fail("not-money", "'\(shown)' is not an amount of money", "write the amount as digits: 12800.00")
      }
      guard value.fractionDigits <= 2 else {
        return fail(
          "not-money", "'\(shown)' has more than two decimals", "round it to cents: \(value.rounded(toDigits: 2))")
      }
      return .success(.number(value))
    case .percent:
      var number = Substring(text)
      if number.hasSuffix("%") { number = number.dropLast() }
      guard let value = ExactDecimal(String(number)) else {
        return fail("not-a-number", "'\(shown)' is not a percentage", "write e.g. 85 or 85%")
      }
      return .success(.number(value))
    case .bool:
      switch text {
      case "true": return .success(.bool(true))
      case "false": return .success(.bool(false))
      default:
        let lower = text.lowercased()
        let hint =
          ["yes", "y", "on", "1", "是", "对"].contains(lower)
          ? "write true" : (["no", "n", "off", "0", "否", "不"].contains(lower) ? "write false" : "write true or false")
        return fail("not-a-bool", "'\(shown)' is not true or false", hint)
      }
    case .date:
      guard let date = CivilDate(text) else {
        if text.utf8.count == 10, text.utf8.filter({ $0 == UInt8(ascii: "-") }).count == 2 {
          return fail("not-a-date", "'\(shown)' is not a day in the calendar", "check the month and the day")
        }
        return fail("not-a-date", "'\(shown)' is not a date", "write dates as YYYY-MM-DD, e.g. 2026-03-02")
      }
      return .success(.date(date))
    case .datetime:
      guard let value = CivilDateTime(text) else {
        return fail(
          "not-a-datetime", "'\(shown)' is not a date and time",
          "write it as 2026-03-02T10:30 or 2026-03-02T10:30:00+08:00")
      }
      return .success(.dateTime(value))
    case .enumeration(let spec):
      guard spec.contains(text) else {
        var hint = "allowed: " + spec.values.prefix(12).joined(separator: ", ")
        if let suggestion = Suggestions.closest(to: text, among: spec.values) {
          hint = "did you mean '\(suggestion)'? " + hint
        } else if let (value, _) = spec.labels.first(where: { $0.value == text }) {
          hint = "'\(text)' is the label of '\(value)': write \(value)"
        }
        return fail("not-in-enum", "'\(shown)' is not one of the allowed values", hint)
      }
      return .success(.text(text))
    case .reference(let reference):
      return .success(.reference(type: reference.target, id: text))
    case .list:
      return fail(
        "wrong-kind", "a single value where a list is expected", "write the items as '- item' lines under the key")
    case .object:
      return fail("wrong-kind", "a single value where fields are expected", "write 'field: value' lines under the key")
    }
  }

  static func hintForNumber(_ text: String) -> String? {
    if text.contains(",") { return "write numbers without thousands separators: \(text.replacing(",", with: ""))" }
    if text.contains("，") || text.contains("。") { return "use ASCII digits and '.'" }
    if text.hasSuffix("%") { return "write the number without '%'" }
    return nil
  }

  static func isInteger(_ text: String) -> Bool {
    var text = text
    return text.withUTF8 { isInteger(utf8: $0) }
  }

  /// An optional sign, then one or more digits.
  static func isInteger(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    var digits = bytes[...]
    if let first = digits.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
      digits = digits.dropFirst()
    }
    return !digits.isEmpty && digits.allSatisfy { $0 >= 48 && $0 <= 57 }
  }

  static func isEmail(_ text: String) -> Bool {
    var text = text
    return text.withUTF8 { isEmail(utf8: $0) }
  }

  /// One `@` with something before it, a dot inside the part after it, and no spaces,
  /// commas or semicolons.
  static func isEmail(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    var at = -1
    for (index, byte) in bytes.enumerated() {
      switch byte {
      case UInt8(ascii: "@"):
        if at >= 0 { return false }
        at = index
      case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: ","), UInt8(ascii: ";"):
        return false
      default:
        break
      }
    }
    guard at > 0 else { return false }
    let domain = UnsafeBufferPointer(rebasing: bytes[(at + 1)...])
    guard let first = domain.first, let last = domain.last else { return false }
    return first != UInt8(ascii: ".") && last != UInt8(ascii: ".") && domain.contains(UInt8(ascii: "."))
  }

  static func isPhone(_ text: String) -> Bool {
    var text = text
    return text.withUTF8 { isPhone(utf8: $0) }
  }

  /// 7 to 15 digits, with an optional leading `+`, spaces, dashes and parentheses.
  static func isPhone(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    var digits = 0
    for (index, byte) in bytes.enumerated() {
      switch byte {
      case UInt8(ascii: "0")...UInt8(ascii: "9"):
        digits += 1
      case UInt8(ascii: "+"):
        if index != 0 { return false }
      case UInt8(ascii: " "), UInt8(ascii: "-"), UInt8(ascii: "("), UInt8(ascii: ")"):
        break
      default:
        return false
      }
    }
    return (7...15).contains(digits)
  }

  static func isURL(_ text: String) -> Bool {
    (text.hasPrefix("https://") || text.hasPrefix("http://")) && text.count > 8
      && !text.contains(where: { $0 == " " || $0 == "\t" })
  }
}
