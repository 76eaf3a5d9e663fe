import TallyGit
import TallyText

extension RecordChange.Kind {
  /// The kind as the JSON outputs spell it (docs/outputs.md).
  public var name: String {
    switch self {
    case .added: "added"
    case .removed: "removed"
    case .modified: "modified"
    case .renamed: "renamed"
    }
  }
}

extension FieldChange.Kind {
  /// The kind as the JSON outputs spell it (docs/outputs.md).
  public var name: String {
    switch self {
    case .added: "added"
    case .removed: "removed"
    case .changed: "changed"
    }
  }
}

extension JSONWriter {
  /// `{"name","email","staff","date","time"}`: who, with the staff id their email belongs to.
  mutating func signature(_ signature: Signature, text: ChangeText) {
    raw("{")
    key("name")
    string(signature.name)
    key("email")
    string(signature.email)
    key("staff")
    string(orNull: text.people.author(signature).staff)
    key("date")
    string(text.date(signature))
    key("time")
    number(signature.time)
    raw("}")
  }

  /// `{"path","kind","old","new"}`.
  mutating func fieldChange(_ change: FieldChange) {
    raw("{")
    key("path")
    string(change.path.description)
    key("kind")
    string(change.kind.name)
    key("old")
    value(change.old)
    key("new")
    value(change.new)
    raw("}")
  }

  /// `{"type","id","kind"[,"from"],"fields":[...]}`.
  mutating func recordChange(_ change: RecordChange) {
    raw("{")
    key("type")
    string(change.type)
    key("id")
    string(change.id)
    key("kind")
    string(change.kind.name)
    if change.kind == .renamed {
      key("from")
      string("\(change.oldType ?? change.type)/\(change.oldID ?? "")")
    }
    key("fields")
    raw("[")
    for field in change.fields {
      separate()
      fieldChange(field)
    }
    raw("]}")
  }
}
