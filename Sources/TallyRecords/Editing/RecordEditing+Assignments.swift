import TallySchema
import TallyText

extension RecordEditing {
  /// `field.path=value` from the command line. An empty value, or none (`--unset`), means
  /// "remove the field".
  public struct Assignment: Sendable, Hashable {
    public var path: FieldPath
    /// The value's text; nil removes the field.
    public var text: String?

    public init(path: FieldPath, text: String?) {
      self.path = path
      self.text = text
    }

    /// Reads `path=value` (the value is everything after the first `=`, taken literally).
    public init(parsing argument: String) throws(Problem) {
      guard let equals = argument.firstIndex(of: "=") else {
        throw Problem(
          "'\(argument)' is not an assignment", hint: "write field=value, e.g. status=active or contacts[0].phone=…")
      }
      let name = String(argument[..<equals])
      self.path = try Self.path(name)
      self.text = String(argument[argument.index(after: equals)...])
    }

    /// Reads a field path (`status`, `contacts[0].phone`).
    public static func path(_ text: String) throws(Problem) -> FieldPath {
      guard !text.isEmpty, let path = FieldPath(parsing: text), !path.isEmpty else {
        throw Problem("'\(text)' is not a field path", hint: "write e.g. status, address.city or contacts[0].phone")
      }
      return path
    }
  }

  /// A problem with an argument: a message and what to write instead.
  public struct Problem: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public var hint: String?

    public init(_ message: String, hint: String? = nil) {
      self.message = message
      self.hint = hint
    }

    public var description: String { hint.map { "\(message) (\($0))" } ?? message }
  }

  /// A required field that has no value.
  public struct RequiredField: Sendable {
    /// Its path (relative to the added item for `tally add`).
    public var path: FieldPath
    public var spec: FieldSpec

    public init(path: FieldPath, spec: FieldSpec) {
      self.path = path
      self.spec = spec
    }

    /// What the field takes: its title, type and allowed values
    /// (`客户等级; enum: A 重点客户, B 普通客户, C 一般客户`).
    public var summary: String {
      var parts: [String] = []
      if let title = spec.title { parts.append(title) }
      parts.append(RecordEditing.typeSummary(spec.type))
      return parts.joined(separator: "; ")
    }

    /// The values to ask for when prompting: the field itself, or for an object its
    /// scalar fields (required ones only when it has any), each with whether an answer is
    /// needed.
    public var prompts: [(path: FieldPath, spec: FieldSpec, needed: Bool)] {
      switch spec.type {
      case .object(let object):
        let required = object.fields.filter { $0.required }
        let asked = required.isEmpty ? object.fields.filter { $0.type.isScalar } : required
        return asked.flatMap { field in
          RequiredField(path: path.appending(key: field.name), spec: field).prompts.map {
            ($0.path, $0.spec, $0.needed && !required.isEmpty)
          }
        }
      case .list(let list):
        return RequiredField(path: path.appending(index: 0), spec: list.items).prompts
      default:
        return [(path, spec, true)]
      }
    }
  }

  /// Why an operation did not produce an outcome.
  public enum Failure: Error, Sendable, CustomStringConvertible {
    /// The arguments are wrong (unknown type, field or record; a value of the wrong type):
    /// every problem found. Nothing was changed.
    case usage([Problem])
    /// Required fields have no value (and no default).
    case missing([RequiredField])
    /// The new record's file exists already (its path as shown to the user).
    case exists(String)
    /// The record file to edit is not in the record format.
    case notARecord([Diagnostic], SourceFile)
    /// The outcome has errors and was not written.
    case refused
    /// A file could not be read or written.
    case io(String)

    public var description: String {
      switch self {
      case .usage(let problems): problems.map(\.description).joined(separator: "; ")
      case .missing(let fields):
        "required fields have no value: " + fields.map(\.path.description).joined(separator: ", ")
      case .exists(let path): "\(path) exists already; refusing to overwrite it (change it with 'tally set')"
      case .notARecord(_, let file): "\(file.path) is not in the record format; fix it first"
      case .refused: "the record has errors; nothing was written"
      case .io(let message): message
      }
    }
  }

  // MARK: - Fields and values

  /// The spec of the field at `path` (list indices step into the items).
  func field(at path: FieldPath, in object: ObjectSpec) throws(Problem) -> FieldSpec {
    var object: ObjectSpec? = object
    var current: FieldSpec?
    var walked = FieldPath()
    for component in path.components {
      switch component {
      case .key(let key):
        guard let spec = object else {
          throw Problem(
            "'\(walked)' is a single \(current?.type.name ?? "value"), it has no field '\(key)'",
            hint: current == nil ? nil : "set it with \(walked)=VALUE")
        }
        if spec[key] == nil, spec.open || spec.unchecked.contains(key) {
          // A field the schema allows without describing it: any text.
          current = FieldSpec(name: key, type: .text, location: SchemaLocation(path: "", range: nil))
          walked = walked.appending(component)
          object = nil
          continue
        }
        guard let field = spec[key] else {
          let names = spec.fields.map(\.name)
          let place = walked.isEmpty ? "" : " in '\(walked.withoutIndices)'"
          var hint = "fields: " + names.joined(separator: ", ")
          if let suggestion = Suggestions.closest(to: key, among: names) { hint = "did you mean '\(suggestion)'?" }
          throw Problem("unknown field '\(key)'\(place)", hint: hint)
        }
        current = field
      case .index:
        guard case .list(let list)? = current?.type else {
          throw Problem("'\(walked)' is not a list", hint: "remove the [index]")
        }
        current = list.items
      }
      walked = walked.appending(component)
      if case .object(let inner)? = current?.type { object = inner } else { object = nil }
    }
    guard let current else { throw Problem("no field given") }
    return current
  }

  /// The value `text` gives the field, checked against its type: a number, a real date,
  /// one of the enum's values, an existing record for a reference.
  func scalarValue(_ text: String, for field: FieldSpec, at path: FieldPath) throws(Problem) -> Value {
    switch field.type {
    case .list:
      throw Problem(
        "'\(path)' is a list", hint: "add an item with 'tally add', or set one item's value: \(path)[0]=VALUE")
    case .object(let object):
      let example = object.fields.first.map { "\(path).\($0.name)=VALUE" } ?? "\(path).FIELD=VALUE"
      throw Problem("'\(path)' is a group of fields", hint: "set them one by one, e.g. \(example)")
    case .enumeration(let spec):
      guard spec.values.contains(text) else {
        var hint = "allowed: " + Self.enumValues(spec)
        if let (value, _) = spec.labels.first(where: { $0.value == text }) {
          hint = "'\(text)' is the label of '\(value)': write \(value); " + hint
        } else if let suggestion = Suggestions.closest(to: text, among: spec.values) {
          hint = "did you mean '\(suggestion)'? " + hint
        }
        throw Problem("'\(path)': '\(text)' is not one of the allowed values", hint: hint)
      }
    case .reference(let reference):
      guard let target = repository.schema.type(named: reference.target) else { break }
      guard target.idPattern.matches(text) else {
        throw Problem(
          "'\(path)': '\(text)' is not a \(target.name) id",
          hint: "\(target.name) ids match \(target.idPattern.pattern)" + (target.idExample.map { ", e.g. \($0)" } ?? "")
        )
      }
      guard hasFile(target.path(of: text)) else {
        var hint = "create \(target.path(of: text)) first, or correct the id"
        // Only a record the reference may name: its condition holds for it.
        if let suggestion = Suggestions.closest(
          to: text, among: existingIDs(of: target), maxDistance: 1,
          accepting: {
            admits(reference, id: $0, of: target)
          })
        {
          hint = "did you mean \(suggestion)?"
        }
        throw Problem("'\(path)': there is no \(target.name) '\(text)'", hint: hint)
      }
    default:
      if case .failure(let problem) = TypedScalar.check(text, type: field.type) {
        throw Problem("'\(path)': \(problem.message)", hint: problem.hint)
      }
    }
    return .text(text)
  }

  /// Whether the record `id` of `type` in the base meets the condition of `reference`
  /// (true when it has none; false when it cannot be read or the condition cannot be
  /// evaluated without the referring record).
  public func admits(_ reference: ReferenceSpec, id: String, of type: RecordType) -> Bool {
    guard reference.condition != nil else { return true }
    let file = type.path(of: id)
    guard let bytes = try? self.bytes(at: file), let value = SyntaxTree.parse(bytes).tree?.value else { return false }
    return SetValidator(schema: repository.schema, today: today).admits(reference, target: value, id: id)
  }

  /// What is wrong with `text` as the value of a required field (nil when it fits), to
  /// ask again while prompting.
  public func problem(with text: String, for field: RequiredField) -> Problem? {
    do {
      _ = try scalarValue(text, for: field.spec, at: field.path)
      return nil
    } catch {
      return error
    }
  }

  /// `A (重点客户), B (普通客户)`: an enum's values with their labels.
  static func enumValues(_ spec: EnumSpec) -> String {
    spec.values.map { value in spec.labels[value].map { "\(value) (\($0))" } ?? value }.joined(separator: ", ")
  }

  /// A field type in words, for prompts and messages.
  static func typeSummary(_ type: FieldType) -> String {
    switch type {
    case .enumeration(let spec):
      return "one of " + enumValues(spec)
    case .reference(let reference):
      return "the id of a \(reference.target)"
    case .date:
      return "a date, YYYY-MM-DD"
    case .datetime:
      return "a date and time, e.g. 2026-03-02T10:30"
    case .money:
      return "an amount, e.g. 12800.00"
    case .bool:
      return "true or false"
    case .list(let list):
      return "a list of \(typeSummary(list.items.type))"
    case .object(let object):
      return "fields " + object.fields.map(\.name).joined(separator: ", ")
    default:
      return type.name
    }
  }

  // MARK: - Building values

  /// `value` with `newValue` at `path`: mappings are created on the way, and an index one
  /// past the end of a list adds an item.
  static func assign(_ newValue: Value, at path: FieldPath, in value: Value) throws(Problem) -> Value {
    try assign(newValue, at: path.components[...], in: value, walked: FieldPath())
  }

  static func assign(
    _ newValue: Value, at path: ArraySlice<FieldPath.Component>, in value: Value, walked: FieldPath
  ) throws(Problem) -> Value {
    guard let component = path.first else { return newValue }
    let rest = path.dropFirst()
    let here = walked.appending(component)
    switch component {
    case .key(let key):
      var pairs: [Value.Pair]
      switch value {
      case .mapping(let existing): pairs = existing
      case .null: pairs = []
      default: throw Problem("'\(walked)' is a single value, it has no field '\(key)'")
      }
      if let index = pairs.firstIndex(where: { $0.key == key }) {
        pairs[index].value = try assign(newValue, at: rest, in: pairs[index].value, walked: here)
      } else {
        pairs.append(Value.Pair(key: key, value: try assign(newValue, at: rest, in: .null, walked: here)))
      }
      return .mapping(pairs)
    case .index(let index):
      var items: [Value]
      switch value {
      case .sequence(let existing): items = existing
      case .null: items = []
      default: throw Problem("'\(walked)' is not a list")
      }
      if index < items.count {
        items[index] = try assign(newValue, at: rest, in: items[index], walked: here)
      } else if index == items.count {
        items.append(try assign(newValue, at: rest, in: .null, walked: here))
      } else {
        throw Problem(
          "'\(here)' skips items: '\(walked)' has \(items.count) so far",
          hint: "the next item is \(walked)[\(items.count)]")
      }
      return .sequence(items)
    }
  }

  /// `value` with the schema's defaults for the fields it does not have, in it and in the
  /// objects and list items it holds.
  static func fillingDefaults(_ value: Value, spec: ObjectSpec) -> Value {
    guard case .mapping(var pairs) = value else { return value }
    for index in pairs.indices {
      guard let field = spec[pairs[index].key] else { continue }
      pairs[index].value = fillingDefaults(pairs[index].value, type: field.type)
    }
    for field in spec.fields where field.defaultValue != nil && !pairs.contains(where: { $0.key == field.name }) {
      pairs.append(Value.Pair(key: field.name, value: .text(field.defaultValue!)))
    }
    return .mapping(pairs)
  }

  static func fillingDefaults(_ value: Value, type: FieldType) -> Value {
    switch (type, value) {
    case (.object(let object), .mapping):
      return fillingDefaults(value, spec: object)
    case (.list(let list), .sequence(let items)):
      return .sequence(items.map { fillingDefaults($0, type: list.items.type) })
    default:
      return value
    }
  }

  /// `value` with its keys in schema order (unknown keys last, in their order).
  static func ordered(_ value: Value, spec: ObjectSpec) -> Value {
    guard case .mapping(let pairs) = value else { return value }
    let sorted = pairs.enumerated().sorted { a, b in
      let pa = spec.position(of: a.element.key) ?? Int.max
      let pb = spec.position(of: b.element.key) ?? Int.max
      return (pa, a.offset) < (pb, b.offset)
    }
    return .mapping(
      sorted.map { entry in
        var pair = entry.element
        if let field = spec[pair.key] { pair.value = ordered(pair.value, type: field.type) }
        return pair
      })
  }

  static func ordered(_ value: Value, type: FieldType) -> Value {
    switch (type, value) {
    case (.object(let object), .mapping):
      return ordered(value, spec: object)
    case (.list(let list), .sequence(let items)):
      return .sequence(items.map { ordered($0, type: list.items.type) })
    default:
      return value
    }
  }

  /// The required fields that `value` lacks (or has empty), in it and in the objects and
  /// list items it holds.
  static func missingRequired(in value: Value, spec: ObjectSpec, at path: FieldPath) -> [RequiredField] {
    var result: [RequiredField] = []
    for field in spec.fields {
      let here = path.appending(key: field.name)
      let fieldValue = value[field.name]
      let empty: Bool
      switch fieldValue {
      case nil, .null?: empty = true
      case .scalar(let text, _)?: empty = text.isEmpty
      default: empty = false
      }
      if empty {
        if field.required { result.append(RequiredField(path: here, spec: field)) }
        continue
      }
      switch (field.type, fieldValue) {
      case (.object(let object), let inner?):
        result += missingRequired(in: inner, spec: object, at: here)
      case (.list(let list), .sequence(let items)?):
        guard case .object(let object) = list.items.type else { continue }
        for (index, item) in items.enumerated() {
          result += missingRequired(in: item, spec: object, at: here.appending(index: index))
        }
      default:
        break
      }
    }
    return result
  }

  /// Every scalar (and empty value) in `value`, with its path.
  static func leaves(of value: Value, at path: FieldPath) -> [(FieldPath, Value)] {
    switch value {
    case .mapping(let pairs):
      return pairs.flatMap { leaves(of: $0.value, at: path.appending(key: $0.key)) }
    case .sequence(let items):
      return items.enumerated().flatMap { leaves(of: $0.element, at: path.appending(index: $0.offset)) }
    default:
      return [(path, value)]
    }
  }
}
