/// A tree's nodes by index, read through pointers: for code that visits every node of many
/// files (the validator), where each ``SyntaxNode`` — a view that holds its tree — costs a
/// reference count when it is made, copied and dropped.
///
/// Only valid inside ``SyntaxTree/withNodes(_:)``. A node is its index; a mapping's entries
/// follow it as key, value, key, value…, each value followed by what is under it; a
/// sequence's items follow it the same way. ``SyntaxTree/node(at:)`` makes the full view of
/// one (for its position or text, when there is a problem to report).
public struct SyntaxNodes {
  let records: UnsafeBufferPointer<SyntaxTree.Record>
  let source: UnsafeBufferPointer<UInt8>
  let strings: UnsafeBufferPointer<String>

  /// The record's top-level mapping.
  public var root: Int { 0 }

  public func isNull(_ node: Int) -> Bool { records[node].kind == .null }
  public func isScalar(_ node: Int) -> Bool { records[node].kind == .scalar }
  public func isMapping(_ node: Int) -> Bool { records[node].kind == .mapping }
  public func isSequence(_ node: Int) -> Bool { records[node].kind == .sequence }

  /// The number of entries of a mapping or items of a sequence (0 for scalars).
  public func count(_ node: Int) -> Int {
    let record = records[node]
    return record.kind == .mapping || record.kind == .sequence ? Int(record.count) : 0
  }

  /// The first entry's key of a mapping, or the first item of a sequence (when it has one).
  public func firstChild(of node: Int) -> Int { node + 1 }

  /// The node after `node` and everything under it: the next key after an entry's value,
  /// the next item after an item.
  public func next(after node: Int) -> Int { node + Int(records[node].size) }

  /// Calls `body` with a scalar's text as UTF-8 bytes; nil for anything else.
  public func withUTF8<R>(_ node: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R? {
    let record = records[node]
    guard record.kind == .scalar else { return nil }
    if record.text >= 0 {
      var text = strings[Int(record.text)]
      return try text.withUTF8(body)
    }
    return try body(UnsafeBufferPointer(rebasing: source[record.sourceText]))
  }

  /// A scalar's text as UTF-8 bytes, when it is in the source as written (unquoted, or
  /// quoted without escapes); nil for anything else. Valid as long as the nodes are.
  public func sourceUTF8(_ node: Int) -> UnsafeBufferPointer<UInt8>? {
    let record = records[node]
    guard record.kind == .scalar, record.text < 0 else { return nil }
    return UnsafeBufferPointer(rebasing: source[record.sourceText])
  }

  /// A scalar's text; nil for anything else.
  public func text(_ node: Int) -> String? {
    let record = records[node]
    guard record.kind == .scalar else { return nil }
    if record.text >= 0 { return strings[Int(record.text)] }
    return withUTF8(node) { String(decoding: $0, as: UTF8.self) }
  }

  /// The value of a mapping's entry whose key's text is `key` (UTF-8).
  public func value(of node: Int, forKey key: UnsafeBufferPointer<UInt8>) -> Int? {
    guard records[node].kind == .mapping else { return nil }
    var position = node + 1
    for _ in 0..<Int(records[node].count) {
      let value = position + 1
      if withUTF8(position, { $0.hasSameBytes(as: key) }) == true { return value }
      position = next(after: value)
    }
    return nil
  }
}

extension SyntaxTree {
  /// Calls `body` with the tree's nodes by index (see ``SyntaxNodes``).
  public func withNodes<R>(_ body: (SyntaxNodes) throws -> R) rethrows -> R {
    try records.withUnsafeBufferPointer { records in
      try source.withUnsafeBufferPointer { source in
        try strings.withUnsafeBufferPointer { strings in
          try body(SyntaxNodes(records: records, source: source, strings: strings))
        }
      }
    }
  }

  /// The view of the node at `index` (an index from ``withNodes(_:)``).
  public func node(at index: Int) -> SyntaxNode { SyntaxNode(tree: self, index: index) }
}
