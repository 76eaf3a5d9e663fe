import TallyHistory
import TallyRecords
import TallySchema
import TallyText

/// `followups`: call-back discipline. As of a day (`--at`, default today): overdue next
/// contacts, customers not contacted within their tier's interval, customers at risk. Over
/// the period: contacts per rep per week and by channel.
///
/// Definitions (also in the report's notes):
/// - The as-of sections read the customers as they stood at the end of the day, and only
///   follow-ups dated on or before it; a customer's last contact is its latest follow-up
///   (by date; on one day, the later item in the list).
/// - Overdue: the last contact set a `next_contact` before the day (days overdue = day −
///   next_contact). Churned customers are left out: nobody owes them a call.
/// - Not contacted: leads, prospects and active customers whose last contact is more than
///   their tier's interval (`follow_up_intervals` in tally.yaml) before the day; a customer
///   never contacted counts from the day it was added (from the history).
/// - At risk: active customers with no contact for N days or more (`--days`, default 30,
///   counted the same way), or with a complaint dated on or before the day and not resolved
///   by it (`resolved_on` empty or later).
/// - The period sections count follow-up items dated in the period, in the records at the
///   report's commit, per `by` and ISO week, and per channel.
/// - `--owner` and `--team` select customers by their owner on the day, and contacts by `by`.
public enum FollowUpsReport: ReportDefinition {
  public static let name = "followups"
  public static let summary =
    "call-back discipline: overdue next contacts and customers not contacted within their tier's interval (--at), contacts per rep per week and by channel, customers at risk: active with no contact in N days (--days, default 30) or an open complaint"
  public static let usesPeriod = true

  static let fallbackChannels = ["phone", "email", "sms", "wechat", "visit"]

  /// The latest follow-up dated on or before `day`.
  static func lastContact<Record: RecordFields>(_ customer: Record, onOrBefore day: CivilDate) -> Record? {
    var latest: (CivilDate, Record)?
    for item in customer.items("follow_ups") {
      guard let date = item.date("date"), date <= day else { continue }
      if latest == nil || date >= latest!.0 { latest = (date, item) }
    }
    return latest?.1
  }

  public static func compute(_ context: ReportContext) throws -> Report {
    let w = context.language
    let period = context.period ?? Period.parse(String(context.today.description.prefix(7)))!
    let at = context.at
    let threshold = context.days ?? 30
    let people = try PipelineStaff(context)
    let timeline = PipelineTimeline(context, following: .additions)
    Trace.mark("followups: staff and timeline")
    let snapshot = try context.records("customer", at: at)
    Trace.mark("followups: customers at \(at)")
    var intervals: [String: Int] = [:]
    for (tier, days) in context.records.config.followUpIntervals { intervals[tier] = days }
    let labelStatus = people.labeler("customer", "status")
    let labelSeverity = people.labeler("customer", "complaints.severity")

    var overdue = ReportTable(columns: [
      .init("customer", w("Customer", "客户")), .init("name", w("Name", "名称")), .init("owner", w("Owner", "负责人")),
      .init("status", w("Status", "状态")),
      .init("last_contact", w("Last contact", "最近联系")), .init("by", w("By", "经办人")),
      .init("next_contact", w("Next contact", "下次联系")),
      .init("days_overdue", w("Days overdue", "逾期天数"), numeric: true),
    ])
    var notContacted = ReportTable(columns: [
      .init("customer", w("Customer", "客户")), .init("name", w("Name", "名称")), .init("owner", w("Owner", "负责人")),
      .init("tier", w("Tier", "等级")),
      .init("status", w("Status", "状态")), .init("last_contact", w("Last contact", "最近联系")),
      .init("interval", w("Interval", "回访间隔（天）"), numeric: true),
      .init("days_since", w("Days since", "距今天数"), numeric: true),
    ])
    var atRisk = ReportTable(columns: [
      .init("customer", w("Customer", "客户")), .init("name", w("Name", "名称")), .init("owner", w("Owner", "负责人")),
      .init("last_contact", w("Last contact", "最近联系")), .init("days_since", w("Days since", "距今天数"), numeric: true),
      .init("open_complaints", w("Open complaints", "未结投诉"), numeric: true), .init("reason", w("Reason", "原因")),
    ])
    var overdueRows: [(Int, String, [Cell])] = []
    var notContactedRows: [(Int, String, [Cell])] = []
    var atRiskRows: [(Int, Int, String, [Cell])] = []
    // In no particular order: the rows are sorted by what they show.
    for (id, customer) in snapshot.records {
      guard people.keeps(customer.string("owner")) else { continue }
      let status = customer.string("status") ?? timeline.defaultStatus
      let statusLabel = labelStatus(status)
      let name = customer.string("name") ?? ""
      let owner = people.name(customer.string("owner"))
      let last = lastContact(customer, onOrBefore: at)
      let lastDay = last?.date("date")
      let lastCell: Cell = lastDay.map { .date($0) } ?? .text(w("never", "从未联系"))
      let daysSince = (lastDay ?? timeline.addedOn[id]).map { at.dayNumber - $0.dayNumber }
      // Never contacted and in the history's first commit: added on a day that is not
      // known, so the days since are at least those since that commit — enough to list the
      // customer, not a figure to show.
      let sinceKnown = lastDay != nil || !timeline.initialCustomers.contains(id)
      let daysCell: Cell = daysSince.map { sinceKnown ? .int($0) : .unknown } ?? .empty

      if status != "churned", let next = last?.date("next_contact"), next < at {
        let days = at.dayNumber - next.dayNumber
        overdueRows.append(
          (
            days, id,
            [
              .text(id), .text(name), .text(owner), .text(statusLabel), lastCell,
              .text(people.name(last?.string("by"))),
              .date(next), .int(days),
            ]
          ))
      }
      if ["lead", "prospect", "active"].contains(status), let tier = customer.string("tier"),
        let interval = intervals[tier], let daysSince, daysSince > interval
      {
        notContactedRows.append(
          (
            daysSince, id,
            [
              .text(id), .text(name), .text(owner), .text(tier), .text(statusLabel), lastCell, .int(interval),
              daysCell,
            ]
          ))
      }
      if status == "active" {
        let open = customer.items("complaints").filter { complaint in
          guard let date = complaint.date("date"), date <= at else { return false }
          guard let resolved = complaint.date("resolved_on") else { return true }
          return resolved > at
        }
        let silent = daysSince.map { $0 >= threshold } ?? false
        guard silent || !open.isEmpty else { continue }
        var reasons: [String] = []
        if silent {
          reasons.append(
            lastDay == nil
              ? (sinceKnown
                ? w("never contacted", "从未联系")
                : w("never contacted since \(timeline.addedOn[id]!)", "自 \(timeline.addedOn[id]!) 起从未联系"))
              : w("no contact for \(daysSince!) days", "\(daysSince!) 天未联系"))
        }
        for complaint in open {
          let severity = labelSeverity(complaint.string("severity"))
          let since = complaint.string("date") ?? "?"
          reasons.append(w("open complaint since \(since) (\(severity))", "自 \(since) 起有未结投诉（\(severity)）"))
        }
        atRiskRows.append(
          (
            open.count, daysSince ?? 0, id,
            [
              .text(id), .text(name), .text(owner), lastCell, daysCell, .int(open.count),
              .text(reasons.joined(separator: w("; ", "；"))),
            ]
          ))
      }
    }
    overdue.rows = overdueRows.sorted { ($1.0, $0.1) < ($0.0, $1.1) }.map(\.2)
    notContacted.rows = notContactedRows.sorted { ($1.0, $0.1) < ($0.0, $1.1) }.map(\.2)
    atRisk.rows = atRiskRows.sorted { ($1.0, $1.1, $0.2) < ($0.0, $0.1, $1.2) }.map(\.3)

    Trace.mark("followups: as-of sections")
    // Contacts in the period, per rep and week, and per channel.
    var weeks: [String] = []
    var day = period.start
    while day <= period.end {
      let week = Period.weekLabel(day)
      if weeks.last != week { weeks.append(week) }
      day = day.adding(days: 1)
    }
    let current = try context.current("customer")
    var perRep: [String: [String: Int]] = [:]
    var perChannel: [String: Int] = [:]
    var total = 0
    for customer in current.records.values {
      for item in customer.items("follow_ups") {
        guard let date = item.date("date"), period.contains(date), let by = item.string("by"), people.keeps(by) else {
          continue
        }
        perRep[by, default: [:]][Period.weekLabel(date), default: 0] += 1
        perChannel[item.string("channel") ?? "", default: 0] += 1
        total += 1
      }
    }
    Trace.mark("followups: contacts counted")
    func repTotal(_ rep: String) -> Int { perRep[rep]!.values.reduce(0, +) }
    let reps = perRep.keys.sorted { (repTotal($1), $0) < (repTotal($0), $1) }
    var byWeek = ReportTable(
      columns: [
        .init("rep", w("Rep", "销售代表")), .init("team", w("Team", "团队")), .init("total", w("Total", "合计"), numeric: true),
      ]
        + weeks.map { .init($0, $0, numeric: true) })
    for rep in reps {
      byWeek.rows.append(
        [.text(people.name(rep)), .text(people.team(of: rep) ?? ""), .int(repTotal(rep))]
          + weeks.map { .int(perRep[rep]![$0] ?? 0) })
    }
    let heat = Chart(
      kind: .heat, labels: weeks,
      series: reps.map { rep in (people.name(rep), weeks.map { Double(perRep[rep]![$0] ?? 0) }) })

    var byChannel = ReportTable(columns: [
      .init("channel", w("Channel", "渠道代码")), .init("title", w("渠道", "渠道名称")),
      .init("contacts", w("Contacts", "联系次数"), numeric: true),
      .init("share", w("Share", "占比"), numeric: true),
    ])
    var channels = people.enumValues("customer", "follow_ups.channel", fallback: fallbackChannels)
    for extra in perChannel.keys.sorted() where !channels.contains(where: { $0.value == extra }) {
      channels.append((extra, extra.isEmpty ? w("(none)", "（无）") : extra))
    }
    for (channel, title) in channels {
      guard let count = perChannel[channel], count > 0 else { continue }
      byChannel.rows.append([.text(channel), .text(title), .int(count), .percent(Double(count) / Double(total))])
    }

    // Customers of the first commit never contacted since: "?" for the days since.
    func sinceUnknowns(_ table: ReportTable) -> [String] {
      guard let historyStart = context.historyStart, table.rows.contains(where: { $0.contains(.unknown) }) else {
        return []
      }
      return [
        context.notKnown(
          w(
            "when the customers of that commit never contacted since were added",
            "该提交中此后从未联系的客户是何时加入的"))
          + w(
            ": their days since are \"?\"; they are listed by the days since \(historyStart)",
            "：其距今天数显示为“?”；按自 \(historyStart) 起的天数排列")
      ]
    }
    // The customers of a day before the history began are not known: not "(none)".
    var atUnknowns: [String] = []
    if !context.isKnown(atEndOf: at) {
      overdue.known = false
      notContacted.known = false
      atRisk.known = false
      atUnknowns.append(context.notKnown(w("which customers stood at the end of \(at)", "\(at) 日终有哪些客户")))
    }
    var intervalNote =
      w("intervals: ", "回访间隔：")
      + context.records.config.followUpIntervals.map { w("\($0.tier) \($0.days) days", "\($0.tier) 级 \($0.days) 天") }
      .joined(separator: w(", ", "，"))
    if intervals.isEmpty {
      intervalNote = w(
        "tally.yaml sets no follow_up_intervals: no customer is checked",
        "tally.yaml 未设置 follow_up_intervals：不检查任何客户")
    }
    return Report(
      name: name,
      title: w("Call-backs \(period.label), as of \(at)", "客户回访 \(period.label)，截至 \(at)") + people.filterSuffix,
      commit: context.commit.hex,
      commitDate: context.commitDate, scope: w("\(period.label), at \(at)", "\(period.label)，\(at)"),
      sections: [
        ReportSection(
          key: "overdue", title: w("Overdue next contacts", "逾期未回访"), table: overdue,
          notes: [
            w(
              "the last contact on or before \(at) set a next contact before it; churned customers left out",
              "\(at) 或之前的最近一次联系约定的下次联系日期早于 \(at)；不含已流失客户")
          ],
          unknowns: atUnknowns),
        ReportSection(
          key: "not_contacted", title: w("Not contacted within their tier's interval", "超过等级回访间隔未联系"),
          table: notContacted,
          notes: [
            intervalNote,
            w(
              "leads, prospects and active customers; never contacted counts from the day the customer was added",
              "线索、意向客户与成交客户；从未联系的按客户加入当天起算"),
          ], unknowns: atUnknowns + sinceUnknowns(notContacted)),
        ReportSection(
          key: "at_risk", title: w("Customers at risk", "风险客户"), table: atRisk,
          notes: [
            w(
              "active customers with no contact for \(threshold) days or more, or a complaint open on \(at)",
              "\(threshold) 天或以上未联系、或在 \(at) 有未结投诉的成交客户")
          ],
          unknowns: atUnknowns + sinceUnknowns(atRisk)),
        ReportSection(key: "by_week", title: w("Contacts per rep per week", "各销售代表每周联系次数"), table: byWeek, chart: heat),
        ReportSection(
          key: "by_channel", title: w("Contacts by channel", "各渠道联系次数"), table: byChannel,
          notes: total == 0 ? [] : [w("\(total) contacts in \(period.label)", "\(period.label) 共联系 \(total) 次")]),
      ], language: context.language)
  }
}
