extension Expression {
  /// Parses an expression.
  ///
  /// - Throws: ``ExpressionError`` with the character offset of the problem.
  public init(parsing source: String) throws(ExpressionError) {
    var parser = ExpressionParser(source: source)
    let root = try parser.parseTop()
    self.source = source
    self.root = root
  }
}

struct ExpressionParser {
  enum Token: Equatable {
    case number(ExactDecimal)
    case text(String)
    case identifier(String)
    case symbol(String)
    case end
  }

  struct Located {
    var token: Token
    var start: Int
    var end: Int
  }

  let characters: [Character]
  var tokens: [Located] = []
  var position = 0

  init(source: String) {
    characters = Array(source)
  }

  static let keywords: Set<String> = ["and", "or", "not", "implies", "in", "true", "false", "null"]

  mutating func tokenize() throws(ExpressionError) {
    var i = 0
    while i < characters.count {
      let c = characters[i]
      if c == " " || c == "\t" || c == "\n" {
        i += 1
        continue
      }
      let start = i
      if c.isNumber, c.isASCII {
        var text = ""
        while i < characters.count, characters[i].isASCII, characters[i].isNumber || characters[i] == "." {
          text.append(characters[i])
          i += 1
        }
        guard let value = ExactDecimal(text) else {
          throw ExpressionError(message: "'\(text)' is not a number", offset: start, length: i - start)
        }
        tokens.append(Located(token: .number(value), start: start, end: i))
        continue
      }
      if c == "\"" || c == "'" {
        var text = ""
        i += 1
        var closed = false
        while i < characters.count {
          let d = characters[i]
          if d == "\\", i + 1 < characters.count {
            let e = characters[i + 1]
            switch e {
            case "n": text.append("\n")
            case "t": text.append("\t")
            default: text.append(e)
            }
            i += 2
            continue
          }
          if d == c {
            closed = true
            i += 1
            break
          }
          text.append(d)
          i += 1
        }
        guard closed else {
          throw ExpressionError(
            message: "the text starting here is not closed", offset: start, length: 1,
            hint: "end it with \(c)")
        }
        tokens.append(Located(token: .text(text), start: start, end: i))
        continue
      }
      if c.isLetter || c == "_" {
        var name = ""
        while i < characters.count, characters[i].isLetter || characters[i].isNumber || characters[i] == "_" {
          name.append(characters[i])
          i += 1
        }
        tokens.append(Located(token: .identifier(name), start: start, end: i))
        continue
      }
      let two = i + 1 < characters.count ? String([c, characters[i + 1]]) : ""
      if ["==", "!=", "<=", ">=", "=>", "&&", "||"].contains(two) {
        if two == "&&" || two == "||" {
          throw ExpressionError(
            message: "'\(two)' is written '\(two == "&&" ? "and" : "or")' here", offset: i, length: 2)
        }
        tokens.append(Located(token: .symbol(two), start: i, end: i + 2))
        i += 2
        continue
      }
      if "<>+-*/()[],.".contains(c) {
        tokens.append(Located(token: .symbol(String(c)), start: i, end: i + 1))
        i += 1
        continue
      }
      if c == "=" {
        throw ExpressionError(message: "'=' compares nothing", offset: i, length: 1, hint: "write '==' to compare")
      }
      if c == "!" {
        throw ExpressionError(message: "'!' is written 'not' here", offset: i, length: 1)
      }
      throw ExpressionError(message: "unexpected character '\(c)'", offset: i, length: 1)
    }
    tokens.append(Located(token: .end, start: characters.count, end: characters.count))
  }

  var current: Located { tokens[position] }

  mutating func advance() { if position < tokens.count - 1 { position += 1 } }

  func isSymbol(_ s: String) -> Bool { current.token == .symbol(s) }
  func isKeyword(_ k: String) -> Bool { current.token == .identifier(k) }

  mutating func expect(_ s: String) throws(ExpressionError) {
    guard isSymbol(s) else {
      throw ExpressionError(
        message: "expected '\(s)' \(describeCurrent())", offset: current.start,
        length: max(1, current.end - current.start))
    }
    advance()
  }

  func describeCurrent() -> String {
    switch current.token {
    case .end: "at the end"
    case .number(let n): "before '\(n)'"
    case .text(let t): "before \"\(t)\""
    case .identifier(let name): "before '\(name)'"
    case .symbol(let s): "before '\(s)'"
    }
  }

  mutating func parseTop() throws(ExpressionError) -> Expression.Node {
    try tokenize()
    guard current.token != .end else {
      throw ExpressionError(message: "the expression is empty", offset: 0, length: 0)
    }
    let node = try parseImplies()
    guard current.token == .end else {
      throw ExpressionError(
        message: "unexpected \(describeToken(current.token)) after a complete expression", offset: current.start,
        length: max(1, current.end - current.start), hint: "join conditions with 'and' or 'or'")
    }
    return node
  }

  func describeToken(_ token: Token) -> String {
    switch token {
    case .end: "end"
    case .number(let n): "'\(n)'"
    case .text(let t): "\"\(t)\""
    case .identifier(let name): "'\(name)'"
    case .symbol(let s): "'\(s)'"
    }
  }

  mutating func parseImplies() throws(ExpressionError) -> Expression.Node {
    let left = try parseOr()
    if isKeyword("implies") {
      advance()
      let right = try parseImplies()
      return .binary(.implies, left, right, Expression.Span(start: left.span.start, end: right.span.end))
    }
    return left
  }

  mutating func parseOr() throws(ExpressionError) -> Expression.Node {
    var left = try parseAnd()
    while isKeyword("or") {
      advance()
      let right = try parseAnd()
      left = .binary(.or, left, right, Expression.Span(start: left.span.start, end: right.span.end))
    }
    return left
  }

  mutating func parseAnd() throws(ExpressionError) -> Expression.Node {
    var left = try parseNot()
    while isKeyword("and") {
      advance()
      let right = try parseNot()
      left = .binary(.and, left, right, Expression.Span(start: left.span.start, end: right.span.end))
    }
    return left
  }

  mutating func parseNot() throws(ExpressionError) -> Expression.Node {
    if isKeyword("not") {
      let start = current.start
      advance()
      let operand = try parseNot()
      return .unary(.not, operand, Expression.Span(start: start, end: operand.span.end))
    }
    return try parseComparison()
  }

  mutating func parseComparison() throws(ExpressionError) -> Expression.Node {
    let left = try parseAdditive()
    var op: Expression.BinaryOperator?
    switch current.token {
    case .symbol("=="): op = .equal
    case .symbol("!="): op = .notEqual
    case .symbol("<"): op = .less
    case .symbol("<="): op = .lessOrEqual
    case .symbol(">"): op = .greater
    case .symbol(">="): op = .greaterOrEqual
    case .identifier("in"): op = .in
    case .identifier("not"):
      if position + 1 < tokens.count, tokens[position + 1].token == .identifier("in") {
        op = .notIn
        advance()
      }
    default: break
    }
    guard let op else { return left }
    advance()
    let right = try parseAdditive()
    let node = Expression.Node.binary(op, left, right, Expression.Span(start: left.span.start, end: right.span.end))
    if case .symbol(let s) = current.token, ["==", "!=", "<", "<=", ">", ">="].contains(s) {
      throw ExpressionError(
        message: "comparisons cannot be chained", offset: current.start, length: current.end - current.start,
        hint: "write 'a < b and b < c'")
    }
    return node
  }

  mutating func parseAdditive() throws(ExpressionError) -> Expression.Node {
    var left = try parseMultiplicative()
    while isSymbol("+") || isSymbol("-") {
      let op: Expression.BinaryOperator = isSymbol("+") ? .add : .subtract
      advance()
      let right = try parseMultiplicative()
      left = .binary(op, left, right, Expression.Span(start: left.span.start, end: right.span.end))
    }
    return left
  }

  mutating func parseMultiplicative() throws(ExpressionError) -> Expression.Node {
    var left = try parseUnary()
    while isSymbol("*") || isSymbol("/") {
      let op: Expression.BinaryOperator = isSymbol("*") ? .multiply : .divide
      advance()
      let right = try parseUnary()
      left = .binary(op, left, right, Expression.Span(start: left.span.start, end: right.span.end))
    }
    return left
  }

  mutating func parseUnary() throws(ExpressionError) -> Expression.Node {
    if isSymbol("-") {
      let start = current.start
      advance()
      let operand = try parseUnary()
      return .unary(.negate, operand, Expression.Span(start: start, end: operand.span.end))
    }
    return try parsePostfix()
  }

  mutating func parsePostfix() throws(ExpressionError) -> Expression.Node {
    var node = try parsePrimary()
    while isSymbol(".") {
      advance()
      guard case .identifier(let name) = current.token, !ExpressionParser.keywords.contains(name) else {
        throw ExpressionError(
          message: "expected a field name after '.'", offset: current.start, length: max(1, current.end - current.start)
        )
      }
      let end = current.end
      advance()
      node = .member(node, name, Expression.Span(start: node.span.start, end: end))
    }
    return node
  }

  mutating func parsePrimary() throws(ExpressionError) -> Expression.Node {
    let token = current
    switch token.token {
    case .number(let value):
      advance()
      return .literal(.number(value), Expression.Span(start: token.start, end: token.end))
    case .text(let text):
      advance()
      return .literal(.text(text), Expression.Span(start: token.start, end: token.end))
    case .identifier(let name):
      switch name {
      case "true", "false":
        advance()
        return .literal(.bool(name == "true"), Expression.Span(start: token.start, end: token.end))
      case "null":
        advance()
        return .literal(.null, Expression.Span(start: token.start, end: token.end))
      case "and", "or", "not", "implies", "in":
        throw ExpressionError(
          message: "expected a value before '\(name)'", offset: token.start, length: token.end - token.start)
      default:
        break
      }
      advance()
      if isSymbol("(") {
        return try parseCall(name, start: token.start, nameEnd: token.end)
      }
      return .name(name, Expression.Span(start: token.start, end: token.end))
    case .symbol("("):
      advance()
      let inner = try parseImplies()
      try expect(")")
      return inner
    case .symbol("["):
      advance()
      var items: [Expression.Node] = []
      if !isSymbol("]") {
        while true {
          items.append(try parseImplies())
          if isSymbol(",") {
            advance()
            if isSymbol("]") { break }
            continue
          }
          break
        }
      }
      let end = current.end
      try expect("]")
      return .list(items, Expression.Span(start: token.start, end: end))
    case .end:
      throw ExpressionError(message: "the expression ends too early", offset: token.start, length: 0)
    case .symbol(let s):
      throw ExpressionError(
        message: "expected a value, found '\(s)'", offset: token.start, length: token.end - token.start)
    }
  }

  mutating func parseCall(_ name: String, start: Int, nameEnd: Int) throws(ExpressionError) -> Expression.Node {
    guard let arity = Expression.functions[name] else {
      let known = Expression.functions.keys.sorted()
      throw ExpressionError(
        message: "unknown function '\(name)'", offset: start, length: nameEnd - start,
        hint: "functions: " + known.joined(separator: ", "))
    }
    try expect("(")
    var arguments: [Expression.Node] = []
    if !isSymbol(")") {
      while true {
        // A lambda: `x => expression`.
        if case .identifier(let parameter) = current.token, position + 1 < tokens.count,
          tokens[position + 1].token == .symbol("=>")
        {
          let lambdaStart = current.start
          advance()
          advance()
          let body = try parseImplies()
          arguments.append(.lambda(parameter, body, Expression.Span(start: lambdaStart, end: body.span.end)))
        } else {
          arguments.append(try parseImplies())
        }
        if isSymbol(",") {
          advance()
          continue
        }
        break
      }
    }
    let end = current.end
    try expect(")")
    guard arity.contains(arguments.count) else {
      let expected =
        arity.lowerBound == arity.upperBound ? "\(arity.lowerBound)" : "\(arity.lowerBound) or \(arity.upperBound)"
      throw ExpressionError(
        message: "\(name) takes \(expected) argument\(arity.upperBound == 1 ? "" : "s"), not \(arguments.count)",
        offset: start, length: end - start)
    }
    for (index, argument) in arguments.enumerated() {
      if case .lambda(_, _, let span) = argument, !(Expression.lambdaFunctions.contains(name) && index == 1) {
        throw ExpressionError(
          message: "a function (x => ...) is not allowed here", offset: span.start, length: span.end - span.start)
      }
    }
    if ["all", "any"].contains(name), arguments.count == 2 {
      guard case .lambda = arguments[1] else {
        throw ExpressionError(
          message: "\(name) needs a condition for each item: \(name)(list, x => ...)", offset: start,
          length: end - start)
      }
    }
    return .call(name, arguments, Expression.Span(start: start, end: end))
  }
}
