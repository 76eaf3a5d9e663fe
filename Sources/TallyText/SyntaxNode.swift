/// A node of a ``SyntaxTree``: a light view (the tree and an index) with the node's kind,
/// text, position and children.
public struct SyntaxNode: Sendable {
  public enum Kind: Sendable, Equatable {
    case null
    case scalar
    case mapping
    case sequence
  }

  public let tree: SyntaxTree
  public let index: Int

  init(tree: SyntaxTree, index: Int) {
    self.tree = tree
    self.index = index
  }

  var record: SyntaxTree.Record { tree.records[index] }

  public var kind: Kind {
    switch record.kind {
    case .null: .null
    case .scalar: .scalar
    case .mapping: .mapping
    case .sequence: .sequence
    }
  }

  public var isNull: Bool { record.kind == .null }
  public var isScalar: Bool { record.kind == .scalar }
  public var isMapping: Bool { record.kind == .mapping }
  public var isSequence: Bool { record.kind == .sequence }

  /// How a scalar was written.
  public var style: ScalarStyle {
    ScalarStyle.code(record.style)
  }

  /// Whether a list or mapping is written in flow style (`[a, b]`, `{}`).
  public var isFlow: Bool { record.kind != .scalar && record.style == 1 }

  /// The node's bytes in the source.
  public var byteRange: Range<Int> { Int(record.start)..<Int(max(record.start, record.end)) }

  /// The node's position in the source.
  public var range: SourceRange { tree.range(Int(record.start), Int(record.end)) }

  /// A scalar's text (escapes decoded, folding applied); nil for anything else.
  public var text: String? {
    let record = record
    return record.kind == .scalar ? tree.scalarText(record) : nil
  }

  /// Calls `body` with a scalar's text as UTF-8 bytes (without making a `String` for text
  /// that is in the source as written); nil for anything else.
  public func withUTF8<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R? {
    let record = record
    guard record.kind == .scalar else { return nil }
    return try tree.scalarBytes(record, body)
  }

  /// Whether this is a scalar whose text is `other`.
  public func hasText(_ other: String) -> Bool {
    var other = other
    return other.withUTF8 { o in withUTF8 { $0.hasSameBytes(as: o) } ?? false }
  }

  /// The number of entries of a mapping or items of a sequence (0 for scalars).
  public var count: Int { record.kind == .mapping || record.kind == .sequence ? Int(record.count) : 0 }

  /// A mapping's entries, in file order.
  public var entries: Entries { Entries(node: self) }

  /// A sequence's items, in order.
  public var items: Items { Items(node: self) }

  /// The value of a mapping's entry with `key`.
  public subscript(key: String) -> SyntaxNode? {
    var key = key
    return key.withUTF8 { value(forKey: $0) }
  }

  /// The value of a mapping's entry whose key's text is `key` (UTF-8): one pass over the
  /// records, comparing bytes, without making strings.
  public func value(forKey key: UnsafeBufferPointer<UInt8>) -> SyntaxNode? {
    let tree = tree
    let found = tree.source.withUnsafeBufferPointer { source in
      tree.records.withUnsafeBufferPointer { records -> Int? in
        let record = records[index]
        guard record.kind == .mapping else { return nil }
        var position = index + 1
        for _ in 0..<Int(record.count) {
          let keyRecord = records[position]
          let value = position + 1
          if keyRecord.kind == .scalar {
            if keyRecord.text < 0 {
              // Keys are mostly plain: their length tells most of them apart before a byte
              // is compared.
              let text = keyRecord.sourceText
              if text.count == key.count, UnsafeBufferPointer(rebasing: source[text]).hasSameBytes(as: key) {
                return value
              }
            } else if tree.scalarBytes(keyRecord, { $0.hasSameBytes(as: key) }) {
              return value
            }
          }
          position = value + Int(records[value].size)
        }
        return nil
      }
    }
    return found.map { SyntaxNode(tree: tree, index: $0) }
  }

  /// A mapping entry: its key, its value and where it is.
  public struct Entry: Sendable {
    public let key: SyntaxNode
    public let value: SyntaxNode

    /// From the start of the key to the end of the value.
    public var range: SourceRange {
      let start = Int(key.record.start)
      let end = max(Int(value.record.end), Int(key.record.end))
      return key.tree.range(start, end)
    }

    /// Comments on lines of their own before the entry.
    public var leadingComments: [LeadingComment] { key.tree.leadingComments(key.record.trivia) }

    /// The comment at the end of the entry's first line.
    public var trailingComment: Comment? { key.tree.trailingComment(key.record.trivia) }
  }

  public struct Entries: Sequence, Sendable {
    let node: SyntaxNode

    public struct Iterator: IteratorProtocol {
      let tree: SyntaxTree
      var position: Int
      var remaining: Int

      public mutating func next() -> Entry? {
        guard remaining > 0 else { return nil }
        remaining -= 1
        let key = position
        let value = key + 1
        position = value + Int(tree.records[value].size)
        return Entry(key: SyntaxNode(tree: tree, index: key), value: SyntaxNode(tree: tree, index: value))
      }
    }

    public func makeIterator() -> Iterator {
      let record = node.record
      let count = record.kind == .mapping ? Int(record.count) : 0
      return Iterator(tree: node.tree, position: node.index + 1, remaining: count)
    }

    public var underestimatedCount: Int { node.count }
  }

  public struct Items: Sequence, Sendable {
    let node: SyntaxNode

    public struct Iterator: IteratorProtocol {
      let tree: SyntaxTree
      var position: Int
      var remaining: Int

      public mutating func next() -> SyntaxNode? {
        guard remaining > 0 else { return nil }
        remaining -= 1
        let item = position
        position = item + Int(tree.records[item].size)
        return SyntaxNode(tree: tree, index: item)
      }
    }

    public func makeIterator() -> Iterator {
      let record = node.record
      let count = record.kind == .sequence ? Int(record.count) : 0
      return Iterator(tree: node.tree, position: node.index + 1, remaining: count)
    }

    public var underestimatedCount: Int { node.count }
  }

  /// What the node means, without layout.
  public var value: Value {
    switch record.kind {
    case .null:
      return .null
    case .scalar:
      return .scalar(tree.scalarText(record), style: style)
    case .sequence:
      var values: [Value] = []
      values.reserveCapacity(count)
      for item in items { values.append(item.value) }
      return .sequence(values)
    case .mapping:
      var pairs: [Value.Pair] = []
      pairs.reserveCapacity(count)
      for entry in entries {
        pairs.append(Value.Pair(key: entry.key.text ?? "", value: entry.value.value))
      }
      return .mapping(pairs)
    }
  }

  /// Appends the node's value as JSON (the same as `value.writeJSON`, without building it).
  public func writeJSON(into out: inout [UInt8], pretty: Bool = false, indent: Int = 0) {
    switch record.kind {
    case .null:
      out.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])
    case .scalar:
      _ = withUTF8 { JSON.writeString(bytes: $0, into: &out) }
    case .sequence:
      if count == 0 {
        out.append(contentsOf: [0x5B, 0x5D])
        return
      }
      out.append(0x5B)
      for (position, item) in items.enumerated() {
        if position > 0 { out.append(0x2C) }
        if pretty { JSON.newline(&out, indent + 2) }
        item.writeJSON(into: &out, pretty: pretty, indent: indent + 2)
      }
      if pretty { JSON.newline(&out, indent) }
      out.append(0x5D)
    case .mapping:
      if count == 0 {
        out.append(contentsOf: [0x7B, 0x7D])
        return
      }
      out.append(0x7B)
      for (position, entry) in entries.enumerated() {
        if position > 0 { out.append(0x2C) }
        if pretty { JSON.newline(&out, indent + 2) }
        _ = entry.key.withUTF8 { JSON.writeString(bytes: $0, into: &out) }
        out.append(0x3A)
        if pretty { out.append(0x20) }
        entry.value.writeJSON(into: &out, pretty: pretty, indent: indent + 2)
      }
      if pretty { JSON.newline(&out, indent) }
      out.append(0x7D)
    }
  }
}

extension ScalarStyle {
  /// The compact code the flat syntax tree (and the history cache) stores.
  public var code: UInt8 {
    switch self {
    case .plain: 0
    case .singleQuoted: 1
    case .doubleQuoted: 2
    case .literal: 3
    case .folded: 4
    }
  }

  /// The style of a stored code; nil for a code that names none.
  public init?(code: UInt8) {
    switch code {
    case 0: self = .plain
    case 1: self = .singleQuoted
    case 2: self = .doubleQuoted
    case 3: self = .literal
    case 4: self = .folded
    default: return nil
    }
  }

  /// The style of a code from a syntax tree this process built (plain for any other).
  static func code(_ code: UInt8) -> ScalarStyle { ScalarStyle(code: code) ?? .plain }
}

extension Node.Scalar.Chomping {
  var code: UInt8 {
    switch self {
    case .clip: 0
    case .strip: 1
    case .keep: 2
    }
  }

  static func code(_ code: UInt8) -> Node.Scalar.Chomping {
    switch code {
    case 1: .strip
    case 2: .keep
    default: .clip
    }
  }
}

extension UnsafeBufferPointer<UInt8> {
  /// Whether the two byte ranges hold the same bytes (a length check, then a plain loop:
  /// keys and enum values are short, and `elementsEqual` walks iterators).
  @inlinable
  public func hasSameBytes(as other: UnsafeBufferPointer<UInt8>) -> Bool {
    guard count == other.count else { return false }
    var index = 0
    while index < count {
      if self[index] != other[index] { return false }
      index += 1
    }
    return true
  }

  /// Whether the range holds exactly `bytes`.
  @inlinable
  public func hasSameBytes(as bytes: [UInt8]) -> Bool {
    guard count == bytes.count else { return false }
    return bytes.withUnsafeBufferPointer { hasSameBytes(as: $0) }
  }
}
