import Testing

@testable import TallyText

@Suite("Text tables")
struct TextTableTests {
  func sample() -> TextTable {
    TextTable(
      columns: [.init("Team"), .init("Customers at end", alignRight: true), .init("Reason")],
      rows: [
        ["华东一组", "12", "对售后服务不满意，要求退款"],
        ["Team 2", "3", "price"],
      ])
  }

  @Test func withoutAWidthNothingIsCutAndCJKTextLinesUp() {
    #expect(
      sample().render(width: nil) == """
        Team      Customers at end  Reason
        ────────  ────────────────  ──────────────────────────
        华东一组                12  对售后服务不满意，要求退款
        Team 2                   3  price

        """)
  }

  @Test func aWidthWrapsTitlesFirstThenCutsTheWidestTextColumn() {
    // 52 columns unfitted; the number's title wraps first (to 9), then the reason is cut.
    let text = sample().render(width: 40)
    #expect(
      text == """
        Team      Customers  Reason
                     at end
        ────────  ─────────  ───────────────────
        华东一组         12  对售后服务不满意，…
        Team 2            3  price

        """)
    #expect(text.split(separator: "\n").allSatisfy { DisplayWidth.of($0) <= 40 })
  }

  @Test func numbersAndShortColumnsAreNeverCut() {
    let text = sample().render(width: 10)
    // Team and Reason stop at six columns; the number column keeps its width.
    #expect(text.contains("华东…          12  对售…"))
  }

  @Test func aCellWithLineBreaksContinuesInItsColumn() {
    let table = TextTable(
      columns: [.init("Field"), .init("Value")], rows: [["notes", "第一行\n第二行\n"], ["tier", "A"]], header: false)
    #expect(
      table.render(width: nil) == """
        notes  第一行
               第二行
        tier   A

        """)
  }
}
