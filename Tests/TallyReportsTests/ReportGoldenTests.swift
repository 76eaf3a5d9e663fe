import Foundation
import TallySchema
import TallyTestSupport
import Testing

@testable import TallyReports

/// Every report in every format `tally report --format` offers, on one small history,
/// compared with golden files (`Golden/all/<report>.<format>`; re-record with
/// `TALLY_RECORD_GOLDEN=1`). The clock is fixed (today 2026-03-31, the first quarter), the
/// time zone is the repository's (Asia/Shanghai, from `tally.yaml`), the table is fitted to
/// 100 columns, and no renderer reads the locale.
///
/// The history, one commit a line (author in brackets), begins before the quarter, so that
/// every figure over it is known:
///
///     2025-12-15 [外部人员] staff: 陈建国 S-0001 manager, 刘洋 S-0002 supervisor, 张伟 S-0003 lead of
///                华东一组 with 王芳 S-0004 and 李强 S-0005, 周杰 S-0008 lead of 华东二组 with
///                孙丽 S-0007; C-0001 甲公司 lead (王芳, A), C-0002 乙公司 active (李强, B, an
///                order of 5000 on 2025-12-20); the team's Q1 plan P-2026Q1-01
///     2026-01-20 [王芳]   C-0001 lead → prospect, a call (next contact 02-03)
///     2026-02-01 [张伟]   吴磊 S-0009 joins 华东一组; C-0003 丙公司 lead (孙丽, C)
///     2026-02-10 [李强]   C-0002: a high complaint of 02-09, a visit (next contact 02-20)
///     2026-02-25 [王芳]   C-0001 prospect → active, an order of 12000, a WeChat (next 03-10)
///     2026-03-02 [张伟]   weekly minutes: 张伟 and 王芳 there, 李强 absent; items for 王芳
///                (due 03-05) and 李强 (due 03-10)
///     2026-03-06 [王芳]   王芳's item done on 03-05; the plan's first step done
///     2026-03-15 [李强]   C-0002's complaint resolved on 03-14; C-0004 丁公司 prospect (李强)
///     2026-03-20 [张伟]   吴磊 leaves; C-0003 lead → churned (价格太高)
@Suite("Report golden files")
struct ReportGoldenTests {
  typealias T = PipelineFixtureText

  static let formats: [(ReportFormat, String)] = [
    (.table, "txt"), (.json, "json"), (.csv, "csv"), (.md, "md"), (.html, "html"),
  ]

  /// An action item of the minutes.
  struct Item {
    var task: String
    var owner: String
    var due: String
    var doneOn: String?
  }

  func minutes(items: [Item]) -> String {
    var text = "date: 2026-03-02\nkind: weekly\ntitle: 华东一组周会\nchair: S-0003\n"
    text += "attendees: [S-0003, S-0004]\nabsentees: [S-0005]\ndecisions:\n  - A 类客户每两周回访\naction_items:\n"
    for item in items {
      text += "  - task: \(item.task)\n    owner: \(item.owner)\n    due: \(item.due)\n"
      text += item.doneOn.map { "    status: done\n    done_on: \($0)\n" } ?? "    status: open\n"
    }
    return text
  }

  func plan(firstStepDone: String?) -> String {
    T.plan(
      "华东一组一季度销售计划", kind: "sales", period: "2026-Q1", owner: "S-0003", team: "华东一组",
      targets: [
        ("revenue", "30000", "S-0004"), ("revenue", "20000", "S-0005"), ("new_customers", "2", "S-0003"),
        ("follow_ups", "5", "S-0004"),
      ],
      steps: [
        ("整理 A 类客户名单", "S-0003", "2026-01-31", firstStepDone == nil ? "todo" : "done", firstStepDone),
        ("季度末冲刺", "S-0005", "2026-03-31", "todo", nil),
      ])
  }

  func history() throws -> ReportFixture {
    let f = try ReportFixture()
    let wu = { (left: String?) in
      f.staff("S-0009", "吴磊", role: "sales_rep", team: "华东一组", reportsTo: "S-0003", joined: "2026-02-01", left: left)
    }
    let c0001Calls: [(String, String, String, String?)] = [("2026-01-20", "S-0004", "phone", "2026-02-03")]
    try f.commit(
      "2025-12-15",
      [
        "staff/S-0001.yaml": f.staff("S-0001", "陈建国", role: "manager", team: "华东销售中心", reportsTo: nil),
        "staff/S-0002.yaml": f.staff("S-0002", "刘洋", role: "supervisor", team: "华东销售中心", reportsTo: "S-0001"),
        "staff/S-0003.yaml": f.staff("S-0003", "张伟", role: "team_lead", team: "华东一组", reportsTo: "S-0002"),
        "staff/S-0004.yaml": f.staff("S-0004", "王芳", role: "sales_rep", team: "华东一组", reportsTo: "S-0003"),
        "staff/S-0005.yaml": f.staff("S-0005", "李强", role: "sales_rep", team: "华东一组", reportsTo: "S-0003"),
        "staff/S-0008.yaml": f.staff("S-0008", "周杰", role: "team_lead", team: "华东二组", reportsTo: "S-0002"),
        "staff/S-0007.yaml": f.staff("S-0007", "孙丽", role: "sales_rep", team: "华东二组", reportsTo: "S-0008"),
        "customers/C-0001.yaml": T.customer("甲公司", status: "lead", owner: "S-0004", tier: "A"),
        "customers/C-0002.yaml": T.customer(
          "乙公司", status: "active", owner: "S-0005", orders: [("2025-12-20", "5000.00")]),
        "plans/P-2026Q1-01.yaml": plan(firstStepDone: nil),
      ])
    try f.commit(
      "2026-01-20", by: "S-0004",
      [
        "customers/C-0001.yaml": T.customer(
          "甲公司", status: "prospect", owner: "S-0004", tier: "A", followUps: c0001Calls)
      ])
    try f.commit(
      "2026-02-01", by: "S-0003",
      [
        "staff/S-0009.yaml": wu(nil),
        "customers/C-0003.yaml": T.customer("丙公司", status: "lead", owner: "S-0007", tier: "C"),
      ])
    let c0002 = { (resolved: String?) in
      T.customer(
        "乙公司", status: "active", owner: "S-0005", followUps: [("2026-02-10", "S-0005", "visit", "2026-02-20")],
        orders: [("2025-12-20", "5000.00")], complaints: [("2026-02-09", "high", resolved)])
    }
    try f.commit("2026-02-10", by: "S-0005", ["customers/C-0002.yaml": c0002(nil)])
    try f.commit(
      "2026-02-25", by: "S-0004",
      [
        "customers/C-0001.yaml": T.customer(
          "甲公司", status: "active", owner: "S-0004", tier: "A",
          followUps: c0001Calls + [("2026-02-25", "S-0004", "wechat", "2026-03-10")],
          orders: [("2026-02-25", "12000.00")])
      ])
    let items = [
      Item(task: "整理成交清单", owner: "S-0004", due: "2026-03-05"),
      Item(task: "准备演示材料", owner: "S-0005", due: "2026-03-10"),
    ]
    try f.commit("2026-03-02", by: "S-0003", ["minutes/2026-03-02-weekly-east1.yaml": minutes(items: items)])
    var done = items
    done[0].doneOn = "2026-03-05"
    try f.commit(
      "2026-03-06", by: "S-0004",
      [
        "minutes/2026-03-02-weekly-east1.yaml": minutes(items: done),
        "plans/P-2026Q1-01.yaml": plan(firstStepDone: "2026-01-30"),
      ])
    try f.commit(
      "2026-03-15", by: "S-0005",
      [
        "customers/C-0002.yaml": c0002("2026-03-14"),
        "customers/C-0004.yaml": T.customer("丁公司", status: "prospect", owner: "S-0005"),
      ])
    try f.commit(
      "2026-03-20", by: "S-0003",
      [
        "staff/S-0009.yaml": wu("2026-03-20"),
        "customers/C-0003.yaml": T.customer(
          "丙公司", status: "churned", owner: "S-0007", tier: "C", churnReason: "价格太高"),
      ])
    try f.expectValid()
    return f
  }

  @Test func everyReportInEveryFormat() throws {
    let f = try history()
    #expect(
      Reports.all.map { $0.name } == ["roster", "pipeline", "plan", "followups", "complaints", "meetings", "activity"])
    #expect(
      ReportFormat.allCases.map(\.rawValue) == Self.formats.map { $0.0.rawValue }, "a format without golden files")
    let directory = Golden.directory() + "/Golden/all"
    var compared = 0
    for definition in Reports.all {
      // As `tally report NAME --period 2026-Q1 --at 2026-03-31` run on 2026-03-31.
      let context = try f.context(period: "2026-Q1", at: "2026-03-31", today: "2026-03-31")
      let report = try definition.compute(context)
      #expect(report.name == definition.name)
      for (format, suffix) in Self.formats {
        let rendered = String(decoding: ReportRenderer.render(report, as: format, width: 100), as: UTF8.self)
        Golden.check(rendered, against: "\(directory)/\(definition.name).\(suffix)")
        compared += 1
      }
    }
    #expect(compared == 35)
  }
}
