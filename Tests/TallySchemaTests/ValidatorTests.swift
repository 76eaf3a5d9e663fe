import TallyTestSupport
import TallyText
import Testing

@testable import TallySchema

/// A small schema set: people who report to each other, and deals that refer to them.
let testSchemas: [String: String] = [
  "schema/person.yaml": """
  version: 1
  type: person
  directory: people
  id:
    pattern: ^P-[0-9]{2}$
  fields:
    name:
      type: text
      required: true
      max_length: 10
    role:
      type: enum
      required: true
      values: [boss, rep]
    email:
      type: email
      unique: true
    boss:
      type: ref
      to: person
      acyclic: true
    joined:
      type: date
      min: 2000-01-01
    left:
      type: date
  rules:
    - name: left-after-joined
      check: left == null or left >= joined
      message: left before joining
    - name: rep-has-boss
      when: role == "rep"
      check: boss.role == "boss"
      message: a rep reports to a boss
      path: boss

  """,
  "schema/deal.yaml": """
  version: 1
  type: deal
  directory: deals
  id:
    pattern: ^D-[0-9]{2}$
  fields:
    title:
      type: text
      pattern: ^[A-Z]
    owner:
      type: ref
      to: person
      where: role == "rep"
      where_message: the owner must be a rep
    amount:
      type: money
      min: 0
      max: 1000
    count:
      type: int
    ratio:
      type: decimal
    won:
      type: bool
    at:
      type: datetime
    stage:
      type: enum
      values: [open, won, lost]
      initial: [open]
      transitions:
        open: [won, lost]
    site:
      type: url
    phone:
      type: phone
    notes:
      type: multiline
      min_length: 3
    tags:
      type: list
      min_items: 1
      max_items: 3
      unique_items: true
      items:
        type: text
    lines:
      type: list
      unique_by: sku
      items:
        type: object
        fields:
          sku:
            type: text
            required: true
          qty:
            type: int
            min: 1
        rules:
          - check: qty < 100
            message: too many
    address:
      type: object
      fields:
        city:
          type: text

  """,
]

struct Fixture {
  var records: [String: String] = [
    "people/P-01.yaml": "name: Boss\nrole: boss\nemail: b@x.cn\njoined: 2020-01-01\n",
    "people/P-02.yaml": "name: Rep\nrole: rep\nemail: r@x.cn\nboss: P-01\njoined: 2021-01-01\n",
    "deals/D-01.yaml": "title: Big\nowner: P-02\namount: 10.50\nstage: open\ntags: [a]\n",
  ]

  func check(today: CivilDate = CivilDate(year: 2026, month: 11, day: 29)) throws -> [Diagnostic] {
    let (schema, problems) = SchemaLoader.load(files: testSchemas.map { ($0.key, Array($0.value.utf8)) })
    #expect(problems.isEmpty, "\(problems.map(\.message))")
    let validator = RecordValidator(schema: schema, today: today)
    var diagnostics: [Diagnostic] = []
    var summaries: [RecordSummary] = []
    for (path, text) in records.sorted(by: { $0.key < $1.key }) {
      let result = SyntaxTree.parse(Array(text.utf8), path: path)
      diagnostics += result.diagnostics
      guard let tree = result.tree, let (type, id) = schema.classify(path) else { continue }
      let (summary, found) = validator.validate(tree, type: type, id: id, path: path)
      summaries.append(summary)
      diagnostics += found
    }
    diagnostics += SetValidator(schema: schema, today: today).validate(summaries)
    return diagnostics.sorted(by: Diagnostic.sortOrder)
  }

  func codes() throws -> [String] { try check().map(\.code) }
}

@Suite("Validation: one invalid twin per diagnostic")
struct ValidatorTests {
  @Test func theValidFixtureIsClean() throws {
    #expect(try Fixture().check().isEmpty)
  }

  @Test(arguments: [
    ("stauts: open\n", "unknown-field"),
    ("amount: x\n", "not-money"),
    ("amount: 1.234\n", "not-money"),
    ("count: 1.5\n", "not-an-integer"),
    ("ratio: abc\n", "not-a-number"),
    ("won: yes\n", "not-a-bool"),
    ("at: tomorrow\n", "not-a-datetime"),
    ("stage: closed\n", "not-in-enum"),
    ("site: example.com\n", "not-a-url"),
    ("phone: '12'\n", "not-a-phone"),
    ("title: big\n", "pattern-mismatch"),
    ("notes: ab\n", "too-short"),
    ("amount: -1\n", "too-small"),
    ("amount: 1001\n", "too-large"),
    ("tags: []\n", "too-few-items"),
    ("tags: [a, b, c, d]\n", "too-many-items"),
    ("tags: [a, a]\n", "duplicate-item"),
    ("lines:\n  - sku: x\n  - sku: x\n", "duplicate-item"),
    ("lines:\n  - qty: 1\n", "missing-field"),
    ("lines:\n  - sku: x\n    qty: 0\n", "too-small"),
    ("lines:\n  - sku: x\n    qty: 200\n", "rule"),
    ("lines: x\n", "wrong-kind"),
    ("address: [a]\n", "wrong-kind"),
    ("title: [a]\n", "wrong-kind"),
    ("owner: nobody\n", "bad-ref-id"),
    ("owner: P-99\n", "broken-ref"),
    ("owner: P-01\n", "ref-condition"),
  ])
  func dealTwin(line: String, code: String) throws {
    var fixture = Fixture()
    let key = String(line.prefix { $0 != ":" })
    var lines = fixture.records["deals/D-01.yaml"]!.split(separator: "\n").map(String.init)
    lines.removeAll { $0.hasPrefix(key + ":") }
    fixture.records["deals/D-01.yaml"] = lines.joined(separator: "\n") + "\n" + line
    let found = try fixture.check()
    #expect(found.map(\.code).contains(code), "\(found.map { "\($0.code): \($0.message)" })")
    #expect(found.allSatisfy { $0.path == "deals/D-01.yaml" })
  }

  /// Identities are compared one by one in short lists and hashed in long ones: either way,
  /// each repeat is reported once, at the repeat, with a note at the first; text that is
  /// the same but written with other code points (é as e + accent) is a repeat too.
  @Test(arguments: [2, 3, 16, 17, 40])
  func everyRepeatedItemIsFound(count: Int) throws {
    let pairs = [(0, 1), (0, count - 1), (count - 2, count - 1), (count / 2, count - 1)].filter { $0.0 < $0.1 }
    for (first, repeat_) in pairs {
      var fixture = Fixture()
      var record = fixture.records["deals/D-01.yaml"]! + "lines:\n"
      for item in 0..<count {
        let sku = item == repeat_ ? (first == 0 ? "e\u{301}0" : "s\(first)") : (item == 0 ? "\u{E9}0" : "s\(item)")
        record += "  - sku: \(sku)\n"
      }
      fixture.records["deals/D-01.yaml"] = record
      let found = try fixture.check().filter { $0.code == "duplicate-item" }
      #expect(found.count == 1, "\(count) items, \(first) repeated at \(repeat_)")
      #expect(found.first?.range?.start.line == 7 + repeat_)
      #expect(found.first?.notes.first?.range?.start.line == 7 + first)
    }
    var fixture = Fixture()
    fixture.records["deals/D-01.yaml"]! += "lines:\n" + (0..<count).map { "  - sku: s\($0)\n" }.joined()
    #expect(try fixture.check().filter { $0.code == "duplicate-item" }.isEmpty)
  }

  /// References are looked up with a cache of the last target and of each condition's
  /// outcome per target: neither may carry one record's answer over to another's reference.
  @Test func eachReferenceGetsItsOwnAnswer() throws {
    var fixture = Fixture()
    let deal = fixture.records["deals/D-01.yaml"]!
    func withOwner(_ owner: String) -> String { deal.replacingOccurrences(of: "owner: P-02", with: "owner: \(owner)") }
    fixture.records["deals/D-02.yaml"] = withOwner("P-01")
    fixture.records["deals/D-03.yaml"] = withOwner("P-02")
    fixture.records["deals/D-04.yaml"] = withOwner("P-01")
    fixture.records["deals/D-05.yaml"] = withOwner("P-99")
    fixture.records["deals/D-06.yaml"] = withOwner("P-02")
    fixture.records["deals/D-07.yaml"] = withOwner("nobody")
    let found = try fixture.check()
    #expect(
      found.map { "\($0.path) \($0.code)" } == [
        "deals/D-02.yaml ref-condition", "deals/D-04.yaml ref-condition", "deals/D-05.yaml broken-ref",
        "deals/D-07.yaml bad-ref-id",
      ])
  }

  @Test func missingAndEmptyRequiredFields() throws {
    var fixture = Fixture()
    fixture.records["people/P-03.yaml"] = "role: boss\n"
    fixture.records["people/P-04.yaml"] = "name:\nrole: boss\n"
    fixture.records["people/P-05.yaml"] = "name: ''\nrole: boss\n"
    let found = try fixture.check()
    #expect(
      found.map { "\($0.path) \($0.code)" } == [
        "people/P-03.yaml missing-field", "people/P-04.yaml empty-field", "people/P-05.yaml empty-field",
      ])
  }

  @Test func lineBreakInText() throws {
    var fixture = Fixture()
    fixture.records["people/P-03.yaml"] = "name: |\n  two\n  lines\nrole: boss\n"
    // An escaped line break: the value is not the bytes as written.
    fixture.records["people/P-04.yaml"] = "name: \"two\\nlines\"\nrole: boss\n"
    let found = try fixture.check()
    #expect(found.filter { $0.code == "line-break" }.map(\.path) == ["people/P-03.yaml", "people/P-04.yaml"])
  }

  @Test func badDatesAndBounds() throws {
    var fixture = Fixture()
    fixture.records["people/P-03.yaml"] = "name: X\nrole: boss\njoined: 2026-02-30\n"
    fixture.records["people/P-04.yaml"] = "name: Y\nrole: boss\njoined: 1999-12-31\n"
    #expect(try fixture.codes() == ["not-a-date", "too-small"])
  }

  @Test func tooLongTextCountsCharacters() throws {
    var fixture = Fixture()
    fixture.records["people/P-03.yaml"] = "name: 一二三四五六七八九十\nrole: boss\n"
    fixture.records["people/P-04.yaml"] = "name: 一二三四五六七八九十一\nrole: boss\n"
    let found = try fixture.check()
    #expect(found.map { "\($0.path) \($0.code)" } == ["people/P-04.yaml too-long"])
  }

  @Test func badFileName() throws {
    var fixture = Fixture()
    fixture.records["people/bob.yaml"] = "name: Bob\nrole: boss\n"
    let found = try fixture.check()
    #expect(found.map(\.code) == ["bad-id"])
    #expect(found[0].hint == "person files are named by their id, matching ^P-[0-9]{2}$")
  }

  @Test func rulesWithinAndAcrossRecords() throws {
    var fixture = Fixture()
    fixture.records["people/P-03.yaml"] = "name: X\nrole: boss\njoined: 2021-01-01\nleft: 2020-01-01\n"
    fixture.records["people/P-04.yaml"] = "name: Y\nrole: rep\nboss: P-02\njoined: 2021-01-01\n"
    let found = try fixture.check()
    #expect(
      found.map { "\($0.path):\($0.range!.start.line) \($0.code) \($0.message)" } == [
        "people/P-03.yaml:4 rule left before joining",
        "people/P-04.yaml:3 rule a rep reports to a boss",
      ])
  }

  @Test func ruleThatCannotBeEvaluated() throws {
    var fixture = Fixture()
    fixture.records["people/P-03.yaml"] = "name: X\nrole: boss\nleft: 2020-01-01\n"
    let found = try fixture.check()
    #expect(found.map(\.code) == ["rule-error"])
    #expect(found[0].message.contains("cannot compare with '>=': 'joined' is empty"))
  }

  @Test func cyclesAreReportedOnce() throws {
    var fixture = Fixture()
    fixture.records["people/P-01.yaml"] = "name: Boss\nrole: boss\nboss: P-03\n"
    fixture.records["people/P-03.yaml"] = "name: Other\nrole: boss\nboss: P-01\n"
    let found = try fixture.check().filter { $0.code == "cycle" }
    #expect(found.count == 1)
    #expect(found.first?.message == "'boss' goes round in a circle: P-01 → P-03 → P-01")
    #expect(found.first?.path == "people/P-01.yaml")
  }

  @Test func uniqueAcrossRecords() throws {
    var fixture = Fixture()
    fixture.records["people/P-03.yaml"] = "name: X\nrole: boss\nemail: b@x.cn\n"
    let found = try fixture.check()
    #expect(found.map { "\($0.path) \($0.code)" } == ["people/P-03.yaml not-unique"])
    #expect(found[0].notes.first?.path == "people/P-01.yaml")
  }

  @Test func everyProblemInOneRun() throws {
    var fixture = Fixture()
    fixture.records["deals/D-01.yaml"] = "title: big\nowner: P-99\namount: -5\nstage: closed\nwon: maybe\nextra: 1\n"
    #expect(
      try fixture.codes() == [
        "pattern-mismatch", "broken-ref", "too-small", "not-in-enum", "not-a-bool", "unknown-field",
      ])
  }

  @Test func transitions() throws {
    let (schema, _) = SchemaLoader.load(files: testSchemas.map { ($0.key, Array($0.value.utf8)) })
    let validator = RecordValidator(schema: schema, today: CivilDate(year: 2026, month: 1, day: 1))
    func summary(_ id: String, _ text: String) throws -> RecordSummary {
      let tree = try #require(SyntaxTree.parse(Array(text.utf8)).tree)
      return validator.validate(tree, type: schema.type(named: "deal")!, id: id, path: "deals/\(id).yaml").0
    }
    var baseline = TransitionChecker.Baseline(name: "HEAD")
    baseline.add(try summary("D-01", "stage: won\n"))
    baseline.add(try summary("D-02", "stage: open\n"))
    let checker = TransitionChecker(schema: schema)
    let found = checker.check(
      [
        try summary("D-01", "stage: open\n"), try summary("D-02", "stage: won\n"), try summary("D-03", "stage: lost\n"),
      ],
      against: baseline)
    #expect(found.map { "\($0.path) \($0.code)" } == ["deals/D-01.yaml transition", "deals/D-03.yaml initial-state"])
    #expect(found[0].message == "'stage' cannot change from 'won' to 'open' (it was 'won' in HEAD)")
    #expect(found[0].hint == "'won' is final")
  }
}

/// References keep their field's path as a shape shared by the type and the positions of
/// their list items: the paths they give back are the paths they were found at.
@Suite("Validation: where references are")
struct ReferencePathTests {
  static let schemas: [String: String] = [
    "schema/person.yaml": """
    version: 1
    type: person
    directory: people
    id:
      pattern: ^P-[0-9]+$
    fields:
      name:
        type: text

    """,
    "schema/team.yaml": """
    version: 1
    type: team
    directory: teams
    id:
      pattern: ^T-[0-9]+$
    fields:
      lead:
        type: object
        fields:
          person:
            type: ref
            to: person
      members:
        type: list
        items:
          type: ref
          to: person
      shifts:
        type: list
        items:
          type: object
          fields:
            crew:
              type: list
              items:
                type: ref
                to: person

    """,
  ]

  @Test func everyReferenceKnowsItsPath() throws {
    let (schema, problems) = SchemaLoader.load(files: Self.schemas.map { ($0.key, Array($0.value.utf8)) })
    #expect(problems.isEmpty, "\(problems.map(\.message))")
    let validator = RecordValidator(schema: schema, today: CivilDate(year: 2026, month: 11, day: 30))
    var text = "lead:\n  person: P-1\nmembers: [P-2, P-3]\nshifts:\n"
    var expected = ["lead.person", "members[0]", "members[1]"]
    for shift in 0..<3 {
      text += "  - crew: [P-4, P-5]\n"
      expected += ["shifts[\(shift)].crew[0]", "shifts[\(shift)].crew[1]"]
    }
    // A list longer than a packed position holds: its paths are kept whole.
    text += "  - crew:\n" + String(repeating: "      - P-6\n", count: 70_000)
    let tree = try #require(SyntaxTree.parse(Array(text.utf8)).tree)
    let type = try #require(schema.type(named: "team"))
    let (summary, found) = validator.validate(tree, type: type, id: "T-1", path: "teams/T-1.yaml")
    #expect(found.isEmpty)
    let paths = summary.references.map(\.field.description)
    #expect(Array(paths.prefix(expected.count)) == expected)
    #expect(paths.count == expected.count + 70_000)
    #expect(paths.last == "shifts[3].crew[69999]")
    #expect(paths[expected.count + 65_535] == "shifts[3].crew[65535]")
    // Set, the path is kept as given.
    var use = summary.references[3]
    use.field = FieldPath([.key("elsewhere")])
    #expect(use.field.description == "elsewhere")
  }

  @Test func aShapeTakesOnlyPathsOfItsShape() throws {
    let shape = try #require(PathShape([.key("a"), .index(-1), .key("b"), .index(-1)]))
    let path: [FieldPath.Component] = [.key("a"), .index(7), .key("b"), .index(65_534)]
    let positions = try #require(shape.positions(of: path))
    #expect(shape.path(positions) == FieldPath(path))
    #expect(shape.positions(of: [.key("a"), .index(7), .key("c"), .index(1)]) == nil)
    #expect(shape.positions(of: [.key("a"), .index(7), .key("b")]) == nil)
    #expect(shape.positions(of: [.key("a"), .key("x"), .key("b"), .index(1)]) == nil)
    #expect(shape.positions(of: [.key("a"), .index(65_535), .key("b"), .index(1)]) == nil)
    #expect(PathShape(Array(repeating: .index(-1), count: 5)) == nil)
  }
}

/// Unique values are grouped by type and field, and compared by their bytes.
@Suite("Validation: unique values")
struct UniqueValueTests {
  static let schemas: [String: String] = [
    "schema/a.yaml": """
    version: 1
    type: a
    directory: as
    id:
      pattern: ^A-[0-9]+$
    fields:
      x:
        type: text
        unique: true
      y:
        type: text
        unique: true

    """,
    "schema/b.yaml": """
    version: 1
    type: b
    directory: bs
    id:
      pattern: ^B-[0-9]+$
    fields:
      x:
        type: text
        unique: true

    """,
  ]

  func check(_ records: [(String, String)]) throws -> [String] {
    let (schema, problems) = SchemaLoader.load(files: Self.schemas.map { ($0.key, Array($0.value.utf8)) })
    #expect(problems.isEmpty, "\(problems.map(\.message))")
    let today = CivilDate(year: 2026, month: 11, day: 30)
    let validator = RecordValidator(schema: schema, today: today)
    var summaries: [RecordSummary] = []
    for (path, text) in records {
      let tree = try #require(SyntaxTree.parse(Array(text.utf8), path: path).tree)
      let (type, id) = try #require(schema.classify(path))
      summaries.append(validator.validate(tree, type: type, id: id, path: path).0)
    }
    return SetValidator(schema: schema, today: today).validate(summaries).map {
      "\($0.path) \($0.code) \($0.notes.first?.path ?? "")"
    }
  }

  @Test func aValueRepeatsOnlyInItsOwnTypeAndField() throws {
    let found = try check([
      ("as/A-1.yaml", "x: 甲\ny: 乙\n"),
      ("as/A-2.yaml", "x: 乙\ny: 甲\n"),
      ("as/A-3.yaml", "x: 甲\n"),
      ("as/A-4.yaml", "x: \u{E9}\n"),
      ("as/A-5.yaml", "x: e\u{301}\n"),
      ("as/A-6.yaml", "y: 乙\n"),
      ("bs/B-1.yaml", "x: 甲\n"),
      ("bs/B-2.yaml", "x: 乙\n"),
      ("bs/B-3.yaml", "x: 甲\n"),
    ])
    #expect(
      found == [
        "as/A-3.yaml not-unique as/A-1.yaml", "as/A-6.yaml not-unique as/A-1.yaml",
        "bs/B-3.yaml not-unique bs/B-1.yaml",
      ])
  }

  @Test func manyValuesAreToldApart() throws {
    var records = (0..<3000).map { ("as/A-\($0).yaml", "x: 客户\($0)\ny: v\($0)\n") }
    records.append(("as/A-9999.yaml", "x: 客户1234\n"))
    #expect(try check(records) == ["as/A-9999.yaml not-unique as/A-1234.yaml"])
  }
}
