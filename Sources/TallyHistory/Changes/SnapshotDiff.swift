import Foundation
import TallyGit
import TallyRecords
import TallySchema
import TallyText

/// The semantic difference between two snapshots of the records: per record and per field.
public enum SnapshotDiff {
  /// The records that differ between `old` and `new` (renames found by identical content),
  /// sorted by type and id. Records are matched by type and id, not by path: a record moved
  /// within its directory (a change of layout) is the same record.
  public static func compare(_ old: [SnapshotFile], _ new: [SnapshotFile], records: RecordsRepository) throws
    -> [RecordChange]
  {
    func index(_ files: [SnapshotFile]) throws -> [RecordKey: (SnapshotFile, ObjectID)] {
      var result: [RecordKey: (SnapshotFile, ObjectID)] = [:]
      for file in files {
        guard let (type, id) = records.historicalRecord(of: file.path) else { continue }
        let key = RecordKey(type: type, id: id)
        // Where a snapshot has a record twice (both layouts), its layout's own place wins.
        if result[key] != nil, case .record = records.role(of: file.path) {
        } else if result[key] != nil {
          continue
        }
        let blob = try file.contentKey.flatMap(ObjectID.init(hex:)) ?? Repository.blobID(of: file.bytes())
        result[key] = (file, blob)
      }
      return result
    }
    let before = try index(old)
    let after = try index(new)
    var added: [RecordChange] = []
    var removed: [RecordChange] = []
    var changes: [RecordChange] = []
    for (key, (file, id)) in after {
      if let (oldFile, oldID) = before[key] {
        guard oldID != id else { continue }
        var change = RecordChange(kind: .modified, type: key.type, id: key.id, oldBlob: oldID, newBlob: id)
        if let a = SyntaxTree.parse(try oldFile.bytes()).tree?.value,
          let b = SyntaxTree.parse(try file.bytes()).tree?.value
        {
          change.fields = FieldChange.between(a, b, spec: records.schema.type(named: key.type)?.object)
        }
        changes.append(change)
      } else {
        var change = RecordChange(kind: .added, type: key.type, id: key.id, oldBlob: nil, newBlob: id)
        change.value = SyntaxTree.parse(try file.bytes()).tree?.value
        added.append(change)
      }
    }
    for (key, (_, id)) in before where after[key] == nil {
      removed.append(RecordChange(kind: .removed, type: key.type, id: key.id, oldBlob: id, newBlob: nil))
    }
    changes += RecordChange.pairingRenames(added: added, removed: removed)
    return changes.sorted { ($0.type, $0.id) < ($1.type, $1.id) }
  }

  /// "3 customers changed, 1 added; +2 follow-ups; 2 action items closed".
  public static func summary(_ changes: [RecordChange], records: RecordsRepository) -> String {
    guard !changes.isEmpty else { return "no changes" }
    var parts: [String] = []
    var types: [String] = []
    for change in changes where !types.contains(change.type) { types.append(change.type) }
    for type in types {
      let mine = changes.filter { $0.type == type }
      let directory = records.schema.type(named: type)?.directory ?? type
      let counts: [(String, Int)] = [
        ("changed", mine.filter { $0.kind == .modified }.count), ("added", mine.filter { $0.kind == .added }.count),
        ("removed", mine.filter { $0.kind == .removed }.count), ("renamed", mine.filter { $0.kind == .renamed }.count),
      ].filter { $0.1 > 0 }
      let words = counts.enumerated().map { index, pair in
        index == 0 ? "\(pair.1) \(pair.1 == 1 ? type : directory) \(pair.0)" : "\(pair.1) \(pair.0)"
      }
      parts.append(words.joined(separator: ", "))
    }
    var items: [String: Int] = [:]
    var closed: [String: Int] = [:]
    var order: [String] = []
    for change in changes {
      for field in change.fields {
        let components = field.path.components
        guard components.count >= 2, case .key(let list) = components[0], case .index = components[1] else { continue }
        if components.count == 2 && field.kind == .added {
          if items[list] == nil && closed[list] == nil { order.append(list) }
          items[list, default: 0] += 1
        } else if components.count == 3, case .key(let leaf) = components[2] {
          let done: Set<String> = ["done", "closed", "completed", "resolved"]
          let isClosing =
            (leaf == "status" && field.new?.text.map(done.contains) == true)
            || (leaf == "resolved_on" && field.kind == .added) || (leaf == "done_on" && field.kind == .added)
          if isClosing {
            if items[list] == nil && closed[list] == nil { order.append(list) }
            closed[list, default: 0] += 1
          }
        }
      }
    }
    var extra: [String] = []
    for list in order {
      let item = list.replacingOccurrences(of: "_up", with: "-up").replacingOccurrences(of: "_", with: " ")
      let singular = item.hasSuffix("s") ? String(item.dropLast()) : item
      if let count = items[list] { extra.append("+\(count) \(count == 1 ? singular : item)") }
      if let count = closed[list] { extra.append("\(count) \(count == 1 ? singular : item) closed") }
    }
    return (parts + extra).joined(separator: "; ")
  }

  /// A record as lines of `path: value`, one per field, for `git diff` through a textconv
  /// driver: a change shows as the lines of the fields that changed, whatever the layout.
  public static func textconv(_ value: Value) -> String {
    var leaves: [(FieldPath, Value)] = []
    History.collectLeaves(value, path: FieldPath(), into: &leaves)
    var out = ""
    for (path, leaf) in leaves {
      switch leaf {
      case .scalar(let text, _):
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.count <= 1 {
          out += "\(path): \(text)\n"
        } else {
          out += "\(path): |\n" + lines.map { "    " + $0 }.joined(separator: "\n") + "\n"
        }
      case .sequence:
        out += "\(path): []\n"
      case .mapping:
        out += "\(path): {}\n"
      case .null:
        out += "\(path):\n"
      }
    }
    return out
  }
}
