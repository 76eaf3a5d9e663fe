import TallyHistory
import TallySchema
import TallyText

/// `pipeline`: customers by status at the start and the end of a period, every status change
/// in between (from the history, not the current files), conversion rates, days spent in each
/// stage, per owner and team, win-backs and churn with reasons.
///
/// Definitions (also in the report's notes):
/// - Start and end counts come from the records as they stood at the end of the day before
///   the period and at the end of its last day; the monthly chart, from the end of each month.
/// - A transition is a commit that added a customer (with its first status), changed its
///   `status`, or removed it; it is dated by the commit and belongs to the owner in the version
///   of the record the commit produced (the owner before, for a removal).
/// - Conversion A → B: the base is every customer that was in A at the start of the period or
///   entered A during it; converted are those of them that changed from A to B in the period.
///   Each customer of the base belongs to one owner: the owner at the conversion, or else the
///   owner at its last moment in A within the period.
/// - Days in stage: for each status change in the period, the days from the change that
///   entered the old status to this one (from the whole history), averaged per old status.
/// - Win-backs: churned or dormant → active, and churned → lead. Churn: any change to churned,
///   with `churn_reason` as the new version has it.
public enum PipelineReport: ReportDefinition {
  public static let name = "pipeline"
  public static let summary =
    "customers by status at the start and end of a period, every status change from history, conversion lead → prospect → active, days per stage, by owner and team, win-backs and churn with reasons"
  public static let usesPeriod = true

  static let fallbackStatuses = ["lead", "prospect", "active", "dormant", "churned"]
  static let conversionSteps = [("lead", "prospect"), ("prospect", "active")]

  /// Figures per owner (or team).
  struct OwnerTally {
    var atEnd = 0
    var added = 0
    var toProspect = 0
    var newActive = Set<String>()
    var toDormant = 0
    var winBacks = 0
    var churned = 0
    var conversions = [Conversion](repeating: Conversion(), count: PipelineReport.conversionSteps.count)

    /// Counts a transition of the owner's.
    mutating func count(_ event: PipelineTimeline.Event) {
      if event.kind == .added { added += 1 }
      if event.to == "prospect" { toProspect += 1 }
      if PipelineReport.isNewActive(event) { newActive.insert(event.customer) }
      if event.kind == .status {
        if event.to == "dormant" { toDormant += 1 }
        if event.to == "churned" { churned += 1 }
        if PipelineReport.isWinBack(from: event.from, to: event.to) { winBacks += 1 }
      }
    }

    mutating func add(_ other: OwnerTally) {
      atEnd += other.atEnd
      added += other.added
      toProspect += other.toProspect
      newActive.formUnion(other.newActive)
      toDormant += other.toDormant
      winBacks += other.winBacks
      churned += other.churned
      for index in conversions.indices {
        conversions[index].base += other.conversions[index].base
        conversions[index].converted += other.conversions[index].converted
      }
    }
  }

  struct Conversion {
    var base = 0
    var converted = 0
    var rate: Cell { .percent(base > 0 ? Double(converted) / Double(base) : nil) }
  }

  static func isWinBack(from: String?, to: String?) -> Bool {
    ((from == "churned" || from == "dormant") && to == "active") || (from == "churned" && to == "lead")
  }

  /// Became active from the pipeline (lead, prospect, or added as active): a new customer.
  /// Reactivations (dormant → active) are win-backs instead.
  /// A customer of the history's first commit is the starting state, not a new customer.
  static func isNewActive(_ event: PipelineTimeline.Event) -> Bool {
    !event.isInitial && event.to == "active"
      && (event.from == nil || event.from == "lead" || event.from == "prospect")
  }

  public static func compute(_ context: ReportContext) throws -> Report {
    let w = context.language
    let period = context.period ?? Period.parse(String(context.today.description.prefix(7)))!
    let people = try PipelineStaff(context)
    let timeline = PipelineTimeline(context)
    let defaultStatus = timeline.defaultStatus

    let dayBefore = period.start.adding(days: -1)
    let before = try context.records("customer", at: dayBefore)
    let after = try context.records("customer", at: period.end)
    // What the history cannot tell: the customers of a day before it began, and the changes
    // of a period that began before it (they are inside its first commit).
    let startKnown = context.isKnown(atEndOf: dayBefore)
    let endKnown = context.isKnown(atEndOf: period.end)
    let changesKnown = context.knowsChanges(from: period.start)
    func count(_ value: Int, known: Bool) -> Cell { known ? .int(value) : .unknown }
    func counts(_ set: RecordSet) -> [String: Int] {
      var result: [String: Int] = [:]
      for value in set.records.values where people.keeps(value.string("owner")) {
        result[value.string("status") ?? defaultStatus, default: 0] += 1
      }
      return result
    }
    let startCounts = counts(before)
    let endCounts = counts(after)
    var statuses = people.enumValues("customer", "status", fallback: fallbackStatuses)
    let known = Set(statuses.map(\.value))
    for extra in Set(startCounts.keys).union(endCounts.keys).subtracting(known).sorted() {
      statuses.append((extra, extra))
    }
    func label(_ status: String?) -> String { statuses.first(where: { $0.value == status })?.label ?? status ?? "" }

    // Customers by status at the start and the end.
    var byStatus = ReportTable(columns: [
      .init("status", w("Status", "状态代码")), .init("title", w("状态", "状态名称")),
      .init("start", w("At start", "期初"), numeric: true),
      .init("end", w("At end", "期末"), numeric: true), .init("change", w("Change", "变化"), numeric: true),
    ])
    for (status, title) in statuses {
      let start = startCounts[status] ?? 0
      let end = endCounts[status] ?? 0
      byStatus.rows.append([
        .text(status), .text(title), count(start, known: startKnown), count(end, known: endKnown),
        count(end - start, known: startKnown && endKnown),
      ])
    }
    let startTotal = startCounts.values.reduce(0, +)
    let endTotal = endCounts.values.reduce(0, +)
    byStatus.rows.append([
      .text("total"), .text(w("合计", "合计")), count(startTotal, known: startKnown), count(endTotal, known: endKnown),
      count(endTotal - startTotal, known: startKnown && endKnown),
    ])

    // Customers per status at the end of each month.
    let months = period.months
    var byMonth = ReportTable(
      columns: [.init("month", w("Month", "月份"))] + statuses.map { .init($0.value, $0.label, numeric: true) })
    var monthly: [(month: String, figures: [String: Int])] = []
    var monthsNotKnown: [String] = []
    for month in months {
      let monthEnd = min(Period.parse(month)?.end ?? period.end, period.end)
      guard context.isKnown(atEndOf: monthEnd) else {
        monthsNotKnown.append(month)
        byMonth.rows.append([.text(month)] + statuses.map { _ in .unknown })
        continue
      }
      let figures = counts(try context.records("customer", at: monthEnd))
      monthly.append((month, figures))
      byMonth.rows.append([.text(month)] + statuses.map { .int(figures[$0.value] ?? 0) })
    }
    // The chart draws the months that are known.
    let chart = Chart(
      kind: .lines, labels: monthly.map(\.month),
      series: statuses.map { status in (status.label, monthly.map { Double($0.figures[status.value] ?? 0) }) })

    // Every transition in the period, and the tallies that follow from them.
    var transitions = ReportTable(columns: [
      .init("date", w("Date", "日期")), .init("customer", w("Customer", "客户")), .init("name", w("Name", "名称")),
      .init("from", w("From", "原状态")),
      .init("to", w("To", "新状态")), .init("owner", w("Owner", "负责人")), .init("team", w("Team", "团队")),
      .init("churn_reason", w("Churn reason", "流失原因")),
    ])
    var winBacks = ReportTable(columns: [
      .init("date", w("Date", "日期")), .init("customer", w("Customer", "客户")), .init("name", w("Name", "名称")),
      .init("from", w("From", "原状态")),
      .init("to", w("To", "新状态")), .init("owner", w("Owner", "负责人")),
    ])
    var churn = ReportTable(columns: [
      .init("date", w("Date", "日期")), .init("customer", w("Customer", "客户")), .init("name", w("Name", "名称")),
      .init("from", w("From", "原状态")),
      .init("owner", w("Owner", "负责人")), .init("reason", w("Reason", "原因")),
    ])
    var byOwner: [String: OwnerTally] = [:]
    var reasons: [String: Int] = [:]
    var stints: [String: [Int]] = [:]
    var stintsNotKnown = 0
    for event in timeline.events
    where event.isTransition && !event.isInitial && period.contains(event.day) && people.keeps(event.owner) {
      let owner = event.owner ?? ""
      let churnReason = event.to == "churned" ? event.churnReason ?? "" : ""
      transitions.rows.append([
        .date(event.day), .text(event.customer), .text(event.name), .text(event.from.map(label) ?? w("(new)", "（新增）")),
        .text(event.to.map(label) ?? w("(removed)", "（删除）")), .text(people.name(event.owner)),
        .text(people.team(of: event.owner) ?? ""), .text(churnReason),
      ])
      // In place: a copy of the tally would copy its set of new customers at every event.
      byOwner[owner, default: OwnerTally()].count(event)
      if event.kind == .status {
        if event.to == "churned" {
          reasons[event.churnReason ?? w("(no reason)", "（无原因）"), default: 0] += 1
          churn.rows.append([
            .date(event.day), .text(event.customer), .text(event.name), .text(label(event.from)),
            .text(people.name(event.owner)), .text(event.churnReason ?? ""),
          ])
        }
        if isWinBack(from: event.from, to: event.to) {
          winBacks.rows.append([
            .date(event.day), .text(event.customer), .text(event.name), .text(label(event.from)),
            .text(label(event.to)), .text(people.name(event.owner)),
          ])
        }
        if let from = event.from, let since = event.since {
          // A stint in the status the first commit had began before the history: its
          // length is not known.
          if event.sinceKnown {
            stints[from, default: []].append(event.day.dayNumber - since.dayNumber)
          } else {
            stintsNotKnown += 1
          }
        }
      }
    }
    for value in after.records.values where people.keeps(value.string("owner")) {
      byOwner[value.string("owner") ?? "", default: OwnerTally()].atEnd += 1
    }

    // Conversion: per customer, its state at the start, then its events in the period.
    var conversionTotals = [Conversion](repeating: Conversion(), count: conversionSteps.count)
    // Each customer counts once per step; the order of customers does not matter.
    for positions in timeline.eventsByCustomer.values {
      let events = positions.lazy.map { timeline.events[$0] }
      for (step, (from, to)) in conversionSteps.enumerated() {
        var status: String?
        var owner: String?
        var inBase = false
        var converted = false
        var attributed: String?
        var started = false
        for event in events where event.day <= period.end {
          // The first commit's customers are the state the period starts from.
          if event.day < period.start || event.isInitial {
            status = event.to
            owner = event.kind == .removed ? nil : event.owner
            continue
          }
          if !started {
            started = true
            if status == from {
              inBase = true
              attributed = owner
            }
          }
          if event.from == from && event.to == to {
            converted = true
            inBase = true
            attributed = event.owner
            break
          }
          let wasInFrom = status == from
          status = event.to
          owner = event.kind == .removed ? nil : event.owner
          if event.to == from {
            inBase = true
            attributed = event.owner
          } else if wasInFrom {
            attributed = event.owner
          }
        }
        if !started && status == from {
          inBase = true
          attributed = owner
        }
        guard inBase, people.keeps(attributed) else { continue }
        byOwner[attributed ?? "", default: OwnerTally()].conversions[step].base += 1
        conversionTotals[step].base += 1
        if converted {
          byOwner[attributed ?? "", default: OwnerTally()].conversions[step].converted += 1
          conversionTotals[step].converted += 1
        }
      }
    }
    var conversion = ReportTable(columns: [
      .init("step", w("Step", "步骤")), .init("base", w("In from-status", "原状态客户数"), numeric: true),
      .init("converted", w("Converted", "转化数"), numeric: true), .init("rate", w("Rate", "转化率"), numeric: true),
    ])
    for (index, (from, to)) in conversionSteps.enumerated() {
      let figures = conversionTotals[index]
      conversion.rows.append(
        [.text("\(label(from)) → \(label(to))")]
          + (changesKnown
            ? [.int(figures.base), .int(figures.converted), figures.rate] : [.unknown, .unknown, .unknown]))
    }

    // Days in stage, for stints that ended with a status change in the period.
    var stageTime = ReportTable(columns: [
      .init("status", w("Status", "状态")), .init("stints", w("Stints ended", "结束次数"), numeric: true),
      .init("average_days", w("Average days", "平均天数"), numeric: true),
      .init("min_days", w("Shortest", "最短天数"), numeric: true),
      .init("max_days", w("Longest", "最长天数"), numeric: true),
    ])
    for (status, title) in statuses {
      guard let days = stints[status], !days.isEmpty else { continue }
      let average = ExactDecimal(days.reduce(0, +)).divided(by: ExactDecimal(days.count), scale: 1) ?? .zero
      stageTime.rows.append([
        .text(title), .int(days.count), .decimal(average), .int(days.min()!), .int(days.max()!),
      ])
    }

    // By owner and by team.
    let ownerColumns: [ReportTable.Column] = [
      .init("customers_at_end", w("Customers at end", "期末客户数"), numeric: true),
      .init("added", w("Added", "新增"), numeric: true),
      .init("to_prospect", w("To prospect", "转为意向"), numeric: true),
      .init("new_active", w("New active", "新成交"), numeric: true),
      .init("to_dormant", w("To dormant", "转为沉睡"), numeric: true),
      .init("win_backs", w("Win-backs", "赢回"), numeric: true),
      .init("churned", w("Churned", "流失"), numeric: true),
      .init("lead_to_prospect", w("Lead → prospect", "线索→意向"), numeric: true),
      .init("prospect_to_active", w("Prospect → active", "意向→成交"), numeric: true),
    ]
    func figures(_ tally: OwnerTally) -> [Cell] {
      let changes: [Cell] =
        changesKnown
        ? [
          .int(tally.added), .int(tally.toProspect), .int(tally.newActive.count), .int(tally.toDormant),
          .int(tally.winBacks), .int(tally.churned),
        ] + tally.conversions.map(\.rate)
        : Array(repeating: .unknown, count: 6 + tally.conversions.count)
      return [count(tally.atEnd, known: endKnown)] + changes
    }
    // By team in natural order (华东一组, 华东二组, …), then by id.
    let owners = byOwner.keys.sorted { a, b in
      let (teamA, teamB) = (people.team(of: a) ?? "", people.team(of: b) ?? "")
      return teamA != teamB ? NaturalOrder.precedes(teamA, teamB) : a < b
    }
    var ownerTable = ReportTable(
      columns: [.init("owner", w("Owner", "负责人")), .init("team", w("Team", "团队"))] + ownerColumns)
    var byTeam: [String: OwnerTally] = [:]
    for owner in owners {
      let tally = byOwner[owner]!
      let team = people.team(of: owner) ?? ""
      ownerTable.rows.append(
        [.text(owner.isEmpty ? "–" : people.name(owner)), .text(team)] + figures(tally))
      byTeam[team, default: OwnerTally()].add(tally)
    }
    var teamTable = ReportTable(columns: [.init("team", w("Team", "团队"))] + ownerColumns)
    for team in NaturalOrder.sorted(byTeam.keys) {
      teamTable.rows.append([.text(team.isEmpty ? w("(no team)", "（无团队）") : team)] + figures(byTeam[team]!))
    }

    // A period that ended before the history began: none of its changes are known.
    if !endKnown {
      transitions.known = false
      winBacks.known = false
      churn.known = false
      stageTime.known = false
      ownerTable.known = false
      teamTable.known = false
    }
    var startUnknowns: [String] = []
    if !startKnown {
      startUnknowns.append(
        context.notKnown(w("how many customers stood at the end of \(dayBefore)", "\(dayBefore) 日终的客户数")))
    }
    var monthUnknowns: [String] = []
    if !monthsNotKnown.isEmpty {
      monthUnknowns.append(
        context.notKnown(
          w(
            "how many customers stood at the end of \(monthsNotKnown.joined(separator: ", "))",
            "\(monthsNotKnown.joined(separator: "、")) 月末的客户数")))
    }
    var changeUnknowns: [String] = []
    if !changesKnown, let historyStart = context.historyStart {
      changeUnknowns.append(
        context.notKnown(
          w("what changed in \(period.label) before \(historyStart)", "\(period.label) 内 \(historyStart) 之前的变化"))
          + w(
            "; the changes since are listed, the counts over the period are not known", "；列出此后的变化，整个期间的计数无从得知"))
    }
    var stageUnknowns: [String] = []
    if stintsNotKnown > 0 {
      stageUnknowns.append(
        context.notKnown(
          w(
            "when \(stintsNotKnown) of the stints that ended in \(period.label) began",
            "\(period.label) 内结束的 \(stintsNotKnown) 次停留何时开始"))
          + w(": they began before the history and are left out", "：它们始于历史之前，不计入"))
    }
    var churnNotes: [String] = []
    if !reasons.isEmpty {
      let listed = reasons.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { "\($0.key) ×\($0.value)" }
      churnNotes.append(w("reasons: ", "原因：") + listed.joined(separator: w(", ", "，")))
    }
    return Report(
      name: name, title: w("Pipeline", "客户漏斗") + " \(period.label)\(people.filterSuffix)", commit: context.commit.hex,
      commitDate: context.commitDate, scope: period.label,
      sections: [
        ReportSection(
          key: "by_status", title: w("Customers by status", "各状态客户数"), table: byStatus,
          notes: [
            w(
              "at the end of \(dayBefore) and of \(period.end), by the owner then",
              "\(dayBefore) 日终与 \(period.end) 日终，按当时的负责人")
          ],
          unknowns: startUnknowns + (endKnown ? [] : monthUnknowns)),
        ReportSection(
          key: "by_month", title: w("Customers by status at each month end", "各月末各状态客户数"), table: byMonth, chart: chart,
          unknowns: monthUnknowns),
        ReportSection(
          key: "transitions", title: w("Status changes", "状态变化"), table: transitions,
          notes: [
            w(
              "from the history: dated by commit, credited to the owner in the version that made the change; the customers of the history's first commit are its starting state, not changes",
              "取自历史：按提交日期，计入作出该变化的版本中的负责人；历史首个提交中的客户为初始状态，不算变化")
          ], unknowns: changeUnknowns),
        ReportSection(
          key: "conversion", title: w("Conversion", "转化"), table: conversion,
          notes: [
            w(
              "base: customers in the from-status at the start of the period or entering it during the period; converted: those that then changed to the to-status in the period",
              "基数：期初处于原状态或期间内进入原状态的客户；转化数：其中在期间内转为目标状态的客户")
          ], unknowns: changeUnknowns),
        ReportSection(
          key: "stage_time", title: w("Days in stage", "各阶段停留天数"), table: stageTime,
          notes: [
            w(
              "stints that ended with a status change in the period, measured from the whole history",
              "期间内以状态变化结束的停留，按全部历史计算")
          ],
          unknowns: changeUnknowns + stageUnknowns),
        ReportSection(
          key: "by_owner", title: w("By owner", "按负责人"), table: ownerTable,
          notes: [
            w(
              "to prospect and new active include customers added with that status; new active counts customers that became active from lead or prospect, dormant → active is a win-back",
              "转为意向与新成交包含以该状态新增的客户；新成交统计从线索或意向客户转为成交客户的客户，沉睡 → 成交计为赢回")
          ], unknowns: changeUnknowns),
        ReportSection(key: "by_team", title: w("By team", "按团队"), table: teamTable, unknowns: changeUnknowns),
        ReportSection(key: "win_backs", title: w("Win-backs", "赢回客户"), table: winBacks, unknowns: changeUnknowns),
        ReportSection(
          key: "churn", title: w("Churn", "客户流失"), table: churn, notes: churnNotes, unknowns: changeUnknowns),
      ], language: context.language)
  }
}
