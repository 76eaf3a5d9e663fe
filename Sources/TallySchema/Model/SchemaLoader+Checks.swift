import TallyText

/// A check of a schema that needs every type to be known: reference targets, and the names
/// used in rules and `where` conditions.
struct PendingCheck: Sendable {
  enum Kind: Sendable {
    case referenceTarget(target: String, acyclic: Bool)
    case referenceCondition(target: String)
    case rule
    case rulePath(FieldPath)
  }

  var kind: Kind
  /// The fields leading to the object the check belongs to (empty: the record).
  var owner: [String]
  var expression: Expression?
  var location: SchemaLocation
  var path: String
  var typeName: String

  /// What an expression's parts are, as far as names go.
  indirect enum Shape {
    case object(ObjectSpec, recordType: String?)
    case reference(String)
    case list(Shape)
    case value
    case unknown
  }

  func diagnostic(_ code: String, _ message: String, hint: String? = nil) -> Diagnostic {
    Diagnostic(.error, code: code, message: message, path: path, range: location.range, hint: hint)
  }

  func run(in set: SchemaSet) -> [Diagnostic] {
    guard let type = set.type(named: typeName) else { return [] }
    let scope = Self.object(at: owner, in: type.object) ?? ObjectSpec(fields: [], open: true)
    switch kind {
    case .referenceTarget(let target, let acyclic):
      guard set.type(named: target) != nil else {
        let names = set.types.map(\.name)
        var hint = "types: " + names.joined(separator: ", ")
        if let suggestion = Suggestions.closest(to: target, among: names) { hint = "did you mean '\(suggestion)'?" }
        return [diagnostic("schema-unknown-ref", "there is no record type '\(target)'", hint: hint)]
      }
      if acyclic, target != typeName {
        return [
          diagnostic(
            "schema-bad-value", "'acyclic' applies to references to the same type; this one refers to '\(target)'")
        ]
      }
      return []
    case .referenceCondition(let target):
      guard let targetType = set.type(named: target), let expression else { return [] }
      var problems: [Diagnostic] = []
      check(
        expression.root, expression, scope: .object(targetType.object, recordType: target), locals: [:],
        source: .object(type.object, recordType: typeName), record: .object(targetType.object, recordType: target),
        set: set, problems: &problems)
      return problems
    case .rule:
      guard let expression else { return [] }
      var problems: [Diagnostic] = []
      check(
        expression.root, expression, scope: .object(scope, recordType: owner.isEmpty ? typeName : nil), locals: [:],
        source: nil, record: .object(type.object, recordType: typeName), set: set, problems: &problems)
      return problems
    case .rulePath(let fieldPath):
      if scope.field(at: fieldPath) == nil {
        var hint: String?
        if case .key(let key)? = fieldPath.components.first,
          let suggestion = Suggestions.closest(to: key, among: scope.fields.map(\.name))
        {
          hint = "did you mean '\(suggestion)'?"
        }
        return [diagnostic("schema-unknown-name", "the rule's path '\(fieldPath)' is not a field here", hint: hint)]
      }
      return []
    }
  }

  /// The object spec at `owner` (list items' objects included).
  static func object(at owner: [String], in root: ObjectSpec) -> ObjectSpec? {
    var current = root
    for name in owner {
      guard var type = current[name]?.type else { return nil }
      while case .list(let list) = type { type = list.items.type }
      guard case .object(let inner) = type else { return nil }
      current = inner
    }
    return current
  }

  static func shape(of type: FieldType) -> Shape {
    switch type {
    case .list(let list): .list(shape(of: list.items.type))
    case .object(let object): .object(object, recordType: nil)
    case .reference(let reference): .reference(reference.target)
    default: .value
    }
  }

  @discardableResult
  func check(
    _ node: Expression.Node, _ expression: Expression, scope: Shape, locals: [String: Shape], source: Shape?,
    record: Shape, set: SchemaSet, problems: inout [Diagnostic]
  ) -> Shape {
    // Its problems are reported as it goes: callers that only walk a part drop the shape.
    @discardableResult
    func recurse(_ child: Expression.Node, locals: [String: Shape] = locals) -> Shape {
      check(
        child, expression, scope: scope, locals: locals, source: source, record: record, set: set, problems: &problems)
    }
    func problem(_ message: String, _ span: Expression.Span, hint: String? = nil) {
      var diagnostic = diagnostic("schema-unknown-name", message, hint: hint)
      if let range = location.range {
        diagnostic.range = SourceRange(
          start: SourcePosition(
            offset: range.start.offset + span.start, line: range.start.line, column: range.start.column + span.start),
          end: SourcePosition(
            offset: range.start.offset + span.end, line: range.start.line, column: range.start.column + span.end))
      }
      problems.append(diagnostic)
    }
    func field(_ name: String, in shape: Shape, span: Expression.Span, describing what: String) -> Shape {
      switch shape {
      case .object(let object, let recordType):
        if let field = object[name] { return Self.shape(of: field.type) }
        if name == "id", recordType != nil { return .value }
        if object.open || object.unchecked.contains(name) { return .unknown }
        var hint = "fields: " + object.fields.map(\.name).joined(separator: ", ")
        if let suggestion = Suggestions.closest(to: name, among: object.fields.map(\.name)) {
          hint = "did you mean '\(suggestion)'?"
        }
        problem("'\(name)' is not a field of \(what)", span, hint: hint)
        return .unknown
      case .reference(let target):
        guard let type = set.type(named: target) else { return .unknown }
        return field(name, in: .object(type.object, recordType: target), span: span, describing: "\(target)")
      case .list:
        problem(
          "'\(name)': a list has no fields", span, hint: "look into its items with all(list, x => x.\(name) ...)")
        return .unknown
      case .value:
        problem("'\(name)': a single value has no fields", span)
        return .unknown
      case .unknown:
        return .unknown
      }
    }
    switch node {
    case .literal:
      return .value
    case .name(let name, let span), .field(_, let name, let span):
      if let local = locals[name] { return local }
      if name == "record" { return record }
      if name == "source", let source { return source }
      return field(name, in: scope, span: span, describing: "this \(owner.isEmpty ? "record" : "object")")
    case .member(let base, let name, let span):
      let baseShape = recurse(base)
      let nameSpan = Expression.Span(start: span.end - name.count, end: span.end)
      return field(name, in: baseShape, span: nameSpan, describing: "'\(expression.text(base.span))'")
    case .list(let items, _):
      for item in items { recurse(item) }
      return .value
    case .unary(_, let operand, _):
      recurse(operand)
      return .value
    case .binary(_, let left, let right, _):
      recurse(left)
      recurse(right)
      return .value
    case .call(_, let arguments, _):
      var itemShape: Shape = .unknown
      for (index, argument) in arguments.enumerated() {
        if case .lambda(let parameter, let body, _) = argument {
          var inner = locals
          inner[parameter] = itemShape
          recurse(body, locals: inner)
        } else {
          let shape = recurse(argument)
          if index == 0, case .list(let items) = shape { itemShape = items }
        }
      }
      return .value
    case .lambda(_, let body, _):
      recurse(body)
      return .value
    }
  }
}
