import TallyText

extension PolicyVerdict {

  /// The verdict as a diagnostic on the record file at `path` (`what`: `customer C-0042`),
  /// naming the rule that decided (or the rules that would have allowed it, and why not).
  public func diagnostic(
    actor: Person, what: String, path: String, range: SourceRange?, policyPath: String,
    severity: Severity = .error
  ) -> Diagnostic {
    let verdict = self
    var message = "\(actor.label) may not \(verdict.action) of \(what)"
    if verdict.action.path == nil { message = "\(actor.label) may not \(verdict.action.operation.rawValue) \(what)" }
    var notes: [Diagnostic.Note] = []
    var hint: String?
    if let rule = verdict.rule {
      message += " — \(verdict.reason) (\(policyPath):\(rule.line))"
      if let text = rule.message { hint = text }
      notes.append(Diagnostic.Note(message: "rule '\(rule.name)'", path: policyPath, range: Self.lineRange(rule.line)))
    } else if let first = verdict.near.first {
      message +=
        " — no rule allows it; \(Self.nearText(first)) (\(policyPath):\(first.rule.line))"
      for near in verdict.near.dropFirst().prefix(3) {
        notes.append(
          Diagnostic.Note(
            message: Self.nearText(near), path: policyPath,
            range: Self.lineRange(near.rule.line)))
      }
    } else {
      message += " — no rule allows it"
      hint = "ask whoever may change \(Policy.fileName) to add a rule, or ask someone a rule allows"
    }
    return Diagnostic(
      severity, code: "policy", message: message, path: path, range: range, hint: hint, notes: notes,
      field: verdict.action.path?.description)
  }

  static func lineRange(_ line: Int) -> SourceRange? {
    guard line > 0 else { return nil }
    let position = SourcePosition(offset: 0, line: line, column: 1)
    return SourceRange(start: position, end: position)
  }

  /// Where `path` is in a record file: its key, or its item.
  public static func locate(_ path: FieldPath, in tree: SyntaxTree) -> SourceRange? {
    var node = tree.root
    var found: SourceRange?
    for component in path.components {
      switch component {
      case .key(let key):
        guard node.isMapping, let entry = node.entries.first(where: { $0.key.text == key }) else { return found }
        found = entry.key.range
        node = entry.value
      case .index(let index):
        guard node.isSequence, index < node.count else { return found }
        let item = Array(node.items)[index]
        found = item.range
        node = item
      }
    }
    return found
  }

  /// `rule 'x' allows it for team_lead when owner.team == actor.team`, or `rule 'x' would
  /// allow it, but its condition 'owner == actor' is false after the change`.
  public static func nearText(_ near: (rule: PolicyRule, why: String)) -> String {
    if near.why.hasPrefix("for ") { return "rule '\(near.rule.name)' allows it \(near.why)" }
    return "rule '\(near.rule.name)' would allow it, but \(near.why)"
  }
}
