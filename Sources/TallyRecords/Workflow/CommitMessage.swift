import TallySchema
import TallyText

/// Commit messages written from what changed, for `tally commit` without `-m`:
/// "customer C-0042: status prospect → active; +1 follow-up".
public enum CommitMessage {
  /// A subject line (and, for several records, a body with one line per record).
  public static func generate(_ changes: [Committer.Change], repository: RecordsRepository) -> String {
    let lines = changes.map { describe($0, repository: repository) }
    if lines.count == 1 { return lines[0] }
    // Several files: "update 3 customers, 1 staff" and one line each below.
    var counts: [(String, Int)] = []
    for change in changes {
      let name = typeName(change.path, repository: repository) ?? "file"
      if let index = counts.firstIndex(where: { $0.0 == name }) {
        counts[index].1 += 1
      } else {
        counts.append((name, 1))
      }
    }
    let subject =
      "update "
      + counts.map { name, count in "\(count) \(count == 1 || name == "staff" || name == "minutes" ? name : name + "s")"
      }
      .joined(separator: ", ")
    return subject + "\n\n" + lines.map { "- " + $0 }.joined(separator: "\n")
  }

  static func typeName(_ path: String, repository: RecordsRepository) -> String? {
    if case .record(let type, _) = repository.role(of: path) { return type }
    return nil
  }

  /// One line for one file.
  static func describe(_ change: Committer.Change, repository: RecordsRepository) -> String {
    guard case .record(let type, let id) = repository.role(of: change.path) else {
      switch change.kind {
      case .added: return "add \(change.path)"
      case .deleted: return "remove \(change.path)"
      case .modified: return "update \(change.path)"
      }
    }
    let label = "\(type) \(id)"
    let old = change.old.flatMap { SyntaxTree.parse($0).tree?.value }
    let new = change.new.flatMap { SyntaxTree.parse($0).tree?.value }
    switch change.kind {
    case .added:
      if let name = new?.pairs?.first(where: { $0.key == "name" })?.value.text { return "\(label): new (\(name))" }
      return "\(label): new"
    case .deleted:
      return "\(label): removed"
    case .modified:
      if change.old == change.new { return "\(label): mode changed" }
      guard let old, let new else { return "\(label): updated" }
      let parts = differences(old, new)
      if parts.isEmpty { return "\(label): reformatted" }
      let shown = parts.prefix(4).joined(separator: "; ")
      return "\(label): " + shown + (parts.count > 4 ? "; …" : "")
    }
  }

  /// The top-level differences between two versions of a record, in the new version's order.
  static func differences(_ old: Value, _ new: Value) -> [String] {
    let oldPairs = old.pairs ?? []
    let newPairs = new.pairs ?? []
    var oldByKey: [String: Value] = [:]
    for pair in oldPairs { oldByKey[pair.key] = pair.value }
    var result: [String] = []
    for pair in newPairs {
      guard let before = oldByKey.removeValue(forKey: pair.key) else {
        result.append(addedField(pair.key, pair.value))
        continue
      }
      if before == pair.value { continue }
      switch (before, pair.value) {
      case (.sequence(let a), .sequence(let b)):
        let item = singular(pair.key)
        if b.count > a.count {
          result.append("+\(b.count - a.count) \(item)")
        } else if b.count < a.count {
          result.append("-\(a.count - b.count) \(item)")
        } else {
          result.append("\(pair.key) edited")
        }
      case (.mapping, .mapping):
        result.append("\(pair.key) edited")
      default:
        result.append("\(pair.key): \(short(before)) → \(short(pair.value))")
      }
    }
    for pair in oldPairs where oldByKey[pair.key] != nil {
      result.append("\(pair.key) removed")
    }
    return result
  }

  static func addedField(_ key: String, _ value: Value) -> String {
    if case .sequence(let items) = value { return "+\(items.count) \(singular(key))" }
    return "\(key): \(short(value))"
  }

  /// "follow_ups" → "follow-up", "orders" → "order".
  static func singular(_ key: String) -> String {
    var word = key.replacingUnderscores()
    if word.hasSuffix("s") && !word.hasSuffix("ss") { word.removeLast() }
    return word
  }

  static func short(_ value: Value) -> String {
    switch value {
    case .null: return "(none)"
    case .scalar(let text, _):
      let line =
        text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
      return line.count > 24 ? String(line.prefix(23)) + "…" : (line.isEmpty ? "\"\"" : line)
    case .sequence(let items): return "[\(items.count)]"
    case .mapping: return "{…}"
    }
  }
}

extension String {
  fileprivate func replacingUnderscores() -> String {
    String(map { $0 == "_" ? "-" : $0 })
  }
}
