/// Scalars and flow collections: plain, quoted, block (`|`, `>`), `[a, b]` and `{}`.
extension Parser {
  // MARK: - Plain

  /// Scans a plain scalar in block context. Returns the offset where it stops (before
  /// trailing spaces and any comment): its text is `offset..<stop`.
  mutating func parsePlain(at offset: Int) -> Int {
    let end = lineEnd
    var i = offset
    var last = offset
    guard let base = buf.baseAddress else { return offset }
    while i < end {
      // Eight bytes at a time while none is a space, a control character or ':' (bytes of
      // non-ASCII text are ≥ 0x80 and pass): dates, ids and words go by in one or two steps.
      // At a word with such a byte, go straight to the first one.
      while i + 8 <= end {
        let w = ByteWord.load(base, i)
        let special = ByteWord.below(w, 0x21) | ByteWord.equal(w, UInt8(ascii: ":"))
        if special != 0 {
          let ordinary = ByteWord.first(special)
          if ordinary > 0 {
            i += ordinary
            last = i
          }
          break
        }
        i += 8
        last = i
      }
      guard i < end else { break }
      let b = buf[i]
      // Most bytes are neither blank nor ':' (all bytes of non-ASCII text are ≥ 0x80).
      if b > 0x3A || (b > 0x20 && b < 0x3A) {
        i += 1
        last = i
        continue
      }
      if b == 0x20 {
        if i + 1 < end, buf[i + 1] == UInt8(ascii: "#") { break }
        i += 1
        continue
      }
      if b == 0x09 {
        if i + 1 < end, buf[i + 1] == UInt8(ascii: "#") { break }
        // Reported only when the tab is inside the value; trailing tabs are reported by
        // the end-of-line check.
        var j = i
        while j < end, buf[j] == 0x20 || buf[j] == 0x09 { j += 1 }
        if j < end, buf[j] != UInt8(ascii: "#") {
          error(
            "tab-separator", "a tab inside a plain value", at: i,
            hint: "put the value in quotes to keep the tab, or use spaces")
        }
        i += 1
        continue
      }
      if b == UInt8(ascii: ":"), i + 1 >= end || buf[i + 1] == 0x20 || buf[i + 1] == 0x09 {
        error(
          "colon-in-value", "': ' cannot appear in a plain value", at: i,
          hint: "put the value in quotes: \"\(string(offset, min(end, offset + 40)).replacingQuotes())\"")
      }
      i += 1
      last = i
    }
    return last
  }

  // MARK: - Quoted

  /// A quoted scalar: its style code, its text (-2: the bytes between the quotes; ≥ 0: an
  /// index into `strings`) and the offset after the closing quote.
  struct Quoted {
    var style: UInt8
    var text: Int32
    var end: Int
  }

  /// Parses a single- or double-quoted scalar that must end on its line, or returns nil
  /// after reporting the problem.
  mutating func parseQuoted(at offset: Int) -> Quoted? {
    let quote = buf[offset]
    let end = lineEnd
    var i = offset + 1
    var out: [UInt8] = []
    var copyFrom = i
    var escaped = false
    var ok = true
    if quote == UInt8(ascii: "'") {
      while i < end {
        if buf[i] == quote {
          if i + 1 < end, buf[i + 1] == quote {
            out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[copyFrom..<(i + 1)]))
            escaped = true
            i += 2
            copyFrom = i
            continue
          }
          break
        }
        i += 1
      }
    } else {
      while i < end {
        let b = buf[i]
        if b == quote { break }
        if b == UInt8(ascii: "\\") {
          out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[copyFrom..<i]))
          escaped = true
          let (length, valid) = decodeEscape(at: i, into: &out)
          if !valid { ok = false }
          i += length
          copyFrom = i
          continue
        }
        i += 1
      }
    }
    guard i < end else {
      error(
        "multiline-quoted", "the quoted value does not end on this line", at: offset, to: end,
        hint:
          "close the quote on the same line; for text with line breaks use a block scalar ('key: |') or write \\n inside double quotes"
      )
      return nil
    }
    guard ok else { return nil }
    let style: ScalarStyle = quote == UInt8(ascii: "'") ? .singleQuoted : .doubleQuoted
    if escaped {
      out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[copyFrom..<i]))
      return Quoted(style: style.code, text: store(String(decoding: out, as: UTF8.self)), end: i + 1)
    }
    return Quoted(style: style.code, text: -2, end: i + 1)
  }

  /// Decodes the escape at `offset` (a backslash). Returns how many bytes it takes and
  /// whether it was valid.
  mutating func decodeEscape(at offset: Int, into out: inout [UInt8]) -> (Int, Bool) {
    let end = lineEnd
    guard offset + 1 < end else {
      error(
        "multiline-quoted", "a '\\' at the end of the line continues the value on the next line",
        at: offset, hint: "keep the quoted value on one line; write \\n for a line break")
      return (1, false)
    }
    let c = buf[offset + 1]
    func append(_ scalar: UInt32) {
      out.append(contentsOf: Array(String(Character(Unicode.Scalar(scalar)!)).utf8))
    }
    switch c {
    case UInt8(ascii: "0"): out.append(0)
    case UInt8(ascii: "a"): out.append(0x07)
    case UInt8(ascii: "b"): out.append(0x08)
    case UInt8(ascii: "t"), 0x09: out.append(0x09)
    case UInt8(ascii: "n"): out.append(0x0A)
    case UInt8(ascii: "v"): out.append(0x0B)
    case UInt8(ascii: "f"): out.append(0x0C)
    case UInt8(ascii: "r"): out.append(0x0D)
    case UInt8(ascii: "e"): out.append(0x1B)
    case 0x20: out.append(0x20)
    case UInt8(ascii: "\""): out.append(0x22)
    case UInt8(ascii: "/"): out.append(0x2F)
    case UInt8(ascii: "\\"): out.append(0x5C)
    case UInt8(ascii: "N"): append(0x85)
    case UInt8(ascii: "_"): append(0xA0)
    case UInt8(ascii: "L"): append(0x2028)
    case UInt8(ascii: "P"): append(0x2029)
    case UInt8(ascii: "x"), UInt8(ascii: "u"), UInt8(ascii: "U"):
      let digits = c == UInt8(ascii: "x") ? 2 : (c == UInt8(ascii: "u") ? 4 : 8)
      var value: UInt32 = 0
      var k = 0
      while k < digits {
        let index = offset + 2 + k
        guard index < end, let digit = hexValue(buf[index]) else {
          error(
            "invalid-escape",
            "'\\\(Character(Unicode.Scalar(c)))' needs \(digits) hexadecimal digits",
            at: offset, to: min(end, offset + 2 + k),
            hint: "write e.g. \\\(Character(Unicode.Scalar(c)))\(String(repeating: "0", count: digits - 2))41")
          return (2 + k, false)
        }
        value = value &* 16 &+ UInt32(digit)
        k += 1
      }
      guard let scalar = Unicode.Scalar(value) else {
        error(
          "invalid-escape",
          "'\\\(Character(Unicode.Scalar(c)))\(string(offset + 2, offset + 2 + digits))' is not a Unicode character",
          at: offset, to: offset + 2 + digits,
          hint: "surrogate halves and values above 10FFFF cannot be written; use \\U for characters beyond FFFF")
        return (2 + digits, false)
      }
      append(scalar.value)
      return (2 + digits, true)
    default:
      let charEnd = characterEnd(offset + 1)
      error(
        "invalid-escape", "unknown escape '\\\(string(offset + 1, charEnd))'", at: offset, to: charEnd,
        hint:
          "escapes are \\n \\t \\\\ \\\" \\0 \\a \\b \\e \\f \\r \\v \\/ \\N \\_ \\L \\P \\xXX \\uXXXX \\UXXXXXXXX; write '\\\\' for a backslash"
      )
      return (charEnd - offset, false)
    }
    return (2, true)
  }

  func hexValue(_ b: UInt8) -> UInt8? {
    switch b {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): b - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): b - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): b - UInt8(ascii: "A") + 10
    default: nil
    }
  }

  // MARK: - Flow

  /// Parses `[a, "b c"]` on one line. Returns the sequence's record and the offset after `]`.
  mutating func parseFlowSequence(at offset: Int) -> (Int32, Int)? {
    depth += 1
    defer { depth -= 1 }
    let end = lineEnd
    let sequence = append(.sequence, style: 1, start: offset, end: offset)
    var count = 0
    var i = offset + 1
    var expectItem = true
    var ok = true
    while true {
      i = skipSpaces(i)
      if i >= end || (buf[i] == UInt8(ascii: "#") && buf[i - 1] == 0x20) {
        error(
          "multiline-flow", "the list in [ ] does not end on this line", at: offset, to: end,
          hint: "close it with ']' on the same line, or write one '- item' per line under the key")
        return nil
      }
      let c = buf[i]
      if c == UInt8(ascii: "]") {
        i += 1
        break
      }
      if c == UInt8(ascii: ",") {
        if expectItem {
          error("empty-item", "an empty item in [ ]", at: i, hint: "remove the extra ','; write \"\" for empty text")
          ok = false
        }
        expectItem = true
        i += 1
        continue
      }
      if !expectItem {
        error("unexpected-text", "expected ',' or ']'", at: i, hint: "separate items with ', '")
        return nil
      }
      switch c {
      case UInt8(ascii: "["), UInt8(ascii: "{"):
        error(
          "nested-flow", "a list in [ ] can hold only plain values, not lists or mappings", at: i,
          hint: "write nested lists and mappings as blocks, one '- item' per line")
        return nil
      case UInt8(ascii: "'"), UInt8(ascii: "\""):
        guard let quoted = parseQuoted(at: i) else { return nil }
        let item = append(.scalar, style: quoted.style, start: i, end: quoted.end, text: quoted.text)
        records[Int(item)].aux = Int32(i)
        count += 1
        i = quoted.end
      case UInt8(ascii: "&"):
        reportAnchor(at: i)
        return nil
      case UInt8(ascii: "*"):
        reportAlias(at: i)
        return nil
      case UInt8(ascii: "!"):
        reportTag(at: i)
        return nil
      case UInt8(ascii: "|"), UInt8(ascii: ">"), UInt8(ascii: "%"), UInt8(ascii: "@"),
        UInt8(ascii: "`"), UInt8(ascii: "}"), UInt8(ascii: "#"):
        reportReserved(c, at: i, context: "an item in [ ]")
        return nil
      case UInt8(ascii: "-") where isBlankOrEnd(i + 1), UInt8(ascii: "?"), UInt8(ascii: ":"):
        // In [ ], '?' and ':' always start a key for libyaml, so they cannot start an item.
        reportReserved(c, at: i, context: "an item in [ ]")
        return nil
      default:
        // A plain scalar in flow context: up to ',', ']' or a comment.
        let start = i
        var last = i
        while i < end {
          let b = buf[i]
          if b == UInt8(ascii: ",") || b == UInt8(ascii: "]") { break }
          if b == UInt8(ascii: "[") || b == UInt8(ascii: "{") || b == UInt8(ascii: "}") {
            error(
              "nested-flow", "'\(Character(Unicode.Scalar(b)))' inside an item in [ ]", at: i,
              hint: "put the item in quotes")
            return nil
          }
          if b == UInt8(ascii: ":") {
            error(
              "colon-in-value", "':' inside an item in [ ]", at: i,
              hint: "put the item in quotes: \"\(string(start, min(end, start + 30)).replacingQuotes())\"")
            ok = false
          }
          if b == UInt8(ascii: "#"), buf[i - 1] == 0x20 { break }
          if b == 0x09 {
            error("tab-separator", "a tab inside [ ]", at: i, hint: "use spaces, or quote the item")
            ok = false
          }
          i += 1
          if b != 0x20 && b != 0x09 { last = i }
        }
        let item = append(.scalar, start: start, end: last)
        records[Int(item)].aux = Int32(start)
        count += 1
      }
      expectItem = false
    }
    guard ok else { return nil }
    close(sequence, count: count, start: offset, end: i)
    return (sequence, i)
  }

  /// Parses `{}`, the only flow mapping Tally accepts, and returns its record; returns nil
  /// after reporting others.
  mutating func parseFlowMappingValue(at offset: Int) -> Int32? {
    let i = skipSpaces(offset + 1)
    if i < lineEnd, buf[i] == UInt8(ascii: "}") {
      let after = i + 1
      let rest = skipSpaces(after)
      if rest < lineEnd, buf[rest] != UInt8(ascii: "#") || rest == after {
        error(
          "unexpected-text", "unexpected text after '{}'", at: rest, to: lineEnd,
          hint: "start a comment with ' #'")
        return nil
      }
      return append(.mapping, style: 1, start: offset, end: after)
    }
    error(
      "flow-mapping", "flow mappings ('{key: value}') are not supported", at: offset, to: lineEnd,
      hint: "write one 'key: value' per line, indented under the key; '{}' is an empty mapping")
    return nil
  }

  // MARK: - Block scalars

  /// Parses a block scalar whose header (`|`, `>`, with indicators) is at `offset`, and its
  /// content lines. `parentIndent` is the indentation of the collection holding it.
  mutating func parseBlockScalar(at offset: Int, parentIndent: Int) -> (Int32, Int32) {
    let end = lineEnd
    let literal = buf[offset] == UInt8(ascii: "|")
    var chomping = Node.Scalar.Chomping.clip
    var chompingSet = false
    var indicator = 0
    var i = offset + 1
    var ok = true
    while i < end, i < offset + 3 {
      let b = buf[i]
      if (b == UInt8(ascii: "-") || b == UInt8(ascii: "+")) && !chompingSet {
        chomping = b == UInt8(ascii: "-") ? .strip : .keep
        chompingSet = true
      } else if b >= UInt8(ascii: "1") && b <= UInt8(ascii: "9") && indicator == 0 {
        indicator = Int(b - UInt8(ascii: "0"))
      } else if b == UInt8(ascii: "0") {
        error(
          "block-header", "the indentation indicator of a block scalar cannot be 0", at: i,
          hint: "use 1-9, or leave it out")
        ok = false
      } else {
        break
      }
      i += 1
    }
    var trailing: Int32 = -1
    var j = i
    while j < end, buf[j] == 0x20 || buf[j] == 0x09 {
      if buf[j] == 0x09 {
        error("tab-separator", "a tab after a block scalar header", at: j, hint: "use spaces")
      }
      j += 1
    }
    if j < end {
      if buf[j] == UInt8(ascii: "#"), j > i {
        trailing = addComment(at: j)
      } else {
        error(
          "block-header", "unexpected text after '\(literal ? "|" : ">")'", at: i, to: end,
          hint: "the text of a block scalar starts on the next line, indented under the key")
        ok = false
      }
    }
    let headerEnd = i
    advance()

    // Find the content indentation.
    var contentIndent: Int
    var k = li
    var maxLeading = 0
    var firstContent = -1
    while k < lines.count {
      let line = lines[k]
      var s = line.start
      while s < line.end, buf[s] == 0x20 { s += 1 }
      let spaces = s - line.start
      if s >= line.end {
        maxLeading = max(maxLeading, spaces)
        k += 1
        continue
      }
      firstContent = k
      break
    }
    if indicator > 0 {
      contentIndent = parentIndent + indicator
      if parentIndent < 0 { contentIndent = indicator }
    } else if firstContent >= 0, lines[firstContent].indent > parentIndent {
      // The first line with text sets the indentation. (When it is not indented under the
      // key, the block has no text: its empty lines set it, as below.)
      let spaces = lines[firstContent].indent
      contentIndent = max(spaces, parentIndent + 1, 1)
      let first = lines[firstContent].start + spaces
      if buf[first] == 0x09 {
        // YAML 1.2 reads the tab as text; libyaml rejects the file ("found a tab character
        // where an indentation space is expected"). An indicator settles it for both.
        let indicator = spaces - max(parentIndent, 0)
        let chomp = chomping == .strip ? "-" : chomping == .keep ? "+" : ""
        let header = "'\(literal ? "|" : ">")\(indicator)\(chomp)'"
        errorOnLine(
          firstContent, "tab-indent", "a tab at the start of block text whose indentation is not given",
          at: first,
          hint: indicator <= 9
            ? "give the indentation in the header (\(header)), or start the line with spaces: YAML readers disagree about this tab"
            : "start the line with spaces: YAML readers disagree about this tab")
        ok = false
      }
      if maxLeading > spaces {
        errorOnLine(
          firstContent - 1, "block-indent",
          "an empty line at the start of the block text has more spaces than the text",
          at: lines[firstContent - 1].start, to: lines[firstContent - 1].end,
          hint: "remove the spaces from the empty lines")
        ok = false
      }
    } else {
      contentIndent = max(maxLeading, parentIndent + 1, 1)
    }

    // Collect content lines: empty lines and lines indented at least contentIndent.
    var contentLines: [(start: Int, end: Int, empty: Bool, hasBreak: Bool)] = []
    var lastContent = -1
    k = li
    while k < lines.count {
      var line = lines[k]
      if !line.hasBreak, isOnlySpaces(line) {
        // The last line of a file without a final line break holds only spaces: YAML 1.2
        // keeps it with its line break (yaml-test-suite L24T, JEF9). libyaml drops the break.
        line.hasBreak = true
      }
      var s = line.start
      while s < line.end, s - line.start < contentIndent, buf[s] == 0x20 { s += 1 }
      let spaces = s - line.start
      if spaces < contentIndent {
        if s >= line.end {
          contentLines.append((s, s, true, line.hasBreak))
          k += 1
          continue
        }
        if buf[s] == 0x09 {
          // A tab where indentation is expected.
          var t = s
          while t < line.end, buf[t] == 0x20 || buf[t] == 0x09 { t += 1 }
          if t >= line.end {
            errorOnLine(
              k, "tab-indent", "a tab on an empty line inside block text", at: s,
              hint: "remove the tab")
            ok = false
            contentLines.append((s, s, true, line.hasBreak))
            k += 1
            continue
          }
          if line.indent >= contentIndent || t - line.start >= contentIndent {
            errorOnLine(
              k, "tab-indent", "tabs cannot indent block text: use spaces", at: s,
              hint: "indent the text with spaces; tabs are kept only after the indentation")
            ok = false
            contentLines.append((t, line.end, false, line.hasBreak))
            lastContent = contentLines.count - 1
            k += 1
            continue
          }
        }
        break
      }
      contentLines.append((s, line.end, s >= line.end, line.hasBreak))
      if s < line.end { lastContent = contentLines.count - 1 }
      k += 1
    }
    // Lines after the last content line are empty: kept only with '+'.
    let consumed: Int
    if chomping == .keep {
      consumed = contentLines.count
    } else {
      consumed = lastContent + 1
    }
    let used = Array(contentLines[0..<consumed])
    let nextLine = li + consumed

    // Build the text the way YAML does (libyaml's folding algorithm).
    var out: [UInt8] = []
    var leadingBreak = false
    var trailingBreaks = 0
    var leadingBlank = false
    var seenContent = false
    for (index, line) in used.enumerated() {
      if line.empty || index > lastContent {
        if line.hasBreak { trailingBreaks += 1 }
        continue
      }
      let trailingBlank = buf[line.start] == 0x20 || buf[line.start] == 0x09
      if !literal, leadingBreak, !leadingBlank, !trailingBlank, seenContent {
        if trailingBreaks == 0 { out.append(0x20) }
      } else if leadingBreak {
        out.append(0x0A)
      }
      for _ in 0..<trailingBreaks { out.append(0x0A) }
      trailingBreaks = 0
      leadingBlank = trailingBlank
      out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[line.start..<line.end]))
      leadingBreak = line.hasBreak
      seenContent = true
    }
    switch chomping {
    case .strip:
      break
    case .clip:
      if leadingBreak { out.append(0x0A) }
    case .keep:
      if leadingBreak { out.append(0x0A) }
      for _ in 0..<trailingBreaks { out.append(0x0A) }
    }

    let endOffset: Int
    if consumed > 0 {
      endOffset = lines[nextLine - 1].end
    } else {
      endOffset = headerEnd
    }
    li = nextLine
    guard ok else {
      return (appendNull(at: offset), trailing)
    }
    let style: ScalarStyle = literal ? .literal : .folded
    let record = append(
      .scalar, style: style.code, start: offset, end: endOffset, text: store(String(decoding: out, as: UTF8.self)))
    records[Int(record)].chomping = chomping.code
    if !literal {
      foldedLines[record] = used.map { $0.empty ? "" : string($0.start, $0.end) }
    }
    return (record, trailing)
  }

  /// Whether a line is not empty and holds nothing but spaces.
  func isOnlySpaces(_ line: Line) -> Bool {
    guard line.end > line.start, line.firstNonBlank >= line.end else { return false }
    var i = line.start
    while i < line.end {
      if buf[i] != 0x20 { return false }
      i += 1
    }
    return true
  }

  mutating func errorOnLine(
    _ index: Int, _ code: String, _ message: String, at offset: Int, to endOffset: Int? = nil,
    hint: String? = nil
  ) {
    let saved = li
    li = index
    error(code, message, at: offset, to: endOffset, hint: hint)
    li = saved
  }
}

extension String {
  /// The text with double quotes and backslashes escaped, for showing inside a hint.
  func replacingQuotes() -> String {
    var result = ""
    for ch in self {
      if ch == "\"" || ch == "\\" { result.append("\\") }
      result.append(ch)
    }
    return result
  }
}
