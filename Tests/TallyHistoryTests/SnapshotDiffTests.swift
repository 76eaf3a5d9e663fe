import Foundation
import TallyGit
import TallyRecords
import TallyTestSupport
import TallyText
import Testing

@testable import TallyHistory

/// ``SnapshotDiff``: the per-record, per-field difference between two snapshots (commits,
/// the index, the working tree), its one-line summary, and the textconv view of a record —
/// what `tally diff` prints.
@Suite("Snapshot diff")
struct SnapshotDiffTests {
  func files(_ f: HistoryFixture, _ revision: String) throws -> [SnapshotFile] {
    try GitRevisionSource(repository: try Repository.discover(from: f.path), revision: revision, prefix: "").files()
  }

  func memory(_ contents: [String: String]) throws -> [SnapshotFile] {
    try MemorySource(contents: contents.mapValues { Array($0.utf8) }).files()
  }

  @Test func commitsAreComparedPerRecordAndPerField() throws {
    let f = try HistoryFixture()
    let a = try f.commit(
      "a",
      [
        "customers/C-0001.yaml": customer("甲公司", status: "lead", contacts: [("李强", "111")]),
        "customers/C-0002.yaml": customer("乙公司", status: "prospect"),
        "customers/C-0003.yaml": customer("丙公司"),
        "customers/C-0004.yaml": customer("丁公司", status: "lead"),
        "staff/S-0001.yaml": "name: 王芳\n",
        "README.md": "a\n",
      ])
    try f.commit("b", ["customers/C-0002.yaml": customer("乙公司", status: "active")])
    try f.git(["mv", "customers/C-0003.yaml", "customers/C-0030.yaml"])
    let c = try f.commit(
      "c",
      [
        "customers/C-0001.yaml": customer("甲公司", status: "prospect", contacts: [("赵敏", "333"), ("李强", "111")]),
        "customers/C-0004.yaml": "status: lead\nname: '丁公司'\n",
        "customers/C-0005.yaml": customer("戊公司", status: "lead"),
        "staff/S-0001.yaml": nil,
        "README.md": "c\n",
        "customers/notes.txt": "not a record\n",
      ])
    let records = try f.records()
    let changes = try SnapshotDiff.compare(try files(f, a.hex), try files(f, c.hex), records: records)
    #expect(
      changes.map(\.summaryForTest) == [
        "modified customer/C-0001: status changed lead → prospect; contacts[0] added",
        "modified customer/C-0002: status changed prospect → active",
        "modified customer/C-0004",
        "added customer/C-0005",
        "renamed customer/C-0030 from customer/C-0003",
        "removed staff/S-0001",
      ])
    #expect(changes[2].isReformatOnly)
    #expect(changes[3].value?["status"]?.text == "lead")
    #expect(changes[4].oldBlob == changes[4].newBlob)
    #expect(changes[5].oldBlob == (try f.id("\(a.hex):staff/S-0001.yaml")))
    #expect(
      SnapshotDiff.summary(changes, records: records)
        == "3 customers changed, 1 added, 1 renamed; 1 staff removed; +1 contact")

    // A snapshot against itself, and a value changed and changed back: no difference.
    #expect(try SnapshotDiff.compare(try files(f, c.hex), try files(f, c.hex), records: records).isEmpty)
    try f.commit("d", ["customers/C-0002.yaml": customer("乙公司", status: "prospect")])
    let back = try SnapshotDiff.compare(try files(f, "HEAD~3"), try files(f, "HEAD"), records: records)
    #expect(!back.contains { $0.id == "C-0002" })
    #expect(SnapshotDiff.summary([], records: records) == "no changes")
  }

  @Test func theWorkingTreeAndTheIndexAreSnapshotsToo() throws {
    let f = try HistoryFixture()
    try f.commit("a", ["customers/C-0001.yaml": customer("甲公司", status: "lead")])
    try f.write(["customers/C-0001.yaml": customer("甲公司", status: "prospect")])
    try f.git(["add", "-A"])
    try f.write(["customers/C-0002.yaml": customer("乙公司")])
    let git = try Repository.discover(from: f.path)
    let records = try f.records()
    let head = try files(f, "HEAD")
    let staged = try SnapshotDiff.compare(head, try IndexSource(repository: git, prefix: "").files(), records: records)
    #expect(staged.map(\.summaryForTest) == ["modified customer/C-0001: status changed lead → prospect"])
    let working = try SnapshotDiff.compare(head, try WorkingTreeSource(root: f.path).files(), records: records)
    #expect(
      working.map(\.summaryForTest) == [
        "modified customer/C-0001: status changed lead → prospect", "added customer/C-0002",
      ])
  }

  @Test func theSummaryCountsItemsAddedAndClosed() throws {
    let f = try HistoryFixture()
    let records = try f.records()
    let old = try memory([
      "customers/C-0001.yaml": customer("甲公司", followUps: [("2026-03-02", "no_answer")]),
      "customers/C-0002.yaml": customer("乙公司"),
    ])
    let new = try memory([
      "customers/C-0001.yaml": customer(
        "甲公司", followUps: [("2026-03-02", "no_answer"), ("2026-03-03", "interested"), ("2026-03-04", "ordered")]),
      "customers/C-0002.yaml": customer("乙公司", followUps: [("2026-03-05", "callback")]) + "status: lead\n",
    ])
    let changes = try SnapshotDiff.compare(old, new, records: records)
    #expect(
      changes.map(\.summaryForTest) == [
        "modified customer/C-0001: follow_ups[1] added; follow_ups[2] added",
        "modified customer/C-0002: follow_ups added; status added",
      ])
    // Two items added to a list (a whole new list is one field, not an item).
    #expect(SnapshotDiff.summary(changes, records: records) == "2 customers changed; +2 follow-ups")

    // Items closed: a status that becomes done, or a resolved_on / done_on that appears.
    let closing = [
      RecordChange(
        kind: .modified, type: "customer", id: "C-0001", oldBlob: nil, newBlob: nil,
        fields: [
          FieldChange(
            path: FieldPath(parsing: "complaints[0].resolved_on")!, kind: .added, old: nil, new: .text("2026-03-05")),
          FieldChange(
            path: FieldPath(parsing: "action_items[2].status")!, kind: .changed, old: .text("open"), new: .text("done")),
          FieldChange(
            path: FieldPath(parsing: "action_items[3].status")!, kind: .changed, old: .text("done"), new: .text("open")),
        ])
    ]
    #expect(
      SnapshotDiff.summary(closing, records: records) == "1 customer changed; 1 complaint closed; 1 action item closed")
  }

  @Test func textconvWritesOneLinePerField() {
    let record = SyntaxTree.parse(
      Array(
        "name: 甲公司\nnotes: |\n  第一行\n  第二行\ncontacts:\n  - name: 李强\n    phone: '111'\ntags: []\nowner:\n".utf8)
    ).tree!.value
    // A block's lines are indented under its field (its final line break leaves an
    // indented empty line).
    #expect(
      SnapshotDiff.textconv(record)
        == "name: 甲公司\nnotes: |\n    第一行\n    第二行\n    \ncontacts[0].name: 李强\ncontacts[0].phone: 111\n"
        + "tags: []\nowner:\n")
  }
}
