import TallySchema
import Testing

@testable import TallyReports

/// Record texts for the pipeline, plan and call-back tests, as `tally fmt` prints them.
enum PipelineFixtureText {
  /// A customer. `followUps`: (date, by, channel, next contact); `orders`: (date, amount);
  /// `complaints`: (date, severity, resolved on).
  static func customer(
    _ name: String, status: String, owner: String, tier: String = "B", churnReason: String? = nil,
    followUps: [(String, String, String, String?)] = [], orders: [(String, String)] = [],
    complaints: [(String, String, String?)] = []
  ) -> String {
    var text = "name: \(name)\nindustry: retail\ntier: \(tier)\nstatus: \(status)\n"
    if let churnReason { text += "churn_reason: \(churnReason)\n" }
    text += "owner: \(owner)\n"
    if !followUps.isEmpty {
      text += "follow_ups:\n"
      for (date, by, channel, next) in followUps {
        text += "  - date: \(date)\n    by: \(by)\n    channel: \(channel)\n    summary: 电话沟通需求\n"
        if let next { text += "    next_contact: \(next)\n" }
      }
    }
    if !orders.isEmpty {
      text += "orders:\n"
      for (date, amount) in orders { text += "  - date: \(date)\n    product: 云呼叫中心\n    amount: \(amount)\n" }
    }
    if !complaints.isEmpty {
      text += "complaints:\n"
      for (date, severity, resolved) in complaints {
        text += "  - date: \(date)\n    summary: 系统故障\n    severity: \(severity)\n"
        if let resolved { text += "    resolved_on: \(resolved)\n" }
      }
    }
    return text
  }

  /// A plan. `targets`: (metric, target, assignee); `steps`: (what, who, due, status, done on).
  static func plan(
    _ title: String, kind: String, period: String, owner: String, team: String? = nil, person: String? = nil,
    targets: [(String, String, String)], steps: [(String, String, String, String, String?)] = []
  ) -> String {
    var text = "title: \(title)\nkind: \(kind)\nperiod: \(period)\nowner: \(owner)\nscope:\n"
    if let team { text += "  team: \(team)\n" }
    if let person { text += "  person: \(person)\n" }
    text += "targets:\n"
    for (metric, target, assignee) in targets {
      text += "  - metric: \(metric)\n    target: \(target)\n    assignee: \(assignee)\n"
    }
    if !steps.isEmpty {
      text += "steps:\n"
      for (what, who, due, status, doneOn) in steps {
        text += "  - what: \(what)\n    who: \(who)\n    due: \(due)\n    status: \(status)\n"
        if let doneOn { text += "    done_on: \(doneOn)\n" }
      }
    }
    return text
  }

  /// Training records to append to a staff text: (date, hours).
  static func trainings(_ items: [(String, String)]) -> String {
    "trainings:\n" + items.map { "  - date: \($0.0)\n    topic: 产品知识\n    hours: \($0.1)\n" }.joined()
  }
}

extension Report {
  /// The rows of a section, which must exist.
  func rows(_ key: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [[Cell]] {
    try #require(sections.first { $0.key == key }, sourceLocation: sourceLocation).table.rows
  }

  func section(_ key: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> ReportSection {
    try #require(sections.first { $0.key == key }, sourceLocation: sourceLocation)
  }
}

@Suite("Pipeline report")
struct PipelineReportTests {
  typealias T = PipelineFixtureText

  /// Two teams: 华东一组 (lead 张伟 S-0003, reps 王芳 S-0004 and 李强 S-0005) and 华东二组
  /// (lead 周杰 S-0008, rep 孙丽 S-0007). Eight customers, committed one change a day:
  ///
  ///     2025-10-01  C-0004 added prospect (孙丽)
  ///     2025-11-01  C-0002 added active (王芳)
  ///     2025-12-01  C-0001 added lead (王芳)
  ///     2025-12-05  C-0008 added lead (李强)
  ///     2025-12-10  C-0007 added prospect (孙丽)
  ///     2025-12-15  C-0005 added lead (孙丽)
  ///     2025-12-20  C-0006 added prospect (王芳)
  ///     2025-12-28  C-0007 prospect → churned (转用竞品)
  ///     2026-01-10  C-0001 lead → prospect
  ///     2026-01-20  C-0002 active → dormant
  ///     2026-01-25  C-0006 prospect → lead
  ///     2026-02-01  C-0003 added lead (李强)
  ///     2026-02-15  C-0001 moves from 王芳 to 李强 (no status change)
  ///     2026-02-20  C-0004 prospect → churned (价格太高)
  ///     2026-03-05  C-0001 prospect → active (李强)
  ///     2026-03-10  C-0002 dormant → active (back again)
  ///     2026-03-15  C-0008 removed
  ///     2026-03-20  C-0007 churned → lead (a win-back)
  ///     2026-04-02  C-0005 lead → prospect (after Q1)
  static func history() throws -> ReportFixture {
    let f = try ReportFixture()
    var staff = f.team()
    // The fixture's customer-service rep reports to the supervisor, which the staff schema
    // rejects (reps report to a team lead); these histories do without her.
    staff.removeValue(forKey: "staff/S-0006.yaml")
    staff["staff/S-0008.yaml"] = f.staff("S-0008", "周杰", role: "team_lead", team: "华东二组", reportsTo: "S-0002")
    staff["staff/S-0007.yaml"] = f.staff("S-0007", "孙丽", role: "sales_rep", team: "华东二组", reportsTo: "S-0008")
    staff["customers/C-0004.yaml"] = T.customer("丁公司", status: "prospect", owner: "S-0007")
    try f.commit("2025-10-01", by: "S-0001", staff)
    try f.commit(
      "2025-11-01", by: "S-0004",
      ["customers/C-0002.yaml": T.customer("乙公司", status: "active", owner: "S-0004", orders: [("2025-10-30", "5000")])])
    try f.commit(
      "2025-12-01", by: "S-0004", ["customers/C-0001.yaml": T.customer("甲公司", status: "lead", owner: "S-0004")])
    try f.commit(
      "2025-12-05", by: "S-0005", ["customers/C-0008.yaml": T.customer("辛公司", status: "lead", owner: "S-0005")])
    try f.commit(
      "2025-12-10", by: "S-0007", ["customers/C-0007.yaml": T.customer("庚公司", status: "prospect", owner: "S-0007")])
    try f.commit(
      "2025-12-15", by: "S-0007", ["customers/C-0005.yaml": T.customer("戊公司", status: "lead", owner: "S-0007")])
    try f.commit(
      "2025-12-20", by: "S-0004", ["customers/C-0006.yaml": T.customer("己公司", status: "prospect", owner: "S-0004")])
    try f.commit(
      "2025-12-28", by: "S-0007",
      ["customers/C-0007.yaml": T.customer("庚公司", status: "churned", owner: "S-0007", churnReason: "转用竞品")])
    try f.commit(
      "2026-01-10", by: "S-0004", ["customers/C-0001.yaml": T.customer("甲公司", status: "prospect", owner: "S-0004")])
    try f.commit(
      "2026-01-20", by: "S-0004",
      ["customers/C-0002.yaml": T.customer("乙公司", status: "dormant", owner: "S-0004", orders: [("2025-10-30", "5000")])]
    )
    try f.commit(
      "2026-01-25", by: "S-0004", ["customers/C-0006.yaml": T.customer("己公司", status: "lead", owner: "S-0004")])
    try f.commit(
      "2026-02-01", by: "S-0005", ["customers/C-0003.yaml": T.customer("丙公司", status: "lead", owner: "S-0005")])
    try f.commit(
      "2026-02-15", by: "S-0003", ["customers/C-0001.yaml": T.customer("甲公司", status: "prospect", owner: "S-0005")])
    try f.commit(
      "2026-02-20", by: "S-0007",
      ["customers/C-0004.yaml": T.customer("丁公司", status: "churned", owner: "S-0007", churnReason: "价格太高")])
    try f.commit(
      "2026-03-05", by: "S-0005",
      ["customers/C-0001.yaml": T.customer("甲公司", status: "active", owner: "S-0005", orders: [("2026-03-05", "8000")])])
    try f.commit(
      "2026-03-10", by: "S-0004",
      [
        "customers/C-0002.yaml": T.customer(
          "乙公司", status: "active", owner: "S-0004", orders: [("2025-10-30", "5000"), ("2026-03-10", "3000")])
      ])
    try f.commit("2026-03-15", by: "S-0005", ["customers/C-0008.yaml": nil])
    try f.commit(
      "2026-03-20", by: "S-0007", ["customers/C-0007.yaml": T.customer("庚公司", status: "lead", owner: "S-0007")])
    try f.commit(
      "2026-04-02", by: "S-0007", ["customers/C-0005.yaml": T.customer("戊公司", status: "prospect", owner: "S-0007")])
    try f.expectValid()
    return f
  }

  @Test func statusCountsAtStartAndEnd() throws {
    let f = try Self.history()
    let report = try PipelineReport.compute(f.context(period: "2026-Q1"))
    #expect(report.name == "pipeline")
    #expect(report.title == "Pipeline 2026-Q1")
    // End of 2025-12-31: lead C-0001 C-0005 C-0008 = 3; prospect C-0004 C-0006 = 2;
    // active C-0002 = 1; churned C-0007 = 1; 7 in all.
    // End of 2026-03-31 (C-0008 removed, C-0003 added): lead C-0003 C-0005 C-0006 C-0007 = 4;
    // prospect none (C-0005 moves on 04-02, after the period); active C-0001 C-0002 = 2;
    // churned C-0004 = 1; 7 in all.
    #expect(
      try report.rows("by_status") == [
        [.text("lead"), .text("线索"), .int(3), .int(4), .int(1)],
        [.text("prospect"), .text("意向客户"), .int(2), .int(0), .int(-2)],
        [.text("active"), .text("成交客户"), .int(1), .int(2), .int(1)],
        [.text("dormant"), .text("沉睡客户"), .int(0), .int(0), .int(0)],
        [.text("churned"), .text("流失客户"), .int(1), .int(1), .int(0)],
        [.text("total"), .text("合计"), .int(7), .int(7), .int(0)],
      ])
    // End of January: lead C-0005 C-0006 C-0008; prospect C-0001 C-0004; dormant C-0002;
    // churned C-0007. End of February: + C-0003 lead, C-0004 churned.
    #expect(
      try report.rows("by_month") == [
        [.text("2026-01"), .int(3), .int(2), .int(0), .int(1), .int(1)],
        [.text("2026-02"), .int(4), .int(1), .int(0), .int(1), .int(2)],
        [.text("2026-03"), .int(4), .int(0), .int(2), .int(0), .int(1)],
      ])
    let chart = try #require(try report.section("by_month").chart)
    #expect(chart.kind == .lines)
    #expect(chart.labels == ["2026-01", "2026-02", "2026-03"])
    #expect(chart.series.map(\.name) == ["线索", "意向客户", "成交客户", "沉睡客户", "流失客户"])
    #expect(chart.series[0].values == [3, 4, 4])
    #expect(chart.series[4].values == [1, 2, 1])
  }

  @Test func everyTransitionFromHistory() throws {
    let f = try Self.history()
    let report = try PipelineReport.compute(f.context(period: "2026-Q1"))
    // Nine status changes in Q1; the owner change of C-0001 on 02-15 is not one, and the
    // conversion of C-0001 on 03-05 belongs to 李强, who owned it by then.
    func row(
      _ day: String, _ id: String, _ name: String, _ from: String, _ to: String, _ owner: String,
      _ team: String, _ reason: String = ""
    ) -> [Cell] {
      [
        .date(CivilDate(day)!), .text(id), .text(name), .text(from), .text(to), .text(owner), .text(team),
        .text(reason),
      ]
    }
    #expect(
      try report.rows("transitions") == [
        row("2026-01-10", "C-0001", "甲公司", "线索", "意向客户", "王芳", "华东一组"),
        row("2026-01-20", "C-0002", "乙公司", "成交客户", "沉睡客户", "王芳", "华东一组"),
        row("2026-01-25", "C-0006", "己公司", "意向客户", "线索", "王芳", "华东一组"),
        row("2026-02-01", "C-0003", "丙公司", "(new)", "线索", "李强", "华东一组"),
        row("2026-02-20", "C-0004", "丁公司", "意向客户", "流失客户", "孙丽", "华东二组", "价格太高"),
        row("2026-03-05", "C-0001", "甲公司", "意向客户", "成交客户", "李强", "华东一组"),
        row("2026-03-10", "C-0002", "乙公司", "沉睡客户", "成交客户", "王芳", "华东一组"),
        row("2026-03-15", "C-0008", "辛公司", "线索", "(removed)", "李强", "华东一组"),
        row("2026-03-20", "C-0007", "庚公司", "流失客户", "线索", "孙丽", "华东二组"),
      ])
    #expect(
      try report.rows("win_backs") == [
        [.date(CivilDate("2026-03-10")!), .text("C-0002"), .text("乙公司"), .text("沉睡客户"), .text("成交客户"), .text("王芳")],
        [.date(CivilDate("2026-03-20")!), .text("C-0007"), .text("庚公司"), .text("流失客户"), .text("线索"), .text("孙丽")],
      ])
    #expect(
      try report.rows("churn") == [
        [.date(CivilDate("2026-02-20")!), .text("C-0004"), .text("丁公司"), .text("意向客户"), .text("孙丽"), .text("价格太高")]
      ])
    #expect(try report.section("churn").notes == ["reasons: 价格太高 ×1"])
  }

  @Test func conversionRates() throws {
    let f = try Self.history()
    let report = try PipelineReport.compute(f.context(period: "2026-Q1"))
    // lead → prospect. Base: in lead at the start C-0001, C-0005, C-0008; entering lead in
    // Q1 C-0006 (01-25), C-0003 (added 02-01), C-0007 (03-20): 6. Converted in Q1: C-0001
    // (01-10); C-0005 converts on 04-02, too late. 1 / 6.
    // prospect → active. Base: in prospect at the start C-0004, C-0006; entering C-0001
    // (01-10): 3. Converted: C-0001 (03-05). 1 / 3.
    #expect(
      try report.rows("conversion") == [
        [.text("线索 → 意向客户"), .int(6), .int(1), .percent(1.0 / 6.0)],
        [.text("意向客户 → 成交客户"), .int(3), .int(1), .percent(1.0 / 3.0)],
      ])
  }

  @Test func daysInStage() throws {
    let f = try Self.history()
    let report = try PipelineReport.compute(f.context(period: "2026-Q1"))
    // Stints ended by a status change in Q1 (the removal of C-0008 ends none):
    //   lead:     C-0001 2025-12-01 → 01-10 = 30 + 10 = 40
    //   prospect: C-0006 12-20 → 01-25 = 12 + 24 = 36; C-0001 01-10 → 03-05 = 22 + 28 + 4 = 54
    //             (the owner change does not restart it) → 2 stints, 90 / 2 = 45.0;
    //             C-0004 was a prospect in the history's first commit (10-01): when its stint
    //             began is not known, so its change on 02-20 is left out, and said so
    //   active:   C-0002 11-01 → 01-20 = 30 + 31 + 19 = 80
    //   dormant:  C-0002 01-20 → 03-10 = 12 + 28 + 9 = 49
    //   churned:  C-0007 12-28 → 03-20 = 4 + 31 + 28 + 19 = 82
    func d(_ text: String) -> Cell { .decimal(ExactDecimal(text)!) }
    #expect(
      try report.rows("stage_time") == [
        [.text("线索"), .int(1), d("40.0"), .int(40), .int(40)],
        [.text("意向客户"), .int(2), d("45.0"), .int(36), .int(54)],
        [.text("成交客户"), .int(1), d("80.0"), .int(80), .int(80)],
        [.text("沉睡客户"), .int(1), d("49.0"), .int(49), .int(49)],
        [.text("流失客户"), .int(1), d("82.0"), .int(82), .int(82)],
      ])
    #expect(
      try report.section("stage_time").unknowns == [
        "the history begins on 2025-10-01 (its first commit is the starting state): when 1 of the stints that ended in 2026-Q1 began is not known: they began before the history and are left out"
      ])
  }

  @Test func byOwnerAndTeam() throws {
    let f = try Self.history()
    let report = try PipelineReport.compute(f.context(period: "2026-Q1"))
    // Columns: at end, added, to prospect, new active, to dormant, win-backs, churned,
    // lead → prospect, prospect → active.
    // 王芳: owns C-0002, C-0006 at the end; C-0001 → prospect; C-0002 → dormant and back
    //   (a win-back, not a new customer). Lead base: C-0001 (converted), C-0006 → 1/2.
    //   Prospect base: C-0006 (left prospect for lead under 王芳) → 0/1.
    // 李强: owns C-0001, C-0003; added C-0003; C-0001 became active under him. Lead base:
    //   C-0008 (removed as his), C-0003 → 0/2. Prospect base: C-0001, converted by him after
    //   the move → 1/1.
    // 孙丽: owns C-0004, C-0005, C-0007; C-0007 churned → lead is a win-back; C-0004 churned.
    //   Lead base: C-0005, C-0007 → 0/2. Prospect base: C-0004 → 0/1.
    #expect(
      try report.rows("by_owner") == [
        [
          .text("王芳"), .text("华东一组"), .int(2), .int(0), .int(1), .int(0), .int(1), .int(1), .int(0), .percent(0.5),
          .percent(0),
        ],
        [
          .text("李强"), .text("华东一组"), .int(2), .int(1), .int(0), .int(1), .int(0), .int(0), .int(0), .percent(0),
          .percent(1),
        ],
        [
          .text("孙丽"), .text("华东二组"), .int(3), .int(0), .int(0), .int(0), .int(0), .int(1), .int(1), .percent(0),
          .percent(0),
        ],
      ])
    // 华东一组 = 王芳 + 李强: lead 1/4, prospect 1/2.
    #expect(
      try report.rows("by_team") == [
        [.text("华东一组"), .int(4), .int(1), .int(1), .int(1), .int(1), .int(1), .int(0), .percent(0.25), .percent(0.5)],
        [.text("华东二组"), .int(3), .int(0), .int(0), .int(0), .int(0), .int(1), .int(1), .percent(0), .percent(0)],
      ])
  }

  @Test func filtersByTeamAndOwner() throws {
    let f = try Self.history()
    let context = try f.context(period: "2026-Q1")
    context.team = "华东二组"
    let team = try PipelineReport.compute(context)
    #expect(team.title == "Pipeline 2026-Q1 (华东二组)")
    // 孙丽's customers: at the start C-0004 prospect, C-0005 lead, C-0007 churned; at the end
    // C-0004 churned, C-0005 lead, C-0007 lead.
    #expect(
      try team.rows("by_status").map { [$0[2], $0[3]] } == [
        [.int(1), .int(2)], [.int(1), .int(0)], [.int(0), .int(0)], [.int(0), .int(0)], [.int(1), .int(1)],
        [.int(3), .int(3)],
      ])
    #expect(try team.rows("transitions").map { $0[1] } == [.text("C-0004"), .text("C-0007")])
    #expect(try team.rows("by_owner").map { $0[0] } == [.text("孙丽")])

    let mine = try f.context(period: "2026-Q1")
    mine.owner = "S-0005"
    let owner = try PipelineReport.compute(mine)
    // 李强 owned C-0008 (lead) at the start; C-0001 (active) and C-0003 (lead) at the end.
    #expect(
      try owner.rows("by_status").map { [$0[2], $0[3]] } == [
        [.int(1), .int(1)], [.int(0), .int(0)], [.int(0), .int(1)], [.int(0), .int(0)], [.int(0), .int(0)],
        [.int(1), .int(2)],
      ])
    #expect(try owner.rows("transitions").map { $0[1] } == [.text("C-0003"), .text("C-0001"), .text("C-0008")])
    // His prospect → active base is C-0001 alone, converted: 100%.
    #expect(try owner.rows("conversion").map(\.last) == [.percent(0), .percent(1)])
  }

  @Test func emptyPeriods() throws {
    let f = try Self.history()
    // Before the history: nothing is known — not zero customers, not zero changes.
    let before = try PipelineReport.compute(f.context(period: "2025-01"))
    #expect(try before.rows("by_status").allSatisfy { $0[2] == .unknown && $0[3] == .unknown && $0[4] == .unknown })
    #expect(try before.rows("by_month") == [[.text("2025-01")] + Array(repeating: .unknown, count: 5)])
    #expect(try before.section("by_month").chart?.labels == [])
    for key in ["transitions", "stage_time", "by_owner", "by_team", "win_backs", "churn"] {
      #expect(try before.section(key).table.known == false, "\(key)")
    }
    #expect(
      try before.rows("conversion").map { Array($0.dropFirst()) }
        == Array(repeating: [.unknown, .unknown, .unknown], count: 2))
    #expect(
      try before.section("by_status").unknowns == [
        "the history begins on 2025-10-01 (its first commit is the starting state): how many customers stood at the end of 2024-12-31 is not known",
        "the history begins on 2025-10-01 (its first commit is the starting state): how many customers stood at the end of 2025-01 is not known",
      ])
    // A quiet month after the last change: the counts stand, nothing moved.
    let quiet = try PipelineReport.compute(f.context(period: "2026-06"))
    #expect(try quiet.rows("by_status").last == [.text("total"), .text("合计"), .int(7), .int(7), .int(0)])
    #expect(try quiet.rows("transitions").isEmpty)
    #expect(try quiet.rows("stage_time").isEmpty)
    // In lead all June: C-0003, C-0006, C-0007, none converted; in prospect: C-0005 (since
    // 04-02), not converted.
    #expect(
      try quiet.rows("conversion") == [
        [.text("线索 → 意向客户"), .int(3), .int(0), .percent(0)],
        [.text("意向客户 → 成交客户"), .int(1), .int(0), .percent(0)],
      ])
    for format in ReportFormat.allCases {
      #expect(!ReportRenderer.render(before, as: format).isEmpty)
    }
  }

  @Test func isListed() {
    #expect(Reports.named("pipeline") != nil)
  }

}
