import Foundation
import TallyGit
import TallySchema
import TallyTestSupport
import TallyText
import Testing

@testable import TallyRecords

/// An incremental check (from the state of an earlier snapshot) must report exactly what a
/// full check of the same snapshot reports — whatever changed: references broken and
/// mended, conditions on targets, cycles, unique values, files added, removed, misplaced or
/// unparsable.
typealias Contents = [String: [UInt8]]
typealias Change = @Sendable (Contents) -> Contents

@Suite struct IncrementalCheckTests {
  static let exampleRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("example-repo").path
  static let today = CivilDate(year: 2026, month: 11, day: 1)

  /// The example repository's files, by path.
  static let example: [String: [UInt8]] = {
    var contents: [String: [UInt8]] = [:]
    for file in (try? FileSystem.files(under: exampleRoot, suffixes: [""])) ?? [] {
      contents[FileSystem.relative(file, to: exampleRoot)] = try? FileSystem.read(file)
    }
    return contents
  }()

  /// Files as a git snapshot has them: blob ids, in the order of the paths' bytes.
  static func files(_ contents: [String: [UInt8]]) -> [SnapshotFile] {
    contents.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }.map { path in
      let bytes = contents[path]!
      return SnapshotFile(path: path, contentKey: Repository.blobID(of: bytes).hex) { bytes }
    }
  }

  static func checker(_ files: [SnapshotFile]) throws -> RepositoryChecker {
    let opened = try RecordsRepository.open(root: exampleRoot, from: exampleRoot, displayBase: exampleRoot)
    return RepositoryChecker(repository: try opened.at(files, name: "test"), today: today)
  }

  /// Diagnostics in a form that compares everything they say, in a stable order.
  static func rendered(_ diagnostics: [Diagnostic]) -> [String] {
    diagnostics.map { String(describing: $0) }.sorted()
  }

  /// Edits the text of one file.
  static func edit(_ path: String, _ change: @escaping @Sendable (String) -> String) -> Change {
    { contents in
      var contents = contents
      contents[path] = Array(change(String(decoding: contents[path]!, as: UTF8.self)).utf8)
      return contents
    }
  }

  static func replace(_ path: String, _ old: String, _ new: String) -> Change {
    // Changes applied one after another may find the text gone: then nothing changes.
    edit(path) { $0.replacingOccurrences(of: old, with: new) }
  }

  static func remove(_ path: String) -> Change {
    { contents in
      var contents = contents
      contents[path] = nil
      return contents
    }
  }

  static func add(_ path: String, _ text: String) -> Change {
    { contents in
      var contents = contents
      contents[path] = Array(text.utf8)
      return contents
    }
  }

  static func rename(_ from: String, _ to: String) -> Change {
    { contents in
      var contents = contents
      contents[to] = contents[from]
      contents[from] = nil
      return contents
    }
  }

  static let changes: [(String, Change)] = [
    ("a customer's owner that does not exist", replace("customers/C-0001.yaml", "owner: S-0036", "owner: S-9999")),
    (
      "a customer's owner that fails the condition (the manager)",
      replace("customers/C-0001.yaml", "owner: S-0036", "owner: S-0001")
    ),
    ("a staff record referred to by others, deleted", remove("staff/S-0002.yaml")),
    ("a staff record renamed", rename("staff/S-0036.yaml", "staff/S-0099.yaml")),
    (
      "a team lead's role changed (others' conditions read it)",
      replace("staff/S-0007.yaml", "role: team_lead", "role: sales_rep")
    ),
    (
      "a cycle of reports_to",
      { contents in
        replace("staff/S-0001.yaml", "role: manager", "role: manager\nreports_to: S-0004")(contents)
      }
    ),
    (
      "a duplicate unique value",
      replace("staff/S-0006.yaml", "email: panyang@huadong.example", "email: shenbin@huadong.example")
    ),
    ("a customer's name, changed", edit("customers/C-0002.yaml") { $0.replacingOccurrences(of: "苏州", with: "杭州") }),
    ("a file that does not parse", add("customers/C-0999.yaml", "name: [unclosed\n")),
    ("a file in the wrong place", add("customers/notes.txt", "notes\n")),
    ("a record in a nested directory", add("customers/old/C-0001.yaml", "name: x\n")),
    (
      "a new customer that refers to a new staff member",
      { contents in
        var contents = contents
        var customer = String(decoding: contents["customers/C-0001.yaml"]!, as: UTF8.self)
        customer = customer.replacingOccurrences(of: "owner: S-0036", with: "owner: S-0100")
        customer = customer.replacingOccurrences(of: "name: 上海安纳食品有限公司", with: "name: 新客户有限公司")
        contents["customers/C-0998.yaml"] = Array(customer.utf8)
        return contents
      }
    ),
  ]

  @Test(arguments: changes.indices)
  func anIncrementalCheckReportsWhatAFullCheckDoes(_ index: Int) throws {
    let (name, change) = Self.changes[index]
    let before = Self.files(Self.example)
    let full = try Self.checker(before).check(files: before, recordState: true)
    let state = try #require(full.state)
    #expect(full.diagnostics.filter { $0.severity == .error }.isEmpty)

    let changed = change(Self.example)
    #expect(changed != Self.example)
    let after = Self.files(changed)
    let checker = try Self.checker(after)
    let expected = checker.check(files: after)
    let incremental = try #require(checker.checkIncrementally(files: after, state: state, nextState: true))
    #expect(Self.rendered(incremental.diagnostics) == Self.rendered(expected.diagnostics))
    #expect(incremental.recordCount == expected.recordCount)
    // Every change but the renamed customer breaks something the check must find.
    #expect(expected.diagnostics.isEmpty == (name == "a customer's name, changed"), "\(name)")

    // And back: the state the incremental check made leads to the original result.
    let next = try #require(incremental.state)
    let back = try #require(try Self.checker(before).checkIncrementally(files: before, state: next))
    #expect(Self.rendered(back.diagnostics) == Self.rendered(full.diagnostics))
  }

  /// A next state is made only when it will be kept: a few differences leave the one read.
  @Test func aNextStateIsMadeOnlyWhenAskedOrManyFilesDiffer() throws {
    let files = Self.files(Self.example)
    let checker = try Self.checker(files)
    let state = try #require(checker.check(files: files, recordState: true).state)
    let same = try #require(checker.checkIncrementally(files: files, state: state))
    #expect(same.state == nil && same.differingFiles == 0)
    #expect(try #require(checker.checkIncrementally(files: files, state: state, nextState: true)).state != nil)
  }

  /// Files out of git's order, or without blob ids, cannot be merged with the state: the
  /// caller checks in full.
  @Test func filesOutOfOrderOrWithoutKeysAreNotCheckedIncrementally() throws {
    let files = Self.files(Self.example)
    let checker = try Self.checker(files)
    let state = try #require(checker.check(files: files, recordState: true).state)
    var swapped = files
    swapped.swapAt(3, 4)
    #expect(checker.checkIncrementally(files: swapped, state: state) == nil)
    var keyless = files
    keyless[keyless.count - 1].contentKey = nil
    #expect(checker.checkIncrementally(files: keyless, state: state) == nil)
    #expect(checker.checkIncrementally(files: files, state: state) != nil)
  }

  @Test func changesOneAfterAnother() throws {
    var contents = Self.example
    var state = try #require(
      try Self.checker(Self.files(contents)).check(files: Self.files(contents), recordState: true).state)
    for (name, change) in Self.changes {
      contents = change(contents)
      let files = Self.files(contents)
      let checker = try Self.checker(files)
      let incremental = try #require(checker.checkIncrementally(files: files, state: state, nextState: true), "\(name)")
      #expect(
        Self.rendered(incremental.diagnostics) == Self.rendered(checker.check(files: files).diagnostics), "\(name)")
      state = try #require(incremental.state)
    }
  }

  /// The same changes staged in a real index that Tally reads itself (under a records root
  /// below the top of the working tree): its entries, made into files only where looked at,
  /// are checked as the files an array holds, and the files the diagnostics name are found.
  @Test func changesStagedInAnIndexAreCheckedAsTheirFilesAre() throws {
    let directory = try TemporaryDirectory()
    let top = directory.path
    func git(_ arguments: [String]) throws {
      let result = try TallyProcess.runProgram("git", arguments, in: top)
      try #require(result.status == 0, "git \(arguments): \(result.stderr)")
    }
    func stage(_ contents: Contents) throws {
      try? FileManager.default.removeItem(atPath: top + "/records")
      for (path, bytes) in contents {
        let file = top + "/records/" + path
        try FileSystem.createDirectory(FileSystem.parentDirectory(of: file))
        try FileSystem.writeAtomically(file, bytes)
      }
      try git(["add", "-A"])
    }
    func indexFiles() throws -> SnapshotFiles {
      let index = try #require(try IndexFile.read(top + "/.git/index"))
      return SnapshotFiles(index: index, under: Array("records/".utf8), repository: try Repository.open(at: top))
    }
    try git(["init", "-q"])
    try FileSystem.writeAtomically(top + "/README.md", Array("outside the records\n".utf8))
    var contents = Self.example
    try stage(contents)
    let staged = try indexFiles()
    #expect(staged.map(\.path) == Self.files(contents).map(\.path))
    #expect(staged.map(\.contentKey) == Self.files(contents).map(\.contentKey))
    var state = try #require(
      try Self.checker(Self.files(contents)).check(files: Self.files(contents), recordState: true).state)
    for (name, change) in Self.changes {
      contents = change(contents)
      try stage(contents)
      let files = Self.files(contents)
      let checker = try Self.checker(files)
      let expected = checker.check(files: files)
      let incremental = try #require(
        checker.checkIncrementally(files: try indexFiles(), state: state, nextState: true), "\(name)")
      #expect(Self.rendered(incremental.diagnostics) == Self.rendered(expected.diagnostics), "\(name)")
      #expect(incremental.recordCount == expected.recordCount, "\(name)")
      #expect(Set(incremental.files.keys) == Set(expected.files.keys), "\(name)")
      #expect(!expected.files.isEmpty || name == "a customer's name, changed", "\(name)")
      state = try #require(incremental.state)
    }
  }

  @Test func onlyAndTransitionsAreKeptApart() throws {
    let before = Self.files(Self.example)
    let state = try #require(try Self.checker(before).check(files: before, recordState: true).state)
    let after = Self.files(
      Self.replace("customers/C-0001.yaml", "owner: S-0036", "owner: S-9999")(
        Self.replace("customers/C-0002.yaml", "owner: ", "owner: S-9998\nx_owner: ")(Self.example)))
    let checker = try Self.checker(after)
    let only: Set<String> = ["customers/C-0002.yaml"]
    let expected = checker.check(files: after, only: only)
    let incremental = try #require(checker.checkIncrementally(files: after, state: state, only: only))
    #expect(Self.rendered(incremental.diagnostics) == Self.rendered(expected.diagnostics))
    #expect(incremental.diagnostics.allSatisfy { $0.path == "customers/C-0002.yaml" })
  }

  @Test func aStateForOtherSchemasOrAnotherDayIsNotUsed() throws {
    let before = Self.files(Self.example)
    let state = try #require(try Self.checker(before).check(files: before, recordState: true).state)
    let schemaChanged = Self.files(
      Self.edit("schema/customer.yaml") { $0 + "\n# a comment changes the schema key\n" }(Self.example))
    #expect(try Self.checker(schemaChanged).checkIncrementally(files: schemaChanged, state: state) == nil)
    var tomorrow = try Self.checker(before)
    tomorrow.today = CivilDate(year: 2026, month: 11, day: 2)
    #expect(tomorrow.checkIncrementally(files: before, state: state) == nil)
  }

  @Test func theStoredStateIsReadBackAndADamagedOneIgnored() throws {
    let directory = try TemporaryDirectory()
    let path = directory.path + "/check-state"
    let before = Self.files(Self.example)
    let state = try #require(try Self.checker(before).check(files: before, recordState: true).state)
    state.save(to: path)
    let loaded = try #require(CheckState.load(from: path))
    #expect(loaded.bytes == state.bytes && loaded.count == state.count && loaded.schemaKey == state.schemaKey)
    var bytes = try FileSystem.read(path)
    bytes[bytes.count - 10] ^= 0x20
    try FileSystem.writeAtomically(path, bytes)
    #expect(CheckState.load(from: path) == nil)
    try FileSystem.writeAtomically(path, Array(bytes.prefix(bytes.count / 2)))
    #expect(CheckState.load(from: path) == nil)
  }
}

@Suite("Stat keys")
struct StatKeyTests {
  @Test func base36IsTheStandardLibrarysRadix36() {
    var generator = SystemRandomNumberGenerator()
    let values: [UInt64] = [0, 1, 35, 36, 1295, 1296, .max, .max - 1, 1 << 63]
    for value in values
      + (0..<2000).map({ _ in
        UInt64.random(in: 0 ... .max, using: &generator) >> UInt64.random(in: 0..<64, using: &generator)
      })
    {
      #expect(WorkingTreeSource.base36(value) == String(value, radix: 36))
    }
  }
}
