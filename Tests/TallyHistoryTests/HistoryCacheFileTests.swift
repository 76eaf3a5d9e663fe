import Foundation
import TallyGit
import TallyRecords
import TallySchema
import TallyText
import Testing

@testable import TallyHistory

func value(_ text: String) -> Value {
  SyntaxTree.parse(Array(text.utf8)).tree!.value
}

/// The history keeps ``FieldDiff``'s differences by position: items of a list with
/// `unique_by` matched by key, the others by position, as `tally log` shows them.
@Suite("Field changes in the history")
struct FieldChangeTests {
  static let schema = """
    version: 1
    type: customer
    directory: customers
    id:
      pattern: ^C-[0-9]+$
    fields:
      status: text
      amount: money
      contacts:
        type: list
        unique_by: name
        items:
          type: object
          fields:
            name: text
            phone: text
      follow_ups:
        type: list
        items:
          type: object
          fields:
            summary: text

    """

  @Test func itemsByKeyOrByPositionAmountsByValue() throws {
    let (schema, problems) = SchemaLoader.load(files: [("schema/customer.yaml", Array(Self.schema.utf8))])
    #expect(problems.isEmpty, "\(problems)")
    let spec = try #require(schema.type(named: "customer")).object
    let old = value(
      "status: lead\namount: 100\ncontacts:\n  - name: 李强\n    phone: '1'\n  - name: 王芳\nfollow_ups:\n  - summary: a\n"
    )
    let new = value(
      "status: active\namount: 100.00\ncontacts:\n  - name: 王芳\n  - name: 李强\n    phone: '2'\nfollow_ups:\n  - summary: b\n  - summary: c\nnote: x\n"
    )
    let changes = FieldChange.between(old, new, spec: spec)
    #expect(
      changes.map(\.path.description) == [
        "status", "contacts[1].phone", "follow_ups[0].summary", "follow_ups[1]", "note",
      ])
    #expect(changes.map(\.kind) == [.changed, .changed, .changed, .added, .added])
    #expect(changes[1].old == .text("1") && changes[1].new == .text("2"))
    #expect(changes[4].old == nil && changes[4].new == .text("x"))
    #expect(
      FieldChange.between(new, old, spec: spec).map(\.kind) == [.changed, .changed, .changed, .removed, .removed])
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

  /// New entries are appended to the file that was read, in place (the same file, not a
  /// rewrite); a file changed since it was read is rewritten whole instead.
  @Test func newEntriesAreAppendedInPlace() throws {
    let directory = try TemporaryDirectoryForHistory()
    let path = directory.path + "/history"
    HistoryCache.save([sample()], to: path)
    let (_, _, loaded) = HistoryCache.load(path)
    let file = try #require(loaded)
    let inode = try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? Int
    var second = sample()
    second.id = ObjectID(hex: "89abcdef0123456789abcdef0123456789abcdef")!
    HistoryCache.save(appending: [second], to: file, at: path)
    #expect(try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? Int == inode)
    let (entries, damaged, _) = HistoryCache.load(path)
    #expect(!damaged)
    #expect(entries.map(\.id) == [sample().id, second.id])

    // Someone rewrote the file since it was read: it is written whole, from what was read.
    var third = sample()
    third.id = ObjectID(hex: "fedcba9876543210fedcba9876543210fedcba98")!
    try FileSystemBytes.write(path, try FileSystemBytes.read(path) + [0, 1, 2])
    HistoryCache.save(appending: [third], to: file, at: path)
    let (rewritten, stillDamaged, _) = HistoryCache.load(path)
    #expect(!stillDamaged)
    #expect(rewritten.map(\.id) == [sample().id, third.id])
  }

  /// Appending without reading: a file is started when there is none (or of another format),
  /// and extended when there is one.
  @Test func appendingWithoutReading() throws {
    let directory = try TemporaryDirectoryForHistory()
    let path = directory.path + "/history"
    HistoryCache.append([sample()], at: path)
    var second = sample()
    second.id = ObjectID(hex: "89abcdef0123456789abcdef0123456789abcdef")!
    HistoryCache.append([second], at: path)
    let (entries, damaged, _) = HistoryCache.load(path)
    #expect(!damaged)
    #expect(entries.map(\.id) == [sample().id, second.id])
    try FileSystemBytes.write(path, Array("TALLYHC1 an older format".utf8))
    HistoryCache.append([second], at: path)
    #expect(HistoryCache.load(path).entries.map(\.id) == [second.id])
  }
}
