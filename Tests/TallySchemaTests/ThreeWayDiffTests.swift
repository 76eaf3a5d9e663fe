import TallyText
import Testing

@testable import TallySchema

@Suite("Applying field differences")
struct FieldDiffApplyTests {
  @Test func applyingTheDifferencesGivesTheNewValue() throws {
    let old = DiffFixture.value(
      "name: A\ncontacts:\n  - name: 李强\n    phone: '1'\n  - name: 王芳\nfollow_ups:\n  - summary: a\ntags: [x]\n")
    let new = DiffFixture.value(
      "name: B\ncontacts:\n  - name: 张伟\n  - name: 李强\n    phone: '2'\nfollow_ups:\n  - summary: a\n  - summary: b\nnote: n\n"
    )
    for lists in [FieldDiff.ListMatching.byPosition, .byContent] {
      let changes = FieldDiff.differences(from: old, to: new, spec: DiffFixture.spec, lists: lists)
      let applied = try FieldDiff.apply(changes, to: old, type: DiffFixture.type, lists: lists)
      // Items land where the new version has them; a new field goes last.
      #expect(
        applied
          == DiffFixture.value(
            "name: B\ncontacts:\n  - name: 张伟\n  - name: 李强\n    phone: '2'\nfollow_ups:\n  - summary: a\n  - summary: b\nnote: n\n"
          ))
    }
  }

  @Test func valueAtAnIdentityPath() throws {
    let record = DiffFixture.value("contacts:\n  - name: 李强\n    phone: '1'\n  - name: 王芳\n    phone: '2'\n")
    let path = IdentityPath([.key("contacts"), .item(.key("王芳", occurrence: 0)), .key("phone")])
    #expect(FieldDiff.value(at: path, in: record, type: DiffFixture.type) == .text("2"))
    let missing = IdentityPath([.key("contacts"), .item(.key("张伟", occurrence: 0))])
    #expect(FieldDiff.value(at: missing, in: record, type: DiffFixture.type) == nil)
    #expect(FieldDiff.type(at: path, in: DiffFixture.type)?.kind == .text)
    #expect(FieldDiff.type(at: IdentityPath([.key("contacts")]), in: DiffFixture.type)?.kind == .list)
    #expect(FieldDiff.type(at: IdentityPath([.key("unknown")]), in: DiffFixture.type) == nil)
  }

  @Test func aDifferenceMustFitTheValue() {
    let old = DiffFixture.value("name: A\n")
    let changes = DiffFixture.diff("name: B\n", "name: C\n")
    #expect(throws: FieldDiff.ApplyError.mismatch(IdentityPath([.key("name")]))) {
      try FieldDiff.apply(changes, to: old, type: DiffFixture.type)
    }
    let adding = DiffFixture.diff("other: 1\n", "other: 1\nname: C\n")
    #expect(throws: FieldDiff.ApplyError.mismatch(IdentityPath([.key("name")]))) {
      try FieldDiff.apply(adding, to: old, type: DiffFixture.type)
    }
    let inside = DiffFixture.diff("address:\n  city: x\n", "address:\n  city: y\n")
    #expect(throws: FieldDiff.ApplyError.notFound(IdentityPath([.key("address"), .key("city")]))) {
      try FieldDiff.apply(inside, to: old, type: DiffFixture.type)
    }
    let twice = DiffFixture.diff("name: A\n", "name: B\n") + DiffFixture.diff("name: A\n", "name: C\n")
    #expect(throws: FieldDiff.ApplyError.overlapping(IdentityPath([.key("name")]))) {
      try FieldDiff.apply(twice, to: old, type: DiffFixture.type)
    }
  }
}

@Suite("Three-way field differences")
struct ThreeWayDiffTests {
  func align(_ base: String, _ ours: String, _ theirs: String) -> ThreeWayDiff {
    ThreeWayDiff(
      base: DiffFixture.value(base), ours: DiffFixture.value(ours), theirs: DiffFixture.value(theirs),
      spec: DiffFixture.spec)
  }

  @Test func differentFieldsAreSeparateEntries() {
    let diff = align("status: lead\nname: A\n", "status: active\nname: A\n", "status: lead\nname: B\n")
    #expect(diff.entries.map(\.identity.description) == ["status", "name"])
    #expect(diff.entries.map(\.agreement) == [.ours, .theirs])
    #expect(diff.conflicts.isEmpty)
  }

  @Test func theSameScalarChangedTwoWaysIsDifferent() throws {
    let diff = align("status: lead\n", "status: active\n", "status: churned\n")
    let entry = try #require(diff.entries.first)
    #expect(diff.entries.count == 1)
    #expect(entry.agreement == .different)
    #expect(entry.base == .text("lead") && entry.oursValue == .text("active") && entry.theirsValue == .text("churned"))
    #expect(diff.conflicts.map(\.identity.description) == ["status"])
  }

  @Test func theSameChangeOnBothSidesIsTheSame() {
    let diff = align("amount: 1\n", "amount: 2\n", "amount: 2.00\n")
    #expect(diff.entries.map(\.agreement) == [.same])
  }

  /// A follow-up appended on each side is two additions, not one position changed twice.
  @Test func itemsAppendedOnBothSidesAreBothAdditions() {
    let base = "follow_ups:\n  - summary: a\n"
    let diff = align(base, base + "  - summary: ours\n", base + "  - summary: theirs\n")
    #expect(diff.entries.map(\.agreement) == [.ours, .theirs])
    #expect(
      diff.entries.map(\.identity.description) == [
        "follow_ups[={\"summary\": \"ours\"}]", "follow_ups[={\"summary\": \"theirs\"}]",
      ])
    // The same item appended on both: one entry, the same.
    let same = align(base, base + "  - summary: b\n", base + "  - summary: b\n")
    #expect(same.entries.map(\.agreement) == [.same])
  }

  /// A contact removed on one side and edited on the other: one entry, rooted at the item,
  /// whichever side removed it.
  @Test func anItemRemovedOnOneSideAndChangedOnTheOtherIsOneEntry() throws {
    let base = "contacts:\n  - name: 李强\n    phone: '1'\n  - name: 王芳\n"
    let removed = "contacts:\n  - name: 王芳\n"
    let changed = "contacts:\n  - name: 李强\n    phone: '2'\n  - name: 王芳\n"
    for (ours, theirs) in [(removed, changed), (changed, removed)] {
      let diff = align(base, ours, theirs)
      let entry = try #require(diff.entries.first)
      #expect(diff.entries.count == 1)
      #expect(entry.identity.description == "contacts[\"李强\"]")
      #expect(entry.agreement == .different)
      #expect(entry.ours.count == 1 && entry.theirs.count == 1)
    }
  }

  /// Two fields of one contact, one per side: two entries, no conflict.
  @Test func fieldsOfOneItemAreSeparate() {
    let base = "contacts:\n  - name: 李强\n    phone: '1'\n    rank: 1\n"
    let diff = align(
      base, "contacts:\n  - name: 李强\n    phone: '2'\n    rank: 1\n",
      "contacts:\n  - name: 李强\n    phone: '1'\n    rank: 2\n")
    #expect(diff.entries.map(\.identity.description) == ["contacts[\"李强\"].phone", "contacts[\"李强\"].rank"])
    #expect(diff.conflicts.isEmpty)
  }

  /// The changes taken from the entries compose: applied to the base, they give each
  /// side's values where that side changed them.
  @Test func takenChangesApplyTogether() throws {
    let base = "name: A\ncontacts:\n  - name: 李强\nfollow_ups:\n  - summary: a\n"
    let ours = "name: B\ncontacts:\n  - name: 李强\n    phone: '1'\nfollow_ups:\n  - summary: a\n  - summary: o\n"
    let theirs = "name: A\ncontacts:\n  - name: 李强\n    rank: 3\nfollow_ups:\n  - summary: a\n  - summary: t\n"
    let diff = align(base, ours, theirs)
    #expect(diff.conflicts.isEmpty)
    let taken = diff.entries.flatMap { $0.agreement == .theirs ? $0.theirs : $0.ours }
    let merged = try FieldDiff.apply(taken, to: DiffFixture.value(base), type: DiffFixture.type, lists: .byContent)
    #expect(
      merged
        == DiffFixture.value(
          "name: B\ncontacts:\n  - name: 李强\n    phone: '1'\n    rank: 3\nfollow_ups:\n  - summary: a\n  - summary: o\n  - summary: t\n"
        ))
  }
}
