import TallyGit
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
  public static func blame(_ value: Value, events: [RecordEvent]) -> [BlameLine] {
    var leaves: [(FieldPath, Value)] = []
    collectLeaves(value, path: FieldPath(), into: &leaves)
    return leaves.map { path, leaf in
      for event in events {
        switch event.change.kind {
        case .added:
          return BlameLine(path: path, value: leaf, commit: event.commit)
        case .modified:
          if event.change.fields.contains(where: { path.hasPrefix($0.path) }) {
            return BlameLine(path: path, value: leaf, commit: event.commit)
          }
        case .removed, .renamed:
          continue
        }
      }
      return BlameLine(path: path, value: leaf, commit: nil)
    }
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
