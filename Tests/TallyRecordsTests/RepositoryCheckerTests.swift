import TallyGit
import TallySchema
import TallyTestSupport
import TallyText
import Testing

@testable import TallyRecords

struct FailingSource: RecordSource {
  var name: String { "a failing disk" }
  func files() throws -> [SnapshotFile] {
    [SnapshotFile(path: "people/P-01.yaml") { throw FileError(path: "people/P-01.yaml", operation: "read", errno: 5) }]
  }
}

/// A person: the record type most of these tests use.
let personSchema = """
  version: 1
  type: person
  directory: people
  id:
    pattern: ^P-[0-9]{2}$
  fields:
    name: text

  """

/// A records repository at `/records` (nothing on disk) with `schemas` (file name, text).
func memoryRepository(_ schemas: [(String, String)]) -> RecordsRepository {
  let (set, problems) = SchemaLoader.load(files: schemas.map { ("schema/" + $0.0, Array($0.1.utf8)) })
  #expect(problems.isEmpty)
  return RecordsRepository(
    root: "/records", config: RepositoryConfig(), schema: set, setupDiagnostics: [], displayPath: { $0 })
}

@Suite struct RepositoryCheckerTests {
  func repository() -> RecordsRepository { memoryRepository([("person.yaml", personSchema)]) }

  @Test func unreadableFilesAreReportedAndTheRestChecked() throws {
    let checker = RepositoryChecker(repository: repository(), today: CivilDate(year: 2026, month: 1, day: 1))
    let report = try checker.check(FailingSource())
    #expect(report.diagnostics.map(\.code) == ["unreadable"])
    #expect(report.diagnostics[0].message.contains("Input/output error"))
  }

  @Test func filesAreClassified() {
    let repo = repository()
    #expect(repo.role(of: "tally.yaml") == .config)
    #expect(repo.role(of: "schema/person.yaml") == .schema)
    #expect(repo.role(of: "people/P-01.yaml") == .record(type: "person", id: "P-01"))
    #expect(repo.role(of: "people/README.md") == .other)
    #expect(repo.role(of: "people/.gitkeep") == .other)
    #expect(repo.role(of: "docs/guide.md") == .other)
    guard case .misplaced(let code, .warning, _, _) = repo.role(of: "people/P-01.yml") else {
      Issue.record("a .yml record is stray")
      return
    }
    #expect(code == "stray-file")
    guard case .misplaced("nested-directory", .error, _, _) = repo.role(of: "people/old/P-01.yaml") else {
      Issue.record("nested records are errors")
      return
    }
    guard case .misplaced("unassigned-file", .warning, let message, _) = repo.role(of: "backup/people/P-01.yaml") else {
      Issue.record("a misplaced record directory")
      return
    }
    #expect(message.contains("looks like a person record"))
  }

  /// The roles of many files, worked out once per directory, are what each file's role is
  /// on its own — in any order of the files, with directories that share a prefix, a record
  /// directory inside the schema directory, and names that only look like records.
  @Test func rolesOfManyFilesAreEachFilesRole() {
    let inSchemaDirectory = """
      version: 1
      type: draft
      directory: schema/drafts
      id:
        pattern: ^D-[0-9]+$
      fields:
        name:
          type: text
      """
    let repo = memoryRepository([("person.yaml", personSchema), ("draft.yaml", inSchemaDirectory)])
    #expect(repo.schema.typeName(forDirectory: "schema/drafts") == "draft")
    let paths = [
      "tally.yaml", "README.md", "x.yaml", "schema/person.yaml", "schema/drafts/D-1.yaml", "people/P-01.yaml",
      "people/P-02.yaml", "people/.yaml", "people/yaml", "people/P-03.yml", "people/README.md", "people/old/P-01.yaml",
      "peoples/P-01.yaml", "peopl/P-01.yaml", "backup/people/P-01.yaml", "people/王芳.yaml", "people/a.yaml.yaml",
      "/people/P-04.yaml", "people//P-05.yaml", "people/P-06.YAML",
    ]
    var generator = SystemRandomNumberGenerator()
    for round in 0..<20 {
      let order = round == 0 ? paths : paths.shuffled(using: &generator)
      let files = order.map { path in SnapshotFile(path: path) { [] } }
      #expect(repo.roles(of: files) == order.map(repo.role(of:)), "order \(order)")
    }
    #expect(repo.roles(of: [SnapshotFile(path: "people/P-01.yaml") { [] }]) == [.record(type: "person", id: "P-01")])
  }

  @Test func memorySourceSnapshots() throws {
    let checker = RepositoryChecker(repository: repository(), today: CivilDate(year: 2026, month: 1, day: 1))
    let report = try checker.check(
      MemorySource(contents: ["people/P-01.yaml": Array("name: A\n".utf8), "people/P-02.yaml": Array("nam: B\n".utf8)]))
    #expect(report.recordCount == 2)
    #expect(report.diagnostics.map { "\($0.path) \($0.code)" } == ["people/P-02.yaml unknown-field"])
  }

  @Test func timeZones() {
    #expect(TimeZones.offsetMinutes("Asia/Shanghai") == 480)
    #expect(TimeZones.offsetMinutes("UTC") == 0)
    #expect(TimeZones.offsetMinutes("+05:30") == 330)
    #expect(TimeZones.offsetMinutes("-0800") == -480)
    #expect(TimeZones.offsetMinutes("Beijing") == nil)
    #expect(TimeZones.offsetMinutes("Mars/Olympus") == nil)
    // New York: daylight saving time in July, not in January.
    #expect(TimeZones.offsetMinutes("America/New_York", at: 1_783_000_000) == -240)
    #expect(TimeZones.offsetMinutes("America/New_York", at: 1_768_000_000) == -300)
  }
}

@Suite struct CheckCacheStoreTests {
  func repository() -> RecordsRepository {
    let note = """
      version: 1
      type: note
      directory: notes
      id:
        pattern: ^N-[0-9]+$
      fields:
        title:
          type: text
          unique: true
        author:
          type: ref
          to: person
        reviewers:
          type: list
          items:
            type: ref
            to: person

      """
    return memoryRepository([("person.yaml", personSchema), ("note.yaml", note)])
  }

  /// Files with content keys (as git snapshots have), so that the cache applies: a person
  /// (kept whole for references, so never stored) and notes that refer to them.
  func files(count: Int) -> [SnapshotFile] {
    let person = SnapshotFile(path: "people/P-01.yaml", contentKey: "person") { Array("name: Li\n".utf8) }
    return [person]
      + (1...count).map { number in
        let text = "title: Note \(number)\nauthor: P-01\nreviewers:\n  - P-01\n  - P-01\n"
        return SnapshotFile(path: "notes/N-\(number).yaml", contentKey: "key-\(number)") { Array(text.utf8) }
      }
  }

  @Test func storedResultsAreReadBackAndUsed() throws {
    let directory = try TemporaryDirectory()
    let path = directory.path + "/check-cache"
    let today = CivilDate(year: 2026, month: 1, day: 1)
    let checker = RepositoryChecker(repository: repository(), today: today)
    let first = CheckCache(schemaKey: "schema-1")
    let report = checker.check(files: files(count: 40), cache: first)
    #expect(report.diagnostics.isEmpty)
    #expect(first.computed == 41)
    CheckCacheStore.save(first, to: path, today: today)

    let second = CheckCache(schemaKey: "schema-1")
    CheckCacheStore.load(into: second, from: path, schemaKey: "schema-1", today: today, repository: repository())
    #expect(second.preloaded == 40)
    // A broken reference in a new file is found against the cached records.
    var changed = files(count: 40)
    changed.append(
      SnapshotFile(path: "notes/N-41.yaml", contentKey: "key-41") {
        Array("title: Note 41\nauthor: P-01\nreviewers:\n  - P-01\n  - P-99\n".utf8)
      })
    let again = checker.check(files: changed, cache: second)
    #expect(second.hits == 40)
    #expect(second.computed == 2)
    #expect(again.diagnostics.map(\.code) == ["broken-ref"])
    #expect(again.diagnostics.first?.field == "reviewers[1]")
    // The cached notes' list references were read back with their specs: deleting the
    // person breaks all three references of every note.
    let withoutPerson = changed.filter { $0.path != "people/P-01.yaml" }
    let broken = checker.check(files: withoutPerson, cache: second)
    #expect(
      broken.diagnostics.filter { $0.path == "notes/N-7.yaml" }.compactMap(\.field).sorted() == [
        "author", "reviewers[0]", "reviewers[1]",
      ])

    // Another schema or another day: nothing is trusted.
    let otherSchema = CheckCache(schemaKey: "schema-2")
    CheckCacheStore.load(into: otherSchema, from: path, schemaKey: "schema-2", today: today, repository: repository())
    #expect(otherSchema.preloaded == 0)
    let otherDay = CheckCache(schemaKey: "schema-1")
    CheckCacheStore.load(
      into: otherDay, from: path, schemaKey: "schema-1", today: CivilDate(year: 2026, month: 1, day: 2),
      repository: repository())
    #expect(otherDay.preloaded == 0)
  }

  @Test func aDamagedFileIsIgnoredAsAWhole() throws {
    let directory = try TemporaryDirectory()
    let path = directory.path + "/check-cache"
    let today = CivilDate(year: 2026, month: 1, day: 1)
    let cache = CheckCache(schemaKey: "k")
    _ = RepositoryChecker(repository: repository(), today: today).check(files: files(count: 3000), cache: cache)
    CheckCacheStore.save(cache, to: path, today: today)
    let bytes = try FileSystem.read(path)
    var damaged: [[UInt8]] = [Array(bytes.prefix(bytes.count / 2)), bytes + [0]]
    // A flipped byte near the end: the last chunk decodes wrongly, the earlier ones well.
    var flipped = bytes
    flipped[bytes.count - 3] ^= 0xFF
    damaged.append(flipped)
    for version in damaged {
      try FileSystem.writeAtomically(path, version)
      let loaded = CheckCache(schemaKey: "k")
      CheckCacheStore.load(into: loaded, from: path, schemaKey: "k", today: today, repository: repository())
      #expect(loaded.preloaded == 0)
    }
  }
}

@Suite struct OverlaySourceTests {
  func file(_ path: String) -> SnapshotFile { SnapshotFile(path: path, contentKey: path) { Array(path.utf8) } }

  @Test func changesAreMergedInPathOrder() throws {
    let changes: [String: [UInt8]?] = [
      "a/0.yaml": Array("new".utf8), "b/2.yaml": Array("changed".utf8), "b/3.yaml": nil, "z.yaml": Array("z".utf8),
    ]
    for base in [["b/1.yaml", "b/2.yaml", "b/3.yaml", "c/1.yaml"], ["c/1.yaml", "b/3.yaml", "b/1.yaml", "b/2.yaml"]] {
      let files = try OverlaySource(base: base.map(file), changes: changes, name: "test").files()
      #expect(files.map(\.path) == ["a/0.yaml", "b/1.yaml", "b/2.yaml", "c/1.yaml", "z.yaml"])
      #expect(try files[2].bytes() == Array("changed".utf8))
      #expect(files[2].contentKey == Repository.blobID(of: Array("changed".utf8)).hex)
      #expect(try files[1].bytes() == Array("b/1.yaml".utf8))
    }
  }
}

@Suite("Reading files relative to an open directory")
struct DirectoryReadTests {
  @Test func readsWholeFilesOfAnySizeAndNamesTheWholePathInErrors() throws {
    let directory = try TemporaryDirectory()
    let small = Array("name: 王芳\n".utf8)
    // Larger than any first read, and exactly the size fstat reports.
    let large = [UInt8]((0..<200_000).map { UInt8(truncatingIfNeeded: $0 % 251) })
    try directory.write("customers/C-0001.yaml", bytes: small)
    try directory.write("big.bin", bytes: large)
    try directory.write("empty.yaml", bytes: [])
    let open = try FileSystem.Directory(directory.path)
    #expect(try FileSystem.read("customers/C-0001.yaml", in: open) == small)
    #expect(try FileSystem.read("big.bin", in: open) == large)
    #expect(try FileSystem.read("empty.yaml", in: open) == [])
    try expectErrorsNameTheWholePath { path, directory throws(FileError) in try FileSystem.read(path, in: directory) }
  }

  @Test func theWorkingTreeIsReadThroughItsDirectory() throws {
    let directory = try TemporaryDirectory()
    try directory.write("a/b.yaml", "x: 1\n")
    let files = try WorkingTreeSource(root: directory.path).files()
    #expect(files.map(\.path) == ["a/b.yaml"])
    #expect(try files[0].bytes() == Array("x: 1\n".utf8))
  }

  /// Names that share their first eight bytes, differ only after them, are prefixes of one
  /// another, sort differently as directories (`a/` after `a.b`, before `a0`), or hold
  /// Chinese text: listed in the order git lists them.
  @Test func theWorkingTreeIsListedInGitsOrder() throws {
    let names = [
      "C-100000.yaml", "C-10000.yaml", "C-1000.yaml", "C-10000a.yaml", "C-10000.yam", "a.b", "a/x", "a0",
      "a-b", "abcdefgh.x", "abcdefgh/y", "abcdefgh0", "abcdefghi", "abcdefg", "客户/甲.yaml", "客户.yaml", "客/乙.yaml", "Z",
      "z", "deep/er/still/f", "deep/er.f", "deep-f",
    ]
    try expectListedInGitsOrder(names)
  }

  /// Writes files named `names` and expects the working tree to list them as git does.
  func expectListedInGitsOrder(_ names: [String]) throws {
    let directory = try TemporaryDirectory()
    for name in names { try directory.write(name, "x: 1\n") }
    _ = try TallyProcess.runProgram("git", ["init", "-q", "."], in: directory.path)
    _ = try TallyProcess.runProgram("git", ["add", "-A"], in: directory.path)
    let listed = try TallyProcess.runProgram("git", ["-c", "core.quotePath=false", "ls-files"], in: directory.path)
    let files = try WorkingTreeSource(root: directory.path).files()
    #expect(files.map(\.path) == listed.stdout.split(separator: "\n").map(String.init))
    #expect(files.count == names.count)
  }

  /// Names told apart only after their first eight or sixteen bytes (the bytes the sort
  /// holds), directories whose `/` falls on either side of those bytes, and long names that
  /// tie on all sixteen: in git's order.
  @Test func namesTiedInTheirFirstSixteenBytesAreListedInGitsOrder() throws {
    var names: [String] = []
    for stem in ["abcdefghijklmno", "abcdefghijklmnop", "abcdefghijklmnopq", "abcdefg", "abcdefgh"] {
      names += [stem + "/f", stem + ".x", stem + "0", stem + "-", stem + "/", stem + "z"].filter { !$0.hasSuffix("/") }
    }
    names += ["abcdefghijklmnop" + "/deeper/than/that", "abcdefghijklmnopqrstuvwxyz-1", "abcdefghijklmnopqrstuvwxyz/2"]
    names += (0..<30).map { "客户跟进记录-2026-\($0 * 7 % 30).yaml" }
    try expectListedInGitsOrder(names)
  }

  /// A directory of 3,000 records, named as the team names them and not: in git's order.
  @Test func aLargeDirectoryIsListedInGitsOrder() throws {
    var names: [String] = []
    for number in stride(from: 1, through: 30_000, by: 10) { names.append("customers/C-\(number).yaml") }
    for number in 0..<40 { names.append("customers/customer-2026-\(number).yaml") }
    try expectListedInGitsOrder(names)
  }

  /// Shard folders, listed on all cores and spliced back in: in git's order, each file once,
  /// files beside the folders in their places.
  @Test func shardFoldersListedInParallelAreInGitsOrder() throws {
    var names: [String] = []
    for number in stride(from: 7, through: 20_000, by: 13) {
      let shard = String(number % 1000)
      names.append("customers/\(String(repeating: "0", count: 3 - shard.count) + shard)/C-\(number).yaml")
    }
    names += ["customers/README.md", "customers/0000.yaml", "customers.yaml", "staff/S-001.yaml", "a/b/c/d.yaml"]
    try expectListedInGitsOrder(names)
  }
}

@Suite("Reading listed files without asking their size")
struct ListedReadTests {
  /// Sizes around the first read's room (16 KiB): a file that fills it exactly must be read
  /// on to its end, one a byte shorter must not lose its last byte.
  @Test(arguments: [0, 1, 1_400, 16_383, 16_384, 16_385, 40_000, 200_000])
  func readsEveryByteOfFilesAroundTheFirstReadsRoom(size: Int) throws {
    let directory = try TemporaryDirectory()
    let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 % 253 + 1) }
    try directory.write("customers/C-0001.yaml", bytes: bytes)
    let open = try FileSystem.Directory(directory.path)
    #expect(try FileSystem.readListed("customers/C-0001.yaml", in: open) == bytes)
  }

  @Test func missingFilesAndDirectoriesAreErrorsNamingTheWholePath() throws {
    try expectErrorsNameTheWholePath { path, directory throws(FileError) in
      try FileSystem.readListed(path, in: directory)
    }
  }

  /// The working tree's files are read this way: what a check reads is what is on disk.
  @Test func theWorkingTreeSourceReadsListedFilesWhole() throws {
    let directory = try TemporaryDirectory()
    let large = Array(String(repeating: "客户跟进记录 ", count: 3_000).utf8)
    try directory.write("customers/C-0001.yaml", bytes: large)
    try directory.write("customers/C-0002.yaml", bytes: Array("name: 李雷\n".utf8))
    let files = try WorkingTreeSource(root: directory.path).files()
    #expect(files.map(\.path) == ["customers/C-0001.yaml", "customers/C-0002.yaml"])
    #expect(try files[0].bytes() == large)
    #expect(try files[1].bytes() == Array("name: 李雷\n".utf8))
  }
}

/// A missing file and a directory, read with `read`: errors that name the whole path (the
/// open directory's and the file's) and say what is wrong.
func expectErrorsNameTheWholePath(
  _ read: (String, FileSystem.Directory) throws(FileError) -> [UInt8]
) throws {
  let directory = try TemporaryDirectory()
  try directory.write("customers/C-0001.yaml", bytes: Array("name: 王芳\n".utf8))
  let open = try FileSystem.Directory(directory.path)
  do throws(FileError) {
    _ = try read("customers/C-9999.yaml", open)
    Issue.record("a missing file was read")
  } catch {
    #expect(error.path == directory.path + "/customers/C-9999.yaml")
    #expect(error.isNotFound)
  }
  do throws(FileError) {
    _ = try read("customers", open)
    Issue.record("a directory was read as a file")
  } catch {
    #expect(error.path == directory.path + "/customers")
    #expect(error.description.contains("it is a directory"))
  }
}
