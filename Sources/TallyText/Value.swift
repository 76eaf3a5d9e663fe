/// What a record file means, without layout: the view every layer above the parser uses.
///
/// Every scalar is text; the schema gives it a type. Two values are equal when they mean
/// the same: the style a scalar was written in is kept for diagnostics and printing but
/// does not take part in equality.
public enum Value: Sendable, CustomStringConvertible {
  case null
  case scalar(String, style: ScalarStyle)
  case sequence([Value])
  case mapping([Pair])

  /// One key and its value in a mapping, in file order.
  public struct Pair: Sendable, Hashable {
    public var key: String
    public var value: Value

    public init(key: String, value: Value) {
      self.key = key
      self.value = value
    }
  }

  /// A plain scalar.
  public static func text(_ text: String) -> Value { .scalar(text, style: .plain) }

  /// The value at `key`, for a mapping.
  public subscript(key: String) -> Value? {
    guard case .mapping(let pairs) = self else { return nil }
    for pair in pairs where pair.key == key { return pair.value }
    return nil
  }

  /// The scalar's text, or `nil` for anything else.
  public var text: String? {
    if case .scalar(let text, _) = self { return text }
    return nil
  }

  public var pairs: [Pair]? {
    if case .mapping(let pairs) = self { return pairs }
    return nil
  }

  public var items: [Value]? {
    if case .sequence(let items) = self { return items }
    return nil
  }

  public var isNull: Bool {
    if case .null = self { return true }
    return false
  }

  public var kindName: String {
    switch self {
    case .null: "empty"
    case .scalar: "text"
    case .sequence: "list"
    case .mapping: "mapping"
    }
  }

  public var description: String {
    switch self {
    case .null: "null"
    case .scalar(let text, _): String(reflecting: text)
    case .sequence(let items): "[" + items.map(\.description).joined(separator: ", ") + "]"
    case .mapping(let pairs):
      "{" + pairs.map { "\(String(reflecting: $0.key)): \($0.value)" }.joined(separator: ", ") + "}"
    }
  }
}

extension Value: Hashable {
  public static func == (lhs: Value, rhs: Value) -> Bool {
    switch (lhs, rhs) {
    case (.null, .null): true
    case (.scalar(let a, _), .scalar(let b, _)): a == b
    case (.sequence(let a), .sequence(let b)): a == b
    case (.mapping(let a), .mapping(let b)): a == b
    default: false
    }
  }

  public func hash(into hasher: inout Hasher) {
    switch self {
    case .null:
      hasher.combine(0)
    case .scalar(let text, _):
      hasher.combine(1)
      hasher.combine(text)
    case .sequence(let items):
      hasher.combine(2)
      hasher.combine(items)
    case .mapping(let pairs):
      hasher.combine(3)
      hasher.combine(pairs)
    }
  }
}
