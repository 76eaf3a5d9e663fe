import Foundation
import TallySchema
import TallyTestSupport
import Testing

@testable import TallyReports

/// The meetings report over a small history whose figures are worked out by hand below.
///
/// Staff: 张伟 S-0003 leads 华东一组 with 王芳 S-0004 and 李强 S-0005; 孙丽 S-0006 leads
/// 华东二组 with 周杰 S-0007.
///
/// Minutes (attended / absent) and their action items (owner, due, what happens):
///   02-27 周会 M0  张伟 王芳 李强 / —
///         i0 李强 due 02-28, never done
///   03-01 培训会 M4 孙丽 周杰 王芳 / 李强                (the period's first day)
///         i5 周杰 due 03-06, cancelled in a commit on 03-12 (no date field: from the history)
///   03-02 周会 M1  张伟 王芳 / 李强
///         i1 王芳 due 03-05, done_on 03-04, committed 03-04
///         i2 李强 due 03-10, done_on 03-18, committed 03-20 (closed later than due)
///         i3 王芳 due 03-31, never done
///   03-31 周会 M2  张伟 李强 / 王芳                      (the period's last day)
///         i4 张伟 due 04-03, done_on 04-02, committed 04-02
///   04-01 晨会 M3  张伟 王芳 李强 / —                    (the day after)
@Suite("Meetings report")
struct MeetingsReportTests {
  func minutes(
    _ date: String, _ kind: String, _ title: String, chair: String, attendees: [String], absentees: [String] = [],
    decisions: [String] = [], items: [String] = []
  ) -> String {
    var text = "date: \(date)\nkind: \(kind)\ntitle: \(title)\nchair: \(chair)\n"
    text += "attendees: [\(attendees.joined(separator: ", "))]\n"
    if !absentees.isEmpty { text += "absentees: [\(absentees.joined(separator: ", "))]\n" }
    if !decisions.isEmpty { text += "decisions:\n" + decisions.map { "  - \($0)\n" }.joined() }
    if !items.isEmpty { text += "action_items:\n" + items.joined() }
    return text
  }

  func item(_ task: String, owner: String, due: String, status: String = "open", doneOn: String? = nil) -> String {
    "  - task: \(task)\n    owner: \(owner)\n    due: \(due)\n    status: \(status)\n"
      + (doneOn.map { "    done_on: \($0)\n" } ?? "")
  }

  func m1(i1: String = "open", i1Done: String? = nil, i2: String = "open", i2Done: String? = nil) -> String {
    minutes(
      "2026-03-02", "weekly", "华东一组周会", chair: "S-0003", attendees: ["S-0003", "S-0004"], absentees: ["S-0005"],
      decisions: ["沉睡客户每周回访 3 家"],
      items: [
        item("整理成交清单", owner: "S-0004", due: "2026-03-05", status: i1, doneOn: i1Done),
        item("准备演示材料", owner: "S-0005", due: "2026-03-10", status: i2, doneOn: i2Done),
        item("更新报价单", owner: "S-0004", due: "2026-03-31"),
      ])
  }

  func m4(_ status: String) -> String {
    minutes(
      "2026-03-01", "training", "产品培训", chair: "S-0006", attendees: ["S-0006", "S-0007", "S-0004"],
      absentees: ["S-0005"], items: [item("提交培训总结", owner: "S-0007", due: "2026-03-06", status: status)])
  }

  func m2(_ status: String = "open", doneOn: String? = nil) -> String {
    minutes(
      "2026-03-31", "weekly", "华东一组周会", chair: "S-0003", attendees: ["S-0003", "S-0005"], absentees: ["S-0004"],
      decisions: ["四月起每日晨会"],
      items: [item("复盘三月业绩", owner: "S-0003", due: "2026-04-03", status: status, doneOn: doneOn)])
  }

  func history() throws -> ReportFixture {
    let f = try ReportFixture()
    try f.commit(
      "2026-02-27",
      [
        "staff/S-0001.yaml": f.staff("S-0001", "陈建国", role: "manager", team: "华东销售中心", reportsTo: nil),
        "staff/S-0002.yaml": f.staff("S-0002", "刘洋", role: "supervisor", team: "华东销售中心", reportsTo: "S-0001"),
        "staff/S-0003.yaml": f.staff("S-0003", "张伟", role: "team_lead", team: "华东一组", reportsTo: "S-0002"),
        "staff/S-0004.yaml": f.staff("S-0004", "王芳", role: "sales_rep", team: "华东一组", reportsTo: "S-0003"),
        "staff/S-0005.yaml": f.staff("S-0005", "李强", role: "sales_rep", team: "华东一组", reportsTo: "S-0003"),
        "staff/S-0006.yaml": f.staff("S-0006", "孙丽", role: "team_lead", team: "华东二组", reportsTo: "S-0002"),
        "staff/S-0007.yaml": f.staff("S-0007", "周杰", role: "sales_rep", team: "华东二组", reportsTo: "S-0006"),
        "minutes/2026-02-27-weekly-east1.yaml": minutes(
          "2026-02-27", "weekly", "华东一组周会", chair: "S-0003", attendees: ["S-0003", "S-0004", "S-0005"],
          decisions: ["二月目标顺延"], items: [item("补齐二月跟进记录", owner: "S-0005", due: "2026-02-28")]),
      ])
    try f.commit("2026-03-01", by: "S-0006", ["minutes/2026-03-01-training-east2.yaml": m4("open")])
    try f.commit("2026-03-02", by: "S-0003", ["minutes/2026-03-02-weekly-east1.yaml": m1()])
    try f.commit(
      "2026-03-04", by: "S-0004", ["minutes/2026-03-02-weekly-east1.yaml": m1(i1: "done", i1Done: "2026-03-04")])
    try f.commit("2026-03-12", by: "S-0006", ["minutes/2026-03-01-training-east2.yaml": m4("cancelled")])
    try f.commit(
      "2026-03-20", by: "S-0005",
      [
        "minutes/2026-03-02-weekly-east1.yaml": m1(
          i1: "done", i1Done: "2026-03-04", i2: "done", i2Done: "2026-03-18")
      ])
    try f.commit("2026-03-31", by: "S-0003", ["minutes/2026-03-31-weekly-east1.yaml": m2()])
    try f.commit(
      "2026-04-01", by: "S-0003",
      [
        "minutes/2026-04-01-daily-east1.yaml": minutes(
          "2026-04-01", "daily", "华东一组晨会", chair: "S-0003", attendees: ["S-0003", "S-0004", "S-0005"],
          decisions: ["晨会九点开始"])
      ])
    try f.commit("2026-04-02", by: "S-0003", ["minutes/2026-03-31-weekly-east1.yaml": m2("done", doneOn: "2026-04-02")])
    try f.expectValid()
    return f
  }

  func section(_ report: Report, _ key: String) throws -> ReportSection {
    try #require(report.sections.first { $0.key == key })
  }

  func column(_ section: ReportSection, _ key: String) -> [Cell] {
    let index = section.table.columns.firstIndex { $0.key == key }!
    return section.table.rows.map { $0[index] }
  }

  @Test func attendanceRatePerPerson() throws {
    let f = try history()
    let report = try MeetingsReport.compute(f.context(period: "2026-03"))
    let attendance = try section(report, "attendance")
    // March holds M4 (03-01), M1 (03-02) and M2 (03-31); not M0 (02-27) or M3 (04-01).
    //   张伟: M1 ✓ M2 ✓           → 2 / 2 = 100%
    //   王芳: M4 ✓ M1 ✓ M2 ✗      → 2 / 3 = 66.7%
    //   李强: M4 ✗ M1 ✗ M2 ✓      → 1 / 3 = 33.3%
    //   孙丽: M4 ✓ → 100%; 周杰: M4 ✓ → 100%
    let expected: [[Cell]] = [
      [.text("张伟"), .int(2), .int(2), .int(0), .percent(1)],
      [.text("王芳"), .int(3), .int(2), .int(1), .percent(2.0 / 3)],
      [.text("李强"), .int(3), .int(1), .int(2), .percent(1.0 / 3)],
      [.text("孙丽"), .int(1), .int(1), .int(0), .percent(1)],
      [.text("周杰"), .int(1), .int(1), .int(0), .percent(1)],
    ]
    #expect(attendance.table.rows == expected)
    let chart = try #require(attendance.chart)
    #expect(chart.kind == .bars)
    #expect(chart.labels == ["张伟", "王芳", "李强", "孙丽", "周杰"])
    #expect(chart.series.first?.values == [100, 66.7, 33.3, 100, 100])
    #expect(chart.reference == 100)
    #expect(attendance.notes.first?.contains("over the 3 meetings dated in 2026-03") == true)

    // The decisions of M1 and M2, in date order (M0's and M3's fall outside).
    let decisions = try section(report, "decisions")
    #expect(
      decisions.table.rows == [
        [.date(CivilDate("2026-03-02")!), .text("周会"), .text("华东一组周会"), .text("沉睡客户每周回访 3 家")],
        [.date(CivilDate("2026-03-31")!), .text("周会"), .text("华东一组周会"), .text("四月起每日晨会")],
      ])
    #expect(column(try section(report, "meetings"), "kind") == [.text("培训会"), .text("周会"), .text("周会")])
  }

  @Test func actionItemsPerOwnerInMarch() throws {
    let f = try history()
    let report = try MeetingsReport.compute(f.context(period: "2026-03"))
    // At the end of 03-31 (today is later):
    //   i0 李强 due 02-28, open → open and overdue (31 days)
    //   i1 王芳 done_on 03-04 ≤ due 03-05 → done
    //   i2 李强 done_on 03-18 > due 03-10 → done late (8 days)
    //   i3 王芳 due 03-31, open → open, not overdue (due is not before 03-31)
    //   i4 张伟 done_on 04-02, after the period → still open at 03-31, due 04-03
    //   i5 周杰 cancelled on 03-12 → counts nowhere
    let owners = try section(report, "action_items_by_owner")
    #expect(
      owners.table.rows == [
        [.text("张伟"), .int(1), .int(0), .int(0), .int(0)],
        [.text("王芳"), .int(1), .int(0), .int(1), .int(0)],
        [.text("李强"), .int(1), .int(1), .int(1), .int(1)],
      ])
    // Listed by due day; i2's closing day is its done_on, and the day its status was
    // recorded as done comes from the history (the commit of 03-20).
    let items = try section(report, "action_items")
    #expect(column(items, "task") == ["补齐二月跟进记录", "整理成交清单", "准备演示材料", "更新报价单", "复盘三月业绩"].map(Cell.text))
    #expect(column(items, "state") == ["overdue", "done", "done late", "open", "open"].map(Cell.text))
    #expect(column(items, "days_late") == [.int(31), .empty, .int(8), .empty, .empty])
    #expect(column(items, "closed")[2] == .date(CivilDate("2026-03-18")!))
    #expect(column(items, "recorded")[2] == .date(CivilDate("2026-03-20")!))
    #expect(column(items, "recorded")[1] == .date(CivilDate("2026-03-04")!))
  }

  @Test func anItemClosedAfterItsDueDayIsOverdueUntilThen() throws {
    let f = try history()
    func counts(_ period: String, today: String = "2026-12-31") throws -> [[Cell]] {
      try section(MeetingsReport.compute(f.context(period: period, today: today)), "action_items_by_owner").table.rows
    }
    // To 03-15: i2 (due 03-10) is not closed until 03-18, so it is open and overdue; with
    // i0, 李强 has 2 open, both overdue. i5 was cancelled on 03-12: gone. i4's meeting is
    // on 03-31: not yet.
    #expect(
      try counts("2026-03-01..2026-03-15") == [
        [.text("王芳"), .int(1), .int(0), .int(1), .int(0)],
        [.text("李强"), .int(2), .int(2), .int(0), .int(0)],
      ])
    // The same when the period is the month but today is 03-15: open and overdue are
    // judged at the earlier of the period's end and today (i4's meeting, on 03-31, is
    // after it).
    #expect(try counts("2026-03", today: "2026-03-15") == counts("2026-03-01..2026-03-15"))
    // To 03-11 the cancellation (a commit on 03-12) has not happened: i5 (due 03-06) is
    // open and overdue for 周杰.
    let eleventh = try counts("2026-03-01..2026-03-11")
    #expect(eleventh.last == [.text("周杰"), .int(1), .int(1), .int(0), .int(0)])
    #expect(try counts("2026-03-01..2026-03-12").contains { $0.first == .text("周杰") } == false)
    // April: i0 and i3 (due 03-31) overdue; i4 done on 04-02, a day before it was due.
    #expect(
      try counts("2026-04") == [
        [.text("张伟"), .int(0), .int(0), .int(1), .int(0)],
        [.text("王芳"), .int(1), .int(1), .int(0), .int(0)],
        [.text("李强"), .int(1), .int(1), .int(0), .int(0)],
      ])
  }

  /// An item done on 03-05, set back to open on 04-10 and done again on 04-20: each period
  /// sees it as it stood then, not as it stands now.
  @Test func anItemSetBackToOpenCountsAsClosedBeforeThat() throws {
    let f = try ReportFixture()
    func m(_ status: String, doneOn: String? = nil) -> String {
      minutes(
        "2026-03-02", "weekly", "华东一组周会", chair: "S-0003", attendees: ["S-0003", "S-0004"],
        items: [item("整理成交清单", owner: "S-0004", due: "2026-03-10", status: status, doneOn: doneOn)])
    }
    let path = "minutes/2026-03-02-weekly-east1.yaml"
    try f.commit(
      "2026-03-02",
      [
        "staff/S-0001.yaml": f.staff("S-0001", "陈建国", role: "manager", team: "华东销售中心", reportsTo: nil),
        "staff/S-0002.yaml": f.staff("S-0002", "刘洋", role: "supervisor", team: "华东销售中心", reportsTo: "S-0001"),
        "staff/S-0003.yaml": f.staff("S-0003", "张伟", role: "team_lead", team: "华东一组", reportsTo: "S-0002"),
        "staff/S-0004.yaml": f.staff("S-0004", "王芳", role: "sales_rep", team: "华东一组", reportsTo: "S-0003"),
        path: m("open"),
      ])
    try f.commit("2026-03-05", by: "S-0004", [path: m("done")])
    try f.commit("2026-04-10", by: "S-0003", [path: m("open")])
    try f.expectValid()
    func listed(_ period: String) throws -> [[Cell]] {
      let items = try section(MeetingsReport.compute(f.context(period: period, today: "2026-12-31")), "action_items")
      return items.table.rows.map { [$0[4], $0[5], $0[7]] }
    }
    let day = { (text: String) in Cell.date(CivilDate(text)!) }
    // March: done on 03-05 (the commit's day; there is no done_on), before it was due.
    #expect(try listed("2026-03") == [[.text("done"), day("2026-03-05"), .empty]])
    // 04-01..04-05: still done, and not closed in the period: not listed.
    #expect(try listed("2026-04-01..2026-04-05") == [])
    // April: open again since 04-10 and overdue at the month's end (due 03-10: 51 days).
    #expect(try listed("2026-04") == [[.text("overdue"), .empty, .int(51)]])
    // Done again on 04-20 (done_on): March is unchanged, April sees it done late.
    try f.commit("2026-04-20", by: "S-0004", [path: m("done", doneOn: "2026-04-20")])
    #expect(try listed("2026-03") == [[.text("done"), day("2026-03-05"), .empty]])
    #expect(try listed("2026-04-11..2026-04-15") == [[.text("overdue"), .empty, .int(36)]])
    #expect(try listed("2026-04") == [[.text("done late"), day("2026-04-20"), .int(41)]])
  }

  @Test func meetingsOnThePeriodBoundaries() throws {
    let f = try history()
    func meetings(_ period: String) throws -> [Cell] {
      column(try section(MeetingsReport.compute(f.context(period: period)), "meetings"), "date")
    }
    let day = { (text: String) in Cell.date(CivilDate(text)!) }
    // M4 on 03-01 and M2 on 03-31 are in March; M0 (02-27) and M3 (04-01) are not.
    #expect(try meetings("2026-03") == [day("2026-03-01"), day("2026-03-02"), day("2026-03-31")])
    #expect(try meetings("2026-03-31..2026-04-01") == [day("2026-03-31"), day("2026-04-01")])
    #expect(try meetings("2026-02-28..2026-02-28") == [])
  }

  @Test func teamAndOwnerFilters() throws {
    let f = try history()
    // 华东二组 (孙丽, 周杰): their attendance, only M4, which has no decisions; 周杰's i5
    // was cancelled, so no action items.
    let team = try f.context(period: "2026-03")
    team.team = "华东二组"
    let report = try MeetingsReport.compute(team)
    #expect(column(try section(report, "attendance"), "person") == [.text("孙丽"), .text("周杰")])
    #expect(column(try section(report, "meetings"), "title") == [.text("产品培训")])
    #expect(try section(report, "decisions").table.rows.isEmpty)
    #expect(try section(report, "action_items_by_owner").table.rows.isEmpty)

    // --owner S-0005 (李强): his attendance, his items (i0, i2), and the three meetings he
    // was expected at; the decisions of M1 and M2.
    let owner = try f.context(period: "2026-03")
    owner.owner = "S-0005"
    let his = try MeetingsReport.compute(owner)
    #expect(column(try section(his, "attendance"), "person") == [.text("李强")])
    #expect(column(try section(his, "action_items"), "task") == [.text("补齐二月跟进记录"), .text("准备演示材料")])
    #expect(column(try section(his, "meetings"), "title").count == 3)
    #expect(try section(his, "decisions").table.rows.count == 2)
  }

  @Test func anEmptyPeriod() throws {
    let f = try history()
    // June 2025: no minutes, no items; five empty tables and no chart.
    let report = try MeetingsReport.compute(f.context(period: "2025-06"))
    #expect(report.sections.allSatisfy { $0.table.rows.isEmpty })
    #expect(try section(report, "attendance").chart == nil)
    let text = ReportRenderer.table(report, width: 100)
    #expect(text.components(separatedBy: "(none)").count - 1 == 5)
    #expect(!HTMLRenderer.page(report).contains("<svg"))
  }
}
