import TallyRecords
import TallySchema
import TallyText

/// `tally log TYPE/ID`: the commits that changed a record, newest first, with the fields
/// each changed.
public struct RecordLog: Sendable {
  public var key: RecordKey
  public var events: [RecordEvent]

  /// As people read it: a line per commit (date, author, id, subject), then its changes.
  /// Values longer than `valueLimit` characters are cut (nil: never).
  public func text(_ text: ChangeText, valueLimit: Int?) -> String {
    var out = ""
    for event in events {
      let commit = event.commit
      out += "\(text.date(commit.author))  \(text.author(commit.author))  "
      out += "\(commit.id.short())  \(commit.summary)\n"
      if commit.parents.count > 1 {
        // On the first-parent timeline a merge's changes are what the merge brought in.
        let merged = commit.parents.dropFirst().map { $0.short() }.joined(separator: ", ")
        out += "    merge of \(merged): the changes it brought in\n"
      }
      let change = event.change
      if change.kind != .modified || change.fields.isEmpty {
        out += "    \(text.headline(change))\n"
      }
      for field in change.fields {
        out += "    \(text.describe(field, type: change.type, limit: valueLimit))\n"
      }
    }
    out += "\(events.count) commit\(events.count == 1 ? "" : "s") changed \(key)\n"
    return out
  }

  /// `{"version":1,"record","commits":[{"commit","parents","author","message","change"}]}`.
  public func json(_ text: ChangeText) -> [UInt8] {
    var out = JSONWriter()
    out.raw("{\"version\":1,\"record\":")
    out.string(key.description)
    out.raw(",\"commits\":[")
    for event in events {
      out.separate()
      out.raw("\n{")
      out.key("commit")
      out.string(event.commit.id.hex)
      out.key("parents")
      out.raw("[")
      for parent in event.commit.parents {
        out.separate()
        out.string(parent.hex)
      }
      out.raw("]")
      out.key("author")
      out.signature(event.commit.author, text: text)
      out.key("message")
      out.string(event.commit.message)
      out.key("change")
      out.recordChange(event.change)
      out.raw("}")
    }
    out.raw("\n]}\n")
    return out.bytes
  }
}

extension History {
  /// The log of the record `key` names over `commits` (oldest first), newest first: only
  /// the commits `includes` keeps, and with `field`, only the changes of that field (or of
  /// what it is in or holds). Nil when no commit of `commits` changed the record at all.
  public func log(
    of key: RecordKey, in commits: [CommitChanges], field: FieldPath? = nil,
    includes: (CommitChanges) -> Bool = { _ in true }
  ) -> RecordLog? {
    let all = events(of: key, in: commits)
    guard !all.isEmpty else { return nil }
    var events = all.filter { includes($0.commit) }
    if let field {
      events = events.compactMap { event in
        var event = event
        event.change.fields = event.change.fields.filter { $0.path.hasPrefix(field) || field.hasPrefix($0.path) }
        let whole = event.change.kind == .added || event.change.kind == .removed
        return event.change.fields.isEmpty && !whole ? nil : event
      }
    }
    return RecordLog(key: key, events: events)
  }
}
