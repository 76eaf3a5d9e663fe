import Foundation
import TallySchema
import TallyTestSupport
import Testing

@testable import TallyReports

/// The complaints report over a small history whose figures are worked out by hand below.
///
/// Staff: 张伟 S-0003 leads 华东一组 with 王芳 S-0004 and 李强 S-0005; 孙丽 S-0006 leads
/// 华东二组 with 周杰 S-0007.
///
/// Customers (industry, tier, owner) and their complaints (date, severity, resolved on):
///   C-0001 甲 retail A, 王芳, moved to 李强 on 2026-02-15
///     a 2026-02-10 high,   resolved 2026-02-20   (王芳's: made before the move)
///     b 2026-02-20 low,    resolved 2026-03-31   (李强's; resolved on the period's last day)
///   C-0002 乙 retail B, 李强
///     d 2025-12-31 medium, resolved 2026-01-03   (the day before the period)
///     c 2026-01-01 medium, open                  (the period's first day)
///   C-0003 丙 education A, 周杰
///     f 2026-03-15 low,    resolved 2026-04-02   (resolved after the period)
///     e 2026-04-01 high,   open                  (the day after the period)
///   C-0004 丁 education C, 王芳, no complaints
///   C-0005 戊 finance B, 周杰, created 2026-04-10, no complaints
@Suite("Complaints report")
struct ComplaintsReportTests {
  func customer(_ name: String, _ industry: String, _ tier: String, owner: String, _ complaints: [String] = [])
    -> String
  {
    var text = "name: \(name)\nindustry: \(industry)\ntier: \(tier)\nstatus: lead\nowner: \(owner)\n"
    if !complaints.isEmpty { text += "complaints:\n" + complaints.joined() }
    return text
  }

  func complaint(_ date: String, _ severity: String, _ summary: String, resolved: String? = nil) -> String {
    "  - date: \(date)\n    summary: \(summary)\n    severity: \(severity)\n"
      + (resolved.map { "    resolved_on: \($0)\n" } ?? "")
  }

  var a: String { complaint("2026-02-10", "high", "送货延迟") }
  var aResolved: String { complaint("2026-02-10", "high", "送货延迟", resolved: "2026-02-20") }
  var b: String { complaint("2026-02-20", "low", "发票抬头错误") }
  var bResolved: String { complaint("2026-02-20", "low", "发票抬头错误", resolved: "2026-03-31") }

  func history() throws -> ReportFixture {
    let f = try ReportFixture()
    try f.commit(
      "2026-01-05",
      [
        "staff/S-0001.yaml": f.staff("S-0001", "陈建国", role: "manager", team: "华东销售中心", reportsTo: nil),
        "staff/S-0002.yaml": f.staff("S-0002", "刘洋", role: "supervisor", team: "华东销售中心", reportsTo: "S-0001"),
        "staff/S-0003.yaml": f.staff("S-0003", "张伟", role: "team_lead", team: "华东一组", reportsTo: "S-0002"),
        "staff/S-0004.yaml": f.staff("S-0004", "王芳", role: "sales_rep", team: "华东一组", reportsTo: "S-0003"),
        "staff/S-0005.yaml": f.staff("S-0005", "李强", role: "sales_rep", team: "华东一组", reportsTo: "S-0003"),
        "staff/S-0006.yaml": f.staff("S-0006", "孙丽", role: "team_lead", team: "华东二组", reportsTo: "S-0002"),
        "staff/S-0007.yaml": f.staff("S-0007", "周杰", role: "sales_rep", team: "华东二组", reportsTo: "S-0006"),
        "customers/C-0001.yaml": customer("甲公司", "retail", "A", owner: "S-0004"),
        "customers/C-0002.yaml": customer(
          "乙公司", "retail", "B", owner: "S-0005",
          [
            complaint("2025-12-31", "medium", "报价不一致", resolved: "2026-01-03"),
            complaint("2026-01-01", "medium", "售后电话打不通"),
          ]),
        "customers/C-0003.yaml": customer("丙学校", "education", "A", owner: "S-0007"),
        "customers/C-0004.yaml": customer("丁学校", "education", "C", owner: "S-0004"),
      ])
    try f.commit(
      "2026-02-10", by: "S-0004", ["customers/C-0001.yaml": customer("甲公司", "retail", "A", owner: "S-0004", [a])])
    try f.commit(
      "2026-02-15", by: "S-0003", ["customers/C-0001.yaml": customer("甲公司", "retail", "A", owner: "S-0005", [a])])
    try f.commit(
      "2026-02-20", by: "S-0005",
      ["customers/C-0001.yaml": customer("甲公司", "retail", "A", owner: "S-0005", [aResolved, b])])
    let f1 = complaint("2026-03-15", "low", "课程安排冲突")
    try f.commit(
      "2026-03-15", by: "S-0007", ["customers/C-0003.yaml": customer("丙学校", "education", "A", owner: "S-0007", [f1])])
    try f.commit(
      "2026-03-31", by: "S-0005",
      ["customers/C-0001.yaml": customer("甲公司", "retail", "A", owner: "S-0005", [aResolved, bResolved])])
    try f.commit(
      "2026-04-02", by: "S-0007",
      [
        "customers/C-0003.yaml": customer(
          "丙学校", "education", "A", owner: "S-0007",
          [
            complaint("2026-03-15", "low", "课程安排冲突", resolved: "2026-04-02"),
            complaint("2026-04-01", "high", "老师临时换人"),
          ])
      ])
    try f.commit(
      "2026-04-10", by: "S-0007", ["customers/C-0005.yaml": customer("戊银行", "finance", "B", owner: "S-0007")])
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

  func decimal(_ text: String) -> Cell { .decimal(ExactDecimal(text)!) }

  @Test func bySeverityOpenAndResolved() throws {
    let f = try history()
    let report = try ComplaintsReport.compute(f.context(period: "2026-Q1"))
    let severity = try section(report, "by_severity")
    // Received in Q1: c (01-01, the first day), a, b, f = 4; d (12-31) and e (04-01) fall
    // outside. Resolved in Q1: d (3 days), a (10), b (39, on the last day) = 3; f was
    // resolved on 04-02. Open at the end of 03-31: c (never resolved) and f = 2.
    //   low:    received b, f; resolved b (39); open f
    //   medium: received c;    resolved d (3);  open c
    //   high:   received a;    resolved a (10); open none
    //   all:    4; 3; 2; average (10 + 39 + 3) / 3 = 52 / 3 = 17.33… → 17.3; max 39
    #expect(column(severity, "severity") == [.text("轻微"), .text("一般"), .text("严重"), .text("All")])
    #expect(
      severity.table.rows == [
        [.text("轻微"), .int(2), .int(1), .int(1), decimal("39.0"), .int(39)],
        [.text("一般"), .int(1), .int(1), .int(1), decimal("3.0"), .int(3)],
        [.text("严重"), .int(1), .int(1), .int(0), decimal("10.0"), .int(10)],
        [.text("All"), .int(4), .int(3), .int(2), decimal("17.3"), .int(39)],
      ])

    // The open list: c open 03-31 − 01-01 = 30 + 28 + 31 = 89 days; f 31 − 15 = 16 days.
    let open = try section(report, "open")
    #expect(column(open, "customer") == [.text("乙公司"), .text("丙学校")])
    #expect(column(open, "days_open") == [.int(89), .int(16)])
  }

  @Test func ratePerSegment() throws {
    let f = try history()
    let report = try ComplaintsReport.compute(f.context(period: "2026-Q1"))
    // Customers at the end of 03-31: C-0001 … C-0004 (C-0005 was created 04-10).
    // Retail: 甲 and 乙 = 2 customers; complaints a, b (甲) and c (乙) = 3 → 3 / 2 = 150%.
    // Education: 丙 and 丁 = 2; complaint f = 1 → 1 / 2 = 50%. Finance has neither.
    let industry = try section(report, "by_industry")
    #expect(
      industry.table.rows == [
        [.text("零售"), .int(2), .int(3), .percent(1.5)],
        [.text("教育"), .int(2), .int(1), .percent(0.5)],
      ])
    // Tier A: 甲 and 丙 = 2; a, b, f = 3 → 150%. B: 乙 = 1; c → 100%. C: 丁 = 1; none → 0%.
    let tier = try section(report, "by_tier")
    #expect(
      tier.table.rows == [
        [.text("A 重点客户"), .int(2), .int(3), .percent(1.5)],
        [.text("B 普通客户"), .int(1), .int(1), .percent(1)],
        [.text("C 一般客户"), .int(1), .int(0), .percent(0)],
      ])
  }

  @Test func creditedToTheOwnerAtTheTime() throws {
    let f = try history()
    let report = try ComplaintsReport.compute(f.context(period: "2026-Q1"))
    let owners = try section(report, "by_owner")
    // 甲 moved from 王芳 to 李强 on 02-15: a (02-10) is 王芳's, b (02-20) 李强's. d was made
    // before 乙's record was first committed: credited to its first owner, 李强.
    // Customers owned at the end of 03-31: 李强 甲 乙 = 2; 王芳 丁 = 1; 周杰 丙 = 1.
    //   李强: received b, c = 2 → 2 / 2 = 100%; resolved b (39), d (3) = 2, average 21.0;
    //         open c = 1
    //   王芳: received a = 1 → 1 / 1 = 100%; resolved a (10); open 0
    //   周杰: received f = 1 → 100%; resolved none; open f
    // Ordered by complaints received, then id.
    #expect(
      owners.table.rows == [
        [.text("李强"), .int(2), .int(2), .percent(1), .int(2), .int(1), decimal("21.0")],
        [.text("王芳"), .int(1), .int(1), .percent(1), .int(1), .int(0), decimal("10.0")],
        [.text("周杰"), .int(1), .int(1), .percent(1), .int(0), .int(1), .empty],
      ])
    let received = try section(report, "received")
    #expect(
      column(received, "date")
        == ["2026-01-01", "2026-02-10", "2026-02-20", "2026-03-15"].map { .date(CivilDate($0)!) })
    #expect(column(received, "owner") == [.text("李强"), .text("王芳"), .text("李强"), .text("周杰")])
    // f was resolved on 04-02, after the period: not shown as resolved in Q1.
    #expect(column(received, "days_to_resolve") == [.empty, .int(10), .int(39), .empty])
    #expect(column(received, "resolved_on")[3] == .empty)
  }

  @Test func periodBoundaries() throws {
    let f = try history()
    func received(_ period: String) throws -> Cell {
      try section(try ComplaintsReport.compute(f.context(period: period)), "by_severity").table.rows.last![1]
    }
    // c is dated 2026-01-01: in a period starting or ending that day, not in one ending
    // the day before (which holds d instead) or starting the day after.
    #expect(try received("2026-01-01") == .int(1))
    #expect(try received("2025-12-01..2026-01-01") == .int(2))
    #expect(try received("2025-12-01..2025-12-31") == .int(1))
    #expect(try received("2026-01-02..2026-02-09") == .int(0))
    // e (2026-04-01) is in April, with nothing else: received 1, and at the end of April
    // it is still open, as is c; f was resolved on 04-02 (18 days after 03-15).
    let april = try ComplaintsReport.compute(f.context(period: "2026-04"))
    #expect(
      try section(april, "by_severity").table.rows.last! == [
        .text("All"), .int(1), .int(1), .int(2), decimal("18.0"), .int(18),
      ])
  }

  @Test func teamAndOwnerFilters() throws {
    let f = try history()
    // 华东一组 (王芳, 李强): complaints a, b, c received (f is 周杰's) = 3; customers owned by
    // the team at the end: 甲 乙 丁 = 3.
    let team = try f.context(period: "2026-Q1")
    team.team = "华东一组"
    let report = try ComplaintsReport.compute(team)
    #expect(try section(report, "by_severity").table.rows.last![1] == .int(3))
    #expect(column(try section(report, "by_owner"), "owner") == [.text("李强"), .text("王芳")])
    #expect(column(try section(report, "by_industry"), "customers") == [.int(2), .int(1)])

    // --owner S-0004: only a, made while 甲 was hers; her customers are 丁, plus 甲 for the
    // complaint credited to her: retail 1 customer, 1 complaint; education 1, 0.
    let owner = try f.context(period: "2026-Q1")
    owner.owner = "S-0004"
    let hers = try ComplaintsReport.compute(owner)
    #expect(column(try section(hers, "received"), "customer") == [.text("甲公司")])
    #expect(
      try section(hers, "by_industry").table.rows == [
        [.text("零售"), .int(1), .int(1), .percent(1)], [.text("教育"), .int(1), .int(0), .percent(0)],
      ])
  }

  @Test func anEmptyPeriod() throws {
    let f = try history()
    // June 2025 is before the history and holds no complaint: every count 0, no averages,
    // no segment, owner or list rows.
    let report = try ComplaintsReport.compute(f.context(period: "2025-06"))
    #expect(
      try section(report, "by_severity").table.rows.map { Array($0.dropFirst()) }
        == Array(repeating: [.int(0), .int(0), .int(0), .empty, .empty], count: 4))
    for key in ["by_industry", "by_tier", "by_owner", "received", "open"] {
      #expect(try section(report, key).table.rows.isEmpty, "\(key)")
    }
    // The five empty tables read "(none)" in the terminal rendering.
    let text = ReportRenderer.table(report, width: 100)
    #expect(text.components(separatedBy: "(none)").count - 1 == 5)
  }
}
