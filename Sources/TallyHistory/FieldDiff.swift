import TallySchema
import TallyText

/// The field-level differences between two versions of a record, as its schema reads them:
/// keys compared by name (order and formatting do not count), numbers by value (`100` and
/// `100.00` are the same amount), list items matched by their `unique_by` key when the schema
/// has one, else by position.
public enum FieldDiff {
  public static func diff(_ old: Value, _ new: Value, spec: ObjectSpec?) -> [FieldChange] {
    var result: [FieldChange] = []
    diffValues(old, new, path: FieldPath(), type: spec.map { .object($0) }, into: &result)
    return result
  }

  static func diffValues(
    _ old: Value, _ new: Value, path: FieldPath, type: FieldType?, into result: inout [FieldChange]
  ) {
    switch (old, new) {
    case (.mapping(let a), .mapping(let b)):
      var objectSpec: ObjectSpec?
      if case .object(let spec)? = type { objectSpec = spec }
      var oldByKey: [String: Value] = [:]
      for pair in a { oldByKey[pair.key] = pair.value }
      var seen = Set<String>()
      for pair in b {
        seen.insert(pair.key)
        let fieldType = objectSpec?.fields.first(where: { $0.name == pair.key })?.type
        let child = path.appending(.key(pair.key))
        if let before = oldByKey[pair.key] {
          diffValues(before, pair.value, path: child, type: fieldType, into: &result)
        } else if !isEmpty(pair.value) {
          result.append(FieldChange(path: child, kind: .added, old: nil, new: pair.value))
        }
      }
      for pair in a where !seen.contains(pair.key) && !isEmpty(pair.value) {
        result.append(FieldChange(path: path.appending(.key(pair.key)), kind: .removed, old: pair.value, new: nil))
      }
    case (.sequence(let a), .sequence(let b)):
      var listSpec: ListSpec?
      if case .list(let spec)? = type { listSpec = spec }
      let itemType = listSpec?.items.type
      if let key = listSpec?.uniqueBy {
        diffKeyedList(a, b, key: key, path: path, itemType: itemType, into: &result)
        return
      }
      for index in 0..<max(a.count, b.count) {
        let child = path.appending(.index(index))
        if index < a.count && index < b.count {
          diffValues(a[index], b[index], path: child, type: itemType, into: &result)
        } else if index < b.count {
          result.append(FieldChange(path: child, kind: .added, old: nil, new: b[index]))
        } else {
          result.append(FieldChange(path: child, kind: .removed, old: a[index], new: nil))
        }
      }
    default:
      if isEmpty(old) && isEmpty(new) { return }
      if same(old, new, type: type) { return }
      if isEmpty(old) {
        result.append(FieldChange(path: path, kind: .added, old: nil, new: new))
      } else if isEmpty(new) {
        result.append(FieldChange(path: path, kind: .removed, old: old, new: nil))
      } else {
        result.append(FieldChange(path: path, kind: .changed, old: old, new: new))
      }
    }
  }

  /// Items matched by `key`; items without it fall back to their position.
  static func diffKeyedList(
    _ a: [Value], _ b: [Value], key: String, path: FieldPath, itemType: FieldType?, into result: inout [FieldChange]
  ) {
    func keyOf(_ item: Value) -> String? { item.pairs?.first(where: { $0.key == key })?.value.text }
    var oldByKey: [String: Int] = [:]
    for (index, item) in a.enumerated() {
      if let k = keyOf(item), oldByKey[k] == nil { oldByKey[k] = index }
    }
    var matched = Set<Int>()
    for (index, item) in b.enumerated() {
      let child = path.appending(.index(index))
      if let k = keyOf(item), let before = oldByKey[k], !matched.contains(before) {
        matched.insert(before)
        diffValues(a[before], item, path: child, type: itemType, into: &result)
      } else if keyOf(item) == nil, index < a.count, keyOf(a[index]) == nil, !matched.contains(index) {
        matched.insert(index)
        diffValues(a[index], item, path: child, type: itemType, into: &result)
      } else {
        result.append(FieldChange(path: child, kind: .added, old: nil, new: item))
      }
    }
    for (index, item) in a.enumerated() where !matched.contains(index) {
      result.append(FieldChange(path: path.appending(.index(index)), kind: .removed, old: item, new: nil))
    }
  }

  static func isEmpty(_ value: Value) -> Bool {
    if case .null = value { return true }
    return false
  }

  /// Equal as the field's type reads them.
  static func same(_ a: Value, _ b: Value, type: FieldType?) -> Bool {
    if a == b { return true }
    guard case .scalar(let x, _) = a, case .scalar(let y, _) = b else { return false }
    switch type {
    case .int?, .decimal?, .money?, .percent?:
      let strip: (String) -> String = { $0.hasSuffix("%") ? String($0.dropLast()) : $0 }
      if let p = ExactDecimal(strip(x)), let q = ExactDecimal(strip(y)) { return p == q }
      return false
    case .bool?:
      let truthy: Set<String> = ["true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"]
      return truthy.contains(x) == truthy.contains(y)
    default:
      return false
    }
  }
}
