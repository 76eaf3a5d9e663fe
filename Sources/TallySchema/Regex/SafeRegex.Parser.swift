extension SafeRegex {
  /// A recursive-descent parser from pattern text to a ``Node`` tree.
  ///
  /// It accepts the subset of ECMAScript regular expressions (as with the `u` flag) described on
  /// ``SafeRegex`` and throws a positioned ``RegexError`` for everything else. Recursion depth is
  /// bounded by the nesting of groups in the pattern, which is at most half the length limit.
  struct Parser {
    /// The longest pattern accepted, in Unicode scalars.
    static let maxPatternLength = 1000
    /// The largest number accepted in `{n}`, `{n,}` and `{n,m}`.
    static let maxRepetitionBound = 1000

    private let scalars: [Unicode.Scalar]
    private var position = 0

    /// Creates a parser for `pattern`.
    init(_ pattern: String) {
      scalars = Array(pattern.unicodeScalars)
    }

    /// Parses the whole pattern.
    ///
    /// - Returns: The tree of the pattern.
    /// - Throws: ``RegexError`` for a pattern that is malformed, unsupported or too long.
    mutating func parse() throws(RegexError) -> Node {
      guard scalars.count <= Self.maxPatternLength else {
        throw RegexError(
          "the pattern is too long (more than \(Self.maxPatternLength) characters)", at: Self.maxPatternLength)
      }
      let node = try parseAlternation()
      if position < scalars.count {
        // `parseAlternation` stops only at the end or at a ')' it has no group for.
        throw RegexError("unbalanced ')'", at: position)
      }
      return node
    }

    // MARK: - Structure

    private mutating func parseAlternation() throws(RegexError) -> Node {
      var branches = [try parseConcatenation()]
      while peek() == "|" {
        position += 1
        branches.append(try parseConcatenation())
      }
      return branches.count == 1 ? branches[0] : .alternation(branches)
    }

    private mutating func parseConcatenation() throws(RegexError) -> Node {
      var items: [Node] = []
      while let scalar = peek(), scalar != "|", scalar != ")" {
        items.append(try parseTerm())
      }
      switch items.count {
      case 0: return .empty
      case 1: return items[0]
      default: return .concatenation(items)
      }
    }

    /// An atom and its quantifier, if any.
    private mutating func parseTerm() throws(RegexError) -> Node {
      let (atom, isQuantifiable) = try parseAtom()
      let quantifierOffset = position
      guard let (min, max) = try parseQuantifier() else { return atom }
      guard isQuantifiable else { throw RegexError("nothing to repeat", at: quantifierOffset) }
      return .repetition(atom, min: min, max: max, offset: quantifierOffset)
    }

    /// `*`, `+`, `?`, `{n}`, `{n,}` or `{n,m}`, each optionally followed by `?` (lazy, which
    /// makes no difference to whether there is a match), or nil when none follows.
    private mutating func parseQuantifier() throws(RegexError) -> (min: Int, max: Int?)? {
      let bounds: (min: Int, max: Int?)
      switch peek() {
      case "*":
        bounds = (0, nil)
        position += 1
      case "+":
        bounds = (1, nil)
        position += 1
      case "?":
        bounds = (0, 1)
        position += 1
      case "{":
        guard let braces = try parseBraces(at: position) else {
          throw RegexError("incomplete quantifier; write '\\{' for a literal '{'", at: position)
        }
        bounds = (braces.min, braces.max)
        position = braces.end
      default:
        return nil
      }
      if peek() == "?" { position += 1 }
      return bounds
    }

    /// Reads `{n}`, `{n,}` or `{n,m}` starting at `start` (a `{`) without moving; nil when the
    /// text there is not of that form.
    private func parseBraces(at start: Int) throws(RegexError) -> (min: Int, max: Int?, end: Int)? {
      var index = start + 1
      func number() -> (value: Int, offset: Int)? {
        let offset = index
        var value = 0
        while index < scalars.count, let digit = Self.decimalValue(scalars[index]) {
          value = Swift.min(value * 10 + digit, 1_000_000_000)
          index += 1
        }
        return index > offset ? (value, offset) : nil
      }
      guard let lower = number() else { return nil }
      var upper: (value: Int, offset: Int)? = lower
      if index < scalars.count, scalars[index] == "," {
        index += 1
        upper = number()
      }
      guard index < scalars.count, scalars[index] == "}" else { return nil }
      for bound in [lower, upper].compactMap({ $0 }) where bound.value > Self.maxRepetitionBound {
        throw RegexError(
          "the repetition count is too large (more than \(Self.maxRepetitionBound))", at: bound.offset)
      }
      if let upper, upper.value < lower.value {
        throw RegexError("numbers out of order in {} quantifier", at: start)
      }
      return (lower.value, upper?.value, index + 1)
    }

    /// One atom, and whether a quantifier may follow it (assertions may not be repeated).
    private mutating func parseAtom() throws(RegexError) -> (Node, isQuantifiable: Bool) {
      let start = position
      let scalar = scalars[position]
      switch scalar {
      case "^":
        position += 1
        return (.assertion(.start), false)
      case "$":
        position += 1
        return (.assertion(.end), false)
      case ".":
        position += 1
        return (.set(.dot), true)
      case "(":
        return (try parseGroup(), true)
      case "[":
        return (.set(try parseClass()), true)
      case "\\":
        switch try parseEscape(inClass: false) {
        case .value(let value): return (.scalar(value), true)
        case .set(let set): return (.set(set), true)
        case .assertion(let assertion): return (.assertion(assertion), false)
        }
      case "*", "+", "?":
        throw RegexError("nothing to repeat", at: start)
      case "{":
        if try parseBraces(at: start) != nil { throw RegexError("nothing to repeat", at: start) }
        throw RegexError("incomplete quantifier; write '\\{' for a literal '{'", at: start)
      case "}":
        throw RegexError("unbalanced '}'; write '\\}' for a literal '}'", at: start)
      case "]":
        throw RegexError("unbalanced ']'; write '\\]' for a literal ']'", at: start)
      default:
        position += 1
        return (.scalar(scalar.value), true)
      }
    }

    /// `( ... )`, `(?: ... )` or `(?<name> ... )`; all three are plain groups.
    private mutating func parseGroup() throws(RegexError) -> Node {
      let start = position
      position += 1
      if peek() == "?" {
        switch peek(1) {
        case ":":
          position += 2
        case "=", "!":
          throw RegexError("lookahead assertions are not supported", at: start)
        case "<" where peek(2) == "=" || peek(2) == "!":
          throw RegexError("lookbehind assertions are not supported", at: start)
        case "<":
          position += 2
          try parseGroupName(groupStart: start)
        case "P" where peek(2) == "<":
          throw RegexError("invalid group; write '(?<name>' for a named group", at: start)
        case let next? where next == "-" || next.properties.isAlphabetic:
          throw RegexError("inline flags are not supported", at: start)
        default:
          throw RegexError("invalid group; expected '(', '(?:' or '(?<name>'", at: start)
        }
      }
      let inner = try parseAlternation()
      guard peek() == ")" else { throw RegexError("unbalanced '('", at: start) }
      position += 1
      return inner
    }

    /// The `name>` of a named group, checked to be an ECMAScript identifier.
    private mutating func parseGroupName(groupStart: Int) throws(RegexError) {
      let nameStart = position
      while let scalar = peek(), scalar != ">" {
        let isValid =
          scalar == "$" || scalar == "_"
          || (position == nameStart
            ? scalar.properties.isIDStart
            : scalar.properties.isIDContinue || scalar == "\u{200C}" || scalar == "\u{200D}")
        guard isValid else { throw RegexError("invalid group name", at: position) }
        position += 1
      }
      guard peek() == ">" else { throw RegexError("unterminated group name", at: groupStart) }
      guard position > nameStart else { throw RegexError("invalid group name", at: nameStart) }
      position += 1
    }

    // MARK: - Character classes

    /// `[...]` or `[^...]`, as the set of code points it matches.
    private mutating func parseClass() throws(RegexError) -> ScalarSet {
      let start = position
      position += 1
      let isNegated = peek() == "^"
      if isNegated { position += 1 }
      var ranges: [ClosedRange<UInt32>] = []
      while true {
        guard let scalar = peek() else { throw RegexError("unbalanced '['", at: start) }
        if scalar == "]" {
          position += 1
          break
        }
        let itemStart = position
        let first = try parseClassAtom()
        if peek() == "-", let after = peek(1), after != "]" {
          position += 1
          let second = try parseClassAtom()
          guard case .value(let lower) = first, case .value(let upper) = second else {
            throw RegexError("a class escape such as '\\d' cannot be the end of a range", at: itemStart)
          }
          guard lower <= upper else {
            let text = String(String.UnicodeScalarView(scalars[itemStart..<position]))
            throw RegexError("invalid range '\(text)' in character class (out of order)", at: itemStart)
          }
          ranges.append(lower...upper)
        } else {
          switch first {
          case .value(let value): ranges.append(value...value)
          case .set(let set): ranges += set.ranges
          case .assertion: preconditionFailure("no assertion escape inside a class")
          }
        }
      }
      let set = ScalarSet(ranges)
      return isNegated ? set.inverted : set
    }

    private mutating func parseClassAtom() throws(RegexError) -> Escape {
      let scalar = scalars[position]
      if scalar == "\\" { return try parseEscape(inClass: true) }
      position += 1
      return .value(scalar.value)
    }

    // MARK: - Escapes

    /// What an escape sequence stands for.
    private enum Escape {
      case value(UInt32)
      case set(ScalarSet)
      case assertion(Assertion)
    }

    /// The escape starting at the current `\`.
    private mutating func parseEscape(inClass: Bool) throws(RegexError) -> Escape {
      let start = position
      guard let letter = peek(1) else { throw RegexError("'\\' at end of pattern", at: start) }
      position += 2
      switch letter {
      case "d": return .set(.digits)
      case "D": return .set(ScalarSet.digits.inverted)
      case "w": return .set(.wordCharacters)
      case "W": return .set(ScalarSet.wordCharacters.inverted)
      case "s": return .set(.whitespace)
      case "S": return .set(ScalarSet.whitespace.inverted)
      case "b": return inClass ? .value(0x08) : .assertion(.wordBoundary)
      case "B" where !inClass: return .assertion(.notWordBoundary)
      case "t": return .value(0x09)
      case "n": return .value(0x0A)
      case "v": return .value(0x0B)
      case "f": return .value(0x0C)
      case "r": return .value(0x0D)
      case "0":
        if let next = peek(), Self.decimalValue(next) != nil {
          throw RegexError("octal escapes are not supported", at: start)
        }
        return .value(0)
      case "1"..."9" where !inClass, "k" where !inClass:
        throw RegexError("backreferences are not supported", at: start)
      case "c":
        guard let control = peek(), control.isASCII, control.properties.isAlphabetic else {
          throw RegexError("invalid control escape; expected a letter after '\\c'", at: start)
        }
        position += 1
        return .value(control.value % 32)
      case "x":
        guard let value = parseHexDigits(count: 2) else {
          throw RegexError("invalid hexadecimal escape; expected '\\x' and two hex digits", at: start)
        }
        return .value(value)
      case "u":
        return .value(try parseUnicodeEscape(start: start))
      case "p", "P":
        throw RegexError("Unicode property escapes are not supported", at: start)
      case "^", "$", "\\", ".", "*", "+", "?", "(", ")", "[", "]", "{", "}", "|", "/", "-":
        return .value(letter.value)
      default:
        let place = inClass ? " in a character class" : ""
        throw RegexError("invalid escape '\\\(letter)'\(place)", at: start)
      }
    }

    /// The rest of `\uXXXX`, `\u{X...}` or a surrogate pair `\uD83D\uDE00` (read as one code
    /// point, as with the `u` flag).
    private mutating func parseUnicodeEscape(start: Int) throws(RegexError) -> UInt32 {
      let invalid = RegexError("invalid Unicode escape; expected '\\uXXXX' or '\\u{X...}'", at: start)
      if peek() == "{" {
        position += 1
        var value: UInt32 = 0
        var digitCount = 0
        while let scalar = peek(), let digit = Self.hexValue(scalar) {
          value = Swift.min(value * 16 + digit, ScalarSet.maxValue + 1)
          digitCount += 1
          position += 1
        }
        guard digitCount > 0, peek() == "}", value <= ScalarSet.maxValue else { throw invalid }
        position += 1
        return value
      }
      guard let value = parseHexDigits(count: 4) else { throw invalid }
      if (0xD800...0xDBFF).contains(value), peek() == "\\", peek(1) == "u" {
        let saved = position
        position += 2
        if let low = parseHexDigits(count: 4), (0xDC00...0xDFFF).contains(low) {
          return 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
        }
        position = saved
      }
      return value
    }

    /// Exactly `count` hex digits, consumed; nil (and nothing consumed) otherwise.
    private mutating func parseHexDigits(count: Int) -> UInt32? {
      guard position + count <= scalars.count else { return nil }
      var value: UInt32 = 0
      for scalar in scalars[position..<position + count] {
        guard let digit = Self.hexValue(scalar) else { return nil }
        value = value * 16 + digit
      }
      position += count
      return value
    }

    // MARK: - Helpers

    private func peek(_ ahead: Int = 0) -> Unicode.Scalar? {
      position + ahead < scalars.count ? scalars[position + ahead] : nil
    }

    private static func decimalValue(_ scalar: Unicode.Scalar) -> Int? {
      ("0"..."9").contains(scalar) ? Int(scalar.value - 0x30) : nil
    }

    private static func hexValue(_ scalar: Unicode.Scalar) -> UInt32? {
      switch scalar {
      case "0"..."9": return scalar.value - 0x30
      case "a"..."f": return scalar.value - 0x61 + 10
      case "A"..."F": return scalar.value - 0x41 + 10
      default: return nil
      }
    }
  }
}
