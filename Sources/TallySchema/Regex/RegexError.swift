/// Why a regular expression was rejected, and where.
///
/// ``SafeRegex/init(_:)`` throws this for every pattern it does not accept: syntax errors,
/// constructs that need backtracking (backreferences, lookaround), and patterns over the size
/// limits. The offset points at the construct at fault, so a schema diagnostic can underline it.
public struct RegexError: Error, Sendable, Hashable, CustomStringConvertible {
  /// What is wrong, in a short lower-case phrase, for example `"backreferences are not supported"`.
  public var message: String

  /// Where the problem is: a 0-based offset into the pattern, counted in Unicode scalars
  /// (for the patterns people write, one per character).
  public var offset: Int

  /// Creates an error.
  ///
  /// - Parameters:
  ///   - message: What is wrong.
  ///   - offset: The 0-based offset in the pattern, in Unicode scalars.
  public init(_ message: String, at offset: Int) {
    self.message = message
    self.offset = offset
  }

  /// The message followed by the offset, for example
  /// `"unbalanced ')' (at offset 3)"`.
  public var description: String {
    "\(message) (at offset \(offset))"
  }
}
