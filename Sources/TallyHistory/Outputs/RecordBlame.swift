import TallyRecords
import TallySchema
import TallyText

/// `tally blame TYPE/ID`: every field of a record with the commit that last changed it.
public struct RecordBlame: Sendable {
  public var key: RecordKey
  public var lines: [BlameLine]

  /// A table: commit, date, author, field, value (a reference with the name of what it
  /// names; a multi-line value on several lines of its column), fitted to `width` columns
  /// (nil: never cut).
  public func text(_ text: ChangeText, width: Int?) -> String {
    let type = text.records.schema.type(named: key.type)
    var table = TextTable(
      columns: [.init(cuttable: false), .init(cuttable: false), .init(cuttable: false), .init(), .init()],
      header: false)
    for line in lines {
      let commit = line.commit
      table.rows.append([
        commit.map { $0.id.short() } ?? "-------",
        commit.map { text.date($0.author) } ?? "",
        commit.map { text.people.author($0.author).name } ?? "",
        line.path.description,
        Self.shown(line.value, target: type?.referenceSpec(at: line.path)?.target, names: text.people.names),
      ])
    }
    return table.render(width: width)
  }

  /// A field's value in full, for the table: text with its line breaks (a multi-line value
  /// takes several lines of its column), a reference with the name of what it names.
  static func shown(_ value: Value, target: String?, names: [String: String]) -> String {
    switch value {
    case .null: return "(none)"
    case .scalar(let text, _):
      if let target, let name = names["\(target)/\(text)"] { return "\(name) (\(text))" }
      return text.isEmpty ? "\"\"" : text
    case .sequence, .mapping:
      // Blame's fields are scalars or empty lists; anything else is written whole, as JSON.
      var bytes: [UInt8] = []
      value.writeJSON(into: &bytes)
      return String(decoding: bytes, as: UTF8.self)
    }
  }

  /// `{"version":1,"record","fields":[{"path","value","commit","author"}]}`.
  public func json(_ text: ChangeText) -> [UInt8] {
    var out = JSONWriter()
    out.raw("{\"version\":1,\"record\":")
    out.string(key.description)
    out.raw(",\"fields\":[")
    for line in lines {
      out.separate()
      out.raw("\n{")
      out.key("path")
      out.string(line.path.description)
      out.key("value")
      out.value(line.value)
      out.key("commit")
      out.string(orNull: line.commit?.id.hex)
      out.key("author")
      if let commit = line.commit { out.signature(commit.author, text: text) } else { out.null() }
      out.raw("}")
    }
    out.raw("\n]}\n")
    return out.bytes
  }
}

/// `tally show TYPE/ID`: a record as it was in one commit.
public struct RecordVersion: Sendable {
  public var key: RecordKey
  /// Its file then (relative to the records root: under the id it had, if it was renamed).
  public var path: String
  public var commit: CommitID
  public var bytes: [UInt8]

  /// `{"version":1,"record","path","commit","value"}`.
  public func json() -> [UInt8] {
    var out = JSONWriter()
    out.raw("{\"version\":1")
    out.key("record")
    out.string(key.description)
    out.key("path")
    out.string(path)
    out.key("commit")
    out.string(commit.hex)
    out.key("value")
    out.value(SyntaxTree.parse(bytes).tree?.value)
    out.raw("}\n")
    return out.bytes
  }
}

extension History {
  /// The blame of the record `key` names as it is at `tip`, whose first-parent history is
  /// `commits`: nil when the record is not there.
  public func blame(of key: RecordKey, at tip: CommitID, in commits: [CommitChanges]) throws -> RecordBlame? {
    let events = events(of: key, in: commits)
    guard let (_, bytes) = try recordBytes(key, at: tip, renamedFrom: events),
      let value = SyntaxTree.parse(bytes).tree?.value
    else { return nil }
    return RecordBlame(key: key, lines: try blame(value, events: events))
  }

  /// The record `key` names as it was at `commit` (renames followed back through
  /// `commits`, the first-parent history it is part of): nil when it did not exist then.
  public func version(of key: RecordKey, at commit: CommitID, in commits: [CommitChanges]) throws -> RecordVersion? {
    guard let (path, bytes) = try recordBytes(key, at: commit, renamedFrom: events(of: key, in: commits)) else {
      return nil
    }
    return RecordVersion(key: key, path: path, commit: commit, bytes: bytes)
  }
}
