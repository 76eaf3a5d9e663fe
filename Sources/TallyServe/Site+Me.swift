import HTTPTypes
import Hummingbird
import TallyReports
import TallySchema
import TallyText

extension Site {
  /// The signed-in person's staff id when editing is on and someone is signed in (`/me`
  /// without `?staff=` is their day); nil otherwise.
  func signedInStaff(_ request: Request, _ serve: ServeContext) -> String? {
    guard options.access != .view, case .success(let editor)? = try? signedIn(request, serve) else { return nil }
    return editor.person.id
  }

  /// `/me?staff=S-0022` (and `.json`): a person's day — overdue and today's call-backs of
  /// their customers, their customers by tier and status, their open action items. Without
  /// `staff`, the people to pick from. (The person is a parameter of ``myDay(_:_:)`` alone,
  /// so a signed-in person can be its default.)
  func me(_ file: String, _ request: Request, signedIn: String? = nil) throws -> Response {
    let format = Self.split(file, formats: ["json": "json"], default: "html").1 ?? "html"
    let context = try self.context(reportOptions())
    let layout = self.layout(context, request)
    let w = layout.language
    let e = HTMLRenderer.escape
    let staff = try context.current("staff")
    let asked = (PageParts.query(request)["staff"] ?? "").trimmingCharacters(in: .whitespaces)
    let person = asked.isEmpty ? (signedIn ?? "") : asked
    guard !person.isEmpty else {
      // The people to pick from.
      let columns: [ReportTable.Column] = [
        .init("staff", "Staff"), .init("name", "Name"), .init("team", "Team"), .init("role", "Role"),
      ]
      let rows: [[Cell]] = staff.ids.map { id in
        let record = staff[id]
        return [.text(id)] + ["name", "team", "role"].map { key in record?.string(key).map(Cell.text) ?? .empty }
      }
      let report = Report(
        name: "me", title: "My day", commit: context.commit.hex, commitDate: context.commitDate, scope: "",
        sections: [ReportSection(key: "staff", title: "Staff", table: ReportTable(columns: columns, rows: rows))])
      if format == "json" { return Page.json(ReportRenderer.render(report, as: .json)) }
      var html = "<p>\(e(w("Whose day?", "查看谁的一天？")))</p>\n<ul>\n"
      for id in staff.ids {
        let record = staff[id]
        html +=
          "<li>" + PageParts.link("/me?staff=" + PageParts.parameter(id), (record?.string("name") ?? id) + " (\(id))")
        html += " <span class=\"meta\">\(e(record?.string("team") ?? ""))</span></li>\n"
      }
      html += "</ul>\n"
      return Page.html(layout.page(title: w("My day", "我的一天"), body: html, current: "/me"))
    }
    guard staff[person] != nil else {
      var message = "no staff '\(person)'"
      if let guess = Suggestions.closest(to: person, among: staff.ids, maxDistance: 3) {
        message += " (did you mean \(guess)? /me?staff=\(guess))"
      }
      return Page.text(.notFound, message + "\n")
    }
    let report = try myDay(person, context)
    if format == "json" { return Page.json(ReportRenderer.render(report, as: .json)) }
    let customerLink: (ReportSection) -> [String: (Int) -> String?] = { section in
      guard let index = section.table.columns.firstIndex(where: { $0.key == "customer" }) else { return [:] }
      let link: (Int) -> String? = { row in PageParts.recordPath("customer", section.table.rows[row][index].text) }
      return ["customer": link, "name": link]
    }
    var html = "<p class=\"meta\">\(e(w("Today", "今天"))) \(e(context.today.description)) · "
    html += PageParts.link("/me.json?staff=" + PageParts.parameter(person), "JSON") + " · "
    html += PageParts.link("/calendar/" + PageParts.segment(person) + ".ics", w("Calendar feed", "日程订阅")) + "</p>\n"
    for section in report.sections {
      html += "<h2 id=\"\(e(section.key))\">\(e(Self.meTitle(section.key, w))) (\(section.table.rows.count))</h2>\n"
      if section.table.rows.isEmpty {
        html += "<p class=\"note\">\(e(w("None.", "无。")))</p>\n"
        continue
      }
      var links = customerLink(section)
      if let index = section.table.columns.firstIndex(where: { $0.key == "minutes" }) {
        links["minutes"] = { row in PageParts.recordPath("minutes", section.table.rows[row][index].text) }
      }
      html += PageParts.table(section, links: links)
    }
    let title = w("My day", "我的一天") + " · " + context.name("staff", person)
    return Page.html(layout.page(title: title, body: html, current: "/me"))
  }

  static func meTitle(_ key: String, _ w: Language) -> String {
    switch key {
    case "overdue_callbacks": w("Overdue call-backs", "逾期回访")
    case "today_callbacks": w("Call-backs today", "今日回访")
    case "customers": w("My customers by tier and status", "我的客户（按等级和状态）")
    case "my_customers": w("My customers", "我的客户")
    case "action_items": w("My open action items", "我的待办事项")
    default: key
    }
  }

  /// The day of `staff` at the context's commit: their call-backs (as the calendar feed
  /// has them, ``CalendarFeed/events(for:context:)``) overdue and due today, their
  /// customers counted by tier and status (with the schema's labels), their open action
  /// items (overdue ones with the days late).
  func myDay(_ staff: String, _ context: ReportContext) throws -> Report {
    let key = "me\u{1}\(context.commit.hex)\u{1}\(context.today)\u{1}\(staff)"
    if let known = pages[key] { return known }
    let today = context.today
    let w = context.language
    let events = try CalendarFeed.events(for: staff, context: context)
    let customers = try context.current("customer")
    func callbacks(_ keep: (CivilDate) -> Bool) -> ReportTable {
      var table = ReportTable(columns: [
        .init("customer", w("Customer", "客户")), .init("name", w("Name", "名称")),
        .init("next_contact", w("Next contact", "计划回访")),
        .init("days_overdue", w("Days overdue", "逾期天数"), numeric: true),
        .init("last_contact", w("Last contact", "上次联系")),
      ])
      for event in events where event.record.hasPrefix("customer/") && keep(event.day) {
        let id = String(event.record.dropFirst("customer/".count))
        table.rows.append([
          .text(id), .text(customers[id]?.string("name") ?? id), .date(event.day),
          .int(today.dayNumber - event.day.dayNumber), .text(event.description),
        ])
      }
      return table
    }
    var sections = [
      ReportSection(key: "overdue_callbacks", title: "Overdue call-backs", table: callbacks { $0 < today }),
      ReportSection(key: "today_callbacks", title: "Call-backs today", table: callbacks { $0 == today }),
    ]
    // Customers by tier and status.
    let spec = context.records.schema.type(named: "customer")?.object
    func labels(_ field: String) -> EnumSpec? {
      if case .enumeration(let values)? = spec?[field]?.type { return values }
      return nil
    }
    let tiers = labels("tier")
    let statuses = labels("status")
    var counts: [String: [String: Int]] = [:]
    var seenTiers: [String] = []
    var seenStatuses: [String] = []
    for id in customers.ids {
      guard let customer = customers[id], customer.string("owner") == staff else { continue }
      let tier = customer.string("tier") ?? ""
      let status = customer.string("status") ?? ""
      counts[tier, default: [:]][status, default: 0] += 1
      if !seenTiers.contains(tier) { seenTiers.append(tier) }
      if !seenStatuses.contains(status) { seenStatuses.append(status) }
    }
    func order(_ seen: [String], _ spec: EnumSpec?) -> [String] {
      let known = (spec?.values ?? []).filter(seen.contains)
      return known + seen.filter { !known.contains($0) }.sorted()
    }
    let tierOrder = order(seenTiers, tiers)
    let statusOrder = order(seenStatuses, statuses)
    var byTier = ReportTable(
      columns: [.init("tier", w("Tier", "等级"))]
        + statusOrder.map { .init($0, statuses?.labels[$0] ?? $0, numeric: true) }
        + [.init("total", w("Total", "合计"), numeric: true)])
    for tier in tierOrder {
      let row = counts[tier] ?? [:]
      let label = tiers?.labels[tier].map { "\(tier) \($0)" } ?? tier
      byTier.rows.append(
        [.text(label)] + statusOrder.map { .int(row[$0] ?? 0) } + [.int(row.values.reduce(0, +))])
    }
    sections.append(ReportSection(key: "customers", title: "Customers by tier and status", table: byTier))
    // The customers themselves, in the same order: each a link, with its next call-back.
    var list = ReportTable(columns: [
      .init("customer", w("Customer", "客户")), .init("name", w("Name", "名称")), .init("tier", w("Tier", "等级")),
      .init("status", w("Status", "状态")), .init("next_contact", w("Next contact", "计划回访")),
    ])
    let planned = Dictionary(
      events.filter { $0.record.hasPrefix("customer/") }.map {
        (String($0.record.dropFirst("customer/".count)), $0.day)
      },
      uniquingKeysWith: { first, _ in first })
    var mine: [(tier: Int, status: Int, id: String, row: [Cell])] = []
    for id in customers.ids {
      guard let customer = customers[id], customer.string("owner") == staff else { continue }
      let tier = customer.string("tier") ?? ""
      let status = customer.string("status") ?? ""
      mine.append(
        (
          tierOrder.firstIndex(of: tier) ?? tierOrder.count, statusOrder.firstIndex(of: status) ?? statusOrder.count,
          id,
          [
            .text(id), .text(customer.string("name") ?? id), .text(tiers?.labels[tier] ?? tier),
            .text(statuses?.labels[status] ?? status), planned[id].map(Cell.date) ?? .empty,
          ]
        ))
    }
    list.rows = mine.sorted { ($0.tier, $0.status, $0.id) < ($1.tier, $1.status, $1.id) }.map(\.row)
    sections.append(ReportSection(key: "my_customers", title: "My customers", table: list))
    // Open action items.
    var items = ReportTable(columns: [
      .init("due", w("Due", "截止")), .init("task", w("Task", "事项")), .init("minutes", w("Meeting", "会议")),
      .init("meeting", w("From", "来自")), .init("days_overdue", w("Days overdue", "逾期天数"), numeric: true),
    ])
    for event in events where event.record.hasPrefix("minutes/") {
      let late = today.dayNumber - event.day.dayNumber
      items.rows.append([
        .date(event.day), .text(event.summary), .text(String(event.record.dropFirst("minutes/".count))),
        .text(event.description), late > 0 ? .int(late) : .empty,
      ])
    }
    sections.append(ReportSection(key: "action_items", title: "Open action items", table: items))
    let report = Report(
      name: "me", title: "My day: \(context.name("staff", staff)) (\(staff))", commit: context.commit.hex,
      commitDate: context.commitDate, scope: today.description, sections: sections)
    remember(report, as: key)
    return report
  }
}
