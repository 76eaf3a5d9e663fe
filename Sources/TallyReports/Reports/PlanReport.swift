import TallyHistory
import TallySchema
import TallyText

/// `plan`: each plan whose period overlaps the report's, each target against the actual
/// result over the plan's own period, totals per team and per plan, and overdue steps.
///
/// Definitions (also in the report's notes):
/// - Plans are read as they stood at the end of the report period; actuals from the records
///   at the report's commit (so items entered late still count), dated by their own `date`.
/// - revenue: order `amount`s dated in the plan's period, on customers whose owner at the end
///   of the order's day (from the history) is the assignee; an order dated before its
///   customer was recorded goes to the customer's first owner.
/// - new_customers: customers that became active from lead or prospect (or were added as
///   active) in the plan's period, owned then by the assignee. The customers of the
///   history's first commit are its starting state, not new; over a plan period that began
///   before the history the figure is not known (``Cell/unknown``).
/// - follow_ups: follow-up items dated in the plan's period whose `by` is the assignee.
/// - training_hours: `hours` of the assignee's staff trainings dated in the plan's period.
/// - In a plan scoped to a team, a target assigned to that team's lead is the team's target:
///   it counts every member of the team (the lead included). Team totals then take that line
///   instead of adding up the members' own lines for the same metric.
/// - Attainment is actual / target, undefined when the target is 0.
/// - A step is overdue when it is neither done nor cancelled and its due day is before the
///   earlier of the period's end and today.
public enum PlanReport: ReportDefinition {
  public static let name = "plan"
  public static let summary =
    "plans vs results: each target (revenue, new customers, follow-ups, training hours) against the actual per assignee over the plan's period, attainment, totals per team and plan, overdue steps"
  public static let usesPeriod = true

  static let fallbackMetrics = ["revenue", "new_customers", "follow_ups", "training_hours"]

  /// One target of one plan, with its result.
  struct Line {
    var plan: String
    /// The plan's period, as written (`2026-Q1`).
    var period: String
    var metric: String
    var target: ExactDecimal
    var assignee: String
    var team: String?
    /// True when the line counts the assignee's whole team (a lead's target in a team plan).
    var teamWide: Bool
    /// Nil when it cannot be known (new customers over a period that began before the
    /// history).
    var actual: ExactDecimal?
    var attainment: Cell { PlanReport.attainment(actual, target) }
  }

  public static func compute(_ context: ReportContext) throws -> Report {
    let w = context.language
    let period = context.period ?? Period.parse(String(context.today.description.prefix(7)))!
    let people = try PipelineStaff(context)
    let metrics = people.enumValues("plan", "targets.metric", fallback: fallbackMetrics)
    func metricLabel(_ metric: String) -> String { metrics.first(where: { $0.value == metric })?.label ?? metric }

    // The plans as they stood at the period's end; for a period that ended before the
    // history began, as the history's first commit has them (said in the notes).
    var planNotes = [w("as they stood at the end of \(period.end)", "按 \(period.end) 日终的计划内容")]
    var planUnknowns: [String] = []
    let planSet: RecordSet
    if context.isKnown(atEndOf: period.end) || context.commits.isEmpty {
      planSet = try context.records("plan", at: period.end)
    } else {
      planSet = try context.records("plan", atCommit: context.commits[0].id)
      planNotes = []
      planUnknowns.append(
        context.notKnown(w("how the plans stood at the end of \(period.end)", "\(period.end) 日终的计划内容"))
          + w("; they are shown as that commit has them", "；按该提交中的内容显示"))
    }
    var plans: [(id: String, value: EncodedValue, period: Period)] = []
    for id in planSet.ids {
      guard let value = planSet[id], let planPeriod = value.string("period").flatMap(Period.parse),
        planPeriod.start <= period.end, planPeriod.end >= period.start
      else { continue }
      plans.append((id, value, planPeriod))
    }
    let results = try PlanResults(context, people: people)

    var lines: [Line] = []
    for plan in plans {
      let scopeTeam = plan.value["scope"]?.string("team")
      for target in plan.value.items("targets") {
        guard let metric = target.string("metric"), let assignee = target.string("assignee") else { continue }
        let team = people.team(of: assignee)
        let teamWide = scopeTeam != nil && people.role(of: assignee) == "team_lead" && team == scopeTeam
        let members = teamWide ? Set(people.members(of: scopeTeam!)) : [assignee]
        // Who became a new customer before the history began is not known.
        let known = metric != "new_customers" || context.knowsChanges(from: plan.period.start)
        lines.append(
          Line(
            plan: plan.id, period: plan.period.label, metric: metric, target: target.decimal("target") ?? .zero,
            assignee: assignee, team: team, teamWide: teamWide,
            actual: known ? results.actual(metric, for: members, in: plan.period) : nil))
      }
    }
    lines = lines.filter { people.keeps($0.assignee) }

    var targets = ReportTable(columns: [
      .init("plan", w("Plan", "计划")), .init("metric", w("Metric", "指标")), .init("assignee", w("Assignee", "执行人")),
      .init("team", w("Team", "团队")), .init("counts", w("Counts", "计入范围")),
      .init("target", w("Target", "目标"), numeric: true),
      .init("actual", w("Actual", "实际"), numeric: true), .init("attainment", w("Attainment", "达成率"), numeric: true),
    ])
    for line in lines {
      targets.rows.append([
        .text(line.plan), .text(metricLabel(line.metric)),
        .text(people.name(line.assignee)), .text(line.team ?? ""),
        .text(line.teamWide ? w("whole team", "全团队") : w("own", "本人")),
        targetCell(line.metric, line.target), actualCell(line.metric, line.actual), line.attainment,
      ])
    }
    let several = Set(lines.map(\.plan)).count > 1
    // The chart draws the lines whose actual is known.
    let charted = lines.filter { $0.actual != nil }
    let chart: Chart? =
      charted.isEmpty
      ? nil
      : Chart(
        kind: .bars,
        labels: charted.map {
          (several ? "\($0.period) " : "") + "\(people.name($0.assignee)) · \(metricLabel($0.metric))"
        },
        series: [
          (
            w("attainment %", "达成率 %"),
            charted.map { line in line.actual.flatMap { PlanReport.ratio($0, line.target) }.map { $0 * 100 } ?? 0 }
          )
        ], reference: 100)
    var targetUnknowns: [String] = []
    let unknownPeriods = Set(lines.filter { $0.actual == nil }.map(\.period)).sorted()
    if !unknownPeriods.isEmpty {
      targetUnknowns.append(
        context.notKnown(
          w(
            "which customers became new customers in \(unknownPeriods.joined(separator: ", ")) before it",
            "在此之前 \(unknownPeriods.joined(separator: ", ")) 内哪些客户成为新成交客户"))
          + w(
            "; customers already in that commit are the starting state, never new customers",
            "；该提交中已有的客户为初始状态，不计为新成交客户"))
    }

    // Totals per team (a team-wide line stands for the team) and per plan.
    var totals = ReportTable(columns: [
      .init("plan", w("Plan", "计划")), .init("team", w("Team", "团队")), .init("metric", w("Metric", "指标")),
      .init("target", w("Target", "目标"), numeric: true), .init("actual", w("Actual", "实际"), numeric: true),
      .init("attainment", w("Attainment", "达成率"), numeric: true),
    ])
    for planID in plans.map(\.id) {
      let mine = lines.filter { $0.plan == planID }
      let teams = NaturalOrder.sorted(Set(mine.map { $0.team ?? "" }))
      var planTotals: [String: (ExactDecimal, ExactDecimal?)] = [:]
      for team in teams {
        for (metric, _) in metrics + extraMetrics(mine, metrics) {
          let group = mine.filter { ($0.team ?? "") == team && $0.metric == metric }
          guard !group.isEmpty else { continue }
          let counted = group.contains(where: \.teamWide) ? group.filter(\.teamWide) : group
          let target = sum(counted.map(\.target))
          let actual = sumIfKnown(counted.map(\.actual))
          let previous = planTotals[metric] ?? (.zero, .zero)
          planTotals[metric] = (sum([previous.0, target]), sumIfKnown([previous.1, actual]))
          totals.rows.append([
            .text(planID), .text(team.isEmpty ? w("(no team)", "（无团队）") : team), .text(metricLabel(metric)),
            targetCell(metric, target), actualCell(metric, actual), attainment(actual, target),
          ])
        }
      }
      guard teams.count > 1 else { continue }
      for (metric, _) in metrics + extraMetrics(mine, metrics) {
        guard let (target, actual) = planTotals[metric] else { continue }
        totals.rows.append([
          .text(planID), .text(w("(whole plan)", "（整个计划）")), .text(metricLabel(metric)),
          targetCell(metric, target), actualCell(metric, actual), attainment(actual, target),
        ])
      }
    }

    // Overdue steps.
    let cutoff = min(period.end, context.today)
    var steps = ReportTable(columns: [
      .init("plan", w("Plan", "计划")), .init("step", w("Step", "步骤")), .init("who", w("Who", "执行人")),
      .init("due", w("Due", "截止日期")),
      .init("status", w("Status", "状态")), .init("days_overdue", w("Days overdue", "逾期天数"), numeric: true),
    ])
    var overdue: [(due: CivilDate, plan: String, row: [Cell])] = []
    var overdueByPlan: [String: Int] = [:]
    for plan in plans {
      for step in plan.value.items("steps") {
        let status = step.string("status") ?? "todo"
        guard status != "done", status != "cancelled", let due = step.date("due"), due < cutoff,
          people.keeps(step.string("who"))
        else { continue }
        overdueByPlan[plan.id, default: 0] += 1
        overdue.append(
          (
            due, plan.id,
            [
              .text(plan.id), .text(step.string("what") ?? ""), .text(people.name(step.string("who"))), .date(due),
              .text(people.label("plan", "steps.status", status)), .int(cutoff.dayNumber - due.dayNumber),
            ]
          ))
      }
    }
    steps.rows = overdue.sorted { ($0.due, $0.plan) < ($1.due, $1.plan) }.map(\.row)

    // The plans themselves.
    var planTable = ReportTable(columns: [
      .init("plan", w("Plan", "计划")), .init("title", w("Title", "标题")), .init("kind", w("Kind", "类型")),
      .init("period", w("Period", "期间")),
      .init("owner", w("Owner", "负责人")), .init("scope", w("Scope", "范围")),
      .init("targets", w("Targets", "目标数"), numeric: true),
      .init("steps_overdue", w("Steps overdue", "逾期步骤"), numeric: true),
    ])
    for plan in plans {
      let shown = lines.filter { $0.plan == plan.id }.count
      guard shown > 0 || overdueByPlan[plan.id] != nil || (context.owner == nil && context.team == nil) else {
        continue
      }
      let scope = plan.value["scope"]
      let scopeText = scope?.string("team") ?? scope?.string("person").map { people.name($0) } ?? ""
      planTable.rows.append([
        .text(plan.id), .text(plan.value.string("title") ?? ""),
        .text(people.label("plan", "kind", plan.value.string("kind"))), .text(plan.period.label),
        .text(people.name(plan.value.string("owner"))), .text(scopeText), .int(shown),
        .int(overdueByPlan[plan.id] ?? 0),
      ])
    }

    return Report(
      name: name, title: w("Plans vs results", "计划 vs 实际") + " \(period.label)\(people.filterSuffix)",
      commit: context.commit.hex,
      commitDate: context.commitDate, scope: period.label,
      sections: [
        ReportSection(
          key: "plans", title: w("Plans", "计划"), table: planTable, notes: planNotes, unknowns: planUnknowns),
        ReportSection(
          key: "targets", title: w("Targets and results", "目标与实际"), table: targets, chart: chart,
          notes: [
            w(
              "actuals over each plan's own period: revenue from orders credited to the customer's owner on the order's day, new customers that became active, follow-ups by the assignee, training hours",
              "实际值按各计划自身的期间统计：销售额为订单金额，计入订单当日的客户负责人；新成交客户为转为成交客户的客户；跟进次数为执行人的跟进记录；以及培训时长"
            ),
            w(
              "a team lead's target in a team plan counts the whole team", "团队计划中组长的目标按全团队统计"),
          ], unknowns: targetUnknowns),
        ReportSection(
          key: "totals", title: w("Totals", "合计"), table: totals,
          notes: [
            w(
              "per team, a whole-team target stands for its members' own targets of the same metric",
              "按团队合计时，全团队目标代替其成员同一指标的个人目标")
          ],
          unknowns: targetUnknowns),
        ReportSection(
          key: "steps_overdue", title: w("Steps overdue", "逾期步骤"), table: steps,
          notes: [w("steps neither done nor cancelled, due before \(cutoff)", "截止日期早于 \(cutoff)、既未完成也未取消的步骤")]),
      ], language: context.language)
  }

  static func sum(_ values: [ExactDecimal]) -> ExactDecimal {
    values.reduce(ExactDecimal.zero) { $0.adding($1) ?? $0 }
  }

  /// The sum, or nil when any value is not known.
  static func sumIfKnown(_ values: [ExactDecimal?]) -> ExactDecimal? {
    values.contains(where: { $0 == nil }) ? nil : sum(values.compactMap { $0 })
  }

  static func ratio(_ actual: ExactDecimal, _ target: ExactDecimal) -> Double? {
    target == .zero ? nil : actual.doubleValue / target.doubleValue
  }

  /// Actual ÷ target: "–" for a zero target, unknown when the actual is.
  static func attainment(_ actual: ExactDecimal?, _ target: ExactDecimal) -> Cell {
    guard let actual else { return .unknown }
    return .percent(ratio(actual, target))
  }

  /// Counts as integers, money with two decimals, hours as they add up; unknown as such.
  static func actualCell(_ metric: String, _ value: ExactDecimal?) -> Cell {
    guard let value else { return .unknown }
    if metric == "new_customers" || metric == "follow_ups", value.fractionDigits == 0 {
      return .int(Int(value.doubleValue))
    }
    return .decimal(metric == "revenue" ? value.rounded(toDigits: 2) : value)
  }

  /// A target as written, money with two decimals.
  static func targetCell(_ metric: String, _ value: ExactDecimal) -> Cell {
    .decimal(metric == "revenue" ? value.rounded(toDigits: 2) : value)
  }

  /// Metrics the schema does not list but the plans use (kept after the known ones).
  static func extraMetrics(_ lines: [Line], _ known: [(value: String, label: String)]) -> [(
    value: String, label: String
  )] {
    var extra: [(value: String, label: String)] = []
    for line in lines where !known.contains(where: { $0.value == line.metric }) {
      if !extra.contains(where: { $0.value == line.metric }) { extra.append((line.metric, line.metric)) }
    }
    return extra
  }
}
