/// A rule expression from a schema: `end >= start`,
/// `status == "churned" implies churn_reason != null`,
/// `all(follow_ups, f => f.next_contact == null or f.next_contact > f.date)`.
///
/// The language is small on purpose: literals, field names, `.` to reach into objects and
/// referenced records, comparisons, `and`/`or`/`not`/`implies`, `in`, arithmetic on numbers
/// and dates, list literals and a few functions (see `docs/schema.md`).
public struct Expression: Sendable, CustomStringConvertible {
  /// The expression's text as written in the schema.
  public let source: String
  let root: Node

  indirect enum Node: Sendable {
    case literal(Literal, Span)
    case name(String, Span)
    /// A name resolved to the field at this position of the scope's fields when the rule
    /// was attached to its object (``resolved(in:)``): no lookup by name while checking.
    case field(Int, String, Span)
    case member(Node, String, Span)
    case list([Node], Span)
    case unary(UnaryOperator, Node, Span)
    case binary(BinaryOperator, Node, Node, Span)
    case call(String, [Node], Span)
    case lambda(String, Node, Span)

    var span: Span {
      switch self {
      case .literal(_, let s), .name(_, let s), .field(_, _, let s), .member(_, _, let s), .list(_, let s),
        .unary(_, _, let s), .binary(_, _, _, let s), .call(_, _, let s), .lambda(_, _, let s):
        s
      }
    }
  }

  enum Literal: Sendable {
    case null
    case bool(Bool)
    case number(ExactDecimal)
    case text(String)
  }

  enum UnaryOperator: String, Sendable {
    case not
    case negate = "-"
  }

  enum BinaryOperator: String, Sendable {
    case and
    case or
    case implies
    case equal = "=="
    case notEqual = "!="
    case less = "<"
    case lessOrEqual = "<="
    case greater = ">"
    case greaterOrEqual = ">="
    case `in`
    case notIn = "not in"
    case add = "+"
    case subtract = "-"
    case multiply = "*"
    case divide = "/"
  }

  /// The expression with the names of `fields` resolved to their positions, for evaluating
  /// it on objects with exactly these fields (a rule on its object). Names a lambda binds,
  /// and `record` and `source`, stay names.
  func resolved(in fields: [FieldSpec]) -> Expression {
    func visit(_ node: Node, _ locals: [String]) -> Node {
      switch node {
      case .name(let name, let span):
        guard !locals.contains(name), name != "record", name != "source",
          let position = fields.firstIndex(where: { $0.name == name })
        else { return node }
        return .field(position, name, span)
      case .member(let base, let name, let span):
        return .member(visit(base, locals), name, span)
      case .list(let items, let span):
        return .list(items.map { visit($0, locals) }, span)
      case .unary(let op, let operand, let span):
        return .unary(op, visit(operand, locals), span)
      case .binary(let op, let left, let right, let span):
        return .binary(op, visit(left, locals), visit(right, locals), span)
      case .call(let name, let arguments, let span):
        return .call(name, arguments.map { visit($0, locals) }, span)
      case .lambda(let parameter, let body, let span):
        return .lambda(parameter, visit(body, locals + [parameter]), span)
      case .literal, .field:
        return node
      }
    }
    return Expression(source: source, root: visit(root, []))
  }

  /// A character range in `source`.
  struct Span: Sendable {
    var start: Int
    var end: Int
  }

  public var description: String { source }

  /// The text of a part of the expression, for messages.
  func text(_ span: Span) -> String {
    let characters = Array(source)
    let start = min(max(span.start, 0), characters.count)
    let end = min(max(span.end, start), characters.count)
    return String(characters[start..<end])
  }

  /// The functions the language has: name and how many arguments.
  static let functions: [String: ClosedRange<Int>] = [
    "len": 1...1, "count": 1...2, "all": 2...2, "any": 2...2, "sum": 1...2, "exists": 1...1,
    "str": 1...1, "lower": 1...1, "upper": 1...1, "starts_with": 2...2, "ends_with": 2...2,
    "contains": 2...2, "matches": 2...2, "today": 0...0, "date": 1...1, "days_between": 2...2,
    "year": 1...1, "month": 1...1, "min": 1...2, "max": 1...2,
  ]

  /// Functions whose second argument is a lambda (`x => ...`).
  static let lambdaFunctions: Set<String> = ["count", "all", "any", "sum", "min", "max"]
}

/// Why an expression could not be parsed.
public struct ExpressionError: Error, Sendable, Hashable, CustomStringConvertible {
  public var message: String
  /// Character offset in the expression's text.
  public var offset: Int
  public var length: Int
  public var hint: String?

  public var description: String { message }
}
