import Foundation
import TallySchema
import TallyTestSupport
import TallyText
import Testing

@testable import TallyRecords

/// RecordEditing over the files of a snapshot (what `tally serve` edits at a commit): the
/// same edits as on the working tree, and nothing read from or written to the disk.
@Suite struct RecordEditingSnapshotTests {
  /// The fixture's files in memory, and an editing over them.
  func snapshotEditing(_ fixture: EditFixture) throws -> RecordEditing {
    let files = try WorkingTreeSource(root: fixture.directory.path).files().map { file in
      let bytes = try file.bytes()
      return SnapshotFile(path: file.path) { bytes }
    }
    return RecordEditing(
      repository: fixture.repository, today: fixture.editing.today, base: .snapshot(files, name: "commit abc1234"))
  }

  @Test func editsOfASnapshotAreTheWorkingTreesAndNeverTouchTheDisk() throws {
    let fixture = try EditFixture()
    let snapshot = try snapshotEditing(fixture)
    let onDisk = try fixture.set("customer/C-0042", ["tier=B", "loyalty=high"])
    let added = try fixture.editing.add(
      try fixture.target("customer/C-0042"), list: FieldPath().appending(key: "follow_ups"),
      arguments: ["date=2026-11-01", "by=S-0012", "channel=phone", "summary=回访"])
    // The working tree goes away: the snapshot's edits read only the snapshot.
    try FileManager.default.removeItem(atPath: fixture.directory.path + "/customers")
    let target = try snapshot.target(type: "customer", id: "C-0042")
    let edited = try snapshot.set(
      target, assignments: [try .init(parsing: "tier=B"), try .init(parsing: "loyalty=high")])
    #expect(edited.text == onDisk.text)
    #expect(edited.original == Array(EditFixture.customer.utf8))
    #expect(!edited.isRefused)
    let item = try snapshot.add(
      target, list: FieldPath().appending(key: "follow_ups"),
      arguments: ["date=2026-11-01", "by=S-0012", "channel=phone", "summary=回访"])
    #expect(item.text == added.text)
    // References are checked against the snapshot's records.
    #expect(throws: RecordEditing.Failure.self) {
      try snapshot.set(target, assignments: [try .init(parsing: "owner=S-0099")])
    }
    // The owner's `where` admits a sales rep and not the manager.
    let staff = try #require(fixture.repository.schema.type(named: "staff"))
    guard case .reference(let owner)? = fixture.repository.schema.type(named: "customer")?.object["owner"]?.type else {
      Issue.record("customer.owner is not a reference")
      return
    }
    #expect(snapshot.admits(owner, id: "S-0012", of: staff))
    #expect(!snapshot.admits(owner, id: "S-0001", of: staff))
    // An outcome of a snapshot is committed by the caller, never written to disk.
    #expect(throws: RecordEditing.Failure.self) { try snapshot.write(edited) }
    #expect(!FileManager.default.fileExists(atPath: fixture.directory.path + "/customers"))
    // A record the snapshot does not have is named as missing.
    #expect(throws: RecordEditing.Failure.self) { try snapshot.target(type: "customer", id: "C-0001") }
  }
}
