import TallyText

/// The field-level differences between two values of a record, as its schema reads them.
///
/// - Keys are compared by name: their order, the quoting and the layout of a file do not
///   count, and an empty field is the same as an absent one.
/// - Scalars are compared by their field's type: numbers (`int`, `decimal`, `money`,
///   `percent`) by value — `100` and `100.00` are the same amount, `85` and `85%` the same
///   percentage; everything else by its text.
/// - List items are matched by identity (``ItemIdentity``): by the list's `unique_by` field
///   where the schema has one, else by position or by whole content (``ListMatching``).
///   Matched items are compared field by field; the others are added or removed whole.
///
/// Values in, values out: it reads no file and no history, so the history (two versions of
/// a record), `tally diff` (two snapshots) and a three-way merge (``ThreeWayDiff``) use the
/// same comparison.
public enum FieldDiff {
  /// How items of a list without `unique_by` (and items that lack their `unique_by` field)
  /// are matched between two versions.
  public enum ListMatching: Sendable, Hashable {
    /// The item at position 3 in one version is the item at position 3 in the other: an
    /// edited item shows as the fields that changed (`follow_ups[3].outcome`). What the
    /// history shows.
    case byPosition
    /// An item is its whole content: an edited item is one removed and one added, and
    /// items that moved are not changes. What a merge needs, where two sides that each
    /// append an item must not be read as both changing the same position.
    case byContent
  }

  /// The differences between `old` and `new`, two values of a record of the type `spec`
  /// describes (nil: no schema, every scalar compared as text and lists by `lists`).
  ///
  /// - Returns: one ``FieldDifference`` per field or item that differs, at the deepest
  ///   path where both versions have a value of the same kind: the fields of the new
  ///   version in its order, then the fields only the old one has; in a list, the new
  ///   version's items in order, then the removed ones. Empty when the two mean the same.
  public static func differences(
    from old: Value, to new: Value, spec: ObjectSpec?, lists: ListMatching = .byPosition
  ) -> [FieldDifference] {
    differences(from: old, to: new, type: spec.map { .object($0) }, lists: lists)
  }

  /// The differences between two values of a field of type `type` (nil: not known to the
  /// schema), as ``differences(from:to:spec:lists:)`` finds them; paths are relative to the
  /// values given.
  public static func differences(
    from old: Value, to new: Value, type: FieldType?, lists: ListMatching = .byPosition
  ) -> [FieldDifference] {
    var walk = Walk(lists: lists)
    walk.compare(old, new, type: type)
    return walk.result
  }

  /// Whether `a` and `b` mean the same as values of `type`: ``differences(from:to:type:lists:)``
  /// finds none.
  public static func equivalent(_ a: Value, _ b: Value, type: FieldType?, lists: ListMatching = .byPosition) -> Bool {
    var walk = Walk(lists: lists, stopsAtFirst: true)
    walk.compare(a, b, type: type)
    return walk.result.isEmpty
  }

  /// Whether two scalars of `type` are the same value: numbers by value, other types by
  /// their text.
  public static func sameScalar(_ a: String, _ b: String, type: FieldType?) -> Bool {
    if a == b { return true }
    guard let kind = type?.kind else { return false }
    switch kind {
    case .int, .decimal, .money, .percent:
      guard let x = number(a, kind: kind), let y = number(b, kind: kind) else { return false }
      return x == y
    default:
      return false
    }
  }

  /// The number a scalar of a numeric field holds (a percentage may end with `%`).
  static func number(_ text: String, kind: FieldType.Kind) -> ExactDecimal? {
    if kind == .percent, text.hasSuffix("%") { return ExactDecimal(String(text.dropLast())) }
    return ExactDecimal(text)
  }

  // MARK: The walk

  /// One comparison: the paths of the value being compared are stacks, made into a
  /// ``FieldPath`` and an ``IdentityPath`` only for a difference.
  struct Walk {
    let lists: ListMatching
    /// Stop at the first difference (``equivalent(_:_:type:lists:)``).
    var stopsAtFirst = false
    var path: [FieldPath.Component] = []
    var identity: [IdentityPath.Component] = []
    var result: [FieldDifference] = []

    init(lists: ListMatching, stopsAtFirst: Bool = false) {
      self.lists = lists
      self.stopsAtFirst = stopsAtFirst
    }

    var done: Bool { stopsAtFirst && !result.isEmpty }

    mutating func record(_ kind: FieldDifference.Kind, _ old: Value?, _ new: Value?) {
      result.append(
        FieldDifference(path: FieldPath(path), identity: IdentityPath(identity), kind: kind, old: old, new: new))
    }

    mutating func compare(_ old: Value, _ new: Value, type: FieldType?) {
      switch (old, new) {
      case (.mapping(let a), .mapping(let b)):
        var object: ObjectSpec?
        if case .object(let spec)? = type { object = spec }
        compareMappings(a, b, object: object)
      case (.sequence(let a), .sequence(let b)):
        var list: ListSpec?
        if case .list(let spec)? = type { list = spec }
        compareLists(a, b, list: list)
      case (.null, .null):
        return
      case (.scalar(let x, _), .scalar(let y, _)):
        if !FieldDiff.sameScalar(x, y, type: type) { record(.changed, old, new) }
      case (.null, _):
        record(.added, nil, new)
      case (_, .null):
        record(.removed, old, nil)
      default:
        record(.changed, old, new)
      }
    }

    mutating func compareMappings(_ a: [Value.Pair], _ b: [Value.Pair], object: ObjectSpec?) {
      // Most versions of a record keep their keys in the same order: pair them in place.
      if a.count == b.count, zip(a, b).allSatisfy({ $0.key == $1.key }) {
        for (before, after) in zip(a, b) where !done {
          compareField(before.key, before.value, after.value, object: object)
        }
        return
      }
      var oldByKey: [String: Value] = [:]
      oldByKey.reserveCapacity(a.count)
      for pair in a where oldByKey[pair.key] == nil { oldByKey[pair.key] = pair.value }
      var newKeys = Set<String>()
      newKeys.reserveCapacity(b.count)
      for pair in b where !done {
        newKeys.insert(pair.key)
        compareField(pair.key, oldByKey[pair.key] ?? .null, pair.value, object: object)
      }
      for pair in a where !done && !newKeys.contains(pair.key) {
        compareField(pair.key, pair.value, .null, object: object)
      }
    }

    mutating func compareField(_ key: String, _ old: Value, _ new: Value, object: ObjectSpec?) {
      if old == new { return }
      path.append(.key(key))
      identity.append(.key(key))
      compare(old, new, type: object?[key]?.type)
      path.removeLast()
      identity.removeLast()
    }

    mutating func compareLists(_ a: [Value], _ b: [Value], list: ListSpec?) {
      let itemType = list?.items.type
      if list?.uniqueBy == nil, lists == .byPosition {
        // Position is identity: no table to build.
        for index in 0..<max(a.count, b.count) where !done {
          path.append(.index(index))
          identity.append(.item(.position(index)))
          if index < a.count, index < b.count {
            if a[index] != b[index] { compare(a[index], b[index], type: itemType) }
          } else if index < b.count {
            record(.added, nil, b[index])
          } else {
            record(.removed, a[index], nil)
          }
          path.removeLast()
          identity.removeLast()
        }
        return
      }
      let before = FieldDiff.identities(of: a, list: list, lists: lists)
      let after = FieldDiff.identities(of: b, list: list, lists: lists)
      var oldIndex: [ItemIdentity: Int] = [:]
      oldIndex.reserveCapacity(a.count)
      for (index, id) in before.enumerated() { oldIndex[id] = index }
      var matched = [Bool](repeating: false, count: a.count)
      for (index, item) in b.enumerated() where !done {
        path.append(.index(index))
        identity.append(.item(after[index]))
        if let old = oldIndex[after[index]] {
          matched[old] = true
          // Equal content is the identity itself: nothing to compare.
          if case .content = after[index] {
          } else if a[old] != item {
            compare(a[old], item, type: itemType)
          }
        } else {
          record(.added, nil, item)
        }
        path.removeLast()
        identity.removeLast()
      }
      for (index, item) in a.enumerated() where !done && !matched[index] {
        path.append(.index(index))
        identity.append(.item(before[index]))
        record(.removed, item, nil)
        path.removeLast()
        identity.removeLast()
      }
    }
  }
}
