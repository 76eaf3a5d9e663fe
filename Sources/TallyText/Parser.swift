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
    var comment: LeadingComment
    /// 0-based column of the `#`.
    var column: Int
  }

  init(buf: UnsafeBufferPointer<UInt8>, path: String, options: ParseOptions) {
    self.buf = buf
    self.path = path
    self.options = options
  }

  static func parse(_ bytes: [UInt8], path: String, options: ParseOptions) -> ParseResult {
    if bytes.count > options.maxFileSize {
      let diagnostic = Diagnostic(
        .error, code: "file-too-large",
        message:
          "the file is \(bytes.count) bytes; record files are limited to \(options.maxFileSize) bytes",
        path: path, range: SourceRange(at: .start),
        hint: "split the record, or keep large attachments outside the records repository")
      return ParseResult(document: nil, diagnostics: [diagnostic])
    }
    return bytes.withUnsafeBufferPointer { buf in
      var parser = Parser(buf: buf, path: path, options: options)
      return parser.run(source: bytes)
    }
  }

  mutating func run(source: [UInt8]) -> ParseResult {
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
      return ParseResult(document: nil, diagnostics: [diagnostic])
    }
    let (root, header) = parseDocument()
    diagnostics.sort(by: Diagnostic.sortOrder)
    if diagnostics.count > Parser.maxDiagnostics {
      diagnostics.removeLast(diagnostics.count - Parser.maxDiagnostics)
      diagnostics.append(
        Diagnostic(
          .note, code: "too-many-errors",
          message: "stopped after \(Parser.maxDiagnostics) problems in this file", path: path))
    }
    guard let root, !diagnostics.hasErrors else {
      return ParseResult(document: nil, diagnostics: diagnostics)
    }
    let document = Document(
      root: root, headerComments: header, path: path, source: source,
      hadByteOrderMark: hadBOM, usedCRLF: usedCRLF)
    return ParseResult(document: document, diagnostics: diagnostics)
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
  mutating func advance() {
    guard li < lines.count else { return }
    let line = lines[li]
    if line.leadingTab >= 0 {
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
    li += 1
  }

  /// Skips empty lines and comment lines, keeping the comments as pending.
  mutating func skipTrivia() {
    while li < lines.count {
      let line = lines[li]
      switch line.kind {
      case .blank:
        pendingBlank = true
        advance()
      case .comment:
        let hash = line.firstNonBlank
        let comment = Comment(text: string(hash + 1, line.end), range: range(hash, line.end))
        pending.append(
          PendingComment(
            comment: LeadingComment(comment, blankLineBefore: pendingBlank), column: hash - line.start)
        )
        pendingBlank = false
        advance()
      case .content:
        return
      }
    }
  }

  /// Takes the pending comments and empty line as the trivia before a node.
  mutating func takeTrivia() -> Trivia {
    if pending.isEmpty {
      defer { pendingBlank = false }
      return Trivia(blankLineBefore: pendingBlank)
    }
    let trivia = Trivia(leadingComments: pending.map(\.comment), blankLineBefore: pendingBlank)
    pending.removeAll(keepingCapacity: true)
    pendingBlank = false
    return trivia
  }

  /// The pending comments indented at least `column`, which end a block at that indent.
  mutating func claimEndComments(minColumn column: Int) -> [LeadingComment] {
    var count = 0
    while count < pending.count, pending[count].column >= column { count += 1 }
    guard count > 0 else { return [] }
    let claimed = pending[0..<count].map(\.comment)
    pending.removeFirst(count)
    return claimed
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
  mutating func skipSpaces(_ offset: Int) -> Int {
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

  mutating func parseDocument() -> (Node.Mapping?, [LeadingComment]) {
    skipTrivia()
    guard li < lines.count else {
      let end = buf.count
      diagnostics.append(
        Diagnostic(
          .error, code: "not-a-mapping", message: "the file holds no fields", path: path,
          range: SourceRange(at: lines.isEmpty ? .start : pos(end, onLine: lines.count - 1)),
          hint: "a record file is a mapping: one 'field: value' line per field"))
      return (nil, pending.map(\.comment))
    }
    // Comments separated from the first key by an empty line are the file's header.
    var header: [LeadingComment] = []
    if pendingBlank {
      header = pending.map(\.comment)
      pending.removeAll()
    } else if let split = pending.lastIndex(where: { $0.comment.blankLineBefore }), split > 0 {
      header = pending[0..<split].map(\.comment)
      pending.removeFirst(split)
      pending[0].comment.blankLineBefore = false
    }
    if let first = header.first, first.blankLineBefore {
      header[0].blankLineBefore = false
    }
    pendingBlank = false

    let line = lines[li]
    let first = line.firstNonBlank
    if isDashItem(first) || (buf[first] == UInt8(ascii: "[") && !isFlowKey(first)) {
      error(
        "not-a-mapping", "a record file holds one mapping of fields, not a list", at: first,
        hint: "write the record as 'field: value' lines; keep lists under a field")
      return (nil, header)
    }
    if buf[first] == UInt8(ascii: "{") {
      let mapping = parseFlowMappingValue(at: first)
      advance()
      skipTrivia()
      if li < lines.count {
        error(
          "unexpected-text", "nothing can follow '{}' at the top of the file",
          at: lines[li].firstNonBlank, to: lines[li].end,
          hint: "write the record as 'field: value' lines")
      }
      return (
        mapping.map {
          var m = $0; m.endComments = pending.map(\.comment); return m
        }, header
      )
    }
    if line.indent != 0 {
      error(
        "unexpected-indent", "the first field must start at column 1", at: line.start,
        to: first, hint: "remove the spaces before the key")
    }
    var root = parseBlockMapping(indent: line.indent, inlineStart: nil)
    skipTrivia()
    while li < lines.count {
      let stray = lines[li]
      error(
        "unexpected-indent", "this line is indented less than the fields above it",
        at: stray.start, to: stray.end, hint: "align it with the other fields")
      skipLineAndDeeper(than: stray.indent)
      skipTrivia()
    }
    root.endComments += pending.map(\.comment)
    pending.removeAll()
    return (root, header)
  }

  // MARK: - Block collections

  /// Parses a block mapping whose keys are at `indent`. With `inlineStart`, the first key
  /// starts at that offset on the current line (after `- `).
  mutating func parseBlockMapping(indent: Int, inlineStart: Int?) -> Node.Mapping {
    depth += 1
    defer { depth -= 1 }
    if depth > options.maxDepth {
      reportTooDeep(at: inlineStart ?? lines[li].firstNonBlank)
      skipLineAndDeeper(than: inlineStart == nil ? indent - 1 : indent)
      return Node.Mapping()
    }
    // Entries collect on a stack shared by all mappings, so each mapping's array is
    // allocated once, at its final size.
    var entries: [Node.Mapping.Entry] = []
    // Duplicate keys: a linear scan while the mapping is small, a dictionary after that.
    var keyIndex: [String: Int] = [:]
    var first = true
    while true {
      let keyStart: Int
      var trivia: Trivia
      if first, let inlineStart {
        keyStart = inlineStart
        trivia = .none
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
        trivia = takeTrivia()
      }
      first = false
      guard let (key, afterColon) = parseKey(at: keyStart) else {
        skipLineAndDeeper(than: indent)
        continue
      }
      let keyLine = li
      let previousIndex: Int?
      let count = entries.count
      if count < 16 {
        previousIndex = entries.firstIndex { $0.key.text == key.text }
      } else {
        if keyIndex.isEmpty {
          for (index, entry) in entries.enumerated() where keyIndex[entry.key.text] == nil {
            keyIndex[entry.key.text] = index
          }
        }
        previousIndex = keyIndex[key.text]
      }
      if let previous = previousIndex {
        let firstRange = entries[previous].key.range
        error(
          "duplicate-key", "duplicate key '\(key.text)'", at: key.range!.start.offset,
          to: key.range!.end.offset, hint: "remove one of them, or rename one",
          notes: [Diagnostic.Note(message: "'\(key.text)' is first set here", path: path, range: firstRange)])
      } else if count >= 16 {
        keyIndex[key.text] = count
      }
      let (value, trailing) = parseValue(at: afterColon, parentIndent: indent, indentlessSequence: true)
      if let trailing { trivia.trailingComment = trailing }
      let end = value.range?.end ?? pos(afterColon, onLine: keyLine)
      let entry = Node.Mapping.Entry(
        key: key, value: value, trivia: trivia,
        range: SourceRange(start: key.range!.start, end: max(end, key.range!.end)))
      entries.append(entry)
    }
    let endComments = claimEndComments(minColumn: indent)
    let range = entries.first.map { SourceRange(start: $0.range!.start, end: entries.last!.range!.end) }
    return Node.Mapping(entries: entries, isFlow: false, range: range, endComments: endComments)
  }

  /// Parses a block sequence whose dashes are at `indent`. With `inlineStart`, the first
  /// dash is at that offset on the current line (after an outer `- `).
  mutating func parseBlockSequence(indent: Int, inlineStart: Int?, indentless: Bool = false) -> Node.Sequence {
    depth += 1
    defer { depth -= 1 }
    if depth > options.maxDepth {
      reportTooDeep(at: inlineStart ?? lines[li].firstNonBlank)
      skipLineAndDeeper(than: inlineStart == nil ? indent - 1 : indent)
      return Node.Sequence()
    }
    var items: [Node.Sequence.Item] = []
    var first = true
    while true {
      let dash: Int
      var trivia: Trivia
      if first, let inlineStart {
        dash = inlineStart
        trivia = .none
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
        trivia = takeTrivia()
      }
      first = false
      let itemLine = li
      let lineStart = lines[li].start
      let content = skipSpaces(dash + 1)
      var value: Node
      if content >= lineEnd || buf[content] == UInt8(ascii: "#") {
        if content < lineEnd {
          trivia.trailingComment = comment(at: content)
        }
        advance()
        skipTrivia()
        if li < lines.count, lines[li].indent > indent {
          let (node, trailing) = parseBlockNode(parentIndent: indent)
          value = node
          attach(trailing, to: &trivia)
        } else {
          value = .null(SourceRange(at: pos(dash + 1, onLine: itemLine)))
        }
      } else if isDashItem(content) {
        value = .sequence(parseBlockSequence(indent: content - lineStart, inlineStart: content))
      } else if looksLikeKey(content) {
        value = .mapping(parseBlockMapping(indent: content - lineStart, inlineStart: content))
      } else {
        let (node, trailing) = parseValue(at: content, parentIndent: indent, indentlessSequence: false)
        value = node
        if let trailing { trivia.trailingComment = trailing }
      }
      let start = pos(dash, onLine: itemLine)
      let end = value.range?.end ?? pos(dash + 1, onLine: itemLine)
      items.append(
        Node.Sequence.Item(value: value, trivia: trivia, range: SourceRange(start: start, end: max(start, end))))
    }
    // A list at its key's indentation leaves comments at that column to the key's mapping.
    let endComments = claimEndComments(minColumn: indentless ? indent + 1 : indent)
    let range = items.first.map { SourceRange(start: $0.range!.start, end: items.last!.range!.end) }
    return Node.Sequence(items: items, isFlow: false, range: range, endComments: endComments)
  }

  /// Parses the node that starts on the current line, indented more than `parentIndent`.
  mutating func parseBlockNode(parentIndent: Int) -> (Node, Comment?) {
    let line = lines[li]
    let start = line.firstNonBlank
    if isDashItem(start) {
      return (.sequence(parseBlockSequence(indent: line.indent, inlineStart: nil)), nil)
    }
    if looksLikeKey(start) {
      return (.mapping(parseBlockMapping(indent: line.indent, inlineStart: nil)), nil)
    }
    return parseValue(at: start, parentIndent: parentIndent, indentlessSequence: false)
  }

  /// Adds a comment found on a value's own line to an entry's trivia.
  mutating func attach(_ comment: Comment?, to trivia: inout Trivia) {
    guard let comment else { return }
    if trivia.trailingComment == nil {
      trivia.trailingComment = comment
    } else {
      pending.insert(PendingComment(comment: LeadingComment(comment), column: Int.max), at: 0)
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
  mutating func parseKey(at offset: Int) -> (Node.Scalar, Int)? {
    let end = lineEnd
    let line = lines[li]
    let c = buf[offset]
    switch c {
    case UInt8(ascii: "'"), UInt8(ascii: "\""):
      guard let (scalar, after) = parseQuoted(at: offset) else { return nil }
      let colon = skipSpaces(after)
      guard colon < end, buf[colon] == UInt8(ascii: ":"), isBlankOrEnd(colon + 1) else {
        error(
          "expected-key", "expected ':' after the quoted key", at: min(colon, end),
          hint: "write 'key: value'; quote the whole value when it is not a key")
        return nil
      }
      if scalar.text.utf8.count > options.maxKeyLength {
        reportKeyTooLong(scalar.text.utf8.count, from: offset, to: after)
        return nil
      }
      return (scalar, colon + 1)
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
    while i < end {
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
    let text = string(offset, keyEnd)
    if text == "<<" {
      error(
        "merge-key", "merge keys ('<<') are not supported", at: offset, to: keyEnd,
        hint: "repeat the fields instead of merging them")
      return nil
    }
    if keyEnd - offset > options.maxKeyLength {
      reportKeyTooLong(keyEnd - offset, from: offset, to: keyEnd)
      return nil
    }
    return (
      Node.Scalar(text: string(offset, keyEnd), style: .plain, range: range(offset, keyEnd)),
      colon + 1
    )
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

  /// Parses a comment starting with `#` at `offset` on the current line.
  func comment(at offset: Int) -> Comment {
    Comment(text: string(offset + 1, lineEnd), range: range(offset, lineEnd))
  }

  /// Parses the value that starts at `offset` on the current line (after `key:` or `- `),
  /// including a nested block on the following lines, and moves past it.
  ///
  /// - Parameters:
  ///   - parentIndent: Indentation of the mapping or sequence that holds the value.
  ///   - indentlessSequence: Whether a `- ` list at `parentIndent` can be the value (YAML
  ///     allows that for mapping values only).
  /// - Returns: The value and a comment at the end of its first line.
  mutating func parseValue(at offset: Int, parentIndent: Int, indentlessSequence: Bool) -> (Node, Comment?) {
    let valueLine = li
    let start = skipSpaces(offset)
    let end = lineEnd
    // `offset` always follows a blank (after `: ` or `- `) or starts a line, so a `#`
    // here starts a comment.
    if start >= end || buf[start] == UInt8(ascii: "#") {
      let trailing = start < end ? comment(at: start) : nil
      advance()
      skipTrivia()
      if li < lines.count {
        let line = lines[li]
        if line.indent > parentIndent {
          let (node, own) = parseBlockNode(parentIndent: parentIndent)
          if let own, trailing != nil {
            pending.insert(PendingComment(comment: LeadingComment(own), column: Int.max), at: 0)
            return (node, trailing)
          }
          return (node, trailing ?? own)
        }
        if indentlessSequence, line.indent == parentIndent, isDashItem(line.firstNonBlank) {
          return (.sequence(parseBlockSequence(indent: parentIndent, inlineStart: nil, indentless: true)), trailing)
        }
      }
      return (.null(SourceRange(at: pos(offset, onLine: valueLine))), trailing)
    }
    let c = buf[start]
    var node: Node
    var after: Int
    var isPlain = false
    switch c {
    case UInt8(ascii: "|"), UInt8(ascii: ">"):
      return parseBlockScalar(at: start, parentIndent: parentIndent)
    case UInt8(ascii: "["):
      guard let (sequence, close) = parseFlowSequence(at: start) else {
        skipLineAndDeeper(than: parentIndent)
        return (.null(SourceRange(at: pos(start, onLine: valueLine))), nil)
      }
      node = .sequence(sequence)
      after = close
    case UInt8(ascii: "{"):
      guard let mapping = parseFlowMappingValue(at: start) else {
        skipLineAndDeeper(than: parentIndent)
        return (.null(SourceRange(at: pos(start, onLine: valueLine))), nil)
      }
      node = .mapping(mapping)
      after = mapping.range!.end.offset
    case UInt8(ascii: "'"), UInt8(ascii: "\""):
      guard let (scalar, close) = parseQuoted(at: start) else {
        skipLineAndDeeper(than: parentIndent)
        return (.null(SourceRange(at: pos(start, onLine: valueLine))), nil)
      }
      node = .scalar(scalar)
      after = close
    case UInt8(ascii: "&"), UInt8(ascii: "*"), UInt8(ascii: "!"):
      if c == UInt8(ascii: "&") {
        reportAnchor(at: start)
      } else if c == UInt8(ascii: "*") {
        reportAlias(at: start)
      } else {
        reportTag(at: start)
      }
      skipLineAndDeeper(than: parentIndent)
      return (.null(SourceRange(at: pos(start, onLine: valueLine))), nil)
    case UInt8(ascii: "%"), UInt8(ascii: "@"), UInt8(ascii: "`"), UInt8(ascii: ","),
      UInt8(ascii: "]"), UInt8(ascii: "}"):
      reportReserved(c, at: start, context: "a value")
      skipLineAndDeeper(than: parentIndent)
      return (.null(SourceRange(at: pos(start, onLine: valueLine))), nil)
    case UInt8(ascii: "-") where isBlankOrEnd(start + 1):
      error(
        "inline-sequence", "a list cannot start on the same line as its key", at: start,
        hint:
          "put each item on a line of its own, indented under the key: '  - item' (quote the value if it is the text '-')"
      )
      skipLineAndDeeper(than: parentIndent)
      return (.null(SourceRange(at: pos(start, onLine: valueLine))), nil)
    case UInt8(ascii: "?") where isBlankOrEnd(start + 1):
      error(
        "complex-key", "complex keys ('? ') are not supported", at: start,
        hint: "quote the value if it is the text '?'")
      skipLineAndDeeper(than: parentIndent)
      return (.null(SourceRange(at: pos(start, onLine: valueLine))), nil)
    case UInt8(ascii: ":") where isBlankOrEnd(start + 1):
      error(
        "colon-in-value", "a value cannot start with ': '", at: start,
        hint: "quote the value if the colon is part of the text")
      skipLineAndDeeper(than: parentIndent)
      return (.null(SourceRange(at: pos(start, onLine: valueLine))), nil)
    default:
      let (scalar, stop) = parsePlain(at: start)
      node = .scalar(scalar)
      after = stop
      isPlain = true
    }
    // The rest of the line: spaces, then nothing or a comment.
    let trailing = parseRestOfLine(from: after, plain: isPlain)
    advance()
    checkNoContinuation(parentIndent: parentIndent, plain: isPlain)
    return (node, trailing)
  }

  /// After a value: only spaces and a comment may follow on the line.
  mutating func parseRestOfLine(from offset: Int, plain: Bool) -> Comment? {
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
    guard i < end else { return nil }
    if buf[i] == UInt8(ascii: "#"), i > offset || plain {
      return comment(at: i)
    }
    error(
      "unexpected-text", "unexpected text after the value", at: i, to: end,
      hint: "put the whole value in quotes, or start a comment with ' #'")
    return nil
  }

  /// Reports lines indented under a value that cannot have any.
  mutating func checkNoContinuation(parentIndent: Int, plain: Bool) {
    skipTrivia()
    guard li < lines.count, lines[li].indent > parentIndent else { return }
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
