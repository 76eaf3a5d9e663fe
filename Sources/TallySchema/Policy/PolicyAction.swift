import TallyText

/// One operation a change makes on a record, as the policy judges it: `add follow_ups[3]`,
/// `change owner`, `create`.
public struct PolicyAction: Sendable, Hashable, CustomStringConvertible {
  public var operation: PolicyOperation
  /// The field or item (positions as in the new version; for a removal, the old one); nil for
  /// the whole record.
  public var path: FieldPath?
  /// The list item the operation is on or in, before and after (for an added item, the new
  /// item in both; for a removed one, the old item in both).
  public var itemBefore: Value?
  public var itemAfter: Value?
  /// The type of that item, from the schema.
  public var itemType: FieldType?

  public init(
    _ operation: PolicyOperation, path: FieldPath? = nil, itemBefore: Value? = nil, itemAfter: Value? = nil,
    itemType: FieldType? = nil
  ) {
    self.operation = operation
    self.path = path
    self.itemBefore = itemBefore
    self.itemAfter = itemAfter
    self.itemType = itemType
  }

  /// `change 'owner'`, `add 'follow_ups[3]'`, `create`.
  public var description: String {
    guard let path else { return operation.rawValue }
    return "\(operation.rawValue) '\(path)'"
  }

  public static func == (a: Self, b: Self) -> Bool { a.operation == b.operation && a.path == b.path }
  public func hash(into hasher: inout Hasher) {
    hasher.combine(operation)
    hasher.combine(path)
  }

  /// The operations that turn `before` into `after` (nil: no record), two values of a
  /// record of type `spec` (nil: unknown to the schema).
  ///
  /// Fields are compared as ``FieldDiff`` compares them (list items by their `unique_by`
  /// field, else by position); a list that appears or disappears whole is one `add` or
  /// `remove` per item, so logging the first call on a customer is an `add` like any other.
  public static func actions(from before: Value?, to after: Value?, spec: ObjectSpec?) -> [PolicyAction] {
    switch (before, after) {
    case (nil, nil): return []
    case (nil, _?): return [PolicyAction(.create)]
    case (_?, nil): return [PolicyAction(.delete)]
    case (let old?, let new?):
      let recordType = spec.map { FieldType.object($0) }
      var result: [PolicyAction] = []
      for difference in FieldDiff.differences(from: old, to: new, spec: spec) {
        result += actions(for: difference, old: old, new: new, recordType: recordType)
      }
      return result
    }
  }

  static func actions(for difference: FieldDifference, old: Value, new: Value, recordType: FieldType?) -> [PolicyAction]
  {
    let path = difference.path.components
    let identity = difference.identity.components
    let fieldType = FieldDiff.type(at: difference.identity, in: recordType)
    // A whole list that appears or disappears: one operation per item.
    if case .list(let list)? = fieldType {
      if difference.kind == .added, case .sequence(let items)? = difference.new {
        return items.indices.map { index in
          PolicyAction(
            .add, path: FieldPath(path + [.index(index)]), itemBefore: items[index], itemAfter: items[index],
            itemType: list.items.type)
        }
      }
      if difference.kind == .removed, case .sequence(let items)? = difference.old {
        return items.indices.map { index in
          PolicyAction(
            .remove, path: FieldPath(path + [.index(index)]), itemBefore: items[index], itemAfter: items[index],
            itemType: list.items.type)
        }
      }
    }
    guard let last = identity.lastIndex(where: { if case .item = $0 { true } else { false } }) else {
      return [PolicyAction(.change, path: difference.path)]
    }
    let itemIdentity = IdentityPath(Array(identity[...last]))
    let itemType = FieldDiff.type(at: itemIdentity, in: recordType)
    if last == identity.count - 1 {
      switch difference.kind {
      case .added:
        return [
          PolicyAction(
            .add, path: difference.path, itemBefore: difference.new, itemAfter: difference.new, itemType: itemType)
        ]
      case .removed:
        return [
          PolicyAction(
            .remove, path: difference.path, itemBefore: difference.old, itemAfter: difference.old, itemType: itemType)
        ]
      case .changed:
        return [
          PolicyAction(
            .change, path: difference.path, itemBefore: difference.old, itemAfter: difference.new, itemType: itemType)
        ]
      }
    }
    // Inside an item: a change of that item.
    return [
      PolicyAction(
        .change, path: difference.path,
        itemBefore: FieldDiff.value(at: itemIdentity, in: old, type: recordType),
        itemAfter: FieldDiff.value(at: itemIdentity, in: new, type: recordType), itemType: itemType)
    ]
  }
}
