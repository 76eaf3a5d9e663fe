import TallyText
import Testing

@testable import TallySchema

/// The schema and values the field-diff tests share.
enum DiffFixture {
  static let schema = """
    version: 1
    type: account
    directory: accounts
    id:
      pattern: ^A-[0-9]+$
    fields:
      name: text
      status:
        type: enum
        values: [lead, active, churned]
      amount: money
      share: percent
      vip: bool
      since: date
      note: text
      address:
        type: object
        fields:
          city: text
          zip: text
      contacts:
        type: list
        unique_by: name
        items:
          type: object
          fields:
            name: text
            phone: text
            rank: int
      targets:
        type: list
        unique_by: period
        items:
          type: object
          fields:
            period: int
            target: decimal
      follow_ups:
        type: list
        items:
          type: object
          fields:
            date: date
            summary: text
            outcome: text
      tags:
        type: list
        items: text

    """

  static let spec: ObjectSpec = {
    let (set, problems) = SchemaLoader.load(files: [("schema/account.yaml", Array(schema.utf8))])
    precondition(problems.isEmpty, "\(problems)")
    return set.type(named: "account")!.object
  }()

  static var type: FieldType { .object(spec) }

  /// A record value from its text.
  static func value(_ text: String) -> Value {
    SyntaxTree.parse(Array(text.utf8)).tree!.value
  }

  static func diff(_ old: String, _ new: String, spec: ObjectSpec? = spec, lists: FieldDiff.ListMatching = .byPosition)
    -> [FieldDifference]
  {
    FieldDiff.differences(from: value(old), to: value(new), spec: spec, lists: lists)
  }
}

@Suite("Field differences")
struct FieldDiffTests {
  @Test func keyOrderAndQuotingAreNotChanges() {
    let changes = DiffFixture.diff(
      "name: 华信\nstatus: active\namount: 100\n", "status: 'active'\nname: \"华信\"\namount: 100\n", spec: nil)
    #expect(changes.isEmpty)
  }

  @Test func scalarsListsAndNesting() {
    let changes = DiffFixture.diff(
      "status: lead\nfollow_ups:\n  - date: 2026-03-02\n    outcome: interested\n",
      "status: active\nfollow_ups:\n  - date: 2026-03-02\n    outcome: ordered\n  - date: 2026-03-09\n    outcome: ordered\n"
    )
    #expect(changes.map(\.path.description) == ["status", "follow_ups[0].outcome", "follow_ups[1]"])
    #expect(changes.map(\.identity.description) == ["status", "follow_ups[0].outcome", "follow_ups[1]"])
    #expect(changes.map(\.kind) == [.changed, .changed, .added])
    #expect(changes[0].old == .text("lead") && changes[0].new == .text("active"))
  }

  @Test func removedFieldsAndItems() {
    let changes = DiffFixture.diff(
      "note: price\nfollow_ups:\n  - summary: a\n  - summary: b\n", "follow_ups:\n  - summary: a\n")
    #expect(changes.map(\.path.description) == ["follow_ups[1]", "note"])
    #expect(changes.map(\.kind) == [.removed, .removed])
    #expect(changes[0].old == DiffFixture.value("summary: b\n") && changes[0].new == nil)
  }

  /// An empty field is the same as an absent one; an empty list is a value.
  @Test func anEmptyFieldIsAnAbsentOne() {
    #expect(DiffFixture.diff("name: A\nnote:\n", "name: A\n").isEmpty)
    #expect(DiffFixture.diff("name: A\n", "name: A\nnote:\n").isEmpty)
    #expect(DiffFixture.diff("name: A\n", "name: A\ntags: []\n").map(\.kind) == [.added])
  }

  @Test func amountsCompareByValueWhenTheSchemaTypesThem() {
    #expect(DiffFixture.diff("amount: 100\n", "amount: 100.00\n").isEmpty)
    #expect(DiffFixture.diff("share: 85\n", "share: 85%\n").isEmpty)
    #expect(
      DiffFixture.diff("targets:\n  - period: 1\n    target: 2.50\n", "targets:\n  - period: 1\n    target: 2.5\n")
        .isEmpty)
    // Not the same amount, and not amounts: text compares as text.
    #expect(DiffFixture.diff("amount: 100\n", "amount: 100.01\n").map(\.kind) == [.changed])
    #expect(DiffFixture.diff("note: 100\n", "note: 100.00\n").map(\.kind) == [.changed])
    #expect(DiffFixture.diff("amount: 100\n", "amount: 100.00\n", spec: nil).map(\.kind) == [.changed])
  }

  /// A boolean field holds `true` or `false`: any other text is another value, not "false"
  /// (a diff once read `false` → `maybe` as no change).
  @Test func booleansCompareAsText() {
    #expect(DiffFixture.diff("vip: false\n", "vip: maybe\n").map(\.kind) == [.changed])
    #expect(DiffFixture.diff("vip: false\n", "vip: no\n").map(\.kind) == [.changed])
    #expect(DiffFixture.diff("vip: true\n", "vip: true\n").isEmpty)
  }

  /// Items of a list with `unique_by` are matched by that field: a reordered list with one
  /// phone changed is that one change, at the item's new position.
  @Test func keyedItemsAreMatchedByTheirKey() {
    let changes = DiffFixture.diff(
      "contacts:\n  - name: 李强\n    phone: '1'\n  - name: 王芳\n    phone: '2'\n",
      "contacts:\n  - name: 王芳\n    phone: '2'\n  - name: 李强\n    phone: '3'\n  - name: 张伟\n")
    #expect(changes.map(\.path.description) == ["contacts[1].phone", "contacts[2]"])
    #expect(changes.map(\.identity.description) == ["contacts[\"李强\"].phone", "contacts[\"张伟\"]"])
    #expect(changes.map(\.kind) == [.changed, .added])
    // A removed item is shown at the position it had.
    let removed = DiffFixture.diff(
      "contacts:\n  - name: 李强\n  - name: 王芳\n", "contacts:\n  - name: 王芳\n")
    #expect(removed.map(\.path.description) == ["contacts[0]"])
    #expect(removed.map(\.kind) == [.removed])
  }

  /// A numeric `unique_by` field identifies an item by its value.
  @Test func numericKeysAreMatchedByValue() {
    let changes = DiffFixture.diff(
      "targets:\n  - period: 202601\n    target: 5\n", "targets:\n  - period: 202601.0\n    target: 6\n")
    #expect(changes.map(\.path.description) == ["targets[0].target"])
    #expect(changes.map(\.identity.description) == ["targets[\"202601\"].target"])
  }

  /// Duplicates (invalid, but a diff must not lose them) are told apart by occurrence.
  @Test func repeatedKeysAreToldApartByOccurrence() {
    let changes = DiffFixture.diff(
      "contacts:\n  - name: A\n    phone: '1'\n  - name: A\n    phone: '2'\n",
      "contacts:\n  - name: A\n    phone: '1'\n  - name: A\n    phone: '3'\n")
    #expect(changes.map(\.identity.description) == ["contacts[\"A\"#2].phone"])
    #expect(changes.map(\.path.description) == ["contacts[1].phone"])
  }

  /// Items of a keyed list that lack the key fall back to their position.
  @Test func itemsWithoutTheirKeyAreMatchedByPosition() {
    let changes = DiffFixture.diff(
      "contacts:\n  - phone: '1'\n  - name: B\n", "contacts:\n  - phone: '2'\n  - name: B\n")
    #expect(changes.map(\.identity.description) == ["contacts[0].phone"])
    #expect(changes.map(\.kind) == [.changed])
  }

  /// By content, an edited item is one removed and one added, a moved one no change, and
  /// two items appended are two additions wherever they are.
  @Test func byContentItemsAreTheirContent() {
    let old = "follow_ups:\n  - summary: a\n  - summary: b\ntags: [x, y]\n"
    let new = "follow_ups:\n  - summary: c\n  - summary: a\n  - summary: b2\ntags: [y, x]\n"
    let changes = DiffFixture.diff(old, new, lists: .byContent)
    #expect(changes.map(\.kind) == [.added, .added, .removed])
    #expect(changes.map(\.path.description) == ["follow_ups[0]", "follow_ups[2]", "follow_ups[1]"])
    #expect(
      changes.map(\.identity.description) == [
        "follow_ups[={\"summary\": \"c\"}]", "follow_ups[={\"summary\": \"b2\"}]", "follow_ups[={\"summary\": \"b\"}]",
      ])
    // The same by position: fields of the items at each position.
    let byPosition = DiffFixture.diff(old, new)
    #expect(
      byPosition.map(\.path.description) == [
        "follow_ups[0].summary", "follow_ups[1].summary", "follow_ups[2]", "tags[0]", "tags[1]",
      ])
  }

  /// Content identity reads content as the schema does: key order and the spelling of
  /// amounts do not make another item.
  @Test func contentIdentityIsCanonical() {
    let a = DiffFixture.value("summary: a\ndate: 2026-03-02\n")
    let b = DiffFixture.value("date: 2026-03-02\nsummary: 'a'\noutcome:\n")
    let item = FieldDiff.identities(of: [a], list: nil, lists: .byContent)
    #expect(item == FieldDiff.identities(of: [b], list: nil, lists: .byContent))
    #expect(
      FieldDiff.canonical(DiffFixture.value("amount: 1.50\nname: x\n"), type: DiffFixture.type)
        == DiffFixture.value("amount: 1.5\nname: x\n"))
  }

  @Test func equivalentIsNoDifference() {
    let type = DiffFixture.type
    #expect(
      FieldDiff.equivalent(
        DiffFixture.value("amount: 1\nname: a\n"), DiffFixture.value("name: a\namount: 1.0\n"), type: type))
    #expect(!FieldDiff.equivalent(DiffFixture.value("amount: 1\n"), DiffFixture.value("amount: 2\n"), type: type))
  }
}
