import TallyText

/// The changes two sides made to one base value of a record, aligned by identity: the
/// building block of a three-way merge.
///
/// Each side is compared with the base (``FieldDiff``, items of lists without `unique_by`
/// matched by content by default), so both sides' differences name the base's fields and
/// items by the same ``IdentityPath``s. Differences are then grouped into ``Entry``s: a
/// group holds the changes of the two sides that touch the same value — at the same path,
/// or one under the other (an item removed on one side and changed on the other) — and
/// says whether the sides agree. Changes at different paths (two fields of one contact, or
/// a follow-up appended on each side) are separate entries.
///
/// It decides nothing: a merge takes a side's changes for the entries only that side
/// touched, one copy of the changes both sides made alike, and decides on the others by its
/// own rules (``FieldDiff/apply(_:to:type:lists:)`` makes the changes it takes). Swapping
/// the sides gives the same entries with their sides swapped.
public struct ThreeWayDiff: Sendable {
  /// Which sides changed the value of an entry, and whether they agree.
  public enum Agreement: Sendable, Hashable {
    /// Only ours changed it.
    case ours
    /// Only theirs changed it.
    case theirs
    /// Both changed it to values that mean the same.
    case same
    /// Both changed it, to different values (a conflict, unless a merge can combine
    /// them: an object both sides added, say, merged field by field against an empty base).
    case different
  }

  /// The changes of both sides at or under one path.
  public struct Entry: Sendable, Hashable {
    /// The path of the value the changes touch: the shallowest path of any of them.
    public var identity: IdentityPath
    /// Ours' differences from the base at or under ``identity``, in ours' order.
    public var ours: [FieldDifference]
    /// Theirs' differences from the base at or under ``identity``, in theirs' order.
    public var theirs: [FieldDifference]
    public var agreement: Agreement
    /// The value at ``identity`` in the base, ours and theirs (nil where there is none).
    public var base: Value?
    public var oursValue: Value?
    public var theirsValue: Value?
  }

  /// Ours' differences from the base.
  public let ours: [FieldDifference]
  /// Theirs' differences from the base.
  public let theirs: [FieldDifference]
  /// The aligned changes: first the entries with a change of ours (in ours' order), then
  /// those with changes of theirs alone (in theirs' order).
  public let entries: [Entry]

  /// Compares `ours` and `theirs` with `base`, three values of a record of type `spec`
  /// (nil: unknown to the schema), and aligns their changes.
  ///
  /// - Parameter lists: how to match the items of lists without `unique_by`; by content by
  ///   default, so that items added on both sides are separate additions.
  public init(
    base: Value, ours: Value, theirs: Value, spec: ObjectSpec?, lists: FieldDiff.ListMatching = .byContent
  ) {
    self.init(base: base, ours: ours, theirs: theirs, type: spec.map { .object($0) }, lists: lists)
  }

  /// ``init(base:ours:theirs:spec:lists:)`` for three values of a field of type `type`.
  public init(
    base: Value, ours: Value, theirs: Value, type: FieldType?, lists: FieldDiff.ListMatching = .byContent
  ) {
    let oursChanges = FieldDiff.differences(from: base, to: ours, type: type, lists: lists)
    let theirsChanges = FieldDiff.differences(from: base, to: theirs, type: type, lists: lists)
    self.ours = oursChanges
    self.theirs = theirsChanges

    // Within one side no path is under another (a diff stops at the first difference on
    // each path), so a group is one change and the other side's changes at or under it.
    // Find, for each change, the other side's change at it or above it.
    var oursAt: [IdentityPath: Int] = [:]
    for (index, change) in oursChanges.enumerated() { oursAt[change.identity] = index }
    var theirsAt: [IdentityPath: Int] = [:]
    for (index, change) in theirsChanges.enumerated() { theirsAt[change.identity] = index }
    func above(_ path: IdentityPath, in table: [IdentityPath: Int]) -> Int? {
      for length in 0...path.components.count {
        if let index = table[IdentityPath(Array(path.components.prefix(length)))] { return index }
      }
      return nil
    }
    // Each change belongs to a group rooted at a change of ours or of theirs.
    enum Root: Hashable {
      case ours(Int)
      case theirs(Int)
    }
    // Where both sides changed the same path, ours is the root.
    var oursRoot: [Root] = []
    for (index, change) in oursChanges.enumerated() {
      if let other = above(change.identity, in: theirsAt), theirsChanges[other].identity != change.identity {
        oursRoot.append(.theirs(other))
      } else {
        oursRoot.append(.ours(index))
      }
    }
    var theirsRoot: [Root] = []
    for (index, change) in theirsChanges.enumerated() {
      theirsRoot.append(above(change.identity, in: oursAt).map(Root.ours) ?? .theirs(index))
    }

    var order: [Root] = []
    var members: [Root: (ours: [Int], theirs: [Int])] = [:]
    for (index, root) in oursRoot.enumerated() {
      if members[root] == nil { order.append(root) }
      members[root, default: ([], [])].ours.append(index)
    }
    for (index, root) in theirsRoot.enumerated() {
      if members[root] == nil { order.append(root) }
      members[root, default: ([], [])].theirs.append(index)
    }
    entries = order.map { root in
      let group = members[root]!
      let identity =
        switch root {
        case .ours(let index): oursChanges[index].identity
        case .theirs(let index): theirsChanges[index].identity
        }
      let baseValue = FieldDiff.value(at: identity, in: base, type: type, lists: lists)
      let oursValue = FieldDiff.value(at: identity, in: ours, type: type, lists: lists)
      let theirsValue = FieldDiff.value(at: identity, in: theirs, type: type, lists: lists)
      let agreement: Agreement
      if group.theirs.isEmpty {
        agreement = .ours
      } else if group.ours.isEmpty {
        agreement = .theirs
      } else {
        let valueType = FieldDiff.type(at: identity, in: type)
        agreement =
          FieldDiff.equivalent(oursValue ?? .null, theirsValue ?? .null, type: valueType, lists: lists)
          ? .same : .different
      }
      return Entry(
        identity: identity, ours: group.ours.map { oursChanges[$0] }, theirs: group.theirs.map { theirsChanges[$0] },
        agreement: agreement, base: baseValue, oursValue: oursValue, theirsValue: theirsValue)
    }
  }

  /// The entries both sides changed differently.
  public var conflicts: [Entry] { entries.filter { $0.agreement == .different } }
}
