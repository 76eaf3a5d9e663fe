import Foundation
import TallyRecords
import Testing

@testable import TallyHistory

/// ``RecordChangeIndex``: a record's questions asked of the commits it narrows to answer as
/// they do of the whole history, renames and reused ids included.
@Suite("Record change index")
struct RecordChangeIndexTests {
  /// C-0041 renamed to C-0042, then to C-0043 with a change (a removal and an addition), then
  /// C-0041 used again; C-0001 changed alongside.
  func history() throws -> (HistoryFixture, [CommitChanges]) {
    let f = try HistoryFixture()
    try f.commit(
      "add",
      [
        "customers/C-0041.yaml": customer("甲公司", status: "lead"),
        "customers/C-0001.yaml": customer("乙公司", status: "lead"),
      ])
    try f.commit(
      "status",
      [
        "customers/C-0041.yaml": customer("甲公司", status: "prospect"),
        "customers/C-0001.yaml": customer("乙公司", status: "prospect"),
      ])
    try f.git(["mv", "customers/C-0041.yaml", "customers/C-0042.yaml"])
    try f.commit("renumber", ["customers/C-0001.yaml": customer("乙公司", status: "active")])
    try f.git(["mv", "customers/C-0042.yaml", "customers/C-0043.yaml"])
    try f.commit("renumber and change", ["customers/C-0043.yaml": customer("甲公司", status: "active")])
    try f.commit("new C-0041", ["customers/C-0041.yaml": customer("丙公司")])
    return (f, try f.changes())
  }

  func summary(_ events: [RecordEvent]) -> [String] {
    events.map { "\($0.commit.id.hex) \($0.change.kind) \($0.change.key)" }
  }

  @Test func aRecordsEventsAreTheWholeHistorysEvents() throws {
    let (f, changes) = try history()
    let history = try f.history()
    let index = RecordChangeIndex(changes)
    var compared = 0
    for id in ["C-0001", "C-0041", "C-0042", "C-0043", "C-0099"] {
      let key = RecordKey(type: "customer", id: id)
      let narrowed = index.commits(of: key)
      #expect(summary(history.events(of: key, in: narrowed)) == summary(history.events(of: key, in: changes)), "\(id)")
      // Only the commits that changed the record, with only its changes.
      #expect(narrowed.allSatisfy { $0.records.allSatisfy { $0.id != "C-0001" } || id == "C-0001" }, "\(id)")
      compared += history.events(of: key, in: changes).count
    }
    // C-0001 3, C-0041 3 (the new one, then the first, whose rename names C-0042), C-0042 4,
    // C-0043 1 (renamed and changed in one commit: an addition), C-0099 none.
    #expect(compared == 11)
    // C-0042 reaches back through its rename to C-0041's first two commits, not the new C-0041.
    let c42 = index.commits(of: RecordKey(type: "customer", id: "C-0042")).map(\.summary)
    #expect(c42 == ["add", "status", "renumber", "renumber and change"])
  }

  @Test func anIndexExtendedByNewCommitsIsTheIndexOfTheWholeHistory() throws {
    let (_, changes) = try history()
    let extended = RecordChangeIndex(Array(changes.prefix(2))).updated(to: changes)
    let whole = RecordChangeIndex(changes)
    #expect(extended.commits.map(\.id) == changes.map(\.id))
    for id in ["C-0001", "C-0041", "C-0042", "C-0043"] {
      let key = RecordKey(type: "customer", id: id)
      #expect(extended.commits(of: key) == whole.commits(of: key), "\(id)")
    }
    // Another history (not these commits and more) is indexed anew.
    let other = RecordChangeIndex(Array(changes.suffix(2))).updated(to: changes)
    #expect(other.commits.map(\.id) == changes.map(\.id))
  }
}
