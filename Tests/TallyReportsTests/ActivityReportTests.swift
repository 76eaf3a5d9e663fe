import TallySchema
import Testing

@testable import TallyReports

@Suite("Activity report")
struct ActivityReportTests {
  /// The timeline history: C-0006 renamed to C-0016 on 2026-05-01 and C-0004 to C-0014 on
  /// 2026-05-03; nothing changes after 2026-05-03.
  @Test func staleRecordsAreTheOnesThatExistByTheirNames() throws {
    let f = try PipelineTimelineTests.history()
    let context = try f.context(period: "2026-Q4")
    let report = try ActivityReport.compute(context)
    let rows = try report.rows("stale")
    let keys = rows.map { $0[0] }
    // A renamed record is stale under its new name only: the old one is no record.
    #expect(!keys.contains(.text("customer/C-0006")))
    #expect(!keys.contains(.text("customer/C-0004")))
    // Removed, then added again: a record like any other.
    #expect(keys.contains(.text("customer/C-0008")))
    func row(_ key: String) -> [Cell]? { rows.first { $0[0] == .text(key) } }
    #expect(row("customer/C-0016")?[1] == .text("己公司"))
    #expect(row("customer/C-0016")?[2] == .date(CivilDate("2026-05-01")!))
    #expect(row("customer/C-0014")?[1] == .text("丁公司"))
    #expect(row("staff/S-0001")?[1] == .text("陈建国"))
    // Every listed record exists at the report's commit, with its name read.
    #expect(rows.allSatisfy { $0[1] != .text("") })
  }

  @Test func oneRecordIsReadAtItsPathOrNotAtAll() throws {
    let f = try PipelineTimelineTests.history()
    let context = try f.context(period: "2026-Q4")
    #expect(try context.currentRecord("customer", "C-0016")?.string("name") == "己公司")
    #expect(try context.currentRecord("customer", "C-0006") == nil)
    #expect(try context.currentRecord("customer", "C-9999") == nil)
    #expect(try context.currentRecord("nonesuch", "X-1") == nil)
    // The same answer once the records of the type are read.
    _ = try context.current("customer")
    #expect(try context.currentRecord("customer", "C-0016")?.string("name") == "己公司")
  }

  /// Five staff and 70 customers: C-0100 … C-0139 added on 2026-01-01 (C-0100 … C-0109
  /// changed again on 2026-02-01), C-0140 … C-0169 added on 2026-01-15.
  @Test func theFiftyLeastRecentlyUpdatedAreListedInOrder() throws {
    let f = try ReportFixture()
    var files = f.team()
    files.removeValue(forKey: "staff/S-0006.yaml")
    func customer(_ number: Int, status: String = "lead") -> (String, String?) {
      ("customers/C-0\(number).yaml", PipelineFixtureText.customer("公司\(number)", status: status, owner: "S-0004"))
    }
    for number in 100..<140 { files[customer(number).0] = customer(number).1 }
    try f.commit("2026-01-01", by: "S-0001", files)
    try f.commit("2026-01-15", by: "S-0004", Dictionary(uniqueKeysWithValues: (140..<170).map { customer($0) }))
    try f.commit(
      "2026-02-01", by: "S-0004", Dictionary(uniqueKeysWithValues: (100..<110).map { customer($0, status: "prospect") })
    )
    let report = try ActivityReport.compute(f.context(period: "2026-Q4"))
    let rows = try report.rows("stale")
    // 30 customers and 5 staff of the first day, then 15 customers of the second, by id.
    let expected =
      (1...5).map { "staff/S-000\($0)" }.sorted().map { ($0, "2026-01-01") }
      + (110..<140).map { ("customer/C-0\($0)", "2026-01-01") }
      + (140..<155).map { ("customer/C-0\($0)", "2026-01-15") }
    #expect(
      rows.map { [$0[0], $0[2]] }
        == expected.sorted { ($0.1, $0.0) < ($1.1, $1.0) }.map { [.text($0.0), .date(CivilDate($0.1)!)] })
    #expect(rows.first?[1] == .text("公司110"))
    #expect(rows.first { $0[0] == .text("staff/S-0001") }?[1] == .text("陈建国"))
    let notes = try report.section("stale").notes
    #expect(notes.contains { $0.contains("75 records not updated") && $0.contains("70 customer, 5 staff") }, "\(notes)")
    #expect(notes.contains("the 50 least recently updated are listed"))
  }
}
