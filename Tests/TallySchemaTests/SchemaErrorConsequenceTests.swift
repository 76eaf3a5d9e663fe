import TallyTestSupport
import TallyText
import Testing

@testable import TallySchema

/// What a schema error leaves out of the checks until it is fixed, and that the error says so.
@Suite struct SchemaErrorConsequenceTests {
  let deal = """
    version: 1
    type: deal
    directory: deals
    id:
      pattern: ^D-[0-9]{2}$
    fields:
      title:
        type: text
      stage:
        type: enumm
      owner:
        type: ref
        to: staff
        where: role ==
    rules:
      - name: big-needs-owner
        when: title ==
        check: owner != null
        message: an owner is needed

    """

  func notes(_ diagnostics: [Diagnostic]) -> [String] {
    diagnostics.flatMap { diagnostic in diagnostic.notes.map { "\(diagnostic.code): \($0.message)" } }
  }

  @Test func eachErrorSaysWhatItLeavesOut() throws {
    let (set, diagnostics) = load(["schema/deal.yaml": deal, "schema/staff.yaml": staffSchema])
    #expect(
      notes(diagnostics) == [
        "schema-unknown-type: until this is fixed, 'stage' is not checked: records may give it any value",
        "schema-bad-rule: until this is fixed, 'owner' may name any staff",
        "schema-bad-rule: until this is fixed, the rule 'big-needs-owner' is not checked",
      ])
    let type = try #require(set.type(named: "deal"))
    #expect(type.object.unchecked == ["stage"])
    // A rule whose condition does not parse is left out, not checked on every record.
    #expect(type.object.rules.isEmpty)
    let tree = try #require(SyntaxTree.parse(Array("title: x\nstage: anything\n".utf8), path: "deals/D-01.yaml").tree)
    let (_, found) = RecordValidator(schema: set, today: CivilDate(year: 2026, month: 3, day: 2)).validate(
      tree, type: type, id: "D-01", path: "deals/D-01.yaml")
    #expect(found.isEmpty, "\(found.map(\.message))")
  }

  @Test func aNestedFieldIsNamedByItsPath() {
    let text = """
      version: 1
      type: deal
      directory: deals
      id: ^D-[0-9]{2}$
      fields:
        address:
          type: object
          fields:
            city:
              type: txt

      """
    #expect(
      notes(load(["schema/deal.yaml": text]).1) == [
        "schema-unknown-type: until this is fixed, 'address.city' is not checked: records may give it any value"
      ])
  }

  @Test func aDirectoryOutsideTheRecordsRootLeavesTheTypeOut() {
    for directory in ["../outside", "/etc", ".hidden", "a/../../b"] {
      let text = "version: 1\ntype: note\ndirectory: '\(directory)'\nid: ^N-[0-9]+$\nfields:\n  text: text\n"
      let (set, diagnostics) = load(["schema/note.yaml": text])
      #expect(set.type(named: "note") == nil, "\(directory)")
      #expect(diagnostics.map(\.code) == ["schema-bad-value"])
    }
  }
}
