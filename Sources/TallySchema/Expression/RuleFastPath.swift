import TallyText

/// A rule's condition or check, compiled for the shapes rules mostly have — a field
/// compared with null, a date with a date, an enum value with a text, a number or a list's
/// length with a number, joined by `and`, `or`, `implies` and `not` — and answered from the
/// record's bytes, where the validator found each field (see ``FieldNodeTable``).
///
/// It answers only when it is sure of the evaluator's answer (``Expression/evaluate(in:)``):
/// for a value that is not of its field's type, a comparison the evaluator would reject or
/// one whose answer depends on Unicode equivalence, it says nothing (nil), and the
/// evaluator decides. Checking 100,000 customers evaluates some 800,000 rules; the
/// evaluator makes a typed value for each field it reads and walks its expression tree by
/// reference, ~1,900 instructions a rule.
///
/// The steps are plain values in one array, so that evaluating them counts no references.
struct RuleFastPath: Sendable {
  enum Step: Sendable {
    case and(Int, Int)
    case or(Int, Int)
    case implies(Int, Int)
    case not(Int)
    case equal(Operand, Operand, negated: Bool)
    case order(Operand, Order, Operand)
  }

  enum Order: Sendable {
    case less, lessOrEqual, greater, greaterOrEqual
  }

  enum Operand: Sendable {
    case null
    /// An ASCII text literal's bytes in `literals`.
    case text(Span)
    case number(ExactDecimal)
    /// The value of a field of the object.
    case field(FieldRead)
    /// `len(...)` of the list field at this position.
    case count(Int32)
  }

  /// A range of `literals`.
  struct Span: Sendable {
    var start: Int32
    var count: Int32
  }

  /// What reading a field needs: where it is, its kind, and for an enum, its values'
  /// bytes (`spans[values]`).
  struct FieldRead: Sendable {
    var position: Int32
    var kind: FieldType.Kind
    var values: Range<Int32>
  }

  /// The steps; the last is the whole expression.
  let steps: [Step]
  /// Text literals' and enum values' bytes, one after another.
  let literals: [UInt8]
  /// The enum values' ranges of `literals`.
  let spans: [Span]

  /// The compiled form of `expression` (resolved in `fields`, see
  /// ``Expression/resolved(in:)``), or nil when it has another shape.
  init?(_ expression: Expression, fields: [FieldSpec]) {
    var steps: [Step] = []
    var literals: [UInt8] = []
    var spans: [Span] = []

    func store(_ bytes: some Collection<UInt8>) -> Span {
      let start = literals.count
      literals += bytes
      return Span(start: Int32(start), count: Int32(literals.count - start))
    }

    func operand(_ node: Expression.Node) -> Operand? {
      switch node {
      case .literal(.null, _):
        return .null
      case .literal(.number(let number), _):
        return .number(number)
      case .literal(.text(let text), _):
        // Only ASCII: the evaluator compares texts as Unicode does (a Kelvin sign equals K).
        guard text.utf8.allSatisfy({ $0 < 0x80 }) else { return nil }
        return .text(store(text.utf8))
      case .field(let position, let name, _):
        guard position < fields.count, fields[position].name == name, Self.reads(fields[position].kind) else {
          return nil
        }
        let field = fields[position]
        let first = Int32(spans.count)
        for value in field.enumBytes { spans.append(store(value)) }
        return .field(FieldRead(position: Int32(position), kind: field.kind, values: first..<Int32(spans.count)))
      case .call("len", let arguments, _):
        guard arguments.count == 1, case .field(let position, let name, _) = arguments[0], position < fields.count,
          fields[position].name == name, fields[position].kind == .list
        else { return nil }
        return .count(Int32(position))
      default:
        return nil
      }
    }

    func compile(_ node: Expression.Node) -> Int? {
      let step: Step
      switch node {
      case .binary(let op, let left, let right, _):
        switch op {
        case .and, .or, .implies:
          guard let a = compile(left), let b = compile(right) else { return nil }
          step = op == .and ? .and(a, b) : (op == .or ? .or(a, b) : .implies(a, b))
        case .equal, .notEqual:
          guard let a = operand(left), let b = operand(right) else { return nil }
          step = .equal(a, b, negated: op == .notEqual)
        case .less, .lessOrEqual, .greater, .greaterOrEqual:
          guard let a = operand(left), let b = operand(right) else { return nil }
          let order: Order =
            switch op {
            case .less: .less
            case .lessOrEqual: .lessOrEqual
            case .greater: .greater
            default: .greaterOrEqual
            }
          step = .order(a, order, b)
        default:
          return nil
        }
      case .unary(.not, let operand, _):
        guard let inner = compile(operand) else { return nil }
        step = .not(inner)
      default:
        return nil
      }
      steps.append(step)
      return steps.count - 1
    }

    guard compile(expression.root) != nil else { return nil }
    self.steps = steps
    self.literals = literals
    self.spans = spans
  }

  /// The kinds of field whose values are read here (the others leave the rule to the
  /// evaluator).
  static func reads(_ kind: FieldType.Kind) -> Bool {
    switch kind {
    case .text, .multiline, .int, .decimal, .money, .date, .enumeration, .email, .phone, .reference, .list, .object:
      true
    case .percent, .bool, .datetime, .url:
      false
    }
  }

  /// A value as far as the steps need it.
  enum Value {
    case null
    case date(CivilDate)
    case number(ExactDecimal)
    /// A valid text value: its bytes when they are ASCII and at hand (only those are
    /// compared here), else nil.
    case text(UnsafeBufferPointer<UInt8>?)
    /// A valid value of another kind (a reference, a list, an object): only null-checked.
    case other
  }

  /// The expression's value on the object whose fields are at `table`: nil when it cannot
  /// tell what the evaluator would.
  func evaluate(_ nodes: SyntaxNodes, _ table: UnsafeBufferPointer<Int32>) -> Bool? {
    steps.withUnsafeBufferPointer { steps in
      literals.withUnsafeBufferPointer { literals in
        spans.withUnsafeBufferPointer { spans in
          Evaluation(steps: steps, literals: literals, spans: spans, nodes: nodes, table: table)
            .truth(steps.count - 1)
        }
      }
    }
  }

  /// One evaluation's pointers.
  private struct Evaluation {
    let steps: UnsafeBufferPointer<Step>
    let literals: UnsafeBufferPointer<UInt8>
    let spans: UnsafeBufferPointer<Span>
    let nodes: SyntaxNodes
    let table: UnsafeBufferPointer<Int32>

    func truth(_ index: Int) -> Bool? {
      switch steps[index] {
      case .and(let a, let b):
        guard let left = truth(a) else { return nil }
        return left ? truth(b) : false
      case .or(let a, let b):
        guard let left = truth(a) else { return nil }
        return left ? true : truth(b)
      case .implies(let a, let b):
        guard let left = truth(a) else { return nil }
        return left ? truth(b) : true
      case .not(let a):
        return truth(a).map { !$0 }
      case .equal(let a, let b, let negated):
        guard let x = value(a), let y = value(b), let same = Self.equal(x, y) else { return nil }
        return same != negated
      case .order(let a, let order, let b):
        guard let x = value(a), let y = value(b) else { return nil }
        let sign: Int
        switch (x, y) {
        case (.date(let p), .date(let q)): sign = p < q ? -1 : (p == q ? 0 : 1)
        case (.number(let p), .number(let q)): sign = p < q ? -1 : (p == q ? 0 : 1)
        default: return nil
        }
        switch order {
        case .less: return sign < 0
        case .lessOrEqual: return sign <= 0
        case .greater: return sign > 0
        case .greaterOrEqual: return sign >= 0
        }
      }
    }

    /// As the evaluator's `==`, for the values it can be sure of.
    static func equal(_ x: Value, _ y: Value) -> Bool? {
      switch (x, y) {
      case (.null, .null): return true
      case (.null, _), (_, .null): return false
      case (.date(let p), .date(let q)): return p == q
      case (.number(let p), .number(let q)): return p == q
      case (.text(let p?), .text(let q?)): return p.hasSameBytes(as: q)
      default: return nil
      }
    }

    func bytes(_ span: Span) -> UnsafeBufferPointer<UInt8> {
      UnsafeBufferPointer(rebasing: literals[Int(span.start)..<Int(span.start + span.count)])
    }

    func value(_ operand: Operand) -> Value? {
      switch operand {
      case .null: return .null
      case .number(let number): return .number(number)
      case .text(let span): return .text(bytes(span))
      case .field(let read):
        let node = Int(table[Int(read.position)])
        if node < 0 || nodes.isNull(node) { return .null }
        return value(of: node, read)
      case .count(let position):
        let node = Int(table[Int(position)])
        if node < 0 || nodes.isNull(node) { return .number(.zero) }
        return nodes.isSequence(node) ? .number(ExactDecimal(nodes.count(node))) : nil
      }
    }

    /// The value of a field that is there and not null, as the evaluator types it (nil:
    /// not of the field's type, which the evaluator treats as invalid, or not read here).
    func value(of node: Int, _ read: FieldRead) -> Value? {
      switch read.kind {
      case .list: return nodes.isSequence(node) ? .other : nil
      case .object: return nodes.isMapping(node) ? .other : nil
      case .reference: return nodes.isScalar(node) ? .other : nil
      default: break
      }
      if let text = nodes.sourceUTF8(node) { return scalar(text, read, atHand: true) }
      // Escaped text, kept as a string: its bytes are not at hand after the call.
      return nodes.withUTF8(node) { scalar($0, read, atHand: false) } ?? nil
    }

    func scalar(_ text: UnsafeBufferPointer<UInt8>, _ read: FieldRead, atHand: Bool) -> Value? {
      var textValue: Value { .text(atHand && Self.isASCII(text) ? text : nil) }
      switch read.kind {
      case .date:
        return CivilDate(utf8: text).map { .date($0) }
      case .int, .decimal, .money:
        if read.kind == .int, !TypedScalar.isInteger(utf8: text) { return nil }
        guard let number = ExactDecimal(utf8: text) else { return nil }
        if read.kind == .money, number.fractionDigits > 2 { return nil }
        return .number(number)
      case .enumeration:
        for value in read.values where text.hasSameBytes(as: bytes(spans[Int(value)])) { return textValue }
        return nil
      case .text:
        return text.contains(0x0A) ? nil : textValue
      case .multiline:
        return textValue
      case .email:
        return TypedScalar.isEmail(utf8: text) ? textValue : nil
      case .phone:
        return TypedScalar.isPhone(utf8: text) ? textValue : nil
      default:
        return nil
      }
    }

    static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
      for byte in bytes where byte >= 0x80 { return false }
      return true
    }
  }
}

extension RuleBox {
  /// Whether the rule passes on the object whose fields are at `table`, when its quick
  /// forms can tell; false when they cannot (or it fails), and the evaluator decides.
  func passesQuickly(_ nodes: SyntaxNodes, _ table: UnsafeBufferPointer<Int32>) -> Bool {
    guard let check = fastCheck else { return false }
    if let condition = fastCondition {
      guard let holds = condition.evaluate(nodes, table) else { return false }
      if !holds { return true }
    } else if rule.condition != nil {
      return false
    }
    return check.evaluate(nodes, table) == true
  }
}
