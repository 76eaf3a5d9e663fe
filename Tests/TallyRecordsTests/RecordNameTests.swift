import Foundation
import TallyTestSupport
import Testing

@testable import TallyRecords

/// Naming records on the command line: `TYPE/ID` or a file path, never outside the root.
@Suite struct RecordNameTests {
  func name(_ argument: String, from directory: String? = nil, in fixture: EditFixture) -> Result<
    RecordsRepository.NamedRecord, RecordsRepository.RecordNameError
  > {
    Result { () throws(RecordsRepository.RecordNameError) in
      try fixture.repository.record(named: argument, from: directory ?? fixture.directory.path)
    }
  }

  func error(_ argument: String, from directory: String? = nil, in fixture: EditFixture) -> RecordsRepository
    .RecordNameError?
  {
    guard case .failure(let error) = name(argument, from: directory, in: fixture) else { return nil }
    return error
  }

  @Test func namesByTypeDirectoryAndPath() throws {
    let fixture = try EditFixture()
    let expected = RecordsRepository.NamedRecord(type: "customer", id: "C-0042", relativePath: "customers/C-0042.yaml")
    #expect(try name("customer/C-0042", in: fixture).get() == expected)
    #expect(try name("customers/C-0042", in: fixture).get() == expected)
    #expect(try name("customers/C-0042.yaml", in: fixture).get() == expected)
    #expect(try name(fixture.directory.path + "/customers/C-0042.yaml", in: fixture).get() == expected)
    let schemaDirectory = fixture.directory.path + "/schema"
    #expect(try name("C-0042.yaml", from: fixture.directory.path + "/customers", in: fixture).get() == expected)
    // `..` in a file path is resolved: staying inside the root is fine.
    #expect(try name("../customers/C-0042.yaml", from: schemaDirectory, in: fixture).get() == expected)
    #expect(try name("customers/C-0001/../C-0042.yaml", in: fixture).get() == expected)
    // A record that does not exist (yet, or any more) is still named.
    #expect(try name("customer/C-9999", in: fixture).get().relativePath == "customers/C-9999.yaml")
  }

  @Test func dotsInTypeAndIDAreRefusedInOneLine() throws {
    let fixture = try EditFixture()
    for argument in ["customer/../../etc/passwd", "customer/../C-0042", "customer/..", "customers/./C-0042", "./C-1"] {
      let found = try #require(error(argument, in: fixture), "\(argument)")
      let dots = argument.contains("..") ? ".." : "."
      #expect(
        found.message
          == "'\(argument)': '\(dots)' cannot be part of a record name; write TYPE/ID (customer/C-0001) or the path of the record's file"
      )
      #expect(found.hint == nil)
    }
    #expect(
      error("customer//C-0042", in: fixture)
        == RecordsRepository.RecordNameError(
          "'customer//C-0042' does not name a record",
          hint: "write TYPE/ID, e.g. customer/C-0001, or the path of the record's file"))
  }

  @Test func filePathsOutsideTheRootAreRefused() throws {
    let fixture = try EditFixture()
    let root = fixture.repository.root
    for argument in [
      "../outside.yaml", "customers/../../etc/passwd.yaml", "/etc/passwd.yaml", "../customers/C-0042.yaml",
    ] {
      #expect(
        error(argument, in: fixture)
          == RecordsRepository.RecordNameError("\(argument) is outside the records repository at \(root)"))
    }
    // A name that only starts with two dots is a file inside the root.
    #expect(fixture.repository.pathInside("..notes.yaml", from: root) == "..notes.yaml")
    #expect(fixture.repository.pathInside("..", from: root) == nil)
    #expect(fixture.repository.pathInside(".", from: root) == ".")
    #expect(error("schema/customer.yaml", in: fixture)?.message == "'schema/customer.yaml' is not a record file")
  }

  @Test func typesWithDotsAreRefused() throws {
    let fixture = try EditFixture()
    #expect(
      usageProblems { _ = try fixture.editing.recordType(named: "../customers") }?.map(\.message)
        == ["'../customers': '..' cannot be part of a record type; write its name or directory"])
  }

  @Test func newIDsNeverNamePaths() throws {
    let fixture = try EditFixture(extra: [
      // A type whose id pattern lets anything through: the id still cannot be a path.
      "schema/note.yaml":
        "version: 1\ntype: note\ndirectory: notes\nid:\n  pattern: ^.+$\nfields:\n  text:\n    type: text\n"
    ])
    let note = try #require(fixture.repository.schema.type(named: "note"), "\(fixture.repository.setupDiagnostics)")
    for id in ["../../etc/passwd", "..", "a/b", ".hidden"] {
      let problems = usageProblems { _ = try fixture.editing.newRecord(type: note, id: id, assignments: []) }
      #expect(problems?.map(\.message) == ["'\(id)' cannot be a record id: an id is a file name in notes/"])
    }
    #expect(!FileManager.default.fileExists(atPath: fixture.directory.path + "/etc"))
  }

  @Test func aFieldGivenAsTheNewIDNamesTheSetOption() throws {
    let fixture = try EditFixture()
    let customer = try #require(fixture.repository.schema.type(named: "customer"))
    let problems = usageProblems {
      _ = try fixture.editing.newRecord(type: customer, id: "contacts[0].name=a/b", assignments: [])
    }
    #expect(
      problems == [
        RecordEditing.Problem(
          "'contacts[0].name=a/b' is not a valid customer id",
          hint: "fields are given with --set: --set contacts[0].name=a/b")
      ])
  }
}

/// What the commands that read records by their schemas do while a schema has errors.
@Suite struct SchemaErrorTests {
  static let brokenField =
    (try? String(contentsOfFile: Golden.directory() + "/../../schema/customer.yaml", encoding: .utf8))?
    .replacing("type: enum\n    title: 行业", with: "type: enumm\n    title: 行业") ?? ""

  func fixture(customerSchema: String) throws -> EditFixture {
    try EditFixture(extra: [
      "schema/customer.yaml": customerSchema,
      // Not canonical: fmt would rewrite it.
      "customers/C-0042.yaml": "industry: trade\nname:   上海华信贸易有限公司\ntier: A\nstatus: prospect\nowner: S-0012\n",
    ])
  }

  @Test func recordsOfATypeWithSchemaErrorsAreNotFormatted() throws {
    #expect(Self.brokenField.contains("type: enumm"))
    let fixture = try fixture(customerSchema: Self.brokenField)
    #expect(fixture.repository.schema.type(named: "customer") != nil)
    #expect(fixture.repository.unloadedSchemaFiles.isEmpty)
    let customer = fixture.directory.path + "/customers/C-0042.yaml"
    let staff = fixture.directory.path + "/staff/S-0001.yaml"
    try fixture.directory.write("staff/S-0001.yaml", "name:   陈建国\nrole: manager\nteam: 华东销售中心\n")
    let before = try fixture.directory.bytes("customers/C-0042.yaml")
    let outcomes = RecordFormatter(paths: [customer, staff]).run(paths: [customer, staff], write: true)
    #expect(
      outcomes.map(\.status) == [.leftAlone("the schema of customer (schema/customer.yaml) has errors"), .changed])
    #expect(try fixture.directory.bytes("customers/C-0042.yaml") == before)
    #expect(try fixture.directory.read("staff/S-0001.yaml").hasPrefix("name: 陈建国\n"))
  }

  @Test func aSchemaFileThatIsNoTypeIsNamed() throws {
    let fixture = try fixture(customerSchema: "version: 1\n\ttype: customer\n")
    let repository = fixture.repository
    #expect(repository.unloadedSchemaFiles == ["schema/customer.yaml"])
    let customer = fixture.directory.path + "/customers/C-0042.yaml"
    let before = try fixture.directory.bytes("customers/C-0042.yaml")
    let outcomes = RecordFormatter(paths: [customer]).run(paths: [customer], write: true)
    #expect(
      outcomes.map(\.status) == [
        .leftAlone(
          "schema/customer.yaml cannot be read as a record type, so these files may be records of an unknown type")
      ])
    #expect(try fixture.directory.bytes("customers/C-0042.yaml") == before)
    let unknown = usageProblems { _ = try fixture.target("customer/C-0042") }
    #expect(
      unknown == [
        RecordEditing.Problem(
          "there is no record type 'customer'",
          hint:
            "schema/customer.yaml cannot be read as a record type: fix it first (see 'tally check'); record types: minutes, plan, staff"
        )
      ])
  }
}

/// Shell completion of record types and names.
@Suite struct CompletionTests {
  @Test func typesThenIdsAsTheTypeIsWritten() throws {
    let fixture = try EditFixture()
    let repository = fixture.repository
    #expect(repository.typeCompletions("") == ["customer", "minutes", "plan", "staff"])
    #expect(repository.typeCompletions("s") == ["staff"])
    #expect(repository.recordNameCompletions("c") == ["customer/"])
    #expect(repository.recordNameCompletions("customer/") == ["customer/C-0042", "customer/C-0152"])
    #expect(repository.recordNameCompletions("customers/C-01") == ["customers/C-0152"])
    #expect(repository.recordNameCompletions("staff/S-000") == ["staff/S-0001", "staff/S-0002", "staff/S-0003"])
    #expect(repository.recordNameCompletions("nothing/").isEmpty)
    #expect(repository.recordNameCompletions("x").isEmpty)
  }

  @Test func theRepositoryIsTheOneOfRepoOrTheDirectory() throws {
    let fixture = try EditFixture()
    let elsewhere = try TemporaryDirectory()
    #expect(RecordsRepository.forCompletion(arguments: ["tally", "set", ""], from: elsewhere.path) == nil)
    for arguments in [
      ["tally", "set", "--repo", fixture.directory.path, ""], ["tally", "set", "--repo=\(fixture.directory.path)"],
    ] {
      let found = RecordsRepository.forCompletion(arguments: arguments, from: elsewhere.path)
      #expect(found?.root == fixture.repository.root, "\(arguments)")
    }
    let inside = RecordsRepository.forCompletion(
      arguments: ["tally", "show"], from: fixture.directory.path + "/customers")
    #expect(inside?.root == fixture.repository.root)
  }
}
