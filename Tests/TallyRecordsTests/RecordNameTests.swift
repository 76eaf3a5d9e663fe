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
