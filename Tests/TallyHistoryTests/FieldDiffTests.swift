import TallyGit
import TallyRecords
import TallySchema
import TallyText
import Testing

@testable import TallyHistory

func value(_ text: String) -> Value {
  SyntaxTree.parse(Array(text.utf8)).tree!.value
}

@Suite("Field differences")
struct FieldDiffTests {
  @Test func keyOrderAndQuotingAreNotChanges() {
    let a = value("name: 华信\nstatus: active\namount: 100\n")
    let b = value("status: 'active'\nname: \"华信\"\namount: 100\n")
    #expect(FieldDiff.diff(a, b, spec: nil).isEmpty)
  }

  @Test func scalarsListsAndNesting() {
    let a = value("status: prospect\nfollow_ups:\n  - date: 2026-03-02\n    outcome: interested\n")
    let b = value(
      "status: active\nfollow_ups:\n  - date: 2026-03-02\n    outcome: ordered\n  - date: 2026-03-09\n    outcome: ordered\n"
    )
    let changes = FieldDiff.diff(a, b, spec: nil)
    #expect(changes.map(\.path.description) == ["status", "follow_ups[0].outcome", "follow_ups[1]"])
    #expect(changes.map(\.kind) == [.changed, .changed, .added])
    #expect(changes[0].old?.text == "prospect" && changes[0].new?.text == "active")
  }

  @Test func removedFieldsAndItems() {
    let a = value("churn_reason: price\norders:\n  - amount: 1\n  - amount: 2\n")
    let b = value("orders:\n  - amount: 1\n")
    let changes = FieldDiff.diff(a, b, spec: nil)
    #expect(changes.map(\.path.description) == ["orders[1]", "churn_reason"])
    #expect(changes.allSatisfy { $0.kind == .removed })
  }

  @Test func amountsCompareByValueWhenTheSchemaTypesThem() throws {
    let (schema, problems) = SchemaLoader.load(files: [
      (
        "schema/order.yaml",
        Array(
          "version: 1\ntype: order\ndirectory: orders\nid:\n  pattern: '^O-[0-9]+$'\nfields:\n  amount:\n    type: money\n  note:\n    type: text\n"
            .utf8)
      )
    ])
    #expect(problems.isEmpty, "\(problems)")
    let spec = try #require(schema.type(named: "order")).object
    #expect(FieldDiff.diff(value("amount: 100\n"), value("amount: 100.00\n"), spec: spec).isEmpty)
    #expect(FieldDiff.diff(value("note: 100\n"), value("note: 100.00\n"), spec: spec).count == 1)
  }
}

@Suite("History cache file")
struct HistoryCacheFileTests {
  func sample() -> CommitChanges {
    let author = Signature(name: "王芳", email: "wang@example.cn", time: 1_772_416_800, offsetMinutes: 480)
    return CommitChanges(
      id: ObjectID(hex: "0123456789abcdef0123456789abcdef01234567")!, parents: [], author: author, committer: author,
      message: "customer C-0042: status prospect → active\n",
      records: [
        RecordChange(
          kind: .modified, type: "customer", id: "C-0042",
          oldBlob: ObjectID(hex: "1111111111111111111111111111111111111111")!,
          newBlob: ObjectID(hex: "2222222222222222222222222222222222222222")!,
          fields: [
            FieldChange(
              path: FieldPath(parsing: "status")!, kind: .changed, old: .scalar("prospect", style: .plain),
              new: .scalar("active", style: .plain)),
            FieldChange(
              path: FieldPath(parsing: "follow_ups[1]")!, kind: .added, old: nil,
              new: value("date: 2026-03-09\nsummary: 签约\n")),
          ])
      ], schemaChanged: false)
  }

  @Test func roundTrips() throws {
    let directory = try TemporaryDirectoryForHistory()
    let path = directory.path + "/history"
    HistoryCache.save([sample()], to: path)
    let (entries, damaged, _) = HistoryCache.load(path)
    #expect(!damaged)
    #expect(entries.first == sample())
  }

  /// Values are decoded when read, but checked when the file is loaded: an entry whose
  /// checksum is right and whose value is not an encoding is damage.
  @Test func valuesAreCheckedWhenLoadedAndDecodedWhenRead() throws {
    let directory = try TemporaryDirectoryForHistory()
    let path = directory.path + "/history"
    HistoryCache.save([sample()], to: path)
    let (entries, _, _) = HistoryCache.load(path)
    let fields = try #require(entries.first?.records.first?.fields)
    #expect(fields[1].new == value("date: 2026-03-09\nsummary: 签约\n"))
    #expect(fields[1].old == nil)

    var body: [UInt8] = []
    HistoryCache.encodeCommit(sample(), into: &body)
    // The last value is the record's (absent: 0); make it a value with an unknown tag.
    #expect(body.last == 0)
    body[body.count - 1] = 1
    body.append(9)
    var out = HistoryCache.magic
    HistoryCache.putFixed64(UInt64(body.count), into: &out)
    HistoryCache.putFixed64(Checksum.of(body), into: &out)
    out.append(contentsOf: body)
    try FileSystemBytes.write(path, out)
    let (none, damaged, _) = HistoryCache.load(path)
    #expect(damaged && none.isEmpty)
  }

  /// A file of an older format is not damage: it is read as empty (and replaced).
  @Test func anOlderFormatIsNotDamage() throws {
    let directory = try TemporaryDirectoryForHistory()
    let path = directory.path + "/history"
    try FileSystemBytes.write(path, Array("TALLYHC1".utf8) + [UInt8](repeating: 7, count: 40))
    let (entries, damaged, _) = HistoryCache.load(path)
    #expect(entries.isEmpty && !damaged)
    try FileSystemBytes.write(path, Array("SOMETHING ELSE".utf8))
    #expect(HistoryCache.load(path).damaged)
  }

  @Test func aTornFileKeepsTheGoodEntriesAndSaysSo() throws {
    let directory = try TemporaryDirectoryForHistory()
    let path = directory.path + "/history"
    var second = sample()
    second.id = ObjectID(hex: "89abcdef0123456789abcdef0123456789abcdef")!
    HistoryCache.save([sample(), second], to: path)
    let bytes = try FileSystemBytes.read(path)
    for cut in [bytes.count - 1, bytes.count - 30, bytes.count / 2 + 10] {
      try FileSystemBytes.write(path, Array(bytes.prefix(cut)))
      let (entries, damaged, _) = HistoryCache.load(path)
      #expect(damaged)
      #expect(entries.count <= 1)
    }
    var flipped = bytes
    flipped[bytes.count - 5] ^= 0xFF
    try FileSystemBytes.write(path, flipped)
    let (entries, damaged, _) = HistoryCache.load(path)
    #expect(damaged && entries.count == 1)
  }
}
