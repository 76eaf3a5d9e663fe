import HTTPTypes
import Hummingbird
import TallyHistory
import TallyReports
import TallySchema
import TallyText

extension Site {
  /// `/reports/NAME[.json|.csv|.md|.html]?period=&at=&team=&owner=&days=`: the report as
  /// `tally report NAME --format …` prints it for the same ref and options; the HTML page has a
  /// form to pick the period and the filters.
  func report(_ file: String, _ request: Request, _ serve: ServeContext) throws -> Response {
    let (name, format) = Self.split(
      file, formats: ["json": ReportFormat.json, "csv": .csv, "md": .md, "html": .html], default: .html)
    guard let format, let definition = Reports.named(name) else {
      return Page.text(
        .notFound, "no report '\(file)' (reports: \(Reports.all.map { $0.name }.joined(separator: ", ")))\n")
    }
    var options = reportOptions()
    let query = request.uri.queryParameters
    func given(_ key: String) -> String? {
      guard let text = query.get(key), !text.isEmpty else { return nil }
      return text
    }
    if let text = given("period") {
      guard let period = Period.parse(text) else {
        return Page.text(.badRequest, "period: '\(text)' is not a period (2026-11, 2026-Q4, 2026, 2026-W48, A..B)\n")
      }
      options.period = period
    }
    if let text = given("at") {
      guard let day = CivilDate(text) else { return Page.text(.badRequest, "at: '\(text)' is not a date\n") }
      options.at = day
    }
    if let text = given("days") {
      guard let days = Int(text), days >= 0 else { return Page.text(.badRequest, "days: '\(text)' is not a number\n") }
      options.days = days
    }
    options.team = given("team")
    options.owner = given("owner")
    let context: ReportContext
    do {
      context = try self.context(options)
    } catch let error as ReportFilterError {
      return Page.text(.badRequest, "\(error.description)\n")
    }
    let report = try definition.compute(context)
    switch format {
    case .json: return Page.json(ReportRenderer.render(report, as: .json))
    case .csv: return Page.csv(ReportRenderer.render(report, as: .csv))
    case .md: return Page.response(type: "text/markdown; charset=utf-8", bytes: ReportRenderer.render(report, as: .md))
    default:
      let layout = self.layout(context, request)
      let w = layout.language
      let e = HTMLRenderer.escape
      var html = "<form class=\"search\" method=\"get\" action=\"/reports/\(e(name))\">"
      html += "<input name=\"period\" value=\"\(e(given("period") ?? ""))\" placeholder=\""
      html += e(w("period: 2026-11, 2026-Q4, 2026-W48", "期间：2026-11、2026-Q4、2026-W48")) + "\" aria-label=\"period\">"
      html += "<input name=\"team\" value=\"\(e(given("team") ?? ""))\" "
      html += "placeholder=\"\(e(w("team", "团队")))\" aria-label=\"team\">"
      html += "<button type=\"submit\">\(e(w("Show", "查看")))</button></form>\n"
      let query = request.uri.query.map { "?" + $0 } ?? ""
      html += "<p class=\"meta\">\(e(report.scope)) · <a href=\"/reports/\(e(name)).json\(e(query))\">JSON</a> · "
      html += "<a href=\"/reports/\(e(name)).csv\(e(query))\">CSV</a></p>\n"
      html += HTMLRenderer.sections(report)
      return Page.html(layout.page(title: report.title, body: html, current: "/reports"))
    }
  }

  /// `/reports`: every report, with its summary.
  func reports(_ request: Request) throws -> Response {
    let context = try self.context(reportOptions())
    let layout = self.layout(context, request)
    let e = HTMLRenderer.escape
    var html = "<ul>\n"
    for report in Reports.all {
      let name = e(report.name)
      html +=
        "<li><a href=\"/reports/\(name)\">\(name)</a> — \(e(report.summary)) (<a href=\"/reports/\(name).json\">JSON</a>, "
        + "<a href=\"/reports/\(name).csv\">CSV</a>)</li>\n"
    }
    html += "</ul>\n"
    return Page.html(layout.page(title: layout.language("Reports", "报表"), body: html, current: "/reports"))
  }

  /// `/calendar/STAFF-ID.ics` (and `.json`): ``CalendarFeed``, as `tally calendar` prints it.
  func calendar(_ file: String) throws -> Response {
    let (staff, format) = Self.split(file, formats: ["ics": "ics", "json": "json"], default: nil)
    let context = try self.context(reportOptions())
    guard let format, let person = try context.current("staff")[staff] else {
      return Page.text(.notFound, "no calendar '\(file)'\n")
    }
    let events = try CalendarFeed.events(for: staff, context: context)
    if format == "json" {
      return Page.json(CalendarFeed.json(events, staff: staff, commit: context.commit.hex))
    }
    let feed = CalendarFeed.render(
      events, name: (person.string("name") ?? staff) + " 的日程", stamp: Int(context.commits.last?.committer.time ?? 0))
    return Page.response(type: "text/calendar; charset=utf-8", feed)
  }
}
