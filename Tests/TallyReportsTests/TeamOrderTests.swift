import TallySchema
import TallyTestSupport
import Testing

@testable import TallyReports

/// Teams in the order people expect, and filters that name nobody.
@Suite("Team order and filters")
struct TeamOrderTests {
  typealias T = PipelineFixtureText

  @Test func chineseNumeralsAndDigitsSortByValue() {
    #expect(
      NaturalOrder.sorted(["华东四组", "华东销售中心", "华东十二组", "华东二组", "华东三组", "华东十组", "华东一组"]) == [
        "华东一组", "华东二组", "华东三组", "华东四组", "华东十组", "华东十二组", "华东销售中心",
      ])
    // Code points would give 一 (U+4E00), 三 (U+4E09), 二 (U+4E8C), 四 (U+56DB).
    #expect(["华东四组", "华东二组", "华东三组", "华东一组"].sorted() == ["华东一组", "华东三组", "华东二组", "华东四组"])
    #expect(NaturalOrder.sorted(["Team 10", "Team 2", "Team 1"]) == ["Team 1", "Team 2", "Team 10"])
    #expect(NaturalOrder.sorted(["二十三组", "一百零五组", "二十组", "两组"]) == ["两组", "二十组", "二十三组", "一百零五组"])
    // Equal by value, ordered by text: the order is total.
    #expect(NaturalOrder.sorted(["二组", "2组"]) == ["2组", "二组"])
  }

  /// A manager and two supervisors; 刘洋 leads 华东一组 and 华东三组, 许敏 华东二组 and
  /// 华东四组, so the organisation tree alone would list the teams 一, 三, 二, 四. Each lead
  /// owns one customer, which becomes active on 2026-02-02; a plan for 2026-Q1 sets a target
  /// for the leads of 华东三组 and 华东二组, in that order.
  func fourTeams() throws -> ReportFixture {
    let f = try ReportFixture()
    var files: [String: String?] = [
      "staff/S-0001.yaml": f.staff("S-0001", "陈建国", role: "manager", team: "华东销售中心", reportsTo: nil),
      "staff/S-0002.yaml": f.staff("S-0002", "刘洋", role: "supervisor", team: "华东销售中心", reportsTo: "S-0001"),
      "staff/S-0003.yaml": f.staff("S-0003", "许敏", role: "supervisor", team: "华东销售中心", reportsTo: "S-0001"),
    ]
    let leads = [
      ("S-0011", "张伟", "华东一组", "S-0002"), ("S-0012", "王芳", "华东二组", "S-0003"),
      ("S-0013", "李强", "华东三组", "S-0002"), ("S-0014", "赵敏", "华东四组", "S-0003"),
    ]
    for (number, (id, name, team, boss)) in leads.enumerated() {
      files["staff/\(id).yaml"] = f.staff(id, name, role: "team_lead", team: team, reportsTo: boss)
      files["customers/C-000\(number + 1).yaml"] = T.customer("客户\(number + 1)", status: "prospect", owner: id)
    }
    files["plans/P-2026Q1-01.yaml"] = T.plan(
      "一季度计划", kind: "sales", period: "2026-Q1", owner: "S-0001", person: "S-0001",
      targets: [("new_customers", "1", "S-0013"), ("new_customers", "1", "S-0012")])
    try f.commit("2025-12-01", by: "S-0001", files)
    var active: [String: String?] = [:]
    for (number, (id, _, _, _)) in leads.enumerated() {
      active["customers/C-000\(number + 1).yaml"] = T.customer("客户\(number + 1)", status: "active", owner: id)
    }
    try f.commit("2026-02-02", by: "S-0001", active)
    try f.expectValid()
    return f
  }

  func teams(_ rows: [[Cell]], column: Int) -> [Cell] { rows.map { $0[column] } }

  @Test func everyReportThatListsTeamsListsThemInNaturalOrder() throws {
    let f = try fourTeams()
    let roster = try RosterReport.compute(f.context(at: "2026-03-31"))
    #expect(
      teams(try roster.rows("by_team"), column: 0) == [
        .text("华东销售中心"), .text("华东一组"), .text("华东二组"), .text("华东三组"), .text("华东四组"),
      ])

    let pipeline = try PipelineReport.compute(f.context(period: "2026-Q1"))
    let expected: [Cell] = [.text("华东一组"), .text("华东二组"), .text("华东三组"), .text("华东四组")]
    #expect(teams(try pipeline.rows("by_team"), column: 0) == expected)
    #expect(teams(try pipeline.rows("by_owner"), column: 1) == expected)

    let plan = try PlanReport.compute(f.context(period: "2026-Q1"))
    let totals = try plan.rows("totals")
    #expect(teams(totals, column: 1) == [.text("华东二组"), .text("华东三组"), .text("(whole plan)")])
  }

  @Test func aTeamThatIsNotInTheStaffRecordsIsRefusedWithTheLikelyOne() throws {
    let f = try fourTeams()
    let context = try f.context(period: "2026-Q1")
    for (given, likely) in [("华东2组", "华东二组"), ("二组", "华东二组"), ("华东三祖", "华东三组")] {
      context.team = given
      #expect {
        try context.checkFilters()
      } throws: { error in
        let error = error as? ReportFilterError
        return error?.suggestion == likely
          && error?.description == "--team: no team '\(given)' in the staff records (did you mean \(likely)?)"
      }
    }
    context.team = "北京"
    #expect {
      try context.checkFilters()
    } throws: { error in
      (error as? ReportFilterError)?.description
        == "--team: no team '北京' in the staff records (teams: 华东一组, 华东二组, 华东三组, 华东四组, 华东销售中心)"
    }
    context.team = "华东二组"
    try context.checkFilters()
  }

  @Test func anOwnerThatIsNotInTheStaffRecordsIsRefusedWithTheLikelyOne() throws {
    let f = try fourTeams()
    let context = try f.context(period: "2026-Q1")
    for (given, likely) in [("S-012", "S-0012 (王芳)"), ("王芳", "S-0012 (王芳)")] {
      context.owner = given
      #expect {
        try context.checkFilters()
      } throws: { error in
        (error as? ReportFilterError)?.description
          == "--owner: no staff member '\(given)' in the staff records (did you mean \(likely)?)"
      }
    }
    context.owner = "S-0012"
    try context.checkFilters()
  }
}
