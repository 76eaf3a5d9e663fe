import Foundation
import TallySchema
import TallyTestSupport
import TallyText
import Testing

@testable import TallyRecords

@Suite struct InitRepositoryTemplateTests {
  let settings = RepositoryTemplate.Settings()
  let today = CivilDate(year: 2026, month: 3, day: 2)

  func checkReport(_ root: String) throws -> CheckReport {
    let repository = try RecordsRepository.open(root: root, from: root, displayBase: root)
    return try RepositoryChecker(repository: repository, today: today).check(WorkingTreeSource(root: root))
  }

  @Test func telesalesWritesSchemasDirectoriesReadmeAndConfigurationLast() throws {
    let dir = try TemporaryDirectory()
    let root = dir.path + "/team"
    let result = try RepositoryTemplate.telesales.create(at: root, settings: settings)
    #expect(result.createdGitRepository)
    #expect(FileManager.default.fileExists(atPath: root + "/.git/HEAD"))
    #expect(result.written.last == "tally.yaml")
    #expect(
      Set(result.written) == [
        "schema/customer.yaml", "schema/minutes.yaml", "schema/plan.yaml", "schema/staff.yaml",
        "staff/.gitkeep", "customers/.gitkeep", "plans/.gitkeep", "minutes/.gitkeep", "README.md", "tally.yaml",
      ])
    for file in BundledSchemas.files {
      #expect(try dir.read("team/schema/\(file.name)") == file.text)
    }
    let report = try checkReport(root)
    #expect(report.diagnostics.isEmpty, "\(report.diagnostics.map(\.message))")
  }

  @Test func theConfigurationHasTheSettingsAndIsCanonical() throws {
    let bytes = RepositoryTemplate.telesales.configuration(.init(timeZone: "+08:00", currency: "USD"))
    let (config, diagnostics) = RepositoryConfig.load(bytes, path: "tally.yaml")
    #expect(diagnostics.isEmpty)
    #expect(config.timeZone == "+08:00")
    #expect(config.currency == "USD")
    #expect(config.followUpIntervals.map(\.days) == [14, 30, 60])
    let formatted = RecordFormatter(paths: []).format(bytes, path: "/x/tally.yaml").formatted
    #expect(formatted == bytes)
    let empty = RepositoryTemplate.empty.configuration(settings)
    #expect(RepositoryConfig.load(empty, path: "tally.yaml").0.followUpIntervals.isEmpty)
  }

  @Test func badSettingsAreRefusedBeforeAnythingIsWritten() throws {
    let dir = try TemporaryDirectory()
    #expect(RepositoryTemplate.Settings(timeZone: "Mars/Olympus").problem?.contains("Mars/Olympus") == true)
    #expect(RepositoryTemplate.Settings(currency: "yuan").problem?.contains("yuan") == true)
    #expect(throws: RepositoryTemplate.InitError.self) {
      try RepositoryTemplate.telesales.create(at: dir.path + "/team", settings: .init(currency: "yuan"))
    }
    #expect(!FileManager.default.fileExists(atPath: dir.path + "/team"))
  }

  @Test func theReadmeNamesEveryRecordDirectoryInChineseAndEnglish() {
    let readme = RepositoryTemplate.telesales.readme
    for directory in ["staff/", "customers/", "plans/", "minutes/"] {
      #expect(readme.contains("| `\(directory)` |"))
    }
    #expect(readme.contains("`C-0001.yaml`"))
    #expect(readme.contains("## 提交 · Committing"))
    #expect(readme.contains("tally hook install"))
    #expect(RepositoryTemplate.empty.readme.contains("There are no record types yet"))
  }

  @Test func anExistingReadmeIsKeptAndOtherFilesAreNeverOverwritten() throws {
    let dir = try TemporaryDirectory()
    try dir.write("team/README.md", "# Our notes\n")
    let result = try RepositoryTemplate.telesales.create(at: dir.path + "/team", settings: settings)
    #expect(result.kept == ["README.md"])
    #expect(try dir.read("team/README.md") == "# Our notes\n")

    let other = try TemporaryDirectory()
    try other.write("schema/staff.yaml", "# ours\n")
    #expect {
      try RepositoryTemplate.telesales.create(at: other.path, settings: settings)
    } throws: { error in
      guard case .wouldOverwrite(let paths) = error as? RepositoryTemplate.InitError else { return false }
      return paths == ["schema/staff.yaml"]
    }
    #expect(try other.read("schema/staff.yaml") == "# ours\n")
    #expect(!FileManager.default.fileExists(atPath: other.path + "/.git"))
    #expect(!FileManager.default.fileExists(atPath: other.path + "/tally.yaml"))
  }

  @Test func anInterruptedInitCanBeRunAgain() throws {
    let dir = try TemporaryDirectory()
    let root = dir.path + "/team"
    _ = try RepositoryTemplate.telesales.create(at: root, settings: settings)
    // As if the run had stopped before writing tally.yaml, the last file.
    try FileManager.default.removeItem(atPath: root + "/tally.yaml")
    let again = try RepositoryTemplate.telesales.create(at: root, settings: settings)
    #expect(again.written == ["tally.yaml"])
    #expect(!again.createdGitRepository)
  }

  @Test func insideAnotherRecordsRepositoryIsRefused() throws {
    let dir = try TemporaryDirectory()
    _ = try RepositoryTemplate.telesales.create(at: dir.path, settings: settings)
    #expect {
      try RepositoryTemplate.telesales.create(at: dir.path + "/customers/more", settings: settings)
    } throws: { error in
      guard case .insideRecordsRepository = error as? RepositoryTemplate.InitError else { return false }
      return true
    }
    #expect(!FileManager.default.fileExists(atPath: dir.path + "/customers/more"))
  }

  @Test func insideAGitWorkTreeTheRecordsAreASubdirectoryOfIt() throws {
    let dir = try TemporaryDirectory()
    try TallyProcess.runProgram("git", ["init", "-q", "-b", "main", dir.path])
    let result = try RepositoryTemplate.empty.create(at: dir.path + "/records", settings: settings)
    #expect(!result.createdGitRepository)
    #expect(result.gitTopLevel == dir.path)
    #expect(!FileManager.default.fileExists(atPath: dir.path + "/records/.git"))
    #expect(result.written == ["schema/.gitkeep", "README.md", "tally.yaml"])
    #expect(try checkReport(dir.path + "/records").diagnostics.isEmpty)
  }

  @Test func insideABareRepositoryIsRefused() throws {
    let dir = try TemporaryDirectory()
    try TallyProcess.runProgram("git", ["init", "-q", "--bare", dir.path + "/server.git"])
    #expect {
      try RepositoryTemplate.telesales.create(at: dir.path + "/server.git/records", settings: settings)
    } throws: { error in
      guard case .insideGitDirectory = error as? RepositoryTemplate.InitError else { return false }
      return true
    }
    #expect(!FileManager.default.fileExists(atPath: dir.path + "/server.git/records"))
  }
}
