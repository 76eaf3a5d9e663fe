import Foundation
import TallySchema
import TallyTestSupport
import Testing

@testable import TallyReports

@Suite("Plan report")
struct PlanReportTests {
  typealias T = PipelineFixtureText

  static func d(_ text: String) -> Cell { .decimal(ExactDecimal(text)!) }

  /// 华东一组: lead 张伟 S-0003, reps 王芳 S-0004, 李强 S-0005 and 吴磊 S-0009 (who leaves on
  /// 2026-02-10); 华东二组: lead 周杰 S-0008, rep 孙丽 S-0007. Three plans overlap Q1
  /// (P-2026M01-01 with no actuals, P-2026M02-01 for training, P-2026Q1-01 for the team),
  /// P-2026Q2-01 does not.
  ///
  /// Orders and their owner on the order's day:
  ///
  ///     C-0101 王芳 throughout   2025-11-28 1000 (before), 2026-01-01 10000 (first day),
  ///                              2026-03-31 5000 (last day), 2026-04-01 7000 (day after)
  ///     C-0102 王芳, 李强 from 02-01   01-15 20000 (王芳, becomes active), 02-20 12000 (李强),
  ///                              01-25 1500 entered on 02-25 (王芳 owned it on 01-25)
  ///     C-0103 李强               03-01 6000 (becomes active from prospect)
  ///     C-0104 李强               2025-11-01 2000; active → dormant 01-10 → active 02-15, 4000
  ///     C-0105 吴磊, 王芳 from 02-10   01-20 8000 (吴磊), 02-12 3000 (王芳)
  ///     C-0106 孙丽 (华东二组)      added active on 01-08 with 9000
  static func history() throws -> ReportFixture {
    let f = try ReportFixture()
    var files = f.team()
    // The fixture's customer-service rep reports to the supervisor, which the staff schema
    // rejects (reps report to a team lead); these histories do without her.
    files.removeValue(forKey: "staff/S-0006.yaml")
    files["staff/S-0008.yaml"] = f.staff("S-0008", "周杰", role: "team_lead", team: "华东二组", reportsTo: "S-0002")
    files["staff/S-0007.yaml"] = f.staff("S-0007", "孙丽", role: "sales_rep", team: "华东二组", reportsTo: "S-0008")
    let wu = { (left: String?) in
      f.staff("S-0009", "吴磊", role: "sales_rep", team: "华东一组", reportsTo: "S-0003", joined: "2025-06-01", left: left)
    }
    files["staff/S-0009.yaml"] = wu(nil)
    files["customers/C-0104.yaml"] = T.customer(
      "丁公司", status: "active", owner: "S-0005", orders: [("2025-11-01", "2000.00")])
    try f.commit("2025-11-01", by: "S-0001", files)

    var c101Orders = [("2025-11-28", "1000.00")]
    var c101FollowUps: [(String, String, String, String?)] = []
    func c101() -> String {
      T.customer("甲公司", status: "active", owner: "S-0004", followUps: c101FollowUps, orders: c101Orders)
    }
    try f.commit(
      "2025-12-01", by: "S-0004",
      [
        "customers/C-0101.yaml": c101(),
        "customers/C-0102.yaml": T.customer("乙公司", status: "prospect", owner: "S-0004"),
        "customers/C-0105.yaml": T.customer(
          "戊公司", status: "active", owner: "S-0009", orders: [("2025-12-01", "500.00")]),
      ])
    let q1Steps: [(String, String, String, String, String?)] = [
      ("整理 A 类客户名单", "S-0003", "2026-01-15", "done", "2026-01-14"),
      ("季度中期复盘", "S-0003", "2026-02-15", "doing", nil),
      ("季度末冲刺", "S-0005", "2026-03-31", "todo", nil),
      ("取消的活动", "S-0004", "2026-01-20", "cancelled", nil),
      ("推动签约", "S-0004", "2026-03-01", "todo", nil),
    ]
    func q1(wuTarget: String, steps: [(String, String, String, String, String?)]) -> String {
      T.plan(
        "华东一组一季度销售计划", kind: "sales", period: "2026-Q1", owner: "S-0003", team: "华东一组",
        targets: [
          ("revenue", "50000", "S-0004"), ("revenue", "30000", "S-0005"), ("revenue", wuTarget, "S-0009"),
          ("revenue", "10000", "S-0007"), ("new_customers", "3", "S-0003"), ("new_customers", "1", "S-0004"),
          ("follow_ups", "10", "S-0004"),
        ], steps: steps)
    }
    try f.commit(
      "2025-12-20", by: "S-0003",
      [
        "plans/P-2026M01-01.yaml": T.plan(
          "一月拓展计划", kind: "expansion", period: "2026-01", owner: "S-0003", person: "S-0005",
          targets: [("new_customers", "2", "S-0005"), ("revenue", "10000", "S-0005")]),
        "plans/P-2026M02-01.yaml": T.plan(
          "二月培训计划", kind: "training", period: "2026-02", owner: "S-0003", person: "S-0005",
          targets: [("training_hours", "8", "S-0005"), ("follow_ups", "0", "S-0005")]),
        "plans/P-2026Q1-01.yaml": q1(wuTarget: "20000", steps: q1Steps),
      ])
    c101Orders.append(("2026-01-01", "10000.00"))
    c101FollowUps.append(("2025-12-31", "S-0004", "phone", nil))
    try f.commit("2026-01-01", by: "S-0004", ["customers/C-0101.yaml": c101()])
    try f.commit(
      "2026-01-05", by: "S-0005", ["customers/C-0103.yaml": T.customer("丙公司", status: "lead", owner: "S-0005")])
    try f.commit(
      "2026-01-08", by: "S-0007",
      [
        "customers/C-0106.yaml": T.customer(
          "己公司", status: "active", owner: "S-0007", orders: [("2026-01-08", "9000.00")])
      ])
    try f.commit(
      "2026-01-10", by: "S-0005",
      [
        "customers/C-0104.yaml": T.customer(
          "丁公司", status: "dormant", owner: "S-0005", orders: [("2025-11-01", "2000.00")])
      ])
    var c102Orders = [("2026-01-15", "20000.00")]
    var c102FollowUps: [(String, String, String, String?)] = []
    var c102Owner = "S-0004"
    func c102() -> String {
      T.customer("乙公司", status: "active", owner: c102Owner, followUps: c102FollowUps, orders: c102Orders)
    }
    try f.commit("2026-01-15", by: "S-0004", ["customers/C-0102.yaml": c102()])
    var c105Orders = [("2025-12-01", "500.00"), ("2026-01-20", "8000.00")]
    try f.commit(
      "2026-01-20", by: "S-0009",
      ["customers/C-0105.yaml": T.customer("戊公司", status: "active", owner: "S-0009", orders: c105Orders)])
    c102Owner = "S-0005"
    try f.commit("2026-02-01", by: "S-0003", ["customers/C-0102.yaml": c102()])
    c102FollowUps.append(("2026-02-05", "S-0005", "phone", nil))
    try f.commit(
      "2026-02-05", by: "S-0005",
      [
        "customers/C-0102.yaml": c102(),
        "customers/C-0103.yaml": T.customer("丙公司", status: "prospect", owner: "S-0005"),
      ])
    c101FollowUps += [("2026-01-05", "S-0004", "phone", nil), ("2026-02-10", "S-0004", "wechat", nil)]
    try f.commit(
      "2026-02-10", by: "S-0003",
      [
        "staff/S-0009.yaml": wu("2026-02-10"),
        "customers/C-0105.yaml": T.customer("戊公司", status: "active", owner: "S-0004", orders: c105Orders),
        "customers/C-0101.yaml": c101(),
      ])
    c105Orders.append(("2026-02-12", "3000.00"))
    try f.commit(
      "2026-02-12", by: "S-0004",
      ["customers/C-0105.yaml": T.customer("戊公司", status: "active", owner: "S-0004", orders: c105Orders)])
    try f.commit(
      "2026-02-15", by: "S-0005",
      [
        "customers/C-0104.yaml": T.customer(
          "丁公司", status: "active", owner: "S-0005", orders: [("2025-11-01", "2000.00"), ("2026-02-15", "4000.00")])
      ])
    c102Orders.append(("2026-02-20", "12000.00"))
    try f.commit("2026-02-20", by: "S-0005", ["customers/C-0102.yaml": c102()])
    c102Orders.append(("2026-01-25", "1500.00"))
    try f.commit("2026-02-25", by: "S-0005", ["customers/C-0102.yaml": c102()])
    try f.commit(
      "2026-03-01", by: "S-0005",
      [
        "customers/C-0103.yaml": T.customer(
          "丙公司", status: "active", owner: "S-0005", orders: [("2026-03-01", "6000.00")])
      ])
    try f.commit(
      "2026-03-05", by: "S-0003",
      [
        "staff/S-0005.yaml": f.staff("S-0005", "李强", role: "sales_rep", team: "华东一组", reportsTo: "S-0003")
          + T.trainings([("2026-01-31", "1"), ("2026-02-03", "3.5"), ("2026-02-28", "2"), ("2026-03-01", "4")])
      ])
    try f.commit(
      "2026-03-25", by: "S-0003",
      [
        "plans/P-2026Q2-01.yaml": T.plan(
          "二季度计划", kind: "sales", period: "2026-Q2", owner: "S-0003", team: "华东一组",
          targets: [("revenue", "90000", "S-0004")])
      ])
    c101Orders.append(("2026-03-31", "5000.00"))
    c101FollowUps.append(("2026-03-31", "S-0004", "phone", nil))
    try f.commit("2026-03-31", by: "S-0004", ["customers/C-0101.yaml": c101()])
    c101Orders.append(("2026-04-01", "7000.00"))
    c101FollowUps.append(("2026-04-01", "S-0004", "phone", nil))
    try f.commit("2026-04-01", by: "S-0004", ["customers/C-0101.yaml": c101()])
    // After the period: a step is done and 吴磊's target raised; Q1 reads the plan as it
    // stood on 2026-03-31.
    var laterSteps = q1Steps
    laterSteps[4] = ("推动签约", "S-0004", "2026-03-01", "done", "2026-04-03")
    try f.commit("2026-04-03", by: "S-0003", ["plans/P-2026Q1-01.yaml": q1(wuTarget: "25000", steps: laterSteps)])
    try f.expectValid()
    return f
  }

  @Test func targetsAgainstActuals() throws {
    let f = try Self.history()
    let report = try PlanReport.compute(f.context(period: "2026-Q1"))
    #expect(report.title == "Plans vs results 2026-Q1")
    // Revenue in Q1, credited to the owner on the order's day:
    //   王芳 = C-0101 10000 + 5000 (both boundary days in, 2025-11-28 and 04-01 out)
    //        + C-0102 20000 + 1500 (entered late, while 李强 owned it) + C-0105 3000 = 39500
    //   李强 = C-0102 12000 + C-0103 6000 + C-0104 4000 = 22000
    //   吴磊 = C-0105 8000 (before he left); 孙丽 = C-0106 9000
    // New customers in Q1: C-0102 (王芳, 01-15) and C-0103 (李强, 03-01); C-0104 coming back
    //   from dormant is not new; C-0106 is 华东二组's. 张伟's team-wide target: 2 of 3; 王芳: 1.
    // Follow-ups by 王芳 in Q1: 01-05, 02-10, 03-31 = 3 (12-31 and 04-01 out).
    // January (P-2026M01-01): 李强 has no order credited and no new customer: 0 and 0%.
    // February (P-2026M02-01): 李强's training 3.5 + 2 (02-28) = 5.5 of 8 = 68.75%; one
    //   follow-up (02-05) against a target of 0: no attainment.
    func row(
      _ plan: String, _ metric: String, _ who: String, _ team: String, _ counts: String, _ target: String,
      _ actual: Cell, _ attainment: Double?
    ) -> [Cell] {
      [
        .text(plan), .text(metric), .text(who), .text(team), .text(counts), Self.d(target), actual,
        .percent(attainment),
      ]
    }
    #expect(
      try report.rows("targets") == [
        row("P-2026M01-01", "新成交客户数", "李强", "华东一组", "own", "2", .int(0), 0),
        row("P-2026M01-01", "销售额", "李强", "华东一组", "own", "10000", Self.d("0"), 0),
        row("P-2026M02-01", "培训时长", "李强", "华东一组", "own", "8", Self.d("5.5"), 5.5 / 8),
        row("P-2026M02-01", "跟进次数", "李强", "华东一组", "own", "0", .int(1), nil),
        row("P-2026Q1-01", "销售额", "王芳", "华东一组", "own", "50000", Self.d("39500.00"), 39500.0 / 50000),
        row("P-2026Q1-01", "销售额", "李强", "华东一组", "own", "30000", Self.d("22000.00"), 22000.0 / 30000),
        row("P-2026Q1-01", "销售额", "吴磊", "华东一组", "own", "20000", Self.d("8000.00"), 8000.0 / 20000),
        row("P-2026Q1-01", "销售额", "孙丽", "华东二组", "own", "10000", Self.d("9000.00"), 9000.0 / 10000),
        row("P-2026Q1-01", "新成交客户数", "张伟", "华东一组", "whole team", "3", .int(2), 2.0 / 3),
        row("P-2026Q1-01", "新成交客户数", "王芳", "华东一组", "own", "1", .int(1), 1),
        row("P-2026Q1-01", "跟进次数", "王芳", "华东一组", "own", "10", .int(3), 0.3),
      ])
    #expect(try report.rows("targets")[8].last?.text == "66.7%")
    let chart = try #require(try report.section("targets").chart)
    #expect(chart.kind == .bars)
    #expect(chart.reference == 100)
    // Several plans: each bar names its plan's period, short enough for the chart's margin.
    #expect(chart.labels[0] == "2026-01 李强 · 新成交客户数")
    #expect(chart.labels[4] == "2026-Q1 王芳 · 销售额")
    #expect(chart.series.count == 1)
    #expect(chart.series[0].values[3] == 0)  // no attainment without a target
    #expect(chart.series[0].values[10] == 3.0 / 10 * 100)
  }

  @Test func totalsPerTeamAndPlan() throws {
    let f = try Self.history()
    let report = try PlanReport.compute(f.context(period: "2026-Q1"))
    // Q1, 华东一组: revenue 50000 + 30000 + 20000 = 100000 against 39500 + 22000 + 8000 =
    // 69500; new customers: 张伟's whole-team line (3, 2) stands for 王芳's own (1, 1);
    // follow-ups 10, 3. 华东二组: revenue 10000, 9000. Whole plan: revenue 110000, 78500.
    func row(_ plan: String, _ team: String, _ metric: String, _ target: String, _ actual: Cell, _ ratio: Double?)
      -> [Cell]
    {
      [.text(plan), .text(team), .text(metric), Self.d(target), actual, .percent(ratio)]
    }
    #expect(
      try report.rows("totals") == [
        row("P-2026M01-01", "华东一组", "销售额", "10000", Self.d("0"), 0),
        row("P-2026M01-01", "华东一组", "新成交客户数", "2", .int(0), 0),
        row("P-2026M02-01", "华东一组", "跟进次数", "0", .int(1), nil),
        row("P-2026M02-01", "华东一组", "培训时长", "8", Self.d("5.5"), 5.5 / 8),
        row("P-2026Q1-01", "华东一组", "销售额", "100000", Self.d("69500"), 69500.0 / 100000),
        row("P-2026Q1-01", "华东一组", "新成交客户数", "3", .int(2), 2.0 / 3),
        row("P-2026Q1-01", "华东一组", "跟进次数", "10", .int(3), 0.3),
        row("P-2026Q1-01", "华东二组", "销售额", "10000", Self.d("9000"), 0.9),
        row("P-2026Q1-01", "(whole plan)", "销售额", "110000", Self.d("78500"), 78500.0 / 110000),
        row("P-2026Q1-01", "(whole plan)", "新成交客户数", "3", .int(2), 2.0 / 3),
        row("P-2026Q1-01", "(whole plan)", "跟进次数", "10", .int(3), 0.3),
      ])
    #expect(
      try report.rows("plans") == [
        [
          .text("P-2026M01-01"), .text("一月拓展计划"), .text("客户拓展计划"), .text("2026-01"), .text("张伟"), .text("李强"),
          .int(2), .int(0),
        ],
        [
          .text("P-2026M02-01"), .text("二月培训计划"), .text("培训计划"), .text("2026-02"), .text("张伟"), .text("李强"), .int(2),
          .int(0),
        ],
        [
          .text("P-2026Q1-01"), .text("华东一组一季度销售计划"), .text("销售计划"), .text("2026-Q1"), .text("张伟"), .text("华东一组"),
          .int(7), .int(2),
        ],
      ])
  }

  @Test func overdueSteps() throws {
    let f = try Self.history()
    // As of the period's end (today is later): 季度中期复盘 (doing, due 02-15) is 13 + 1 + 30
    // = 44 days late; 推动签约 (todo on 03-31, done only on 04-03) 30 days. Done, cancelled
    // and due-on-the-last-day steps are not overdue.
    let report = try PlanReport.compute(f.context(period: "2026-Q1"))
    #expect(
      try report.rows("steps_overdue") == [
        [.text("P-2026Q1-01"), .text("季度中期复盘"), .text("张伟"), .date(CivilDate("2026-02-15")!), .text("进行中"), .int(44)],
        [.text("P-2026Q1-01"), .text("推动签约"), .text("王芳"), .date(CivilDate("2026-03-01")!), .text("未开始"), .int(30)],
      ])
    // Today 2026-02-20, inside the period: only the 02-15 step, 5 days late.
    let early = try PlanReport.compute(f.context(period: "2026-Q1", today: "2026-02-20"))
    #expect(try early.rows("steps_overdue").map { [$0[1], $0[5]] } == [[.text("季度中期复盘"), .int(5)]])
  }

  @Test func filters() throws {
    let f = try Self.history()
    let teamContext = try f.context(period: "2026-Q1")
    teamContext.team = "华东二组"
    let team = try PlanReport.compute(teamContext)
    #expect(try team.rows("targets").map { [$0[2], $0[6]] } == [[.text("孙丽"), Self.d("9000")]])
    #expect(try team.rows("totals").map { $0[1] } == [.text("华东二组")])
    #expect(try team.rows("plans").map { $0[0] } == [.text("P-2026Q1-01")])
    #expect(try team.rows("steps_overdue").isEmpty)

    // The rep who left still has his line, with what he sold before leaving.
    let ownerContext = try f.context(period: "2026-Q1")
    ownerContext.owner = "S-0009"
    let owner = try PlanReport.compute(ownerContext)
    #expect(
      try owner.rows("targets").map { [$0[2], $0[5], $0[6], $0[7]] } == [
        [.text("吴磊"), Self.d("20000"), Self.d("8000"), .percent(0.4)]
      ])
  }

  @Test func emptyPeriod() throws {
    let f = try Self.history()
    let report = try PlanReport.compute(f.context(period: "2025-06"))
    for section in report.sections { #expect(section.table.rows.isEmpty, "\(section.key)") }
    #expect(try report.section("targets").chart == nil)
    // How the plans stood then is not known: they are read from the first commit, and the
    // section says so.
    #expect(try report.section("plans").notes == [])
    #expect(
      try report.section("plans").unknowns == [
        "the history begins on 2025-11-01 (its first commit is the starting state): how the plans stood at the end of 2025-06-30 is not known; they are shown as that commit has them"
      ])
    for format in ReportFormat.allCases { #expect(!ReportRenderer.render(report, as: format).isEmpty) }
  }

  @Test func isListed() {
    #expect(Reports.named("plan") != nil)
  }

  @Test func goldenRenderings() throws {
    let f = try Self.history()
    var report = try PlanReport.compute(f.context(period: "2026-Q1"))
    report.commit = "0123456789abcdef0123456789abcdef01234567"
    let directory = Golden.directory() + "/Golden/plan/"
    Golden.check(ReportRenderer.table(report, width: 100), against: directory + "plan-2026-Q1.txt")
    Golden.check(ReportRenderer.csv(report), against: directory + "plan-2026-Q1.csv")
    Golden.check(ReportRenderer.markdown(report), against: directory + "plan-2026-Q1.md")
    Golden.check(HTMLRenderer.page(report), against: directory + "plan-2026-Q1.html")
    Golden.check(String(decoding: ReportRenderer.json(report), as: UTF8.self), against: directory + "plan-2026-Q1.json")
  }
}
