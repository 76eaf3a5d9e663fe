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

@Suite struct RepositoryCheckerTests {
  func repository() -> RecordsRepository {
    let schema = """
      version: 1
      type: person
      directory: people
      id:
        pattern: ^P-[0-9]{2}$
      fields:
        name: text

      """
    let (set, problems) = SchemaLoader.load(files: [("schema/person.yaml", Array(schema.utf8))])
    #expect(problems.isEmpty)
    return RecordsRepository(
      root: "/records", config: RepositoryConfig(), schema: set, setupDiagnostics: [], displayPath: { $0 })
  }

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
