import TallyText

extension RecordMerge {
  /// One walk over the three syntax trees, building the merged tree.
  ///
  /// Conflicts are met in a fixed order, so one walk can be repeated with another side
  /// chosen for some of them (`choices`, by their index) and the prints compared: that is
  /// how the lines of each conflict are found.
  struct Merger {
    let type: RecordType?
    let choices: [Int: Side]
    /// Top-level fields merged as `manual` ("" for the whole record).
    let forced: Set<String>
    var conflicts: [Conflict] = []
    var identity: [IdentityPath.Component] = []
    var path: [FieldPath.Component] = []

    init(type: RecordType?, choices: [Int: Side], forced: Set<String>) {
      self.type = type
      self.choices = choices
      self.forced = forced
    }

    /// The merged root mapping of a record.
    mutating func record(base: Node.Mapping, ours: Node.Mapping, theirs: Node.Mapping) -> Node.Mapping {
      let strategy: MergeStrategy = forced.contains("") ? .manual : type?.merge ?? .combine
      let recordType = type.map { FieldType.object($0.object) }
      let merged = node(
        .mapping(base), .mapping(ours), .mapping(theirs), type: recordType, strategy: strategy,
        forced: forced.contains(""))
      switch merged.node {
      case .mapping(let mapping)?: return mapping
      // A conflict on the whole record prints the chosen side; an absent side is empty.
      default: return Node.Mapping()
      }
    }

    /// The merged node of three versions of one value (nil: absent), and which side its
    /// comments and layout come from. `forced`: a conflict whenever ours and theirs
    /// differ, even if only one side changed the value (the combination breaks the
    /// record's checks).
    mutating func node(
      _ base: Node?, _ ours: Node?, _ theirs: Node?, type: FieldType?, strategy: MergeStrategy, forced: Bool = false
    ) -> (node: Node?, side: Side) {
      let baseValue = base?.value ?? .null
      let oursValue = ours?.value ?? .null
      let theirsValue = theirs?.value ?? .null
      func same(_ a: Value, _ b: Value) -> Bool { FieldDiff.equivalent(a, b, type: type, lists: .byContent) }
      // Objects and lists that merge part by part are merged part by part even when a side
      // did not change their values: the comments inside them merge too.
      let parts: Bool
      switch (base, ours, theirs) {
      case (nil, .mapping?, .mapping?), (.null?, .mapping?, .mapping?), (.mapping?, .mapping?, .mapping?),
        (nil, .sequence?, .sequence?), (.null?, .sequence?, .sequence?), (.sequence?, .sequence?, .sequence?):
        parts = strategy == .combine && !forced
      default:
        parts = false
      }
      if !parts {
        if same(oursValue, theirsValue) { return (ours, .ours) }
        if !forced {
          if same(baseValue, oursValue) { return (theirs, .theirs) }
          if same(baseValue, theirsValue) { return (ours, .ours) }
        }
      }
      // Both changed it, differently.
      if strategy == .combine {
        switch (base, ours, theirs) {
        case (nil, .mapping(let o)?, .mapping(let t)?), (.null?, .mapping(let o)?, .mapping(let t)?):
          return (.mapping(mapping(nil, o, t, type: type)), .ours)
        case (.mapping(let b)?, .mapping(let o)?, .mapping(let t)?):
          return (.mapping(mapping(b, o, t, type: type)), .ours)
        case (nil, .sequence(let o)?, .sequence(let t)?), (.null?, .sequence(let o)?, .sequence(let t)?):
          return (.sequence(list(nil, o, t, type: type)), .ours)
        case (.sequence(let b)?, .sequence(let o)?, .sequence(let t)?):
          return (.sequence(list(b, o, t, type: type)), .ours)
        default:
          break
        }
      }
      let reason: Conflict.Reason
      if forced {
        reason = .manual
      } else if oursValue.isNull || theirsValue.isNull {
        reason = .removedAndChanged
      } else if strategy == .combine {
        reason = .bothChanged
      } else {
        reason = .manual
      }
      let index = conflicts.count
      conflicts.append(
        Conflict(
          identity: IdentityPath(identity), path: FieldPath(path), reason: reason, base: base?.value,
          ours: ours?.value, theirs: theirs?.value))
      switch choices[index] ?? .ours {
      case .base: return (base, .base)
      case .ours: return (ours, .ours)
      case .theirs: return (theirs, .theirs)
      }
    }

    /// Three mappings merged key by key: ours' keys in ours' order, then those only theirs
    /// has, in theirs' order (the printer puts known fields in the schema's order).
    mutating func mapping(_ base: Node.Mapping?, _ ours: Node.Mapping, _ theirs: Node.Mapping, type: FieldType?)
      -> Node.Mapping
    {
      var object: ObjectSpec?
      if case .object(let spec)? = type { object = spec }
      let atRoot = identity.isEmpty
      var result = ours
      result.entries = []
      var keys: [String] = []
      var seen = Set<String>()
      for entry in ours.entries where seen.insert(entry.key.text).inserted { keys.append(entry.key.text) }
      for entry in theirs.entries where seen.insert(entry.key.text).inserted { keys.append(entry.key.text) }
      for key in keys {
        let baseEntry = base?.index(of: key).map { base!.entries[$0] }
        let oursEntry = ours.index(of: key).map { ours.entries[$0] }
        let theirsEntry = theirs.index(of: key).map { theirs.entries[$0] }
        let field = object?[key]
        var strategy = field?.merge ?? .combine
        let isForced = atRoot && forced.contains(key)
        if isForced { strategy = .manual }
        identity.append(.key(key))
        path.append(.key(key))
        let merged = node(
          baseEntry?.value, oursEntry?.value, theirsEntry?.value, type: field?.type, strategy: strategy,
          forced: isForced)
        identity.removeLast()
        path.removeLast()
        guard let value = merged.node else { continue }
        let source =
          switch merged.side {
          case .ours: oursEntry ?? theirsEntry ?? baseEntry
          case .theirs: theirsEntry ?? oursEntry ?? baseEntry
          case .base: baseEntry ?? oursEntry ?? theirsEntry
          }
        var entry = source ?? Node.Mapping.Entry(key: Node.Scalar(text: key), value: value)
        entry.value = value
        entry.trivia = Self.comments(
          base: baseEntry?.trivia, ours: oursEntry?.trivia, theirs: theirsEntry?.trivia, taken: entry.trivia)
        result.entries.append(entry)
      }
      return result
    }

    /// Three lists merged item by item, items matched by identity (`unique_by`, or whole
    /// content, an item edited in place keeping its base identity: see ``pairEdits``):
    /// ours' items in ours' order, then the items only theirs has, placed by their date
    /// field when the items have one, else at the end.
    mutating func list(_ base: Node.Sequence?, _ ours: Node.Sequence, _ theirs: Node.Sequence, type: FieldType?)
      -> Node.Sequence
    {
      var spec: ListSpec?
      if case .list(let list)? = type { spec = list }
      let itemType = spec?.items.type
      let itemStrategy = spec?.items.merge ?? .combine
      let baseItems = base?.items ?? []
      func ids(_ items: [Node.Sequence.Item]) -> [ItemIdentity] {
        FieldDiff.identities(of: items.map(\.value.value), list: spec, lists: .byContent)
      }
      let dateField = Self.dateField(of: itemType)
      let baseIDs = ids(baseItems)
      var oursIDs = ids(ours.items)
      var theirsIDs = ids(theirs.items)
      Self.pairEdits(base: baseItems, baseIDs: baseIDs, side: ours.items, sideIDs: &oursIDs, dateField: dateField)
      Self.pairEdits(base: baseItems, baseIDs: baseIDs, side: theirs.items, sideIDs: &theirsIDs, dateField: dateField)
      var baseIndex: [ItemIdentity: Int] = [:]
      for (index, id) in baseIDs.enumerated() { baseIndex[id] = index }
      var theirsIndex: [ItemIdentity: Int] = [:]
      for (index, id) in theirsIDs.enumerated() { theirsIndex[id] = index }
      let oursSet = Set(oursIDs)

      var result = ours
      result.items = []
      func merged(_ id: ItemIdentity, _ b: Node.Sequence.Item?, _ o: Node.Sequence.Item?, _ t: Node.Sequence.Item?)
        -> Node.Sequence.Item?
      {
        identity.append(.item(id))
        path.append(.index(result.items.count))
        let outcome = node(b?.value, o?.value, t?.value, type: itemType, strategy: itemStrategy)
        identity.removeLast()
        path.removeLast()
        guard let value = outcome.node else { return nil }
        let source =
          switch outcome.side {
          case .ours: o ?? t ?? b
          case .theirs: t ?? o ?? b
          case .base: b ?? o ?? t
          }
        var item = source ?? Node.Sequence.Item(value: value)
        item.value = value
        item.trivia = Self.comments(base: b?.trivia, ours: o?.trivia, theirs: t?.trivia, taken: item.trivia)
        return item
      }
      for (index, item) in ours.items.enumerated() {
        let id = oursIDs[index]
        let b = baseIndex[id].map { baseItems[$0] }
        let t = theirsIndex[id].map { theirs.items[$0] }
        if let item = merged(id, b, item, t) { result.items.append(item) }
      }
      for (index, item) in theirs.items.enumerated() where !oursSet.contains(theirsIDs[index]) {
        let id = theirsIDs[index]
        let b = baseIndex[id].map { baseItems[$0] }
        guard let item = merged(id, b, nil, item) else { continue }
        result.items.insert(item, at: Self.position(of: item, in: result.items, dateField: dateField))
      }
      return result
    }

    /// Items a side edited in a list whose items are known by their content: an item the
    /// base does not have, in the same place (after the same kept item) as a base item the
    /// side no longer has, is that base item changed, not a new one, and takes its
    /// identity. So an item edited on both sides merges field by field instead of being
    /// kept twice, and an item removed on one side and edited on the other is a conflict.
    /// Where the items have a date field only items of the same date pair; without one, a
    /// place pairs its items in order when it lost as many items as it gained.
    static func pairEdits(
      base: [Node.Sequence.Item], baseIDs: [ItemIdentity], side: [Node.Sequence.Item], sideIDs: inout [ItemIdentity],
      dateField: String?
    ) {
      var baseIndex: [ItemIdentity: Int] = [:]
      for (index, id) in baseIDs.enumerated() { baseIndex[id] = index }
      let kept = Set(sideIDs)
      // Places by the base index of the kept item before them (-1: the start).
      var removed: [Int: [Int]] = [:]
      var place = -1
      for (index, id) in baseIDs.enumerated() {
        if kept.contains(id) {
          place = index
        } else if case .content = id {
          removed[place, default: []].append(index)
        }
      }
      guard !removed.isEmpty else { return }
      var added: [Int: [Int]] = [:]
      place = -1
      for (index, id) in sideIDs.enumerated() {
        if let baseIndex = baseIndex[id] {
          place = baseIndex
        } else if case .content = id {
          added[place, default: []].append(index)
        }
      }
      for (place, removedItems) in removed {
        guard let addedItems = added[place] else { continue }
        if let dateField {
          var free = removedItems
          for index in addedItems {
            guard let day = date(of: side[index], field: dateField),
              let match = free.firstIndex(where: { date(of: base[$0], field: dateField) == day })
            else { continue }
            sideIDs[index] = baseIDs[free[match]]
            free.remove(at: match)
          }
        } else if removedItems.count == addedItems.count {
          for (baseItem, sideItem) in zip(removedItems, addedItems) { sideIDs[sideItem] = baseIDs[baseItem] }
        }
      }
    }

    /// The comments around an entry or an item (`taken`: those of the side its value came
    /// from), merged like a value: a side that left them as they were in the base takes
    /// the other side's, so a comment added or changed on one side is kept whichever side
    /// the value came from. When both sides changed them, ours' are kept.
    static func comments(base: Trivia?, ours: Trivia?, theirs: Trivia?, taken: Trivia) -> Trivia {
      guard let ours, let theirs else { return taken }
      func text(_ trivia: Trivia?) -> [String] {
        guard let trivia else { return [] }
        return trivia.leadingComments.map(\.comment.text) + [trivia.trailingComment?.text ?? ""]
      }
      let before = base.map { text($0) } ?? [""]
      if text(ours) == text(theirs) { return taken }
      return text(ours) == before ? theirs : ours
    }

    /// The first field of the items' object that is a date.
    static func dateField(of type: FieldType?) -> String? {
      guard case .object(let object)? = type else { return nil }
      return object.fields.first { $0.type.kind == .date }?.name
    }

    /// Where an item of the other side goes: after the last item whose date is not later
    /// than its own (items without a date stop the search); at the end without a date.
    static func position(of item: Node.Sequence.Item, in items: [Node.Sequence.Item], dateField: String?) -> Int {
      guard let dateField, let date = Self.date(of: item, field: dateField) else { return items.count }
      var position = items.count
      while position > 0, let other = Self.date(of: items[position - 1], field: dateField), other > date {
        position -= 1
      }
      return position
    }

    static func date(of item: Node.Sequence.Item, field: String) -> CivilDate? {
      guard case .mapping(let mapping) = item.value, case .scalar(let scalar)? = mapping[field] else { return nil }
      return CivilDate(scalar.text)
    }
  }
}
