import TallyTestSupport
import Testing

@testable import TallyText

func parsed(_ text: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> Value? {
  let result = Document.parse(text, path: "t.yaml")
  if let document = result.document { return document.value }
  Issue.record(
    "expected to parse, got: \(result.diagnostics.map { "\($0.code) \($0.range?.start.description ?? "") \($0.message)" })",
    sourceLocation: sourceLocation)
  return nil
}

func codes(_ text: String) -> [String] {
  Document.parse(text, path: "t.yaml").diagnostics.filter { $0.severity == .error }.map(\.code)
}

func map(_ pairs: KeyValuePairs<String, Value>) -> Value {
  .mapping(pairs.map { Value.Pair(key: $0.key, value: $0.value) })
}

func t(_ s: String) -> Value { .text(s) }

@Suite("Parser: constructs")
struct ParserConstructTests {
  @Test func topLevelMapping() {
    #expect(parsed("a: 1\nb: two\n") == map(["a": t("1"), "b": t("two")]))
  }

  /// Plain values are scanned eight bytes at a time: whatever ends a value (a comment, a
  /// trailing space, ': ', a tab) is found at every offset, around Chinese text as well.
  @Test func plainValuesEndWhereTheyShouldAtEveryLength() {
    for length in 0..<26 {
      let word = String(repeating: "x", count: length)
      let chinese = String(repeating: "客", count: length % 5) + word
      for value in [word, chinese] where !value.isEmpty {
        #expect(parsed("a: \(value)\n") == map(["a": t(value)]), "\(value)")
        #expect(parsed("a: \(value)   \n") == map(["a": t(value)]), "\(value) + spaces")
        #expect(parsed("a: \(value) # note\n") == map(["a": t(value)]), "\(value) + comment")
        #expect(parsed("a: \(value)#tag\n") == map(["a": t(value + "#tag")]), "\(value)#tag")
        #expect(parsed("a: \(value):x\n") == map(["a": t(value + ":x")]), "\(value):x")
        #expect(codes("a: \(value): y\n") == ["colon-in-value"], "\(value): y")
        #expect(codes("a: \(value):\n") == ["colon-in-value"], "\(value): at the end")
        #expect(codes("a: \(value)\ty z\n") == ["tab-separator"], "\(value) tab")
      }
    }
  }

  /// Lines are scanned eight bytes at a time: a character that is not allowed is found, at
  /// its own column, wherever it is in a line — after ASCII, after Chinese text, in the
  /// indentation; and indentation of any width is measured exactly.
  @Test func charactersAreFoundAtEveryColumn() {
    for length in 0..<20 {
      let word = String(repeating: "x", count: length)
      for prefix in [word, "客" + word] {
        for (character, code) in [
          ("\u{7}", "control-character"), ("\u{7F}", "control-character"),
          ("\r", "bare-cr"), ("\u{2028}", "control-character"), ("\u{FEFF}", "control-character"),
        ] {
          let text = "k: \(prefix)\(character)y\n"
          let diagnostics = Document.parse(text, path: "t.yaml").diagnostics.filter { $0.severity == .error }
          #expect(diagnostics.map(\.code) == [code], "\(text.debugDescription)")
          #expect(
            diagnostics.first?.range?.start.column == 4 + prefix.unicodeScalars.count, "\(text.debugDescription)")
        }
      }
      let indented = "k:\n" + String(repeating: " ", count: length + 1) + "v: 1\n"
      #expect(parsed(indented) == map(["k": map(["v": t("1")])]), "indent \(length + 1)")
      let tabbed = "k:\n" + String(repeating: " ", count: length) + "\t v: 1\n"
      #expect(codes(tabbed).contains("tab-indent"), "tab after \(length) spaces")
    }
  }

  /// Plain keys are scanned eight bytes at a time as well: ':', '#' and tabs are found
  /// after keys of every length.
  @Test func keysEndWhereTheyShouldAtEveryLength() {
    for length in 1..<20 {
      let key = String(repeating: "k", count: length)
      #expect(parsed("\(key): v\n") == map([key: t("v")]), "\(key)")
      #expect(parsed("\(key):x: v\n") == map([key + ":x": t("v")]), "\(key):x")
      #expect(parsed("\(key)#x: v\n") == map([key + "#x": t("v")]), "\(key)#x")
      #expect(parsed("\(key)   : v\n") == map([key: t("v")]), "\(key) + spaces")
      #expect(codes("\(key) #x: v\n") == ["expected-key"], "\(key) #x")
      #expect(codes("\(key)\tk: v\n").contains("tab-separator"), "\(key) tab")
    }
  }

  @Test func keysKeepFileOrder() {
    let value = parsed("z: 1\na: 2\nm: 3\n")
    #expect(value?.pairs?.map { $0.key } == ["z", "a", "m"])
  }

  @Test func nestedMappings() {
    #expect(parsed("a:\n  b:\n    c: x\n  d: y\n") == map(["a": map(["b": map(["c": t("x")]), "d": t("y")])]))
  }

  @Test func anyIndentationWidth() {
    #expect(parsed("a:\n    b: 1\n    c: 2\n") == map(["a": map(["b": t("1"), "c": t("2")])]))
    #expect(parsed("a:\n b: 1\n") == map(["a": map(["b": t("1")])]))
  }

  @Test func sequencesIndentedOrAtKeyIndentation() {
    let expected = map(["list": .sequence([t("a"), t("b")]), "next": t("x")])
    #expect(parsed("list:\n  - a\n  - b\nnext: x\n") == expected)
    #expect(parsed("list:\n- a\n- b\nnext: x\n") == expected)
  }

  @Test func sequenceOfMappingsWithAlignedKeys() {
    let text = """
      follow_ups:
        - date: 2026-03-02
          channel: phone
        - date: 2026-03-09
          channel: visit
      """
    #expect(
      parsed(text + "\n")
        == map([
          "follow_ups": .sequence([
            map(["date": t("2026-03-02"), "channel": t("phone")]),
            map(["date": t("2026-03-09"), "channel": t("visit")]),
          ])
        ]))
  }

  @Test func compactNestedSequences() {
    #expect(parsed("a:\n  - - x\n    - y\n  - z\n") == map(["a": .sequence([.sequence([t("x"), t("y")]), t("z")])]))
  }

  @Test func sequenceItemOnFollowingLine() {
    #expect(parsed("a:\n  -\n    b: 1\n  -\n") == map(["a": .sequence([map(["b": t("1")]), .null])]))
  }

  @Test func indentlessSequenceInsideCompactMapping() {
    #expect(
      parsed("a:\n- b:\n  - x\n  c: y\n") == map(["a": .sequence([map(["b": .sequence([t("x")]), "c": t("y")])])]))
  }

  @Test func flowSequences() {
    #expect(
      parsed("a: [x, \"y z\", 'w']\nb: []\nc: [ one , two, ]\n")
        == map([
          "a": .sequence([t("x"), t("y z"), t("w")]), "b": .sequence([]), "c": .sequence([t("one"), t("two")]),
        ]))
  }

  @Test func emptyMapping() {
    #expect(parsed("a: {}\nb: { }\n") == map(["a": .mapping([]), "b": .mapping([])]))
    #expect(parsed("{}\n") == .mapping([]))
  }

  @Test func emptyValuesAreNull() {
    #expect(parsed("a:\nb: # note\nc:\n") == map(["a": .null, "b": .null, "c": .null]))
  }

  @Test func plainScalars() {
    #expect(
      parsed("a: 王芳 and 李强\nb: x:y\nc: a#b\nd: -x\ne: ?y\nf: :z\ng: x [y] {z}\nh: trailing   \n")
        == map([
          "a": t("王芳 and 李强"), "b": t("x:y"), "c": t("a#b"), "d": t("-x"), "e": t("?y"), "f": t(":z"),
          "g": t("x [y] {z}"), "h": t("trailing"),
        ]))
  }

  @Test func noImplicitTyping() {
    #expect(
      parsed("a: no\nb: 0123\nc: 1e3\nd: ~\ne: null\nf: 2026-01-01\ng: true\n")
        == map([
          "a": t("no"), "b": t("0123"), "c": t("1e3"), "d": t("~"), "e": t("null"), "f": t("2026-01-01"),
          "g": t("true"),
        ]))
  }

  @Test func singleQuoted() {
    #expect(
      parsed("a: 'it''s'\nb: ''\nc: ' x '\nd: 'a: b # c'\ne: 'tab\there'\n")
        == map([
          "a": t("it's"), "b": t(""), "c": t(" x "), "d": t("a: b # c"), "e": t("tab\there"),
        ]))
  }

  @Test func doubleQuotedEscapes() {
    let text =
      #"a: "q\"b\\s\/ \n\t\r\0\a\b\e\f\v\ \N\_\L\P""# + "\n"
      + #"b: "\x41\u4e2d\U0001F600""# + "\n"
    #expect(
      parsed(text)
        == map([
          "a": t("q\"b\\s/ \n\t\r\0\u{7}\u{8}\u{1B}\u{C}\u{B} \u{85}\u{A0}\u{2028}\u{2029}"),
          "b": t("A中😀"),
        ]))
  }

  @Test func literalBlockScalars() {
    #expect(
      parsed("a: |\n  line 1\n   line 2\n\n  line 4\nb: x\n")
        == map(["a": t("line 1\n line 2\n\nline 4\n"), "b": t("x")]))
    #expect(parsed("a: |-\n  x\n  y\n\nb: 1\n") == map(["a": t("x\ny"), "b": t("1")]))
    #expect(parsed("a: |+\n  x\n\n\nb: 1\n") == map(["a": t("x\n\n\n"), "b": t("1")]))
    #expect(parsed("a: |\n  x\n\n\nb: 1\n") == map(["a": t("x\n"), "b": t("1")]))
    #expect(parsed("a: |\nb: 1\n") == map(["a": t(""), "b": t("1")]))
    #expect(parsed("a: |2\n   lead\n  x\n") == map(["a": t(" lead\nx\n")]))
    #expect(parsed("a: |\n  no newline at end") == map(["a": t("no newline at end")]))
    #expect(parsed("a: | # comment\n  # not a comment\n") == map(["a": t("# not a comment\n")]))
  }

  @Test func foldedBlockScalars() {
    #expect(
      parsed("a: >\n  one\n  two\n\n  three\n    more\n  four\n") == map(["a": t("one two\nthree\n  more\nfour\n")]))
    #expect(parsed("a: >-\n  x\n  y\n") == map(["a": t("x y")]))
  }

  @Test func blockScalarsInSequences() {
    #expect(parsed("a:\n- |\n x\n- >\n  y\n  z\n") == map(["a": .sequence([t("x\n"), t("y z\n")])]))
  }

  @Test func scalarOnItsOwnLine() {
    #expect(parsed("a:\n  value\nb:\n  \"quoted\"\n") == map(["a": t("value"), "b": t("quoted")]))
  }

  @Test func commentsEverywhere() {
    let text = """
      # header

      # about a
      a: 1 # trailing
      b:
        # inside
        c: 2
        # end of b
      list:
        # before item
        - x # after item
      # end
      """
    #expect(parsed(text + "\n") == map(["a": t("1"), "b": map(["c": t("2")]), "list": .sequence([t("x")])]))
  }

  @Test func crlfLineEndings() {
    let result = Document.parse("a: 1\r\nb: |\r\n  x\r\n  y\r\n")
    #expect(result.document?.value == map(["a": t("1"), "b": t("x\ny\n")]))
    #expect(result.document?.usedCRLF == true)
  }

  @Test func byteOrderMarkIsSkipped() {
    let result = Document.parse([0xEF, 0xBB, 0xBF] + Array("a: 1\n".utf8))
    #expect(result.document?.value == map(["a": t("1")]))
    #expect(result.document?.hadByteOrderMark == true)
  }

  @Test func quotedKeys() {
    #expect(parsed("'a b': 1\n\"c\\td\": 2\n'<<': 3\n") == map(["a b": t("1"), "c\td": t("2"), "<<": t("3")]))
  }

  @Test func tabsInsideQuotesAndBlockText() {
    #expect(
      parsed("a: \"x\ty\"\nb: |2\n  \tindented by tab after spaces\n  x\t\n  \ty\n")
        == map([
          "a": t("x\ty"), "b": t("\tindented by tab after spaces\nx\t\n\ty\n"),
        ]))
    #expect(parsed("b: |\n  x\n  \ty\n") == map(["b": t("x\n\ty\n")]))
  }

  /// A tab right after the spaces of the line that sets a block's indentation is text to
  /// YAML 1.2 and PyYAML, and an error to libyaml: with no indicator it is rejected, with a
  /// hint that names the indicator that settles it.
  @Test func aTabStartingBlockTextNeedsAnIndentationIndicator() throws {
    for (text, header) in [
      ("b: |\n  \tx\n", "'|2'"), ("b: >-\n \tx\n", "'>1-'"), ("l:\n  - |\n     \tx\n", "'|3'"),
      ("b: |\n\n  \tx\n", "'|2'"),
    ] {
      let diagnostics = Document.parse(text, path: "t.yaml").diagnostics
      #expect(diagnostics.map(\.code) == ["tab-indent"], "\(text.debugDescription)")
      let hint = try #require(diagnostics.first?.hint)
      #expect(hint.contains(header), "\(text.debugDescription): \(hint)")
    }
    #expect(parsed("b: >-1\n \tx\n") == map(["b": t("\tx")]))
  }

  /// A block scalar whose last line holds only spaces, at the end of a file without a
  /// final line break: YAML 1.2 keeps that line and its line break (yaml-test-suite L24T
  /// and JEF9; libyaml drops the break).
  @Test func aLastLineOfSpacesKeepsItsLineBreak() {
    #expect(parsed("foo: |\n  x\n   ") == map(["foo": t("x\n \n")]))
    #expect(parsed("foo: |\n  x\n   \n") == map(["foo": t("x\n \n")]))
    #expect(parsed("foo: |\r\n  x\r\n   ") == map(["foo": t("x\n \n")]))
    #expect(parsed("foo: >\n  x\n   ") == map(["foo": t("x\n \n")]))
    #expect(parsed("foo: |-\n  x\n   ") == map(["foo": t("x\n ")]))
    #expect(parsed("foo: |+\n  x\n  ") == map(["foo": t("x\n\n")]))
    #expect(parsed("foo: |\n  x\n  ") == map(["foo": t("x\n")]))
    #expect(parsed("l:\n- |+\n   ") == map(["l": .sequence([t("\n")])]))
    // Only spaces: a last line with text, or with a tab, has no line break to keep.
    #expect(parsed("foo: |\n  x\n  y") == map(["foo": t("x\ny")]))
    #expect(parsed("foo: |\n  x\n  \t") == map(["foo": t("x\n\t")]))
  }

  /// A block with no text before a less indented line: its empty lines, not that line, set
  /// its indentation, so they are empty lines and not spaces of text.
  @Test func aBlockOfEmptyLinesBeforeTheNextKey() {
    #expect(parsed("a: |\n  \nb: 1\n") == map(["a": t(""), "b": t("1")]))
    #expect(parsed("a: |\n   \n\nb: 1\n") == map(["a": t(""), "b": t("1")]))
    #expect(parsed("a: |+\n  \n\nb: 1\n") == map(["a": t("\n\n"), "b": t("1")]))
    #expect(parsed("k:\n  a: >\n     \n  b: 1\n") == map(["k": map(["a": t(""), "b": t("1")])]))
  }

  @Test func positionsCountCharactersNotBytes() {
    let marked = MarkedText("名字: 1️⃣王芳\nlist:\n  - 2️⃣x\n")
    let document = Document.parse(marked.text).document!
    let name = document.root["名字"]!.range!
    #expect(name.start.line == 1)
    #expect(name.start.column == 5)
    #expect(name.start.offset == marked[1])
    let item = document.root["list"]!.asSequence!.items[0].value.range!
    #expect(item.start == SourcePosition(offset: marked[2], line: 3, column: 5))
  }

  @Test func keyAndEntryRanges() {
    let document = Document.parse("a: 1\nbb:\n  c: x\n").document!
    let entry = document.root.entries[1]
    #expect(entry.key.range?.start == SourcePosition(offset: 5, line: 2, column: 1))
    #expect(entry.range?.end.line == 3)
    #expect(entry.range?.end.column == 7)
  }

  @Test func commentsAreAttachedToTheirNodes() {
    let text = "# header\n\n# about a\na: 1 # trailing\nb:\n  c: 2\n  # end of b\n# end\n"
    let document = Document.parse(text).document!
    #expect(document.headerComments.map(\.comment.text) == [" header"])
    #expect(document.root.entries[0].trivia.leadingComments.map(\.comment.text) == [" about a"])
    #expect(document.root.entries[0].trivia.trailingComment?.text == " trailing")
    #expect(document.root["b"]!.asMapping!.endComments.map(\.comment.text) == [" end of b"])
    #expect(document.root.endComments.map(\.comment.text) == [" end"])
  }
}

@Suite("Parser: rejected input")
struct ParserRejectionTests {
  @Test func everyErrorIsReportedInOneRun() {
    let text = "a: &x 1\nb: *x\nc: !!str 3\n\td: 4\ne: {f: 1}\n"
    #expect(codes(text) == ["anchor", "alias", "tag", "tab-indent", "flow-mapping"])
  }

  /// Duplicate keys are found whichever two of a mapping's keys repeat (the scan skips keys
  /// that cannot repeat one seen), and distinct keys of the same length and end bytes are
  /// not taken for duplicates.
  @Test func everyRepeatedKeyIsFound() {
    let keys = ["ab", "ba", "aab", "abb", "a_b", "name", "nome", "status", "stutas", "x", "y", "follow_ups"]
    let distinct = keys.map { "\($0): 1\n" }.joined()
    #expect(codes(distinct).isEmpty)
    for first in keys {
      let repeated = distinct + "\(first): 2\n"
      #expect(codes(repeated) == ["duplicate-key"], "\(repeated)")
      var nested = "outer:\n"
      for key in keys { nested += "  \(key): 1\n" }
      nested += "  '\(first)': 2\n"
      #expect(codes(nested) == ["duplicate-key"], "\(nested)")
    }
  }

  @Test(
    arguments: [
      ("a:\tb\n", "tab-separator"),
      ("a: b\tc\n", "tab-separator"),
      ("a: b\t# c\n", "tab-separator"),
      ("a: 1\n\t\nb: 2\n", "tab-indent"),
      ("%YAML 1.2\na: 1\n", "directive"),
      ("---\na: 1\n", "document-marker"),
      ("a: 1\n...\n", "document-marker"),
      ("? a\n: b\n", "complex-key"),
      ("[a]: b\n", "complex-key"),
      ("<<: x\n", "merge-key"),
      ("a: 1\na: 2\n", "duplicate-key"),
      ("a: 1\n'a': 2\n", "duplicate-key"),
      ("\"a\": 1\nb: 0\na: 2\n", "duplicate-key"),
      ("\"\\x61\": 1\na: 2\n", "duplicate-key"),
      ("a: 1\nb:\n  a: 1\n  b: 2\n  b: 3\n", "duplicate-key"),
      ("a: [b, [c]]\n", "nested-flow"),
      ("a: [b,\n  c]\n", "multiline-flow"),
      ("a: [b,, c]\n", "empty-item"),
      ("a: 'x\n  y'\n", "multiline-quoted"),
      ("a: x\n  y\n", "multiline-plain"),
      ("a: b: c\n", "colon-in-value"),
      ("a: [b:c]\n", "colon-in-value"),
      ("a: b:\n", "colon-in-value"),
      ("a:b\n", "missing-colon-space"),
      ("just text\n", "expected-key"),
      (": x\n", "missing-key"),
      ("a: - x\n", "inline-sequence"),
      ("a: %x\n", "reserved-character"),
      ("a: @x\n", "reserved-character"),
      ("a: \"\\q\"\n", "invalid-escape"),
      ("a: \"\\uD800\"\n", "invalid-escape"),
      ("a: \"x\" y\n", "unexpected-text"),
      ("a: |x\n  y\n", "block-header"),
      ("a: |0\n  y\n", "block-header"),
      ("- a\n- b\n", "not-a-mapping"),
      ("# only a comment\n", "not-a-mapping"),
      ("", "not-a-mapping"),
      ("a:\n    b: 1\n  c: 2\n", "unexpected-indent"),
      ("a: 1\n    b: 2\n", "multiline-plain"),
      ("  a: 1\n", "unexpected-indent"),
      ("a: x\u{7}y\n", "control-character"),
      ("a: x\u{2028}y\n", "control-character"),
      ("a: x\u{85}y\n", "control-character"),
      ("a: x\ry\n", "bare-cr"),
    ] as [(String, String)])
  func rejects(text: String, code: String) {
    #expect(codes(text).contains(code), "\(codes(text))")
  }

  @Test func invalidUTF8NamesTheByteOffset() {
    let result = Document.parse(Array("a: ok\nb: ".utf8) + [0xE4, 0xB8] + Array("\n".utf8), path: "x.yaml")
    #expect(result.document == nil)
    #expect(result.diagnostics.count == 1)
    #expect(result.diagnostics[0].code == "invalid-utf8")
    #expect(result.diagnostics[0].message.contains("offset 9"))
    #expect(result.diagnostics[0].range?.start.line == 2)
  }

  @Test func limits() {
    let big = [UInt8](repeating: UInt8(ascii: "a"), count: 4 * 1024 * 1024 + 1)
    #expect(Document.parse(big).diagnostics.map(\.code) == ["file-too-large"])
    let longKey = String(repeating: "k", count: 257) + ": x\n"
    #expect(codes(longKey) == ["key-too-long"])
    #expect(codes(String(repeating: "k", count: 256) + ": x\n").isEmpty)
    var deep = ""
    for level in 0..<70 { deep += String(repeating: " ", count: level) + "k:\n" }
    #expect(codes(deep) == ["too-deep"])
    var ok = ""
    for level in 0..<63 { ok += String(repeating: " ", count: level) + "k:\n" }
    #expect(codes(ok).isEmpty)
    let deepFlow = "a:\n" + String(repeating: "- ", count: 100) + "x\n"
    #expect(codes(deepFlow) == ["too-deep"])
  }

  @Test func diagnosticsAreCappedPerFile() {
    let text = String(repeating: "a: &x 1\n", count: 500)
    let diagnostics = Document.parse(text).diagnostics
    #expect(diagnostics.count == Parser.maxDiagnostics + 1)
    #expect(diagnostics.last?.code == "too-many-errors")
  }
}
