import TallySchema
import TallyTestSupport
import Testing

@testable import TallyReports

/// Reports on a team's first day: a history that starts with an import of the records the
/// team already had. The import is the starting state — not new business — what stood
/// before it is not known, and a period that has not ended is measured to today.
///
/// 2026-07-01  import: the team (张伟 S-0003 leads 华东一组 with 王芳 S-0004 and 李强 S-0005),
///             C-0001 lead (王芳, never contacted), C-0002 active (王芳), C-0003 prospect
///             (李强, a complaint of 06-20 still open), the minutes of 05-11 with an item done
///             on 05-14, and a plan for 2026-Q3 (王芳: 2 new customers)
/// 2026-07-20  C-0001 lead → prospect; C-0004 added active (李强)
/// 2026-08-05  C-0003 prospect → active; the item of 05-11 set back to open
/// 2026-08-25  the item of 05-11 done again, on 08-25
@Suite("Reports on a team's first day")
struct FirstCommitTests {
  typealias T = PipelineFixtureText

  func minutes(_ status: String, doneOn: String?) -> String {
    "date: 2026-05-11\nkind: weekly\ntitle: 华东一组周会\nchair: S-0003\nattendees: [S-0003, S-0004]\n"
      + "action_items:\n  - task: 准备演示材料\n    owner: S-0004\n    due: 2026-05-14\n    status: \(status)\n"
      + (doneOn.map { "    done_on: \($0)\n" } ?? "")
  }

  func history() throws -> ReportFixture {
    let f = try ReportFixture()
    var files = f.team()
    files.removeValue(forKey: "staff/S-0006.yaml")
    files["customers/C-0001.yaml"] = T.customer("甲公司", status: "lead", owner: "S-0004")
    files["customers/C-0002.yaml"] = T.customer(
      "乙公司", status: "active", owner: "S-0004", orders: [("2026-06-01", "5000.00")])
    files["customers/C-0003.yaml"] = T.customer(
      "丙公司", status: "prospect", owner: "S-0005", complaints: [("2026-06-20", "medium", nil)])
    files["minutes/2026-05-11-weekly.yaml"] = minutes("done", doneOn: "2026-05-14")
    files["plans/P-2026Q3-01.yaml"] = T.plan(
      "三季度计划", kind: "sales", period: "2026-Q3", owner: "S-0003", person: "S-0004",
      targets: [("new_customers", "2", "S-0004"), ("new_customers", "2", "S-0005")])
    try f.commit("2026-07-01", by: "S-0003", files)
    try f.commit(
      "2026-07-20", by: "S-0004",
      [
        "customers/C-0001.yaml": T.customer("甲公司", status: "prospect", owner: "S-0004"),
        "customers/C-0004.yaml": T.customer(
          "丁公司", status: "active", owner: "S-0005", orders: [("2026-07-20", "3000.00")]),
      ])
    try f.commit(
      "2026-08-05", by: "S-0005",
      [
        "customers/C-0003.yaml": T.customer(
          "丙公司", status: "active", owner: "S-0005", orders: [("2026-08-05", "9000.00")],
          complaints: [("2026-06-20", "medium", nil)]),
        "minutes/2026-05-11-weekly.yaml": minutes("open", doneOn: nil),
      ])
    try f.commit("2026-08-25", by: "S-0004", ["minutes/2026-05-11-weekly.yaml": minutes("done", doneOn: "2026-08-25")])
    try f.expectValid()
    return f
  }

  @Test func theImportIsNotATransitionAndItsCustomersAreNotNew() throws {
    let f = try history()
    let report = try PipelineReport.compute(f.context(period: "2026-07-01..2026-09-30"))
    // Three status changes after the import, and C-0004's addition; none of the import.
    #expect(
      try report.rows("transitions").map { [$0[1], $0[3], $0[4]] } == [
        [.text("C-0001"), .text("线索"), .text("意向客户")], [.text("C-0004"), .text("(new)"), .text("成交客户")],
        [.text("C-0003"), .text("意向客户"), .text("成交客户")],
      ])
    // 王芳: C-0002 was active at the import: not a new customer. 李强: C-0004 (added
    // active) and C-0003 (from prospect).
    let owners = try report.rows("by_owner")
    #expect(
      owners.map { [$0[0], $0[3], $0[5]] } == [[.text("王芳"), .int(0), .int(0)], [.text("李强"), .int(1), .int(2)]])
    // The day before the import is not known.
    #expect(try report.rows("by_status").allSatisfy { $0[2] == .unknown && $0[4] == .unknown })
    #expect(try report.rows("by_status").last?[3] == .int(4))
    // The stints that ended — C-0001 in lead, C-0003 in prospect — began before the history.
    #expect(try report.rows("stage_time").isEmpty)
    #expect(
      try report.section("stage_time").unknowns == [
        "the history begins on 2026-07-01 (its first commit is the starting state): when 2 of the stints that ended in 2026-07-01..2026-09-30 began is not known: they began before the history and are left out"
      ])
    // Conversion starts from the import: lead → prospect, C-0001 (a lead then), converted;
    // prospect → active, C-0003 (a prospect then) converted, C-0001 (a prospect from 07-20)
    // not.
    #expect(
      try report.rows("conversion").map { Array($0.dropFirst()) } == [
        [.int(1), .int(1), .percent(1)], [.int(2), .int(1), .percent(0.5)],
      ])

    // Over a period that began before the history, the counts over the period are not known.
    let quarter = try PipelineReport.compute(f.context(period: "2026-06-15..2026-09-30"))
    #expect(try quarter.rows("by_owner").allSatisfy { $0[3] == .unknown && $0[5] == .unknown && $0[2] != .unknown })
    #expect(try quarter.rows("conversion").allSatisfy { $0[1] == .unknown })
    #expect(try quarter.rows("transitions").count == 3)
  }

  @Test func planCountsTheNewCustomersAfterTheImport() throws {
    let f = try history()
    // The plan's period, 2026-Q3, begins on 07-01, the day of the import: new customers are
    // known. 王芳: none (C-0002 was active at the import). 李强: C-0004 and C-0003.
    let report = try PlanReport.compute(f.context(period: "2026-Q3"))
    #expect(
      try report.rows("targets").map { [$0[2], $0[6], $0[7]] } == [
        [.text("王芳"), .int(0), .percent(0)], [.text("李强"), .int(2), .percent(1)],
      ])
    #expect(try report.section("targets").unknowns.isEmpty)
  }

  @Test func newCustomersBeforeTheHistoryAreNotKnown() throws {
    let f = try history()
    // The same plan, moved to 2026-06-15..2026-09-15: it began before the history.
    try f.commit(
      "2026-09-01", by: "S-0003",
      [
        "plans/P-2026Q3-01.yaml": T.plan(
          "三季度计划", kind: "sales", period: "2026-06-15..2026-09-15", owner: "S-0003", person: "S-0004",
          targets: [("new_customers", "2", "S-0004"), ("revenue", "10000", "S-0005")])
      ])
    let report = try PlanReport.compute(f.context(period: "2026-Q3"))
    #expect(
      try report.rows("targets").map { [$0[2], $0[6], $0[7]] } == [
        [.text("王芳"), .unknown, .unknown], [.text("李强"), .decimal(ExactDecimal("12000.00")!), .percent(1.2)],
      ])
    #expect(try report.rows("totals").map(\.last) == [.percent(1.2), .unknown])
    #expect(try report.section("targets").chart?.labels == ["李强 · 销售额"])
    #expect(try report.section("targets").unknowns.count == 1)
  }

  @Test func openComplaintsOfAPeriodThatHasNotEndedAreCountedToToday() throws {
    let f = try history()
    let report = try ComplaintsReport.compute(f.context(period: "2026-Q3", today: "2026-08-10"))
    // C-0003's complaint of 06-20, open: 51 days on 08-10, not 102 on 09-30.
    #expect(try report.rows("open").map { $0[4] } == [.int(51)])
    #expect(try report.section("open").title == "Open complaints at 2026-08-10 (today; the period ends on 2026-09-30)")
    let ended = try ComplaintsReport.compute(f.context(period: "2026-Q3", today: "2026-12-31"))
    #expect(try ended.rows("open").map { $0[4] } == [.int(102)])
    #expect(try ended.section("open").title == "Open complaints at the end of 2026-09-30")
    // The customers at the end of 2026-06 are not known: no rate against them.
    let june = try ComplaintsReport.compute(f.context(period: "2026-06"))
    #expect(try june.rows("by_industry") == [[.text("零售"), .unknown, .int(1), .unknown]])
    #expect(try june.section("by_owner").unknowns.count == 2)
  }

  @Test func anActionItemCountsByTheStateItWasInInEachPeriod() throws {
    let f = try history()
    func row(_ period: String) throws -> [Cell]? {
      try MeetingsReport.compute(f.context(period: period)).rows("action_items").first
    }
    // Done on 05-14 as the import has it; set back to open on 08-05; done again on 08-25.
    #expect(try row("2026-05")?[4] == .text("done"))
    #expect(try row("2026-05")?[5] == .date(CivilDate("2026-05-14")!))
    #expect(try row("2026-06") == nil)
    #expect(try row("2026-07") == nil)
    #expect(try row("2026-08")?[4] == .text("done late"))
    #expect(try row("2026-08")?[5] == .date(CivilDate("2026-08-25")!))
    // At the end of 08-10 it was open again, and overdue.
    #expect(try row("2026-08-01..2026-08-10")?[4] == .text("overdue"))
    #expect(try row("2026-08-01..2026-08-10")?[7] == .int(88))
  }

  @Test func aCustomerOfTheImportNeverContactedHasNoKnownDaysSince() throws {
    let f = try history()
    // C-0002, active and never contacted, was in the import: 123 days since 07-01 at least,
    // but when it was added is not known.
    let report = try FollowUpsReport.compute(f.context(period: "2026-11", at: "2026-11-01"))
    let atRisk = try report.rows("at_risk").first { $0[0] == .text("C-0002") }
    #expect(atRisk?[4] == .unknown)
    #expect(atRisk?[6] == .text("never contacted since 2026-07-01"))
    #expect(
      try report.section("at_risk").unknowns == [
        "the history begins on 2026-07-01 (its first commit is the starting state): when the customers of that commit never contacted since were added is not known: their days since are \"?\"; they are listed by the days since 2026-07-01"
      ])
    // C-0004, added on 07-20 and never contacted: 104 days, known.
    #expect(try report.rows("at_risk").first { $0[0] == .text("C-0004") }?[4] == .int(104))
  }
}
