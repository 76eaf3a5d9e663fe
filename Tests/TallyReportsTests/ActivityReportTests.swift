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
}
