import TallyTestSupport
import Testing

@testable import TallyText

@Suite("Merge conflicts: finding the markers")
struct MergeConflictFindTests {
  @Test func findsTheMarkersSidesAndLabels() throws {
    let text = """
      id: C-0042
      <<<<<<< HEAD
      tier: gold
      ||||||| merged common ancestors
      tier: silver
      =======
      tier: platinum
      note: x
      >>>>>>> feature/上海
      status: active

      """
    let conflicts = MergeConflict.find(in: Array(text.utf8))
    #expect(conflicts.count == 1)
    let conflict = try #require(conflicts.first)
    #expect(conflict.markers.map(\.kind) == [.ours, .base, .separator, .theirs])
    #expect(conflict.markers.map(\.line) == [2, 4, 6, 9])
    #expect(conflict.markers.map(\.label) == ["HEAD", "merged common ancestors", "", "feature/上海"])
    #expect(conflict.isComplete)
    #expect(conflict.lines == 2...9)
    #expect(conflict.ours == 3..<4)
    #expect(conflict.base == 5..<6)
    #expect(conflict.theirs == 7..<9)
    let bytes = Array(text.utf8)
    #expect(Array(bytes[conflict.markers[0].bytes]) == Array("<<<<<<< HEAD".utf8))
  }

  @Test func crlfLineEndsAndAByteOrderMark() throws {
    let text = "\u{FEFF}<<<<<<< ours\r\na: 1\r\n=======\r\na: 2\r\n>>>>>>> theirs\r\n"
    let bytes = Array(text.utf8)
    let conflict = try #require(MergeConflict.find(in: bytes).first)
    #expect(conflict.isComplete)
    #expect(conflict.markers.map(\.label) == ["ours", "", "theirs"])
    #expect(conflict.markers[0].bytes == 3..<15)
    #expect(conflict.markers[1].bytes == 23..<30)
    #expect(conflict.ours == 2..<3 && conflict.theirs == 4..<5)
  }

  @Test func sevenOrMoreMarkerCharactersAtTheStartOfALineFollowedByABlank() {
    for text in [
      "  <<<<<<< HEAD\n", "<<<<<<<HEAD\n", "a: '<<<<<<< x'\n", "<<<<<<\n", "=======x\n", "=========x\n",
    ] {
      #expect(MergeConflict.find(in: Array(text.utf8)).isEmpty, "\(text.debugDescription)")
    }
    for text in [
      "<<<<<<<\n", "=======\n", "======= \n", ">>>>>>>\tx\n", "|||||||", "<<<<<<< a b\r\n", "<<<<<<<< HEAD\n",
      "======== \n",
    ] {
      #expect(MergeConflict.find(in: Array(text.utf8)).count == 1, "\(text.debugDescription)")
    }
  }

  /// git writes `conflict-marker-size` characters (and passes it to a merge driver as %L).
  @Test func longerMarkersOfOneSizeMakeOneConflict() throws {
    let text = "a: 1\n<<<<<<<<< ours\ntier: A\n||||||||| base\ntier: B\n=========\ntier: C\n>>>>>>>>> theirs\n"
    let found = MergeConflict.find(in: Array(text.utf8))
    #expect(found.count == 1)
    let conflict = try #require(found.first)
    #expect(conflict.isComplete)
    #expect(conflict.markers.map(\.size) == [9, 9, 9, 9])
    #expect(conflict.markers.map(\.label) == ["ours", "base", "", "theirs"])
    let parsed = Document.parse(text, path: "c.yaml").diagnostics
    #expect(parsed.map(\.code) == ["merge-conflict"])
    #expect(parsed.first?.message == "unresolved merge conflict in 'tier'")
    // Markers of different sizes do not make one conflict.
    let mixed = "<<<<<<< ours\ntier: A\n=========\ntier: C\n>>>>>>> theirs\n"
    #expect(MergeConflict.find(in: Array(mixed.utf8)).count == 3)
  }

  @Test func markersOutOfOrderStartConflictsOfTheirOwn() {
    let text = "=======\na\n>>>>>>> x\n<<<<<<< y\nb\n<<<<<<< z\nc\n=======\nd\n>>>>>>> w\n>>>>>>> v\n"
    let conflicts = MergeConflict.find(in: Array(text.utf8))
    #expect(
      conflicts.map { $0.markers.map(\.kind) } == [
        [.separator, .theirs], [.ours], [.ours, .separator, .theirs], [.theirs],
      ])
    #expect(conflicts.map(\.isComplete) == [false, false, true, false])
    #expect(conflicts.map(\.lines) == [1...3, 4...4, 6...10, 11...11])
    #expect(conflicts[0].theirs == 2..<3)
  }
}

@Suite("Merge conflicts: diagnostics")
struct MergeConflictDiagnosticTests {
  func diagnostics(_ text: String) -> [Diagnostic] {
    Document.parse(text, path: "c.yaml").diagnostics
  }

  @Test func oneDiagnosticPerConflictOnItsFirstMarker() throws {
    let text = """
      id: C-0042
      <<<<<<< HEAD
      tier: gold
      ||||||| base
      tier: silver
      =======
      tier: platinum
      >>>>>>> feature/upgrade
      status: active
      contact:
        phone: '1'
      <<<<<<< HEAD
        email: a@example.com
      =======
        email: b@example.com
        fax: '2'
      >>>>>>> other

      """
    let found = diagnostics(text)
    #expect(found.map(\.code) == ["merge-conflict", "merge-conflict"])
    let first = try #require(found.first)
    #expect(first.message == "unresolved merge conflict in 'tier'")
    #expect(first.field == "tier")
    #expect(first.range?.start == SourcePosition(offset: 11, line: 2, column: 1))
    #expect(first.range?.end == SourcePosition(offset: 23, line: 2, column: 13))
    #expect(
      first.hint
        == "lines 2-8: keep 'HEAD' (line 3) or 'feature/upgrade' (line 7), or combine them; then delete the marker lines, and the common ancestor's lines (line 5)"
    )
    #expect(found[1].message == "unresolved merge conflict in 'contact.email'")
    #expect(found[1].range?.start.line == 12)
    #expect(found[1].hint?.contains("keep 'HEAD' (line 13) or 'other' (lines 15-16)") == true)
  }

  @Test func namesTheFieldsEachSideWrites() {
    func message(_ text: String) -> String? {
      let found = diagnostics(text)
      #expect(found.map(\.code) == ["merge-conflict"], "\(text.debugDescription)")
      return found.first?.message
    }
    // Their side adds a field ours does not have.
    #expect(
      message("a: 1\n<<<<<<< HEAD\n=======\nb: 2\n>>>>>>> x\nc: 3\n") == "unresolved merge conflict in 'b'")
    // Two fields.
    #expect(
      message("<<<<<<< HEAD\na: 1\nb: 2\n=======\na: 3\n>>>>>>> x\n")
        == "unresolved merge conflict in 'a' and 'b'")
    // Inside block text.
    #expect(
      message("notes: |\n  one\n<<<<<<< HEAD\n  two\n=======\n  three\n>>>>>>> x\n  four\n")
        == "unresolved merge conflict in 'notes'")
    // Only the value, on the lines below its key.
    #expect(
      message("tier:\n<<<<<<< HEAD\n  gold\n=======\n  platinum\n>>>>>>> x\n") == "unresolved merge conflict in 'tier'")
    // A list item, and a field of one.
    #expect(
      message("l:\n  - a\n<<<<<<< HEAD\n  - b\n=======\n  - c\n>>>>>>> x\n") == "unresolved merge conflict in 'l[1]'")
    #expect(
      message("l:\n  - a: 1\n<<<<<<< HEAD\n    b: 2\n=======\n    b: 3\n>>>>>>> x\n")
        == "unresolved merge conflict in 'l[0].b'")
    // CRLF line ends.
    #expect(
      message("a: 1\r\n<<<<<<< HEAD\r\nb: 2\r\n=======\r\nb: 3\r\n>>>>>>> x\r\n") == "unresolved merge conflict in 'b'")
  }

  @Test func halfResolvedConflicts() throws {
    let missingEnd = diagnostics("a: 1\n<<<<<<< HEAD\nb: 2\n")
    #expect(missingEnd.map(\.code) == ["merge-conflict"])
    #expect(missingEnd.first?.message == "unresolved merge conflict: its '=======' and '>>>>>>>' lines are missing")
    let stray = diagnostics("a: 1\nb: 2\n>>>>>>> feature\nc: 3\n")
    #expect(stray.map(\.code) == ["merge-conflict"])
    #expect(stray.first?.message == "a merge conflict marker ('>>>>>>>') is left in the file")
    #expect(stray.first?.range?.start.line == 3)
  }

  /// Problems outside the conflicts are still reported; none come from the marker lines.
  @Test func otherProblemsOutsideTheConflictsAreKept() {
    let found = diagnostics("a: &x 1\n<<<<<<< HEAD\nb: 2\n=======\nb: 3\n>>>>>>> x\nc: 3\nc: 4\n")
    #expect(found.map(\.code) == ["anchor", "merge-conflict", "duplicate-key"])
    #expect(found.map { $0.range?.start.line } == [1, 2, 8])
  }

  /// Without a merge conflict, nothing changes: the markers' first character is an error
  /// of its own in other places.
  @Test func filesWithoutConflictsAreReportedAsBefore() {
    #expect(diagnostics("a: 1\n========x\n").map(\.code) == ["expected-key"])
    #expect(diagnostics("a: 1\n  <<<<<<< x\n").map(\.code) == ["multiline-plain"])
  }
}

@Suite("Merge conflicts: properties (seeded)")
struct MergeConflictPropertyTests {
  /// A conflict around any lines of any valid record, with any other lines as their side,
  /// is one merge-conflict error and nothing else: our side is the valid record.
  @Test func aConflictAroundAnyLinesIsOneErrorAndNothingElse() {
    var generator = RecordGenerator(random: SeededRandom(seed: PropertyTests.seed &+ 7))
    var random = SeededRandom(seed: PropertyTests.seed &+ 8)
    var compared = 0
    var named = 0
    for round in 0..<500 {
      let source = Array(generator.source(for: generator.record()).utf8)
      let lines: [[UInt8]] = source.split(separator: 0x0A, omittingEmptySubsequences: false).map { $0 + [0x0A] }
        .filter { $0 != [0x0A] || random.chance(50) }
      let from = random.below(lines.count)
      let to = from + random.below(lines.count - from + 1)
      let other = random.below(lines.count)
      let theirs: [[UInt8]] = Array(lines[other..<min(lines.count, other + random.below(4))])
      let ours: [[UInt8]] = Array(lines[from..<to])
      var text: [UInt8] = Array(lines[..<from].joined())
      text += Array("<<<<<<< HEAD\n".utf8) + Array(ours.joined())
      if random.chance(30) { text += Array("||||||| base\n".utf8) + Array(ours.joined()) }
      text += Array("=======\n".utf8) + Array(theirs.joined()) + Array(">>>>>>> feature/x\n".utf8)
      text += Array(lines[to...].joined())
      let diagnostics = Document.parse(text, path: "c.yaml").diagnostics
      let shown = String(decoding: text, as: UTF8.self)
      #expect(diagnostics.map(\.code) == ["merge-conflict"], "round \(round):\n\(shown)")
      #expect(diagnostics.first?.range?.start.line == from + 1, "round \(round):\n\(shown)")
      if diagnostics.first?.message.contains(" in '") == true { named += 1 }
      compared += 1
    }
    #expect(compared == 500)
    #expect(named >= 200, "only \(named) conflicts named a field")
  }
}
