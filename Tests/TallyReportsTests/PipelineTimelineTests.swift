import TallySchema
import Testing

@testable import TallyReports

@Suite("Customer timeline")
struct PipelineTimelineTests {
  typealias T = PipelineFixtureText

  /// The pipeline history, then C-0006 renamed to C-0016 (same content), C-0008 (removed on
  /// 2026-03-15) added again, and C-0004 (of the first commit) renamed to C-0014.
  static func history() throws -> ReportFixture {
    let f = try PipelineReportTests.history()
    try f.commit(
      "2026-05-01", by: "S-0004",
      [
        "customers/C-0006.yaml": nil,
        "customers/C-0016.yaml": T.customer("己公司", status: "lead", owner: "S-0004"),
      ])
    try f.commit(
      "2026-05-02", by: "S-0005", ["customers/C-0008.yaml": T.customer("辛公司", status: "lead", owner: "S-0005")])
    try f.commit(
      "2026-05-03", by: "S-0007",
      [
        "customers/C-0004.yaml": nil,
        "customers/C-0014.yaml": T.customer("丁公司", status: "churned", owner: "S-0007", churnReason: "价格太高"),
      ])
    try f.expectValid()
    return f
  }

  @Test func theAdditionsReplayFindsWhatTheFullReplayFinds() throws {
    let context = try Self.history().context()
    let full = PipelineTimeline(context)
    let additions = PipelineTimeline(context, following: .additions)
    #expect(additions.addedOn == full.addedOn)
    #expect(additions.initialCustomers == full.initialCustomers)
    #expect(additions.defaultStatus == full.defaultStatus)
    // What they find: renamed customers keep their first addition under the new id; one
    // added again keeps its first; the first commit's customers are the starting state.
    #expect(additions.addedOn["C-0016"] == CivilDate("2025-12-20"))
    #expect(additions.addedOn["C-0006"] == nil)
    #expect(additions.addedOn["C-0008"] == CivilDate("2025-12-05"))
    #expect(additions.addedOn["C-0014"] == CivilDate("2025-10-01"))
    #expect(additions.initialCustomers == ["C-0014"])
    // Nothing else is kept.
    #expect(additions.events.isEmpty)
    #expect(additions.owners.isEmpty)
    #expect(!full.events.isEmpty)
  }
}
