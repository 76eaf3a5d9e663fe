/// A regular expression that always matches in linear time, for patterns that come from users.
///
/// Schemas may carry patterns (`pattern:` constraints, id patterns) written by anyone, so a
/// pattern must never be able to hang the validator. `SafeRegex` accepts a subset of ECMAScript
/// regular expressions (the dialect of JSON Schema, read as with the `u` flag, so the same text
/// works in editors) that can be matched without backtracking, and matches in
/// O(text length × pattern size) time: `(a*)*b` or `(x+x+)+y` on a long text is as quick as any
/// other pattern.
///
/// ```swift
/// let id = try SafeRegex("^C-[0-9]{4}$")
/// id.matches("C-0042")      // true
/// id.matches("C-42")        // false
/// ```
///
/// ## Syntax
///
/// - Literals: any code point; escaped metacharacters `\^ \$ \\ \. \* \+ \? \( \) \[ \] \{ \}
///   \| \/ \-`; `\t \n \v \f \r \0`, `\cX`, `\xHH`, `\uXXXX` (a surrogate pair `\uD83D\uDE00`
///   is one code point) and `\u{X...}`.
/// - `.`: any code point except the ECMAScript line terminators (`\n`, `\r`, U+2028, U+2029).
/// - Classes: `[...]` and `[^...]` with ranges (`[a-z]`, `[\u4E00-\u9FFF]`) and escapes; inside
///   a class `\b` is backspace and `\-` a hyphen. `[]` matches nothing and `[^]` anything.
/// - `\d` is `[0-9]`, `\w` is `[A-Za-z0-9_]`, `\s` is ECMAScript white space: tab, `\n`, `\v`,
///   `\f`, `\r`, space, U+00A0, U+1680, U+2000–U+200A, U+2028, U+2029, U+202F, U+205F, U+3000,
///   U+FEFF. `\D \W \S` are their complements.
/// - Anchors `^` and `$` (the start and end of the input: there is no multiline mode); `\b` and
///   `\B` (word boundaries, by the ASCII `\w`).
/// - Groups `( )`, `(?: )` and `(?<name> )`, all of them plain groups (a name may repeat);
///   alternation `|`.
/// - Quantifiers `* + ? {n} {n,} {n,m}` and their lazy forms `*? +? ?? {n,m}?`, which give the
///   same yes/no answer.
///
/// Matching is per Unicode scalar (code point), without case folding or normalization.
///
/// Two leniencies beyond ECMAScript's `u` mode: `\-` is accepted outside a class too, and a
/// group name may be used twice. Patterns meant for editors as well should avoid both.
///
/// Rejected, with a ``RegexError`` that gives the offset of the construct: backreferences
/// (`\1`, `\k<name>`), lookahead and lookbehind, inline flags (`(?i)`), Unicode property escapes
/// (`\p{L}`), unbalanced `( ) [ ] { }`, quantifiers with nothing to repeat (`*a`, `a**`, `^*`),
/// `{2,1}`, unknown escapes (`\q`, `\@`), octal escapes, and ranges out of order (`[z-a]`).
/// Limits: a pattern of at most 1,000 characters, repetition counts up to 1,000, and at most
/// 10,000 compiled states (counted repetition is expanded, so `(a{100}){100}` is too large).
///
/// ## How it works
///
/// ``init(_:)`` parses the pattern into a tree (`SafeRegex.Parser`, `SafeRegex.Node`), compiles
/// the tree into a small instruction array (`SafeRegex.Compiler`, `SafeRegex.Program`) and,
/// when the pattern is an anchored sequence of literals and classes, also builds a one-pass
/// matcher for it (`SafeRegex.LinearMatcher`). Matching decodes UTF-8 on the fly and runs that
/// matcher or a Pike VM over the instructions (`SafeRegex.PikeVM`).
public struct SafeRegex: Sendable, Hashable {
  /// The pattern, as written.
  public let pattern: String

  let program: Program
  let linearMatcher: LinearMatcher?

  /// Compiles a pattern.
  ///
  /// - Parameter pattern: An ECMAScript regular expression in the supported subset.
  /// - Throws: ``RegexError`` when the pattern is malformed, uses an unsupported construct or is
  ///   over a size limit.
  public init(_ pattern: String) throws(RegexError) {
    var parser = Parser(pattern)
    let node = try parser.parse()
    self.pattern = pattern
    program = try Compiler.compile(node)
    linearMatcher = LinearMatcher(node)
  }

  /// Whether the pattern matches anywhere in `text`, as `RegExp.prototype.test` and JSON
  /// Schema's `pattern` do. Use `^` and `$` to anchor it.
  ///
  /// - Parameter text: The text to search.
  /// - Returns: True when some part of `text` (possibly an empty one) matches.
  public func matches(_ text: String) -> Bool {
    var text = text
    return text.withUTF8 { matches(utf8: $0) }
  }

  /// Whether the pattern matches anywhere in the text encoded by `utf8`, without making a string.
  ///
  /// - Parameter utf8: UTF-8 text. Ill-formed sequences do not trap; each reads as U+FFFD.
  /// - Returns: True when some part of the text (possibly an empty one) matches.
  public func matches(utf8: UnsafeBufferPointer<UInt8>) -> Bool {
    if let linearMatcher, let result = linearMatcher.matches(utf8, whole: false) { return result }
    return PikeVM.run(program, on: utf8, whole: false)
  }

  /// Whether the pattern matches the whole of `text`, as if it were written `^(?:pattern)$`.
  ///
  /// - Parameter text: The text to match.
  /// - Returns: True when all of `text` matches.
  public func wholeMatch(_ text: String) -> Bool {
    var text = text
    return text.withUTF8 { utf8 in
      if let linearMatcher, let result = linearMatcher.matches(utf8, whole: true) { return result }
      return PikeVM.run(program, on: utf8, whole: true)
    }
  }

  /// Two regexes are equal when their patterns are.
  public static func == (lhs: SafeRegex, rhs: SafeRegex) -> Bool {
    lhs.pattern == rhs.pattern
  }

  /// Hashes the pattern.
  public func hash(into hasher: inout Hasher) {
    hasher.combine(pattern)
  }
}
