import Foundation
import HTTPTypes
import Hummingbird
import TallyQuery
import TallyReports
import TallyText

extension Site {
  /// The most results a search shows.
  static let searchLimit = 200

  /// `/search?q=…` (and `.json`, `.csv`): the records whose text holds the words, Chinese
  /// too, through the SQL database's full-text index (`search`, FTS5 trigram); text under
  /// three characters, which the trigram index cannot find, is looked for by a scan. A
  /// record's id finds the record itself.
  func search(_ file: String, _ request: Request) throws -> Response {
    let format = Self.split(file, formats: ["json": "json", "csv": "csv"], default: "html").1 ?? "html"
    let context = try self.context(reportOptions())
    let layout = self.layout(context, request)
    let w = layout.language
    let e = HTMLRenderer.escape
    let text = (PageParts.query(request)["q"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    var rows: [[Cell]] = []
    var truncated = false
    if !text.isEmpty {
      // The record an id names (`C-0042`, `customer/C-0042`).
      for type in context.records.schema.types {
        let id = text.hasPrefix(type.name + "/") ? String(text.dropFirst(type.name.count + 1)) : text
        if let record = try context.current(type.name)[id] {
          let name = Self.nameField(type).flatMap { record.string($0) } ?? ""
          rows.append([.text(type.name), .text(id), .text(name), .text("id"), .text(id)])
        }
      }
      let database = try self.database(at: context.commit)
      let statement: SQLiteDatabase.Statement
      if text.count >= 3 {
        statement = try database.prepare(
          "SELECT type, id, field, text FROM search WHERE text MATCH ? ORDER BY rank, type, id LIMIT ?")
        try statement.bind([
          .text("\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""), .integer(Int64(Self.searchLimit + 1)),
        ])
      } else {
        statement = try database.prepare(
          "SELECT type, id, field, text FROM search WHERE instr(lower(text), lower(?)) > 0 ORDER BY type, id LIMIT ?")
        try statement.bind([.text(text), .integer(Int64(Self.searchLimit + 1))])
      }
      var found = 0
      while let row = try statement.next() {
        found += 1
        if found > Self.searchLimit {
          truncated = true
          break
        }
        let values = row.map { $0.text ?? "" }
        guard values.count == 4 else { continue }
        let name = try context.records.schema.type(named: values[0]).flatMap { type in
          try Self.nameField(type).flatMap { try context.current(type.name)[values[1]]?.string($0) }
        }
        rows.append([.text(values[0]), .text(values[1]), .text(name ?? ""), .text(values[2]), .text(values[3])])
      }
    }
    let columns: [ReportTable.Column] = [
      .init("type", "Type"), .init("id", "Id"), .init("name", "Name"), .init("field", "Field"), .init("text", "Text"),
    ]
    let report = Report(
      name: "search", title: "Search", commit: context.commit.hex, commitDate: context.commitDate, scope: text,
      sections: [
        ReportSection(
          key: "results", title: "Search: \(text)", table: ReportTable(columns: columns, rows: rows),
          notes: truncated ? ["only the first \(Self.searchLimit) matches are shown"] : [])
      ])
    switch format {
    case "json": return Page.json(ReportRenderer.render(report, as: .json))
    case "csv": return Page.csv(ReportRenderer.render(report, as: .csv))
    default: break
    }
    var html = "<form class=\"search\" method=\"get\" action=\"/search\">"
    html += "<input type=\"search\" name=\"q\" value=\"\(e(text))\" aria-label=\"\(e(w("Search", "搜索")))\" "
    html += "placeholder=\"\(e(w("name, phone, words of a note…", "名称、电话、跟进内容……")))\">"
    html += "<button type=\"submit\">\(e(w("Search", "搜索")))</button></form>\n"
    if !text.isEmpty {
      html += PageParts.formats("/search", request)
      if rows.isEmpty {
        html += "<p class=\"note\">\(e(w("Nothing found.", "没有找到。")))</p>\n"
      } else {
        let results: [[PageParts.Content]] = rows.map { row in
          let cells = row.map(\.text)
          let type = context.records.schema.type(named: cells[0])
          let href = PageParts.recordPath(cells[0], cells[1])
          return [
            .text(type?.title ?? cells[0]), .link(cells[1], href: href), .link(cells[2], href: href),
            .text(cells[3]), .html(Self.marked(cells[4], text)),
          ]
        }
        html += PageParts.table(
          [w("Type", "类型"), "ID", w("Name", "名称"), w("Field", "字段"), w("Text", "内容")], results)
        if truncated {
          html +=
            "<p class=\"note\">\(e(w("Only the first \(Self.searchLimit) matches are shown.", "仅显示前 \(Self.searchLimit) 条。")))</p>\n"
        }
      }
    }
    return Page.html(layout.page(title: w("Search", "搜索"), body: html, current: "/search"))
  }

  /// `text` escaped, with each occurrence of `words` (ignoring case) in `<mark>`.
  static func marked(_ text: String, _ words: String) -> String {
    let e = HTMLRenderer.escape
    guard !words.isEmpty else { return e(text) }
    var html = ""
    var rest = text[...]
    while let range = rest.range(of: words, options: .caseInsensitive) {
      html += e(String(rest[..<range.lowerBound])) + "<mark>" + e(String(rest[range])) + "</mark>"
      rest = rest[range.upperBound...]
    }
    return html + e(String(rest))
  }
}
