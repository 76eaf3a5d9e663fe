/// The record-format parser: bytes in, a lossless syntax tree and diagnostics out.
///
/// It works in two passes over the bytes. The first (`Parser+Lines.swift`) validates
/// UTF-8, rejects characters that YAML readers disagree on and builds a table of lines.
/// The second walks the lines as a recursive descent over block structure (mappings,
/// sequences, scalars); scalars are scanned byte by byte (`Parser+Scalars.swift`).
/// After an error the parser skips the offending line and whatever is indented under
/// it, and goes on, so one run reports every problem it can.
struct Parser {
  let buf: UnsafeBufferPointer<UInt8>
  let path: String
  let options: ParseOptions
  var lines: [Line] = []
  /// The current line.
  var li = 0
  var diagnostics: [Diagnostic] = []
  var usedCRLF = false
  /// Own-line comments seen but not yet attached to a node.
  var pending: [PendingComment] = []
  /// Whether an empty line came after the last pending comment (or node).
  var pendingBlank = false
  var depth = 0
  var tooDeepReported = false
  /// Diagnostics after this many are dropped (one note says so).
  static let maxDiagnostics = 200

  struct PendingComment {
    /// Index into `comments`.
    var index: Int32
    /// 0-based column of the `#`.
    var column: Int
  }

  /// Comments before a node, moved to `triviaComments` (see `takeTrivia`).
  struct Leading {
    var start: Int32
    var count: Int32
    var blank: Bool
    static let none = Leading(start: 0, count: 0, blank: false)
  }

  // The flat tree under construction (see `SyntaxTree`).
  var records: [SyntaxTree.Record] = []
  var strings: [String] = []
  var comments: [SyntaxTree.CommentRecord] = []
  var triviaRecords: [SyntaxTree.TriviaRecord] = []
  var triviaComments: [Int32] = []
  var foldedLines: [Int32: [String]] = [:]
  /// Key records of the mappings being parsed (for duplicate keys).
  var keyStack: [Int32] = []
  /// Lines (0-based) to leave out, as if they were not in the file: the marker lines and
  /// the other sides of merge conflicts, when a file is parsed as one side wrote it.
  var hiddenLines: Set<Int> = []

  init(buf: UnsafeBufferPointer<UInt8>, path: String, options: ParseOptions) {
    self.buf = buf
    self.path = path
    self.options = options
  }

  static func parse(_ bytes: [UInt8], path: String, options: ParseOptions) -> SyntaxTree.ParseResult {
    if bytes.count > options.maxFileSize {
      let diagnostic = Diagnostic(
        .error, code: "file-too-large",
        message:
          "the file is \(bytes.count) bytes; record files are limited to \(options.maxFileSize) bytes",
        path: path, range: SourceRange(at: .start),
        hint: "split the record, or keep large attachments outside the records repository")
      return SyntaxTree.ParseResult(tree: nil, diagnostics: [diagnostic])
    }
    return bytes.withUnsafeBufferPointer { buf in
      var parser = Parser(buf: buf, path: path, options: options)
      let result = parser.run(source: bytes)
      // A file with merge conflicts: one diagnostic per conflict instead of what its marker
      // lines cause. Such a file never parses, so valid files are not looked at.
      guard result.tree == nil, !result.diagnostics.contains(where: { $0.code == "invalid-utf8" }) else {
        return result
      }
      let conflicts = MergeConflict.find(in: buf)
      guard !conflicts.isEmpty else { return result }
      return conflictResult(
        conflicts, buf: buf, source: bytes, path: path, options: options, lineStarts: parser.lines.map(\.start))
    }
  }

  mutating func run(source: [UInt8]) -> SyntaxTree.ParseResult {
    var begin = 0
    let hadBOM = buf.count >= 3 && buf[0] == 0xEF && buf[1] == 0xBB && buf[2] == 0xBF
    if hadBOM { begin = 3 }
    if let bad = scanLines(from: begin) {
      // Positions after invalid bytes are unreliable: this is the only diagnostic.
      let file = SourceFile(path: path, bytes: Array(buf[0..<bad]))
      let position = file.position(ofOffset: bad)
      let byte = String(buf[bad], radix: 16, uppercase: true).leftPadded(to: 2)
      let diagnostic = Diagnostic(
        .error, code: "invalid-utf8",
        message: "invalid UTF-8 at byte offset \(bad) (byte 0x\(byte))",
        path: path, range: SourceRange(start: position, end: position),
        hint: "save the file as UTF-8 (record files are always UTF-8)")
      return SyntaxTree.ParseResult(tree: nil, diagnostics: [diagnostic])
    }
    let fileLineStarts = hiddenLines.isEmpty ? [] : hideLines()
    // A list item's line holds up to three records (the item's mapping, a key, a value):
    // growing the array instead costs an allocation and a copy per doubling, per file.
    records.reserveCapacity(lines.count * 3 + 4)
    keyStack.reserveCapacity(32)
    let (ok, header) = parseDocument()
    diagnostics.sort(by: Diagnostic.sortOrder)
    if !fileLineStarts.isEmpty { diagnostics = repositioned(diagnostics, lineStarts: fileLineStarts) }
    if diagnostics.count > Parser.maxDiagnostics {
      diagnostics.removeLast(diagnostics.count - Parser.maxDiagnostics)
      diagnostics.append(
        Diagnostic(
          .note, code: "too-many-errors",
          message: "stopped after \(Parser.maxDiagnostics) problems in this file", path: path))
    }
    guard ok, !diagnostics.hasErrors else {
      return SyntaxTree.ParseResult(tree: nil, diagnostics: diagnostics)
    }
    var lineStarts: [Int32] = []
    lineStarts.reserveCapacity(lines.count)
    for line in lines {
      lineStarts.append(Int32(line.start) | (line.ascii ? 0 : SyntaxTree.nonASCIIBit))
    }
    let tree = SyntaxTree(
      path: path, source: source, hadByteOrderMark: hadBOM, usedCRLF: usedCRLF, records: records,
      strings: strings, comments: comments, trivia: triviaRecords, triviaComments: triviaComments,
      foldedLines: foldedLines, header: header, lineStarts: lineStarts)
    return SyntaxTree.ParseResult(tree: tree, diagnostics: diagnostics)
  }

  // MARK: - Building the tree

  /// Appends a record and returns its index.
  @inline(__always)
  mutating func append(
    _ kind: SyntaxTree.Record.Kind, style: UInt8 = 0, start: Int, end: Int, text: Int32 = -1
  ) -> Int32 {
    records.append(
      SyntaxTree.Record(
        kind: kind, style: style, chomping: 0, flags: 0, start: Int32(start), end: Int32(end), text: text,
        size: 1, count: 0, trivia: -1, endTrivia: -1, aux: -1))
    return Int32(records.count - 1)
  }

  mutating func appendNull(at offset: Int) -> Int32 {
    append(.null, start: offset, end: offset)
  }

  /// Closes a container record: its size, child count and extent.
  mutating func close(_ index: Int32, count: Int, start: Int, end: Int) {
    let i = Int(index)
    records[i].size = Int32(records.count - i)
    records[i].count = Int32(count)
    records[i].start = Int32(start)
    records[i].end = Int32(max(start, end))
  }

  /// Stores text that differs from the source bytes and returns its index.
  mutating func store(_ text: String) -> Int32 {
    strings.append(text)
    return Int32(strings.count - 1)
  }

  /// Records a comment starting at `hash` and running to the end of the current line.
  mutating func addComment(at hash: Int, blankLineBefore: Bool = false) -> Int32 {
    comments.append(SyntaxTree.CommentRecord(start: Int32(hash), end: Int32(lineEnd), blankLineBefore: blankLineBefore))
    return Int32(comments.count - 1)
  }

  /// A trivia record for leading comments and a trailing comment, or -1 when there are none.
  @inline(__always)
  mutating func makeTrivia(_ leading: Leading, trailing: Int32) -> Int32 {
    if leading.count == 0 && trailing < 0 { return -1 }
    return appendTrivia(leading, trailing: trailing)
  }

  mutating func appendTrivia(_ leading: Leading, trailing: Int32) -> Int32 {
    triviaRecords.append(
      SyntaxTree.TriviaRecord(commentsStart: leading.start, commentsCount: leading.count, trailing: trailing))
    return Int32(triviaRecords.count - 1)
  }

  /// Whether two scalar records have the same text.
  func sameText(_ a: SyntaxTree.Record, _ b: SyntaxTree.Record) -> Bool {
    if a.text >= 0 || b.text >= 0 { return textOf(a) == textOf(b) }
    let a0 = Int(a.text == -1 ? a.start : a.start + 1)
    let a1 = Int(a.text == -1 ? a.end : a.end - 1)
    let b0 = Int(b.text == -1 ? b.start : b.start + 1)
    let b1 = Int(b.text == -1 ? b.end : b.end - 1)
    guard a1 - a0 == b1 - b0 else { return false }
    var i = 0
    while i < a1 - a0 {
      if buf[a0 + i] != buf[b0 + i] { return false }
      i += 1
    }
    return true
  }

  /// One of 64 bits for a key record written without escapes, from its length and first
  /// and last bytes: keys with the same text have the same bit.
  func keyBit(_ record: SyntaxTree.Record) -> UInt64 {
    let from = Int(record.text == -1 ? record.start : record.start + 1)
    let to = Int(record.text == -1 ? record.end : record.end - 1)
    let length = max(to - from, 0)
    let first = length > 0 ? Int(buf[from]) : 0
    let last = length > 0 ? Int(buf[to - 1]) : 0
    return 1 << UInt64((length &* 7 &+ first &+ last &* 3) & 63)
  }

  func textOf(_ record: SyntaxTree.Record) -> String {
    if record.text >= 0 { return strings[Int(record.text)] }
    if record.text == -1 { return string(Int(record.start), Int(record.end)) }
    return string(Int(record.start) + 1, Int(record.end) - 1)
  }

  // MARK: - Positions and diagnostics

  /// The position of `offset`, which lies on the line starting at `lineStart`.
  func position(_ offset: Int, lineStart: Int, line: Int) -> SourcePosition {
    if line - 1 < lines.count, lines[line - 1].ascii {
      return SourcePosition(offset: offset, line: line, column: offset - lineStart + 1)
    }
    var column = 1
    var i = lineStart
    while i < offset {
      if buf[i] & 0xC0 != 0x80 { column += 1 }
      i += 1
    }
    return SourcePosition(offset: offset, line: line, column: column)
  }

  /// The position of `offset` on the current line.
  func pos(_ offset: Int) -> SourcePosition {
    let index = min(li, lines.count - 1)
    guard index >= 0 else { return SourcePosition(offset: offset, line: 1, column: 1) }
    return position(offset, lineStart: lines[index].start, line: index + 1)
  }

  /// The (0-based) index of the line holding `offset`.
  func lineIndex(of offset: Int) -> Int {
    var low = 0
    var high = lines.count - 1
    while low < high {
      let mid = (low + high + 1) >> 1
      if lines[mid].start <= offset { low = mid } else { high = mid - 1 }
    }
    return max(low, 0)
  }

  /// The position of `offset` on line `index` (0-based).
  func pos(_ offset: Int, onLine index: Int) -> SourcePosition {
    position(offset, lineStart: lines[index].start, line: index + 1)
  }

  func range(_ from: Int, _ to: Int) -> SourceRange {
    let start = pos(from)
    guard to > from, li < lines.count, to <= lines[li].end else {
      return SourceRange(start: start, end: pos(to))
    }
    // Both ends are on the current line: count characters from the start, not the line's start.
    var column = start.column
    if lines[li].ascii {
      column += to - from
    } else {
      var i = from
      while i < to {
        if buf[i] & 0xC0 != 0x80 { column += 1 }
        i += 1
      }
    }
    return SourceRange(start: start, end: SourcePosition(offset: to, line: start.line, column: column))
  }

  mutating func report(
    _ severity: Severity, _ code: String, _ message: String, at offset: Int, length: Int,
    lineStart: Int, hint: String? = nil
  ) {
    guard diagnostics.count <= Parser.maxDiagnostics else { return }
    // Count the line number for the first pass, which has no table yet for this line.
    let lineNumber = lines.count + 1
    let start = position(offset, lineStart: lineStart, line: lineNumber)
    let end = position(min(offset + length, buf.count), lineStart: lineStart, line: lineNumber)
    diagnostics.append(
      Diagnostic(
        severity, code: code, message: message, path: path,
        range: SourceRange(start: start, end: end), hint: hint))
  }

  /// Reports an error on the current line.
  mutating func error(
    _ code: String, _ message: String, at offset: Int, to endOffset: Int? = nil,
    hint: String? = nil, notes: [Diagnostic.Note] = []
  ) {
    guard diagnostics.count <= Parser.maxDiagnostics else { return }
    let end = max(endOffset ?? characterEnd(offset), offset)
    diagnostics.append(
      Diagnostic(
        .error, code: code, message: message, path: path, range: range(offset, end), hint: hint,
        notes: notes))
  }

  /// The offset after the character at `offset` (or `offset` at the end of the line).
  func characterEnd(_ offset: Int) -> Int {
    guard offset < buf.count, li < lines.count, offset < lines[li].end else { return offset }
    var i = offset + 1
    while i < buf.count, buf[i] & 0xC0 == 0x80 { i += 1 }
    return i
  }

  // MARK: - Lines

  var atEnd: Bool { li >= lines.count }

  /// Moves past the current line, reporting tabs in its indentation.
  @inline(__always)
  mutating func advance() {
    guard li < lines.count else { return }
    if lines[li].leadingTab >= 0 { reportLeadingTab() }
    li += 1
  }

  mutating func reportLeadingTab() {
    let line = lines[li]
    if line.kind == .blank {
      error(
        "tab-indent", "a tab on an empty line", at: line.leadingTab,
        hint: "tabs cannot indent: remove it, or use spaces")
    } else {
      error(
        "tab-indent", "tabs cannot indent: use two spaces", at: line.leadingTab,
        hint: "replace the tab with spaces; Tally indents with two spaces per level")
    }
  }

  /// Skips empty lines and comment lines, keeping the comments as pending.
  @inline(__always)
  mutating func skipTrivia() {
    // Most lines are content: nothing to skip, and no call.
    if li < lines.count, lines[li].kind == .content { return }
    skipTriviaLines()
  }

  mutating func skipTriviaLines() {
    while li < lines.count {
      let line = lines[li]
      switch line.kind {
      case .blank:
        pendingBlank = true
        advance()
      case .comment:
        let hash = line.firstNonBlank
        let index = addComment(at: hash, blankLineBefore: pendingBlank)
        pending.append(PendingComment(index: index, column: hash - line.start))
        pendingBlank = false
        advance()
      case .content:
        return
      }
    }
  }

  /// Takes the pending comments and empty line as the trivia before a node.
  @inline(__always)
  mutating func takeTrivia() -> Leading {
    let blank = pendingBlank
    pendingBlank = false
    if pending.isEmpty { return Leading(start: 0, count: 0, blank: blank) }
    return takePendingComments(blank: blank)
  }

  mutating func takePendingComments(blank: Bool) -> Leading {
    let start = Int32(triviaComments.count)
    for comment in pending { triviaComments.append(comment.index) }
    let leading = Leading(start: start, count: Int32(pending.count), blank: blank)
    pending.removeAll(keepingCapacity: true)
    return leading
  }

  /// The pending comments indented at least `column`, which end a block at that indent.
  mutating func claimEndComments(minColumn column: Int) -> Int32 {
    var count = 0
    while count < pending.count, pending[count].column >= column { count += 1 }
    guard count > 0 else { return -1 }
    let start = Int32(triviaComments.count)
    for k in 0..<count { triviaComments.append(pending[k].index) }
    pending.removeFirst(count)
    return makeTrivia(Leading(start: start, count: Int32(count), blank: false), trailing: -1)
  }

  /// All pending comments as trivia (for the end of the file), or -1.
  mutating func claimAllPending() -> Int32 {
    claimEndComments(minColumn: Int.min)
  }

  /// Skips the current line and every following line indented more than `indent`.
  mutating func skipLineAndDeeper(than indent: Int) {
    advance()
    skipDeeper(than: indent)
  }

  /// Skips lines (of any kind) until a content line indented at most `indent`.
  mutating func skipDeeper(than indent: Int) {
    while li < lines.count {
      let line = lines[li]
      if line.kind == .content, line.indent <= indent { break }
      advance()
    }
  }

  // MARK: - Bytes

  @inline(__always) func byte(_ offset: Int) -> UInt8 {
    offset < buf.count ? buf[offset] : 0
  }

  @inline(__always) var lineEnd: Int { lines[li].end }

  /// Whether `offset` is at the end of the current line or at a space or tab.
  @inline(__always) func isBlankOrEnd(_ offset: Int) -> Bool {
    offset >= lineEnd || buf[offset] == 0x20 || buf[offset] == 0x09
  }

  func string(_ from: Int, _ to: Int) -> String {
    guard to > from else { return "" }
    return String(decoding: UnsafeBufferPointer(rebasing: buf[from..<to]), as: UTF8.self)
  }

  /// Skips spaces from `offset` on the current line, reporting tabs.
  @inline(__always)
  mutating func skipSpaces(_ offset: Int) -> Int {
    // Most values follow one space after their ':'; tabs go the long way.
    let end = lineEnd
    var i = offset
    while i < end, buf[i] == 0x20 { i += 1 }
    if i < end, buf[i] == 0x09 { return skipSpacesAndTabs(i) }
    return i
  }

  mutating func skipSpacesAndTabs(_ offset: Int) -> Int {
    var i = offset
    let end = lineEnd
    while i < end {
      if buf[i] == 0x20 {
        i += 1
      } else if buf[i] == 0x09 {
        error(
          "tab-separator", "a tab cannot separate values", at: i,
          hint: "use spaces; tabs are allowed only inside quoted values and block text")
        i += 1
      } else {
        break
      }
    }
    return i
  }

  /// Whether a `- ` list item starts at `offset`.
  @inline(__always) func isDashItem(_ offset: Int) -> Bool {
    byte(offset) == UInt8(ascii: "-") && isBlankOrEnd(offset + 1)
  }

  /// Whether the text at `offset` on the current line reads as `key: ...`.
  func looksLikeKey(_ offset: Int) -> Bool {
    let end = lineEnd
    guard offset < end else { return false }
    let first = buf[offset]
    if first == UInt8(ascii: "'") || first == UInt8(ascii: "\"") {
      var i = offset + 1
      var closed = -1
      while i < end {
        let b = buf[i]
        if first == UInt8(ascii: "\""), b == UInt8(ascii: "\\") {
          i += 2
          continue
        }
        if b == first {
          if first == UInt8(ascii: "'"), i + 1 < end, buf[i + 1] == first {
            i += 2
            continue
          }
          closed = i
          break
        }
        i += 1
      }
      guard closed >= 0 else { return false }
      i = closed + 1
      while i < end, buf[i] == 0x20 { i += 1 }
      return i < end && buf[i] == UInt8(ascii: ":") && isBlankOrEnd(i + 1)
    }
    if first == UInt8(ascii: "?") && isBlankOrEnd(offset + 1) { return true }
    switch first {
    case UInt8(ascii: "["), UInt8(ascii: "{"), UInt8(ascii: "|"), UInt8(ascii: ">"),
      UInt8(ascii: "#"), UInt8(ascii: "&"), UInt8(ascii: "*"), UInt8(ascii: "!"):
      return false
    default:
      break
    }
    var i = offset
    while i < end {
      let b = buf[i]
      if b == UInt8(ascii: ":"), isBlankOrEnd(i + 1) { return true }
      if b == UInt8(ascii: "#"), i > offset, buf[i - 1] == 0x20 || buf[i - 1] == 0x09 { return false }
      i += 1
    }
    return false
  }

  /// Whether `[...]` at `offset` is followed by `:` (a flow collection used as a key).
  func isFlowKey(_ offset: Int) -> Bool {
    var i = offset
    while i < lineEnd, buf[i] != UInt8(ascii: "]") { i += 1 }
    i += 1
    while i < lineEnd, buf[i] == 0x20 { i += 1 }
    return i < lineEnd && buf[i] == UInt8(ascii: ":")
  }

  // MARK: - Document

  /// Parses the whole file into `records` (the root mapping is record 0). Returns whether
  /// there is a root, and the header comments' trivia.
  mutating func parseDocument() -> (Bool, Int32) {
    skipTrivia()
    guard li < lines.count else {
      let end = buf.count
      diagnostics.append(
        Diagnostic(
          .error, code: "not-a-mapping", message: "the file holds no fields", path: path,
          range: SourceRange(at: lines.isEmpty ? .start : pos(end, onLine: lines.count - 1)),
          hint: "a record file is a mapping: one 'field: value' line per field"))
      return (false, -1)
    }
    // Comments separated from the first key by an empty line are the file's header.
    var header: Int32 = -1
    var headerCount = 0
    if pendingBlank {
      headerCount = pending.count
    } else if let split = pending.lastIndex(where: { comments[Int($0.index)].blankLineBefore }), split > 0 {
      headerCount = split
    }
    if headerCount > 0 {
      let start = Int32(triviaComments.count)
      for k in 0..<headerCount { triviaComments.append(pending[k].index) }
      comments[Int(pending[0].index)].blankLineBefore = false
      pending.removeFirst(headerCount)
      header = makeTrivia(Leading(start: start, count: Int32(headerCount), blank: false), trailing: -1)
      if let first = pending.first { comments[Int(first.index)].blankLineBefore = false }
      pendingBlank = false
    }
    pendingBlank = false

    let line = lines[li]
    let first = line.firstNonBlank
    if isDashItem(first) || (buf[first] == UInt8(ascii: "[") && !isFlowKey(first)) {
      error(
        "not-a-mapping", "a record file holds one mapping of fields, not a list", at: first,
        hint: "write the record as 'field: value' lines; keep lists under a field")
      return (false, header)
    }
    if buf[first] == UInt8(ascii: "{") {
      guard let root = parseFlowMappingValue(at: first) else { return (false, header) }
      advance()
      skipTrivia()
      if li < lines.count {
        error(
          "unexpected-text", "nothing can follow '{}' at the top of the file",
          at: lines[li].firstNonBlank, to: lines[li].end,
          hint: "write the record as 'field: value' lines")
      }
      records[Int(root)].endTrivia = claimAllPending()
      return (true, header)
    }
    if line.indent != 0 {
      error(
        "unexpected-indent", "the first field must start at column 1", at: line.start,
        to: first, hint: "remove the spaces before the key")
    }
    let root = parseBlockMapping(indent: line.indent, inlineStart: nil)
    skipTrivia()
    while li < lines.count {
      let stray = lines[li]
      error(
        "unexpected-indent", "this line is indented less than the fields above it",
        at: stray.start, to: stray.end, hint: "align it with the other fields")
      skipLineAndDeeper(than: stray.indent)
      skipTrivia()
    }
    // Comments after the last field end the root mapping.
    if !pending.isEmpty {
      let rest = claimAllPending()
      let existing = records[Int(root)].endTrivia
      if existing < 0 {
        records[Int(root)].endTrivia = rest
      } else {
        // Both are runs at the end of triviaComments: merge them into one.
        triviaRecords[Int(existing)].commentsCount += triviaRecords[Int(rest)].commentsCount
        triviaRecords.removeLast()
      }
    }
    return (true, header)
  }

  // MARK: - Block collections

  /// Parses a block mapping whose keys are at `indent`. With `inlineStart`, the first key
  /// starts at that offset on the current line (after `- `). Returns its record.
  mutating func parseBlockMapping(indent: Int, inlineStart: Int?) -> Int32 {
    depth += 1
    defer { depth -= 1 }
    let start = inlineStart ?? lines[li].firstNonBlank
    let mapping = append(.mapping, start: start, end: start)
    if depth > options.maxDepth {
      reportTooDeep(at: start)
      skipLineAndDeeper(than: inlineStart == nil ? indent - 1 : indent)
      close(mapping, count: 0, start: start, end: start)
      return mapping
    }
    let keysBase = keyStack.count
    // Duplicate keys: a linear scan while the mapping is small, a dictionary after that.
    var keyIndex: [String: Int32] = [:]
    // A bit per key of this mapping (from its length and end bytes): a key whose bit is not
    // set cannot repeat one, and needs no scan. Keys with escapes compare as text, so any
    // such key turns the filter off.
    var keyBits: UInt64 = 0
    var escapedKey = false
    var first = true
    var end = start
    while true {
      let keyStart: Int
      var leading: Leading
      if first, let inlineStart {
        keyStart = inlineStart
        leading = .none
      } else {
        skipTrivia()
        guard li < lines.count else { break }
        let line = lines[li]
        if line.indent < indent { break }
        if line.indent > indent {
          error(
            "unexpected-indent", "unexpected indentation", at: line.firstNonBlank,
            to: line.end, hint: "align this line with the keys above it, or indent it under a key that has no value")
          skipLineAndDeeper(than: line.indent - 1)
          continue
        }
        if isDashItem(line.firstNonBlank) {
          error(
            "expected-key", "a list item where a 'key: value' line was expected",
            at: line.firstNonBlank, to: line.end,
            hint: "indent the list under its key, or remove the '-'")
          skipLineAndDeeper(than: indent)
          continue
        }
        keyStart = line.firstNonBlank
        leading = takeTrivia()
      }
      first = false
      guard let (key, afterColon) = parseKey(at: keyStart) else {
        skipLineAndDeeper(than: indent)
        continue
      }
      let keyRecord = records[Int(key)]
      let count = keyStack.count - keysBase
      var previous: Int32 = -1
      let bit = keyBit(keyRecord)
      if keyRecord.text >= 0 { escapedKey = true }
      let mayRepeat = escapedKey || keyBits & bit != 0
      keyBits |= bit
      if count < 16 {
        var k = mayRepeat ? keysBase : keyStack.count
        while k < keyStack.count {
          if sameText(records[Int(keyStack[k])], keyRecord) {
            previous = keyStack[k]
            break
          }
          k += 1
        }
      } else {
        if keyIndex.isEmpty {
          for k in keysBase..<keyStack.count where keyIndex[textOf(records[Int(keyStack[k])])] == nil {
            keyIndex[textOf(records[Int(keyStack[k])])] = keyStack[k]
          }
        }
        previous = keyIndex[textOf(keyRecord)] ?? -1
      }
      if previous >= 0 {
        let text = textOf(keyRecord)
        let firstKey = records[Int(previous)]
        let firstLine = lineIndex(of: Int(firstKey.start))
        let firstRange = SourceRange(
          start: pos(Int(firstKey.start), onLine: firstLine), end: pos(Int(firstKey.end), onLine: firstLine))
        error(
          "duplicate-key", "duplicate key '\(text)'", at: Int(keyRecord.start),
          to: Int(keyRecord.end), hint: "remove one of them, or rename one",
          notes: [Diagnostic.Note(message: "'\(text)' is first set here", path: path, range: firstRange)])
      } else if count >= 16 {
        keyIndex[textOf(keyRecord)] = key
      }
      keyStack.append(key)
      let (value, trailing) = parseValue(at: afterColon, parentIndent: indent, indentlessSequence: true)
      records[Int(key)].trivia = makeTrivia(leading, trailing: trailing)
      if leading.blank { records[Int(key)].flags |= 1 }
      end = max(Int(records[Int(value)].end), Int(keyRecord.end))
    }
    let count = keyStack.count - keysBase
    keyStack.removeSubrange(keysBase...)
    records[Int(mapping)].endTrivia = claimEndComments(minColumn: indent)
    close(mapping, count: count, start: start, end: end)
    return mapping
  }

  /// Parses a block sequence whose dashes are at `indent`. With `inlineStart`, the first
  /// dash is at that offset on the current line (after an outer `- `). Returns its record.
  mutating func parseBlockSequence(indent: Int, inlineStart: Int?, indentless: Bool = false) -> Int32 {
    depth += 1
    defer { depth -= 1 }
    let start = inlineStart ?? lines[li].firstNonBlank
    let sequence = append(.sequence, start: start, end: start)
    if depth > options.maxDepth {
      reportTooDeep(at: start)
      skipLineAndDeeper(than: inlineStart == nil ? indent - 1 : indent)
      close(sequence, count: 0, start: start, end: start)
      return sequence
    }
    var count = 0
    var first = true
    var end = start
    while true {
      let dash: Int
      var leading: Leading
      if first, let inlineStart {
        dash = inlineStart
        leading = .none
      } else {
        skipTrivia()
        guard li < lines.count else { break }
        let line = lines[li]
        if line.indent < indent { break }
        if line.indent > indent {
          error(
            "unexpected-indent", "unexpected indentation", at: line.firstNonBlank, to: line.end,
            hint: "align this line with the '-' above it, or indent it under an item")
          skipLineAndDeeper(than: line.indent - 1)
          continue
        }
        guard isDashItem(line.firstNonBlank) else { break }
        dash = line.firstNonBlank
        leading = takeTrivia()
      }
      first = false
      let lineStart = lines[li].start
      let content = skipSpaces(dash + 1)
      var value: Int32
      var trailing: Int32 = -1
      if content >= lineEnd || buf[content] == UInt8(ascii: "#") {
        if content < lineEnd {
          trailing = addComment(at: content)
        }
        advance()
        skipTrivia()
        if li < lines.count, lines[li].indent > indent {
          let (node, own) = parseBlockNode(parentIndent: indent)
          value = node
          attach(own, to: &trailing)
        } else {
          value = appendNull(at: dash + 1)
        }
      } else if isDashItem(content) {
        value = parseBlockSequence(indent: content - lineStart, inlineStart: content)
      } else if looksLikeKey(content) {
        value = parseBlockMapping(indent: content - lineStart, inlineStart: content)
      } else {
        (value, trailing) = parseValue(at: content, parentIndent: indent, indentlessSequence: false)
      }
      records[Int(value)].trivia = makeTrivia(leading, trailing: trailing)
      if leading.blank { records[Int(value)].flags |= 1 }
      records[Int(value)].aux = Int32(dash)
      end = max(Int(records[Int(value)].end), dash + 1)
      count += 1
    }
    // A list at its key's indentation leaves comments at that column to the key's mapping.
    records[Int(sequence)].endTrivia = claimEndComments(minColumn: indentless ? indent + 1 : indent)
    close(sequence, count: count, start: start, end: end)
    return sequence
  }

  /// Parses the node that starts on the current line, indented more than `parentIndent`.
  /// Returns its record and a comment on its line (or -1).
  mutating func parseBlockNode(parentIndent: Int) -> (Int32, Int32) {
    let line = lines[li]
    let start = line.firstNonBlank
    if isDashItem(start) {
      return (parseBlockSequence(indent: line.indent, inlineStart: nil), -1)
    }
    if looksLikeKey(start) {
      return (parseBlockMapping(indent: line.indent, inlineStart: nil), -1)
    }
    return parseValue(at: start, parentIndent: parentIndent, indentlessSequence: false)
  }

  /// Adds a comment found on a value's own line as the trailing comment, or, when there is
  /// one already, to the comments before the next node.
  mutating func attach(_ comment: Int32, to trailing: inout Int32) {
    guard comment >= 0 else { return }
    if trailing < 0 {
      trailing = comment
    } else {
      pending.insert(PendingComment(index: comment, column: Int.max), at: 0)
    }
  }

  mutating func reportTooDeep(at offset: Int) {
    guard !tooDeepReported else { return }
    tooDeepReported = true
    error(
      "too-deep", "nesting is deeper than \(options.maxDepth) levels", at: offset,
      hint: "records nest a few levels at most; flatten this structure")
  }

  // MARK: - Keys and values

  /// Parses `key:` at `offset` on the current line. Returns the key and the offset after
  /// the colon, or nil after reporting why the line is not a key.
  mutating func parseKey(at offset: Int) -> (Int32, Int)? {
    let end = lineEnd
    let line = lines[li]
    let c = buf[offset]
    switch c {
    case UInt8(ascii: "'"), UInt8(ascii: "\""):
      guard let quoted = parseQuoted(at: offset) else { return nil }
      let after = quoted.end
      let colon = skipSpaces(after)
      guard colon < end, buf[colon] == UInt8(ascii: ":"), isBlankOrEnd(colon + 1) else {
        error(
          "expected-key", "expected ':' after the quoted key", at: min(colon, end),
          hint: "write 'key: value'; quote the whole value when it is not a key")
        return nil
      }
      let length = quoted.text >= 0 ? strings[Int(quoted.text)].utf8.count : after - offset - 2
      if length > options.maxKeyLength {
        reportKeyTooLong(length, from: offset, to: after)
        return nil
      }
      return (append(.scalar, style: quoted.style, start: offset, end: after, text: quoted.text), colon + 1)
    case UInt8(ascii: "?"):
      if isBlankOrEnd(offset + 1) {
        error(
          "complex-key", "complex keys ('? ') are not supported", at: offset,
          hint: "keys are plain text on one line: 'key: value'")
        // Its ': value' line belongs to it: skip it rather than report it again.
        if li + 1 < lines.count, lines[li + 1].indent == line.indent, lines[li + 1].kind == .content {
          let next = lines[li + 1].firstNonBlank
          if buf[next] == UInt8(ascii: ":"), next + 1 >= lines[li + 1].end || buf[next + 1] == 0x20 {
            advance()
          }
        }
        return nil
      }
    case UInt8(ascii: "["), UInt8(ascii: "{"):
      error(
        "complex-key", "a list or mapping cannot be a key", at: offset, to: end,
        hint: "keys are plain text on one line: 'key: value'")
      return nil
    case UInt8(ascii: "&"):
      reportAnchor(at: offset)
      return nil
    case UInt8(ascii: "*"):
      reportAlias(at: offset)
      return nil
    case UInt8(ascii: "!"):
      reportTag(at: offset)
      return nil
    case UInt8(ascii: "|"), UInt8(ascii: ">"):
      error(
        "expected-key", "block text where a 'key: value' line was expected", at: offset, to: end,
        hint: "write 'key: \(Character(Unicode.Scalar(c)))' and indent the text below the key")
      return nil
    case UInt8(ascii: "%"):
      if offset == line.start {
        error(
          "directive", "directives ('%YAML', '%TAG') are not supported", at: offset, to: end,
          hint: "remove this line: record files need no directives")
      } else {
        reportReserved(c, at: offset, context: "a key")
      }
      return nil
    case UInt8(ascii: "@"), UInt8(ascii: "`"):
      reportReserved(c, at: offset, context: "a key")
      return nil
    case UInt8(ascii: ","), UInt8(ascii: "]"), UInt8(ascii: "}"):
      reportReserved(c, at: offset, context: "a key")
      return nil
    case UInt8(ascii: ":"):
      if isBlankOrEnd(offset + 1) {
        error(
          "missing-key", "a key is missing before ':'", at: offset,
          hint: "write 'key: value'")
        return nil
      }
    case UInt8(ascii: "-"), UInt8(ascii: "."):
      if offset == line.start, offset + 2 < buf.count, buf[offset + 1] == c, buf[offset + 2] == c,
        isBlankOrEnd(offset + 3)
      {
        error(
          "document-marker",
          "document markers ('\(c == UInt8(ascii: "-") ? "---" : "...")') are not supported: a record file holds exactly one record",
          at: offset, to: offset + 3, hint: "remove this line; put each record in a file of its own")
        return nil
      }
    default:
      break
    }
    // A plain key: everything up to the first ':' followed by a space or the line end.
    var i = offset
    var colon = -1
    var sawTab = -1
    guard let base = buf.baseAddress else { return nil }
    while i < end {
      // Eight bytes at a time while none is ':', '#' or a tab; at a word with one, straight
      // to the first.
      while i + 8 <= end {
        let w = ByteWord.load(base, i)
        let special =
          ByteWord.equal(w, UInt8(ascii: ":")) | ByteWord.equal(w, UInt8(ascii: "#")) | ByteWord.equal(w, 0x09)
        if special != 0 {
          i += ByteWord.first(special)
          break
        }
        i += 8
      }
      guard i < end else { break }
      let b = buf[i]
      if b == UInt8(ascii: ":"), isBlankOrEnd(i + 1) {
        colon = i
        break
      }
      if b == UInt8(ascii: "#"), i > offset, buf[i - 1] == 0x20 || buf[i - 1] == 0x09 { break }
      if b == 0x09, sawTab < 0 { sawTab = i }
      i += 1
    }
    guard colon >= 0 else {
      // Say what is most likely wrong.
      var j = offset
      while j < end, !(buf[j] == UInt8(ascii: "#") && j > offset && buf[j - 1] == 0x20) {
        if buf[j] == UInt8(ascii: ":") {
          error(
            "missing-colon-space", "missing space after ':'", at: j,
            hint: "write 'key: value' with a space after the colon")
          return nil
        }
        j += 1
      }
      error(
        "expected-key", "expected 'key: value'", at: offset, to: end,
        hint: "each line of a mapping is 'key: value'; a value that goes on to this line needs a block scalar (|)")
      return nil
    }
    var keyEnd = colon
    while keyEnd > offset, buf[keyEnd - 1] == 0x20 || buf[keyEnd - 1] == 0x09 { keyEnd -= 1 }
    if sawTab >= 0 {
      error(
        "tab-separator", "a tab cannot appear in a plain key", at: sawTab,
        hint: "use spaces, or quote the key")
    }
    if keyEnd - offset == 2, buf[offset] == UInt8(ascii: "<"), buf[offset + 1] == UInt8(ascii: "<") {
      error(
        "merge-key", "merge keys ('<<') are not supported", at: offset, to: keyEnd,
        hint: "repeat the fields instead of merging them")
      return nil
    }
    if keyEnd - offset > options.maxKeyLength {
      reportKeyTooLong(keyEnd - offset, from: offset, to: keyEnd)
      return nil
    }
    return (append(.scalar, start: offset, end: keyEnd), colon + 1)
  }

  mutating func reportKeyTooLong(_ length: Int, from: Int, to: Int) {
    error(
      "key-too-long", "the key is \(length) bytes long; keys are limited to \(options.maxKeyLength) bytes",
      at: from, to: to, hint: "use a short field name and put long text in the value")
  }

  mutating func reportAnchor(at offset: Int) {
    error(
      "anchor", "anchors are not supported: repeat the value", at: offset, to: wordEnd(offset),
      hint: "write the value out in full where it is needed; quote it if '&' is part of the text")
  }

  mutating func reportAlias(at offset: Int) {
    error(
      "alias", "aliases are not supported: repeat the value", at: offset, to: wordEnd(offset),
      hint: "write the value out in full here; quote it if '*' is part of the text")
  }

  mutating func reportTag(at offset: Int) {
    error(
      "tag", "tags are not supported: every value is text that the schema types", at: offset,
      to: wordEnd(offset), hint: "remove the tag; quote the value if '!' is part of the text")
  }

  mutating func reportReserved(_ c: UInt8, at offset: Int, context: String) {
    let ch = Character(Unicode.Scalar(c))
    error(
      "reserved-character", "\(context) cannot start with '\(ch)'", at: offset,
      hint: "put the text in quotes: \"\(ch)...\"")
  }

  func wordEnd(_ offset: Int) -> Int {
    var i = offset
    while i < lineEnd, buf[i] != 0x20, buf[i] != 0x09 { i += 1 }
    return i
  }

  /// Parses the value that starts at `offset` on the current line (after `key:` or `- `),
  /// including a nested block on the following lines, and moves past it.
  ///
  /// - Parameters:
  ///   - parentIndent: Indentation of the mapping or sequence that holds the value.
  ///   - indentlessSequence: Whether a `- ` list at `parentIndent` can be the value (YAML
  ///     allows that for mapping values only).
  /// - Returns: The value's record and a comment at the end of its first line (or -1).
  mutating func parseValue(at offset: Int, parentIndent: Int, indentlessSequence: Bool) -> (Int32, Int32) {
    let start = skipSpaces(offset)
    let end = lineEnd
    // `offset` always follows a blank (after `: ` or `- `) or starts a line, so a `#`
    // here starts a comment.
    if start >= end || buf[start] == UInt8(ascii: "#") {
      let trailing = start < end ? addComment(at: start) : -1
      advance()
      skipTrivia()
      if li < lines.count {
        let line = lines[li]
        if line.indent > parentIndent {
          let (node, own) = parseBlockNode(parentIndent: parentIndent)
          if own >= 0, trailing >= 0 {
            pending.insert(PendingComment(index: own, column: Int.max), at: 0)
            return (node, trailing)
          }
          return (node, trailing >= 0 ? trailing : own)
        }
        if indentlessSequence, line.indent == parentIndent, isDashItem(line.firstNonBlank) {
          return (parseBlockSequence(indent: parentIndent, inlineStart: nil, indentless: true), trailing)
        }
      }
      return (appendNull(at: offset), trailing)
    }
    let c = buf[start]
    let node: Int32
    var after: Int
    var isPlain = false
    switch c {
    case UInt8(ascii: "|"), UInt8(ascii: ">"):
      return parseBlockScalar(at: start, parentIndent: parentIndent)
    case UInt8(ascii: "["):
      guard let (sequence, close) = parseFlowSequence(at: start) else {
        skipLineAndDeeper(than: parentIndent)
        return (appendNull(at: start), -1)
      }
      node = sequence
      after = close
    case UInt8(ascii: "{"):
      guard let mapping = parseFlowMappingValue(at: start) else {
        skipLineAndDeeper(than: parentIndent)
        return (appendNull(at: start), -1)
      }
      node = mapping
      after = Int(records[Int(mapping)].end)
    case UInt8(ascii: "'"), UInt8(ascii: "\""):
      guard let quoted = parseQuoted(at: start) else {
        skipLineAndDeeper(than: parentIndent)
        return (appendNull(at: start), -1)
      }
      node = append(.scalar, style: quoted.style, start: start, end: quoted.end, text: quoted.text)
      after = quoted.end
    case UInt8(ascii: "&"), UInt8(ascii: "*"), UInt8(ascii: "!"):
      if c == UInt8(ascii: "&") {
        reportAnchor(at: start)
      } else if c == UInt8(ascii: "*") {
        reportAlias(at: start)
      } else {
        reportTag(at: start)
      }
      skipLineAndDeeper(than: parentIndent)
      return (appendNull(at: start), -1)
    case UInt8(ascii: "%"), UInt8(ascii: "@"), UInt8(ascii: "`"), UInt8(ascii: ","),
      UInt8(ascii: "]"), UInt8(ascii: "}"):
      reportReserved(c, at: start, context: "a value")
      skipLineAndDeeper(than: parentIndent)
      return (appendNull(at: start), -1)
    case UInt8(ascii: "-") where isBlankOrEnd(start + 1):
      error(
        "inline-sequence", "a list cannot start on the same line as its key", at: start,
        hint:
          "put each item on a line of its own, indented under the key: '  - item' (quote the value if it is the text '-')"
      )
      skipLineAndDeeper(than: parentIndent)
      return (appendNull(at: start), -1)
    case UInt8(ascii: "?") where isBlankOrEnd(start + 1):
      error(
        "complex-key", "complex keys ('? ') are not supported", at: start,
        hint: "quote the value if it is the text '?'")
      skipLineAndDeeper(than: parentIndent)
      return (appendNull(at: start), -1)
    case UInt8(ascii: ":") where isBlankOrEnd(start + 1):
      error(
        "colon-in-value", "a value cannot start with ': '", at: start,
        hint: "quote the value if the colon is part of the text")
      skipLineAndDeeper(than: parentIndent)
      return (appendNull(at: start), -1)
    default:
      let stop = parsePlain(at: start)
      node = append(.scalar, start: start, end: stop)
      after = stop
      isPlain = true
    }
    // The rest of the line: spaces, then nothing or a comment.
    let trailing = parseRestOfLine(from: after, plain: isPlain)
    advance()
    checkNoContinuation(parentIndent: parentIndent, plain: isPlain)
    return (node, trailing)
  }

  /// After a value: only spaces and a comment may follow on the line. Returns the comment
  /// (or -1).
  @inline(__always)
  mutating func parseRestOfLine(from offset: Int, plain: Bool) -> Int32 {
    // Most values end the line.
    if offset >= lineEnd { return -1 }
    return parseTextAfterValue(from: offset, plain: plain)
  }

  mutating func parseTextAfterValue(from offset: Int, plain: Bool) -> Int32 {
    let end = lineEnd
    var i = offset
    while i < end, buf[i] == 0x20 || buf[i] == 0x09 {
      if buf[i] == 0x09 {
        error(
          "tab-separator", "a tab after a value", at: i,
          hint: "remove the tab, or use spaces")
      }
      i += 1
    }
    guard i < end else { return -1 }
    if buf[i] == UInt8(ascii: "#"), i > offset || plain {
      return addComment(at: i)
    }
    error(
      "unexpected-text", "unexpected text after the value", at: i, to: end,
      hint: "put the whole value in quotes, or start a comment with ' #'")
    return -1
  }

  /// Reports lines indented under a value that cannot have any.
  @inline(__always)
  mutating func checkNoContinuation(parentIndent: Int, plain: Bool) {
    skipTrivia()
    guard li < lines.count, lines[li].indent > parentIndent else { return }
    reportContinuation(parentIndent: parentIndent, plain: plain)
  }

  mutating func reportContinuation(parentIndent: Int, plain: Bool) {
    let line = lines[li]
    if plain {
      error(
        "multiline-plain", "a plain value cannot go on to the next line", at: line.firstNonBlank,
        to: line.end,
        hint: "keep the value on one line, or use a block scalar: 'key: |' with the text indented below it")
    } else {
      error(
        "unexpected-indent", "unexpected indentation after a value", at: line.firstNonBlank,
        to: line.end, hint: "a value on the key's line cannot have lines indented under it")
    }
    skipDeeper(than: parentIndent)
  }
}
