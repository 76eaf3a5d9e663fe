import Foundation
import TallyGit
import TallyRecords
import TallyTestSupport
import TallyText
import Testing

@testable import TallyHistory

/// `value` encoded as ``ValueStore`` keeps it, read in place.
func encoded(_ value: Value) -> EncodedValue {
  var bytes: [UInt8] = []
  EncodedValue.encode(value, into: &bytes)
  return EncodedValue(SharedBytes(bytes), at: 0)
}

/// A random value: mappings, lists, scalars of every style (some non-ASCII), nulls.
func randomValue(_ random: inout SeededRandom, depth: Int = 0) -> Value {
  let words = ["status", "owner", "名称", "a", "", "follow_ups", "K", "\u{212A}", "2026-03-01", "13975700354"]
  let styles: [ScalarStyle] = [.plain, .singleQuoted, .doubleQuoted, .literal, .folded]
  switch depth > 3 ? random.below(2) : random.below(4) {
  case 0: return .null
  case 1: return .scalar(random.pick(words), style: random.pick(styles))
  case 2: return .sequence((0..<random.below(4)).map { _ in randomValue(&random, depth: depth + 1) })
  default:
    return .mapping(
      (0..<random.below(5)).map { _ in
        Value.Pair(key: random.pick(words), value: randomValue(&random, depth: depth + 1))
      })
  }
}

/// Checks that `view` reads as `value` does, everywhere inside it.
func expectReadsAlike(_ view: EncodedValue, _ value: Value, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
  #expect(view.decoded == value, sourceLocation: sourceLocation)
  #expect(view.text == value.text, sourceLocation: sourceLocation)
  #expect(view.isNull == value.isNull, sourceLocation: sourceLocation)
  #expect(view.items?.count == value.items?.count, sourceLocation: sourceLocation)
  for (item, expected) in zip(view.items ?? [], value.items ?? []) {
    expectReadsAlike(item, expected, sourceLocation: sourceLocation)
  }
  #expect(view.pairs?.map(\.key) == value.pairs?.map(\.key), sourceLocation: sourceLocation)
  for key in ["status", "owner", "名称", "a", "", "K", "\u{212A}", "missing"] {
    #expect(view[key]?.decoded == value[key], "key \(key)", sourceLocation: sourceLocation)
  }
}

@Suite("Values read in place")
struct EncodedValueTests {
  @Test func readsAsTheDecodedValue() {
    let record = value(
      """
      name: 南京远达
      status: active
      owner: S-0009
      empty:
      follow_ups:
        - date: 2026-03-01
          by: S-0009
          summary: '约好周一再谈'
        - date: 2026-03-09
      notes: |
        line one
      """)
    let view = encoded(record)
    expectReadsAlike(view, record)
    #expect(view["status"]?.text == "active")
    #expect(view["empty"]?.isNull == true)
    #expect(view["follow_ups"]?.items?[1]["date"]?.text == "2026-03-09")
    #expect(view["notes"]?.text?.hasPrefix("line one") == true)
    #expect(view["missing"] == nil)
  }

  /// Keys compare as `String`s do: the Kelvin sign is canonically the letter K.
  @Test func keysCompareAsStrings() {
    let view = encoded(.mapping([Value.Pair(key: "\u{212A}", value: .text("kelvin"))]))
    #expect(view["K"]?.text == "kelvin")
    #expect(view["k"] == nil)
  }

  @Test func randomValuesReadAlike() {
    var random = SeededRandom(seed: 6)
    for _ in 0..<300 {
      let value = randomValue(&random)
      expectReadsAlike(encoded(value), value)
    }
  }

  /// The encoder writes each list's and mapping's length before its body, worked out
  /// beforehand (``EncodedValue/size(_:)``): the sizes are right also where a length takes
  /// two or three bytes (bodies of 64 bytes and more, of 8,192 and more), and a value held
  /// encoded is written into the cache file as its bytes.
  @Test func sizesAreWorkedOutAheadOfTheBytes() {
    var random = SeededRandom(seed: 11)
    let long = String(repeating: "长", count: 40)
    var values = (0..<300).map { _ in randomValue(&random) }
    values.append(.sequence((0..<3000).map { _ in .scalar(long, style: .plain) }))
    values.append(.mapping([Value.Pair(key: long, value: .sequence([.mapping([Value.Pair(key: "a", value: .null)])]))]))
    for value in values {
      var bytes: [UInt8] = []
      EncodedValue.encode(value, into: &bytes)
      #expect(EncodedValue.size(value) == bytes.count)
      expectReadsAlike(EncodedValue(SharedBytes(bytes), at: 0), value)
      var written: [UInt8] = []
      LazyValue(encoding: value).write(into: &written)
      #expect(written == [1] + bytes)
      #expect(LazyValue(encoding: value).value == value)
    }
  }

  /// A record change's value reads in place whether it came from the cache file or not.
  @Test func recordChangesHandOutTheirValueInPlace() throws {
    let created = value("name: 王芳\nstatus: lead\nfollow_ups:\n  - date: 2026-03-01\n")
    let change = RecordChange(
      kind: .added, type: "customer", id: "C-0001", oldBlob: nil,
      newBlob: ObjectID(hex: "2222222222222222222222222222222222222222")!, value: created)
    #expect(change.encodedValue?["status"]?.text == "lead")
    let author = Signature(name: "王芳", email: "wang@example.cn", time: 1_772_416_800, offsetMinutes: 480)
    let commit = CommitChanges(
      id: ObjectID(hex: "0123456789abcdef0123456789abcdef01234567")!, parents: [], author: author,
      committer: author, message: "add\n", records: [change], schemaChanged: false)
    let directory = try TemporaryDirectoryForHistory()
    HistoryCache.save([commit], to: directory.path + "/history")
    let loaded = try #require(HistoryCache.load(directory.path + "/history").entries.first?.records.first)
    expectReadsAlike(try #require(loaded.encodedValue), created)
    #expect(loaded.value == created)
    var removed = loaded
    removed.value = nil
    #expect(removed.encodedValue == nil)
  }

  @Test func bytesThatAreNotAnEncodingReadAsNothing() {
    var bytes: [UInt8] = []
    EncodedValue.encode(value("a: [1, 2]\nb: text\n"), into: &bytes)
    for cut in 0..<bytes.count {
      let view = EncodedValue(SharedBytes(Array(bytes.prefix(cut))), at: 0)
      _ = view.decoded
      _ = view["b"]?.text
      _ = view["a"]?.items?.map(\.text)
    }
    #expect(EncodedValue(SharedBytes([9, 9, 9]), at: 0).decoded == .null)
  }
}

@Suite("Record values kept in the git directory")
struct ValueStoreTests {
  /// A git repository with `texts` written as blobs; their ids.
  func repository(_ texts: [String]) throws -> (TemporaryDirectoryForHistory, [ObjectID]) {
    let directory = try TemporaryDirectoryForHistory()
    _ = try TallyProcess.runProgram("git", ["init", "-q"], in: directory.path)
    var ids: [ObjectID] = []
    for (index, text) in texts.enumerated() {
      let file = directory.path + "/file-\(index).yaml"
      try FileSystemBytes.write(file, Array(text.utf8))
      let result = try TallyProcess.runProgram("git", ["hash-object", "-w", file], in: directory.path)
      ids.append(ObjectID(hex: result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))!)
    }
    return (directory, ids)
  }

  let texts = [
    "name: 王芳\nstatus: active\n", "name: 李强\nfollow_ups:\n  - date: 2026-03-01\n", "", "# only a comment\n",
    "a: [unclosed\n",
  ]

  func parsed(_ text: String) -> Value? { SyntaxTree.parse(Array(text.utf8)).tree?.value }

  @Test func parsesOnceThenReadsTheFile() throws {
    let (directory, ids) = try repository(texts)
    let gitDirectory = directory.path + "/.git"
    let cold = ValueStore(gitDirectory: gitDirectory)
    let first = try cold.values(ids + ids)
    #expect(cold.stats.parsed == ids.count)
    for (view, text) in zip(first, texts + texts) {
      #expect(view?.decoded == parsed(text))
    }
    cold.save()

    let warm = ValueStore(gitDirectory: gitDirectory)
    let second = try warm.values(ids)
    #expect(warm.stats == ValueStore.Stats(fromMemory: 0, fromFile: ids.count, parsed: 0))
    for (view, text) in zip(second, texts) {
      #expect(view?.decoded == parsed(text))
    }
  }

  /// Blobs are parsed a chunk at a time (16,384 by default): in chunks of two, the same
  /// values, kept in the file the same way.
  @Test func blobsAreParsedAChunkAtATime() throws {
    let (directory, ids) = try repository(texts)
    let gitDirectory = directory.path + "/.git"
    let chunked = ValueStore(gitDirectory: gitDirectory, parseChunk: 2)
    let values = try chunked.values(ids)
    #expect(chunked.stats.parsed == ids.count)
    #expect(values.map { $0?.decoded } == texts.map(parsed))
    chunked.save()
    let warm = ValueStore(gitDirectory: gitDirectory)
    #expect(try warm.values(ids).map { $0?.decoded } == texts.map(parsed))
    #expect(warm.stats.fromFile == ids.count && warm.stats.parsed == 0)
  }

  /// Threads sharing a store (the SQL build's two) parse without holding each other up and
  /// all get the right values; what they parsed is kept in the file.
  @Test func threadsShareAStore() throws {
    let (directory, ids) = try repository(texts)
    let gitDirectory = directory.path + "/.git"
    let store = ValueStore(gitDirectory: gitDirectory, parseChunk: 2)
    let expected = texts.map(parsed)
    let results = ResultsBox(count: 8)
    DispatchQueue.concurrentPerform(iterations: 8) { round in
      let order = round % 2 == 0 ? ids : ids.reversed()
      let values = (try? store.values(order))?.map { $0?.decoded }
      results.set(round, values.map { round % 2 == 0 ? $0 : $0.reversed() })
    }
    for round in 0..<8 { #expect(results.get(round) == expected) }
    store.save()
    let warm = ValueStore(gitDirectory: gitDirectory)
    #expect(try warm.values(ids).map { $0?.decoded } == expected)
    #expect(warm.stats.parsed == 0)
  }

  @Test func aDamagedFileIsParsedAgainAndRewritten() throws {
    let (directory, ids) = try repository(texts)
    let gitDirectory = directory.path + "/.git"
    let store = ValueStore(gitDirectory: gitDirectory)
    _ = try store.values(ids)
    store.save()
    let path = ValueStore.path(gitDirectory: gitDirectory)
    let bytes = try FileSystemBytes.read(path)

    // A flipped byte in the last entry's value: that entry is parsed again.
    var flipped = bytes
    flipped[bytes.count - 2] ^= 0x01
    try FileSystemBytes.write(path, flipped)
    let afterFlip = ValueStore(gitDirectory: gitDirectory)
    let values = try afterFlip.values(ids)
    #expect(afterFlip.stats.parsed == 1 && afterFlip.stats.fromFile == ids.count - 1)
    for (view, text) in zip(values, texts) {
      #expect(view?.decoded == parsed(text))
    }
    afterFlip.save()
    // The same entries, in a file of a new generation.
    let entriesOf = { (file: [UInt8]) in Array(file.dropFirst(ValueStore.fileHeaderSize)) }
    #expect(entriesOf(try FileSystemBytes.read(path)) == entriesOf(bytes))
    #expect(try FileSystemBytes.read(path).prefix(8) == bytes.prefix(8))

    // A torn file keeps the entries before the cut.
    try FileSystemBytes.write(path, Array(bytes.prefix(bytes.count - 3)))
    let afterCut = ValueStore(gitDirectory: gitDirectory)
    _ = try afterCut.values(ids)
    #expect(afterCut.stats.parsed == 1)
    afterCut.save()
    #expect(entriesOf(try FileSystemBytes.read(path)) == entriesOf(bytes))

    // Not a values file at all.
    try FileSystemBytes.write(path, Array("something else".utf8))
    let foreign = ValueStore(gitDirectory: gitDirectory)
    _ = try foreign.values(ids)
    #expect(foreign.stats.parsed == ids.count)
  }

  @Test func notPersistentLeavesNoFile() throws {
    let (directory, ids) = try repository(texts)
    let gitDirectory = directory.path + "/.git"
    let store = ValueStore(gitDirectory: gitDirectory, persistent: false)
    _ = try store.values(ids)
    store.save()
    #expect(!FileManager.default.fileExists(atPath: ValueStore.path(gitDirectory: gitDirectory)))
  }

  /// The file keeps what runs used until it is four times what the last run that added to it
  /// used; that run keeps only its own entries.
  @Test func theFileIsPrunedWhenItOutgrowsWhatRunsUse() throws {
    let many = (0..<12).map { "n: \($0)\n" }
    let (directory, ids) = try repository(many)
    let gitDirectory = directory.path + "/.git"
    let first = ValueStore(gitDirectory: gitDirectory)
    _ = try first.values(Array(ids[0..<10]))
    first.save()
    let second = ValueStore(gitDirectory: gitDirectory)
    _ = try second.values(Array(ids[10..<12]))
    second.save()
    let third = ValueStore(gitDirectory: gitDirectory)
    _ = try third.values(ids)
    #expect(third.stats.fromFile == 2 && third.stats.parsed == 10)
  }
}

@Suite("Record values looked up in the index")
struct ValueStoreIndexTests {
  /// A git repository with `count` small records as blobs; their ids and texts.
  func repository(_ count: Int) throws -> (TemporaryDirectoryForHistory, [ObjectID], [String]) {
    let directory = try TemporaryDirectoryForHistory()
    _ = try TallyProcess.runProgram("git", ["init", "-q"], in: directory.path)
    let texts = (0..<count).map { "name: 客户\($0)\nstatus: \($0 % 3 == 0 ? "lead" : "active")\n" }
    var paths: [String] = []
    for (index, text) in texts.enumerated() {
      let file = directory.path + "/file-\(index).yaml"
      try FileSystemBytes.write(file, Array(text.utf8))
      paths.append(file)
    }
    try FileSystemBytes.write(directory.path + "/paths", Array(paths.joined(separator: "\n").utf8))
    let result = try TallyProcess.runProgram(
      "sh", ["-c", "git hash-object -w --stdin-paths < paths"], in: directory.path)
    let ids = result.stdout.split(separator: "\n").map { ObjectID(hex: String($0))! }
    #expect(ids.count == count)
    return (directory, ids, texts)
  }

  func expectValues(
    _ values: [EncodedValue?], _ texts: [String], sourceLocation: Testing.SourceLocation = #_sourceLocation
  ) {
    #expect(values.count == texts.count, sourceLocation: sourceLocation)
    for (view, text) in zip(values, texts) {
      #expect(view?.decoded == SyntaxTree.parse(Array(text.utf8)).tree?.value, sourceLocation: sourceLocation)
    }
  }

  func size(_ path: String) -> Int { (try? FileSystemBytes.read(path).count) ?? -1 }

  /// A run asking for a few values reads them through the index, not the whole file, and
  /// its new entries are appended (the file's first bytes stay as they were).
  @Test func aFewValuesAreLookedUpAndNewOnesAppended() throws {
    let (directory, ids, texts) = try repository(200)
    let gitDirectory = directory.path + "/.git"
    let path = ValueStore.path(gitDirectory: gitDirectory)
    let first = ValueStore(gitDirectory: gitDirectory)
    _ = try first.values(Array(ids[0..<180]))
    first.save()
    #expect(FileManager.default.fileExists(atPath: ValueStore.indexPath(gitDirectory: gitDirectory)))
    let before = try FileSystemBytes.read(path)

    let few = ValueStore(gitDirectory: gitDirectory)
    let picked = [3, 99, 179, 185, 190, 3]
    expectValues(try few.values(picked.map { ids[$0] }), picked.map { texts[$0] })
    #expect(few.stats == ValueStore.Stats(fromMemory: 1, fromFile: 3, parsed: 2, lookedUp: 3))
    few.save()
    let after = try FileSystemBytes.read(path)
    #expect(after.count > before.count && Array(after.prefix(before.count)) == before)

    // The appended entries are found after the index's cover, by lookup and by a full read.
    let next = ValueStore(gitDirectory: gitDirectory)
    expectValues(try next.values([ids[185], ids[190]]), [texts[185], texts[190]])
    #expect(next.stats == ValueStore.Stats(fromMemory: 0, fromFile: 2, parsed: 0, lookedUp: 2))
    let whole = ValueStore(gitDirectory: gitDirectory)
    expectValues(try whole.values(ids), texts)
    #expect(whole.stats == ValueStore.Stats(fromMemory: 0, fromFile: 182, parsed: 18, lookedUp: 0))
  }

  /// Past the tail limit the index is written again to cover the whole file.
  @Test func theIndexCatchesUpWithAppends() throws {
    let (directory, ids, texts) = try repository(120)
    let gitDirectory = directory.path + "/.git"
    let indexPath = ValueStore.indexPath(gitDirectory: gitDirectory)
    let first = ValueStore(gitDirectory: gitDirectory, tailLimit: 4)
    _ = try first.values(Array(ids[0..<100]))
    first.save()
    let coveredAtFirst = size(indexPath)
    for batch in 0..<3 {
      let store = ValueStore(gitDirectory: gitDirectory, tailLimit: 4)
      let range = (100 + batch * 3)..<(103 + batch * 3)
      _ = try store.values(Array(ids[range]))
      #expect(store.stats.parsed == 3)
      store.save()
    }
    // 3 then 6 entries after the cover: the second append rewrote the index, the third did not.
    #expect(size(indexPath) == coveredAtFirst + 6 * ValueStore.indexEntrySize)
    let reader = ValueStore(gitDirectory: gitDirectory, tailLimit: 4)
    expectValues(try reader.values(Array(ids[100..<109])), Array(texts[100..<109]))
    #expect(reader.stats.lookedUp == 9 && reader.stats.parsed == 0)
  }

  /// A torn append (a run stopped mid-write) is cut off before the next append; an index
  /// whose offsets point at other entries, or at nothing, only costs parsing again.
  @Test func tornTailsAndWrongIndexesOnlyCostParsing() throws {
    let (directory, ids, texts) = try repository(100)
    let gitDirectory = directory.path + "/.git"
    let path = ValueStore.path(gitDirectory: gitDirectory)
    let indexPath = ValueStore.indexPath(gitDirectory: gitDirectory)
    let first = ValueStore(gitDirectory: gitDirectory)
    _ = try first.values(Array(ids[0..<90]))
    first.save()
    let appender = ValueStore(gitDirectory: gitDirectory)
    _ = try appender.values([ids[90], ids[91]])
    appender.save()
    let full = try FileSystemBytes.read(path)
    try FileSystemBytes.write(path, Array(full.dropLast(5)))

    let afterCut = ValueStore(gitDirectory: gitDirectory)
    expectValues(try afterCut.values([ids[90], ids[91], ids[92]]), [texts[90], texts[91], texts[92]])
    #expect(afterCut.stats.lookedUp == 1 && afterCut.stats.parsed == 2)
    afterCut.save()
    let check = ValueStore(gitDirectory: gitDirectory)
    expectValues(try check.values(Array(ids[0..<93])), Array(texts[0..<93]))
    #expect(check.stats.parsed == 0 && check.stats.fromFile == 93)

    // Every offset in the index moved to the next entry's, the last past the end.
    var index = try FileSystemBytes.read(indexPath)
    let count = (index.count - ValueStore.indexHeaderSize) / ValueStore.indexEntrySize
    for position in 0..<count {
      let at = ValueStore.indexHeaderSize + position * ValueStore.indexEntrySize + 20
      let next =
        position + 1 < count
        ? Array(index[(at + ValueStore.indexEntrySize)..<(at + ValueStore.indexEntrySize + 8)])
        : [255, 255, 255, 255, 255, 255, 255, 127]
      index.replaceSubrange(at..<(at + 8), with: next)
    }
    try FileSystemBytes.write(indexPath, index)
    let misled = ValueStore(gitDirectory: gitDirectory)
    expectValues(try misled.values([ids[5], ids[50]]), [texts[5], texts[50]])
    #expect(misled.stats.parsed == 2 && misled.stats.lookedUp == 0)

    // An index of another file (another generation) is not used; the whole file is read.
    try FileSystemBytes.write(indexPath, Array(index.prefix(8)) + Array(repeating: 7, count: index.count - 8))
    let other = ValueStore(gitDirectory: gitDirectory)
    expectValues(try other.values([ids[5]]), [texts[5]])
    #expect(other.stats == ValueStore.Stats(fromMemory: 0, fromFile: 1, parsed: 0, lookedUp: 0))
    other.save()
    let healed = ValueStore(gitDirectory: gitDirectory)
    _ = try healed.values([ids[6]])
    #expect(healed.stats.lookedUp == 1)
  }

  /// Two runs that read the file before either saved both keep their entries: the second
  /// appends after the first's.
  @Test func twoRunsAppendOneAfterTheOther() throws {
    let (directory, ids, texts) = try repository(100)
    let gitDirectory = directory.path + "/.git"
    let first = ValueStore(gitDirectory: gitDirectory)
    _ = try first.values(Array(ids[0..<80]))
    first.save()
    let one = ValueStore(gitDirectory: gitDirectory)
    let two = ValueStore(gitDirectory: gitDirectory)
    _ = try one.values([ids[80], ids[81], ids[1]])
    _ = try two.values([ids[82], ids[83], ids[2]])
    one.save()
    two.save()
    let reader = ValueStore(gitDirectory: gitDirectory)
    expectValues(try reader.values(Array(ids[80..<84])), Array(texts[80..<84]))
    #expect(reader.stats.parsed == 0 && reader.stats.lookedUp == 4)
  }
}

@Suite("Commit days")
struct CommitDayTests {
  /// `days` (one zone lookup) gives what `day` gives for each signature, in a region zone
  /// (with summer time), UTC, a fixed offset and names that are not zones.
  @Test func manyDaysAtOnceAreEachDay() throws {
    let times: [Int64] = [0, 1_772_416_800, 1_772_452_800, 1_741_500_000, 1_762_000_000, -86_401, 1_800_000_000]
    let signatures = times.flatMap { time in
      [-300, 0, 480].map { Signature(name: "a", email: "a@example.org", time: time, offsetMinutes: $0) }
    }
    for zone in ["Asia/Shanghai", "America/New_York", "UTC", "+05:30", "-0800", "Nowhere/Zone", "local"] {
      let directory = try TemporaryDirectoryForHistory()
      try FileSystemBytes.write(
        directory.path + "/tally.yaml", Array("version: 1\nschema_dir: schema\ntime_zone: \(zone)\n".utf8))
      try FileManager.default.createDirectory(atPath: directory.path + "/schema", withIntermediateDirectories: true)
      let records = try RecordsRepository.open(root: directory.path, from: directory.path, displayBase: directory.path)
      let text = ChangeText(records: records, people: People.load(records))
      #expect(text.days(signatures) == signatures.map(text.day), "time_zone: \(zone)")
    }
  }
}

/// Results written by concurrent rounds, one slot each.
final class ResultsBox: @unchecked Sendable {
  private let lock = NSLock()
  private var slots: [[Value?]?]
  init(count: Int) { slots = Array(repeating: nil, count: count) }
  func set(_ index: Int, _ value: [Value?]?) {
    lock.lock()
    slots[index] = value
    lock.unlock()
  }
  func get(_ index: Int) -> [Value?]? {
    lock.lock()
    defer { lock.unlock() }
    return slots[index]
  }
}
