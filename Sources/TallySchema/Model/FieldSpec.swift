import TallyText

/// Where something is declared in a schema file, for diagnostics.
public struct SchemaLocation: Sendable, Hashable {
  public var path: String
  public var range: SourceRange?

  public init(path: String, range: SourceRange?) {
    self.path = path
    self.range = range
  }
}

/// One field of a record type or of an object: its type and constraints.
///
/// A class, so that looking a field up while checking thousands of records shares it
/// instead of copying it; it is set up by the schema loader and not changed afterwards.
public final class FieldSpec: Sendable {
  public let name: String
  public let type: FieldType
  public let title: String?
  public let description: String?
  public let required: Bool
  /// The text a new record gets for this field (`tally new`).
  public let defaultValue: String?
  public let pattern: SafeRegex?
  public let minimum: Bound?
  public let maximum: Bound?
  public let minLength: Int?
  public let maxLength: Int?
  /// No two records of the type may have the same value.
  public let unique: Bool
  /// For a state field: which changes are allowed from one version of a record to the next.
  public let transitions: Transitions?
  /// For a state field: the values a new record may start with.
  public let initial: [String]?
  /// How a three-way merge treats concurrent changes to the field (`merge:`).
  public let merge: MergeStrategy
  public let location: SchemaLocation
  /// The name's UTF-8 bytes, for comparing with keys without making strings.
  public let utf8Name: [UInt8]

  // Facts the validator reads for every value, worked out once: reading the optional
  // settings themselves copies them (a pattern, a transition table) on each value.
  /// The type without its settings.
  let kind: FieldType.Kind
  /// A value needs more than its type's check: a pattern, a minimum length, uniqueness, or
  /// it is a state (transitions, initial values).
  let needsCloserLook: Bool
  /// The field has a `minimum` or a `maximum`.
  let isBounded: Bool
  /// The field is a state: its values are kept for checking transitions.
  let isState: Bool
  /// An enum's values as UTF-8 bytes (empty for other types).
  let enumBytes: [[UInt8]]

  /// A field's settings while a schema is read.
  public struct Draft: Sendable {
    public var name: String
    public var type: FieldType
    public var title: String?
    public var description: String?
    public var required = false
    public var defaultValue: String?
    public var pattern: SafeRegex?
    public var minimum: Bound?
    public var maximum: Bound?
    public var minLength: Int?
    public var maxLength: Int?
    public var unique = false
    public var transitions: Transitions?
    public var initial: [String]?
    public var merge = MergeStrategy.combine
    public var location: SchemaLocation

    public init(name: String, type: FieldType, location: SchemaLocation) {
      self.name = name
      self.type = type
      self.location = location
    }
  }

  public init(_ draft: Draft) {
    name = draft.name
    type = draft.type
    title = draft.title
    description = draft.description
    required = draft.required
    defaultValue = draft.defaultValue
    pattern = draft.pattern
    minimum = draft.minimum
    maximum = draft.maximum
    minLength = draft.minLength
    maxLength = draft.maxLength
    unique = draft.unique
    transitions = draft.transitions
    initial = draft.initial
    merge = draft.merge
    location = draft.location
    utf8Name = Array(draft.name.utf8)
    kind = draft.type.kind
    isState = draft.transitions != nil || draft.initial != nil
    needsCloserLook = draft.pattern != nil || draft.unique || isState || draft.minLength != nil
    isBounded = draft.minimum != nil || draft.maximum != nil
    if case .enumeration(let values) = draft.type { enumBytes = values.utf8Values } else { enumBytes = [] }
  }

  public convenience init(name: String, type: FieldType, location: SchemaLocation) {
    self.init(Draft(name: name, type: type, location: location))
  }

  /// The field's settings, to change into another field.
  public var draft: Draft {
    var draft = Draft(name: name, type: type, location: location)
    draft.title = title
    draft.description = description
    draft.required = required
    draft.defaultValue = defaultValue
    draft.pattern = pattern
    draft.minimum = minimum
    draft.maximum = maximum
    draft.minLength = minLength
    draft.maxLength = maxLength
    draft.unique = unique
    draft.transitions = transitions
    draft.initial = initial
    draft.merge = merge
    return draft
  }

  /// A lower or upper bound: a number, or a date.
  public enum Bound: Sendable, Hashable, CustomStringConvertible {
    case number(ExactDecimal)
    case date(CivilDate)

    public var description: String {
      switch self {
      case .number(let n): n.description
      case .date(let d): d.description
      }
    }
  }
}

/// The type of a field.
public indirect enum FieldType: Sendable {
  case text
  case multiline
  case int
  case decimal
  case money(currency: String?)
  case percent
  case bool
  case date
  case datetime
  case enumeration(EnumSpec)
  case email
  case phone
  case url
  case reference(ReferenceSpec)
  case list(ListSpec)
  case object(ObjectSpec)

  /// A field type without its settings, to switch on cheaply.
  public enum Kind: UInt8, Sendable {
    case text, multiline, int, decimal, money, percent, bool, date, datetime, enumeration, email, phone, url
    case reference, list, object
  }

  public var kind: Kind {
    switch self {
    case .text: .text
    case .multiline: .multiline
    case .int: .int
    case .decimal: .decimal
    case .money: .money
    case .percent: .percent
    case .bool: .bool
    case .date: .date
    case .datetime: .datetime
    case .enumeration: .enumeration
    case .email: .email
    case .phone: .phone
    case .url: .url
    case .reference: .reference
    case .list: .list
    case .object: .object
    }
  }

  /// The name used in schema files.
  public var name: String {
    switch self {
    case .text: "text"
    case .multiline: "multiline"
    case .int: "int"
    case .decimal: "decimal"
    case .money: "money"
    case .percent: "percent"
    case .bool: "bool"
    case .date: "date"
    case .datetime: "datetime"
    case .enumeration: "enum"
    case .email: "email"
    case .phone: "phone"
    case .url: "url"
    case .reference: "ref"
    case .list: "list"
    case .object: "object"
    }
  }

  public static let scalarNames = [
    "text", "multiline", "int", "decimal", "money", "percent", "bool", "date", "datetime", "enum", "email",
    "phone", "url", "ref",
  ]
  public static let allNames = scalarNames + ["list", "object"]

  /// Whether values of this type are numbers, dates or booleans: a YAML reader's implicit
  /// typing of them is what they mean, so the canonical printer writes them plain.
  public var isTypedScalar: Bool {
    switch self {
    case .int, .decimal, .money, .percent, .bool, .date, .datetime: true
    default: false
    }
  }

  public var isScalar: Bool {
    switch self {
    case .list, .object: false
    default: true
    }
  }
}

/// The values of an enum field, each with an optional display label (e.g. Chinese).
public struct EnumSpec: Sendable {
  public var values: [String] {
    didSet { utf8Values = values.map { Array($0.utf8) } }
  }
  public var labels: [String: String]
  /// The values' UTF-8 bytes, for checking without making strings.
  public private(set) var utf8Values: [[UInt8]]

  public init(values: [String], labels: [String: String]) {
    self.values = values
    self.labels = labels
    self.utf8Values = values.map { Array($0.utf8) }
  }

  public func contains(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    utf8Values.contains { bytes.hasSameBytes(as: $0) }
  }

  public func contains(_ value: String) -> Bool { labels[value] != nil || values.contains(value) }
}

/// A reference to a record of another (or the same) type, by id.
///
/// Its parts live in one shared, immutable object (a change makes a new one): every
/// reference a record makes carries its spec, and a repository has hundreds of thousands.
public struct ReferenceSpec: Sendable {
  /// Immutable: a change makes a new one (specs change only while a schema is read).
  final class Storage: Sendable {
    let target: String
    let condition: Expression?
    /// The condition reads the referring record (`source.team`).
    let conditionReadsSource: Bool
    let conditionMessage: String?
    let conditionLocation: SchemaLocation?
    let acyclic: Bool

    init(
      target: String, condition: Expression? = nil, conditionMessage: String? = nil,
      conditionLocation: SchemaLocation? = nil, acyclic: Bool = false
    ) {
      self.target = target
      self.condition = condition
      self.conditionReadsSource = condition?.mentions("source") ?? false
      self.conditionMessage = conditionMessage
      self.conditionLocation = conditionLocation
      self.acyclic = acyclic
    }
  }

  private var storage: Storage

  /// The identity of this spec's settings (specs are shared, not copied, while checking).
  var identity: ObjectIdentifier { ObjectIdentifier(storage) }

  public init(target: String) {
    storage = Storage(target: target)
  }

  private mutating func change(
    target: String? = nil, condition: Expression?? = nil, conditionMessage: String?? = nil,
    conditionLocation: SchemaLocation?? = nil, acyclic: Bool? = nil
  ) {
    storage = Storage(
      target: target ?? storage.target, condition: condition ?? storage.condition,
      conditionMessage: conditionMessage ?? storage.conditionMessage,
      conditionLocation: conditionLocation ?? storage.conditionLocation, acyclic: acyclic ?? storage.acyclic)
  }

  public var target: String {
    get { storage.target }
    set { change(target: newValue) }
  }

  /// A condition the referenced record must meet (its fields are in scope; `source` is the
  /// referring record).
  public var condition: Expression? {
    get { storage.condition }
    set { change(condition: .some(newValue)) }
  }

  /// Whether the condition reads the referring record (`source.…`).
  public var conditionReadsSource: Bool { storage.conditionReadsSource }

  public var conditionMessage: String? {
    get { storage.conditionMessage }
    set { change(conditionMessage: .some(newValue)) }
  }

  public var conditionLocation: SchemaLocation? {
    get { storage.conditionLocation }
    set { change(conditionLocation: .some(newValue)) }
  }

  /// For references to the same type: following them must never come back (`reports_to`).
  public var acyclic: Bool {
    get { storage.acyclic }
    set { change(acyclic: newValue) }
  }
}

/// A list: its items' spec and constraints.
public struct ListSpec: Sendable {
  public var items: FieldSpec
  public var minItems: Int?
  public var maxItems: Int?
  /// No two items may be equal.
  public var uniqueItems: Bool
  /// For lists of objects: no two items may have the same value of this field.
  public var uniqueBy: String?

  public init(items: FieldSpec) {
    self.items = items
    self.uniqueItems = false
  }
}

/// A record or an object inside one: its fields, whether others are allowed, its rules.
///
/// Its parts live in one shared, immutable object (a change makes a new one), so that the
/// many views and values that carry a spec while records are checked hold one reference.
public struct ObjectSpec: Sendable {
  /// Immutable: a change makes a new one (specs change only while a schema is read), so
  /// reading a part needs no exclusivity check.
  final class Storage: Sendable {
    let fields: [FieldSpec]
    let open: Bool
    /// The rules, with the names of fields resolved to their positions.
    let rules: [Rule]
    /// The same rules, each in a shared box: the validator evaluates them by reference (an
    /// array of structs hands out copies, retaining each rule's expressions and texts).
    let boxedRules: [RuleBox]
    let unchecked: Set<String>
    let index: [String: Int]
    /// Bit `i` set: the field at position `i` is required (the first 64 fields; a record
    /// with more has its later fields looked at one by one).
    let requiredMask: UInt64

    init(fields: [FieldSpec], open: Bool, rules: [Rule], unchecked: Set<String>) {
      self.fields = fields
      self.open = open
      self.rules = Self.resolve(rules, in: fields)
      self.boxedRules = self.rules.map { RuleBox($0, fields: fields) }
      self.unchecked = unchecked
      var index: [String: Int] = [:]
      var requiredMask: UInt64 = 0
      for (position, field) in fields.enumerated() {
        index[field.name] = position
        if field.required, position < 64 { requiredMask |= 1 << UInt64(position) }
      }
      self.index = index
      self.requiredMask = requiredMask
    }

    static func resolve(_ rules: [Rule], in fields: [FieldSpec]) -> [Rule] {
      rules.map { rule in
        var rule = rule
        rule.check = rule.check.resolved(in: fields)
        rule.condition = rule.condition?.resolved(in: fields)
        return rule
      }
    }
  }

  private var storage: Storage

  public init(fields: [FieldSpec], open: Bool = false, rules: [Rule] = [], unchecked: Set<String> = []) {
    storage = Storage(fields: fields, open: open, rules: rules, unchecked: unchecked)
  }

  public var fields: [FieldSpec] {
    get { storage.fields }
    set { storage = Storage(fields: newValue, open: open, rules: rules, unchecked: unchecked) }
  }

  public var open: Bool {
    get { storage.open }
    set { storage = Storage(fields: fields, open: newValue, rules: rules, unchecked: unchecked) }
  }

  /// The rules, boxed (see `Storage.boxedRules`).
  var boxedRules: [RuleBox] { storage.boxedRules }

  public var rules: [Rule] {
    get { storage.rules }
    set { storage = Storage(fields: fields, open: open, rules: newValue, unchecked: unchecked) }
  }

  /// Fields the schema names but whose spec has errors: records may have them, unchecked
  /// (the schema's error is reported instead of one error per record).
  public var unchecked: Set<String> {
    get { storage.unchecked }
    set { storage = Storage(fields: fields, open: open, rules: rules, unchecked: newValue) }
  }

  /// Which of the first 64 fields are required, as bits by position.
  var requiredMask: UInt64 { storage.requiredMask }

  public subscript(name: String) -> FieldSpec? {
    storage.index[name].map { storage.fields[$0] }
  }

  /// The position of a field in the schema (canonical key order).
  public func position(of name: String) -> Int? { storage.index[name] }

  /// The spec of the value at `path`: a field, or a list's item spec after an index.
  public func field(at path: FieldPath) -> FieldSpec? {
    var object = self
    var current: FieldSpec?
    for component in path.components {
      switch component {
      case .key(let key):
        guard let field = object[key] else { return nil }
        current = field
      case .index:
        guard case .list(let list)? = current?.type else { return nil }
        current = list.items
      }
      // Keys after a list name its items' fields (`follow_ups.date`).
      var type = current?.type
      while case .list(let list)? = type { type = list.items.type }
      if case .object(let inner)? = type { object = inner } else { object = ObjectSpec(fields: []) }
    }
    return current
  }
}

/// Which changes of a state field are allowed between two versions of a record.
public struct Transitions: Sendable {
  /// From a value to the values it may change to.
  public var allowed: [String: [String]]
  /// Values every state may change to (`'*': [churned]`).
  public var fromAny: [String]

  public init(allowed: [String: [String]], fromAny: [String]) {
    self.allowed = allowed
    self.fromAny = fromAny
  }

  public func allows(from old: String, to new: String) -> Bool {
    old == new || fromAny.contains(new) || (allowed[old]?.contains(new) ?? false)
  }

  /// The values `old` may change to.
  public func targets(from old: String) -> [String] {
    var result = allowed[old] ?? []
    for value in fromAny where !result.contains(value) && value != old { result.append(value) }
    return result
  }
}

/// A condition on a record or an object, with its own message and severity.
public struct Rule: Sendable {
  public var name: String?
  /// The rule applies only when this holds.
  public var condition: Expression?
  public var check: Expression
  public var message: String
  public var severity: Severity
  /// The field the diagnostic points at.
  public var path: FieldPath?
  public var location: SchemaLocation
  /// Where the `when` condition is, when there is one.
  public var conditionLocation: SchemaLocation?

  public init(check: Expression, message: String, location: SchemaLocation) {
    self.check = check
    self.message = message
    self.severity = .error
    self.location = location
  }
}

/// A rule, shared by reference while records are checked.
final class RuleBox: Sendable {
  let rule: Rule
  /// The check and the condition compiled for their common shapes (see ``RuleFastPath``),
  /// when the rule belongs to an object with these fields and has such a shape.
  let fastCheck: RuleFastPath?
  let fastCondition: RuleFastPath?

  init(_ rule: Rule, fields: [FieldSpec]? = nil) {
    self.rule = rule
    fastCheck = fields.flatMap { RuleFastPath(rule.check, fields: $0) }
    fastCondition = fields.flatMap { fields in rule.condition.flatMap { RuleFastPath($0, fields: fields) } }
  }
}

/// One record type: where its files live, how they are named, and their fields.
public struct RecordType: Sendable {
  public var name: String
  public var title: String?
  /// The directory (relative to the records root) that holds the type's files.
  public var directory: String
  /// Where in ``directory`` each record's file is (`shard:` in the schema; see ``path(of:)``).
  public var layout = RecordLayout.flat
  public var idPattern: SafeRegex
  public var idExample: String?
  public var object: ObjectSpec
  public var version: Int
  /// How a three-way merge treats two branches' changes to one record (`merge: manual`
  /// makes any two concurrent changes a conflict).
  public var merge = MergeStrategy.combine
  public var location: SchemaLocation

  public init(
    name: String, directory: String, idPattern: SafeRegex, object: ObjectSpec, version: Int,
    location: SchemaLocation
  ) {
    self.name = name
    self.directory = directory
    self.idPattern = idPattern
    self.object = object
    self.version = version
    self.location = location
  }

  /// Whether the scalar at `path` has a number, date or boolean type (for the printer).
  public func isTyped(_ path: FieldPath) -> Bool {
    object.field(at: path)?.type.isTypedScalar ?? false
  }
}

extension ObjectSpec {
  /// The spec without the rules and reference conditions declared at `broken` (their
  /// names do not resolve: using them would report on every record instead of once).
  func removing(broken: Set<SchemaLocation>) -> ObjectSpec {
    var copy = self
    copy.rules = rules.filter { rule in
      !broken.contains(rule.location) && !(rule.conditionLocation.map(broken.contains) ?? false)
    }
    copy.fields = fields.map { $0.removing(broken: broken) }
    return copy
  }
}

extension FieldSpec {
  func removing(broken: Set<SchemaLocation>) -> FieldSpec {
    var draft = self.draft
    draft.type = type.removing(broken: broken)
    return FieldSpec(draft)
  }
}

extension FieldType {
  func removing(broken: Set<SchemaLocation>) -> FieldType {
    switch self {
    case .object(let object):
      return .object(object.removing(broken: broken))
    case .list(var list):
      list.items = list.items.removing(broken: broken)
      return .list(list)
    case .reference(var reference):
      if let location = reference.conditionLocation, broken.contains(location) { reference.condition = nil }
      return .reference(reference)
    default:
      return self
    }
  }
}
