import TallySchema
import TallyTestSupport
import Testing

@testable import TallyReports

@Suite("Periods")
struct PeriodTests {
  @Test(arguments: [
    ("2026-Q1", "2026-01-01", "2026-03-31"), ("2026-Q4", "2026-10-01", "2026-12-31"),
    ("2024-02", "2024-02-01", "2024-02-29"), ("2026-02", "2026-02-01", "2026-02-28"),
    ("2026-W10", "2026-03-02", "2026-03-08"), ("2026-W01", "2025-12-29", "2026-01-04"),
    ("2020-W53", "2020-12-28", "2021-01-03"), ("2026-03-05..2026-03-09", "2026-03-05", "2026-03-09"),
    ("2026-03-05", "2026-03-05", "2026-03-05"),
  ])
  func parses(text: String, start: String, end: String) throws {
    let period = try #require(Period.parse(text))
    #expect(period.start == CivilDate(start)!)
    #expect(period.end == CivilDate(end)!)
  }

  @Test(arguments: ["2026-Q5", "2026-13", "2026-W54", "2025-W53", "2026-03-09..2026-03-05", "Q1", "2026", ""])
  func rejects(text: String) {
    #expect(Period.parse(text) == nil)
  }

  @Test func weekLabels() {
    #expect(Period.weekLabel(CivilDate("2026-03-02")!) == "2026-W10")
    #expect(Period.weekLabel(CivilDate("2026-01-01")!) == "2026-W01")
    #expect(Period.weekLabel(CivilDate("2021-01-03")!) == "2020-W53")
  }
}

@Suite("Report renderers")
struct RendererTests {
  func sample() -> Report {
    Report(
      name: "demo", title: "演示 2026-Q1", commit: "0123456789abcdef", commitDate: "2026-03-31 18:00",
      scope: "2026-Q1",
      sections: [
        ReportSection(
          key: "by_owner", title: "按负责人",
          table: ReportTable(
            columns: [.init("owner", "负责人"), .init("count", "数量", numeric: true), .init("rate", "比率", numeric: true)],
            rows: [
              [.text("王芳"), .int(12), .percent(0.4567)], [.text("Li, \"Q\""), .int(3), .percent(nil)],
            ]),
          chart: Chart(kind: .bars, labels: ["王芳", "Li"], series: [("数量", [12, 3])], reference: 10))
      ])
  }

  @Test func tableAlignsCJKByDisplayWidth() {
    let text = ReportRenderer.table(sample(), width: 80)
    #expect(
      text == """
        演示 2026-Q1
        computed at 0123456 (2026-03-31 18:00)

        按负责人
          负责人   数量   比率
          ───────  ────  ─────
          王芳       12  45.7%
          Li, "Q"     3      –

        """)
  }

  @Test func csvIsRFC4180() {
    let csv = ReportRenderer.csv(sample())
    #expect(csv == "# 演示 2026-Q1 — 按负责人\r\n负责人,数量,比率\r\n王芳,12,45.7%\r\n\"Li, \"\"Q\"\"\",3,–\r\n")
    let bytes = ReportRenderer.render(sample(), as: .csv, bom: true)
    #expect(Array(bytes.prefix(3)) == [0xEF, 0xBB, 0xBF])
  }

  @Test func jsonKeepsTypes() {
    let json = String(decoding: ReportRenderer.json(sample()), as: UTF8.self)
    #expect(json.contains("{\"owner\":\"王芳\",\"count\":12,\"rate\":0.4567}"))
    #expect(json.contains("{\"owner\":\"Li, \\\"Q\\\"\",\"count\":3,\"rate\":null}"))
  }

  @Test func markdownAndHTML() {
    let md = ReportRenderer.markdown(sample())
    #expect(md.contains("| 负责人 | 数量 | 比率 |\n| --- | ---: | ---: |\n| 王芳 | 12 | 45.7% |\n"))
    let html = HTMLRenderer.page(sample())
    #expect(html.contains("<td>Li, &quot;Q&quot;</td>"))
    #expect(html.contains("<svg role=\"img\""))
    #expect(!html.contains("<script"))
  }

  /// A report with what it cannot know: a count before the history (a cell) and a list of a
  /// day before it (a table).
  func withUnknowns() -> Report {
    let why =
      "the history begins on 2026-07-01 (its first commit is the starting state): who was on staff at the end of 2026-06-30 is not known"
    return Report(
      name: "demo", title: "演示 2026-06-30", commit: "0123456789abcdef", commitDate: "2026-07-01 10:00",
      scope: "2026-06-30",
      sections: [
        ReportSection(
          key: "tree", title: "组织",
          table: ReportTable(columns: [.init("name", "姓名"), .init("team", "团队")], known: false), unknowns: [why]),
        ReportSection(
          key: "by_role", title: "按岗位",
          table: ReportTable(
            columns: [.init("role", "岗位"), .init("people", "人数", numeric: true)],
            rows: [[.text("经理"), .unknown], [.text("组长"), .unknown]]),
          notes: ["by role"], unknowns: [why]),
      ])
  }

  /// Unknowns are "?" and "(not known)" with the reason in every format, null in JSON —
  /// never 0 or "(none)".
  @Test func unknownsAreShownAsSuchInEveryFormat() {
    let report = withUnknowns()
    let directory = Golden.directory() + "/Golden/unknown/"
    Golden.check(ReportRenderer.table(report, width: nil), against: directory + "unknown.txt")
    Golden.check(ReportRenderer.csv(report), against: directory + "unknown.csv")
    Golden.check(ReportRenderer.markdown(report), against: directory + "unknown.md")
    Golden.check(HTMLRenderer.page(report), against: directory + "unknown.html")
    let json = String(decoding: ReportRenderer.json(report), as: UTF8.self)
    Golden.check(json, against: directory + "unknown.json")
    #expect(json.contains("\"rows\":null"))
    #expect(json.contains("{\"role\":\"经理\",\"people\":null}"))
    for format in ReportFormat.allCases {
      let text = String(decoding: ReportRenderer.render(report, as: format), as: UTF8.self)
      #expect(text.contains("who was on staff at the end of 2026-06-30 is not known"), "\(format)")
      #expect(!text.contains("(none)"), "\(format)")
    }
  }
}
