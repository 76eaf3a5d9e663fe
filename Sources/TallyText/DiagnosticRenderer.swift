/// Renders diagnostics like a compiler: a parsable first line, then the source line with
/// an underline sized by display width (CJK characters take two columns).
///
/// ```
/// customers/C-0042.yaml:7:3: error[unknown-field]: unknown field 'stauts'
///   7 |   stauts: active
///     |   ^^^^^^ did you mean 'status'?
/// ```
public struct DiagnosticRenderer: Sendable {
  public var color: Bool

  public init(color: Bool = false) {
    self.color = color
  }

  /// Renders one diagnostic. `source` looks up the file a diagnostic (or note) names.
  public func render(_ diagnostic: Diagnostic, source: (String) -> SourceFile?) -> String {
    var out = ""
    let file = source(diagnostic.path)
    out += headline(
      path: diagnostic.path, range: diagnostic.range, severity: diagnostic.severity,
      code: diagnostic.code, message: diagnostic.message)
    if let range = diagnostic.range, let file {
      out += excerpt(file: file, range: range, label: diagnostic.hint, severity: diagnostic.severity)
    } else if let hint = diagnostic.hint {
      out += "  " + paint("hint", .bold) + ": " + hint + "\n"
    }
    for note in diagnostic.notes {
      let path = note.path ?? diagnostic.path
      out += headline(path: path, range: note.range, severity: .note, code: nil, message: note.message)
      if let range = note.range, let file = source(path) {
        out += excerpt(file: file, range: range, label: nil, severity: .note)
      }
    }
    return out
  }

  /// Renders diagnostics that all come from `file`.
  public func render(_ diagnostics: [Diagnostic], file: SourceFile) -> String {
    diagnostics.map { render($0, source: { $0 == file.path ? file : nil }) }.joined()
  }

  func headline(path: String, range: SourceRange?, severity: Severity, code: String?, message: String)
    -> String
  {
    var location = path
    if let range { location += ":\(range.start.line):\(range.start.column)" }
    let label: String
    switch severity {
    case .error: label = paint(code.map { "error[\($0)]" } ?? "error", .red)
    case .warning: label = paint(code.map { "warning[\($0)]" } ?? "warning", .yellow)
    case .note: label = paint(code.map { "note[\($0)]" } ?? "note", .cyan)
    }
    return paint(location + ":", .bold) + " " + label + ": " + message + "\n"
  }

  func excerpt(file: SourceFile, range: SourceRange, label: String?, severity: Severity) -> String {
    let lineNumber = range.start.line
    guard lineNumber >= 1, lineNumber <= max(file.lineCount, 1) else { return "" }
    let lineText = file.lineText(lineNumber)
    let gutter = String(lineNumber)
    let pad = String(repeating: " ", count: gutter.count)
    // Columns are 1-based Unicode scalar counts; convert to display widths.
    let scalars = Array(lineText.unicodeScalars)
    let startIndex = min(max(range.start.column - 1, 0), scalars.count)
    var endIndex: Int
    if range.end.line == lineNumber {
      endIndex = min(max(range.end.column - 1, startIndex), scalars.count)
    } else {
      endIndex = scalars.count
    }
    // Display pieces and the underline's start and width in columns.
    var pieces: [(text: String, width: Int)] = []
    pieces.reserveCapacity(scalars.count)
    var before = 0
    var width = 0
    for (index, scalar) in scalars.enumerated() {
      let piece = Self.display(scalar)
      pieces.append(piece)
      if index < startIndex {
        before += piece.1
      } else if index < endIndex {
        width += piece.1
      }
    }
    width = max(width, 1)
    // Long lines are shown as a window around the underline.
    let total = pieces.reduce(0) { $0 + $1.width }
    var shown = ""
    if total <= Self.maxExcerptWidth {
      for piece in pieces { shown += piece.text }
    } else {
      let windowStart = max(0, before - Self.maxExcerptWidth / 3)
      var column = 0
      var used = 0
      if windowStart > 0 {
        shown = "…"
        used = 1
      }
      var skipped = 0
      for piece in pieces {
        if column < windowStart {
          column += piece.width
          skipped = column
          continue
        }
        if used + piece.width > Self.maxExcerptWidth - 1 {
          shown += "…"
          break
        }
        shown += piece.text
        used += piece.width
        column += piece.width
      }
      let offset = windowStart > 0 ? skipped - 1 : 0
      before = max(0, before - offset)
      width = max(1, min(width, Self.maxExcerptWidth - before))
    }
    let colour: Style = severity == .error ? .red : (severity == .warning ? .yellow : .cyan)
    var out = "  " + paint(gutter + " |", .blue) + " " + shown + "\n"
    out += "  " + paint(pad + " |", .blue) + " " + String(repeating: " ", count: before)
    out += paint(String(repeating: "^", count: width), colour)
    if let label { out += " " + paint(label, colour) }
    out += "\n"
    return out
  }

  /// Excerpts longer than this many columns are cut to a window around the problem.
  static let maxExcerptWidth = 100

  /// How a character is shown in an excerpt, and how many columns it takes.
  static func display(_ scalar: Unicode.Scalar) -> (String, Int) {
    let v = scalar.value
    if v == 0x09 { return ("    ", 4) }
    if v < 0x20 { return (String(Unicode.Scalar(0x2400 + v)!), 1) }
    if v == 0x7F { return ("\u{2421}", 1) }
    if ScalarSafety.needsEscape(scalar) { return ("\u{FFFD}", 1) }
    return (String(scalar), DisplayWidth.of(scalar))
  }

  enum Style: String {
    case bold = "1"
    case red = "1;31"
    case yellow = "1;33"
    case cyan = "1;36"
    case blue = "34"
  }

  func paint(_ text: String, _ style: Style) -> String {
    color ? "\u{1B}[\(style.rawValue)m\(text)\u{1B}[0m" : text
  }
}

extension Diagnostic {
  /// The diagnostic as a JSON object (the stable shape documented in docs/diagnostics.md).
  public func writeJSON(into out: inout [UInt8]) {
    var fields: [(String, String)] = []
    fields.append(("file", JSON.string(path)))
    if let range {
      fields.append(("line", String(range.start.line)))
      fields.append(("column", String(range.start.column)))
      fields.append(("end_line", String(range.end.line)))
      fields.append(("end_column", String(range.end.column)))
    } else {
      fields.append(("line", "null"))
      fields.append(("column", "null"))
      fields.append(("end_line", "null"))
      fields.append(("end_column", "null"))
    }
    fields.append(("severity", JSON.string(severity.rawValue)))
    fields.append(("code", JSON.string(code)))
    fields.append(("message", JSON.string(message)))
    fields.append(("hint", hint.map(JSON.string) ?? "null"))
    fields.append(("field", field.map(JSON.string) ?? "null"))
    var notesJSON = "["
    for (index, note) in notes.enumerated() {
      if index > 0 { notesJSON += "," }
      notesJSON += "{\"message\":" + JSON.string(note.message)
      notesJSON += ",\"file\":" + JSON.string(note.path ?? path)
      if let range = note.range {
        notesJSON += ",\"line\":\(range.start.line),\"column\":\(range.start.column)"
      } else {
        notesJSON += ",\"line\":null,\"column\":null"
      }
      notesJSON += "}"
    }
    notesJSON += "]"
    fields.append(("notes", notesJSON))
    out.append(UInt8(ascii: "{"))
    for (index, field) in fields.enumerated() {
      if index > 0 { out.append(UInt8(ascii: ",")) }
      JSON.writeString(field.0, into: &out)
      out.append(UInt8(ascii: ":"))
      out.append(contentsOf: field.1.utf8)
    }
    out.append(UInt8(ascii: "}"))
  }

  /// The diagnostic as a GitHub Actions workflow command (`::error file=…::message`).
  public var githubAnnotation: String {
    let kind: String
    switch severity {
    case .error: kind = "error"
    case .warning: kind = "warning"
    case .note: kind = "notice"
    }
    func escapeProperty(_ s: String) -> String {
      s.replacing("%", with: "%25").replacing("\r", with: "%0D").replacing("\n", with: "%0A")
        .replacing(":", with: "%3A").replacing(",", with: "%2C")
    }
    func escapeData(_ s: String) -> String {
      s.replacing("%", with: "%25").replacing("\r", with: "%0D").replacing("\n", with: "%0A")
    }
    var properties = ["file=\(escapeProperty(path))"]
    if let range {
      properties.append("line=\(range.start.line)")
      properties.append("col=\(range.start.column)")
      properties.append("endLine=\(range.end.line)")
      properties.append("endColumn=\(range.end.column)")
    }
    properties.append("title=\(escapeProperty("tally " + code))")
    var message = self.message
    if let hint { message += "\n" + hint }
    return "::\(kind) \(properties.joined(separator: ","))::\(escapeData(message))"
  }
}
