/// A node of the lossless syntax tree of a record file.
///
/// The tree keeps what a person wrote — comments, empty lines, scalar styles, positions —
/// so that the canonical printer and edits change only what they must.
public enum Node: Sendable, Hashable {
  case scalar(Scalar)
  case mapping(Mapping)
  case sequence(Sequence)
  /// An empty value (`key:` with nothing after it), which means null.
  case null(SourceRange?)

  /// Where the node is in the source, when it came from one.
  public var range: SourceRange? {
    switch self {
    case .scalar(let scalar): scalar.range
    case .mapping(let mapping): mapping.range
    case .sequence(let sequence): sequence.range
    case .null(let range): range
    }
  }

  /// The value this node means, without layout.
  public var value: Value {
    switch self {
    case .scalar(let scalar): .scalar(scalar.text, style: scalar.style)
    case .mapping(let mapping): mapping.value
    case .sequence(let sequence): .sequence(sequence.items.map(\.value.value))
    case .null: .null
    }
  }

  public var asMapping: Mapping? {
    if case .mapping(let mapping) = self { return mapping }
    return nil
  }

  public var asSequence: Sequence? {
    if case .sequence(let sequence) = self { return sequence }
    return nil
  }

  public var asScalar: Scalar? {
    if case .scalar(let scalar) = self { return scalar }
    return nil
  }

  public var isNull: Bool {
    if case .null = self { return true }
    return false
  }

  /// Builds a node (without positions or comments) that means `value`.
  public init(_ value: Value) {
    switch value {
    case .null:
      self = .null(nil)
    case .scalar(let text, let style):
      let printable: ScalarStyle = (style == .folded) ? .literal : style
      self = .scalar(Scalar(text: text, style: printable))
    case .sequence(let items):
      self = .sequence(Sequence(items: items.map { Sequence.Item(value: Node($0)) }))
    case .mapping(let pairs):
      self = .mapping(
        Mapping(entries: pairs.map { Mapping.Entry(key: Scalar(text: $0.key), value: Node($0.value)) }))
    }
  }
}

/// How a scalar was written.
public enum ScalarStyle: String, Sendable, Hashable, Codable {
  case plain
  case singleQuoted
  case doubleQuoted
  /// `|`: line breaks kept.
  case literal
  /// `>`: lines folded into spaces.
  case folded
}
