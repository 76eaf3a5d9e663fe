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
    #expect(try FileSystemBytes.read(path) == bytes)

    // A torn file keeps the entries before the cut.
    try FileSystemBytes.write(path, Array(bytes.prefix(bytes.count - 3)))
    let afterCut = ValueStore(gitDirectory: gitDirectory)
    _ = try afterCut.values(ids)
    #expect(afterCut.stats.parsed == 1)
    afterCut.save()
    #expect(try FileSystemBytes.read(path) == bytes)

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
