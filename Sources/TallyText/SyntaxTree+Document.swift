extension SyntaxTree {
  /// The document as a tree of ``Node`` values (with positions, comments and styles), which
  /// the canonical printer and edits work on.
  public func document() -> Document {
    var root = Node.Mapping()
    if case .mapping(let mapping) = node(0) { root = mapping }
    return Document(
      root: root, headerComments: leadingComments(header), path: path, source: source,
      hadByteOrderMark: hadByteOrderMark, usedCRLF: usedCRLF)
  }

  func node(_ index: Int) -> Node {
    let record = records[index]
    switch record.kind {
    case .null:
      return .null(SourceRange(at: position(of: Int(record.start))))
    case .scalar:
      return .scalar(scalar(record))
    case .mapping:
      var entries: [Node.Mapping.Entry] = []
      entries.reserveCapacity(Int(record.count))
      var k = index + 1
      for _ in 0..<Int(record.count) {
        let keyRecord = records[k]
        let key = scalar(keyRecord)
        let value = node(k + 1)
        let trivia = Trivia(
          leadingComments: leadingComments(keyRecord.trivia), blankLineBefore: keyRecord.flags & 1 != 0,
          trailingComment: trailingComment(keyRecord.trivia))
        let end = max(Int(records[k + 1].end), Int(keyRecord.end))
        entries.append(
          Node.Mapping.Entry(key: key, value: value, trivia: trivia, range: range(Int(keyRecord.start), end)))
        k += 1 + Int(records[k + 1].size)
      }
      let span: SourceRange? = record.count > 0 || record.style == 1 ? range(Int(record.start), Int(record.end)) : nil
      return .mapping(
        Node.Mapping(
          entries: entries, isFlow: record.style == 1, range: span, endComments: leadingComments(record.endTrivia)))
    case .sequence:
      var items: [Node.Sequence.Item] = []
      items.reserveCapacity(Int(record.count))
      var k = index + 1
      for _ in 0..<Int(record.count) {
        let itemRecord = records[k]
        let value = node(k)
        let trivia = Trivia(
          leadingComments: leadingComments(itemRecord.trivia), blankLineBefore: itemRecord.flags & 1 != 0,
          trailingComment: trailingComment(itemRecord.trivia))
        let start = Int(itemRecord.aux)
        let end = max(Int(itemRecord.end), start + (record.style == 1 ? 0 : 1))
        items.append(Node.Sequence.Item(value: value, trivia: trivia, range: range(start, end)))
        k += Int(itemRecord.size)
      }
      let span: SourceRange? = record.count > 0 || record.style == 1 ? range(Int(record.start), Int(record.end)) : nil
      return .sequence(
        Node.Sequence(
          items: items, isFlow: record.style == 1, range: span, endComments: leadingComments(record.endTrivia)))
    }
  }

  func scalar(_ record: Record) -> Node.Scalar {
    let style = ScalarStyle.code(record.style)
    var folded: [String]?
    if style == .folded, let index = recordIndex(of: record) {
      folded = foldedLines[Int32(index)]
    }
    return Node.Scalar(
      text: scalarText(record), style: style, range: range(Int(record.start), Int(record.end)),
      chomping: .code(record.chomping), foldedLines: folded)
  }

  /// The index of a folded scalar's record (folded lines are keyed by it); folded scalars
  /// are rare, so a search through the few keys is fine.
  func recordIndex(of record: Record) -> Int? {
    for (index, _) in foldedLines where records[Int(index)].start == record.start {
      return Int(index)
    }
    return nil
  }
}
