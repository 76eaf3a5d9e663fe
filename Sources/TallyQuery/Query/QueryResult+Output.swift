import TallyText

/// How a query's rows are printed.
public enum QueryFormat: String, Sendable, CaseIterable {
  case table
  case json
  case csv
  case md
}

extension QueryResult {
  public func rendered(_ format: QueryFormat, width: Int?) -> [UInt8] {
    switch format {
    case .table: Array(table(width: width).utf8)
    case .json: json()
    case .csv: Array(csv().utf8)
    case .md: Array(markdown().utf8)
    }
  }

  /// A table aligned for CJK text, then the number of rows.
  public func table(width: Int?) -> String {
    var table = TextTable(columns: columns.map { TextTable.Column($0, cuttable: true) })
    for row in rows { table.rows.append(row.map { $0.text ?? "" }) }
    return table.render(width: width) + "(\(rows.count) \(rows.count == 1 ? "row" : "rows"))\n"
  }

  /// `[{"column": value, …}, …]`: integers and reals as numbers, text as strings, null.
  public func json() -> [UInt8] {
    var out = JSONWriter()
    out.raw("[")
    for row in rows {
      out.separate()
      out.raw("\n{")
      for (index, (column, value)) in zip(columns, row).enumerated() {
        if index > 0 { out.raw(",") }
        out.string(column)
        out.raw(":")
        switch value {
        case .null: out.null()
        case .integer(let number): out.number(number)
        case .real(let number): out.raw(number.isFinite ? "\(number)" : "null")
        case .text(let text): out.string(text)
        }
      }
      out.raw("}")
    }
    out.raw(rows.isEmpty ? "]\n" : "\n]\n")
    return out.bytes
  }

  /// RFC 4180: a header, fields quoted when they hold a comma, quote or line break.
  public func csv() -> String {
    func field(_ text: String) -> String {
      guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
      return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
    var out = columns.map(field).joined(separator: ",") + "\r\n"
    for row in rows { out += row.map { field($0.text ?? "") }.joined(separator: ",") + "\r\n" }
    return out
  }

  /// A Markdown table (pipes and line breaks in values escaped).
  public func markdown() -> String {
    func cell(_ text: String) -> String {
      text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: "<br>")
    }
    var out = "| " + columns.map(cell).joined(separator: " | ") + " |\n"
    out += "|" + columns.map { _ in " --- |" }.joined() + "\n"
    for row in rows { out += "| " + row.map { cell($0.text ?? "") }.joined(separator: " | ") + " |\n" }
    return out
  }
}
