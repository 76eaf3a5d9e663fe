/// A `#` comment, kept through every rewrite.
public struct Comment: Sendable, Hashable {
  /// The text after `#`, exactly as written (usually starting with a space).
  public var text: String
  /// Where the comment was in the source; `nil` for comments made by an edit.
  public var range: SourceRange?

  public init(text: String, range: SourceRange? = nil) {
    self.text = text
    self.range = range
  }
}

/// A comment on a line of its own, before the node it belongs to.
public struct LeadingComment: Sendable, Hashable {
  public var comment: Comment
  /// Whether an empty line came before the comment.
  public var blankLineBefore: Bool

  public init(_ comment: Comment, blankLineBefore: Bool = false) {
    self.comment = comment
    self.blankLineBefore = blankLineBefore
  }
}

/// What surrounds a mapping entry or a sequence item without being part of its value:
/// own-line comments before it, empty lines, and a comment at the end of its first line.
public struct Trivia: Sendable, Hashable {
  public var leadingComments: [LeadingComment]
  /// Whether an empty line came right before the node's own first line.
  public var blankLineBefore: Bool
  /// A comment after the value on the node's first line (`key: value  # comment`).
  public var trailingComment: Comment?

  public init(
    leadingComments: [LeadingComment] = [], blankLineBefore: Bool = false,
    trailingComment: Comment? = nil
  ) {
    self.leadingComments = leadingComments
    self.blankLineBefore = blankLineBefore
    self.trailingComment = trailingComment
  }

  public static let none = Trivia()
}
