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
///
/// Most nodes have no comments, so they are kept out of line: a node without any costs a
/// pointer and a flag.
public struct Trivia: Sendable, Hashable {
  final class Storage: Sendable, Hashable {
    let leadingComments: [LeadingComment]
    let trailingComment: Comment?

    init(leadingComments: [LeadingComment], trailingComment: Comment?) {
      self.leadingComments = leadingComments
      self.trailingComment = trailingComment
    }

    static func == (lhs: Storage, rhs: Storage) -> Bool {
      lhs.leadingComments == rhs.leadingComments && lhs.trailingComment == rhs.trailingComment
    }

    func hash(into hasher: inout Hasher) {
      hasher.combine(leadingComments)
      hasher.combine(trailingComment)
    }
  }

  private var storage: Storage?
  /// Whether an empty line came right before the node's own first line.
  public var blankLineBefore: Bool

  /// Own-line comments before the node, in order.
  public var leadingComments: [LeadingComment] {
    get { storage?.leadingComments ?? [] }
    set { update(leadingComments: newValue, trailingComment: trailingComment) }
  }

  /// A comment after the value on the node's first line (`key: value  # comment`).
  public var trailingComment: Comment? {
    get { storage?.trailingComment }
    set { update(leadingComments: leadingComments, trailingComment: newValue) }
  }

  public init(
    leadingComments: [LeadingComment] = [], blankLineBefore: Bool = false,
    trailingComment: Comment? = nil
  ) {
    self.blankLineBefore = blankLineBefore
    self.storage = nil
    update(leadingComments: leadingComments, trailingComment: trailingComment)
  }

  private mutating func update(leadingComments: [LeadingComment], trailingComment: Comment?) {
    if leadingComments.isEmpty && trailingComment == nil {
      storage = nil
    } else {
      storage = Storage(leadingComments: leadingComments, trailingComment: trailingComment)
    }
  }

  public static let none = Trivia()
}
