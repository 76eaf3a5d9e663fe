/// Prints a syntax tree in Tally's canonical form.
///
/// Two-space indentation, block sequences indented under their key, `key: value` with one
/// space, the fewest quotes that keep every YAML reader reading the same text, comments
/// where they were, at most one empty line between siblings, one newline at the end.
/// Printing is idempotent and never changes what a file means:
/// `parse(print(d)).value == d.value`.
public struct CanonicalPrinter: Sendable {
  /// Says whether the scalar at a path has a schema type (a number, a date, a boolean...)
  /// so that a YAML reader's implicit typing of it is what it means, and it can be written
  /// plain. Without it, every scalar is text and is quoted wherever a YAML reader would
  /// read it as something else.
  public var isTyped: (@Sendable (FieldPath) -> Bool)?

  public init(isTyped: (@Sendable (FieldPath) -> Bool)? = nil) {
    self.isTyped = isTyped
  }

  /// The canonical text of `document`.
  public func print(_ document: Document) -> String {
    String(decoding: printBytes(document), as: UTF8.self)
  }

  /// The canonical bytes of `document`.
  public func printBytes(_ document: Document) -> [UInt8] {
    var writer = Writer(isTyped: isTyped)
    writer.out.reserveCapacity(document.source.count + 64)
    for (index, comment) in document.headerComments.enumerated() {
      if index > 0, comment.blankLineBefore { writer.blankLine() }
      writer.comment(comment.comment, indent: 0)
    }
    if !document.headerComments.isEmpty {
      writer.blankLine()
    }
    let root = document.root
    if root.entries.isEmpty {
      writer.line("{}")
    } else {
      writer.entries(root.entries, indent: 0)
    }
    writer.endComments(root.endComments, indent: 0)
    return writer.out
  }

  /// The canonical lines of `node` as the value of a key (or item) whose line is at
  /// `indent`: what follows `key:` on the key's line (with its leading space) and the
  /// lines below it, without a final newline.
  func printValue(_ node: Node, indent: Int, path: FieldPath, inSequence: Bool) -> [UInt8] {
    var writer = Writer(isTyped: isTyped)
    writer.path = path
    writer.value(node, indent: indent, trailing: nil, inSequenceItem: inSequence)
    if writer.out.last == 0x0A { writer.out.removeLast() }
    return writer.out
  }

  /// The canonical lines of a mapping entry at `indent`, ending in a newline.
  func printEntry(_ entry: Node.Mapping.Entry, indent: Int, path: FieldPath) -> [UInt8] {
    var writer = Writer(isTyped: isTyped)
    writer.path = path
    writer.entries([entry], indent: indent)
    return writer.out
  }

  /// The canonical lines of a sequence item at `indent`, ending in a newline. `path` is the
  /// item's own path (`follow_ups[2]`): the writer adds the index to the list's path.
  func printItem(_ item: Node.Sequence.Item, indent: Int, path: FieldPath) -> [UInt8] {
    var writer = Writer(isTyped: isTyped)
    var index = 0
    if case .index(let position)? = path.last, let list = path.parent {
      writer.path = list
      index = position
    } else {
      writer.path = path
    }
    writer.items([item], indent: indent, firstIndex: index)
    return writer.out
  }

  /// How `text` is written inline (plain, single- or double-quoted) in `context`.
  public static func inlineScalar(_ text: String, context: ScalarSafety.Context, typed: Bool = false) -> String {
    var writer = Writer(isTyped: nil)
    writer.inlineScalar(text, context: context, typed: typed)
    return String(decoding: writer.out, as: UTF8.self)
  }

  struct Writer {
    var out: [UInt8] = []
    let isTyped: (@Sendable (FieldPath) -> Bool)?
    var path = FieldPath()
    /// Set after a `|+` scalar: an empty line here would become part of its text.
    var afterKeepScalar = false
    /// Set at the start of a block: no empty line before its first child.
    var atBlockStart = true

    init(isTyped: (@Sendable (FieldPath) -> Bool)?) {
      self.isTyped = isTyped
    }

    mutating func indent(_ n: Int) {
      for _ in 0..<n { out.append(0x20) }
    }

    mutating func append(_ s: String) {
      out.append(contentsOf: s.utf8)
    }

    mutating func line(_ s: String) {
      append(s)
      newline()
    }

    mutating func newline() {
      out.append(0x0A)
      afterKeepScalar = false
      atBlockStart = false
    }

    mutating func blankLine() {
      guard !afterKeepScalar, !atBlockStart, !out.isEmpty else { return }
      out.append(0x0A)
    }

    mutating func comment(_ comment: Comment, indent n: Int) {
      indent(n)
      out.append(UInt8(ascii: "#"))
      var text = Substring(comment.text)
      while let last = text.last, last == " " || last == "\t" || last == "\r" { text.removeLast() }
      append(String(text))
      newline()
    }

    mutating func leading(_ trivia: Trivia, indent n: Int) {
      for comment in trivia.leadingComments {
        if comment.blankLineBefore { blankLine() }
        self.comment(comment.comment, indent: n)
      }
      if trivia.blankLineBefore { blankLine() }
    }

    mutating func trailing(_ comment: Comment?) {
      guard let comment else { return }
      append(" #")
      var text = Substring(comment.text)
      while let last = text.last, last == " " || last == "\t" || last == "\r" { text.removeLast() }
      append(String(text))
    }

    mutating func endComments(_ comments: [LeadingComment], indent n: Int) {
      for comment in comments {
        if comment.blankLineBefore { blankLine() }
        self.comment(comment.comment, indent: n)
      }
    }

    mutating func entries(_ entries: [Node.Mapping.Entry], indent n: Int) {
      for entry in entries {
        leading(entry.trivia, indent: n)
        indent(n)
        inlineScalar(entry.key, context: .key, typed: false)
        out.append(UInt8(ascii: ":"))
        let saved = path
        if isTyped != nil { path = path.appending(key: entry.key.text) }
        value(entry.value, indent: n, trailing: entry.trivia.trailingComment, inSequenceItem: false)
        path = saved
      }
    }

    mutating func items(_ items: [Node.Sequence.Item], indent n: Int, firstIndex: Int = 0) {
      for (offset, item) in items.enumerated() {
        leading(item.trivia, indent: n)
        let saved = path
        if isTyped != nil { path = path.appending(index: firstIndex + offset) }
        // Comments of a mapping's first entry go before the dash.
        var value = item.value
        if case .mapping(var mapping) = value, !mapping.entries.isEmpty,
          item.trivia.trailingComment == nil
        {
          let firstTrivia = mapping.entries[0].trivia
          if !firstTrivia.leadingComments.isEmpty {
            leading(Trivia(leadingComments: firstTrivia.leadingComments), indent: n)
          }
          mapping.entries[0].trivia.leadingComments = []
          mapping.entries[0].trivia.blankLineBefore = false
          value = .mapping(mapping)
        }
        indent(n)
        out.append(UInt8(ascii: "-"))
        self.value(value, indent: n, trailing: item.trivia.trailingComment, inSequenceItem: true)
        path = saved
      }
    }

    /// Writes a value after `key:` or `-` (the cursor is right after the colon or dash),
    /// through to the end of its last line.
    mutating func value(_ node: Node, indent n: Int, trailing comment: Comment?, inSequenceItem: Bool) {
      switch node {
      case .null:
        trailing(comment)
        newline()
      case .scalar(let scalar):
        scalarValue(scalar, indent: n, trailing: comment)
      case .mapping(let mapping):
        if mapping.entries.isEmpty {
          append(" {}")
          trailing(comment)
          newline()
          endComments(mapping.endComments, indent: n + 2)
        } else if inSequenceItem, comment == nil {
          // Compact form: `- key: value` with the following keys aligned.
          out.append(0x20)
          atBlockStart = true
          var first = mapping.entries[0]
          first.trivia.leadingComments = []
          first.trivia.blankLineBefore = false
          entriesInline(first, rest: mapping.entries.dropFirst(), indent: n + 2)
          endComments(mapping.endComments, indent: n + 2)
        } else {
          trailing(comment)
          newline()
          atBlockStart = true
          entries(mapping.entries, indent: n + 2)
          endComments(mapping.endComments, indent: n + 2)
        }
      case .sequence(let sequence):
        if sequence.items.isEmpty {
          append(" []")
          trailing(comment)
          newline()
          endComments(sequence.endComments, indent: n + 2)
        } else if sequence.isFlow, sequence.items.allSatisfy({ $0.value.asScalar != nil }) {
          append(" [")
          for (index, item) in sequence.items.enumerated() {
            if index > 0 { append(", ") }
            let saved = path
            if isTyped != nil { path = path.appending(index: index) }
            let typed = isTyped?(path) ?? false
            inlineScalar(item.value.asScalar!, context: .flow, typed: typed)
            path = saved
          }
          out.append(UInt8(ascii: "]"))
          trailing(comment)
          newline()
          endComments(sequence.endComments, indent: n + 2)
        } else if inSequenceItem, comment == nil {
          out.append(0x20)
          atBlockStart = true
          var items = sequence.items
          items[0].trivia = Trivia()
          itemsInline(items, indent: n + 2)
          endComments(sequence.endComments, indent: n + 2)
        } else {
          trailing(comment)
          newline()
          atBlockStart = true
          items(sequence.items, indent: n + 2)
          endComments(sequence.endComments, indent: n + 2)
        }
      }
    }

    /// The first entry of a compact mapping goes on the dash's line; the rest below it.
    mutating func entriesInline(
      _ first: Node.Mapping.Entry, rest: ArraySlice<Node.Mapping.Entry>, indent n: Int
    ) {
      inlineScalar(first.key, context: .key, typed: false)
      out.append(UInt8(ascii: ":"))
      let saved = path
      if isTyped != nil { path = path.appending(key: first.key.text) }
      value(first.value, indent: n, trailing: first.trivia.trailingComment, inSequenceItem: false)
      path = saved
      entries(Array(rest), indent: n)
    }

    /// The first item of a nested sequence goes on the outer dash's line.
    mutating func itemsInline(_ items: [Node.Sequence.Item], indent n: Int) {
      let saved = path
      if isTyped != nil { path = path.appending(index: 0) }
      out.append(UInt8(ascii: "-"))
      value(items[0].value, indent: n, trailing: items[0].trivia.trailingComment, inSequenceItem: true)
      path = saved
      self.items(Array(items.dropFirst()), indent: n, firstIndex: 1)
    }

    mutating func scalarValue(_ scalar: Node.Scalar, indent n: Int, trailing comment: Comment?) {
      if scalar.style == .folded, let lines = scalar.foldedLines,
        let chomping = Self.foldedChomping(lines, text: scalar.text, preferred: scalar.chomping)
      {
        blockScalar(header: ">", lines: lines, chomping: chomping, indent: n, trailing: comment)
        return
      }
      if scalar.withUTF8({ $0.contains(0x0A) }), let (lines, chomping) = literalLines(scalar.text) {
        blockScalar(header: "|", lines: lines, chomping: chomping, indent: n, trailing: comment)
        return
      }
      out.append(0x20)
      let typed = isTyped?(path) ?? false
      inlineScalar(scalar, context: .block, typed: typed)
      trailing(comment)
      newline()
    }

    /// The chomping with which `lines`, printed as a folded block (each line ending in a
    /// line break), read back as `text`; nil when none does (then the text is printed
    /// another way).
    static func foldedChomping(_ lines: [String], text: String, preferred: Node.Scalar.Chomping)
      -> Node.Scalar.Chomping?
    {
      let candidates: [Node.Scalar.Chomping] = [preferred, .clip, .strip, .keep]
      for chomping in candidates where fold(lines, chomping: chomping) == text {
        return chomping
      }
      return nil
    }

    /// YAML's folding of block text lines (each followed by a line break).
    static func fold(_ lines: [String], chomping: Node.Scalar.Chomping) -> String {
      var out = ""
      var leadingBreak = false
      var trailingBreaks = 0
      var leadingBlank = false
      var lastContent = -1
      for (index, line) in lines.enumerated() where !line.isEmpty { lastContent = index }
      for (index, line) in lines.enumerated() {
        if line.isEmpty || index > lastContent {
          trailingBreaks += 1
          continue
        }
        let trailingBlank = line.first == " " || line.first == "\t"
        if leadingBreak, !leadingBlank, !trailingBlank {
          if trailingBreaks == 0 { out += " " }
        } else if leadingBreak {
          out += "\n"
        }
        out += String(repeating: "\n", count: trailingBreaks)
        trailingBreaks = 0
        leadingBlank = trailingBlank
        out += line
        leadingBreak = true
      }
      switch chomping {
      case .strip: break
      case .clip: if leadingBreak { out += "\n" }
      case .keep:
        if leadingBreak { out += "\n" }
        out += String(repeating: "\n", count: trailingBreaks)
      }
      return out
    }

    /// Splits text for a literal block scalar, or nil when one cannot hold it exactly.
    func literalLines(_ text: String) -> ([String], Node.Scalar.Chomping)? {
      for scalar in text.unicodeScalars {
        if scalar == "\n" || scalar == "\t" { continue }
        if ScalarSafety.needsEscape(scalar) { return nil }
      }
      var body = Substring(text)
      var trailingBreaks = 0
      while body.last == "\n" {
        body.removeLast()
        trailingBreaks += 1
      }
      if body.isEmpty {
        // Only line breaks: a kept block of empty lines.
        return (Array(repeating: "", count: trailingBreaks), .keep)
      }
      var lines = body.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
      let chomping: Node.Scalar.Chomping
      switch trailingBreaks {
      case 0: chomping = .strip
      case 1: chomping = .clip
      default:
        chomping = .keep
        lines += Array(repeating: "", count: trailingBreaks - 1)
      }
      return (lines, chomping)
    }

    mutating func blockScalar(
      header: String, lines: [String], chomping: Node.Scalar.Chomping, indent n: Int,
      trailing comment: Comment?
    ) {
      out.append(0x20)
      append(header)
      // An indentation indicator is needed when the first text line starts with a space (it
      // would set the indentation) or a tab (libyaml reads a tab there as indentation).
      if let first = lines.first(where: { !$0.isEmpty }), first.first == " " || first.first == "\t" {
        out.append(UInt8(ascii: "2"))
      }
      switch chomping {
      case .strip: out.append(UInt8(ascii: "-"))
      case .clip: break
      case .keep: out.append(UInt8(ascii: "+"))
      }
      trailing(comment)
      newline()
      for line in lines {
        if !line.isEmpty {
          indent(n + 2)
          append(line)
        }
        out.append(0x0A)
      }
      atBlockStart = false
      afterKeepScalar = chomping == .keep
    }

    /// Writes a scalar's text as a plain, single-quoted or double-quoted scalar.
    mutating func inlineScalar(_ scalar: Node.Scalar, context: ScalarSafety.Context, typed: Bool) {
      scalar.withUTF8 { inlineScalar(bytes: $0, context: context, typed: typed) }
    }

    /// Writes `text` as a plain, single-quoted or double-quoted scalar.
    mutating func inlineScalar(_ text: String, context: ScalarSafety.Context, typed: Bool) {
      var copy = text
      copy.withUTF8 { inlineScalar(bytes: $0, context: context, typed: typed) }
    }

    mutating func inlineScalar(bytes: UnsafeBufferPointer<UInt8>, context: ScalarSafety.Context, typed: Bool) {
      do {
        if ScalarSafety.isPlainWritable(bytes: bytes, in: context),
          typed || !ScalarSafety.isImplicitlyTyped(bytes: bytes)
        {
          out.append(contentsOf: bytes)
          return
        }
        var special = false
        var single = false
        var double = false
        var backslash = false
        var i = 0
        while i < bytes.count {
          let b = bytes[i]
          if b < 0x20 || b == 0x7F {
            special = true
            break
          }
          if b >= 0x80, ScalarSafety.needsEscapeMultibyte(bytes, i) {
            special = true
            break
          }
          if b == UInt8(ascii: "'") { single = true }
          if b == UInt8(ascii: "\"") { double = true }
          if b == UInt8(ascii: "\\") { backslash = true }
          i += 1
        }
        if !special {
          if !single {
            out.append(UInt8(ascii: "'"))
            out.append(contentsOf: bytes)
            out.append(UInt8(ascii: "'"))
            return
          }
          if !double && !backslash {
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: bytes)
            out.append(UInt8(ascii: "\""))
            return
          }
          out.append(UInt8(ascii: "'"))
          for b in bytes {
            out.append(b)
            if b == UInt8(ascii: "'") { out.append(b) }
          }
          out.append(UInt8(ascii: "'"))
          return
        }
        doubleQuoted(String(decoding: bytes, as: UTF8.self))
      }
    }

    mutating func doubleQuoted(_ text: String) {
      out.append(UInt8(ascii: "\""))
      for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": append("\\\"")
        case "\\": append("\\\\")
        case "\n": append("\\n")
        case "\t": append("\\t")
        case "\r": append("\\r")
        case "\u{0}": append("\\0")
        case "\u{7}": append("\\a")
        case "\u{8}": append("\\b")
        case "\u{B}": append("\\v")
        case "\u{C}": append("\\f")
        case "\u{1B}": append("\\e")
        case "\u{85}": append("\\N")
        case "\u{2028}": append("\\L")
        case "\u{2029}": append("\\P")
        default:
          if ScalarSafety.needsEscape(scalar) {
            if scalar.value <= 0xFF {
              append("\\x" + String(scalar.value, radix: 16, uppercase: true).leftPadded(to: 2))
            } else {
              append("\\u" + String(scalar.value, radix: 16, uppercase: true).leftPadded(to: 4))
            }
          } else {
            append(String(scalar))
          }
        }
      }
      out.append(UInt8(ascii: "\""))
    }
  }
}

extension Document {
  /// The document in canonical form.
  public func canonicalText(printer: CanonicalPrinter = CanonicalPrinter()) -> String {
    printer.print(self)
  }
}
