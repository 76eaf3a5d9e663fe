import HTTPTypes
import Hummingbird
import TallyReports
import TallyText

extension Site {
  /// `/`: cards for a manager's morning — plan attainment per team for the current period,
  /// pipeline movement, overdue call-backs per rep, open and overdue action items, open
  /// complaints — each linking to its report; then every report and calendar feed.
  func dashboard(_ request: Request) throws -> Response {
    let context = try self.context(reportOptions())
    let layout = self.layout(context, request)
    let w = layout.language
    let e = HTMLRenderer.escape
    let report = try dashboardReport(context)
    func section(_ key: String) -> ReportSection? { report.sections.first { $0.key == key } }
    func card(_ title: String, _ href: String, big: String?, _ inner: String) -> String {
      var html = "<section class=\"card\"><h2>" + PageParts.link(href, title) + "</h2>\n"
      if let big { html += "<div class=\"big\">\(e(big))</div>\n" }
      return html + inner + "</section>\n"
    }
    /// A section's first rows as lines of text (`line` reads a row's cells by column key),
    /// or what it cannot know.
    func lines(_ section: ReportSection?, limit: Int = 8, _ line: ((String) -> Cell) -> String) -> String {
      guard let section else { return "" }
      guard section.table.known else { return section.unknowns.map { "<p class=\"note\">\(e($0))</p>\n" }.joined() }
      if section.table.rows.isEmpty { return "<p class=\"note\">\(e(w("None.", "无。")))</p>\n" }
      let columns = section.table.columns
      var html = "<ul>\n"
      for row in section.table.rows.prefix(limit) {
        let cell: (String) -> Cell = { key in columns.firstIndex { $0.key == key }.map { row[$0] } ?? .empty }
        html += "<li>\(e(line(cell)))</li>\n"
      }
      if section.table.rows.count > limit { html += "<li>…</li>\n" }
      return html + "</ul>\n"
    }
    func total(_ section: ReportSection?, _ column: String) -> String? {
      guard let section, section.table.known, let index = section.table.columns.firstIndex(where: { $0.key == column })
      else { return nil }
      var sum = 0
      for row in section.table.rows {
        if case .int(let value) = row[index] { sum += value }
      }
      return String(sum)
    }
    let period = context.period?.description ?? ""
    var html =
      "<p class=\"meta\">\(e(w("Period", "期间"))) \(e(period)) · \(e(w("today", "今天"))) \(e(context.today.description))"
    html += " · \(e(context.commitDate)) · " + PageParts.link("/.json", "JSON") + "</p>\n<div class=\"cards\">\n"
    html += card(
      w("Plan attainment", "计划完成率"), "/reports/plan", big: nil,
      lines(section("plan")) { cell in
        "\(cell("team").text) · \(cell("metric").text): \(cell("attainment").text) (\(cell("actual").text) / \(cell("target").text))"
      })
    html += card(
      w("Pipeline", "客户漏斗"), "/reports/pipeline", big: nil,
      lines(section("pipeline")) { cell in
        var change = cell("change").text
        if case .int(let value) = cell("change"), value > 0 { change = "+\(value)" }
        return "\(cell("title").text): \(cell("end").text)" + (change.isEmpty ? "" : " (\(change))")
      })
    // Per rep (each to the rep's day), then the customers waiting longest (each to its page).
    let staffIDs = Dictionary(
      (try context.current("staff")).ids.compactMap { id in
        (try? context.current("staff"))?[id]?.string("name").map { ($0, id) }
      }, uniquingKeysWith: { first, _ in first })
    var overdue = ""
    if let perOwner = section("overdue_callbacks"), perOwner.table.known, !perOwner.table.rows.isEmpty {
      overdue += "<ul>\n"
      for row in perOwner.table.rows.prefix(6) {
        let name = row[0].text
        let label = "\(name): \(row[1].text)"
        overdue +=
          "<li>" + (staffIDs[name].map { PageParts.link("/me?staff=" + PageParts.parameter($0), label) } ?? e(label))
        overdue += "</li>\n"
      }
      if perOwner.table.rows.count > 6 { overdue += "<li>…</li>\n" }
      overdue += "</ul>\n"
      if let longest = section("overdue_customers"), !longest.table.rows.isEmpty {
        overdue += "<p class=\"meta\">\(e(w("Waiting longest", "逾期最久")))</p>\n<ul>\n"
        for row in longest.table.rows {
          overdue += "<li>" + PageParts.link(PageParts.recordPath("customer", row[0].text), row[1].text)
          overdue += " <span class=\"meta\">\(e(row[2].text)) · \(e(row[3].text)) \(e(w("days", "天")))</span></li>\n"
        }
        overdue += "</ul>\n"
      }
    } else {
      overdue = lines(section("overdue_callbacks")) { cell in "\(cell("owner").text): \(cell("overdue").text)" }
    }
    html += card(
      w("Overdue call-backs", "逾期回访"), "/reports/followups", big: total(section("overdue_callbacks"), "overdue"),
      overdue)
    html += card(
      w("Action items", "待办事项"), "/reports/meetings",
      big: total(section("action_items"), "open").map { open in
        open + " " + w("open", "未完成") + ", " + (total(section("action_items"), "overdue") ?? "?") + " "
          + w("overdue", "逾期")
      },
      lines(section("action_items")) { cell in
        "\(cell("owner").text): \(cell("open").text) / \(cell("overdue").text)"
      })
    let complaints = section("open_complaints")
    html += card(
      w("Open complaints", "未结投诉"), "/reports/complaints",
      big: complaints.flatMap { $0.table.known ? String($0.table.rows.count) : nil },
      lines(complaints) { cell in
        "\(cell("customer").text) · \(cell("severity").text) · \(cell("days_open").text) " + w("days", "天")
      })
    html += "</div>\n"
    html += "<h2>\(e(w("Reports", "报表")))</h2>\n<ul>\n"
    for report in Reports.all {
      let name = e(report.name)
      html +=
        "<li><a href=\"/reports/\(name)\">\(name)</a> (<a href=\"/reports/\(name).json\">JSON</a>, "
        + "<a href=\"/reports/\(name).csv\">CSV</a>) — \(e(report.summary))</li>\n"
    }
    html += "</ul>\n<h2>\(e(w("Records", "记录")))</h2>\n<ul>\n"
    for type in context.records.schema.types {
      html += "<li>" + PageParts.link("/" + PageParts.segment(type.name), type.title ?? type.name) + "</li>\n"
    }
    html += "</ul>\n<h2>\(e(w("Calendars", "日程订阅")))</h2>\n<ul>\n"
    let staff = try context.current("staff")
    for id in staff.ids {
      let name = staff[id]?.string("name") ?? id
      html += "<li><a href=\"/calendar/\(e(id)).ics\">\(e(name)) (\(e(id)))</a></li>\n"
    }
    html += "</ul>\n"
    return Page.html(layout.page(title: w("Dashboard", "概览"), body: html, current: "/"))
  }

  /// `/.json`: the dashboard's figures, as a report (`tally report … --format json`'s shape).
  func dashboardJSON(_ request: Request) throws -> Response {
    Page.json(ReportRenderer.render(try dashboardReport(try context(reportOptions())), as: .json))
  }

  /// The dashboard's figures, each from its report as the CLI computes it for today and the
  /// current period: `plan` (the plan report's totals per plan, team and metric),
  /// `pipeline` (customers by status at the start and end of the period),
  /// `overdue_callbacks` (the follow-ups report's overdue next contacts, counted per owner),
  /// `action_items` (open and overdue per owner, from the meetings report) and
  /// `open_complaints` (the complaints report's open complaints).
  func dashboardReport(_ context: ReportContext) throws -> Report {
    let key = "dashboard\u{1}\(context.commit.hex)\u{1}\(context.today)"
    if let known = pages[key] { return known }
    let report = try Self.dashboardReport(context)
    remember(report, as: key)
    return report
  }

  static func dashboardReport(_ context: ReportContext) throws -> Report {
    func section(_ report: Report, _ key: String) -> ReportSection? { report.sections.first { $0.key == key } }
    var sections: [ReportSection] = []
    let plan = try PlanReport.compute(context)
    if var totals = section(plan, "totals") {
      totals.key = "plan"
      sections.append(totals)
    }
    let pipeline = try PipelineReport.compute(context)
    if var byStatus = section(pipeline, "by_status") {
      byStatus.key = "pipeline"
      sections.append(byStatus)
    }
    let followUps = try FollowUpsReport.compute(context)
    if let overdue = section(followUps, "overdue") {
      var table = ReportTable(columns: [.init("owner", "Owner"), .init("overdue", "Overdue", numeric: true)])
      table.known = overdue.table.known
      if let owner = overdue.table.columns.firstIndex(where: { $0.key == "owner" }) {
        var counts: [String: Int] = [:]
        for row in overdue.table.rows { counts[row[owner].text, default: 0] += 1 }
        table.rows = counts.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { [.text($0.key), .int($0.value)] }
      }
      sections.append(
        ReportSection(
          key: "overdue_callbacks", title: "Overdue call-backs per owner", table: table, unknowns: overdue.unknowns))
      // The five customers waiting longest for their call-back.
      let keep = ["customer", "name", "owner", "days_overdue"].compactMap { key in
        overdue.table.columns.firstIndex { $0.key == key }
      }
      if keep.count == 4, overdue.table.known {
        var longest = ReportTable(columns: keep.map { overdue.table.columns[$0] })
        longest.rows = overdue.table.rows.sorted { a, b in
          if case .int(let x) = a[keep[3]], case .int(let y) = b[keep[3]], x != y { return x > y }
          return a[keep[0]].text < b[keep[0]].text
        }.prefix(5).map { row in keep.map { row[$0] } }
        sections.append(
          ReportSection(key: "overdue_customers", title: "Waiting longest for a call-back", table: longest))
      }
    }
    let meetings = try MeetingsReport.compute(context)
    if let byOwner = section(meetings, "action_items_by_owner") {
      let keep = ["owner", "open", "overdue"].compactMap { key in byOwner.table.columns.firstIndex { $0.key == key } }
      var table = ReportTable(columns: keep.map { byOwner.table.columns[$0] })
      table.known = byOwner.table.known
      table.rows = byOwner.table.rows.map { row in keep.map { row[$0] } }.filter { row in
        row.dropFirst().contains { $0 != .int(0) }
      }
      sections.append(
        ReportSection(
          key: "action_items", title: "Open and overdue action items", table: table, unknowns: byOwner.unknowns))
    }
    let complaints = try ComplaintsReport.compute(context)
    if var open = section(complaints, "open") {
      open.key = "open_complaints"
      sections.append(open)
    }
    return Report(
      name: "dashboard", title: "Dashboard", commit: context.commit.hex, commitDate: context.commitDate,
      scope: "\(context.period?.description ?? ""), at \(context.at)", sections: sections)
  }
}
