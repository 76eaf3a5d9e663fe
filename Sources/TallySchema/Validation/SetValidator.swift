import TallyText

/// The checks across records: references exist and meet their conditions, references that
/// must not loop do not, unique fields are unique, and rules that read other records hold.
public struct SetValidator: Sendable {
  public let schema: SchemaSet
  public let today: CivilDate

  public init(schema: SchemaSet, today: CivilDate) {
    self.schema = schema
    self.today = today
  }

  /// An index of records by type and id.
  public struct Index: Sendable {
    var byType: [String: [String: Int]] = [:]
    public let summaries: [RecordSummary]

    public init(_ summaries: [RecordSummary]) {
      self.summaries = summaries
      for (index, summary) in summaries.enumerated() {
        byType[summary.type, default: [:]][summary.id] = index
      }
    }

    public func record(_ type: String, _ id: String) -> RecordSummary? {
      byType[type]?[id].map { summaries[$0] }
    }

    /// Where a record is in `summaries` (no copy of it is made).
    public func position(_ type: String, _ id: String) -> Int? {
      byType[type]?[id]
    }

    public func ids(of type: String) -> Dictionary<String, Int>.Keys? {
      byType[type]?.keys
    }
  }

  /// Checks `summaries` (every record of the repository, or of a snapshot).
  ///
  /// - Parameter only: When given, report only on records at these paths (the rest are
  ///   still read, as references may point at them).
  public func validate(_ summaries: [RecordSummary], only: Set<String>? = nil) -> [Diagnostic] {
    let index = Index(summaries)
    var diagnostics: [Diagnostic] = []
    let schema = self.schema
    let resolve: @Sendable (String, String) -> ObjectView? = { type, id in
      guard let record = index.record(type, id), let value = record.value, let recordType = schema.type(named: type)
      else { return nil }
      return ObjectView(value: value, spec: recordType.object, recordType: type, id: id)
    }
    func reported(_ summary: RecordSummary) -> Bool { only?.contains(summary.path) ?? true }
    var conditionOutcomes: [ConditionKey: ConditionOutcome] = [:]
    // Whether a condition reads `source`, for the condition last seen (references of one
    // field follow each other, and share the schema's string, so comparing is quick).
    var lastCondition: (source: String, readsSource: Bool)?

    for position in summaries.indices {
      // Only the fields needed are read from the summary: copying it whole retains every
      // array and string it holds, 100,000 times.
      if summaries[position].references.isEmpty && summaries[position].deferredRules.isEmpty { continue }
      guard reported(summaries[position]) else { continue }
      let summary = summaries[position]
      for use in summary.references {
        guard let targetPosition = index.position(use.target, use.id) else {
          var hint: String?
          if let ids = index.ids(of: use.target), ids.count <= 5000,
            let suggestion = Suggestions.closest(to: use.id, among: ids, maxDistance: 1)
          {
            hint = "did you mean \(suggestion)?"
          } else {
            hint = "create \(schema.type(named: use.target)?.directory ?? use.target)/\(use.id).yaml, or correct the id"
          }
          diagnostics.append(
            Diagnostic(
              .error, code: "broken-ref", message: "'\(use.field)': there is no \(use.target) '\(use.id)'",
              path: summary.path, range: use.range, hint: hint, field: use.field.description))
          continue
        }
        guard let condition = use.spec.condition else { continue }
        let target = index.summaries[targetPosition]
        guard let targetValue = target.value,
          let targetType = schema.type(named: use.target), let sourceType = schema.type(named: summary.type)
        else { continue }
        // Most conditions read only the target (`role in [...]`): evaluate those once per
        // target, not once per reference — 100,000 customers have a few dozen owners.
        let readsSource: Bool
        if let lastCondition, lastCondition.source == condition.source {
          readsSource = lastCondition.readsSource
        } else {
          readsSource = condition.mentions("source")
          lastCondition = (condition.source, readsSource)
        }
        let key = ConditionKey(condition: condition.source, target: targetPosition)
        let outcome: ConditionOutcome
        if !readsSource, let known = conditionOutcomes[key] {
          outcome = known
        } else {
          let targetView = ObjectView(
            value: targetValue, spec: targetType.object, recordType: targetType.name, id: target.id)
          let sourceView = summary.value.map {
            ObjectView(value: $0, spec: sourceType.object, recordType: sourceType.name, id: summary.id)
          }
          let context = EvaluationContext(
            scope: targetView, record: targetView, source: sourceView, resolve: resolve, today: today)
          do {
            outcome = .value(try condition.evaluate(in: context))
          } catch {
            outcome = .error(error.message, hint: error.hint)
          }
          if !readsSource { conditionOutcomes[key] = outcome }
        }
        switch outcome {
        case .value(.bool(false)):
          let message =
            use.spec.conditionMessage.map { "'\(use.field)': \($0)" }
            ?? "'\(use.field)': \(use.target) \(use.id) does not meet the condition \(condition.source)"
          diagnostics.append(
            Diagnostic(
              .error, code: "ref-condition", message: message, path: summary.path, range: use.range,
              hint: "\(use.id) is in \(target.path); the condition is: \(condition.source)",
              notes: [Diagnostic.Note(message: "\(use.target) \(use.id)", path: target.path, range: nil)],
              field: use.field.description))
        case .value(.bool), .value(.invalid):
          break
        case .value(let result):
          diagnostics.append(
            Diagnostic(
              .error, code: "rule-error",
              message: "the condition of '\(use.field)' must be true or false, but it is \(result.typeName)",
              path: summary.path, range: use.range))
        case .error(let message, let hint):
          diagnostics.append(
            Diagnostic(
              .error, code: "rule-error",
              message: "the condition of '\(use.field)' cannot be checked: \(message)",
              path: summary.path, range: use.range, hint: hint))
        }
      }
      for deferred in summary.deferredRules {
        guard let value = summary.value, let type = schema.type(named: summary.type) else { continue }
        let root = ObjectView(value: value, spec: type.object, recordType: type.name, id: summary.id)
        var scope = root
        if !deferred.objectPath.isEmpty {
          guard let objectValue = value[deferred.objectPath],
            case .object(let objectSpec)? = type.object.field(at: deferred.objectPath)?.type
              ?? listItemType(type.object, deferred.objectPath)
          else { continue }
          scope = ObjectView(value: objectValue, spec: objectSpec)
        }
        let context = EvaluationContext(scope: scope, record: root, resolve: resolve, today: today)
        switch RuleOutcome.evaluate(deferred.rule, context) {
        case .passed, .unknown:
          break
        case .failed:
          diagnostics.append(
            Diagnostic(
              deferred.rule.severity, code: "rule", message: deferred.rule.message, path: summary.path,
              range: deferred.range, hint: deferred.rule.ruleHint(type: type)))
        case .error(let message, let hint):
          diagnostics.append(
            Diagnostic(
              deferred.rule.severity, code: "rule-error",
              message: "the rule '\(deferred.rule.name ?? deferred.rule.check.source)' cannot be checked: \(message)",
              path: summary.path, range: deferred.range, hint: hint ?? deferred.rule.ruleHint(type: type)))
        }
      }
    }
    diagnostics += cycles(summaries, index: index, reported: reported)
    diagnostics += duplicates(summaries, reported: reported)
    return diagnostics
  }

  /// A reference condition on one target record.
  struct ConditionKey: Hashable {
    var condition: String
    var target: Int
  }

  enum ConditionOutcome {
    case value(RuleValue)
    case error(String, hint: String?)
  }

  /// The object spec of a list item at `path` (`follow_ups[2]`).
  func listItemType(_ object: ObjectSpec, _ path: FieldPath) -> FieldType? {
    object.field(at: path)?.type
  }

  /// References that must not loop (`acyclic: true`) and do.
  func cycles(_ summaries: [RecordSummary], index: Index, reported: (RecordSummary) -> Bool) -> [Diagnostic] {
    var edges: [String: [String: (String, RecordSummary.ReferenceUse)]] = [:]  // type -> id -> next
    for summary in summaries {
      for use in summary.references where use.spec.acyclic && use.target == summary.type {
        edges[summary.type, default: [:]][summary.id] = (use.id, use)
      }
    }
    var diagnostics: [Diagnostic] = []
    for (type, next) in edges.sorted(by: { $0.key < $1.key }) {
      var state: [String: Int] = [:]  // 1: on the current path, 2: done
      for start in next.keys.sorted() where state[start] == nil {
        var path: [String] = []
        var current: String? = start
        while let id = current, state[id] == nil {
          state[id] = 1
          path.append(id)
          current = next[id]?.0
        }
        if let id = current, state[id] == 1, let loopStart = path.firstIndex(of: id) {
          let loop = Array(path[loopStart...])
          let first = loop.min()!
          let rotated = Array(loop[loop.firstIndex(of: first)!...] + loop[..<loop.firstIndex(of: first)!])
          if let summary = index.record(type, first), reported(summary), let use = next[first]?.1 {
            diagnostics.append(
              Diagnostic(
                .error, code: "cycle",
                message: "'\(use.field)' goes round in a circle: " + (rotated + [first]).joined(separator: " → "),
                path: summary.path, range: use.range, hint: "one of these records must point elsewhere (or nowhere)"))
          }
        }
        for id in path { state[id] = 2 }
      }
    }
    return diagnostics
  }

  /// Values of unique fields that appear in more than one record.
  func duplicates(_ summaries: [RecordSummary], reported: (RecordSummary) -> Bool) -> [Diagnostic] {
    struct Key: Hashable {
      var type: String
      var field: String
      var value: String
    }
    // Indices, not copies: summaries are large, and there may be 100,000 of them.
    var first: [Key: (summary: Int, unique: Int)] = [:]
    first.reserveCapacity(summaries.count)
    var diagnostics: [Diagnostic] = []
    // Snapshots list their files in path order already: sort only when they are not.
    let inOrder = summaries.indices.dropFirst().allSatisfy { summaries[$0 - 1].path <= summaries[$0].path }
    let order =
      inOrder ? Array(summaries.indices) : summaries.indices.sorted { summaries[$0].path < summaries[$1].path }
    for index in order {
      if summaries[index].uniqueValues.isEmpty { continue }
      let summary = summaries[index]
      for (uniqueIndex, unique) in summary.uniqueValues.enumerated() {
        let key = Key(type: summary.type, field: unique.field, value: unique.value)
        if let (otherIndex, otherUnique) = first[key] {
          if reported(summary) {
            let other = summaries[otherIndex]
            let otherValue = other.uniqueValues[otherUnique]
            diagnostics.append(
              Diagnostic(
                .error, code: "not-unique",
                message:
                  "'\(unique.field)' must be unique across \(summary.type) records, and '\(unique.value)' is also used by \(other.id)",
                path: summary.path, range: unique.range, hint: "change one of them",
                notes: [Diagnostic.Note(message: "also in \(other.id)", path: other.path, range: otherValue.range)],
                field: unique.field))
          }
        } else {
          first[key] = (index, uniqueIndex)
        }
      }
    }
    return diagnostics
  }
}
