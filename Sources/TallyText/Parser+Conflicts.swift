/// Merge conflicts left in a record file: one `merge-conflict` diagnostic per conflict,
/// naming the field it is in, instead of the errors its marker lines cause.
///
/// Only a file that does not parse is looked at (a marker line at the start of a line is
/// never valid in a record), so valid files pay nothing. The file is then parsed again as
/// each side wrote it — the marker lines and the other sides left out of the line table,
/// every byte where it was — to find the fields each conflict covers and the file's other
/// problems.
extension Parser {
  /// A file's conflicts as diagnostics, with the problems of our side's version of the
  /// file outside them.
  static func conflictResult(
    _ conflicts: [MergeConflict], buf: UnsafeBufferPointer<UInt8>, source: [UInt8], path: String,
    options: ParseOptions, lineStarts: [Int]
  ) -> SyntaxTree.ParseResult {
    let ours = version(keeping: .ours, conflicts, buf: buf, source: source, path: path, options: options)
    var theirs: SyntaxTree.ParseResult?
    var diagnostics: [Diagnostic] = []
    for conflict in conflicts {
      var fields: [FieldPath] = []
      if let tree = ours.tree {
        fields = ConflictFields(tree: tree, lineStarts: lineStarts).starting(in: conflict.ours)
      }
      if fields.isEmpty {
        theirs =
          theirs ?? version(keeping: .separator, conflicts, buf: buf, source: source, path: path, options: options)
        if let tree = theirs?.tree {
          fields = ConflictFields(tree: tree, lineStarts: lineStarts).starting(in: conflict.theirs)
        }
      }
      if fields.isEmpty {
        for tree in [ours.tree, theirs?.tree].compactMap({ $0 }) {
          fields = ConflictFields(tree: tree, lineStarts: lineStarts).around(conflict.lines)
          if !fields.isEmpty { break }
        }
      }
      diagnostics.append(diagnostic(for: conflict, fields: fields, buf: buf, path: path))
    }
    // Our side's other problems, outside the conflicts (inside them, the user is choosing).
    for diagnostic in ours.diagnostics {
      guard let line = diagnostic.range?.start.line else {
        diagnostics.append(diagnostic)
        continue
      }
      if !conflicts.contains(where: { $0.lines.contains(line) }) { diagnostics.append(diagnostic) }
    }
    diagnostics.sort(by: Diagnostic.sortOrder)
    if diagnostics.count > Parser.maxDiagnostics {
      diagnostics.removeLast(diagnostics.count - Parser.maxDiagnostics)
    }
    return SyntaxTree.ParseResult(tree: nil, diagnostics: diagnostics)
  }

  /// The file parsed as one side wrote it: without the marker lines and the lines of the
  /// other sides (`.ours` keeps our side, `.separator` theirs).
  static func version(
    keeping side: MergeConflict.Marker.Kind, _ conflicts: [MergeConflict], buf: UnsafeBufferPointer<UInt8>,
    source: [UInt8], path: String, options: ParseOptions
  ) -> SyntaxTree.ParseResult {
    var hidden = Set<Int>()
    for conflict in conflicts {
      for marker in conflict.markers { hidden.insert(marker.line - 1) }
      for kind in [MergeConflict.Marker.Kind.ours, .base, .separator] where kind != side {
        for line in conflict.side(after: kind) { hidden.insert(line - 1) }
      }
    }
    var parser = Parser(buf: buf, path: path, options: options)
    parser.hiddenLines = hidden
    return parser.run(source: source)
  }

  static func diagnostic(
    for conflict: MergeConflict, fields: [FieldPath], buf: UnsafeBufferPointer<UInt8>, path: String
  ) -> Diagnostic {
    let first = conflict.markers[0]
    var column = 1
    for i in first.bytes where buf[i] & 0xC0 != 0x80 { column += 1 }
    let range = SourceRange(
      start: SourcePosition(offset: first.bytes.lowerBound, line: first.line, column: 1),
      end: SourcePosition(offset: first.bytes.upperBound, line: first.line, column: column))
    let quoted = fields.map { "'\($0)'" }
    var place = ""
    if let last = quoted.last {
      place = " in " + (quoted.count == 1 ? last : quoted.dropLast().joined(separator: ", ") + " and " + last)
    }
    let field = fields.count == 1 ? fields[0].description : nil
    let span =
      conflict.lines.count == 1
      ? "line \(first.line)" : "lines \(conflict.lines.lowerBound)-\(conflict.lines.upperBound)"
    guard let oursMarker = conflict.marker(.ours) else {
      return Diagnostic(
        .error, code: "merge-conflict",
        message: "a merge conflict marker ('\(first.kind.text)') is left in the file\(place)", path: path,
        range: range,
        hint: "\(span): the rest of this conflict's markers are gone; resolve it and delete the marker lines",
        field: field)
    }
    guard conflict.isComplete, let theirsMarker = conflict.marker(.theirs) else {
      let missing = [MergeConflict.Marker.Kind.separator, .theirs].filter { conflict.marker($0) == nil }
      return Diagnostic(
        .error, code: "merge-conflict",
        message:
          "unresolved merge conflict\(place): its \(missing.map { "'\($0.text)'" }.joined(separator: " and ")) line\(missing.count == 1 ? " is" : "s are") missing",
        path: path, range: range,
        hint: "\(span) and after: keep the lines that belong there and delete the marker lines",
        field: field)
    }
    let oursName = oursMarker.label.isEmpty ? "our side" : "'\(oursMarker.label)'"
    let theirsName = theirsMarker.label.isEmpty ? "their side" : "'\(theirsMarker.label)'"
    var hint =
      "\(span): keep \(oursName) (\(Self.lines(conflict.ours))) or \(theirsName) (\(Self.lines(conflict.theirs))), or combine them; then delete the marker lines"
    if conflict.marker(.base) != nil { hint += ", and the common ancestor's lines (\(Self.lines(conflict.base)))" }
    return Diagnostic(
      .error, code: "merge-conflict", message: "unresolved merge conflict\(place)", path: path, range: range,
      hint: hint, field: field)
  }

  /// "line 4", "lines 4-6" or "no lines".
  static func lines(_ range: Range<Int>) -> String {
    switch range.count {
    case 0: "no lines"
    case 1: "line \(range.lowerBound)"
    default: "lines \(range.lowerBound)-\(range.upperBound - 1)"
    }
  }

  // MARK: - Parsing without some lines

  /// Leaves the hidden lines out of the line table (the bytes stay where they are).
  mutating func hideLines() -> [Int] {
    let starts = lines.map(\.start)
    var kept: [Line] = []
    kept.reserveCapacity(lines.count)
    for (index, line) in lines.enumerated() where !hiddenLines.contains(index) { kept.append(line) }
    lines = kept
    return starts
  }

  /// Positions by the file's own lines, for diagnostics found with lines hidden.
  func repositioned(_ diagnostics: [Diagnostic], lineStarts: [Int]) -> [Diagnostic] {
    func position(_ p: SourcePosition) -> SourcePosition {
      var low = 0
      var high = lineStarts.count - 1
      while low < high {
        let mid = (low + high + 1) >> 1
        if lineStarts[mid] <= p.offset { low = mid } else { high = mid - 1 }
      }
      guard low >= 0, low < lineStarts.count else { return p }
      var column = 1
      var i = lineStarts[low]
      while i < p.offset, i < buf.count {
        if buf[i] & 0xC0 != 0x80 { column += 1 }
        i += 1
      }
      return SourcePosition(offset: p.offset, line: low + 1, column: column)
    }
    func range(_ r: SourceRange?) -> SourceRange? {
      r.map { SourceRange(start: position($0.start), end: position($0.end)) }
    }
    return diagnostics.map { diagnostic in
      var copy = diagnostic
      copy.range = range(diagnostic.range)
      copy.notes = diagnostic.notes.map { note in
        var note = note
        note.range = range(note.range)
        return note
      }
      return copy
    }
  }
}

/// The fields of a record a conflict's lines belong to.
struct ConflictFields {
  let tree: SyntaxTree
  /// Where each of the file's lines starts (line 1 at index 0).
  let lineStarts: [Int]

  /// An entry or a list item: its path and the lines from its key (or dash) to its end.
  struct Span {
    var path: FieldPath
    var lines: ClosedRange<Int>
    var node: SyntaxNode
  }

  func line(of offset: Int) -> Int {
    var low = 0
    var high = lineStarts.count - 1
    while low < high {
      let mid = (low + high + 1) >> 1
      if lineStarts[mid] <= offset { low = mid } else { high = mid - 1 }
    }
    return low + 1
  }

  func children(of node: SyntaxNode, at path: FieldPath) -> [Span] {
    var spans: [Span] = []
    if node.isMapping {
      for entry in node.entries {
        let start = entry.key.byteRange.lowerBound
        let end = max(entry.key.byteRange.upperBound, entry.value.byteRange.upperBound)
        spans.append(
          Span(
            path: path.appending(key: entry.key.text ?? ""), lines: line(of: start)...line(of: max(start, end - 1)),
            node: entry.value))
      }
    } else if node.isSequence {
      for (index, item) in node.items.enumerated() {
        let dash = Int(item.record.aux)
        let start = dash >= 0 ? dash : item.byteRange.lowerBound
        let end = max(start + 1, item.byteRange.upperBound)
        spans.append(Span(path: path.appending(index: index), lines: line(of: start)...line(of: end - 1), node: item))
      }
    }
    return spans
  }

  /// The outermost fields and items whose key or dash is on one of `lines`.
  func starting(in lines: Range<Int>) -> [FieldPath] {
    guard !lines.isEmpty else { return [] }
    var found: [FieldPath] = []
    func walk(_ node: SyntaxNode, _ path: FieldPath) {
      for span in children(of: node, at: path) {
        if lines.contains(span.lines.lowerBound) {
          found.append(span.path)
        } else if span.lines.overlaps(lines) {
          walk(span.node, span.path)
        }
      }
    }
    walk(tree.root, FieldPath())
    return found
  }

  /// The innermost fields or items that hold some of `lines` (a conflict inside a value).
  func around(_ lines: ClosedRange<Int>) -> [FieldPath] {
    var found: [FieldPath] = []
    func walk(_ node: SyntaxNode, _ path: FieldPath) {
      for span in children(of: node, at: path) where span.lines.overlaps(lines) {
        let before = found.count
        walk(span.node, span.path)
        if found.count == before { found.append(span.path) }
      }
    }
    walk(tree.root, FieldPath())
    return found
  }
}
