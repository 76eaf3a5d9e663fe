import TallyText

extension FieldDiff {
  /// The identity of each item of a list whose spec is `list` (nil: not known to the
  /// schema), as ``differences(from:to:spec:lists:)`` matches them.
  ///
  /// With `unique_by`, an item that has that field as a scalar is identified by its value
  /// (numbers by value); other items, and all items of a list without `unique_by`, by their
  /// position or their content, as `lists` says. Repeated identities count up their
  /// occurrence, so the identities of one list are all different.
  public static func identities(of items: [Value], list: ListSpec?, lists: ListMatching) -> [ItemIdentity] {
    let itemType = list?.items.type
    var keyType: FieldType?
    if let key = list?.uniqueBy, case .object(let object)? = itemType { keyType = object[key]?.type }
    var seen: [ItemIdentity: Int] = [:]
    var result: [ItemIdentity] = []
    result.reserveCapacity(items.count)
    for (index, item) in items.enumerated() {
      if let key = list?.uniqueBy, case .scalar(let text, _)? = item[key] {
        let name = keyText(text, type: keyType)
        let first = ItemIdentity.key(name, occurrence: 0)
        let occurrence = seen[first, default: 0]
        seen[first] = occurrence + 1
        result.append(.key(name, occurrence: occurrence))
      } else if lists == .byPosition {
        result.append(.position(index))
      } else {
        let content = canonical(item, type: itemType)
        let first = ItemIdentity.content(content, occurrence: 0)
        let occurrence = seen[first, default: 0]
        seen[first] = occurrence + 1
        result.append(.content(content, occurrence: occurrence))
      }
    }
    return result
  }

  /// A `unique_by` value as an identity: a number by its value (`100.00` is `100`), any
  /// other type by its text.
  static func keyText(_ text: String, type: FieldType?) -> String {
    guard let kind = type?.kind else { return text }
    switch kind {
    case .int, .decimal, .money, .percent:
      return number(text, kind: kind).map(normalized) ?? text
    default:
      return text
    }
  }

  /// The shortest spelling of a number: no trailing zeros after the point, no `-0`.
  static func normalized(_ number: ExactDecimal) -> String {
    var units = number.units
    var scale = number.scale
    while scale > 0, units % 10 == 0 {
      units /= 10
      scale -= 1
    }
    return ExactDecimal(units: units, scale: scale).description
  }

  /// `value` written one way whatever the way it was written: mapping keys sorted, empty
  /// fields left out, numbers of numeric fields in their shortest spelling, every scalar
  /// plain. Lists keep their order. Two values with the same canonical form mean the same
  /// (``equivalent(_:_:type:lists:)``); it is what identifies an item by its content.
  public static func canonical(_ value: Value, type: FieldType?) -> Value {
    switch value {
    case .null:
      return .null
    case .scalar(let text, _):
      return .text(keyText(text, type: type))
    case .sequence(let items):
      var itemType: FieldType?
      if case .list(let list)? = type { itemType = list.items.type }
      return .sequence(items.map { canonical($0, type: itemType) })
    case .mapping(let pairs):
      var object: ObjectSpec?
      if case .object(let spec)? = type { object = spec }
      var result: [Value.Pair] = []
      result.reserveCapacity(pairs.count)
      for pair in pairs where !pair.value.isNull {
        result.append(Value.Pair(key: pair.key, value: canonical(pair.value, type: object?[pair.key]?.type)))
      }
      result.sort { $0.key < $1.key }
      return .mapping(result)
    }
  }
}
