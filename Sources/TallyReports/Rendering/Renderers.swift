import TallyRecords
import TallySchema
import TallyText

/// The output formats of `tally report`.
public enum ReportFormat: String, Sendable, CaseIterable {
  case table
  case json
  case csv
  case md
  case html
}

public enum ReportRenderer {
  public static func render(_ report: Report, as format: ReportFormat, width: Int? = nil, bom: Bool = false) -> [UInt8]
  {
    switch format {
    case .table: return Array(table(report, width: width).utf8)
    case .json: return json(report)
    case .csv: return (bom ? [0xEF, 0xBB, 0xBF] : []) + Array(csv(report).utf8)
    case .md: return Array(markdown(report).utf8)
    case .html: return Array(HTMLRenderer.page(report).utf8)
    }
  }

  /// Writes `report` in `format` to `sink`, JSON and CSV in pieces of about a megabyte as
  /// their rows are written: the answer of a report that lists most of a million customers
  /// is 400 MB, and held whole — and copied as it grew — it was a fifth of the command's
  /// memory. The pieces joined are what ``render(_:as:width:bom:)`` returns.
  public static func write(
    _ report: Report, as format: ReportFormat, width: Int? = nil, bom: Bool = false, to sink: ([UInt8]) -> Void
  ) {
    switch format {
    case .json: json(report, to: sink)
    case .csv:
      if bom { sink([0xEF, 0xBB, 0xBF]) }
      csv(report, to: sink)
    case .table, .md, .html: sink(render(report, as: format, width: width, bom: bom))
    }
  }

  /// How much output ``write(_:as:width:bom:to:)`` gathers before handing it on.
  static let pieceSize = 1 << 20

  // MARK: Terminal table

  /// Columns aligned by display width (CJK characters take two columns), numbers right
  /// aligned. With a `width` (a terminal's, or `--width N`), a table wider than it has its
  /// widest text column cut with "…"; without one (output to a file or a pipe) nothing is cut.
  public static func table(_ report: Report, width: Int?) -> String {
    let w = report.language
    var out = "\(report.title)\n"
    out += w("computed at", "计算于") + " \(report.commit.prefix(7)) (\(report.commitDate))\n"
    for section in report.sections {
      out += "\n\(section.title)\n"
      out += textTable(section.table, width: width, language: w)
      for note in section.allNotes { out += "  \(note)\n" }
    }
    return out
  }

  static func textTable(_ table: ReportTable, width: Int?, language: ReportLanguage) -> String {
    guard !table.columns.isEmpty else { return "" }
    if !table.known { return "  \(notKnown(language))\n" }
    if table.rows.isEmpty { return "  \(none(language))\n" }
    // Numbers and dates are never cut: a cut date or figure says nothing.
    let columns = table.columns.indices.map { index in
      let column = table.columns[index]
      let dates = table.rows.allSatisfy { row in
        guard index < row.count else { return true }
        switch row[index] {
        case .date, .empty: return true
        default: return false
        }
      }
      return TextTable.Column(column.title, alignRight: column.numeric, cuttable: !column.numeric && !dates)
    }
    let text = TextTable(columns: columns, rows: table.rows.map { $0.map(\.text) }, indent: 2)
    return text.render(width: width)
  }

  /// What a table that cannot be known shows instead of rows.
  static func notKnown(_ language: ReportLanguage) -> String { language("(not known)", "（无从得知）") }

  /// What an empty table shows.
  static func none(_ language: ReportLanguage) -> String { language("(none)", "（无）") }

  // MARK: JSON

  /// `{"version":1,"report","title","commit","commit_date","scope","sections":[{"key",
  /// "title","columns":[{"key","title"}],"rows":[{column key: value}],"notes"}]}`; numbers
  /// are JSON numbers (decimals as strings, exact), percentages as ratios, dates as strings.
  public static func json(_ report: Report) -> [UInt8] {
    var all: [UInt8] = []
    json(report) { all += $0 }
    return all
  }

  /// The JSON of `report`, handed to `sink` in pieces.
  static func json(_ report: Report, to sink: ([UInt8]) -> Void) {
    // Written as bytes: a call-back report has tens of thousands of cells, and building a
    // string per cell took longer than computing them.
    var out: [UInt8] = []
    out.reserveCapacity(pieceSize + (64 << 10))
    func raw(_ text: String) { out.append(contentsOf: text.utf8) }
    func quoted(_ text: String) { JSON.writeString(text, into: &out) }
    raw("{\"version\":1,\"report\":")
    quoted(report.name)
    raw(",\"title\":")
    quoted(report.title)
    raw(",\"commit\":")
    quoted(report.commit)
    raw(",\"commit_date\":")
    quoted(report.commitDate)
    raw(",\"scope\":")
    quoted(report.scope)
    raw(",\"sections\":[")
    for (index, section) in report.sections.enumerated() {
      if index > 0 { raw(",") }
      raw("\n{\"key\":")
      quoted(section.key)
      raw(",\"title\":")
      quoted(section.title)
      raw(",\"columns\":[")
      for (columnIndex, column) in section.table.columns.enumerated() {
        if columnIndex > 0 { raw(",") }
        raw("{\"key\":")
        quoted(column.key)
        raw(",\"title\":")
        quoted(column.title)
        raw("}")
      }
      raw("],\"rows\":")
      // Rows that cannot be known are null, not an empty list.
      raw(section.table.known ? "[" : "null")
      // Each column's key, quoted once: `"key":`.
      let keys = section.table.columns.map { column -> [UInt8] in
        var key: [UInt8] = []
        JSON.writeString(column.key, into: &key)
        key.append(UInt8(ascii: ":"))
        return key
      }
      for (rowIndex, row) in section.table.rows.enumerated() {
        if rowIndex > 0 { raw(",") }
        raw("\n{")
        for (cellIndex, (key, cell)) in zip(keys, row).enumerated() {
          if cellIndex > 0 { raw(",") }
          out.append(contentsOf: key)
          writeJSON(cell, into: &out)
        }
        raw("}")
        if out.count >= pieceSize {
          sink(out)
          out.removeAll(keepingCapacity: true)
        }
      }
      raw(section.table.known ? "]" : "")
      raw(",\"notes\":[")
      for (noteIndex, note) in section.allNotes.enumerated() {
        if noteIndex > 0 { raw(",") }
        quoted(note)
      }
      raw("]}")
    }
    raw("\n]}\n")
    sink(out)
  }

  static func writeJSON(_ cell: Cell, into out: inout [UInt8]) {
    switch cell {
    case .text(let value): JSON.writeString(value, into: &out)
    case .decimal(let value): JSON.writeString(value.description, into: &out)
    case .date(let value): writeJSON(value, into: &out)
    default: out.append(contentsOf: jsonValue(cell).utf8)
    }
  }

  /// `"2026-03-09"`, digit by digit (as `CivilDate.description` writes it).
  static func writeJSON(_ date: CivilDate, into out: inout [UInt8]) {
    guard (1000...9999).contains(date.year) else { return JSON.writeString(date.description, into: &out) }
    func digits(_ value: Int, _ count: Int) {
      var divisor = count == 4 ? 1000 : 10
      while divisor > 0 {
        out.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
        divisor /= 10
      }
    }
    out.append(UInt8(ascii: "\""))
    digits(date.year, 4)
    out.append(UInt8(ascii: "-"))
    digits(date.month, 2)
    out.append(UInt8(ascii: "-"))
    digits(date.day, 2)
    out.append(UInt8(ascii: "\""))
  }

  static func jsonValue(_ cell: Cell) -> String {
    switch cell {
    case .text(let value): return quote(value)
    case .int(let value): return String(value)
    case .decimal(let value): return quote(value.description)
    case .percent(let value?):
      let rounded = (value * 10000).rounded() / 10000
      return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    case .percent(nil), .empty, .unknown: return "null"
    case .date(let value): return quote(value.description)
    }
  }

  static func quote(_ text: String) -> String { JSON.string(text) }

  // MARK: CSV

  /// RFC 4180: CRLF line ends, fields with commas, quotes or line breaks quoted, quotes
  /// doubled. Each section is a block: a `# title` line, the header, the rows, a blank line
  /// — one file a spreadsheet opens directly.
  public static func csv(_ report: Report) -> String {
    var all: [UInt8] = []
    csv(report) { all += $0 }
    return String(decoding: all, as: UTF8.self)
  }

  /// The CSV of `report`, handed to `sink` in pieces.
  static func csv(_ report: Report, to sink: ([UInt8]) -> Void) {
    var out: [UInt8] = []
    out.reserveCapacity(pieceSize + (64 << 10))
    func add(_ row: String) {
      out.append(contentsOf: row.utf8)
      if out.count >= pieceSize {
        sink(out)
        out.removeAll(keepingCapacity: true)
      }
    }
    for (index, section) in report.sections.enumerated() {
      if index > 0 { add("\r\n") }
      add(csvRow(["# \(report.title) — \(section.title)"]))
      add(csvRow(section.table.columns.map(\.title)))
      for unknown in section.unknowns { add(csvRow(["# \(unknown)"])) }
      for row in section.table.rows { add(csvRow(row.map(\.text))) }
    }
    sink(out)
  }

  static func csvRow(_ fields: [String]) -> String {
    fields.map { field in
      if field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
        return "\"" + field.replacingAll("\"", with: "\"\"") + "\""
      }
      return field
    }.joined(separator: ",") + "\r\n"
  }

  // MARK: Markdown

  public static func markdown(_ report: Report) -> String {
    let w = report.language
    var out = "# \(escapeMarkdown(report.title))\n\n"
    out += w("Computed at", "计算于") + " `\(report.commit.prefix(7))` (\(report.commitDate)).\n"
    for section in report.sections {
      out += "\n## \(escapeMarkdown(section.title))\n\n"
      if !section.table.known {
        out += notKnown(w) + "\n"
      } else if section.table.rows.isEmpty {
        out += none(w) + "\n"
      } else {
        out += "| " + section.table.columns.map { escapeMarkdown($0.title) }.joined(separator: " | ") + " |\n"
        out += "|" + section.table.columns.map { $0.numeric ? " ---: |" : " --- |" }.joined() + "\n"
        for row in section.table.rows {
          out += "| " + row.map { escapeMarkdown($0.text) }.joined(separator: " | ") + " |\n"
        }
      }
      for note in section.allNotes { out += "\n- \(escapeMarkdown(note))" }
      if !section.allNotes.isEmpty { out += "\n" }
    }
    return out
  }

  static func escapeMarkdown(_ text: String) -> String {
    text.replacingAll("|", with: "\\|").replacingAll("\n", with: " ")
  }
}

extension String {
  func replacingAll(_ target: String, with replacement: String) -> String {
    split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
  }
}
