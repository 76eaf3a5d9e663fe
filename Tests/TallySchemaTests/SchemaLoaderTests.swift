import TallyTestSupport
import TallyText
import Testing

@testable import TallySchema

let staffSchema = """
  version: 1
  type: staff
  directory: staff
  id:
    pattern: ^S-[0-9]{4}$
  fields:
    name:
      type: text
      required: true
    role:
      type: enum
      values: [manager, rep]
    boss:
      type: ref
      to: staff
      acyclic: true

  """

func load(_ files: [String: String]) -> (SchemaSet, [Diagnostic]) {
  SchemaLoader.load(files: files.map { ($0.key, Array($0.value.utf8)) })
}

func loadCodes(_ text: String, extra: [String: String] = [:]) -> [String] {
  var files = extra
  files["schema/x.yaml"] = text
  return load(files).1.filter { $0.severity == .error }.map(\.code)
}

@Suite("Schema loading")
struct SchemaLoaderTests {
  @Test func loadsTheTelesalesSchemas() throws {
    let directory = Golden.directory() + "/../../schema"
    var files: [String: String] = [:]
    for name in ["staff", "customer", "plan", "minutes"] {
      files["schema/\(name).yaml"] = try String(contentsOfFile: "\(directory)/\(name).yaml", encoding: .utf8)
    }
    let (set, diagnostics) = load(files)
    #expect(diagnostics.isEmpty, "\(diagnostics.map(\.message))")
    #expect(set.types.map(\.name).sorted() == ["customer", "minutes", "plan", "staff"])
    let customer = try #require(set.type(named: "customer"))
    #expect(customer.directory == "customers")
    #expect(customer.idPattern.matches("C-0042"))
    #expect(customer.object["status"]?.transitions?.allows(from: "lead", to: "prospect") == true)
    #expect(customer.object["status"]?.transitions?.allows(from: "lead", to: "active") == false)
    #expect(customer.object["status"]?.transitions?.allows(from: "active", to: "churned") == true)
    #expect(customer.isTyped(FieldPath(parsing: "follow_ups[2].date")!))
    #expect(!customer.isTyped(FieldPath(parsing: "contacts[0].phone")!))
    #expect(set.classify("customers/C-0042.yaml")?.id == "C-0042")
  }

  @Test func shorthandFieldSpecs() {
    let text = staffSchema.replacing("  name:\n    type: text\n    required: true\n", with: "  name: text\n")
    let (set, diagnostics) = load(["schema/staff.yaml": text])
    #expect(diagnostics.isEmpty)
    #expect(set.type(named: "staff")?.object["name"]?.required == false)
  }

  @Test(arguments: [
    ("colour: red\n", "schema-unknown-key"),
    ("  nick:\n    type: text\n    requird: true\n", "schema-unknown-key"),
    ("  age:\n    type: integer\n", "schema-unknown-type"),
    ("  team:\n    type: ref\n    to: team\n", "schema-unknown-ref"),
    ("  code:\n    type: text\n    pattern: a(b\n", "schema-bad-pattern"),
    ("  code:\n    type: text\n    pattern: (a)\\1\n", "schema-bad-pattern"),
    ("  x:\n    type: text\n    required: yes\n", "schema-bad-value"),
    ("  x:\n    type: enum\n    values: [a]\n    default: b\n", "schema-bad-value"),
    ("  x:\n    type: enum\n    values: [a, b]\n    transitions:\n      a: [c]\n", "schema-bad-value"),
    ("  x:\n    type: list\n", "schema-missing"),
    ("  x:\n    type: enum\n", "schema-missing"),
    ("  x:\n    title: no type\n", "schema-missing"),
  ])
  func fieldProblems(addition: String, code: String) {
    let text: String
    if addition.hasPrefix("  ") {
      text = staffSchema.replacing("fields:\n", with: "fields:\n" + addition)
    } else {
      text = staffSchema + addition
    }
    #expect(loadCodes(text).contains(code), "\(loadCodes(text))")
  }

  @Test(arguments: [
    ("rules:\n  - check: nmae != null\n    message: m\n", "schema-unknown-name"),
    ("rules:\n  - check: boss.rank == 1\n    message: m\n", "schema-unknown-name"),
    ("rules:\n  - check: name ==\n    message: m\n", "schema-bad-rule"),
    ("rules:\n  - check: name != null\n", "schema-missing"),
    ("rules:\n  - check: name != null\n    message: m\n    severity: fatal\n", "schema-bad-value"),
    ("rules:\n  - check: name != null\n    message: m\n    path: nmae\n", "schema-unknown-name"),
  ])
  func ruleProblems(addition: String, code: String) {
    #expect(loadCodes(staffSchema + addition).contains(code), "\(loadCodes(staffSchema + addition))")
  }

  @Test func versionMustBeSupported() {
    #expect(loadCodes(staffSchema.replacing("version: 1", with: "version: 2")).contains("schema-version"))
    #expect(loadCodes(staffSchema.replacing("version: 1\n", with: "")).contains("schema-missing"))
  }

  @Test func duplicateTypesAndDirectories() {
    var other = staffSchema.replacing("type: staff", with: "type: people")
    let (_, diagnostics) = load(["schema/a.yaml": staffSchema, "schema/b.yaml": other])
    #expect(diagnostics.map(\.code) == ["schema-duplicate-directory"])
    other = staffSchema.replacing("directory: staff", with: "directory: people")
    let (_, again) = load(["schema/a.yaml": staffSchema, "schema/b.yaml": other])
    #expect(again.map(\.code) == ["schema-duplicate-type"])
  }

  @Test func positionsPointIntoTheSchemaFile() throws {
    let text = staffSchema + "rules:\n  - check: name != null and nmae == \"x\"\n    message: m\n"
    let diagnostic = try #require(load(["schema/staff.yaml": text]).1.first)
    #expect(diagnostic.path == "schema/staff.yaml")
    #expect(diagnostic.range?.start.line == 18)
    #expect(diagnostic.range?.start.column == 29)
    #expect(diagnostic.hint == "did you mean 'name'?")
  }

  @Test func aBrokenSchemaDoesNotStopTheOthers() {
    let customer = staffSchema.replacing("type: staff", with: "type: customer").replacing(
      "directory: staff", with: "directory: customers"
    ).replacing("    acyclic: true\n", with: "")
    let (set, diagnostics) = load(["schema/staff.yaml": staffSchema + "bogus: 1\n", "schema/customer.yaml": customer])
    #expect(diagnostics.hasErrors)
    #expect(set.types.map(\.name).sorted() == ["customer", "staff"])
    let (unreadable, _) = load(["schema/staff.yaml": "type: [x]\n", "schema/customer.yaml": customer])
    #expect(unreadable.types.map(\.name) == ["customer"])
  }
}
