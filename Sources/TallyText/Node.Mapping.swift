extension Node {
  /// A mapping: keys in the order they were written.
  public struct Mapping: Sendable, Hashable {
    /// One `key: value` pair with the comments and empty lines around it.
    public struct Entry: Sendable, Hashable {
      public var key: Scalar
      public var value: Node
      public var trivia: Trivia
      /// From the start of the key to the end of the value (not including the line break).
      public var range: SourceRange?

      public init(key: Scalar, value: Node, trivia: Trivia = .none, range: SourceRange? = nil) {
        self.key = key
        self.value = value
        self.trivia = trivia
        self.range = range
      }
    }

    public var entries: [Entry]
    /// `true` for `{}` written in flow style (only an empty mapping can be).
    public var isFlow: Bool
    public var range: SourceRange?
    /// Own-line comments after the last entry that are indented like the entries.
    public var endComments: [LeadingComment]

    public init(
      entries: [Entry] = [], isFlow: Bool = false, range: SourceRange? = nil,
      endComments: [LeadingComment] = []
    ) {
      self.entries = entries
      self.isFlow = isFlow
      self.range = range
      self.endComments = endComments
    }

    /// The index of the entry with `key`.
    public func index(of key: String) -> Int? {
      entries.firstIndex { $0.key.hasText(key) }
    }

    /// The value node at `key`.
    public subscript(key: String) -> Node? {
      index(of: key).map { entries[$0].value }
    }

    public var value: Value {
      .mapping(entries.map { Value.Pair(key: $0.key.text, value: $0.value.value) })
    }
  }
}
