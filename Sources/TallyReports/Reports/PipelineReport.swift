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
      .init("status", "Status"), .init("title", "状态"), .init("start", "At start", numeric: true),
      .init("end", "At end", numeric: true), .init("change", "Change", numeric: true),
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
      .text("total"), .text("合计"), count(startTotal, known: startKnown), count(endTotal, known: endKnown),
      count(endTotal - startTotal, known: startKnown && endKnown),
    ])

    // Customers per status at the end of each month.
    let months = period.months
    var byMonth = ReportTable(
      columns: [.init("month", "Month")] + statuses.map { .init($0.value, $0.label, numeric: true) })
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
      .init("date", "Date"), .init("customer", "Customer"), .init("name", "Name"), .init("from", "From"),
      .init("to", "To"), .init("owner", "Owner"), .init("team", "Team"), .init("churn_reason", "Churn reason"),
    ])
    var winBacks = ReportTable(columns: [
      .init("date", "Date"), .init("customer", "Customer"), .init("name", "Name"), .init("from", "From"),
      .init("to", "To"), .init("owner", "Owner"),
    ])
    var churn = ReportTable(columns: [
      .init("date", "Date"), .init("customer", "Customer"), .init("name", "Name"), .init("from", "From"),
      .init("owner", "Owner"), .init("reason", "Reason"),
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
        .date(event.day), .text(event.customer), .text(event.name), .text(event.from.map(label) ?? "(new)"),
        .text(event.to.map(label) ?? "(removed)"), .text(people.name(event.owner)),
        .text(people.team(of: event.owner) ?? ""), .text(churnReason),
      ])
      // In place: a copy of the tally would copy its set of new customers at every event.
      byOwner[owner, default: OwnerTally()].count(event)
      if event.kind == .status {
        if event.to == "churned" {
          reasons[event.churnReason ?? "(no reason)", default: 0] += 1
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
      .init("step", "Step"), .init("base", "In from-status", numeric: true),
      .init("converted", "Converted", numeric: true), .init("rate", "Rate", numeric: true),
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
      .init("status", "Status"), .init("stints", "Stints ended", numeric: true),
      .init("average_days", "Average days", numeric: true), .init("min_days", "Shortest", numeric: true),
      .init("max_days", "Longest", numeric: true),
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
      .init("customers_at_end", "Customers at end", numeric: true), .init("added", "Added", numeric: true),
      .init("to_prospect", "To prospect", numeric: true), .init("new_active", "New active", numeric: true),
      .init("to_dormant", "To dormant", numeric: true), .init("win_backs", "Win-backs", numeric: true),
      .init("churned", "Churned", numeric: true), .init("lead_to_prospect", "Lead → prospect", numeric: true),
      .init("prospect_to_active", "Prospect → active", numeric: true),
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
    var ownerTable = ReportTable(columns: [.init("owner", "Owner"), .init("team", "Team")] + ownerColumns)
    var byTeam: [String: OwnerTally] = [:]
    for owner in owners {
      let tally = byOwner[owner]!
      let team = people.team(of: owner) ?? ""
      ownerTable.rows.append(
        [.text(owner.isEmpty ? "–" : people.name(owner)), .text(team)] + figures(tally))
      byTeam[team, default: OwnerTally()].add(tally)
    }
    var teamTable = ReportTable(columns: [.init("team", "Team")] + ownerColumns)
    for team in NaturalOrder.sorted(byTeam.keys) {
      teamTable.rows.append([.text(team.isEmpty ? "(no team)" : team)] + figures(byTeam[team]!))
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
    if !startKnown { startUnknowns.append(context.notKnown("how many customers stood at the end of \(dayBefore)")) }
    var monthUnknowns: [String] = []
    if !monthsNotKnown.isEmpty {
      monthUnknowns.append(
        context.notKnown("how many customers stood at the end of \(monthsNotKnown.joined(separator: ", "))"))
    }
    var changeUnknowns: [String] = []
    if !changesKnown, let historyStart = context.historyStart {
      changeUnknowns.append(
        context.notKnown("what changed in \(period.label) before \(historyStart)")
          + "; the changes since are listed, the counts over the period are not known")
    }
    var stageUnknowns: [String] = []
    if stintsNotKnown > 0 {
      stageUnknowns.append(
        context.notKnown("when \(stintsNotKnown) of the stints that ended in \(period.label) began")
          + ": they began before the history and are left out")
    }
    var churnNotes: [String] = []
    if !reasons.isEmpty {
      let listed = reasons.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { "\($0.key) ×\($0.value)" }
      churnNotes.append("reasons: " + listed.joined(separator: ", "))
    }
    return Report(
      name: name, title: "Pipeline \(period.label)\(people.filterSuffix)", commit: context.commit.hex,
      commitDate: context.commitDate, scope: period.label,
      sections: [
        ReportSection(
          key: "by_status", title: "Customers by status", table: byStatus,
          notes: ["at the end of \(dayBefore) and of \(period.end), by the owner then"],
          unknowns: startUnknowns + (endKnown ? [] : monthUnknowns)),
        ReportSection(
          key: "by_month", title: "Customers by status at each month end", table: byMonth, chart: chart,
          unknowns: monthUnknowns),
        ReportSection(
          key: "transitions", title: "Status changes", table: transitions,
          notes: [
            "from the history: dated by commit, credited to the owner in the version that made the change; the customers of the history's first commit are its starting state, not changes"
          ], unknowns: changeUnknowns),
        ReportSection(
          key: "conversion", title: "Conversion", table: conversion,
          notes: [
            "base: customers in the from-status at the start of the period or entering it during the period; converted: those that then changed to the to-status in the period"
          ], unknowns: changeUnknowns),
        ReportSection(
          key: "stage_time", title: "Days in stage", table: stageTime,
          notes: ["stints that ended with a status change in the period, measured from the whole history"],
          unknowns: changeUnknowns + stageUnknowns),
        ReportSection(
          key: "by_owner", title: "By owner", table: ownerTable,
          notes: [
            "to prospect and new active include customers added with that status; new active counts customers that became active from lead or prospect, dormant → active is a win-back"
          ], unknowns: changeUnknowns),
        ReportSection(key: "by_team", title: "By team", table: teamTable, unknowns: changeUnknowns),
        ReportSection(key: "win_backs", title: "Win-backs", table: winBacks, unknowns: changeUnknowns),
        ReportSection(key: "churn", title: "Churn", table: churn, notes: churnNotes, unknowns: changeUnknowns),
      ])
  }
}
