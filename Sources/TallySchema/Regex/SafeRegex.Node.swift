extension SafeRegex {
  /// A parsed pattern: what the parser produces and the compiler consumes.
  ///
  /// Groups leave no trace (they only shape the tree) because a yes/no match needs no captures;
  /// lazy quantifiers are plain repetitions for the same reason.
  indirect enum Node: Hashable, Sendable {
    /// Matches the empty string (an empty pattern, branch or group).
    case empty
    /// One code point.
    case scalar(UInt32)
    /// One code point from a set: `.`, `[...]`, `\d` and the like.
    case set(ScalarSet)
    /// A zero-width test: `^`, `$`, `\b`, `\B`.
    case assertion(Assertion)
    /// The items one after another.
    case concatenation([Node])
    /// Any one of the branches.
    case alternation([Node])
    /// The node repeated `min` to `max` times (`max == nil`: no upper bound). `offset` is where
    /// the quantifier starts in the pattern, for the size error.
    case repetition(Node, min: Int, max: Int?, offset: Int)
  }

  /// A zero-width assertion.
  enum Assertion: Hashable, Sendable {
    /// `^`: the start of the input.
    case start
    /// `$`: the end of the input.
    case end
    /// `\b`: between an ASCII word character and a non-word character (or an end).
    case wordBoundary
    /// `\B`: not at a word boundary.
    case notWordBoundary
  }
}
