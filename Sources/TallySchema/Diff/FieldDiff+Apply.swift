import TallyText

extension FieldDiff {
  /// Why differences could not be applied to a value.
  public enum ApplyError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The value has nothing at this path's parent (a key of something that is not a
    /// mapping, an item of something that is not a list), or no item with this identity.
    case notFound(IdentityPath)
    /// The value at this path is not what the difference says it was before (`old`), or a
    /// field or item to add is there already.
    case mismatch(IdentityPath)
    /// Two differences touch this path, one of them at or above the other.
    case overlapping(IdentityPath)

    public var description: String {
      switch self {
      case .notFound(let path): "nothing at '\(path)' to change"
      case .mismatch(let path): "'\(path)' is not the value the change starts from"
      case .overlapping(let path): "two changes to '\(path)'"
      }
    }
  }

  /// `value` with `differences` made to it: the inverse of
  /// ``differences(from:to:type:lists:)``, so that applying the differences from `a` to `b`
  /// to `a` gives a value equivalent to `b`.
  ///
  /// Differences are found by their identity paths and may come from different diffs
  /// against the same value (a three-way merge applies one side's changes to some fields
  /// and the other side's to others), as long as no two touch the same path or one is under
  /// the other. Each is checked against what it says was there: a changed or removed value
  /// must be equivalent to its `old`, a field or item to add must be absent. Changed values
  /// stay where they are; a new field goes last in its mapping; a new item goes at the
  /// position its difference's ``FieldDifference/path`` gives it (in the order of those
  /// positions), or last.
  ///
  /// - Parameters:
  ///   - differences: the differences, each with an ``FieldDifference/identity`` made with
  ///     the same `type` and `lists`.
  ///   - value: the value they start from.
  ///   - type: the type of `value` (`.object(spec)` for a record; nil when unknown).
  ///   - lists: how items of lists without `unique_by` were matched.
  /// - Returns: the changed value.
  /// - Throws: ``ApplyError`` when a difference does not fit `value`.
  public static func apply(
    _ differences: [FieldDifference], to value: Value, type: FieldType?, lists: ListMatching = .byPosition
  ) throws(ApplyError) -> Value {
    let edits = differences.map { Edit(difference: $0, depth: 0) }
    return try Applier(lists: lists).apply(edits, to: value, type: type, at: []) ?? .null
  }

  /// The value at `identity` in `value` (of type `type`), or nil when there is none.
  public static func value(
    at identity: IdentityPath, in value: Value, type: FieldType?, lists: ListMatching = .byPosition
  ) -> Value? {
    var current = value
    var currentType = type
    for component in identity.components {
      switch component {
      case .key(let key):
        guard case .mapping(let pairs) = current, let pair = pairs.first(where: { $0.key == key }) else { return nil }
        var object: ObjectSpec?
        if case .object(let spec)? = currentType { object = spec }
        current = pair.value
        currentType = object?[key]?.type
      case .item(let item):
        guard case .sequence(let items) = current else { return nil }
        var list: ListSpec?
        if case .list(let spec)? = currentType { list = spec }
        guard let index = identities(of: items, list: list, lists: lists).firstIndex(of: item) else { return nil }
        current = items[index]
        currentType = list?.items.type
      }
    }
    return current
  }

  /// The type of the value at `identity` in a value of type `type`: a field's type, a
  /// list's item type; nil where the schema says nothing.
  public static func type(at identity: IdentityPath, in type: FieldType?) -> FieldType? {
    var current = type
    for component in identity.components {
      switch (component, current) {
      case (.key(let key), .object(let object)?): current = object[key]?.type
      case (.item, .list(let list)?): current = list.items.type
      default: return nil
      }
    }
    return current
  }

  /// A difference and how much of its path has been walked.
  struct Edit {
    var difference: FieldDifference
    var depth: Int

    var rest: ArraySlice<IdentityPath.Component> { difference.identity.components.dropFirst(depth) }
    var next: IdentityPath.Component? { rest.first }
    /// Where a new item goes, once its component has been walked: its position in the
    /// version the difference came from.
    var position: Int {
      let components = difference.path.components
      let at = depth - 1
      guard at >= 0, at < components.count, case .index(let index) = components[at] else { return Int.max }
      return index
    }
  }

  struct Applier {
    let lists: ListMatching

    /// `value` (nil: absent) with `edits` made to it; nil when the result is absent.
    func apply(_ edits: [Edit], to value: Value?, type: FieldType?, at path: [IdentityPath.Component])
      throws(ApplyError) -> Value?
    {
      if let here = edits.first(where: { $0.next == nil }) {
        guard edits.count == 1 else { throw .overlapping(IdentityPath(path)) }
        let difference = here.difference
        let current = value ?? .null
        switch difference.kind {
        case .added:
          guard current.isNull else { throw .mismatch(difference.identity) }
        case .removed, .changed:
          guard let old = difference.old, FieldDiff.equivalent(current, old, type: type, lists: lists) else {
            throw .mismatch(difference.identity)
          }
        }
        return difference.new
      }
      switch value {
      case .mapping(let pairs)?:
        return .mapping(try applyToMapping(edits, pairs, type: type, at: path))
      case .sequence(let items)?:
        return .sequence(try applyToList(edits, items, type: type, at: path))
      default:
        throw .notFound(IdentityPath(path + [edits[0].next!]))
      }
    }

    /// The edits grouped by their next component, in the order first met.
    func grouped(_ edits: [Edit]) -> [(IdentityPath.Component, [Edit])] {
      var order: [IdentityPath.Component] = []
      var groups: [IdentityPath.Component: [Edit]] = [:]
      for var edit in edits {
        let next = edit.next!
        edit.depth += 1
        if groups[next] == nil { order.append(next) }
        groups[next, default: []].append(edit)
      }
      return order.map { ($0, groups[$0]!) }
    }

    func applyToMapping(_ edits: [Edit], _ pairs: [Value.Pair], type: FieldType?, at path: [IdentityPath.Component])
      throws(ApplyError) -> [Value.Pair]
    {
      var object: ObjectSpec?
      if case .object(let spec)? = type { object = spec }
      var result = pairs
      for (component, group) in grouped(edits) {
        guard case .key(let key) = component else { throw .notFound(IdentityPath(path + [component])) }
        let index = result.firstIndex(where: { $0.key == key })
        let changed = try apply(
          group, to: index.map { result[$0].value }, type: object?[key]?.type, at: path + [component])
        switch (index, changed) {
        case (let index?, let value?): result[index].value = value
        case (let index?, nil): result.remove(at: index)
        case (nil, let value?): result.append(Value.Pair(key: key, value: value))
        case (nil, nil): break
        }
      }
      return result
    }

    func applyToList(_ edits: [Edit], _ items: [Value], type: FieldType?, at path: [IdentityPath.Component])
      throws(ApplyError) -> [Value]
    {
      var list: ListSpec?
      if case .list(let spec)? = type { list = spec }
      let itemType = list?.items.type
      let identities = FieldDiff.identities(of: items, list: list, lists: lists)
      var indexOf: [ItemIdentity: Int] = [:]
      for (index, id) in identities.enumerated() { indexOf[id] = index }
      var result: [Value?] = items.map { $0 }
      var additions: [(position: Int, value: Value)] = []
      for (component, group) in grouped(edits) {
        guard case .item(let id) = component else { throw .notFound(IdentityPath(path + [component])) }
        if let index = indexOf[id] {
          result[index] = try apply(group, to: items[index], type: itemType, at: path + [component])
        } else if let value = try apply(group, to: nil, type: itemType, at: path + [component]) {
          additions.append((group[0].position, value))
        }
      }
      var merged = result.compactMap { $0 }
      // By position; additions at the same position (from two diffs) one after the other,
      // in the order they were given.
      var previous: (position: Int, index: Int)?
      for addition in additions.enumerated().sorted(by: {
        ($0.element.position, $0.offset) < ($1.element.position, $1.offset)
      }) {
        var index = min(addition.element.position, merged.count)
        if let previous, previous.position == addition.element.position { index = previous.index + 1 }
        merged.insert(addition.element.value, at: index)
        previous = (addition.element.position, index)
      }
      return merged
    }
  }
}
