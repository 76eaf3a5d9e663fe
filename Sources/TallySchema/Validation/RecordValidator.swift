import TallyText

/// Checks one record against its type: fields, values, constraints and rules; collects what
/// the checks across records need (``RecordSummary``).
public struct RecordValidator: Sendable {
  public let schema: SchemaSet
  public let today: CivilDate
  /// Types whose records' values are kept for other records' rules and conditions.
  let keepValues: Set<String>
  /// Each type's name and id pattern, for references (without copying the whole type per
  /// value; a schema has a handful of types, and their names are short).
  let idPatterns: [IDPattern]

  /// A type's id pattern, shared: reading it from an array of values would copy it.
  final class IDPattern: Sendable {
    let type: String
    let pattern: SafeRegex

    init(type: String, pattern: SafeRegex) {
      self.type = type
      self.pattern = pattern
    }
  }

  /// The shape of each reference field's path (see ``PathShape``), by the field's spec.
  let referenceShapes: [ObjectIdentifier: PathShape]

  public init(schema: SchemaSet, today: CivilDate) {
    self.schema = schema
    self.today = today
    self.idPatterns = schema.types.map { IDPattern(type: $0.name, pattern: $0.idPattern) }
    var keep = Set<String>()
    var shapes: [ObjectIdentifier: PathShape?] = [:]
    for type in schema.types {
      Self.collectTargets(type.object, into: &keep)
      Self.collectShapes(type.object, prefix: [], into: &shapes)
    }
    self.keepValues = keep
    self.referenceShapes = shapes.compactMapValues { $0 }
  }

  /// The path shapes of the reference fields under `object`. A spec met at two places gets
  /// none (nil): its references keep their paths whole.
  static func collectShapes(
    _ object: ObjectSpec, prefix: [FieldPath.Component], into shapes: inout [ObjectIdentifier: PathShape?]
  ) {
    func visit(_ field: FieldSpec, _ path: [FieldPath.Component]) {
      switch field.type {
      case .reference:
        let key = ObjectIdentifier(field)
        shapes[key] = shapes[key] == nil ? PathShape(path) : .some(nil)
      case .list(let list): visit(list.items, path + [.index(-1)])
      case .object(let inner): collectShapes(inner, prefix: path, into: &shapes)
      default: break
      }
    }
    for field in object.fields { visit(field, prefix + [.key(field.name)]) }
  }

  /// Whether `id` matches the id pattern of the type named `type` (the first type of that
  /// name); nil when there is no such type. Matched in place, without copying the pattern.
  func idMatches(_ id: String, ofType type: String) -> Bool? {
    for entry in idPatterns where entry.type == type { return entry.pattern.matches(id) }
    return nil
  }

  static func collectTargets(_ object: ObjectSpec, into targets: inout Set<String>) {
    for field in object.fields {
      var type = field.type
      while case .list(let list) = type { type = list.items.type }
      switch type {
      case .reference(let reference): targets.insert(reference.target)
      case .object(let inner): collectTargets(inner, into: &targets)
      default: break
      }
    }
  }

  /// Checks a record.
  ///
  /// - Parameters:
  ///   - tree: The record file, parsed.
  ///   - type: Its record type (from its directory).
  ///   - id: Its id (the file's stem).
  ///   - path: The path to name in diagnostics.
  public func validate(_ tree: SyntaxTree, type: RecordType, id: String, path: String) -> (
    RecordSummary, [Diagnostic]
  ) {
    tree.withNodes { nodes in
      var run = Run(validator: self, type: type, id: id, path: path, tree: tree, nodes: nodes)
      run.checkID()
      let rootView = ObjectView(syntax: tree.root, spec: type.object, recordType: type.name, id: id)
      run.rootView = rootView
      run.checkObject(nodes.root, type.object, view: rootView)
      if keepValues.contains(type.name) || !run.summary.deferredRules.isEmpty || run.needsValue {
        run.summary.value = tree.value
      }
      return (run.summary, run.diagnostics)
    }
  }

  /// One record's check. Nodes are indices into the tree (``SyntaxNodes``): the walk visits
  /// every value of 100,000 records, and a ``SyntaxNode`` per value costs reference counts;
  /// a node's view is made only for a rule's object and for a problem's position.
  struct Run {
    let validator: RecordValidator
    let type: RecordType
    let id: String
    let path: String
    let tree: SyntaxTree
    let nodes: SyntaxNodes
    var summary: RecordSummary
    var diagnostics: [Diagnostic] = []
    var rootView: ObjectView?
    var needsValue = false
    /// The last reference whose id matched its target type's pattern.
    var lastMatchedID: (type: String, id: String)?
    /// The last reference field and its path's shape.
    var lastShape: (field: ObjectIdentifier, shape: PathShape?)?
    /// Notes whether a rule asked to follow a reference (one per record, reused by its rules).
    let dereference = DereferenceFlag()
    /// Where each field of the objects on the way down is, for their rules.
    let fieldNodes = FieldNodeStack()
    let probe: @Sendable (String, String) -> ObjectView?

    init(
      validator: RecordValidator, type: RecordType, id: String, path: String, tree: SyntaxTree, nodes: SyntaxNodes
    ) {
      self.validator = validator
      self.type = type
      self.id = id
      self.path = path
      self.tree = tree
      self.nodes = nodes
      self.summary = RecordSummary(type: type.name, id: id, path: path)
      components.reserveCapacity(8)
      let flag = dereference
      self.probe = { _, _ in
        flag.used = true
        return nil
      }
    }

    mutating func report(
      _ code: String, _ message: String, _ range: SourceRange?, hint: String? = nil, severity: Severity = .error,
      notes: [Diagnostic.Note] = [], field: FieldPath? = nil
    ) {
      diagnostics.append(
        Diagnostic(
          severity, code: code, message: message, path: path, range: range, hint: hint, notes: notes,
          field: field.map(\.description)))
    }

    mutating func checkID() {
      guard !type.idPattern.matches(id) else { return }
      var hint = "\(type.name) files are named by their id, matching \(type.idPattern.pattern)"
      if let example = type.idExample { hint += ", e.g. \(example).yaml" }
      report("bad-id", "the file name '\(id).yaml' is not a valid \(type.name) id", SourceRange(at: .start), hint: hint)
    }

    /// The path of the value being checked, kept as a stack while the checks descend: a
    /// ``FieldPath`` is made only when a problem or a reference needs one.
    var components: [FieldPath.Component] = []
    /// A copy of the stack: sharing its storage would make the next push copy it.
    var currentPath: FieldPath { FieldPath(components.map { $0 }) }

    /// The position of a node (worked out only when it is reported or kept).
    func range(_ node: Int) -> SourceRange { tree.node(at: node).range }

    mutating func checkObject(_ node: Int, _ spec: ObjectSpec, view: ObjectView? = nil) {
      let fields = spec.fields
      // Which fields are present: a bit mask (records rarely have more than 64 fields).
      var present: UInt64 = 0
      var morePresent = fields.count > 64 ? [UInt64](repeating: 0, count: (fields.count + 63) / 64) : []
      func isPresent(_ index: Int) -> Bool {
        index < 64 ? present & (1 << UInt64(index)) != 0 : morePresent[index / 64] & (1 << UInt64(index % 64)) != 0
      }
      // Where each field's value is, for the object's rules (none: no table).
      let rules = spec.boxedRules
      let table = rules.isEmpty ? -1 : fieldNodes.push(fields.count)
      defer { if table >= 0 { fieldNodes.pop(to: table) } }
      // Canonical records have their keys in schema order: try the next field first.
      var cursor = 0
      let count = nodes.isMapping(node) ? nodes.count(node) : 0
      var key = nodes.firstChild(of: node)
      for _ in 0..<count {
        let value = key + 1
        defer { key = nodes.next(after: value) }
        var index = -1
        _ = nodes.withUTF8(key) { key in
          // Then the fields after it (a field left out), then those before (keys out of order).
          for position in cursor..<fields.count where key.hasSameBytes(as: fields[position].utf8Name) {
            index = position
            return
          }
          for position in 0..<min(cursor, fields.count) where key.hasSameBytes(as: fields[position].utf8Name) {
            index = position
            return
          }
        }
        guard index >= 0 else {
          let name = nodes.text(key) ?? ""
          if !spec.open, !spec.unchecked.contains(name) {
            var hint = "fields here: " + fields.map(\.name).joined(separator: ", ")
            if let suggestion = Suggestions.closest(to: name, among: fields.map(\.name)) {
              hint = "did you mean '\(suggestion)'?"
            }
            report(
              "unknown-field", "unknown field '\(name)'", range(key), hint: hint,
              field: currentPath.appending(key: name))
          }
          continue
        }
        if index < 64 {
          present |= 1 << UInt64(index)
        } else {
          morePresent[index / 64] |= 1 << UInt64(index % 64)
        }
        cursor = index + 1
        // The first of repeated keys, as a lookup by key finds it.
        if table >= 0 { fieldNodes.set(table + index, value) }
        let field = fields[index]
        components.append(.key(field.name))
        checkValue(value, field, key: key)
        components.removeLast()
      }
      // Every required field present (the common case): nothing to look at one by one.
      let required = spec.requiredMask
      if present & required != required || fields.count > 64 {
        for (index, field) in fields.enumerated() where field.required && !isPresent(index) {
          let fieldPath = currentPath
          let where_ = fieldPath.isEmpty ? "the record" : "'\(fieldPath)'"
          let anchor = count > 0 ? range(nodes.firstChild(of: node)) : range(node)
          report(
            "missing-field", "\(where_) has no '\(field.name)', which is required", anchor,
            hint: "add '\(field.name): …'" + (field.title.map { " (\($0))" } ?? ""),
            field: fieldPath.appending(key: field.name))
        }
      }
      if !rules.isEmpty {
        // The object's rules read its fields from the table (nested objects have popped
        // theirs, and nothing pushes while the rules run).
        let entries = fieldNodes.slice(from: table, count: fields.count)
        // Made for the first rule that the fast paths cannot pass: most objects need none.
        var made: EvaluationContext?
        let flag = dereference
        // Evaluated in place, through their boxes (a rule copied out of an array retains
        // its expressions, message and locations); copied only when there is something to
        // report or defer.
        for box in rules {
          if box.passesQuickly(nodes, entries) { continue }
          let context: EvaluationContext
          if let made {
            context = made
          } else {
            let view = view ?? ObjectView(syntax: tree.node(at: node), spec: spec)
            context = EvaluationContext(
              scope: view, record: rootView ?? view, resolve: probe, today: validator.today,
              fields: FieldNodeTable(tree: tree, nodes: entries))
            made = context
          }
          flag.used = false
          let outcome = RuleOutcome.evaluate(box, context)
          if case .passed = outcome { continue }
          record(outcome, of: box.rule, in: tree.node(at: node))
        }
      }
    }

    /// Checks the value at the path on the stack (`key`: its entry's key, or -1 for a
    /// list's item).
    mutating func checkValue(_ node: Int, _ field: FieldSpec, key: Int) {
      // The path and position are made only when a problem is reported: most values are fine.
      if nodes.isNull(node) {
        if field.required {
          report(
            "empty-field", "'\(currentPath)' is required but empty", range(key >= 0 ? key : node),
            hint: "give it a value, or remove the key",
            field: currentPath)
        }
        return
      }
      // By kind first: reading `field.type` copies its settings (an enum's values, a
      // pattern) for every value, and only lists and objects need them here.
      switch field.kind {
      case .list:
        guard case .list(let list) = field.type else { return }
        guard nodes.isSequence(node) else {
          report(
            "wrong-kind", "'\(currentPath)' must be a list", range(node),
            hint: "write one '- item' per line under '\(field.name):'", field: currentPath)
          return
        }
        let count = nodes.count(node)
        if let minimum = list.minItems, count < minimum {
          report(
            "too-few-items",
            "'\(currentPath)' has \(count) item\(count == 1 ? "" : "s"); at least \(minimum) are needed",
            range(key >= 0 ? key : node), field: currentPath)
        }
        if let maximum = list.maxItems, count > maximum {
          report(
            "too-many-items", "'\(currentPath)' has \(count) items; at most \(maximum) are allowed",
            range(key >= 0 ? key : node),
            field: currentPath)
        }
        let checksIdentity = count > 1 && (list.uniqueItems || list.uniqueBy != nil)
        // Lists are short (a customer's contacts): earlier identities are compared one by
        // one, and only long lists hash them. Positions are worked out for repeats only.
        let scans = count <= 16
        var seen: [(identity: String, node: Int)] = []
        var seenTable: [String: Int] = [:]
        var item = nodes.firstChild(of: node)
        for index in 0..<count {
          defer { item = nodes.next(after: item) }
          components.append(.index(index))
          checkValue(item, list.items, key: -1)
          components.removeLast()
          guard checksIdentity else { continue }
          var identityNode: Int?
          if list.uniqueItems, nodes.isScalar(item) {
            identityNode = item
          } else if var uniqueBy = list.uniqueBy, nodes.isMapping(item),
            let keyNode = uniqueBy.withUTF8({ nodes.value(of: item, forKey: $0) }), nodes.isScalar(keyNode)
          {
            identityNode = keyNode
          }
          guard let identityNode, let identity = nodes.text(identityNode) else { continue }
          let first: Int?
          if scans {
            first = seen.first(where: { $0.identity == identity })?.node
            if first == nil, index < count - 1 { seen.append((identity, identityNode)) }
          } else {
            first = seenTable[identity]
            if first == nil { seenTable[identity] = identityNode }
          }
          if let first {
            let what =
              list.uniqueBy.map { "two items of '\(currentPath)' have the same \($0)" }
              ?? "'\(identity)' is listed twice in '\(currentPath)'"
            report(
              "duplicate-item", what, range(identityNode), hint: "remove or merge the duplicate",
              notes: [Diagnostic.Note(message: "first here", path: path, range: range(first))], field: currentPath)
          }
        }
      case .object:
        guard case .object(let object) = field.type else { return }
        guard nodes.isMapping(node) else {
          report(
            "wrong-kind", "'\(currentPath)' must be a mapping of fields", range(node),
            hint: "write 'field: value' lines under it")
          return
        }
        checkObject(node, object)
      default:
        // Most values are fine: check them on their bytes, without making strings (in the
        // source when they are written there, as most are: no closure to call).
        if let bytes = nodes.sourceUTF8(node) {
          if Self.isPlainlyValid(bytes, field) { return }
        } else if nodes.withUTF8(node, { Self.isPlainlyValid($0, field) }) == true {
          return
        }
        guard let text = nodes.text(node) else {
          report(
            "wrong-kind",
            "'\(currentPath)' must be a single \(field.type.name) value, not a \(nodes.isSequence(node) ? "list" : "mapping")",
            range(node), field: currentPath)
          return
        }
        let tree = tree
        let anchorNode = key >= 0 ? key : node
        checkScalar(text, node, field, anchor: tree.node(at: anchorNode).range)
      }
    }

    /// Whether the value is of its field's type and meets its constraints, and nothing
    /// about it needs recording (references, states, unique values are handled by
    /// `checkScalar`). False means: look closer.
    static func isPlainlyValid(_ bytes: UnsafeBufferPointer<UInt8>, _ field: FieldSpec) -> Bool {
      guard !bytes.isEmpty, !field.needsCloserLook else { return false }
      if let maximum = field.maxLength, bytes.count > maximum { return false }
      switch field.kind {
      case .text:
        return !bytes.contains(0x0A)
      case .multiline:
        return true
      case .date:
        guard let date = CivilDate(utf8: bytes) else { return false }
        if field.isBounded {
          if case .date(let minimum)? = field.minimum, date < minimum { return false }
          if case .date(let maximum)? = field.maximum, maximum < date { return false }
        }
        return true
      case .int, .decimal, .money:
        guard let number = ExactDecimal(utf8: bytes) else { return false }
        if field.kind == .int, number.fractionDigits > 0 { return false }
        if field.kind == .money, number.fractionDigits > 2 { return false }
        if field.isBounded {
          if case .number(let minimum)? = field.minimum, number < minimum { return false }
          if case .number(let maximum)? = field.maximum, maximum < number { return false }
        }
        return true
      case .enumeration:
        for value in field.enumBytes where bytes.hasSameBytes(as: value) { return true }
        return false
      case .phone:
        return TypedScalar.isPhone(utf8: bytes)
      case .email:
        return TypedScalar.isEmail(utf8: bytes)
      default:
        return false
      }
    }

    mutating func checkScalar(
      _ text: String, _ node: Int, _ field: FieldSpec, anchor makeAnchor: @autoclosure () -> SourceRange?
    ) {
      // Paths and positions are computed only when needed: most values are fine.
      var anchor: SourceRange? { makeAnchor() }
      if text.isEmpty {
        if field.required {
          report(
            "empty-field", "'\(currentPath)' is required but empty", anchor, hint: "give it a value, or remove the key",
            field: currentPath)
        }
        return
      }
      var value = RuleValue.null
      // Any text is a reference (its id is checked below); no need for its value.
      if field.kind != .reference {
        switch TypedScalar.check(text, type: field.type) {
        case .failure(let problem):
          report(
            problem.code, "'\(currentPath)': \(problem.message)", self.range(node), hint: problem.hint,
            field: currentPath)
          return
        case .success(let typed):
          value = typed
        }
      }
      if field.needsCloserLook, let pattern = field.pattern, !pattern.matches(text) {
        report(
          "pattern-mismatch", "'\(currentPath)': '\(text)' does not match \(pattern.pattern)", self.range(node),
          field: currentPath)
      }
      if field.minLength != nil || field.maxLength != nil,
        !(field.minLength == nil && text.utf8.count <= field.maxLength!)
      {
        let length = text.count
        if let minimum = field.minLength, length < minimum {
          report(
            "too-short", "'\(currentPath)' is \(length) characters long; at least \(minimum) are needed",
            self.range(node),
            field: currentPath)
        }
        if let maximum = field.maxLength, length > maximum {
          report(
            "too-long", "'\(currentPath)' is \(length) characters long; at most \(maximum) are allowed",
            self.range(node),
            field: currentPath)
        }
      }
      if field.isBounded {
        checkBounds(value, field, path: currentPath, range: self.range(node))
      }
      switch field.kind {
      case .reference:
        guard case .reference(let reference) = field.type else { break }
        // A record refers to the same few records again and again (its owner in each
        // follow-up): an id that matched its type's pattern last time matches again.
        let matched: Bool?
        if let last = lastMatchedID, last.id == text, last.type == reference.target {
          matched = true
        } else {
          matched = validator.idMatches(text, ofType: reference.target)
          if matched == true { lastMatchedID = (reference.target, text) }
        }
        if let matches = matched {
          if !matches, let target = validator.schema.type(named: reference.target) {
            report(
              "bad-ref-id", "'\(currentPath)': '\(text)' is not a \(target.name) id", self.range(node),
              hint: "\(target.name) ids match \(target.idPattern.pattern)"
                + (target.idExample.map { ", e.g. \($0)" } ?? ""), field: currentPath)
          } else {
            // Records that refer to others mostly do so several times (an owner, each
            // follow-up's author): one allocation instead of four doublings.
            if summary.references.isEmpty { summary.references.reserveCapacity(8) }
            let place: RecordSummary.ReferenceUse.Place
            // The shape of the last reference field, again (a record's references are mostly
            // its follow-ups' authors).
            let fieldID = ObjectIdentifier(field)
            if lastShape?.field != fieldID { lastShape = (fieldID, validator.referenceShapes[fieldID]) }
            if let shape = lastShape?.shape, let positions = shape.positions(of: components) {
              place = .shaped(shape, positions: positions)
            } else {
              place = .path(currentPath)
            }
            summary.references.append(
              RecordSummary.ReferenceUse(
                place: place, target: reference.target, id: text, range: self.range(node), spec: reference))
            if reference.conditionReadsSource { needsValue = true }
          }
        }
      case .enumeration where field.isState:
        if components.count == 1 {
          summary.states.append(RecordSummary.State(field: field.name, value: text, range: self.range(node)))
        }
      default:
        break
      }
      if field.unique, components.count == 1 {
        summary.uniqueValues.append(RecordSummary.UniqueValue(field: field.name, value: text, range: self.range(node)))
      }
    }

    mutating func checkBounds(_ value: RuleValue, _ field: FieldSpec, path fieldPath: FieldPath, range: SourceRange?) {
      func compare(_ bound: FieldSpec.Bound) -> Int? {
        switch (value, bound) {
        case (.number(let n), .number(let b)): n < b ? -1 : (n == b ? 0 : 1)
        case (.date(let d), .date(let b)): d < b ? -1 : (d == b ? 0 : 1)
        default: nil
        }
      }
      if let minimum = field.minimum, let order = compare(minimum), order < 0 {
        report("too-small", "'\(fieldPath)' is \(value), below the minimum \(minimum)", range, field: fieldPath)
      }
      if let maximum = field.maximum, let order = compare(maximum), order > 0 {
        report("too-large", "'\(fieldPath)' is \(value), above the maximum \(maximum)", range, field: fieldPath)
      }
    }

    /// The field a rule's diagnostic is about: its `path`, else the object.
    func ruleField(_ rule: Rule, _ objectPath: FieldPath) -> FieldPath? {
      if let path = rule.path { return FieldPath(objectPath.components + path.components) }
      return objectPath.isEmpty ? nil : objectPath
    }

    /// Where a rule's diagnostic points: its `path`, else the first field it reads that the
    /// object has, else the object itself.
    func anchor(for rule: Rule, in node: SyntaxNode) -> SourceRange? {
      if let rulePath = rule.path, case .key(let key)? = rulePath.components.first {
        if let entry = node.entries.first(where: { $0.key.hasText(key) }) {
          return entry.value.isNull ? entry.key.range : entry.value.range
        }
      }
      for name in rule.check.names() {
        if let entry = node.entries.first(where: { $0.key.hasText(name) }) { return entry.key.range }
      }
      if let first = node.entries.first(where: { _ in true }) { return first.key.range }
      return node.range
    }

    /// Records what a rule of the object at the path on the stack found (`dereference` says
    /// whether it asked to follow a reference).
    mutating func record(_ outcome: RuleOutcome, of rule: Rule, in node: SyntaxNode) {
      let flag = dereference
      switch outcome {
      case .passed:
        return
      case .unknown:
        if flag.used {
          summary.deferredRules.append(
            RecordSummary.DeferredRule(objectPath: currentPath, rule: rule, range: anchor(for: rule, in: node)))
        }
      case .failed:
        report(
          "rule", rule.message, anchor(for: rule, in: node), hint: rule.ruleHint(type: type),
          severity: rule.severity, field: ruleField(rule, currentPath))
      case .error(let message, let hint):
        report(
          "rule-error", "the rule '\(rule.name ?? rule.check.source)' cannot be checked: \(message)",
          anchor(for: rule, in: node), hint: hint ?? rule.ruleHint(type: type), severity: rule.severity,
          field: ruleField(rule, currentPath))
      }
    }
  }
}

/// The value node of each field of the objects being checked, by the position of the field
/// in its spec (-1: absent), one segment per object on the way down: rules read a field
/// from here instead of scanning the object's keys for it (a customer's rules read ~20
/// fields, and a record-level one scans some 15 keys). Nodes are the tree's indices.
final class FieldNodeStack: @unchecked Sendable {
  // Only touched by the thread checking one record.
  private var storage: UnsafeMutablePointer<Int32>
  private var capacity = 0
  private var count = 0

  init() { storage = UnsafeMutablePointer<Int32>.allocate(capacity: 0) }

  deinit { storage.deallocate() }

  /// Adds a segment of `size` entries, all absent; returns where it starts.
  func push(_ size: Int) -> Int {
    if count + size > capacity {
      let grown = max(64, (count + size) * 2)
      let moved = UnsafeMutablePointer<Int32>.allocate(capacity: grown)
      moved.initialize(from: storage, count: count)
      storage.deallocate()
      storage = moved
      capacity = grown
    }
    (storage + count).initialize(repeating: -1, count: size)
    defer { count += size }
    return count
  }

  /// Sets an entry that is still absent.
  func set(_ entry: Int, _ node: Int) {
    precondition(entry < count)
    if storage[entry] < 0 { storage[entry] = Int32(truncatingIfNeeded: node) }
  }

  /// Removes the segment at `start` and those above it.
  func pop(to start: Int) { count = min(count, start) }

  /// The entries of a segment; valid until the next push.
  func slice(from start: Int, count size: Int) -> UnsafeBufferPointer<Int32> {
    precondition(start + size <= count)
    return UnsafeBufferPointer(start: storage + start, count: size)
  }
}

/// Set when an evaluation asked to follow a reference.
final class DereferenceFlag: @unchecked Sendable {
  // Only touched by the thread evaluating one rule.
  var used = false
}

/// The outcome of a rule on one object.
enum RuleOutcome {
  case passed
  case failed
  /// A value it reads is invalid, or a reference cannot be followed now.
  case unknown
  case error(String, hint: String?)

  static func evaluate(_ rule: Rule, _ context: EvaluationContext) -> RuleOutcome {
    evaluate(RuleBox(rule), context)
  }

  /// Evaluates a boxed rule: its expressions are read in place, where a rule passed by
  /// value is copied whole.
  static func evaluate(_ box: RuleBox, _ context: EvaluationContext) -> RuleOutcome {
    do {
      if box.rule.condition != nil {
        switch try box.rule.condition!.evaluate(in: context) {
        case .bool(true): break
        case .bool(false): return .passed
        case .invalid: return .unknown
        case let other:
          return .error("the 'when' condition must be true or false, but it is \(other.typeName)", hint: nil)
        }
      }
      switch try box.rule.check.evaluate(in: context) {
      case .bool(true): return .passed
      case .bool(false): return .failed
      case .invalid: return .unknown
      case let other:
        return .error(
          "the check must be true or false, but it is \(other.typeName)", hint: "compare the value, e.g. 'x != null'")
      }
    } catch {
      return .error(error.message, hint: error.hint)
    }
  }
}

extension Rule {
  func ruleHint(type: RecordType) -> String {
    "rule \(name.map { "'\($0)'" } ?? "'\(check.source)'") in \(location.path)"
  }
}

extension Expression {
  /// The field names the expression reads directly (not after a `.`), in order.
  func names() -> [String] {
    var result: [String] = []
    func visit(_ node: Node) {
      switch node {
      case .name(let name, _), .field(_, let name, _): if !result.contains(name) { result.append(name) }
      case .member(let base, _, _): visit(base)
      case .list(let items, _): items.forEach(visit)
      case .unary(_, let operand, _): visit(operand)
      case .binary(_, let left, let right, _):
        visit(left)
        visit(right)
      case .call(_, let arguments, _): arguments.forEach(visit)
      case .lambda(_, let body, _): visit(body)
      case .literal: break
      }
    }
    visit(root)
    return result
  }

  /// Whether the expression uses the name `name`.
  func mentions(_ name: String) -> Bool { names().contains(name) }
}
