import Dispatch
import Foundation
import TallyText

/// The checks across records: references exist and meet their conditions, references that
/// must not loop do not, unique fields are unique, and rules that read other records hold.
public struct SetValidator: Sendable {
  public let schema: SchemaSet
  public let today: CivilDate
  /// The ids of every record of a type, for "did you mean" hints, when the summaries given
  /// are not all of them (an incremental check); nil: the summaries are all.
  public var knownIDs: (@Sendable (String) -> [String])?
  /// A record (type, id) that is not among the summaries given, to check a "did you mean"
  /// candidate against the reference's condition (an incremental check); nil: the summaries
  /// are all.
  public var knownRecord: (@Sendable (String, String) -> RecordSummary?)?

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
      var byType: [String: [String: Int]] = [:]
      // Summaries come type by type (directory by directory): fill one type's table at a
      // time, sized for the run, instead of looking the type up for every record.
      var runType: String?
      var run: [String: Int] = [:]
      summaries.withUnsafeBufferPointer { all in
        var index = 0
        while index < all.count {
          // Read in place: copying a summary retains everything it holds.
          let type = all[index].type
          if type != runType {
            if let runType { byType[runType] = run }
            var end = index + 1
            while end < all.count, all[end].type == type { end += 1 }
            run = byType.removeValue(forKey: type) ?? [:]
            run.reserveCapacity(run.count + end - index)
            runType = type
          }
          run[all[index].id] = index
          index += 1
        }
      }
      if let runType { byType[runType] = run }
      self.byType = byType
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
    // The repeated unique values need no index: they are looked for on another thread while
    // this one builds the index, then the references and deferred rules of each record are
    // checked in chunks on all cores.
    nonisolated(unsafe) var repeated: [Diagnostic] = []
    let uniques = DispatchGroup()
    DispatchQueue.global().async(group: uniques) {
      repeated = duplicates(summaries) { only?.contains($0.path) ?? true }
    }
    let index = Index(summaries)
    var diagnostics: [Diagnostic] = []
    let chunkSize = max(2048, summaries.count / (ProcessInfo.processInfo.activeProcessorCount * 4) + 1)
    let chunks = stride(from: 0, to: summaries.count, by: chunkSize).map {
      $0..<min($0 + chunkSize, summaries.count)
    }
    var found = [[Diagnostic]](repeating: [], count: chunks.count)
    found.withUnsafeMutableBufferPointer { out in
      nonisolated(unsafe) let out = out
      DispatchQueue.concurrentPerform(iterations: chunks.count) { part in
        out[part] = checkReferencesAndRules(summaries, in: chunks[part], index: index, only: only)
      }
    }
    for part in found { diagnostics += part }
    func reported(_ summary: RecordSummary) -> Bool { only?.contains(summary.path) ?? true }
    diagnostics += cycles(summaries, index: index, reported: reported)
    uniques.wait()
    diagnostics += repeated
    return diagnostics
  }

  /// The references and the rules that read other records, of the records in `range`.
  func checkReferencesAndRules(
    _ summaries: [RecordSummary], in range: Range<Int>, index: Index, only: Set<String>?
  ) -> [Diagnostic] {
    var diagnostics: [Diagnostic] = []
    let schema = self.schema
    let resolve: @Sendable (String, String) -> ObjectView? = { type, id in
      guard let record = index.record(type, id), let value = record.value, let recordType = schema.type(named: type)
      else { return nil }
      return ObjectView(value: value, spec: recordType.object, recordType: type, id: id)
    }
    func reported(_ summary: RecordSummary) -> Bool { only?.contains(summary.path) ?? true }
    var conditionOutcomes: [ConditionKey: ConditionOutcome] = [:]
    var lastLookup: (target: String, id: String, position: Int)?

    // Summaries and references are read in place, through pointers: copying them retains
    // every array and string they hold, for 100,000 records and their references.
    summaries.withUnsafeBufferPointer { all in
      for position in range {
        let summary = all.baseAddress! + position
        if summary.pointee.references.isEmpty && summary.pointee.deferredRules.isEmpty { continue }
        guard reported(summary.pointee) else { continue }
        summary.pointee.references.withUnsafeBufferPointer { uses in
          for usePosition in uses.indices {
            let use = uses.baseAddress! + usePosition
            // A record's references mostly name the same record (its owner wrote its
            // follow-ups): look the last one up again without hashing.
            let found: Int?
            if let last = lastLookup, last.id == use.pointee.id, last.target == use.pointee.target {
              found = last.position
            } else {
              found = index.position(use.pointee.target, use.pointee.id)
              if let found { lastLookup = (use.pointee.target, use.pointee.id, found) }
            }
            guard let targetPosition = found else {
              let suggestion = suggestion(for: use.pointee, in: summary.pointee, index: index, resolve: resolve)
              let hint =
                suggestion.map { "did you mean \($0)?" }
                ?? "create \(schema.type(named: use.pointee.target)?.directory ?? use.pointee.target)/\(use.pointee.id).yaml, or correct the id"
              diagnostics.append(
                Diagnostic(
                  .error, code: "broken-ref",
                  message: "'\(use.pointee.field)': there is no \(use.pointee.target) '\(use.pointee.id)'",
                  path: summary.pointee.path, range: use.pointee.range, hint: hint, field: use.pointee.field.description
                ))
              continue
            }
            guard let condition = use.pointee.spec.condition else { continue }
            // Most conditions read only the target (`role in [...]`): evaluate those once per
            // target, not once per reference — 100,000 customers have a few dozen owners.
            let readsSource = use.pointee.spec.conditionReadsSource
            let key = ConditionKey(spec: use.pointee.spec.identity, target: targetPosition)
            var known = readsSource ? nil : conditionOutcomes[key]
            if known == nil {
              known = conditionOutcome(
                condition, target: index.summaries[targetPosition], targetType: use.pointee.target,
                source: summary.pointee, resolve: resolve)
              if !readsSource { conditionOutcomes[key] = known }
            }
            guard let outcome = known else { continue }
            switch outcome {
            case .value(.bool(false)):
              let targetPath = index.summaries[targetPosition].path
              let message =
                use.pointee.spec.conditionMessage.map { "'\(use.pointee.field)': \($0)" }
                ?? "'\(use.pointee.field)': \(use.pointee.target) \(use.pointee.id) does not meet the condition \(condition.source)"
              diagnostics.append(
                Diagnostic(
                  .error, code: "ref-condition", message: message, path: summary.pointee.path, range: use.pointee.range,
                  hint: "\(use.pointee.id) is in \(targetPath); the condition is: \(condition.source)",
                  notes: [
                    Diagnostic.Note(message: "\(use.pointee.target) \(use.pointee.id)", path: targetPath, range: nil)
                  ],
                  field: use.pointee.field.description))
            case .value(.bool), .value(.invalid), .unchecked:
              break
            case .value(let result):
              diagnostics.append(
                Diagnostic(
                  .error, code: "rule-error",
                  message:
                    "the condition of '\(use.pointee.field)' must be true or false, but it is \(result.typeName)",
                  path: summary.pointee.path, range: use.pointee.range))
            case .error(let message, let hint):
              diagnostics.append(
                Diagnostic(
                  .error, code: "rule-error",
                  message: "the condition of '\(use.pointee.field)' cannot be checked: \(message)",
                  path: summary.pointee.path, range: use.pointee.range, hint: hint))
            }
          }
        }
        for deferred in summary.pointee.deferredRules {
          guard let value = summary.pointee.value, let type = schema.type(named: summary.pointee.type) else { continue }
          let root = ObjectView(value: value, spec: type.object, recordType: type.name, id: summary.pointee.id)
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
                deferred.rule.severity, code: "rule", message: deferred.rule.message, path: summary.pointee.path,
                range: deferred.range, hint: deferred.rule.ruleHint(type: type)))
          case .error(let message, let hint):
            diagnostics.append(
              Diagnostic(
                deferred.rule.severity, code: "rule-error",
                message: "the rule '\(deferred.rule.name ?? deferred.rule.check.source)' cannot be checked: \(message)",
                path: summary.pointee.path, range: deferred.range, hint: hint ?? deferred.rule.ruleHint(type: type)))
          }
        }
      }
    }
    return diagnostics
  }

  /// What `condition` (of a reference from `source`) says of `target`, a record of
  /// `targetType`.
  func conditionOutcome(
    _ condition: Expression, target: RecordSummary, targetType: String, source: RecordSummary,
    resolve: @escaping @Sendable (String, String) -> ObjectView?
  ) -> ConditionOutcome {
    guard let targetValue = target.value else { return .unchecked }
    return conditionOutcome(
      condition, target: (targetValue, targetType, target.id),
      source: source.value.map { ($0, source.type, source.id) },
      resolve: resolve)
  }

  /// What `condition` says of the record `target` (its value, type and id), referred to from
  /// `source` (when known).
  func conditionOutcome(
    _ condition: Expression, target: (value: Value, type: String, id: String),
    source: (value: Value, type: String, id: String)?, resolve: @escaping @Sendable (String, String) -> ObjectView?
  ) -> ConditionOutcome {
    guard let targetType = schema.type(named: target.type) else { return .unchecked }
    let targetView = ObjectView(
      value: target.value, spec: targetType.object, recordType: targetType.name, id: target.id)
    var sourceView: ObjectView?
    if let source {
      guard let sourceType = schema.type(named: source.type) else { return .unchecked }
      sourceView = ObjectView(value: source.value, spec: sourceType.object, recordType: sourceType.name, id: source.id)
    }
    let context = EvaluationContext(
      scope: targetView, record: targetView, source: sourceView, resolve: resolve, today: today)
    do throws(EvaluationError) {
      return .value(try condition.evaluate(in: context))
    } catch {
      return .error(error.message, hint: error.hint)
    }
  }

  /// Whether a reference made with `spec` may name the record `target` (its value and id;
  /// a record of the reference's target type): true when the reference has no condition or
  /// the target meets it; false when it fails or cannot be evaluated (it reads the referring
  /// record, `source`, and that is not given, or other records). For "did you mean" hints
  /// outside a check of the whole repository.
  public func admits(
    _ spec: ReferenceSpec, target: Value, id: String, source: (value: Value, type: String, id: String)? = nil
  ) -> Bool {
    guard let condition = spec.condition else { return true }
    let outcome = conditionOutcome(
      condition, target: (target, spec.target, id), source: source, resolve: { _, _ in nil })
    if case .value(.bool(true)) = outcome { return true }
    return false
  }

  /// "Did you mean" for a reference to a record that does not exist: the closest id (one
  /// edit away) of a record the reference may name — one that meets its condition, so the
  /// hint never proposes a record the check would then refuse. Nil when none is close.
  func suggestion(
    for use: RecordSummary.ReferenceUse, in source: RecordSummary, index: Index,
    resolve: @escaping @Sendable (String, String) -> ObjectView?
  ) -> String? {
    let ids: [String]
    if let knownIDs {
      ids = knownIDs(use.target)
    } else if let known = index.ids(of: use.target) {
      ids = Array(known)
    } else {
      return nil
    }
    guard ids.count <= 5000 else { return nil }
    return Suggestions.closest(to: use.id, among: ids, maxDistance: 1) { id in
      guard let condition = use.spec.condition else { return true }
      guard let target = index.record(use.target, id) ?? knownRecord?(use.target, id) else { return false }
      let outcome = conditionOutcome(
        condition, target: target, targetType: use.target, source: source, resolve: resolve)
      if case .value(.bool(true)) = outcome { return true }
      return false
    }
  }

  /// A reference's condition on one target record: the spec's identity, not the condition's
  /// text (hashing the text cost as much as the lookup saved).
  struct ConditionKey: Hashable {
    var spec: ObjectIdentifier
    var target: Int
  }

  enum ConditionOutcome {
    case value(RuleValue)
    case error(String, hint: String?)
    /// The target's value is not known (it is not kept): nothing to say.
    case unchecked
  }

  /// The object spec of a list item at `path` (`follow_ups[2]`).
  func listItemType(_ object: ObjectSpec, _ path: FieldPath) -> FieldType? {
    object.field(at: path)?.type
  }

  /// Whether `object` has (maybe inside lists and objects) an acyclic reference to `type`.
  public static func hasAcyclicReference(_ object: ObjectSpec, to type: String) -> Bool {
    object.fields.contains { field in
      var fieldType = field.type
      while case .list(let list) = fieldType { fieldType = list.items.type }
      switch fieldType {
      case .reference(let reference): return reference.acyclic && reference.target == type
      case .object(let inner): return hasAcyclicReference(inner, to: type)
      default: return false
      }
    }
  }

  /// References that must not loop (`acyclic: true`) and do.
  func cycles(_ summaries: [RecordSummary], index: Index, reported: (RecordSummary) -> Bool) -> [Diagnostic] {
    var edges: [String: [String: (String, RecordSummary.ReferenceUse)]] = [:]  // type -> id -> next
    let acyclicTypes = Set(schema.types.filter { Self.hasAcyclicReference($0.object, to: $0.name) }.map(\.name))
    if acyclicTypes.isEmpty { return [] }
    summaries.withUnsafeBufferPointer { all in
      for summary in all.indices.lazy.map({ all.baseAddress! + $0 })
      where acyclicTypes.contains(summary.pointee.type) {
        for use in summary.pointee.references where use.spec.acyclic && use.target == summary.pointee.type {
          edges[summary.pointee.type, default: [:]][summary.pointee.id] = (use.id, use)
        }
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
  ///
  /// Values are equal when their bytes are (as git and the check state compare them), within
  /// one type's field. They are found with a table of their own: open addressing over each
  /// value's hash and where the value is, its bytes read in place — a `Dictionary` of keys
  /// holding the strings hashed each value twice and counted references to it four times,
  /// and this runs over every customer's name.
  func duplicates(_ summaries: [RecordSummary], reported: (RecordSummary) -> Bool) -> [Diagnostic] {
    struct Slot {
      var hash: Int
      var group: Int32
      var unique: Int32
      /// -1: empty.
      var summary: Int
    }
    let count = summaries.reduce(0) { $0 + $1.uniqueValues.count }
    guard count > 1 else { return [] }
    var capacity = 16
    while capacity < count * 2 { capacity <<= 1 }
    let mask = capacity - 1
    var slots = [Slot](repeating: Slot(hash: 0, group: 0, unique: 0, summary: -1), count: capacity)
    var groups: [String: [String: Int]] = [:]
    // Records come type by type, their unique fields in schema order: the last group again.
    var lastGroup: (type: String, field: String, group: Int)?
    var diagnostics: [Diagnostic] = []
    summaries.withUnsafeBufferPointer { all in
      // Summaries and their unique values are read in place, through pointers: one read out
      // of its array is copied, retaining everything it holds. `holds`: whether the value
      // at (summary, unique) has these bytes.
      func holds(_ summary: Int, _ unique: Int, _ bytes: UnsafeRawBufferPointer) -> Bool {
        all[summary].uniqueValues.withUnsafeBufferPointer {
          $0[unique].value.utf8.withContiguousBytes { $0.elementsEqual(bytes) }
        }
      }
      // Snapshots list their files in path order already: sort only when they are not.
      let inOrder = all.indices.dropFirst().allSatisfy { all[$0 - 1].path <= all[$0].path }
      let order = inOrder ? Array(all.indices) : all.indices.sorted { all[$0].path < all[$1].path }
      for index in order where !all[index].uniqueValues.isEmpty {
        all[index].uniqueValues.withUnsafeBufferPointer { uniques in
          for uniqueIndex in uniques.indices {
            let unique = uniques.baseAddress! + uniqueIndex
            let type = all[index].type
            let field = unique.pointee.field
            let group: Int
            if let last = lastGroup, last.type == type, last.field == field {
              group = last.group
            } else {
              group = groups[type]?[field] ?? groups.values.reduce(0) { $0 + $1.count }
              groups[type, default: [:]][field] = group
              lastGroup = (type, field, group)
            }
            // The value's hash was taken where the record was checked (on all cores, its
            // bytes at hand): the bytes are read here only when another value has its hash.
            let hash = unique.pointee.hash
            var slot = hash & mask
            var first: (summary: Int, unique: Int)?
            while slots[slot].summary >= 0 {
              let other = slots[slot]
              if other.hash == hash, other.group == Int32(group),
                unique.pointee.value.utf8.withContiguousBytes({ holds(other.summary, Int(other.unique), $0) })
              {
                first = (other.summary, Int(other.unique))
                break
              }
              slot = (slot + 1) & mask
            }
            if first == nil {
              slots[slot] = Slot(hash: hash, group: Int32(group), unique: Int32(uniqueIndex), summary: index)
            }
            guard let (otherIndex, otherUnique) = first, reported(all[index]) else { continue }
            let other = all[otherIndex]
            let otherValue = other.uniqueValues[otherUnique]
            diagnostics.append(
              Diagnostic(
                .error, code: "not-unique",
                message:
                  "'\(field)' must be unique across \(type) records, and '\(unique.pointee.value)' is also used by \(other.id)",
                path: all[index].path, range: unique.pointee.range, hint: "change one of them",
                notes: [Diagnostic.Note(message: "also in \(other.id)", path: other.path, range: otherValue.range)],
                field: field))
          }
        }
      }
    }
    return diagnostics
  }
}

extension String.UTF8View {
  /// Calls `body` with the text's bytes: in place for a native string, else a copy.
  fileprivate func withContiguousBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
    if let result = withContiguousStorageIfAvailable({ body(UnsafeRawBufferPointer($0)) }) { return result }
    return Array(self).withUnsafeBytes(body)
  }
}
