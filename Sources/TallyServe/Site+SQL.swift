import Foundation
import HTTPTypes
import Hummingbird
import TallyHistory
import TallyQuery
import TallyRecords
import TallyReports
import TallyText

extension Site {
  /// The SQL database (docs/sql.md) of the served ref, brought up to `commit` first: one file
  /// per ref in the git directory's `tally/` folder, extended by the commits since it was
  /// last brought up (rebuilt when the history was rewritten), like `tally sql --rev`. It is
  /// brought up and read inside the actor, so a page never reads the database of another
  /// commit than the one it shows.
  func database(at commit: CommitID) throws -> SQLiteDatabase {
    let name = String(options.ref.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "-" })
    let path = history.gitDirectory + "/tally/serve-\(name).sqlite"
    if databaseHead != commit.hex || !FileManager.default.fileExists(atPath: path) {
      _ = try QueryDatabase.update(history, at: path, revision: commit.hex, tallyVersion: options.tallyVersion)
      databaseHead = commit.hex
    }
    return try SQLiteDatabase(path: path, mode: .readOnly)
  }

  /// `/sql?q=SELECT…` (and `.json`, `.csv`: `tally sql … --format json|csv`) and the saved
  /// queries, `/sql/NAME?param=…` (`tally query NAME`): read-only, stopped after
  /// `options.sqlTimeout` seconds, refused as `tally sql` refuses (400 with its message).
  /// Without a query: the form and the saved queries.
  func sql(_ file: String, _ saved: String?, _ request: Request) throws -> Response {
    let context = try self.context(reportOptions())
    let layout = self.layout(context, request)
    let w = layout.language
    let e = HTMLRenderer.escape
    let query = PageParts.query(request)
    var format = "html"
    var name = saved
    if let saved {
      let (base, found) = Self.split(saved, formats: ["json": "json", "csv": "csv"], default: "html")
      if let found {
        name = base
        format = found
      }
    } else {
      format = Self.split(file, formats: ["json": "json", "csv": "csv"], default: "html").1 ?? "html"
    }
    // What to run: a saved query with its parameters, or the text given.
    var text = query["q"] ?? ""
    var values: [String: SQLValue] = [:]
    var title = "SQL"
    var savedQuery: SavedQuery?
    if let name {
      do throws(SavedQuery.Problem) {
        let found = try SavedQuery.named(name, in: history, at: context.commit)
        values = try found.values(query.filter { !$0.value.isEmpty }.mapValues(SQLValue.init(parameter:)))
        savedQuery = found
        text = found.sql
        title = found.title
      } catch {
        if case .notFound = error { return Page.text(.notFound, "\(error)\n") }
        return Page.text(.badRequest, "\(error)\n")
      }
    } else {
      for (key, value) in query where key != "q" { values[key] = SQLValue(parameter: value) }
    }
    var result: QueryResult?
    var refusal: String?
    if !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
      let database = try self.database(at: context.commit)
      do throws(QueryError) {
        result = try database.query(text, parameters: values, timeout: options.sqlTimeout)
      } catch {
        refusal = error.description
      }
    }
    switch format {
    case "json", "csv":
      if let refusal { return Page.text(.badRequest, refusal + "\n") }
      guard let result else { return Page.text(.badRequest, "give the query: ?q=SELECT …\n") }
      return format == "json" ? Page.json(result.json()) : Page.csv(Array(result.csv().utf8))
    default:
      break
    }
    var html = ""
    if let savedQuery {
      html += "<p class=\"meta\"><code>\(e(savedQuery.path))</code></p>\n"
      html += "<form class=\"search\" method=\"get\" action=\"/sql/\(e(PageParts.segment(savedQuery.name)))\">"
      for parameter in savedQuery.parameters {
        html += "<input name=\"\(e(parameter.name))\" value=\"\(e(query[parameter.name] ?? ""))\" "
        html += "placeholder=\"\(e(parameter.name + (parameter.defaultValue.map { " = " + $0 } ?? "")))\" "
        html += "aria-label=\"\(e(parameter.name))\">"
      }
      html += "<button type=\"submit\">\(e(w("Run", "运行")))</button></form>\n"
      html += "<pre>\(e(savedQuery.sql))</pre>\n"
    } else {
      html += "<form method=\"get\" action=\"/sql\"><textarea class=\"sql\" name=\"q\" rows=\"6\" aria-label=\"SQL\">"
      html += e(text) + "</textarea><br><button type=\"submit\">\(e(w("Run", "运行")))</button></form>\n"
      html += "<p class=\"note\">"
      html += e(
        w(
          "One SELECT, read only, stopped after \(Int(options.sqlTimeout)) s; the tables: docs/sql.md.",
          "只读，一次一条 SELECT，超过 \(Int(options.sqlTimeout)) 秒即停止；表结构见 docs/sql.md。"))
      html += "</p>\n"
    }
    if let refusal {
      html += "<p class=\"error\">\(e(refusal))</p>\n"
    } else if let result {
      let base = savedQuery.map { "/sql/" + PageParts.segment($0.name) } ?? "/sql"
      html += PageParts.formats(base, request)
      let rows: [[PageParts.Content]] = result.rows.map { row in
        row.map { value in
          switch value {
          case .integer, .real: .number(value.text ?? "")
          default: .text(value.text ?? "")
          }
        }
      }
      html += PageParts.table(result.columns, rows)
      html += "<p class=\"meta\">\(e(w("\(result.rows.count) rows", "\(result.rows.count) 行")))</p>\n"
    }
    if savedQuery == nil {
      html += "<h2>\(e(w("Saved queries", "常用查询")))</h2>\n<ul>\n"
      for saved in try SavedQuery.all(in: history, at: context.commit) {
        html += "<li>" + PageParts.link("/sql/" + PageParts.segment(saved.name), saved.name) + " — \(e(saved.title))"
        if !saved.parameters.isEmpty {
          html += " <span class=\"meta\">(" + e(saved.parameters.map(\.name).joined(separator: ", ")) + ")</span>"
        }
        html += "</li>\n"
      }
      html += "</ul>\n"
    }
    let status: HTTPResponse.Status = refusal == nil ? .ok : .badRequest
    return Page.html(layout.page(title: title, body: html, current: "/sql"), status: status)
  }
}
