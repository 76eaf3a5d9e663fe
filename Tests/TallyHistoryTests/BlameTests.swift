import Foundation
import TallyGit
import TallyRecords
import TallyTestSupport
import TallyText
import Testing

@testable import TallyHistory

/// ``History/blame(_:events:)`` on scripted histories: every field of the record as it is
/// now, with the commit that last changed it — as `tally blame` computes it.
@Suite("Blame")
struct BlameTests {
  /// Blame of `key` at HEAD: field path → the summary of the commit blamed ("-" for none).
  func blame(_ f: HistoryFixture, _ key: String) throws -> [String: String] {
    let history = try f.history()
    let changes = try history.changes(try history.commits())
    let parts = key.split(separator: "/").map(String.init)
    let recordKey = RecordKey(type: parts[0], id: parts[1])
    let events = history.events(of: recordKey, in: changes)
    let bytes = try #require(try history.recordBytes(recordKey, at: try f.id("HEAD"), renamedFrom: events)).bytes
    let value = try #require(SyntaxTree.parse(bytes).tree?.value)
    var result: [String: String] = [:]
    for line in try history.blame(value, events: events) {
      #expect(result[line.path.description] == nil, "one line per field")
      result[line.path.description] = line.commit?.summary ?? "-"
    }
    return result
  }

  @Test func eachFieldIsBlamedOnTheCommitThatLastChangedIt() throws {
    let f = try HistoryFixture()
    try f.commit(
      "create", ["customers/C-0001.yaml": customer("甲公司", status: "lead", followUps: [("2026-03-02", "no_answer")])])
    try f.commit(
      "first call-back",
      [
        "customers/C-0001.yaml": customer(
          "甲公司", status: "prospect", followUps: [("2026-03-02", "no_answer"), ("2026-03-05", "interested")])
      ])
    // Reformatting (keys reordered, quoting) explains nothing.
    try f.commit(
      "reformat",
      [
        "customers/C-0001.yaml":
          "status: prospect\nfollow_ups:\n  - outcome: no_answer\n    date: 2026-03-02\n  - outcome: 'interested'\n    date: 2026-03-05\nname: '甲公司'\n"
      ])
    try f.commit(
      "outcome corrected",
      [
        "customers/C-0001.yaml": customer(
          "甲公司", status: "prospect", followUps: [("2026-03-02", "callback"), ("2026-03-05", "interested")])
      ])
    // Unrelated commits explain nothing either.
    try f.commit("another customer", ["customers/C-0002.yaml": customer("乙公司")])
    #expect(
      try blame(f, "customer/C-0001") == [
        "name": "create", "status": "first call-back", "follow_ups[0].date": "create",
        "follow_ups[0].outcome": "outcome corrected", "follow_ups[1].date": "first call-back",
        "follow_ups[1].outcome": "first call-back",
      ])
  }

  @Test func aValueChangedAndChangedBackIsBlamedOnTheLastChange() throws {
    let f = try HistoryFixture()
    try f.commit("lead", ["customers/C-0001.yaml": customer("甲公司", status: "lead")])
    try f.commit("prospect", ["customers/C-0001.yaml": customer("甲公司", status: "prospect")])
    try f.commit("lead again", ["customers/C-0001.yaml": customer("甲公司", status: "lead")])
    #expect(try blame(f, "customer/C-0001") == ["name": "lead", "status": "lead again"])
  }

  @Test func renamesAreFollowedAndARenameExplainsNothing() throws {
    let f = try HistoryFixture()
    try f.commit("create", ["customers/C-0041.yaml": customer("甲公司", status: "lead")])
    try f.commit("status", ["customers/C-0041.yaml": customer("甲公司", status: "prospect")])
    try f.git(["mv", "customers/C-0041.yaml", "customers/C-0042.yaml"])
    try f.commit("renumber")
    #expect(try blame(f, "customer/C-0042") == ["name": "create", "status": "status"])
  }

  @Test func aRecordCreatedAgainIsBlamedOnItsNewCreation() throws {
    let f = try HistoryFixture()
    try f.commit("create", ["customers/C-0001.yaml": customer("甲公司", status: "lead")])
    try f.commit("remove", ["customers/C-0001.yaml": nil])
    try f.commit("again", ["customers/C-0001.yaml": customer("甲公司", status: "lead")])
    #expect(try blame(f, "customer/C-0001") == ["name": "again", "status": "again"])
  }

  @Test func aFieldAddedAfterTheCreationIsBlamedOnTheCommitThatAddedIt() throws {
    let f = try HistoryFixture()
    try f.commit("create", ["customers/C-0001.yaml": customer("甲公司")])
    try f.commit("amount", ["customers/C-0001.yaml": customer("甲公司", amount: "100")])
    // An empty list is a field of its own.
    try f.commit("no contacts yet", ["customers/C-0001.yaml": customer("甲公司", amount: "100") + "contacts: []\n"])
    #expect(try blame(f, "customer/C-0001") == ["name": "create", "amount": "amount", "contacts": "no contacts yet"])
  }

  @Test func itemsOfAListMatchedByKeyKeepTheirBlameWhenAnotherIsInsertedBeforeThem() throws {
    // Contacts are matched by name: inserting 赵敏 before 李强 does not change 李强's entry,
    // whose phone was last changed by "new phone".
    let f = try HistoryFixture()
    try f.commit("create", ["customers/C-0001.yaml": customer("甲公司", contacts: [("李强", "111")])])
    try f.commit("new phone", ["customers/C-0001.yaml": customer("甲公司", contacts: [("李强", "222")])])
    try f.commit(
      "another contact", ["customers/C-0001.yaml": customer("甲公司", contacts: [("赵敏", "333"), ("李强", "222")])])
    let blamed = try blame(f, "customer/C-0001")
    #expect(
      blamed == [
        "name": "create", "contacts[0].name": "another contact", "contacts[0].phone": "another contact",
        "contacts[1].name": "create", "contacts[1].phone": "new phone",
      ], "\(blamed.sorted { $0.key < $1.key })")
  }

  @Test func aRemovedItemOfAKeyedListExplainsNoItemThatTookItsPlace() throws {
    // Removing 李强 (at index 0 before) leaves 赵敏 at index 0: the removal names the older
    // version's index, and says nothing about 赵敏's phone.
    let f = try HistoryFixture()
    try f.commit("create", ["customers/C-0001.yaml": customer("甲公司", contacts: [("李强", "111"), ("赵敏", "222")])])
    try f.commit("new phone", ["customers/C-0001.yaml": customer("甲公司", contacts: [("李强", "111"), ("赵敏", "333")])])
    try f.commit(
      "one leaves, one joins",
      ["customers/C-0001.yaml": customer("甲公司", contacts: [("赵敏", "333"), ("孙丽", "444")])])
    let blamed = try blame(f, "customer/C-0001")
    #expect(
      blamed == [
        "name": "create", "contacts[0].name": "create", "contacts[0].phone": "new phone",
        "contacts[1].name": "one leaves, one joins", "contacts[1].phone": "one leaves, one joins",
      ], "\(blamed.sorted { $0.key < $1.key })")
  }

  @Test func aFieldEmptiedInPlaceIsBlamedOnTheCommitThatEmptiedIt() throws {
    let f = try HistoryFixture()
    try f.commit("create", ["customers/C-0001.yaml": customer("甲公司", status: "lead")])
    try f.commit("emptied", ["customers/C-0001.yaml": "name: 甲公司\nstatus:\n"])
    #expect(try blame(f, "customer/C-0001") == ["name": "create", "status": "emptied"])
  }

  @Test func aFieldNoCommitExplainsHasNoCommit() throws {
    // A history that starts later than the record (as `blame` at a revision whose history
    // does not hold the creation): nothing explains the fields.
    let f = try HistoryFixture()
    let value = SyntaxTree.parse(Array("name: 甲公司\nstatus: lead\n".utf8)).tree!.value
    let lines = try f.history().blame(value, events: [])
    #expect(lines.map(\.path.description) == ["name", "status"])
    #expect(lines.allSatisfy { $0.commit == nil })
    #expect(lines.map { $0.value.text } == ["甲公司", "lead"])
  }
}
