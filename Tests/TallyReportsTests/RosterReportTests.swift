import TallySchema
import TallyTestSupport
import Testing

@testable import TallyReports

/// The roster over a small history whose figures are worked out by hand below.
///
/// 2026-01-05  seven people, all joined 2020-01-01:
///               陈建国 S-0001 manager     华东销售中心
///               刘洋   S-0002 supervisor  华东销售中心  → S-0001
///               张伟   S-0003 team_lead   华东一组      → S-0002
///               王芳   S-0004 sales_rep   华东一组      → S-0003
///               李强   S-0005 sales_rep   华东一组      → S-0003
///               孙丽   S-0006 team_lead   客服组        → S-0002
///               赵敏   S-0007 cs_rep      客服组        → S-0006
/// 2026-02-10  周杰 S-0008 sales_rep 华东一组 → S-0003 joins (joined 2026-02-10)
/// 2026-03-20  李强 leaves (left 2026-03-20, status left)
/// 2026-04-01  吴磊 S-0009 cs_rep 客服组 → S-0006 joins (joined 2026-04-01)
@Suite("Roster report")
struct RosterReportTests {
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
        "staff/S-0006.yaml": f.staff("S-0006", "孙丽", role: "team_lead", team: "客服组", reportsTo: "S-0002"),
        "staff/S-0007.yaml": f.staff("S-0007", "赵敏", role: "cs_rep", team: "客服组", reportsTo: "S-0006"),
      ])
    try f.commit(
      "2026-02-10", by: "S-0003",
      [
        "staff/S-0008.yaml": f.staff(
          "S-0008", "周杰", role: "sales_rep", team: "华东一组", reportsTo: "S-0003", joined: "2026-02-10")
      ])
    try f.commit(
      "2026-03-20", by: "S-0003",
      [
        "staff/S-0005.yaml": f.staff(
          "S-0005", "李强", role: "sales_rep", team: "华东一组", reportsTo: "S-0003", left: "2026-03-20")
      ])
    try f.commit(
      "2026-04-01", by: "S-0006",
      [
        "staff/S-0009.yaml": f.staff(
          "S-0009", "吴磊", role: "cs_rep", team: "客服组", reportsTo: "S-0006", joined: "2026-04-01")
      ])
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

  @Test func treeAtTheEndOfMarch() throws {
    let f = try history()
    let report = try RosterReport.compute(f.context(at: "2026-03-31"))
    let tree = try section(report, "tree")
    // 李强 left on 2026-03-20 and 吴磊 joins on 2026-04-01: neither is listed. Each level
    // below the first is indented by one ideographic space more; 刘洋's two leads in team
    // order (华 U+534E before 客 U+5BA2), 张伟's reps by id.
    #expect(
      column(tree, "name") == [
        .text("陈建国"), .text("└ 刘洋"), .text("\u{3000}└ 张伟"), .text("\u{3000}\u{3000}└ 王芳"),
        .text("\u{3000}\u{3000}└ 周杰"), .text("\u{3000}└ 孙丽"), .text("\u{3000}\u{3000}└ 赵敏"),
      ])
    #expect(
      column(tree, "role") == [
        .text("经理"), .text("主管"), .text("组长"), .text("销售代表"), .text("销售代表"), .text("组长"), .text("客服代表"),
      ])
    #expect(column(tree, "joined")[4] == .date(CivilDate("2026-02-10")!))
    #expect(tree.notes.first?.hasPrefix("7 on staff at the end of 2026-03-31") == true)

    // By role: manager 1, supervisor 1, leads 张伟 孙丽 = 2, sales reps 王芳 周杰 = 2, CS 赵敏 = 1.
    let byRole = try section(report, "by_role")
    #expect(column(byRole, "role") == [.text("经理"), .text("主管"), .text("组长"), .text("销售代表"), .text("客服代表")])
    #expect(column(byRole, "people") == [.int(1), .int(1), .int(2), .int(2), .int(1)])

    // By team, the teams of the higher roles first, then in natural order: 华东销售中心 =
    // 陈建国 + 刘洋; 华东一组 = 张伟 + 王芳 + 周杰; 客服组 = 孙丽 + 赵敏.
    let byTeam = try section(report, "by_team")
    #expect(byTeam.table.rows[0] == [.text("华东销售中心"), .int(2), .int(1), .int(1), .int(0), .int(0), .int(0)])
    #expect(byTeam.table.rows[1] == [.text("华东一组"), .int(3), .int(0), .int(0), .int(1), .int(2), .int(0)])
    #expect(byTeam.table.rows[2] == [.text("客服组"), .int(2), .int(0), .int(0), .int(1), .int(0), .int(1)])
    #expect(byTeam.table.rows.count == 3)
  }

  @Test func aRepWhoLeftIsGoneFromTheLeftDate() throws {
    let f = try history()
    // The day before: 7 + 周杰 = 8, with 李强 under 张伟.
    let before = try RosterReport.compute(f.context(at: "2026-03-19"))
    #expect(column(try section(before, "tree"), "id").count == 8)
    #expect(column(try section(before, "tree"), "name").contains(.text("\u{3000}\u{3000}└ 李强")))
    // On the left date he is gone: 8 − 1 = 7.
    let on = try RosterReport.compute(f.context(at: "2026-03-20"))
    #expect(column(try section(on, "tree"), "id").count == 7)
    #expect(!column(try section(on, "tree"), "id").contains(.text("S-0005")))
    #expect(column(try section(on, "by_role"), "people")[3] == .int(2))
    // Before 周杰's record was committed (2026-02-10) the tree is the first seven.
    let early = try RosterReport.compute(f.context(at: "2026-02-09"))
    #expect(column(try section(early, "tree"), "id").count == 7)
    #expect(column(try section(early, "tree"), "id").contains(.text("S-0005")))
  }

  @Test func aLeftDateWrittenInAdvance() throws {
    // 王芳's leaving is written down on 2026-05-06 with her left date, 2026-05-15, while her
    // status is still active: she is on the roster to the 14th and gone from the 15th.
    let f = try ReportFixture()
    let wang = f.staff("S-0004", "王芳", role: "sales_rep", team: "华东一组", reportsTo: "S-0003")
    try f.commit(
      "2026-05-04",
      [
        "staff/S-0001.yaml": f.staff("S-0001", "陈建国", role: "manager", team: "华东销售中心", reportsTo: nil),
        "staff/S-0002.yaml": f.staff("S-0002", "刘洋", role: "supervisor", team: "华东销售中心", reportsTo: "S-0001"),
        "staff/S-0003.yaml": f.staff("S-0003", "张伟", role: "team_lead", team: "华东一组", reportsTo: "S-0002"),
        "staff/S-0004.yaml": wang,
      ])
    #expect(wang.hasSuffix("status: active\n"))
    try f.commit("2026-05-06", ["staff/S-0004.yaml": wang + "left: 2026-05-15\n"])
    try f.expectValid()
    let ids = { (day: String) in
      try self.column(self.section(RosterReport.compute(f.context(at: day)), "tree"), "id")
    }
    #expect(try ids("2026-05-14") == ["S-0001", "S-0002", "S-0003", "S-0004"].map(Cell.text))
    #expect(try ids("2026-05-15") == ["S-0001", "S-0002", "S-0003"].map(Cell.text))
    // May: 4 on staff on 04-30, 3 on 05-31, one leave: 1 ÷ 3.5.
    let may = try section(RosterReport.compute(f.context(period: "2026-05", at: "2026-05-31")), "movement")
    #expect(may.table.rows == [[.text("2026-05"), .int(4), .int(0), .int(1), .int(3), .percent(1 / 3.5)]])
  }

  @Test func joinsLeavesAndTurnoverPerMonth() throws {
    let f = try history()
    let report = try RosterReport.compute(f.context(period: "2026-Q1", at: "2026-03-31"))
    let movement = try section(report, "movement")
    // January: 7 on staff on 2025-12-31, nobody joins or leaves: 7 → 7, turnover 0 / 7 = 0.
    // February: 周杰 joins on the 10th: 7 → 8, no leaves, turnover 0.
    // March: 李强 leaves on the 20th: 8 → 7; turnover 1 ÷ ((8 + 7) ÷ 2) = 1 / 7.5 = 0.1333….
    // 吴磊 (joined 2026-04-01) is in the records but counts in no month of Q1.
    #expect(column(movement, "month") == [.text("2026-01"), .text("2026-02"), .text("2026-03")])
    #expect(column(movement, "start") == [.int(7), .int(7), .int(8)])
    #expect(column(movement, "joins") == [.int(0), .int(1), .int(0)])
    #expect(column(movement, "leaves") == [.int(0), .int(0), .int(1)])
    #expect(column(movement, "end") == [.int(7), .int(8), .int(7)])
    #expect(column(movement, "turnover") == [.percent(0), .percent(0), .percent(1 / 7.5)])
    #expect(Cell.percent(1 / 7.5).text == "13.3%")
    // The quarter: 7 → 7 with one leave: 1 ÷ 7 = 14.3%.
    #expect(movement.notes.last == "over 2026-Q1: headcount 7 → 7, leaves 1, turnover 14.3%")

    let changes = try section(report, "joined_left")
    #expect(changes.table.rows.count == 2)
    #expect(
      changes.table.rows[0].prefix(4) == [
        .date(CivilDate("2026-02-10")!), .text("joined"), .text("周杰"), .text("S-0008"),
      ])
    #expect(
      changes.table.rows[1].prefix(4) == [.date(CivilDate("2026-03-20")!), .text("left"), .text("李强"), .text("S-0005")])
  }

  @Test func theLeftDateOnThePeriodBoundary() throws {
    let f = try history()
    func leaves(_ period: String) throws -> [Cell] {
      column(try section(try RosterReport.compute(f.context(period: period, at: "2026-03-31")), "movement"), "leaves")
    }
    // 李强 left on 2026-03-20: counted when the period ends or starts on that day, not when
    // it ends the day before or starts the day after.
    #expect(try leaves("2026-03-01..2026-03-20") == [.int(1)])
    #expect(try leaves("2026-03-20..2026-03-31") == [.int(1)])
    #expect(try leaves("2026-03-01..2026-03-19") == [.int(0)])
    #expect(try leaves("2026-03-21..2026-03-31") == [.int(0)])
    // A period of the one day: 8 on staff at the end of 03-19, 7 at the end of 03-20;
    // turnover 1 ÷ 7.5.
    let day = try section(try RosterReport.compute(f.context(period: "2026-03-20", at: "2026-03-31")), "movement")
    #expect(day.table.rows == [[.text("2026-03"), .int(8), .int(0), .int(1), .int(7), .percent(1 / 7.5)]])
  }

  @Test func teamAndOwnerFilters() throws {
    let f = try history()
    // 华东一组 at 2026-03-31: 张伟 (his supervisor is in another team, so he is the root),
    // 王芳 and 周杰.
    let context = try f.context(period: "2026-Q1", at: "2026-03-31")
    context.team = "华东一组"
    let team = try RosterReport.compute(context)
    #expect(column(try section(team, "tree"), "name") == [.text("张伟"), .text("└ 王芳"), .text("└ 周杰")])
    // The team's movement: 3 (张伟 王芳 李强) in January; 周杰 joins in February (3 → 4);
    // 李强 leaves in March (4 → 3): turnover 1 ÷ 3.5.
    let movement = try section(team, "movement")
    #expect(column(movement, "start") == [.int(3), .int(3), .int(4)])
    #expect(column(movement, "end") == [.int(3), .int(4), .int(3)])
    #expect(column(movement, "turnover")[2] == .percent(1 / 3.5))
    #expect(team.title == "Roster 2026-03-31 (华东一组)")

    // --owner S-0006 on 2026-04-30: 孙丽 and the people under her, 赵敏 (S-0007) and
    // 吴磊 (S-0009, joined 2026-04-01), by id.
    let owner = try f.context(at: "2026-04-30")
    owner.owner = "S-0006"
    let mine = try RosterReport.compute(owner)
    #expect(column(try section(mine, "tree"), "name") == [.text("孙丽"), .text("└ 赵敏"), .text("└ 吴磊")])
    #expect(column(try section(mine, "by_team"), "people") == [.int(3)])
  }

  @Test func beforeTheHistoryAndAnEmptyPeriod() throws {
    let f = try history()
    // Before the first commit who was on staff is not known: not an empty tree and every
    // role 0, but "not known" and why.
    let empty = try RosterReport.compute(f.context(period: "2019-12", at: "2025-12-31"))
    let tree = try section(empty, "tree")
    #expect(tree.table.known == false)
    #expect(tree.notes.isEmpty)
    #expect(
      tree.unknowns == [
        "the history begins on 2026-01-05 (its first commit is the starting state): who was on staff at the end of 2025-12-31 is not known"
      ])
    #expect(column(try section(empty, "by_role"), "people") == Array(repeating: .unknown, count: 5))
    #expect(try section(empty, "by_team").table.known == false)
    // December 2019: everyone joined in 2020, so 0 → 0 and the turnover is undefined.
    #expect(
      try section(empty, "movement").table.rows == [
        [.text("2019-12"), .int(0), .int(0), .int(0), .int(0), .percent(nil)]
      ])
    #expect(try section(empty, "joined_left").table.rows.isEmpty)
    let text = ReportRenderer.table(empty, width: 100)
    #expect(text.contains("(none)"))
    #expect(text.components(separatedBy: "(not known)").count - 1 == 2)
    #expect(!text.contains("0 on staff"))
  }

  /// The four renderings, with the commit id fixed: the fixture's commit ids depend on the
  /// shipped schema files it copies.
  @Test func goldenRenderings() throws {
    let f = try history()
    var report = try RosterReport.compute(f.context(period: "2026-Q1", at: "2026-03-31"))
    report.commit = "0123456789abcdef0123456789abcdef01234567"
    let directory = Golden.directory() + "/Golden/roster"
    Golden.check(ReportRenderer.table(report, width: 100), against: directory + "/roster.txt")
    Golden.check(ReportRenderer.csv(report), against: directory + "/roster.csv")
    Golden.check(ReportRenderer.markdown(report), against: directory + "/roster.md")
    Golden.check(HTMLRenderer.page(report), against: directory + "/roster.html")
    Golden.check(String(decoding: ReportRenderer.json(report), as: UTF8.self), against: directory + "/roster.json")
  }
}
