import TallyText

/// Checks the changes of state fields between two versions of a record set: each change
/// must be allowed by the field's `transitions`, and a new record must start in one of its
/// `initial` values.
public struct TransitionChecker: Sendable {
  public let schema: SchemaSet

  public init(schema: SchemaSet) {
    self.schema = schema
  }

  /// The state fields of the records of an earlier version, by type and id.
  public struct Baseline: Sendable {
    var states: [String: [String: [String: String]]] = [:]  // type -> id -> field -> value
    /// A short name for the earlier version, for messages ("HEAD", "main~3").
    public var name: String

    public init(name: String) {
      self.name = name
    }

    public mutating func add(_ summary: RecordSummary) {
      var fields: [String: String] = [:]
      for state in summary.states { fields[state.field] = state.value }
      states[summary.type, default: [:]][summary.id] = fields
    }

    public mutating func add(type: String, id: String, states fields: [String: String]) {
      states[type, default: [:]][id] = fields
    }

    public func contains(type: String, id: String) -> Bool { states[type]?[id] != nil }

    /// Makes the record `type/old` known as `type/new` (a rename): `new` is then checked
    /// for transitions from `old`'s states, not as a new record.
    public mutating func rename(type: String, from old: String, to new: String) {
      guard let fields = states[type]?[old] else { return }
      states[type]![new] = fields
    }
  }

  /// The state fields of a record's value (for a baseline read without full checking).
  public func states(of value: Value, type: RecordType) -> [String: String] {
    var result: [String: String] = [:]
    for field in type.object.fields where field.transitions != nil || field.initial != nil {
      if let text = value[field.name]?.text { result[field.name] = text }
    }
    return result
  }

  public func check(_ summaries: [RecordSummary], against baseline: Baseline) -> [Diagnostic] {
    var diagnostics: [Diagnostic] = []
    for summary in summaries {
      guard let type = schema.type(named: summary.type) else { continue }
      let old = baseline.states[summary.type]?[summary.id]
      for state in summary.states {
        guard let field = type.object[state.field] else { continue }
        if let old {
          guard let previous = old[state.field], previous != state.value, let transitions = field.transitions else {
            continue
          }
          if !transitions.allows(from: previous, to: state.value) {
            let targets = transitions.targets(from: previous)
            diagnostics.append(
              Diagnostic(
                .error, code: "transition",
                message:
                  "'\(state.field)' cannot change from '\(previous)' to '\(state.value)' (it was '\(previous)' in \(baseline.name))",
                path: summary.path, range: state.range,
                hint: targets.isEmpty
                  ? "'\(previous)' is final"
                  : "from '\(previous)' it may change to: " + targets.joined(separator: ", "),
                field: state.field))
          }
        } else if let initial = field.initial, !initial.contains(state.value) {
          diagnostics.append(
            Diagnostic(
              .error, code: "initial-state",
              message: "a new \(summary.type) cannot start with '\(state.field): \(state.value)'",
              path: summary.path, range: state.range, hint: "new records start as: " + initial.joined(separator: ", "),
              field: state.field))
        }
      }
    }
    return diagnostics
  }
}
