import Foundation
import TallyGit
import TallyRecords
import TallySchema
import TallyTestSupport
import TallyText
import Testing

@testable import TallyHistory

/// ``History`` on small scripted histories: which records each commit added, removed,
/// renamed or changed, and which fields, as `tally log` reads them.
@Suite("History walk")
struct HistoryWalkTests {
  static let li = (name: "李强", email: "li@example.cn")

  @Test func eachCommitSaysWhichRecordsAndFieldsChanged() throws {
    let f = try HistoryFixture()
    let c1 = try f.commit(
      "start",
      [
        "customers/C-0001.yaml": customer("甲公司", status: "lead", contacts: [("李强", "111")]),
        "customers/C-0002.yaml": customer("乙公司", status: "prospect"),
        "staff/S-0001.yaml": "name: 王芳\nemail: wang@example.cn\n",
        "README.md": "records\n",
      ])
    let c2 = try f.commit(
      "status and a follow-up",
      [
        "customers/C-0001.yaml": customer(
          "甲公司", status: "prospect", contacts: [("李强", "111")], followUps: [("2026-03-03", "interested")])
      ],
      author: Self.li)
    // Keys reordered and quoted: a commit that changes no field.
    try f.commit(
      "reformat",
      [
        "customers/C-0001.yaml":
          "status: 'prospect'\nname: \"甲公司\"\nfollow_ups:\n  - outcome: interested\n    date: 2026-03-03\ncontacts:\n  - phone: '111'\n    name: 李强\n"
      ])
    try f.commit("remove", ["customers/C-0002.yaml": nil])
    // Files that are not records: outside the record directories, or not `.yaml`.
    try f.commit("not records", ["README.md": "records, v2\n", "customers/notes.txt": "笔记\n"])
    let c6 = try f.commit(
      "field removed, item removed",
      ["customers/C-0001.yaml": customer("甲公司", contacts: [("李强", "111")])])

    let changes = try f.changes()
    #expect(
      changes.map(\.summary) == [
        "start", "status and a follow-up", "reformat", "remove", "not records", "field removed, item removed",
      ])
    #expect(
      changes.map { $0.records.map(\.summaryForTest) } == [
        ["added customer/C-0001", "added customer/C-0002", "added staff/S-0001"],
        ["modified customer/C-0001: status changed lead → prospect; follow_ups added"],
        ["modified customer/C-0001"],
        ["removed customer/C-0002"],
        [],
        ["modified customer/C-0001: status removed; follow_ups removed"],
      ])
    #expect(changes[2].records[0].isReformatOnly)
    #expect(!changes[1].records[0].isReformatOnly)

    // Who and when, and the values.
    #expect(changes[0].id == c1 && changes[0].parents.isEmpty)
    #expect(changes[1].id == c2 && changes[1].parents == [c1])
    #expect(changes[5].id == c6)
    #expect(changes[1].author.name == "李强" && changes[1].author.email == "li@example.cn")
    #expect(changes[1].committer.name == "王芳")
    #expect(changes[1].author.time == 1_772_424_000 && changes[1].author.offsetMinutes == 480)
    let created = try #require(changes[0].records.first { $0.id == "C-0001" })
    #expect(
      created.value
        == SyntaxTree.parse(Array(customer("甲公司", status: "lead", contacts: [("李强", "111")]).utf8)).tree?.value)
    #expect(created.oldBlob == nil)
    #expect(created.newBlob == (try f.id("\(c1.hex):customers/C-0001.yaml")))
    let removed = try #require(changes[3].records.first)
    #expect(removed.oldBlob == (try f.id("\(c1.hex):customers/C-0002.yaml")))
    #expect(removed.newBlob == nil)
    let statusChange = try #require(changes[1].records[0].fields.first)
    #expect(statusChange.path.description == "status" && statusChange.kind == .changed)
    #expect(statusChange.old?.text == "lead" && statusChange.new?.text == "prospect")
    let followUp = try #require(changes[1].records[0].fields.last)
    #expect(
      followUp.new == .sequence([SyntaxTree.parse(Array("date: 2026-03-03\noutcome: interested\n".utf8)).tree!.value]))
    // The first commit holds tally.yaml and the schemas.
    #expect(changes.map(\.schemaChanged) == [true, false, false, false, false, false])
  }

  @Test func aFieldChangedAndChangedBackIsTwoChanges() throws {
    let f = try HistoryFixture()
    try f.commit("lead", ["customers/C-0001.yaml": customer("甲公司", status: "lead")])
    try f.commit("prospect", ["customers/C-0001.yaml": customer("甲公司", status: "prospect")])
    try f.commit("lead again", ["customers/C-0001.yaml": customer("甲公司", status: "lead")])
    let changes = try f.changes()
    #expect(
      changes.dropFirst().map { $0.records.map(\.summaryForTest) } == [
        ["modified customer/C-0001: status changed lead → prospect"],
        ["modified customer/C-0001: status changed prospect → lead"],
      ])
    // The same bytes again: the same blob as in the first commit.
    #expect(changes[2].records[0].newBlob == changes[0].records[0].newBlob)
  }

  @Test func renamesAreFollowedByContent() throws {
    let f = try HistoryFixture()
    let c1 = try f.commit("add", ["customers/C-0041.yaml": customer("甲公司", status: "lead")])
    try f.commit("status", ["customers/C-0041.yaml": customer("甲公司", status: "prospect")])
    try f.git(["mv", "customers/C-0041.yaml", "customers/C-0042.yaml"])
    let renamed = try f.commit("renumber")
    // Renamed and changed in one commit: by content, that is a removal and an addition.
    try f.git(["mv", "customers/C-0042.yaml", "customers/C-0043.yaml"])
    try f.commit("renumber and change", ["customers/C-0043.yaml": customer("甲公司", status: "active")])
    // The old id used again by a new record: another record's history.
    try f.commit("new C-0041", ["customers/C-0041.yaml": customer("丙公司")])
    let changes = try f.changes()
    #expect(
      changes.map { $0.records.map(\.summaryForTest) } == [
        ["added customer/C-0041"],
        ["modified customer/C-0041: status changed lead → prospect"],
        ["renamed customer/C-0042 from customer/C-0041"],
        ["removed customer/C-0042", "added customer/C-0043"],
        ["added customer/C-0041"],
      ])
    let history = try f.history()
    // C-0042's history reaches back through the rename, and ends where it was renamed away.
    let events = history.events(of: RecordKey(type: "customer", id: "C-0042"), in: changes)
    #expect(
      events.map { "\($0.commit.summary): \($0.change.kind)" } == [
        "renumber and change: removed", "renumber: renamed", "status: modified", "add: added",
      ])
    // The record's bytes at the first commit, found under the id it had then.
    let bytes = try history.recordBytes(RecordKey(type: "customer", id: "C-0042"), at: c1, renamedFrom: events)
    #expect(bytes?.path == "customers/C-0041.yaml")
    #expect(bytes?.bytes == Array(customer("甲公司", status: "lead").utf8))
    #expect(
      try history.recordBytes(RecordKey(type: "customer", id: "C-0042"), at: renamed, renamedFrom: [])?.path
        == "customers/C-0042.yaml")
    #expect(try history.recordBytes(RecordKey(type: "customer", id: "C-0099"), at: renamed, renamedFrom: []) == nil)
  }

  @Test func aRecordRemovedAndCreatedAgainIsOneHistory() throws {
    let f = try HistoryFixture()
    try f.commit("add", ["customers/C-0001.yaml": customer("甲公司", status: "lead")])
    try f.commit("remove", ["customers/C-0001.yaml": nil])
    try f.commit("again", ["customers/C-0001.yaml": customer("甲公司", status: "prospect")])
    let changes = try f.changes()
    let events = try f.history().events(of: RecordKey(type: "customer", id: "C-0001"), in: changes)
    #expect(
      events.map { "\($0.commit.summary): \($0.change.kind)" } == ["again: added", "remove: removed", "add: added"])
  }

  /// main: m1 — m2 ————————— M — m3
  ///             \— s1 — s2 —/
  /// s1 and s2 change C-0001 on the side branch, m2 changes C-0002 on main.
  func mergedHistory() throws -> HistoryFixture {
    let f = try HistoryFixture()
    try f.commit(
      "m1",
      [
        "customers/C-0001.yaml": customer("甲公司", status: "lead"),
        "customers/C-0002.yaml": customer("乙公司", status: "lead"),
      ])
    try f.git(["checkout", "-q", "-b", "side"])
    try f.commit("s1", ["customers/C-0001.yaml": customer("甲公司", status: "prospect")])
    try f.commit("s2", ["customers/C-0001.yaml": customer("甲公司", status: "prospect", amount: "100")])
    try f.git(["checkout", "-q", "main"])
    try f.commit("m2", ["customers/C-0002.yaml": customer("乙公司", status: "active")])
    try f.git(["merge", "-q", "--no-ff", "-m", "M", "side"], environment: f.nextDate())
    try f.commit("m3", ["customers/C-0001.yaml": customer("甲公司", status: "active", amount: "100")])
    return f
  }

  @Test func theFirstParentTimelineShowsAMergeAsOneStep() throws {
    let f = try mergedHistory()
    let changes = try f.changes()
    #expect(changes.map(\.summary) == ["m1", "m2", "M", "m3"])
    #expect(changes[2].parents.count == 2)
    // The merge brings what the side branch did, compared with main before it.
    #expect(
      changes[2].records.map(\.summaryForTest) == [
        "modified customer/C-0001: status changed lead → prospect; amount added"
      ])
    let expected = try f.git(["rev-list", "--first-parent", "--reverse", "HEAD"]).stdout
    #expect(changes.map(\.id.hex).joined(separator: "\n") + "\n" == expected)
  }

  @Test func everyParentShowsTheMergedCommitsOnTheirOwn() throws {
    let f = try mergedHistory()
    let changes = try f.changes(firstParent: false)
    #expect(Set(changes.map(\.summary)) == ["m1", "s1", "s2", "m2", "M", "m3"])
    #expect(changes.count == 6)
    let bySummary = Dictionary(uniqueKeysWithValues: changes.map { ($0.summary, $0) })
    #expect(
      bySummary["s1"]?.records.map(\.summaryForTest) == ["modified customer/C-0001: status changed lead → prospect"])
    #expect(bySummary["s2"]?.records.map(\.summaryForTest) == ["modified customer/C-0001: amount added"])
    // The merge still shows what it brought relative to its first parent.
    #expect(
      bySummary["M"]?.records.map(\.summaryForTest) == [
        "modified customer/C-0001: status changed lead → prospect; amount added"
      ])
    // Parents come before their children.
    for (position, commit) in changes.enumerated() {
      for parent in commit.parents {
        #expect(changes.prefix(position).contains { $0.id == parent }, "\(commit.summary)")
      }
    }
    // Only the side branch.
    #expect(try f.changes("main..side", firstParent: false).map(\.summary) == [])
    #expect(try f.changes("main~2..side", firstParent: false).map(\.summary) == ["s1", "s2"])
  }

  @Test func schemaChangesAreMarkedAndTheHistoryIsReadByTheCurrentSchemas() throws {
    let f = try HistoryFixture()
    // At first, `amount` is text and the contacts are matched by position.
    let textAmount = HistoryFixture.customerSchema
    let positional = textAmount.replacingOccurrences(of: "    unique_by: name\n", with: "")
    try f.write(["schema/customer.yaml": positional])
    try f.commit(
      "start", ["customers/C-0001.yaml": customer("甲公司", amount: "100", contacts: [("李强", "111"), ("赵敏", "222")])])
    try f.commit(
      "amount written as 100.00, contacts reordered",
      ["customers/C-0001.yaml": customer("甲公司", amount: "100.00", contacts: [("赵敏", "222"), ("李强", "111")])])
    let money = textAmount.replacingOccurrences(of: "  amount:\n    type: text\n", with: "  amount:\n    type: money\n")
    try f.commit("schema: amounts are money, contacts by name", ["schema/customer.yaml": money])
    try f.commit("settings", ["tally.yaml": HistoryFixture.config + "currency: CNY\n"])
    try f.commit(
      "a field of a new type",
      ["customers/C-0001.yaml": customer("甲公司", amount: "120", contacts: [("赵敏", "222"), ("李强", "111")])])

    let changes = try f.changes()
    #expect(changes.map(\.schemaChanged) == [true, false, true, true, false])
    // The whole history is read with the schemas as they are now: the amount compares as
    // money and the contacts by name, so the second commit changed no field.
    #expect(
      changes.map { $0.records.map(\.summaryForTest) } == [
        ["added customer/C-0001"], ["modified customer/C-0001"], [], [],
        ["modified customer/C-0001: amount changed 100.00 → 120"],
      ])
    // Read with the first schemas, the same commit changes both.
    try f.write(["schema/customer.yaml": positional, "tally.yaml": HistoryFixture.config])
    let before = try f.changes()
    #expect(
      before[1].records.map(\.summaryForTest) == [
        "modified customer/C-0001: amount changed 100 → 100.00; contacts[0].name changed 李强 → 赵敏; contacts[0].phone changed 111 → 222; contacts[1].name changed 赵敏 → 李强; contacts[1].phone changed 222 → 111"
      ])
  }

  @Test func aTypeAddedLaterFindsTheRecordsOfItsDirectory() throws {
    let f = try HistoryFixture()
    try f.write(["schema/staff.yaml": nil])
    try f.commit("customers only", ["customers/C-0001.yaml": customer("甲公司"), "staff/S-0001.yaml": "name: 王芳\n"])
    try f.commit("staff schema", ["schema/staff.yaml": HistoryFixture.staffSchema])
    try f.commit("staff change", ["staff/S-0001.yaml": "name: 王芳\nemail: wang@example.cn\n"])
    let changes = try f.changes()
    #expect(
      changes.map { $0.records.map(\.summaryForTest) } == [
        ["added customer/C-0001", "added staff/S-0001"], [], ["modified staff/S-0001: email added"],
      ])
    #expect(changes.map(\.schemaChanged) == [true, true, false])
  }

  @Test func theCacheGivesTheSameHistoryAndOnlyNewCommitsAreComputed() throws {
    let f = try mergedHistory()
    let fresh = try f.changes()
    let first = try f.history(persistent: true)
    #expect(try first.changes(first.commits()) == fresh)
    #expect(first.stats.computed == 4 && first.stats.fromCache == 0)
    first.save()

    let second = try f.history(persistent: true)
    let ids = try second.commits()
    #expect(ids == fresh.map(\.id))
    #expect(try second.changes(ids) == fresh)
    #expect(second.stats.computed == 0 && second.stats.fromCache == 4)

    try f.commit("m4", ["customers/C-0002.yaml": customer("乙公司", status: "churned")])
    try f.commit("m5", ["customers/C-0003.yaml": customer("丙公司")])
    let third = try f.history(persistent: true)
    let later = try third.changes(third.commits())
    #expect(later == (try f.changes()))
    #expect(third.stats.computed == 2 && third.stats.fromCache == 4)
    #expect(
      later.suffix(2).map { $0.records.map(\.summaryForTest) } == [
        ["modified customer/C-0002: status changed active → churned"], ["added customer/C-0003"],
      ])
  }

  /// A long walk is worked out a batch of commits at a time, each read back from its
  /// encoding (so that its parsed values can go): the changes, the cache it saves and the
  /// progress are those of one batch — also for records added in one batch and changed,
  /// renamed or removed in the next.
  @Test func aWalkInBatchesGivesTheSameHistoryAndCache() throws {
    let f = try mergedHistory()
    try f.commit("b1", ["customers/C-0002.yaml": customer("乙公司", status: "churned", amount: "1,200.00")])
    try f.commit("b2", ["customers/C-0003.yaml": customer("丙公司", contacts: [("李雷", "138 0000 0000")])])
    try f.commit(
      "b3",
      [
        "customers/C-0003.yaml": customer("丙公司", contacts: [("李雷", "139 0000 0000"), ("韩梅梅", "1")]),
        "staff/S-0001.yaml": "name: 张伟\nemail: zhang@example.cn\n",
      ])
    try f.commit(
      "b4",
      [
        "customers/C-0003.yaml": nil,
        "customers/C-0009.yaml": customer("丙公司", contacts: [("李雷", "139 0000 0000"), ("韩梅梅", "1")]),
      ])
    try f.commit("b5", ["customers/C-0002.yaml": nil])
    let whole = try f.history()
    let expected = try whole.changes(whole.commits())
    #expect(expected.count == 9)
    #expect(expected.contains { $0.records.contains { $0.kind == .renamed } })

    let batched = try f.history(persistent: true)
    batched.computeBatch = 2
    var reported: [(Int, Int)] = []
    let ids = try batched.commits()
    #expect(try batched.changes(ids) { reported.append(($0, $1)) } == expected)
    #expect(batched.stats.computed == 9 && batched.stats.blobsParsed == whole.stats.blobsParsed)
    #expect(zip(reported, reported.dropFirst()).allSatisfy { $0.0 <= $1.0 } && reported.last! == (9, 9))
    #expect(Set(reported.map(\.0).filter { $0 > 4 }).count >= 4)  // the field batches' half
    batched.save()

    let again = try f.history(persistent: true)
    #expect(try again.changes(again.commits()) == expected)
    #expect(again.stats.computed == 0 && again.stats.fromCache == 9 && !again.stats.cacheDamaged)
  }

  /// `history build` saves each batch to the cache file as it is made and keeps none: the
  /// file then holds every commit, intact, whether it started empty, with some of them, or
  /// damaged (its intact entries kept).
  @Test func buildingSavesEachBatchAsItIsMade() throws {
    let f = try mergedHistory()
    let expected = try f.changes()
    let first = try f.history(persistent: true)
    first.computeBatch = 2
    var reported: [(Int, Int)] = []
    try first.build(try first.commits()) { reported.append(($0, $1)) }
    #expect(first.stats.computed == 4 && first.stats.fromCache == 0)
    #expect(first.stats.recordChanges == expected.map(\.records.count).reduce(0, +))
    #expect(reported.last! == (4, 4) && zip(reported, reported.dropFirst()).allSatisfy { $0.0 <= $1.0 })
    let cache = try #require(
      try FileManager.default.contentsOfDirectory(atPath: f.path + "/.git/tally").first { $0.hasPrefix("history-") })
    let path = f.path + "/.git/tally/" + cache
    #expect(HistoryCache.load(path).entries == expected)

    try f.commit("b1", ["customers/C-0002.yaml": customer("乙公司", status: "churned")])
    try f.commit("b2", ["customers/C-0003.yaml": customer("丙公司")])
    try f.commit("b3", ["customers/C-0003.yaml": nil])
    let all = try f.changes()
    let second = try f.history(persistent: true)
    second.computeBatch = 2
    try second.build(try second.commits())
    #expect(second.stats.computed == 3 && second.stats.fromCache == 4)
    #expect(HistoryCache.load(path).entries.map(\.id) == all.map(\.id))

    // Damaged in its last entry: the six before it are kept, the last computed again.
    var bytes = try FileSystemBytes.read(path)
    let (_, _, file) = HistoryCache.load(path)
    bytes[try #require(file).count - 3] ^= 0xFF
    try FileSystemBytes.write(path, bytes)
    let third = try f.history(persistent: true)
    try third.build(try third.commits())
    #expect(third.stats.cacheDamaged && third.stats.computed == 1 && third.stats.fromCache == 6)
    let (repaired, damaged, _) = HistoryCache.load(path)
    #expect(!damaged && Set(repaired.map(\.id)) == Set(all.map(\.id)) && repaired.count == all.count)
    let reread = try f.history(persistent: true)
    #expect(try reread.changes(reread.commits()) == all && reread.stats.computed == 0)
  }

  /// A stream (the SQL database's full build) reads the history a batch of commits at a time
  /// from the cache file: what the file lacks is computed and appended to it first, an entry
  /// that fails its checksum is computed again, and a torn file is read whole — in every case
  /// the same change data, in order, as ``History/changes(_:progress:)`` gives.
  @Test func aStreamReadsTheCacheABatchAtATime() throws {
    let f = try mergedHistory()
    try f.commit("b1", ["customers/C-0002.yaml": customer("乙公司", status: "churned")])
    try f.commit("b2", ["customers/C-0003.yaml": customer("丙公司")])
    let expected = try f.changes()
    #expect(expected.count == 6)
    func streamed(
      _ history: History, batchBytes: Int = 32 << 20, progress: ((Int, Int) -> Void)? = nil
    ) throws -> (changes: [CommitChanges], batches: Int) {
      let stream = try history.changeStream(try history.commits(throughCache: false), progress: progress)
      var changes: [CommitChanges] = []
      var batches = 0
      try stream.forEachBatch(batchBytes: batchBytes) {
        changes += $0
        batches += 1
      }
      history.save()
      return (changes, batches)
    }

    // No cache file: every commit computed (two at a time) and appended, then read back one by one.
    let cold = try f.history(persistent: true)
    cold.computeBatch = 2
    var reported: [(Int, Int)] = []
    let first = try streamed(cold, batchBytes: 1) { reported.append(($0, $1)) }
    #expect(first.changes == expected && first.batches == 6)
    #expect(cold.stats.computed == 6 && cold.stats.fromCache == 0)
    #expect(reported.last! == (12, 12) && zip(reported, reported.dropFirst()).allSatisfy { $0.0 <= $1.0 })
    let cache = try #require(
      try FileManager.default.contentsOfDirectory(atPath: f.path + "/.git/tally").first { $0.hasPrefix("history-") })
    let path = f.path + "/.git/tally/" + cache
    #expect(HistoryCache.load(path).entries == expected)

    // Everything in the file: nothing computed, one batch.
    let warm = try f.history(persistent: true)
    let second = try streamed(warm)
    #expect(second.changes == expected && second.batches == 1 && warm.stats.computed == 0)

    // Two new commits: only they are computed.
    try f.commit("b3", ["customers/C-0003.yaml": nil])
    try f.commit("b4", ["customers/C-0001.yaml": customer("甲公司", status: "active")])
    let all = try f.changes()
    let extended = try f.history(persistent: true)
    #expect(try streamed(extended, batchBytes: 1).changes == all)
    #expect(extended.stats.computed == 2 && extended.stats.fromCache == 6)

    // An entry in the middle that fails its checksum is computed again.
    let index = try #require(HistoryCache.Index(path: path))
    let key = try #require(ObjectKey(all[3].id))
    let bound = try #require(index.bounds[key])
    var bytes = try FileSystemBytes.read(path)
    bytes[bound.start + bound.length - 2] ^= 0xFF
    try FileSystemBytes.write(path, bytes)
    #expect(HistoryCache.Index(path: path)?.entries([all[3].id][...]) == [nil])
    let mended = try f.history(persistent: true)
    #expect(try streamed(mended, batchBytes: 1).changes == all)
    #expect(mended.stats.computed == 1)

    // A torn file cannot be streamed: it is read whole (its good entries kept, the rest computed).
    try FileSystemBytes.write(path, Array(bytes.prefix(bound.start + 10)))
    #expect(HistoryCache.Index(path: path) == nil)
    let torn = try f.history(persistent: true)
    #expect(try streamed(torn).changes == all)
    #expect(torn.stats.cacheDamaged)
  }

  /// A long run of commits the cache lacks is appended to the cache file as it is computed
  /// (none of it kept) and read back from the file with the rest; a short one is computed and
  /// kept as before. Either way `changes` gives the same data, and the file then has it all.
  @Test func aLongRunOfMissingCommitsIsAppendedThenRead() throws {
    let f = try mergedHistory()
    try f.commit("b1", ["customers/C-0002.yaml": customer("乙公司", status: "churned")])
    try f.commit("b2", ["customers/C-0003.yaml": customer("丙公司")])
    let expected = try f.changes()
    func cacheFile() throws -> String? {
      let names = (try? FileManager.default.contentsOfDirectory(atPath: f.path + "/.git/tally")) ?? []
      return names.first { $0.hasPrefix("history-") }.map { f.path + "/.git/tally/" + $0 }
    }

    // Cold: six commits, at least the threshold of three: appended two at a time, then read.
    let cold = try f.history(persistent: true)
    cold.appendThreshold = 3
    cold.computeBatch = 2
    var reported: [(Int, Int)] = []
    let first = try cold.changes(try cold.commits(throughCache: false)) { reported.append(($0, $1)) }
    #expect(first == expected)
    #expect(cold.stats.computed == 6 && cold.stats.fromCache == 0 && cold.stats.commits == 6)
    #expect(cold.stats.recordChanges == expected.reduce(0) { $0 + $1.records.count })
    #expect(reported.last! == (6, 6))
    // In the file before anything is saved: it was appended as it was computed.
    let path = try #require(try cacheFile())
    #expect(HistoryCache.load(path).entries == expected)
    cold.save()
    #expect(HistoryCache.load(path).entries == expected)

    // Two new commits, below the threshold: computed and kept, then saved by appending.
    try f.commit("b3", ["customers/C-0003.yaml": nil])
    try f.commit("b4", ["customers/C-0001.yaml": customer("甲公司", status: "active")])
    let all = try f.changes()
    let extended = try f.history(persistent: true)
    extended.appendThreshold = 3
    #expect(try extended.changes(try extended.commits(throughCache: false)) == all)
    #expect(extended.stats.computed == 2 && extended.stats.fromCache == 6)
    #expect(HistoryCache.load(path).entries == expected)
    extended.save()
    #expect(HistoryCache.load(path).entries == all)

    // A torn file is not appended to: the load keeps its intact entries and computes the rest.
    let bytes = try FileSystemBytes.read(path)
    try FileSystemBytes.write(path, Array(bytes.prefix(bytes.count - 10)))
    #expect(HistoryCache.Index(path: path) == nil)
    let torn = try f.history(persistent: true)
    torn.appendThreshold = 1
    #expect(try torn.changes(try torn.commits(throughCache: false)) == all)
    #expect(torn.stats.cacheDamaged && torn.stats.computed >= 1)
    torn.save()
    #expect(HistoryCache.load(path).entries == all)

    // The way reports walk: the chain followed through the cache, which loads it (empty: no
    // file yet). The walk is appended all the same, then read back.
    try FileManager.default.removeItem(atPath: path)
    let walked = try f.history(persistent: true)
    walked.appendThreshold = 3
    #expect(try walked.changes(try walked.commits()) == all)
    #expect(walked.stats.computed == 8 && walked.stats.fromCache == 0)
    #expect(HistoryCache.load(try #require(try cacheFile())).entries == all)
  }

  @Test func theCommitAtTheEndOfADayIsInTheRepositorysTimeZone() throws {
    let f = try HistoryFixture()
    // 23:30 on 03-02 in Shanghai is 15:30 UTC; 00:30 on 03-03 is 16:30 UTC on 03-02.
    let late = try f.commit("late", ["customers/C-0001.yaml": customer("甲")], date: "2026-03-02T23:30:00+08:00")
    let early = try f.commit("early", ["customers/C-0002.yaml": customer("乙")], date: "2026-03-02T16:30:00Z")
    let history = try f.history()
    let timeline = try history.timeline(text: ChangeText(records: history.records, people: People()))
    #expect(timeline.commit(atEndOf: CivilDate("2026-03-01")!) == nil)
    #expect(timeline.commit(atEndOf: CivilDate("2026-03-02")!) == late)
    #expect(timeline.commit(atEndOf: CivilDate("2026-03-03")!) == early)
    #expect(timeline.commit(atEndOf: CivilDate("2030-01-01")!) == early)
  }
}
