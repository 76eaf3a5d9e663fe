import Foundation
import Testing

@testable import TallyText

func document(_ text: String) -> Document {
  Document.parse(text, path: "t.yaml").document!
}

func text(_ document: Document) -> String {
  String(decoding: document.source, as: UTF8.self)
}

func path(_ text: String) -> FieldPath { FieldPath(parsing: text)! }

@Suite("Edits keep the rest of the file")
struct EditingTests {
  let original = """
    # Customer
    name:   王芳    # as on the card
    status: prospect
    tags: [a,   b]
    follow_ups:
    # first call
    - date: '2026-03-02'
      outcome: interested
    - date: '2026-03-09'
      outcome:   callback   # ask again

    # trailing notes
    notes: |
      line one
      line two

    """

  @Test func setScalarKeepsCommentsAndOtherLines() throws {
    let edited = try document(original).setting(path("status"), to: .text("active"))
    #expect(text(edited) == original.replacing("status: prospect", with: "status: active"))
  }

  @Test func setNestedScalarKeepsItsTrailingComment() throws {
    let edited = try document(original).setting(path("follow_ups[1].outcome"), to: .text("won"))
    #expect(text(edited) == original.replacing("outcome:   callback   # ask again", with: "outcome: won # ask again"))
  }

  @Test func setScalarInTheFirstKeyOfACompactMapping() throws {
    let edited = try document(original).setting(path("follow_ups[0].date"), to: .text("2026-03-03"))
    #expect(text(edited) == original.replacing("- date: '2026-03-02'", with: "- date: '2026-03-03'"))
  }

  @Test func insertKeyAfterTheLastEntry() throws {
    let edited = try document(original).inserting(key: "owner", value: .text("S-0007"), into: FieldPath())
    #expect(text(edited) == original + "owner: S-0007\n")
  }

  @Test func insertKeyInTheMiddle() throws {
    let edited = try document(original).inserting(key: "owner", value: .text("S-0007"), into: FieldPath(), at: 2)
    #expect(text(edited) == original.replacing("status: prospect\n", with: "status: prospect\nowner: S-0007\n"))
  }

  @Test func appendListItem() throws {
    let item = map(["date": t("2026-03-16"), "outcome": t("ordered")])
    let edited = try document(original).appending(item, to: path("follow_ups"))
    #expect(
      text(edited)
        == original.replacing(
          "outcome:   callback   # ask again\n",
          with: "outcome:   callback   # ask again\n- date: '2026-03-16'\n  outcome: ordered\n"))
  }

  /// The printer is asked about a new item's fields by their paths in the record
  /// (`follow_ups[2].date`), so a typed date is written plain.
  @Test func appendedAndReplacedItemsAskTheirOwnPaths() throws {
    let asked = Paths()
    let printer = CanonicalPrinter(isTyped: { path in
      asked.add(path.description)
      return path.description.hasSuffix(".date")
    })
    let item = map(["date": t("2026-03-16"), "outcome": t("ordered")])
    let appended = try document(original).appending(item, to: path("follow_ups"), printer: printer)
    #expect(text(appended).contains("- date: 2026-03-16\n  outcome: ordered\n"))
    #expect(asked.all.contains("follow_ups[2].date"))
    #expect(!asked.all.contains { $0.contains("][") })
    let replaced = try document(original).setting(path("follow_ups[1]"), to: item, printer: printer)
    #expect(text(replaced).contains("- date: 2026-03-16\n  outcome: ordered\n"))
    #expect(asked.all.contains("follow_ups[1].date"))
    #expect(!asked.all.contains { $0.contains("][") })
  }

  @Test func appendToAFlowListKeepsFlowStyle() throws {
    let edited = try document(original).appending(.text("c d"), to: path("tags"))
    #expect(text(edited) == original.replacing("tags: [a,   b]", with: "tags: [a, b, c d]"))
  }

  @Test func appendToAMissingListCreatesIt() throws {
    let edited = try document("name: x\n").appending(.text("vip"), to: path("tags"))
    #expect(text(edited) == "name: x\ntags:\n  - vip\n")
  }

  @Test func removeKeyWithItsComments() throws {
    let edited = try document(original).removing(path("notes"))
    #expect(text(edited) == original.replacing("# trailing notes\nnotes: |\n  line one\n  line two\n", with: ""))
  }

  @Test func removeListItem() throws {
    let edited = try document(original).removing(path("follow_ups[1]"))
    #expect(text(edited) == original.replacing("- date: '2026-03-09'\n  outcome:   callback   # ask again\n", with: ""))
  }

  @Test func setCreatesMissingMappings() throws {
    let edited = try document("name: x\n").setting(path("address.city"), to: .text("上海"))
    #expect(text(edited) == "name: x\naddress:\n  city: 上海\n")
  }

  @Test func setOnAnEmptyValue() throws {
    let edited = try document("a:\nb: 2\n").setting(path("a"), to: .text("one"))
    #expect(text(edited) == "a: one\nb: 2\n")
  }

  @Test func setMultilineText() throws {
    let edited = try document("a: x # keep\nb: 2\n").setting(path("a"), to: .text("one\ntwo\n"))
    #expect(text(edited) == "a: | # keep\n  one\n  two\nb: 2\n")
  }

  @Test func editsKeepCRLF() throws {
    let edited = try document("a: 1\r\nb: 2\r\n").setting(path("c"), to: .text("three"))
    #expect(text(edited) == "a: 1\r\nb: 2\r\nc: three\r\n")
  }

  @Test func badPathsAreErrors() {
    let doc = document("a: x\nl: [1]\n")
    #expect(throws: EditError.notAMapping(path("a"))) { try doc.setting(path("a.b"), to: .text("1")) }
    #expect(throws: EditError.notAList(path("a"))) { try doc.appending(.text("1"), to: path("a")) }
    #expect(throws: EditError.indexOutOfRange(path("l[5]"), count: 1)) { try doc.setting(path("l[5]"), to: .text("1")) }
    #expect(throws: EditError.notFound(path("zz"))) { try doc.removing(path("zz")) }
    #expect(throws: EditError.keyExists(path("a"))) {
      try doc.inserting(key: "a", value: .text("1"), into: FieldPath())
    }
  }

  @Test func everyEditReadsBackAsAsked() throws {
    var doc = document(original)
    doc = try doc.setting(path("follow_ups[0].outcome"), to: .text("no"))
    #expect(doc.value[path("follow_ups[0].outcome")]?.text == "no")
    #expect(text(doc).contains("outcome: 'no'"))
    doc = try doc.removing(path("follow_ups[0]"))
    doc = try doc.removing(path("follow_ups[0]"))
    #expect(doc.value["follow_ups"] == .sequence([]))
  }
}

@Suite("Field paths")
struct FieldPathTests {
  @Test func parsesAndPrints() {
    #expect(FieldPath(parsing: "a.b[2].c")?.components == [.key("a"), .key("b"), .index(2), .key("c")])
    #expect(FieldPath(parsing: "a.b[2].c")?.description == "a.b[2].c")
    #expect(FieldPath(parsing: "[0]")?.components == [.index(0)])
  }

  @Test(arguments: ["", ".", "a.", ".a", "a..b", "a[x]", "a[-1]", "a[]", "a[1]b"])
  func rejectsMalformed(text: String) {
    #expect(FieldPath(parsing: text) == nil)
  }
}

/// Paths a printer was asked about (the printer's closure is `@Sendable`).
final class Paths: @unchecked Sendable {
  private var paths: [String] = []
  private let lock = NSLock()

  func add(_ path: String) { lock.withLock { paths.append(path) } }
  var all: [String] { lock.withLock { paths } }
}
