extension Node {
  /// A scalar: text, and how it was written.
  public struct Scalar: Sendable, Hashable {
    /// What a block scalar does with the line breaks at its end.
    public enum Chomping: String, Sendable, Hashable {
      /// `-`: no final line break.
      case strip
      /// (no indicator): one final line break.
      case clip
      /// `+`: every final line break.
      case keep
    }

    /// The text the scalar means (escapes decoded, folding applied).
    public var text: String
    public var style: ScalarStyle
    public var range: SourceRange?
    /// For block scalars: the chomping indicator as written.
    public var chomping: Chomping
    /// For folded scalars from a source: the content lines as written, without their
    /// indentation, so that reprinting keeps the author's line breaks.
    public var foldedLines: [String]?

    public init(
      text: String, style: ScalarStyle = .plain, range: SourceRange? = nil,
      chomping: Chomping = .clip, foldedLines: [String]? = nil
    ) {
      self.text = text
      self.style = style
      self.range = range
      self.chomping = chomping
      self.foldedLines = foldedLines
    }

    /// Calls `body` with the text's UTF-8 bytes.
    public func withUTF8<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
      var copy = text
      return try copy.withUTF8(body)
    }

    /// Whether the text is `other`.
    public func hasText(_ other: String) -> Bool { text == other }

    /// Whether two scalars have the same text.
    public func hasSameText(as other: Scalar) -> Bool { text == other.text }

  }
}
