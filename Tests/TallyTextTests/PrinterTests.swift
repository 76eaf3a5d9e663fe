import Foundation
import TallyTestSupport
import Testing

@testable import TallyText

func canonical(
  _ text: String, printer: CanonicalPrinter = CanonicalPrinter(),
  sourceLocation: Testing.SourceLocation = #_sourceLocation
) -> String {
  let result = Document.parse(text, path: "t.yaml")
  guard let document = result.document else {
    Issue.record("does not parse: \(result.diagnostics.map(\.message))", sourceLocation: sourceLocation)
    return ""
  }
  return printer.print(document)
}

@Suite("Canonical printer")
struct PrinterTests {
  @Test func reindentsAndNormalizesSpacing() {
    let text = "a:\n    b:   one\n    list:\n    - x\n    -   z\n"
    #expect(canonical(text) == "a:\n  b: one\n  list:\n    - x\n    - z\n")
  }

  @Test func keepsCommentsWithTheirNodes() {
    let text = """
      # header

      # about name
      name: 王芳   # trailing
      list:
      # before x
      - x
      - z    # after z
        # end of list
      # end of file
      """
    let expected = """
      # header

      # about name
      name: 王芳 # trailing
      list:
        # before x
        - x
        - z # after z
        # end of list
      # end of file

      """
    #expect(canonical(text + "\n") == expected)
  }

  @Test func collapsesEmptyLinesToOne() {
    #expect(canonical("\n\na: x\n\n\n\nb: z\n\n") == "a: x\n\nb: z\n")
  }

  @Test func minimalQuoting() {
    let text = #"""
      a: "plain"
      b: 'it''s'
      c: "'q'"
      d: "'both' \""
      e: "tab\there"
      f: "\"q\""

      """#
    let expected = #"""
      a: plain
      b: it's
      c: "'q'"
      d: '''both'' "'
      e: "tab\there"
      f: '"q"'

      """#
    #expect(canonical(text) == expected)
  }

  @Test(arguments: [
    "no", "No", "NO", "yes", "on", "off", "y", "n", "true", "False", "null", "Null", "~", "",
    "0123", "123", "-5", "+5", "1e3", "1.5", ".5", "5.", "1_000", "0x1F", "0o17", "0b101",
    "10:30", "1:2:3", ".inf", "-.inf", ".nan", "2026-01-01", "2026-1-1", "2026-01-01T10:00:00Z",
    "2026-01-01 10:00:00", "<<", "=",
  ])
  func quotesTextThatAnotherReaderWouldType(text: String) {
    // Single-quoted (none of these needs an escape), and read back as the same text.
    let printed = CanonicalPrinter.inlineScalar(text, context: .block)
    #expect(printed == "'\(text)'")
    #expect(Document.parse("k: \(printed)\n").document?.value["k"]?.text == text)
  }

  @Test(arguments: [
    "王芳", "C-0042", "hello world", "3个月", "12 months", "1st", "v1", "2026-01-01 会议", "a-b", "x:y",
    "a#b", "-x", "?y", "email@example.com", "https://example.com/a?b=c#d",
  ])
  func leavesOrdinaryTextPlain(text: String) {
    #expect(CanonicalPrinter.inlineScalar(text, context: .block) == text)
  }

  @Test(arguments: [
    "- x", "? x", ": x", "-", "?", ":", "a: b", "a #b", "#x", "&a", "*a", "!t", "|", ">", "'q", "\"q",
    "%x", "@x", "`x", " lead", "trail ", "---", "...", ",x", "[x", "]x", "{x", "}x", "a:",
  ])
  func quotesTextThatIsNotPlainWritable(text: String) {
    let printed = CanonicalPrinter.inlineScalar(text, context: .block)
    #expect(printed != text)
    let reparsed = Document.parse("k: \(printed)\n").document?.value["k"]?.text
    #expect(reparsed == text)
  }

  @Test func flowItemsAreQuotedMoreStrictly() {
    #expect(CanonicalPrinter.inlineScalar("a,b", context: .flow) == "'a,b'")
    #expect(CanonicalPrinter.inlineScalar("x:y", context: .flow) == "'x:y'")
    #expect(CanonicalPrinter.inlineScalar("a b", context: .flow) == "a b")
  }

  @Test func typedFieldsStayPlain() {
    let printer = CanonicalPrinter(isTyped: { $0.description == "joined" || $0.description == "score" })
    #expect(
      canonical("joined: 2026-01-01\nscore: 95\nphone: 13800138000\n", printer: printer)
        == "joined: 2026-01-01\nscore: 95\nphone: '13800138000'\n")
  }

  @Test func multilineTextBecomesLiteral() throws {
    let document = try #require(
      Document(value: map(["a": t("x\ny\n"), "b": t("x\ny"), "c": t("x\n\n"), "d": t(" lead\nx\n"), "e": t("\n\n")])))
    let printed = CanonicalPrinter().print(document)
    #expect(printed == "a: |\n  x\n  y\nb: |-\n  x\n  y\nc: |+\n  x\n\nd: |2\n   lead\n  x\ne: |+\n\n\n")
    #expect(Document.parse(printed).document?.value == document.value)
  }

  @Test func textThatLiteralsCannotHoldIsDoubleQuoted() throws {
    let document = try #require(Document(value: map(["a": t("x\r\ny"), "b": t("bell\u{7}\nx")])))
    #expect(CanonicalPrinter().print(document) == "a: \"x\\r\\ny\"\nb: \"bell\\a\\nx\"\n")
  }

  @Test func foldedScalarsKeepTheirLines() {
    let text = "a: >\n    one\n    two\n\n    three\n      more\n"
    #expect(canonical(text) == "a: >\n  one\n  two\n\n  three\n    more\n")
  }

  @Test func keepChompingIsNotFollowedByAnExtraEmptyLine() {
    let text = "a: |+\n  x\n\n\nb: z\n"
    let printed = canonical(text)
    #expect(printed == "a: |+\n  x\n\n\nb: z\n")
    #expect(Document.parse(printed).document?.value == Document.parse(text).document?.value)
  }

  @Test func compactSequenceItems() {
    let text = "a:\n-   name: x\n    role: lead\n- - p\n  - q\n-\n  k: v\n"
    #expect(canonical(text) == "a:\n  - name: x\n    role: lead\n  - - p\n    - q\n  - k: v\n")
  }

  @Test func itemCommentBeforeACompactMappingStays() {
    let text = "a:\n  - # note\n    k: v\n"
    let printed = canonical(text)
    #expect(printed == "a:\n  - # note\n    k: v\n")
    #expect(canonical(printed) == printed)
  }

  @Test func emptyCollections() {
    #expect(canonical("a: []\nb: {}\nc:\n") == "a: []\nb: {}\nc:\n")
    #expect(canonical("{}\n") == "{}\n")
  }

  @Test func writesLFAndDropsTheByteOrderMark() {
    let result = Document.parse([0xEF, 0xBB, 0xBF] + Array("a: x\r\nb: z\r\n".utf8))
    #expect(CanonicalPrinter().print(result.document!) == "a: x\nb: z\n")
  }

  @Test func keysAreQuotedWhenTheyWouldBeTyped() {
    #expect(canonical("'no': x\n'1': z\n") == "'no': x\n'1': z\n")
  }
}

@Suite("Printer: block scalar corners")
struct PrinterBlockScalarTests {
  /// Text whose first line starts with a tab gets an indentation indicator: without one,
  /// libyaml rejects the block.
  @Test func aFirstLineStartingWithATabGetsAnIndicator() throws {
    let value = Value.mapping([Value.Pair(key: "a", value: t("\tx\ny\n")), Value.Pair(key: "b", value: t("\n\tz"))])
    let printed = CanonicalPrinter().print(try #require(Document(value: value)))
    #expect(printed == "a: |2\n  \tx\n  y\nb: |2-\n\n  \tz\n")
    #expect(Document.parse(printed).document?.value == value)
  }

  /// Lines of only spaces stay in a literal block and read back the same, at the end of
  /// the file too.
  @Test func linesOfOnlySpacesReadBack() throws {
    for text in ["x\n \n", "x\n   \n", " \n", "x\n \n\n", "a\n  \nb"] {
      let value = Value.mapping([Value.Pair(key: "a", value: t(text))])
      let printed = CanonicalPrinter().print(try #require(Document(value: value)))
      #expect(printed.hasPrefix("a: |"), "\(text.debugDescription): \(printed.debugDescription)")
      #expect(Document.parse(printed).document?.value == value, "\(text.debugDescription)")
      if printed.hasSuffix(" \n") {
        // Without the final line break, the last line of spaces keeps its own.
        #expect(Document.parse(String(printed.dropLast())).document?.value == value, "\(text.debugDescription)")
      }
    }
  }
}

@Suite("Printer regressions (from fuzzing)")
struct PrinterRegressionTests {
  /// A folded block at the end of a file without a final line break means text without
  /// one; reprinting it with a line break after each line must not add one.
  @Test func foldedBlockAtEndOfFileWithoutLineBreak() throws {
    let text = "id: C-0807\nlist:\n  - >\n    folded\n    text"
    let document = try #require(Document.parse(text).document)
    #expect(document.value["list"]?.items?.first?.text == "folded text")
    let printed = CanonicalPrinter().print(document)
    #expect(printed == "id: C-0807\nlist:\n  - >-\n    folded\n    text\n")
    #expect(Document.parse(printed).document?.value == document.value)
  }
}

/// Every input the fuzzer once failed on (`fuzz/regressions/`) keeps its invariants.
@Suite struct FuzzRegressionTests {
  static let directory = Golden.directory() + "/../../fuzz/regressions"

  static var inputs: [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
  }

  @Test func thereAreRegressionInputs() {
    #expect(!Self.inputs.isEmpty)
  }

  @Test(arguments: inputs)
  func keepsItsInvariants(name: String) throws {
    let bytes = [UInt8](try #require(FileManager.default.contents(atPath: Self.directory + "/" + name)))
    let result = Document.parse(bytes, path: name)
    guard let document = result.document else {
      #expect(result.diagnostics.hasErrors)
      return
    }
    let printed = CanonicalPrinter().printBytes(document)
    let reparsed = try #require(Document.parse(printed).document)
    #expect(reparsed.value == document.value)
    #expect(CanonicalPrinter().printBytes(reparsed) == printed)
  }
}
