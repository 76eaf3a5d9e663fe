/// A record file's lossless syntax tree in flat form: every node in one array, in document
/// order, with its byte range, style and comments; scalar text is read from the source
/// bytes when it is needed.
///
/// This is what the parser builds. It costs one array of small records per file instead of
/// a heap object per node, so checking, JSON output and history — which read every file —
/// stay fast. ``SyntaxNode`` views it; ``document()`` turns it into the ``Document``/``Node``
/// tree that the printer and edits work on.
public final class SyntaxTree: Sendable {
  /// One node. Mappings are followed by their entries (a key record, then the value's
  /// records); sequences by their items' records.
  struct Record: Sendable {
    enum Kind: UInt8, Sendable {
      case null
      case scalar
      case mapping
      case sequence
    }

    var kind: Kind
    /// Scalars: `ScalarStyle` code; containers: 1 when written in flow style.
    var style: UInt8
    /// Block scalars: `Chomping` code.
    var chomping: UInt8
    /// Bit 0: an empty line before the entry (on its key record) or the item (on its value).
    var flags: UInt8
    /// The node's byte range.
    var start: Int32
    var end: Int32
    /// Scalars: ≥ 0 an index into `strings`; -1 the text is `start..<end`; -2 it is
    /// `start+1..<end-1` (quoted, without escapes).
    var text: Int32
    /// The number of records of this node and everything under it.
    var size: Int32
    /// Containers: the number of entries or items.
    var count: Int32
    /// Keys: the entry's trivia; item values: the item's trivia (-1: none).
    var trivia: Int32
    /// Containers: comments at the end of the block (-1: none).
    var endTrivia: Int32
    /// Item values: the offset of the item's `-` (or its first character in `[ ]`).
    var aux: Int32

    /// Scalars whose text is in the source as written (`text` < 0): its bytes, without the
    /// quotes.
    var sourceText: Range<Int> {
      let from = Int(text == -1 ? start : start + 1)
      let to = Int(text == -1 ? end : end - 1)
      return from..<max(from, to)
    }
  }

  struct CommentRecord: Sendable {
    /// Offset of the `#`.
    var start: Int32
    /// Offset of the end of the line (before the line break).
    var end: Int32
    var blankLineBefore: Bool
  }

  struct TriviaRecord: Sendable {
    /// Leading (or end) comments: `triviaComments[commentsStart..<commentsStart+count]`.
    var commentsStart: Int32
    var commentsCount: Int32
    /// Index into `comments` of the trailing comment, or -1.
    var trailing: Int32
  }

  public let path: String
  public let source: [UInt8]
  public let hadByteOrderMark: Bool
  public let usedCRLF: Bool
  let records: [Record]
  let strings: [String]
  let comments: [CommentRecord]
  let trivia: [TriviaRecord]
  let triviaComments: [Int32]
  let foldedLines: [Int32: [String]]
  /// Header comments (a trivia index, or -1).
  let header: Int32
  /// Start offset of each line; the high bit marks lines with non-ASCII bytes.
  let lineStarts: [Int32]

  init(
    path: String, source: [UInt8], hadByteOrderMark: Bool, usedCRLF: Bool, records: [Record],
    strings: [String], comments: [CommentRecord], trivia: [TriviaRecord], triviaComments: [Int32],
    foldedLines: [Int32: [String]], header: Int32, lineStarts: [Int32]
  ) {
    self.path = path
    self.source = source
    self.hadByteOrderMark = hadByteOrderMark
    self.usedCRLF = usedCRLF
    self.records = records
    self.strings = strings
    self.comments = comments
    self.trivia = trivia
    self.triviaComments = triviaComments
    self.foldedLines = foldedLines
    self.header = header
    self.lineStarts = lineStarts
  }

  /// The record's top-level mapping.
  public var root: SyntaxNode { SyntaxNode(tree: self, index: 0) }

  /// What the file means.
  public var value: Value { root.value }

  // MARK: - Positions

  static let nonASCIIBit: Int32 = 1 << 30

  /// The 1-based line and column of a byte offset (columns count Unicode scalars).
  public func position(of offset: Int) -> SourcePosition {
    guard !lineStarts.isEmpty else { return SourcePosition(offset: offset, line: 1, column: offset + 1) }
    return position(of: offset, onLine: lineIndex(of: offset))
  }

  /// The index of the line holding byte `offset` (a binary search of the line starts).
  func lineIndex(of offset: Int) -> Int {
    var low = 0
    var high = lineStarts.count - 1
    let target = Int32(truncatingIfNeeded: offset)
    while low < high {
      let mid = (low + high + 1) >> 1
      if lineStarts[mid] & ~Self.nonASCIIBit <= target { low = mid } else { high = mid - 1 }
    }
    return low
  }

  /// The position of byte `offset`, on the line at index `line`.
  func position(of offset: Int, onLine line: Int) -> SourcePosition {
    let entry = lineStarts[line]
    let lineStart = Int(entry & ~Self.nonASCIIBit)
    if entry & Self.nonASCIIBit == 0 {
      return SourcePosition(offset: offset, line: line + 1, column: offset - lineStart + 1)
    }
    var column = 1
    var i = lineStart
    while i < offset, i < source.count {
      if source[i] & 0xC0 != 0x80 { column += 1 }
      i += 1
    }
    return SourcePosition(offset: offset, line: line + 1, column: column)
  }

  /// The source range of `start..<end`. The end is looked for from the start's line: most
  /// ranges (a scalar, a key) end on the line they start on.
  public func range(_ start: Int, _ end: Int) -> SourceRange {
    guard !lineStarts.isEmpty, end >= start else {
      return SourceRange(start: position(of: start), end: position(of: end))
    }
    let startLine = lineIndex(of: start)
    var endLine = startLine
    let target = Int32(truncatingIfNeeded: end)
    while endLine + 1 < lineStarts.count, lineStarts[endLine + 1] & ~Self.nonASCIIBit <= target {
      endLine += 1
      if endLine - startLine > 8 {
        endLine = lineIndex(of: end)
        break
      }
    }
    return SourceRange(start: position(of: start, onLine: startLine), end: position(of: end, onLine: endLine))
  }

  // MARK: - Text

  func scalarBytes<R>(_ record: Record, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
    if record.text >= 0 {
      var text = strings[Int(record.text)]
      return try text.withUTF8(body)
    }
    return try source.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[record.sourceText])) }
  }

  func scalarText(_ record: Record) -> String {
    if record.text >= 0 { return strings[Int(record.text)] }
    return scalarBytes(record) { String(decoding: $0, as: UTF8.self) }
  }

  func commentText(_ index: Int32) -> Comment {
    let record = comments[Int(index)]
    let from = Int(record.start) + 1
    let to = Int(record.end)
    let text = source.withUnsafeBufferPointer {
      String(decoding: UnsafeBufferPointer(rebasing: $0[from..<max(from, to)]), as: UTF8.self)
    }
    return Comment(text: text, range: range(Int(record.start), Int(record.end)))
  }

  func leadingComments(_ triviaIndex: Int32) -> [LeadingComment] {
    guard triviaIndex >= 0 else { return [] }
    let record = trivia[Int(triviaIndex)]
    var result: [LeadingComment] = []
    result.reserveCapacity(Int(record.commentsCount))
    for k in 0..<Int(record.commentsCount) {
      let commentIndex = triviaComments[Int(record.commentsStart) + k]
      result.append(
        LeadingComment(commentText(commentIndex), blankLineBefore: comments[Int(commentIndex)].blankLineBefore))
    }
    return result
  }

  func trailingComment(_ triviaIndex: Int32) -> Comment? {
    guard triviaIndex >= 0 else { return nil }
    let trailing = trivia[Int(triviaIndex)].trailing
    return trailing >= 0 ? commentText(trailing) : nil
  }

  /// The outcome of parsing one file into its flat syntax tree.
  public struct ParseResult: Sendable {
    /// The tree, when the file is accepted (no errors).
    public var tree: SyntaxTree?
    public var diagnostics: [Diagnostic]
  }

  /// Parses a record file into its flat syntax tree (the fast path: no node objects, no
  /// strings for plain text).
  ///
  /// - Parameters:
  ///   - bytes: The file's content.
  ///   - path: The path to name in diagnostics.
  ///   - options: Size, depth and key-length limits.
  /// - Returns: The tree when the file is in the Tally subset, and all diagnostics. Never
  ///   traps, whatever the input.
  public static func parse(_ bytes: [UInt8], path: String = "", options: ParseOptions = .default) -> ParseResult {
    Parser.parse(bytes, path: path, options: options)
  }
}
