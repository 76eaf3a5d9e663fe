import TallyGit
import TallySchema
import TallyText

/// For each field of a record as it is now, the commit that last changed it.
public struct BlameLine: Sendable {
  public var path: FieldPath
  public var value: Value
  /// Nil when no commit in the history explains the value (history shorter than the record).
  public var commit: CommitChanges?
}

extension History {
  /// Every leaf field of `value` (the record now) with the newest event of `events` (newest
  /// first, as ``events(of:in:)`` gives them) that changed it: a field change at the field
  /// or at an enclosing item or object, or the record's creation. Reformatting and key order
  /// do not count, since events hold field changes, not lines.
  ///
  /// A field is followed from each version to the one before: an item of a list the schema
  /// matches by key (`unique_by`) is found by its key, as the field changes were computed,
  /// so a contact inserted before another does not take the other's history. (A change's
  /// path names items by their index in its newer version.)
  ///
  /// - Throws: When a version of the record cannot be read from git.
  public func blame(_ value: Value, events: [RecordEvent]) throws -> [BlameLine] {
    let schema = records.schema
    let git = self.git
    var versions: [ObjectID: Value?] = [:]
    return try Self.blame(value, events: events, spec: { schema.type(named: $0)?.object }) { id in
      if let known = versions[id] { return known }
      let parsed = SyntaxTree.parse(try git.blob(id)).tree?.value
      versions[id] = parsed
      return parsed
    }
  }

  /// ``blame(_:events:)`` with the record types' specs and the versions of the record (by
  /// blob id) given.
  static func blame(
    _ value: Value, events: [RecordEvent], spec: (String) -> ObjectSpec?, version: (ObjectID) throws -> Value?
  ) throws -> [BlameLine] {
    var leaves: [(FieldPath, Value)] = []
    collectLeaves(value, path: FieldPath(), into: &leaves)
    // Each field's path in the version after the event being looked at.
    var paths = leaves.map(\.0)
    var blamed: [CommitChanges?] = Array(repeating: nil, count: leaves.count)
    var open = Set(leaves.indices)
    for event in events where !open.isEmpty {
      switch event.change.kind {
      case .added:
        for index in open { blamed[index] = event.commit }
        open.removeAll()
      case .modified:
        for index in open.sorted() where event.change.fields.contains(where: { explains($0, paths[index]) }) {
          blamed[index] = event.commit
          open.remove(index)
        }
        // The others, as they were before this commit.
        let type = spec(event.change.type).map { FieldType.object($0) }
        guard open.contains(where: { isKeyed(paths[$0], type: type) }), let newBlob = event.change.newBlob,
          let oldBlob = event.change.oldBlob, let after = try version(newBlob), let before = try version(oldBlob)
        else { continue }
        for index in open {
          if let path = path(paths[index], from: after, to: before, type: type) { paths[index] = path }
        }
      case .removed, .renamed:
        continue
      }
    }
    return leaves.indices.map { BlameLine(path: leaves[$0].0, value: leaves[$0].1, commit: blamed[$0]) }
  }

  /// Whether `change` changed the field at `path` (in the change's newer version). A removal
  /// names what is no longer there — for items of a keyed list, by their index in the older
  /// version — so it explains only a field emptied in place.
  static func explains(_ change: FieldChange, _ path: FieldPath) -> Bool {
    change.kind == .removed ? change.path == path : path.hasPrefix(change.path)
  }

  /// Whether `path` passes through an item of a list matched by key.
  static func isKeyed(_ path: FieldPath, type: FieldType?) -> Bool {
    var type = type
    for component in path.components {
      switch (component, type) {
      case (.key(let key), .object(let spec)?):
        type = spec.fields.first { $0.name == key }?.type
      case (.index, .list(let list)?):
        if list.uniqueBy != nil { return true }
        type = list.items.type
      default:
        return false
      }
    }
    return false
  }

  /// `path` in `after` as it is in `before`: an item of a list matched by key (`unique_by`)
  /// is the item with the same key (the first, as ``FieldDiff`` matches them), other items
  /// keep their position. Nil when the item is not in `before`.
  static func path(_ path: FieldPath, from after: Value, to before: Value, type: FieldType?) -> FieldPath? {
    var result = FieldPath()
    var after: Value? = after
    var before: Value? = before
    var type = type
    for component in path.components {
      switch component {
      case .key(let key):
        result = result.appending(component)
        after = after?.pairs?.first { $0.key == key }?.value
        before = before?.pairs?.first { $0.key == key }?.value
        if case .object(let spec)? = type { type = spec.fields.first { $0.name == key }?.type } else { type = nil }
      case .index(let position):
        var list: ListSpec?
        if case .list(let spec)? = type { list = spec }
        type = list?.items.type
        let items = after?.items ?? []
        let olderItems = before?.items ?? []
        var older = position
        if let keyField = list?.uniqueBy, position < items.count,
          let key = items[position].pairs?.first(where: { $0.key == keyField })?.value.text
        {
          guard
            let found = olderItems.firstIndex(where: {
              $0.pairs?.first(where: { $0.key == keyField })?.value.text == key
            })
          else { return nil }
          older = found
        }
        result = result.appending(.index(older))
        after = position < items.count ? items[position] : nil
        before = older < olderItems.count ? olderItems[older] : nil
      }
    }
    return result
  }

  static func collectLeaves(_ value: Value, path: FieldPath, into leaves: inout [(FieldPath, Value)]) {
    switch value {
    case .mapping(let pairs):
      for pair in pairs { collectLeaves(pair.value, path: path.appending(.key(pair.key)), into: &leaves) }
    case .sequence(let items):
      if items.isEmpty { leaves.append((path, value)) }
      for (index, item) in items.enumerated() {
        collectLeaves(item, path: path.appending(.index(index)), into: &leaves)
      }
    default:
      leaves.append((path, value))
    }
  }
}

extension FieldPath {
  /// Whether `prefix` is this path or an ancestor of it.
  public func hasPrefix(_ prefix: FieldPath) -> Bool {
    components.count >= prefix.components.count
      && Array(components.prefix(prefix.components.count)) == prefix.components
  }
}
