import TallySchema
import TallyText

extension ConflictedText {
  /// Where the base's values come from when a conflict's markers hold no base (git's `merge`
  /// conflict style): the base version of the whole file (the index's stage 1), none (the
  /// file was added on both sides), or not known.
  public enum FallbackBase: Sendable {
    case value(Value)
    case absent
    case unknown
  }

  /// The fields each conflict holds, with their value on each side, in the order of the file.
  ///
  /// Each conflict is read on its own: the file is made three times with that conflict
  /// taking our, the base's and their lines and every other conflict ours, each version is
  /// parsed, and the versions are compared by ``FieldDiff`` (list items by identity). The
  /// fields that differ are the conflict's fields — lifted to a field the schema merges
  /// whole (`merge: atomic` or `manual`), which is what the merge found in conflict — and
  /// each side's value is read from its version by the field's identity, so an item is
  /// found wherever it is in its list. Lines that cannot be read this way (a version does
  /// not parse, or the sides differ only in comments or layout) are one conflict with no
  /// field, each side's lines as text.
  ///
  /// - Parameters:
  ///   - type: The record type (nil: compared without a schema).
  ///   - fallbackBase: The base when a conflict's markers hold none.
  public func conflicts(type: RecordType?, fallbackBase: FallbackBase) -> [ConflictedFile.Conflict] {
    var result: [ConflictedFile.Conflict] = []
    for index in hunks.indices {
      result += conflicts(inHunk: index, type: type, fallbackBase: fallbackBase)
    }
    return result
  }

  func conflicts(inHunk index: Int, type: RecordType?, fallbackBase: FallbackBase) -> [ConflictedFile.Conflict] {
    let hunk = hunks[index]
    func parsed(_ side: RecordMerge.Side) -> Value? {
      guard let version = version(choosing: side, at: index) else { return nil }
      return SyntaxTree.parse(version.bytes).tree?.value
    }
    func lines(_ note: String) -> [ConflictedFile.Conflict] { [lineConflict(index, note: note)] }
    guard let ours = parsed(.ours), let theirs = parsed(.theirs) else {
      return lines("the file is not a record with these lines on each side")
    }
    let spec = type?.object
    var base: Value?
    var baseKnown = true
    if hunk.base != nil {
      guard let value = parsed(.base) else { return lines("the file is not a record with the base's lines") }
      base = value
    } else {
      switch fallbackBase {
      case .value(let value): base = value
      case .absent: base = nil
      case .unknown: baseKnown = false
      }
    }
    var differences = FieldDiff.differences(from: ours, to: theirs, spec: spec, lists: .byContent)
    if hunk.base != nil, let base {
      differences += FieldDiff.differences(from: ours, to: base, spec: spec, lists: .byContent)
    }
    // The fields, each once, lifted to what merges whole, ancestors before descendants.
    var fields: [(path: FieldPath, identity: IdentityPath)] = []
    for difference in differences {
      let keep = Self.mergeUnit(difference.identity, spec: spec)
      let identity = IdentityPath(Array(difference.identity.components.prefix(keep)))
      let path = FieldPath(Array(difference.path.components.prefix(keep)))
      if fields.contains(where: { identity.hasPrefix($0.identity) }) { continue }
      fields.removeAll { $0.identity.hasPrefix(identity) }
      fields.append((path, identity))
    }
    guard !fields.isEmpty else { return lines("the sides differ only in comments or layout") }
    let rootType = spec.map { FieldType.object($0) }
    return fields.map { field in
      ConflictedFile.Conflict(
        field: field.path, identity: field.identity, type: FieldDiff.type(at: field.identity, in: rootType),
        lines: hunk.lines,
        hunk: index,
        base: baseKnown
          ? base.flatMap { FieldDiff.value(at: field.identity, in: $0, type: rootType, lists: .byContent) } : nil,
        ours: FieldDiff.value(at: field.identity, in: ours, type: rootType, lists: .byContent),
        theirs: FieldDiff.value(at: field.identity, in: theirs, type: rootType, lists: .byContent),
        note: baseKnown ? nil : "the markers hold no base version, and the index has none that can be read",
        baseKnown: baseKnown)
    }
  }

  /// Each conflict as lines, not fields (a file that is not in the record format): each
  /// side's lines as text.
  public func lineConflicts(note: String) -> [ConflictedFile.Conflict] {
    hunks.indices.map { lineConflict($0, note: note) }
  }

  func lineConflict(_ index: Int, note: String) -> ConflictedFile.Conflict {
    let hunk = hunks[index]
    return ConflictedFile.Conflict(
      field: nil, identity: nil, type: nil, lines: hunk.lines, hunk: index,
      base: hunk.base.map { .text(String(decoding: $0, as: UTF8.self)) },
      ours: .text(String(decoding: hunk.ours, as: UTF8.self)),
      theirs: .text(String(decoding: hunk.theirs, as: UTF8.self)),
      note: note, baseKnown: hunk.base != nil)
  }

  /// How many components of `identity` name the value a merge treats as one: a field or an
  /// item whose schema says `merge: atomic` or `merge: manual` is merged whole, so a
  /// difference inside it is a conflict on it.
  static func mergeUnit(_ identity: IdentityPath, spec: ObjectSpec?) -> Int {
    var type = spec.map { FieldType.object($0) }
    for (position, component) in identity.components.enumerated() {
      let field: FieldSpec
      switch (component, type) {
      case (.key(let key), .object(let object)?):
        guard let found = object[key] else { return identity.components.count }
        field = found
      case (.item, .list(let list)?):
        field = list.items
      default:
        return identity.components.count
      }
      if field.merge != .combine { return position + 1 }
      type = field.type
    }
    return identity.components.count
  }
}
