import TallyText

/// Why a rule could not be evaluated (a null in a comparison, mismatched types): reported as
/// a diagnostic, never a crash.
public struct EvaluationError: Error, Sendable {
  public var message: String
  public var hint: String?
}

/// What rules can see while they are evaluated.
///
/// A shared, immutable object: evaluation passes it down every node of an expression, and a
/// struct of views, a closure and the locals would be copied (a dozen reference counts) on
/// the way. A lambda's parameter makes a new context (``binding(_:to:)``).
public final class EvaluationContext: Sendable {
  /// The object whose fields bare names refer to (the record, a list item, or, in a
  /// reference's `where`, the referenced record).
  public let scope: ObjectView
  /// The whole record (`record.field`).
  public let record: ObjectView
  /// The referring record, in a reference's `where` (`source.field`).
  public let source: ObjectView?
  /// Looks up a referenced record for `a.b` on a reference (nil: cannot, e.g. while
  /// checking one record alone).
  public let resolve: (@Sendable (_ type: String, _ id: String) -> ObjectView?)?
  public let today: CivilDate
  let locals: [(String, RuleValue)]
  /// Where the scope's fields are, when the validator knows (see ``FieldNodeTable``).
  let fields: FieldNodeTable?

  public convenience init(
    scope: ObjectView, record: ObjectView, source: ObjectView? = nil,
    resolve: (@Sendable (String, String) -> ObjectView?)? = nil, today: CivilDate
  ) {
    self.init(scope: scope, record: record, source: source, resolve: resolve, today: today, fields: nil)
  }

  init(
    scope: ObjectView, record: ObjectView, source: ObjectView? = nil,
    resolve: (@Sendable (String, String) -> ObjectView?)? = nil, today: CivilDate, fields: FieldNodeTable?
  ) {
    self.scope = scope
    self.record = record
    self.source = source
    self.resolve = resolve
    self.today = today
    self.locals = []
    self.fields = fields
  }

  private init(_ other: EvaluationContext, locals: [(String, RuleValue)]) {
    scope = other.scope
    record = other.record
    source = other.source
    resolve = other.resolve
    today = other.today
    fields = other.fields
    self.locals = locals
  }

  /// The same context with `name` bound to `value` (a lambda's parameter).
  func binding(_ name: String, to value: RuleValue) -> EvaluationContext {
    EvaluationContext(self, locals: locals + [(name, value)])
  }
}

extension Expression {
  /// Evaluates the expression.
  ///
  /// - Returns: The value; `.invalid` when it reads a value that failed its own field check
  ///   or a reference that cannot be followed (so the rule says nothing).
  /// - Throws: ``EvaluationError`` when the expression cannot be evaluated on these values.
  public func evaluate(in context: EvaluationContext) throws(EvaluationError) -> RuleValue {
    try evaluate(root, context)
  }

  func evaluate(_ node: Node, _ context: EvaluationContext) throws(EvaluationError) -> RuleValue {
    switch node {
    case .literal(let literal, _):
      switch literal {
      case .null: return .null
      case .bool(let b): return .bool(b)
      case .number(let n): return .number(n)
      case .text(let t): return .text(t)
      }
    case .name(let name, _):
      if let local = context.locals.last(where: { $0.0 == name }) { return local.1 }
      switch name {
      case "record": return .object(context.record)
      case "source":
        if let source = context.source { return .object(source) }
      case "id":
        if context.scope.spec["id"] == nil, let id = context.scope.id ?? context.record.id { return .text(id) }
      default:
        break
      }
      return context.scope.field(name)
    case .field(let position, let name, _):
      return context.scope.field(at: position, name, nodes: context.fields)
    case .member(let base, let name, let span):
      let value = try evaluate(base, context)
      return try member(value, name, span, context)
    case .list(let items, _):
      var values: [RuleValue] = []
      for item in items {
        let value = try evaluate(item, context)
        if case .invalid = value { return .invalid }
        values.append(value)
      }
      return .list(values)
    case .unary(let op, let operand, _):
      let value = try evaluate(operand, context)
      switch (op, value) {
      case (_, .invalid): return .invalid
      case (.not, .bool(let b)): return .bool(!b)
      case (.negate, .number(let n)): return .number(ExactDecimal(units: -n.units, scale: n.scale))
      case (.not, _):
        throw EvaluationError(message: "'not' needs true or false, but \(describe(operand, value))")
      case (.negate, _):
        throw EvaluationError(message: "'-' needs a number, but \(describe(operand, value))")
      }
    case .binary(let op, let left, let right, _):
      return try binary(op, left, right, context)
    case .call(let name, let arguments, _):
      return try call(name, arguments, context)
    case .lambda:
      throw EvaluationError(message: "a function (x => ...) can only be an argument")
    }
  }

  /// `value.name`: a field of an object, or of the record a reference points to.
  func member(_ value: RuleValue, _ name: String, _ span: Span, _ context: EvaluationContext) throws(EvaluationError)
    -> RuleValue
  {
    switch value {
    case .null:
      return .null
    case .invalid:
      return .invalid
    case .object(let object):
      if name == "id", object.spec["id"] == nil, let id = object.id { return .text(id) }
      return object.field(name)
    case .reference(let type, let id):
      if name == "id" { return .text(id) }
      guard let resolve = context.resolve, let target = resolve(type, id) else { return .invalid }
      return target.field(name)
    default:
      throw EvaluationError(message: "'\(text(span))': a \(value.typeName) has no field '\(name)'")
    }
  }

  func describe(_ node: Node, _ value: RuleValue) -> String {
    let source = text(node.span)
    switch value {
    case .null: return "'\(source)' is empty"
    default: return "'\(source)' is \(value.typeName) \(value)"
    }
  }

  func truth(_ node: Node, _ context: EvaluationContext, _ op: String) throws(EvaluationError) -> Bool? {
    let value = try evaluate(node, context)
    switch value {
    case .bool(let b): return b
    case .invalid: return nil
    case .null:
      throw EvaluationError(
        message: "'\(op)' needs true or false, but '\(text(node.span))' is empty",
        hint: "compare it first, e.g. '\(text(node.span)) != null'")
    default:
      throw EvaluationError(message: "'\(op)' needs true or false, but \(describe(node, value))")
    }
  }

  func binary(_ op: BinaryOperator, _ left: Node, _ right: Node, _ context: EvaluationContext) throws(EvaluationError)
    -> RuleValue
  {
    switch op {
    case .and:
      guard let a = try truth(left, context, "and") else { return .invalid }
      if !a { return .bool(false) }
      guard let b = try truth(right, context, "and") else { return .invalid }
      return .bool(b)
    case .or:
      guard let a = try truth(left, context, "or") else { return .invalid }
      if a { return .bool(true) }
      guard let b = try truth(right, context, "or") else { return .invalid }
      return .bool(b)
    case .implies:
      guard let a = try truth(left, context, "implies") else { return .invalid }
      if !a { return .bool(true) }
      guard let b = try truth(right, context, "implies") else { return .invalid }
      return .bool(b)
    default:
      break
    }
    let a = try evaluate(left, context)
    let b = try evaluate(right, context)
    if case .invalid = a { return .invalid }
    if case .invalid = b { return .invalid }
    switch op {
    case .equal:
      return .bool(try equal(a, b, left, right))
    case .notEqual:
      return .bool(!(try equal(a, b, left, right)))
    case .less, .lessOrEqual, .greater, .greaterOrEqual:
      let order = try compare(a, b, left, right, op.rawValue)
      switch op {
      case .less: return .bool(order < 0)
      case .lessOrEqual: return .bool(order <= 0)
      case .greater: return .bool(order > 0)
      default: return .bool(order >= 0)
      }
    case .in, .notIn:
      let found: Bool
      switch b {
      case .list(let items):
        var hit = false
        for item in items where (try? equal(a, item, left, right)) == true {
          hit = true
          break
        }
        found = hit
      case .null:
        found = false
      case .text(let haystack):
        guard case .text(let needle) = a else {
          throw EvaluationError(message: "'in' a text needs text on the left, but \(describe(left, a))")
        }
        found = haystack.contains(needle)
      default:
        throw EvaluationError(message: "'in' needs a list on the right, but \(describe(right, b))")
      }
      return .bool(op == .in ? found : !found)
    case .add, .subtract, .multiply, .divide:
      return try arithmetic(op, a, b, left, right)
    default:
      return .invalid
    }
  }

  func equal(_ a: RuleValue, _ b: RuleValue, _ left: Node, _ right: Node) throws(EvaluationError) -> Bool {
    switch (a, b) {
    case (.null, .null): return true
    case (.null, _), (_, .null): return false
    case (.bool(let x), .bool(let y)): return x == y
    case (.number(let x), .number(let y)): return x == y
    case (.text(let x), .text(let y)): return x == y
    case (.date(let x), .date(let y)): return x == y
    case (.dateTime(let x), .dateTime(let y)): return x.epochSeconds() == y.epochSeconds()
    case (.reference(let t1, let x), .reference(let t2, let y)): return t1 == t2 && x == y
    case (.reference(_, let x), .text(let y)), (.text(let y), .reference(_, let x)): return x == y
    case (.list(let x), .list(let y)):
      guard x.count == y.count else { return false }
      for (p, q) in zip(x, y) where !(try equal(p, q, left, right)) { return false }
      return true
    default:
      throw EvaluationError(
        message: "cannot compare \(a.typeName) with \(b.typeName): '\(text(left.span))' and '\(text(right.span))'",
        hint: "a date compares with a date, a number with a number, text with text")
    }
  }

  func compare(_ a: RuleValue, _ b: RuleValue, _ left: Node, _ right: Node, _ op: String) throws(EvaluationError)
    -> Int
  {
    switch (a, b) {
    case (.number(let x), .number(let y)): return x < y ? -1 : (x == y ? 0 : 1)
    case (.date(let x), .date(let y)): return x < y ? -1 : (x == y ? 0 : 1)
    case (.dateTime(let x), .dateTime(let y)):
      let p = x.epochSeconds()
      let q = y.epochSeconds()
      return p < q ? -1 : (p == q ? 0 : 1)
    case (.text(let x), .text(let y)): return x < y ? -1 : (x == y ? 0 : 1)
    case (.null, _):
      throw EvaluationError(
        message: "cannot compare with '\(op)': '\(text(left.span))' is empty",
        hint: "guard the rule: '\(text(left.span)) == null or ...'")
    case (_, .null):
      throw EvaluationError(
        message: "cannot compare with '\(op)': '\(text(right.span))' is empty",
        hint: "guard the rule: '\(text(right.span)) == null or ...'")
    default:
      throw EvaluationError(
        message:
          "cannot compare \(a.typeName) with \(b.typeName) using '\(op)': '\(text(left.span))' and '\(text(right.span))'"
      )
    }
  }

  func arithmetic(_ op: BinaryOperator, _ a: RuleValue, _ b: RuleValue, _ left: Node, _ right: Node)
    throws(EvaluationError) -> RuleValue
  {
    switch (op, a, b) {
    case (.add, .number(let x), .number(let y)):
      if let r = x.adding(y) { return .number(r) }
    case (.subtract, .number(let x), .number(let y)):
      if let r = x.subtracting(y) { return .number(r) }
    case (.multiply, .number(let x), .number(let y)):
      if let r = x.multiplied(by: y) { return .number(r) }
    case (.divide, .number(let x), .number(let y)):
      guard y != .zero else { throw EvaluationError(message: "division by zero: '\(text(right.span))' is 0") }
      if let r = x.divided(by: y, scale: 6) { return .number(r) }
    case (.add, .date(let d), .number(let n)), (.add, .number(let n), .date(let d)):
      return .date(d.adding(days: Int(n.doubleValue.rounded())))
    case (.subtract, .date(let d), .number(let n)):
      return .date(d.adding(days: -Int(n.doubleValue.rounded())))
    case (.subtract, .date(let x), .date(let y)):
      return .number(ExactDecimal(x.dayNumber - y.dayNumber))
    case (_, .null, _), (_, _, .null):
      let empty = a.isNull ? left : right
      throw EvaluationError(message: "'\(op.rawValue)' with an empty value: '\(text(empty.span))' is empty")
    default:
      throw EvaluationError(
        message:
          "'\(op.rawValue)' cannot combine \(a.typeName) and \(b.typeName): '\(text(left.span))', '\(text(right.span))'"
      )
    }
    throw EvaluationError(message: "the result of '\(op.rawValue)' is too large")
  }

  func listArgument(_ node: Node, _ context: EvaluationContext, _ function: String) throws(EvaluationError)
    -> [RuleValue]?
  {
    let value = try evaluate(node, context)
    switch value {
    case .list(let items): return items
    case .null: return []
    case .invalid: return nil
    default:
      throw EvaluationError(message: "\(function) needs a list, but \(describe(node, value))")
    }
  }

  /// Evaluates a lambda argument for one item.
  func apply(_ lambda: Node, to item: RuleValue, _ context: EvaluationContext) throws(EvaluationError) -> RuleValue {
    guard case .lambda(let parameter, let body, _) = lambda else { return try evaluate(lambda, context) }
    return try evaluate(body, context.binding(parameter, to: item))
  }

  func call(_ name: String, _ arguments: [Node], _ context: EvaluationContext) throws(EvaluationError) -> RuleValue {
    switch name {
    case "len":
      let value = try evaluate(arguments[0], context)
      switch value {
      case .list(let items): return .number(ExactDecimal(items.count))
      case .text(let t): return .number(ExactDecimal(t.count))
      case .null: return .number(.zero)
      case .invalid: return .invalid
      default: throw EvaluationError(message: "len needs a list or text, but \(describe(arguments[0], value))")
      }
    case "count", "all", "any":
      guard let items = try listArgument(arguments[0], context, name) else { return .invalid }
      if arguments.count == 1 { return .number(ExactDecimal(items.count)) }
      var matched = 0
      for item in items {
        let result = try apply(arguments[1], to: item, context)
        switch result {
        case .bool(true): matched += 1
        case .bool(false): break
        case .invalid: return .invalid
        default:
          throw EvaluationError(message: "the condition in \(name) must be true or false, but it is \(result.typeName)")
        }
        if name == "any", matched > 0 { return .bool(true) }
        if name == "all", matched == 0 { return .bool(false) }
        if name == "all" { matched = 0 }
      }
      switch name {
      case "all": return .bool(true)
      case "any": return .bool(false)
      default: return .number(ExactDecimal(matched))
      }
    case "sum", "min", "max":
      guard let items = try listArgument(arguments[0], context, name) else { return .invalid }
      var result: RuleValue = name == "sum" ? .number(.zero) : .null
      for item in items {
        let value = arguments.count == 2 ? try apply(arguments[1], to: item, context) : item
        switch (value, result) {
        case (.invalid, _): return .invalid
        case (.null, _): continue
        case (.number(let n), .number(let total)) where name == "sum":
          guard let sum = total.adding(n) else { throw EvaluationError(message: "the sum is too large") }
          result = .number(sum)
        case (.number, .null), (.date, .null): result = value
        case (.number(let n), .number(let m)): result = .number((name == "min") == (n < m) ? n : m)
        case (.date(let n), .date(let m)): result = .date((name == "min") == (n < m) ? n : m)
        default:
          throw EvaluationError(
            message: "\(name) needs numbers\(name == "sum" ? "" : " or dates"), not \(value.typeName)")
        }
      }
      return result
    case "exists":
      let value = try evaluate(arguments[0], context)
      if case .invalid = value { return .invalid }
      return .bool(!value.isNull)
    case "str":
      let value = try evaluate(arguments[0], context)
      switch value {
      case .text(let t): return .text(t)
      case .number(let n): return .text(n.description)
      case .date(let d): return .text(d.description)
      case .dateTime(let d): return .text(d.description)
      case .bool(let b): return .text(b ? "true" : "false")
      case .reference(_, let id): return .text(id)
      case .null: return .null
      case .invalid: return .invalid
      default: throw EvaluationError(message: "str cannot turn \(value.typeName) into text")
      }
    case "lower", "upper":
      let value = try evaluate(arguments[0], context)
      switch value {
      case .text(let t): return .text(name == "lower" ? t.lowercased() : t.uppercased())
      case .null: return .null
      case .invalid: return .invalid
      default: throw EvaluationError(message: "\(name) needs text, but \(describe(arguments[0], value))")
      }
    case "starts_with", "ends_with", "contains", "matches":
      let a = try evaluate(arguments[0], context)
      let b = try evaluate(arguments[1], context)
      if case .invalid = a { return .invalid }
      if case .invalid = b { return .invalid }
      if name == "contains", case .list(let items) = a {
        for item in items where (try? equal(item, b, arguments[0], arguments[1])) == true { return .bool(true) }
        return .bool(false)
      }
      func asText(_ v: RuleValue, _ node: Node) throws(EvaluationError) -> String {
        switch v {
        case .text(let t): return t
        case .reference(_, let id): return id
        default: throw EvaluationError(message: "\(name) needs text, but \(describe(node, v))")
        }
      }
      let x = try asText(a, arguments[0])
      let y = try asText(b, arguments[1])
      switch name {
      case "starts_with": return .bool(x.hasPrefix(y))
      case "ends_with": return .bool(x.hasSuffix(y))
      case "contains": return .bool(x.contains(y))
      default:
        do {
          return .bool(try SafeRegex(y).matches(x))
        } catch {
          throw EvaluationError(message: "'\(y)' is not a valid pattern: \(error.message)")
        }
      }
    case "today":
      return .date(context.today)
    case "date":
      let value = try evaluate(arguments[0], context)
      switch value {
      case .date: return value
      case .dateTime(let d): return .date(d.date)
      case .text(let t):
        guard let date = CivilDate(t) else { throw EvaluationError(message: "'\(t)' is not a date (YYYY-MM-DD)") }
        return .date(date)
      case .null: return .null
      case .invalid: return .invalid
      default: throw EvaluationError(message: "date needs text or a date, but \(describe(arguments[0], value))")
      }
    case "days_between":
      let a = try evaluate(arguments[0], context)
      let b = try evaluate(arguments[1], context)
      switch (a, b) {
      case (.date(let x), .date(let y)): return .number(ExactDecimal(y.dayNumber - x.dayNumber))
      case (.invalid, _), (_, .invalid): return .invalid
      default:
        throw EvaluationError(message: "days_between needs two dates, not \(a.typeName) and \(b.typeName)")
      }
    case "year", "month":
      let value = try evaluate(arguments[0], context)
      switch value {
      case .date(let d): return .number(ExactDecimal(name == "year" ? d.year : d.month))
      case .dateTime(let d): return .number(ExactDecimal(name == "year" ? d.date.year : d.date.month))
      case .null: return .null
      case .invalid: return .invalid
      default: throw EvaluationError(message: "\(name) needs a date, but \(describe(arguments[0], value))")
      }
    default:
      throw EvaluationError(message: "unknown function '\(name)'")
    }
  }
}
