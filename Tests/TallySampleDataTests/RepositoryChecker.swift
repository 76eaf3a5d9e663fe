import TallySampleData
import TallyText

/// Replays a history commit by commit and checks the repository after each: every changed
/// file parses without a diagnostic and is canonical, every record is valid against its
/// schema, status changes follow the schema's transitions, every reference points at a staff
/// record that exists at that time, owners satisfy the schemas' `where`, unique fields are
/// unique and reporting lines are right.
final class RepositoryChecker {
  let checker: SchemaChecker
  private(set) var values: [String: Value] = [:]
  private(set) var contents: [String: [UInt8]] = [:]
  private(set) var problems: [String] = []
  /// Customer path → its status after each commit that changed it.
  private(set) var statusHistory: [String: [String]] = [:]
  /// Customer path → its owner after each commit that changed it, with the commit index.
  private(set) var ownerHistory: [String: [(commit: Int, owner: String)]] = [:]
  /// Every transition seen: `customer lead -> prospect`, `action_item done -> open`...
  private(set) var transitionsSeen: Set<String> = []
  private var commit = 0
  /// Whether the files are a history (new records must have an initial status, authors are
  /// staff) or a snapshot loaded in batches.
  let isHistory: Bool

  init(checker: SchemaChecker, isHistory: Bool = true) {
    self.checker = checker
    self.isHistory = isHistory
  }

  func problem(_ text: String) {
    if problems.count < 200 { problems.append("commit \(commit): \(text)") }
  }

  /// Checks one file on its own: parse, canonical form, schema. Returns its value.
  func checkFile(path: String, content: [UInt8]) -> Value? {
    let result = Document.parse(content, path: path)
    guard let document = result.document, result.diagnostics.isEmpty else {
      problem("\(path) does not parse cleanly: \(result.diagnostics.map(\.message))")
      return nil
    }
    guard let type = SampleRecordType(path: path) else {
      problem("\(path): not a record path")
      return nil
    }
    if type.printer.printBytes(document) != content { problem("\(path) is not canonical") }
    for text in checker.problems(path: path, value: document.value) { problem(text) }
    return document.value
  }

  func apply(_ event: SampleEvent) {
    commit += 1
    var changed: [String] = []
    for change in event.changes {
      let old = values[change.path]
      guard let content = change.content else {
        if old == nil { problem("\(change.path) deleted but does not exist") }
        values[change.path] = nil
        contents[change.path] = nil
        continue
      }
      if contents[change.path] == content { problem("\(change.path) is in the commit but did not change") }
      guard let value = checkFile(path: change.path, content: content) else { continue }
      transitions(path: change.path, old: old, new: value)
      values[change.path] = value
      contents[change.path] = content
      changed.append(change.path)
    }
    crossChecks(changed: changed, event: event)
  }

  // MARK: - Transitions

  private func transitions(path: String, old: Value?, new: Value) {
    guard let schema = checker.schema(ofPath: path) else { return }
    let statusField = schema.root.fields.first { $0.0 == "status" }?.1
    if let field = statusField, let status = new["status"]?.text {
      if let before = old?["status"]?.text {
        if before != status {
          let allowed = (field.transitions[before] ?? []) + (field.transitions["*"] ?? [])
          if !field.transitions.isEmpty && !allowed.contains(status) {
            problem("\(path): status \(before) -> \(status) is not an allowed transition")
          }
          transitionsSeen.insert("\(schema.type) \(before) -> \(status)")
        }
      } else if isHistory && !field.initial.isEmpty && !field.initial.contains(status) {
        problem("\(path): new record with status \(status), not one of \(field.initial)")
      }
    }
    if schema.type == "customer" {
      statusHistory[path, default: []].append(new["status"]?.text ?? "")
      ownerHistory[path, default: []].append((commit, new["owner"]?.text ?? ""))
    }
    if schema.type == "minutes",
      let field = schema.root.fields.first(where: { $0.0 == "action_items" })?.1.items?
        .fields.first(where: { $0.0 == "status" })?.1
    {
      let before = old?["action_items"]?.items ?? []
      let after = new["action_items"]?.items ?? []
      for (a, b) in zip(before, after) {
        guard let s0 = a["status"]?.text, let s1 = b["status"]?.text, s0 != s1 else { continue }
        if !(field.transitions[s0] ?? []).contains(s1) {
          problem("\(path): action item \(s0) -> \(s1) is not an allowed transition")
        }
        transitionsSeen.insert("action_item \(s0) -> \(s1)")
      }
    }
  }

  // MARK: - Across records

  private func staff(_ id: String) -> Value? { values["staff/\(id).yaml"] }

  /// Every staff reference in a record, with where it is.
  private func references(
    _ value: Value, field: SchemaChecker.Field, at location: String, into out: inout [(String, String)]
  ) {
    if field.type == "ref", let text = value.text {
      out.append((location, text))
    } else if field.type == "list", let items = value.items, let itemField = field.items {
      for (index, item) in items.enumerated() {
        references(item, field: itemField, at: "\(location)[\(index)]", into: &out)
      }
    } else if let pairs = value.pairs {
      for pair in pairs {
        if let sub = field.fields.first(where: { $0.0 == pair.key })?.1 {
          references(pair.value, field: sub, at: location.isEmpty ? pair.key : "\(location).\(pair.key)", into: &out)
        }
      }
    }
  }

  private func crossChecks(changed: [String], event: SampleEvent) {
    // References in what changed point at existing staff records.
    for path in changed {
      guard let schema = checker.schema(ofPath: path), let value = values[path] else { continue }
      var refs: [(String, String)] = []
      references(value, field: schema.root, at: "", into: &refs)
      for (location, id) in refs where staff(id) == nil {
        problem("\(path): \(location) refers to \(id), which does not exist")
      }
    }
    // The author is a staff member, as the staff record says.
    if isHistory,
      !values.contains(where: {
        $0.key.hasPrefix("staff/") && $0.value["email"]?.text == event.authorEmail
          && $0.value["name"]?.text == event.authorName
      })
    {
      problem("author \(event.authorName) <\(event.authorEmail)> is not a staff record")
    }
    let staffChanged = changed.contains { $0.hasPrefix("staff/") }
    let customerPaths =
      staffChanged ? values.keys.filter { $0.hasPrefix("customers/") } : changed.filter { $0.hasPrefix("customers/") }
    for path in customerPaths {
      guard let owner = values[path]?["owner"]?.text, let record = staff(owner) else { continue }
      let role = record["role"]?.text ?? ""
      if !(role == "sales_rep" || role == "team_lead") || record["status"]?.text == "left" {
        problem("\(path): owner \(owner) is a \(role) with status \(record["status"]?.text ?? "-")")
      }
    }
    let planPaths =
      staffChanged ? values.keys.filter { $0.hasPrefix("plans/") } : changed.filter { $0.hasPrefix("plans/") }
    for path in planPaths {
      guard let owner = values[path]?["owner"]?.text, let record = staff(owner) else { continue }
      if !["manager", "supervisor", "team_lead"].contains(record["role"]?.text ?? "") {
        problem("\(path): plan owner \(owner) is not a manager, supervisor or team lead")
      }
    }
    if staffChanged {
      let everyone = values.filter { $0.key.hasPrefix("staff/") }
      for (path, value) in everyone {
        let role = value["role"]?.text ?? ""
        guard let boss = value["reports_to"]?.text else { continue }
        guard let bossRecord = staff(boss) else { continue }
        let bossRole = bossRecord["role"]?.text ?? ""
        let expected = [
          "supervisor": "manager", "team_lead": "supervisor", "sales_rep": "team_lead", "cs_rep": "team_lead",
        ][role]
        if bossRole != expected { problem("\(path): a \(role) reports to a \(bossRole)") }
        if role == "sales_rep" || role == "cs_rep", bossRecord["team"]?.text != value["team"]?.text {
          problem("\(path): not in the same team as the lead")
        }
      }
      unique(prefix: "staff/", fields: ["email", "phone"])
    }
    if changed.contains(where: { $0.hasPrefix("customers/") }) { unique(prefix: "customers/", fields: ["name"]) }
  }

  private func unique(prefix: String, fields: [String]) {
    for field in fields {
      var seen: [String: String] = [:]
      for (path, value) in values where path.hasPrefix(prefix) {
        guard let text = value[field]?.text else { continue }
        if let other = seen[text] { problem("\(field) \(text) in both \(other) and \(path)") }
        seen[text] = path
      }
    }
  }
}
