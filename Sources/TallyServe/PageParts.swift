import Foundation
import Hummingbird
import TallyReports

/// Pieces the read-only pages share: the query string as a form sends it, links to records,
/// and tables whose cells may link on. Everything put into HTML here is escaped.
enum PageParts {
  /// The query string's parameters as an HTML form (GET) sends them: `+` is a space, then
  /// percent-decoding. The first value of a repeated name wins.
  static func query(_ request: Request) -> [String: String] {
    guard let query = request.uri.query, !query.isEmpty else { return [:] }
    var result: [String: String] = [:]
    for part in query.split(separator: "&") {
      let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
      guard let rawKey = pieces.first else { continue }
      let key = decode(rawKey)
      let value = pieces.count > 1 ? decode(pieces[1]) : ""
      if result[key] == nil { result[key] = value }
    }
    return result
  }

  /// `a+b%2B` → `a b+` (text that is not valid percent-encoding is taken as it is).
  static func decode(_ text: Substring) -> String {
    let spaced = text.replacingOccurrences(of: "+", with: " ")
    return spaced.removingPercentEncoding ?? spaced
  }

  /// A path segment percent-encoded (no `/`, `?` or `#` left).
  static func segment(_ text: String) -> String {
    var allowed = CharacterSet.urlPathAllowed
    allowed.remove(charactersIn: "/;")
    return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
  }

  /// A query value percent-encoded.
  static func parameter(_ text: String) -> String {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~")
    return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
  }

  /// The path of a record's page, `/customer/C-0042`.
  static func recordPath(_ type: String, _ id: String) -> String { "/\(segment(type))/\(segment(id))" }

  /// An HTML link, both parts escaped (`href` is a path this app made).
  static func link(_ href: String, _ text: String) -> String {
    "<a href=\"\(HTMLRenderer.escape(href))\">\(HTMLRenderer.escape(text))</a>"
  }

  /// A cell of ``table(_:_:)``: text, a link, or HTML already escaped.
  enum Content {
    case text(String)
    case number(String)
    case link(String, href: String)
    case html(String)
  }

  /// A table in its scrolling box: `header` escaped, cells as ``Content`` says.
  static func table(_ header: [String], _ rows: [[Content]], numeric: Set<Int> = []) -> String {
    let e = HTMLRenderer.escape
    var html = "<div class=\"scroll\"><table>\n"
    if !header.isEmpty {
      html += "<thead><tr>"
      for (index, title) in header.enumerated() {
        html += numeric.contains(index) ? "<th class=\"n\">\(e(title))</th>" : "<th>\(e(title))</th>"
      }
      html += "</tr></thead>\n"
    }
    html += "<tbody>\n"
    for row in rows {
      html += "<tr>"
      for cell in row {
        switch cell {
        case .text(let text): html += "<td>\(e(text))</td>"
        case .number(let text): html += "<td class=\"n\">\(e(text))</td>"
        case .link(let text, let href): html += "<td>\(link(href, text))</td>"
        case .html(let inner): html += "<td>\(inner)</td>"
        }
      }
      html += "</tr>\n"
    }
    html += "</tbody></table></div>\n"
    return html
  }

  /// A report section's table as HTML, cells whose column `links` names linking to the page
  /// it gives for the row (nil: plain text).
  static func table(_ section: ReportSection, links: [String: (Int) -> String?] = [:]) -> String {
    let columns = section.table.columns
    let numeric = Set(columns.indices.filter { columns[$0].numeric })
    let rows = section.table.rows.enumerated().map { index, row in
      row.enumerated().map { column, cell -> Content in
        if let href = links[columns[column].key]?(index) { return .link(cell.text, href: href) }
        return numeric.contains(column) ? .number(cell.text) : .text(cell.text)
      }
    }
    return table(columns.map(\.title), rows, numeric: numeric)
  }

  /// "JSON · CSV" links to the page's other formats, with its query.
  static func formats(_ base: String, _ request: Request, csv: Bool = true) -> String {
    let query = request.uri.query.map { "?" + $0 } ?? ""
    var html = "<p class=\"meta\">" + link(base + ".json" + query, "JSON")
    if csv { html += " · " + link(base + ".csv" + query, "CSV") }
    return html + "</p>\n"
  }
}
