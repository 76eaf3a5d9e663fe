extension Node {
  /// A sequence: written as a block (`- item` lines) or in flow style (`[a, b]`).
  public struct Sequence: Sendable, Hashable {
    /// One item with the comments and empty lines around it.
    public struct Item: Sendable, Hashable {
      public var value: Node
      public var trivia: Trivia
      /// From the `-` (or the first character in flow style) to the end of the value.
      public var range: SourceRange?

      public init(value: Node, trivia: Trivia = .none, range: SourceRange? = nil) {
        self.value = value
        self.trivia = trivia
        self.range = range
      }
    }

    public var items: [Item]
    public var isFlow: Bool
    public var range: SourceRange?
    /// Own-line comments after the last item that are indented like the items.
    public var endComments: [LeadingComment]

    public init(
      items: [Item] = [], isFlow: Bool = false, range: SourceRange? = nil,
      endComments: [LeadingComment] = []
    ) {
      self.items = items
      self.isFlow = isFlow
      self.range = range
      self.endComments = endComments
    }
  }
}
