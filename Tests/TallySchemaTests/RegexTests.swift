import Testing

@testable import TallySchema

/// One pattern, one text and whether the pattern should match somewhere in it.
struct MatchCase: CustomTestStringConvertible, Sendable {
  var pattern: String
  var text: String
  var expected: Bool

  init(_ pattern: String, _ text: String, _ expected: Bool) {
    self.pattern = pattern
    self.text = text
    self.expected = expected
  }

  var testDescription: String { "/\(pattern)/ on \"\(text)\" → \(expected)" }
}

/// A pattern that must be rejected, with the message and offset expected.
struct ErrorCase: CustomTestStringConvertible, Sendable {
  var pattern: String
  var message: String
  var offset: Int

  init(_ pattern: String, _ message: String, at offset: Int) {
    self.pattern = pattern
    self.message = message
    self.offset = offset
  }

  var testDescription: String { "/\(pattern)/ → \(message) @\(offset)" }
}

/// Asserts that each case matches (or not) through every entry point.
private func check(_ cases: [MatchCase], sourceLocation: SourceLocation = #_sourceLocation) throws {
  for item in cases {
    let regex = try SafeRegex(item.pattern)
    #expect(regex.matches(item.text) == item.expected, "\(item.testDescription)", sourceLocation: sourceLocation)
    let viaBytes = Array(item.text.utf8).withUnsafeBufferPointer { regex.matches(utf8: $0) }
    #expect(viaBytes == item.expected, "utf8: \(item.testDescription)", sourceLocation: sourceLocation)
  }
}

@Suite("SafeRegex constructs")
struct RegexConstructTests {
  @Test func literals() throws {
    try check([
      MatchCase("abc", "abc", true),
      MatchCase("abc", "xxabcxx", true),
      MatchCase("abc", "ab", false),
      MatchCase("abc", "acb", false),
      MatchCase("", "", true),
      MatchCase("", "anything", true),
      MatchCase("中文", "说中文的", true),
      MatchCase("中文", "中 文", false),
      MatchCase("😀", "a😀b", true),
      MatchCase("-", "S-1", true),
      MatchCase("/", "a/b", true),
    ])
  }

  @Test func dot() throws {
    try check([
      MatchCase("a.c", "abc", true),
      MatchCase("a.c", "a中c", true),
      MatchCase("a.c", "a😀c", true),
      MatchCase("a.c", "ac", false),
      MatchCase("a.c", "a\nc", false),
      MatchCase("a.c", "a\rc", false),
      MatchCase("a.c", "a\u{2028}c", false),
      MatchCase("a.c", "a\u{2029}c", false),
      MatchCase("a.c", "a\tc", true),
      MatchCase("^.$", "é", true),
      MatchCase("^.$", "e\u{301}", false),  // two scalars: matching is per scalar, not per grapheme
    ])
  }

  @Test func classEscapes() throws {
    try check([
      MatchCase("^\\d+$", "0123456789", true),
      MatchCase("\\d", "٣", false),  // Arabic-Indic digit: \d is ASCII only
      MatchCase("\\d", "１", false),  // fullwidth digit
      MatchCase("^\\D+$", "ab中", true),
      MatchCase("\\D", "123", false),
      MatchCase("^\\w+$", "Az09_", true),
      MatchCase("\\w", "中é-", false),
      MatchCase("^\\W+$", "中é-", true),
      MatchCase("^\\s+$", " \t\n\r\u{0B}\u{0C}", true),
      MatchCase("^\\s+$", "\u{A0}\u{3000}\u{2003}\u{FEFF}\u{2028}\u{1680}", true),
      MatchCase("\\s", "\u{200B}", false),  // zero-width space is not white space
      MatchCase("\\s", "\u{85}", false),  // NEL is not ECMAScript white space
      MatchCase("^\\S+$", "a中", true),
      MatchCase("\\S", " \t", false),
    ])
  }

  @Test func controlAndCodePointEscapes() throws {
    try check([
      MatchCase("a\\tb", "a\tb", true),
      MatchCase("a\\nb", "a\nb", true),
      MatchCase("a\\rb", "a\rb", true),
      MatchCase("a\\fb", "a\u{0C}b", true),
      MatchCase("a\\vb", "a\u{0B}b", true),
      MatchCase("a\\0b", "a\u{0}b", true),
      MatchCase("\\cJ", "\n", true),
      MatchCase("\\cj", "\n", true),
      MatchCase("\\x41", "A", true),
      MatchCase("\\u4e2d", "中", true),
      MatchCase("\\u4E2D\\u6587", "中文", true),
      MatchCase("\\u{1F600}", "😀", true),
      MatchCase("\\u{41}", "A", true),
      MatchCase("\\uD83D\\uDE00", "😀", true),  // a surrogate pair is one code point
      MatchCase("\\uD83D", "😀", false),  // a lone surrogate matches nothing in text
      MatchCase("^[\\uD83D\\uDE00]$", "😀", true),
    ])
  }

  @Test func escapedMetacharacters() throws {
    let metacharacters = ".\\/-^$|()[]{}?*+"
    for character in metacharacters {
      try check([
        MatchCase("^\\\(character)$", "\(character)", true),
        MatchCase("^\\\(character)$", "a", false),
      ])
    }
  }

  @Test func characterClasses() throws {
    try check([
      MatchCase("^[abc]+$", "abcabc", true),
      MatchCase("[abc]", "xyz", false),
      MatchCase("^[a-zA-Z0-9]+$", "aZ09", true),
      MatchCase("[a-zA-Z0-9]", "-_中", false),
      MatchCase("^[^abc]+$", "xyz中", true),
      MatchCase("[^abc]", "abc", false),
      MatchCase("[^a]", "\n", true),  // a negated class includes line terminators
      MatchCase("^[\\u4e00-\\u9fff]+$", "中文汉字", true),
      MatchCase("[\\u4e00-\\u9fff]", "かな", false),
      MatchCase("^[中-文]$", "乐", true),  // U+4E50, between 中 (U+4E2D) and 文 (U+6587)
      MatchCase("^[\\u{1F600}-\\u{1F64F}]$", "😃", true),
      MatchCase("^[-a]+$", "-a-", true),
      MatchCase("^[a-]+$", "-a-", true),
      MatchCase("^[a\\-z]+$", "-az", true),
      MatchCase("[a\\-z]", "b", false),
      MatchCase("^[a-c-e]+$", "ab-e", true),
      MatchCase("[a-c-e]", "d", false),
      MatchCase("^[\\d-]+$", "12-3", true),
      MatchCase("^[\\w.]+$", "a.b_c", true),
      MatchCase("^[^\\d\\s]+$", "ab", true),
      MatchCase("[^\\d\\s]", "1 2", false),
      MatchCase("^[\\D]+$", "ab", true),
      MatchCase("[\\b]", "\u{08}", true),  // \b in a class is backspace
      MatchCase("[\\b]", "b", false),
      MatchCase("^[.]$", ".", true),
      MatchCase("^[.]$", "a", false),
      MatchCase("^[$^|()*+?{}/[]+$", "$^|()*+?{}/[", true),
      MatchCase("^[\\]\\\\]+$", "]\\", true),
      MatchCase("[]", "anything", false),
      MatchCase("[]", "", false),
      MatchCase("^[^]$", "\n", true),
      MatchCase("a[^]b", "ab", false),
    ])
  }

  @Test func anchors() throws {
    try check([
      MatchCase("^abc", "abcd", true),
      MatchCase("^abc", "xabc", false),
      MatchCase("abc$", "xabc", true),
      MatchCase("abc$", "abcx", false),
      MatchCase("abc$", "abc\n", false),  // no multiline, and no "before a final newline"
      MatchCase("^$", "", true),
      MatchCase("^$", "a", false),
      MatchCase("^", "anything", true),
      MatchCase("$", "anything", true),
      MatchCase("a^b", "ab", false),
      MatchCase("a$b", "ab", false),
      MatchCase("^a|b$", "xb", true),
      MatchCase("^a|b$", "xa", false),
      MatchCase("(^a|b)c", "xbc", true),
      MatchCase("(^a|b)c", "xac", false),
    ])
  }

  @Test func wordBoundaries() throws {
    try check([
      MatchCase("\\bfoo\\b", "a foo b", true),
      MatchCase("\\bfoo\\b", "foo", true),
      MatchCase("\\bfoo\\b", "afoo", false),
      MatchCase("\\bfoo\\b", "foo_", false),
      MatchCase("\\bfoo\\b", "foo-bar", true),
      MatchCase("\\bfoo\\b", "中foo文", true),  // CJK is not an ASCII word character
      MatchCase("\\Boo\\B", "fool", true),
      MatchCase("\\Boo\\B", "oo", false),
      MatchCase("^\\b$", "", false),
      MatchCase("^\\B$", "", true),
      MatchCase("\\b", "--", false),
      MatchCase("\\B", "a", false),
      MatchCase("a\\b", "a", true),
    ])
  }

  @Test func groupsAndAlternation() throws {
    try check([
      MatchCase("^(ab)+$", "ababab", true),
      MatchCase("^(ab)+$", "ababa", false),
      MatchCase("^(?:ab)+$", "abab", true),
      MatchCase("^(?<pair>ab)+$", "abab", true),
      MatchCase("^(?<名前>ab)$", "ab", true),
      MatchCase("^(?<$x_1>ab)$", "ab", true),
      MatchCase("^(?<x>a)$|^(?<x>b)$", "b", true),  // a repeated name is accepted (a leniency)
      MatchCase("^(cat|dog)s?$", "dogs", true),
      MatchCase("^(cat|dog)s?$", "cow", false),
      MatchCase("^(a|b|c|)$", "", true),
      MatchCase("^(|a)$", "a", true),
      MatchCase("^()$", "", true),
      MatchCase("^(?:)$", "", true),
      MatchCase("a|", "xyz", true),
      MatchCase("^(a(b(c)))$", "abc", true),
      MatchCase("^(a|ab)(c|bcd)$", "abcd", true),
      MatchCase("^(中|文)+$", "中文中", true),
    ])
  }

  @Test func quantifiers() throws {
    try check([
      MatchCase("^a*$", "", true),
      MatchCase("^a*$", "aaaa", true),
      MatchCase("^a+$", "", false),
      MatchCase("^a+$", "aaa", true),
      MatchCase("^a?$", "", true),
      MatchCase("^a?$", "aa", false),
      MatchCase("^a{3}$", "aaa", true),
      MatchCase("^a{3}$", "aa", false),
      MatchCase("^a{3}$", "aaaa", false),
      MatchCase("^a{2,}$", "a", false),
      MatchCase("^a{2,}$", "aaaaa", true),
      MatchCase("^a{2,3}$", "aaa", true),
      MatchCase("^a{2,3}$", "aaaa", false),
      MatchCase("^a{0}$", "", true),
      MatchCase("^a{0}b$", "b", true),
      MatchCase("^a{0,0}$", "a", false),
      MatchCase("^a{1000}$", String(repeating: "a", count: 1000), true),
      MatchCase("^a{1000}$", String(repeating: "a", count: 999), false),
      MatchCase("^(ab){2}$", "abab", true),
      MatchCase("^[中文]{2}$", "文中", true),
      MatchCase("^a*?$", "aaa", true),
      MatchCase("^a+?$", "aaa", true),
      MatchCase("^a??b$", "ab", true),
      MatchCase("^a{2,3}?$", "aaa", true),
      MatchCase("^a{2,}?$", "aaaa", true),
      MatchCase("^(a*)*$", "aaa", true),
      MatchCase("^(a*)+$", "", true),
      MatchCase("^(a?){3}$", "a", true),
      MatchCase("^(a|b)*c$", "ababc", true),
      MatchCase("^()*$", "", true),
      MatchCase("^(?:)+a$", "a", true),
      MatchCase("^(^a)*$", "", true),
    ])
  }

  @Test func wholeMatch() throws {
    let regex = try SafeRegex("a|ab")
    #expect(regex.wholeMatch("ab"))
    #expect(regex.wholeMatch("a"))
    #expect(!regex.wholeMatch("abc"))
    #expect(!regex.wholeMatch("xab"))
    #expect(regex.matches("xab"))
    #expect(try SafeRegex("[0-9]{4}").wholeMatch("2024"))
    #expect(try !SafeRegex("[0-9]{4}").wholeMatch("20245"))
    #expect(try SafeRegex("").wholeMatch(""))
    #expect(try !SafeRegex("").wholeMatch("a"))
    #expect(try SafeRegex("^a*$").wholeMatch("aaa"))
    #expect(try SafeRegex("a\\b").wholeMatch("a"))
    #expect(try !SafeRegex("a$b").wholeMatch("ab"))
  }

  @Test func equalityAndDescription() throws {
    #expect(try SafeRegex("a+") == SafeRegex("a+"))
    #expect(try SafeRegex("a+") != SafeRegex("a*"))
    #expect(try Set([SafeRegex("a"), SafeRegex("a"), SafeRegex("b")]).count == 2)
    #expect(try SafeRegex("^x$").pattern == "^x$")
    #expect(RegexError("unbalanced ')'", at: 3).description == "unbalanced ')' (at offset 3)")
  }
}

@Suite("SafeRegex errors")
struct RegexErrorTests {
  static let cases: [ErrorCase] = [
    // Unsupported constructs.
    ErrorCase("(a)\\1", "backreferences are not supported", at: 3),
    ErrorCase("(?<x>a)\\k<x>", "backreferences are not supported", at: 7),
    ErrorCase("a(?=b)", "lookahead assertions are not supported", at: 1),
    ErrorCase("a(?!b)", "lookahead assertions are not supported", at: 1),
    ErrorCase("(?<=a)b", "lookbehind assertions are not supported", at: 0),
    ErrorCase("(?<!a)b", "lookbehind assertions are not supported", at: 0),
    ErrorCase("(?i)abc", "inline flags are not supported", at: 0),
    ErrorCase("x(?i:abc)", "inline flags are not supported", at: 1),
    ErrorCase("(?-i:abc)", "inline flags are not supported", at: 0),
    ErrorCase("\\p{L}", "Unicode property escapes are not supported", at: 0),
    ErrorCase("[\\P{L}]", "Unicode property escapes are not supported", at: 1),
    // Groups.
    ErrorCase("(?P<x>a)", "invalid group; write '(?<name>' for a named group", at: 0),
    ErrorCase("(?#comment)", "invalid group; expected '(', '(?:' or '(?<name>'", at: 0),
    ErrorCase("(?<>a)", "invalid group name", at: 3),
    ErrorCase("(?<1a>a)", "invalid group name", at: 3),
    ErrorCase("(?<a-b>a)", "invalid group name", at: 4),
    ErrorCase("(?<ab", "unterminated group name", at: 0),
    // Balance.
    ErrorCase("a)", "unbalanced ')'", at: 1),
    ErrorCase("(a))", "unbalanced ')'", at: 3),
    ErrorCase(")", "unbalanced ')'", at: 0),
    ErrorCase("(a", "unbalanced '('", at: 0),
    ErrorCase("x(a(b)", "unbalanced '('", at: 1),
    ErrorCase("[ab", "unbalanced '['", at: 0),
    ErrorCase("x[a\\]", "unbalanced '['", at: 1),
    ErrorCase("a]", "unbalanced ']'; write '\\]' for a literal ']'", at: 1),
    ErrorCase("a}", "unbalanced '}'; write '\\}' for a literal '}'", at: 1),
    ErrorCase("a{", "incomplete quantifier; write '\\{' for a literal '{'", at: 1),
    ErrorCase("a{x}", "incomplete quantifier; write '\\{' for a literal '{'", at: 1),
    ErrorCase("a{1", "incomplete quantifier; write '\\{' for a literal '{'", at: 1),
    ErrorCase("a{,2}", "incomplete quantifier; write '\\{' for a literal '{'", at: 1),
    ErrorCase("{", "incomplete quantifier; write '\\{' for a literal '{'", at: 0),
    // Quantifiers.
    ErrorCase("*a", "nothing to repeat", at: 0),
    ErrorCase("+", "nothing to repeat", at: 0),
    ErrorCase("?", "nothing to repeat", at: 0),
    ErrorCase("{2}", "nothing to repeat", at: 0),
    ErrorCase("a**", "nothing to repeat", at: 2),
    ErrorCase("a+*", "nothing to repeat", at: 2),
    ErrorCase("a*??", "nothing to repeat", at: 3),
    ErrorCase("a{2}{3}", "nothing to repeat", at: 4),
    ErrorCase("a|*", "nothing to repeat", at: 2),
    ErrorCase("(*)", "nothing to repeat", at: 1),
    ErrorCase("^*", "nothing to repeat", at: 1),
    ErrorCase("a$+", "nothing to repeat", at: 2),
    ErrorCase("\\b?", "nothing to repeat", at: 2),
    ErrorCase("\\B{2}", "nothing to repeat", at: 2),
    ErrorCase("a{2,1}", "numbers out of order in {} quantifier", at: 1),
    ErrorCase("a{1001}", "the repetition count is too large (more than 1000)", at: 2),
    ErrorCase("a{1,1001}", "the repetition count is too large (more than 1000)", at: 4),
    ErrorCase("a{99999999999999999999}", "the repetition count is too large (more than 1000)", at: 2),
    // Escapes.
    ErrorCase("\\q", "invalid escape '\\q'", at: 0),
    ErrorCase("ab\\e", "invalid escape '\\e'", at: 2),
    ErrorCase("\\@", "invalid escape '\\@'", at: 0),
    ErrorCase("\\ ", "invalid escape '\\ '", at: 0),
    ErrorCase("[\\q]", "invalid escape '\\q' in a character class", at: 1),
    ErrorCase("[\\B]", "invalid escape '\\B' in a character class", at: 1),
    ErrorCase("[\\1]", "invalid escape '\\1' in a character class", at: 1),
    ErrorCase("ab\\", "'\\' at end of pattern", at: 2),
    ErrorCase("[\\", "'\\' at end of pattern", at: 1),
    ErrorCase("\\01", "octal escapes are not supported", at: 0),
    ErrorCase("\\c1", "invalid control escape; expected a letter after '\\c'", at: 0),
    ErrorCase("\\c", "invalid control escape; expected a letter after '\\c'", at: 0),
    ErrorCase("\\x4", "invalid hexadecimal escape; expected '\\x' and two hex digits", at: 0),
    ErrorCase("\\xZZ", "invalid hexadecimal escape; expected '\\x' and two hex digits", at: 0),
    ErrorCase("a\\u12", "invalid Unicode escape; expected '\\uXXXX' or '\\u{X...}'", at: 1),
    ErrorCase("\\u{}", "invalid Unicode escape; expected '\\uXXXX' or '\\u{X...}'", at: 0),
    ErrorCase("\\u{110000}", "invalid Unicode escape; expected '\\uXXXX' or '\\u{X...}'", at: 0),
    ErrorCase("\\u{12", "invalid Unicode escape; expected '\\uXXXX' or '\\u{X...}'", at: 0),
    // Classes.
    ErrorCase("[z-a]", "invalid range 'z-a' in character class (out of order)", at: 1),
    ErrorCase("x[ab9-0]", "invalid range '9-0' in character class (out of order)", at: 4),
    ErrorCase("[文-中]", "invalid range '文-中' in character class (out of order)", at: 1),
    ErrorCase("[\\u9fff-\\u4e00]", "invalid range '\\u9fff-\\u4e00' in character class (out of order)", at: 1),
    ErrorCase("[\\d-z]", "a class escape such as '\\d' cannot be the end of a range", at: 1),
    ErrorCase("[a-\\w]", "a class escape such as '\\d' cannot be the end of a range", at: 1),
    // Offsets count Unicode scalars, not bytes or UTF-16 units.
    ErrorCase("中文😀)", "unbalanced ')'", at: 3),
    ErrorCase("😀😀\\1", "backreferences are not supported", at: 2),
    // Size.
    ErrorCase("(a{100}){100}", "the pattern is too large (more than 10000 states)", at: 8),
    ErrorCase("x((a{10}){10}){100}", "the pattern is too large (more than 10000 states)", at: 14),
    ErrorCase(
      "[a-z]{1000}[a-z]{1000}[a-z]{1000}[a-z]{1000}[a-z]{1000}[a-z]{1000}[a-z]{1000}[a-z]{1000}[a-z]{1000}[a-z]{1000}",
      "the pattern is too large (more than 10000 states)", at: 104),
    ErrorCase(
      String(repeating: "a", count: 1001), "the pattern is too long (more than 1000 characters)", at: 1000),
  ]

  @Test(arguments: cases)
  func rejects(_ item: ErrorCase) {
    #expect(throws: RegexError(item.message, at: item.offset)) { try SafeRegex(item.pattern) }
  }

  @Test func acceptsPatternsAtTheLimits() throws {
    _ = try SafeRegex(String(repeating: "a", count: 1000))
    _ = try SafeRegex("(a{99}){100}")  // 9,900 states
    _ = try SafeRegex("a{1000}b{1000}c{1000}d{1000}e{1000}f{1000}g{1000}h{1000}i{1000}")
    _ = try SafeRegex("[a-z]{0,1000}")
    // Nesting as deep as the length limit allows parses without exhausting the stack.
    let depth = 499
    let nested = String(repeating: "(", count: depth) + "a" + String(repeating: ")", count: depth)
    #expect(try SafeRegex(nested).matches("a"))
    let nestedQuantified = String(repeating: "(", count: 333) + "a" + String(repeating: ")*", count: 333)
    #expect(try SafeRegex(nestedQuantified).matches(""))
  }

  @Test func errorsCarryTheirPosition() {
    do {
      _ = try SafeRegex("^P-[0-9]{4}(?=Q)")
      Issue.record("expected an error")
    } catch {
      #expect(error.offset == 11)
      #expect(error.description == "lookahead assertions are not supported (at offset 11)")
    }
  }
}

@Suite("SafeRegex on schema patterns")
struct RegexSchemaPatternTests {
  @Test func staffAndCustomerIDs() throws {
    let staff = try SafeRegex("^S-[0-9]{4}$")
    #expect(staff.matches("S-0001"))
    #expect(staff.matches("S-9999"))
    #expect(!staff.matches("S-001"))
    #expect(!staff.matches("S-00001"))
    #expect(!staff.matches("C-0001"))
    #expect(!staff.matches("s-0001"))
    #expect(!staff.matches("S-0001\n"))
    #expect(!staff.matches("S-０００１"))
    let customer = try SafeRegex("^C-[0-9]{4}$")
    #expect(customer.matches("C-0042"))
    #expect(!customer.matches("C-42"))
    #expect(!customer.matches("xC-0042"))
  }

  @Test func planIDs() throws {
    let plan = try SafeRegex("^P-[0-9]{4}(Q[1-4]|M[0-9]{2})-[0-9]{2}$")
    #expect(plan.matches("P-2024Q1-01"))
    #expect(plan.matches("P-2024Q4-12"))
    #expect(plan.matches("P-2024M03-07"))
    #expect(!plan.matches("P-2024Q5-01"))
    #expect(!plan.matches("P-2024M3-01"))
    #expect(!plan.matches("P-2024Q1-1"))
    #expect(!plan.matches("P-2024-01"))
    #expect(!plan.matches("P-2024Q1M03-01"))
  }

  @Test func minutesIDs() throws {
    let minutes = try SafeRegex("^[0-9]{4}-[0-9]{2}-[0-9]{2}-[a-z0-9-]+$")
    #expect(minutes.matches("2024-03-15-weekly-sync"))
    #expect(minutes.matches("2024-03-15-q1-review-2"))
    #expect(minutes.matches("2024-03-15--"))
    #expect(!minutes.matches("2024-03-15-"))
    #expect(!minutes.matches("2024-03-15-Weekly"))
    #expect(!minutes.matches("2024-03-15-周会"))
    #expect(!minutes.matches("24-03-15-sync"))
    #expect(!minutes.matches("2024-3-15-sync"))
  }

  @Test func periods() throws {
    let period = try SafeRegex("^[0-9]{4}-(Q[1-4]|H[12]|[0-9]{2})$")
    for valid in ["2024-Q1", "2024-Q4", "2024-H1", "2024-H2", "2024-03", "2024-12"] {
      #expect(period.matches(valid), "\(valid)")
    }
    for invalid in ["2024-Q0", "2024-H3", "2024-3", "2024-123", "2024Q1", "2024-q1", "2024-Q1 "] {
      #expect(!period.matches(invalid), "\(invalid)")
    }
  }

  @Test func fastPathIsUsedForAnchoredSequences() throws {
    #expect(try SafeRegex("^S-[0-9]{4}$").linearMatcher != nil)
    #expect(try SafeRegex("^[0-9]{4}-[0-9]{2}-[0-9]{2}-[a-z0-9-]+$").linearMatcher != nil)
    #expect(try SafeRegex("^[0-9]{2}[0-9]+x$").linearMatcher != nil)  // merged into [0-9]{3,}
    // An alternation, or a variable item followed by an overlapping one, goes to the VM.
    #expect(try SafeRegex("^[0-9]{4}-(Q[1-4]|H[12]|[0-9]{2})$").linearMatcher == nil)
    #expect(try SafeRegex("^[a-z]+[a-c]$").linearMatcher == nil)
    #expect(try SafeRegex("^a*b?$").linearMatcher == nil)
    #expect(try SafeRegex("^[a-z]+[a-c]$").matches("abc"))
    #expect(try SafeRegex("^a*b?$").matches("aab"))
  }
}

@Suite("SafeRegex pathological patterns")
struct RegexPathologicalTests {
  static let length = 20_000

  @Test func nestedStarsDoNotBacktrack() throws {
    let run = String(repeating: "a", count: Self.length)
    #expect(try !SafeRegex("(a*)*b").matches(run))
    #expect(try SafeRegex("(a*)*b").matches(run + "b"))
    #expect(try !SafeRegex("^(a*)*$").matches(run + "b"))
    #expect(try !SafeRegex("(a|a)*b").matches(run))
    #expect(try SafeRegex("(a|a)*b").matches(run + "b"))
    #expect(try !SafeRegex("(a|aa)*c").matches(run))
    #expect(try !SafeRegex("^(a+)+$").matches(run + "!"))
    #expect(try !SafeRegex("(a?){40}a{40}b").matches(run))  // 2^40 paths for a backtracker
    #expect(try !SafeRegex("^(\\w+\\s?)*$").matches(run + "!"))
  }

  @Test func nestedPlusesDoNotBacktrack() throws {
    let run = String(repeating: "x", count: Self.length)
    #expect(try !SafeRegex("(x+x+)+y").matches(run))
    #expect(try SafeRegex("(x+x+)+y").matches(run + "y"))
    #expect(try !SafeRegex("(.*){20}y").matches(run))
  }

  @Test func longInputsThroughEveryPath() throws {
    let digits = String(repeating: "7", count: Self.length)
    // The one-pass matcher, the VM with a start anchor, and the VM with the skip-ahead prefilter.
    #expect(try !SafeRegex("^[0-9]+x$").matches(digits))
    #expect(try SafeRegex("^[0-9]+$").matches(digits))
    #expect(try !SafeRegex("^(7|77)+8$").matches(digits))
    #expect(try !SafeRegex("8").matches(digits))
    #expect(try SafeRegex("78?$").matches(digits))
    #expect(try SafeRegex("\\b7+\\b").wholeMatch(digits))
    let cjk = String(repeating: "中文", count: Self.length / 2)
    #expect(try SafeRegex("^[\\u4e00-\\u9fff]+$").matches(cjk))
    #expect(try !SafeRegex("(中|文|中文)*x").matches(cjk))
  }
}

@Suite("SafeRegex on UTF-8 bytes")
struct RegexUTF8Tests {
  private func matches(_ pattern: String, _ bytes: [UInt8]) throws -> Bool {
    let regex = try SafeRegex(pattern)
    return bytes.withUnsafeBufferPointer { regex.matches(utf8: $0) }
  }

  @Test func decodesMultibyteScalars() throws {
    #expect(try matches("^.{3}$", Array("é中😀".utf8)))
    #expect(try matches("^中文$", [0xE4, 0xB8, 0xAD, 0xE6, 0x96, 0x87]))
  }

  @Test func invalidBytesReadAsReplacementCharacters() throws {
    #expect(try matches("^a\\uFFFDb$", [0x61, 0xFF, 0x62]))
    #expect(try matches("^a\\uFFFDb$", [0x61, 0x80, 0x62]))  // stray continuation byte
    #expect(try matches("^a\\uFFFDb$", [0x61, 0xE4, 0xB8, 0x62]))  // truncated sequence: one U+FFFD
    #expect(try matches("^\\uFFFD{2}$", [0xED, 0xA0]))  // encoded surrogate: ED, then A0
    #expect(try matches("^\\uFFFD{2}$", [0xC0, 0xAF]))  // overlong
    #expect(try matches("^\\uFFFD$", [0xF4]))  // truncated at the end
    #expect(try matches("^\\uFFFD{4}$", [0xF5, 0x80, 0x80, 0x80]))  // beyond U+10FFFF
    #expect(try matches("^.$", [0xE4, 0xB8]))
  }

  @Test func emptyBuffer() throws {
    let regex = try SafeRegex("^$")
    #expect(regex.matches(utf8: UnsafeBufferPointer(start: nil, count: 0)))
    #expect(try !SafeRegex("a").matches(utf8: UnsafeBufferPointer(start: nil, count: 0)))
  }
}
