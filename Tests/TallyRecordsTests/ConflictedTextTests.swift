import TallySchema
import TallyTestSupport
import TallyText
import Testing

@testable import TallyRecords

/// A record type with every shape a conflict can be in: scalars, a nested object, an object
/// merged whole, a keyed list, a list of dated items, a list of texts.
enum ConflictFixture {
  static let schema = """
    version: 1
    type: account
    directory: accounts
    id:
      pattern: ^A-[0-9]+$
    fields:
      name: text
      tier:
        type: enum
        values: [A, B, C]
      status:
        type: enum
        values: [lead, active, churned]
      seats: int
      share: percent
      vip: bool
      note: text
      address:
        type: object
        fields:
          city: text
          zip: text
      billing:
        type: object
        merge: atomic
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
      follow_ups:
        type: list
        items:
          type: object
          fields:
            date: date
            summary: text
      tags:
        type: list
        items: text

    """

  static let type: RecordType = {
    let (set, problems) = SchemaLoader.load(files: [("schema/account.yaml", Array(schema.utf8))])
    precondition(problems.isEmpty, "\(problems)")
    return set.type(named: "account")!
  }()

  static func value(_ text: String) -> Value { SyntaxTree.parse(Array(text.utf8)).tree!.value }

  /// The driver's merge of three versions: the file with markers, and the merge's own
  /// account of its conflicts.
  static func merged(_ base: String, _ ours: String, _ theirs: String, markerSize: Int = 7) throws
    -> RecordMerge.Result
  {
    try RecordMerge(type: type, markerSize: markerSize).merge(
      base: Array(base.utf8), ours: Array(ours.utf8), theirs: Array(theirs.utf8))
  }

  static let base = """
    name: 华信
    tier: B
    status: lead
    seats: 10
    address:
      city: 南京
      zip: '210000'
    billing:
      city: 南京
      zip: '210000'
    contacts:
      - name: 李强
        phone: '13900001111'
      - name: 王芳
        phone: '13900002222'
    follow_ups:
      - date: 2026-03-02
        summary: 电话介绍
    tags: [vip]

    """
}

@Suite("Conflicts in a file: markers to fields")
struct ConflictedTextTests {
  typealias F = ConflictFixture

  /// Maps the driver's markers back to fields and checks they are the merge's conflicts,
  /// with the same values on each side. Returns the mapped conflicts.
  @discardableResult
  func expectSameAsMerge(
    _ ours: String, _ theirs: String, base: String = F.base, sourceLocation: Testing.SourceLocation = #_sourceLocation
  ) throws -> (ConflictedText, [ConflictedFile.Conflict]) {
    let result = try F.merged(base, ours, theirs)
    #expect(!result.isClean, "the merge should conflict", sourceLocation: sourceLocation)
    let text = ConflictedText(result.bytes)
    let mapped = text.conflicts(type: F.type, fallbackBase: .unknown)
    #expect(
      mapped.map { $0.field?.description ?? "-" } == result.conflicts.map(\.path.description),
      sourceLocation: sourceLocation)
    for (conflict, expected) in zip(mapped, result.conflicts) {
      #expect(conflict.identity == expected.identity, sourceLocation: sourceLocation)
      #expect(conflict.base == expected.base, "base of \(expected.path)", sourceLocation: sourceLocation)
      #expect(conflict.ours == expected.ours, "ours of \(expected.path)", sourceLocation: sourceLocation)
      #expect(conflict.theirs == expected.theirs, "theirs of \(expected.path)", sourceLocation: sourceLocation)
      #expect(conflict.baseKnown, sourceLocation: sourceLocation)
    }
    return (text, mapped)
  }

  @Test func aScalarBothSidesChanged() throws {
    let (text, mapped) = try expectSameAsMerge(
      F.base.replacing("tier: B", with: "tier: A"), F.base.replacing("tier: B", with: "tier: C"))
    #expect(text.hunks.count == 1)
    #expect(text.hunks[0].lines == 2...8)
    #expect(
      text.hunks[0].labels.ours == "ours" && text.hunks[0].labels.base == "base"
        && text.hunks[0].labels.theirs == "theirs")
    #expect(text.hunks[0].ours == Array("tier: A\n".utf8))
    #expect(text.hunks[0].base == Array("tier: B\n".utf8))
    #expect(text.hunks[0].theirs == Array("tier: C\n".utf8))
    #expect(mapped.map(\.lines) == [2...8])
    #expect(mapped[0].type?.kind == .enumeration)
    // Taking a side gives that side's file, byte for byte.
    #expect(text.text { text.hunks[$0].theirs } == Array(F.base.replacing("tier: B", with: "tier: C").utf8))
  }

  @Test func severalConflictsInOneFileEachWithItsOwnLines() throws {
    let ours = F.base.replacing("tier: B", with: "tier: A").replacing("seats: 10", with: "seats: 12")
      .replacing("summary: 电话介绍", with: "summary: 电话介绍产品")
    let theirs = F.base.replacing("tier: B", with: "tier: C").replacing("seats: 10", with: "seats: 15")
      .replacing("  - name: 王芳\n    phone: '13900002222'\n", with: "")
    let (text, mapped) = try expectSameAsMerge(ours, theirs)
    #expect(text.hunks.count == 2)
    #expect(mapped.map { $0.field?.description } == ["tier", "seats"])
    #expect(mapped.map(\.hunk) == [0, 1])
    #expect(mapped[1].ours == .text("12") && mapped[1].theirs == .text("15"))
    // The other changes merged cleanly around them: one conflict resolved leaves the other.
    let one = ConflictedText(text.text { $0 == 0 ? text.hunks[0].ours : nil })
    #expect(one.hunks.count == 1)
    #expect(one.conflicts(type: F.type, fallbackBase: .unknown).map { $0.field?.description } == ["seats"])
  }

  @Test func listItemsByTheirKeyAndAnItemRemovedOnOneSide() throws {
    // The same contact's phone changed two ways: a field inside a keyed item.
    try expectSameAsMerge(
      F.base.replacing("'13900001111'", with: "'13900003333'"), F.base.replacing("'13900001111'", with: "'13900004444'")
    )
    // A contact removed on one side, changed on the other: the whole item.
    let (_, mapped) = try expectSameAsMerge(
      F.base.replacing("  - name: 王芳\n    phone: '13900002222'\n", with: ""),
      F.base.replacing("'13900002222'", with: "'13900005555'"))
    #expect(mapped.map { $0.field?.description } == ["contacts[1]"])
    #expect(mapped[0].ours == nil)
    #expect(mapped[0].theirs == F.value("name: 王芳\nphone: '13900005555'\n"))
  }

  @Test func nestedFieldsAndAnObjectMergedWhole() throws {
    try expectSameAsMerge(
      F.base.replacing("  city: 南京\n  zip: '210000'\nbilling", with: "  city: 上海\n  zip: '210000'\nbilling"),
      F.base.replacing("  city: 南京\n  zip: '210000'\nbilling", with: "  city: 北京\n  zip: '210000'\nbilling"))
    // `merge: atomic`: different fields of it changed on each side are one conflict on it.
    let billing = "billing:\n  city: 南京\n  zip: '210000'\n"
    let (_, mapped) = try expectSameAsMerge(
      F.base.replacing(billing, with: "billing:\n  city: 上海\n  zip: '210000'\n"),
      F.base.replacing(billing, with: "billing:\n  city: 南京\n  zip: '100000'\n"))
    #expect(mapped.map { $0.field?.description } == ["billing"])
    #expect(mapped[0].type?.kind == .object)
  }

  @Test func aFieldRemovedOnOneSideAndChangedOnTheOther() throws {
    let (text, mapped) = try expectSameAsMerge(
      F.base.replacing("seats: 10\n", with: ""), F.base.replacing("seats: 10", with: "seats: 20"))
    #expect(text.hunks[0].ours.isEmpty)
    #expect(mapped[0].ours == nil && mapped[0].theirs == .text("20") && mapped[0].base == .text("10"))
  }

  @Test func crlfFilesKeepTheirLineBreaks() throws {
    func crlf(_ text: String) -> String { text.replacing("\n", with: "\r\n") }
    let result = try F.merged(
      crlf(F.base), crlf(F.base.replacing("tier: B", with: "tier: A")),
      crlf(F.base.replacing("tier: B", with: "tier: C")))
    let text = ConflictedText(result.bytes)
    #expect(text.hunks.count == 1)
    #expect(text.hunks[0].ours == Array("tier: A\r\n".utf8))
    #expect(
      text.hunks[0].labels.ours == "ours" && text.hunks[0].labels.base == "base"
        && text.hunks[0].labels.theirs == "theirs")
    let mapped = text.conflicts(type: F.type, fallbackBase: .unknown)
    #expect(mapped.map { $0.field?.description } == ["tier"])
    #expect(mapped[0].theirs == .text("C"))
    #expect(text.text { text.hunks[$0].base } == Array(crlf(F.base).utf8))
  }

  @Test func aByteOrderMarkStaysOutsideAConflictOnTheFirstLine() throws {
    let base = "\u{FEFF}name: 华信\ntier: B\n"
    let result = try F.merged(base, base.replacing("华信", with: "华信贸易"), base.replacing("华信", with: "华信科技"))
    #expect(result.bytes.starts(with: [0xEF, 0xBB, 0xBF, UInt8(ascii: "<")]))
    let text = ConflictedText(result.bytes)
    #expect(text.hunks.count == 1)
    #expect(text.hunks[0].lines == 1...7)
    #expect(text.conflicts(type: F.type, fallbackBase: .unknown).map { $0.field?.description } == ["name"])
    #expect(text.text { text.hunks[$0].theirs } == Array(base.replacing("华信", with: "华信科技").utf8))
  }

  @Test func gitsOwnMarkersWithoutABase() throws {
    // `git merge` with merge.conflictStyle=merge and no driver: one hunk for two adjacent
    // lines, branch names as labels, no base section.
    let file = """
      name: 华信
      <<<<<<< HEAD
      tier: A
      status: active
      =======
      tier: C
      status: churned
      >>>>>>> feature/vip
      seats: 10

      """
    let text = ConflictedText(Array(file.utf8))
    #expect(text.hunks.count == 1)
    #expect(text.hunks[0].base == nil)
    #expect(
      text.hunks[0].labels.ours == "HEAD" && text.hunks[0].labels.base == nil
        && text.hunks[0].labels.theirs == "feature/vip")
    let base = F.value("name: 华信\ntier: B\nstatus: lead\nseats: 10\n")
    let mapped = text.conflicts(type: F.type, fallbackBase: .value(base))
    #expect(mapped.map { $0.field?.description } == ["tier", "status"])
    #expect(mapped.map(\.hunk) == [0, 0])
    #expect(mapped.map(\.base) == [.text("B"), .text("lead")])
    #expect(mapped.map(\.theirs) == [.text("C"), .text("churned")])
    #expect(mapped.allSatisfy { $0.baseKnown })
    // No base to be had: said so, not guessed.
    let unknown = text.conflicts(type: F.type, fallbackBase: .unknown)
    #expect(unknown.allSatisfy { !$0.baseKnown && $0.base == nil })
    // Added on both sides: no base at all, which is known.
    let added = text.conflicts(type: F.type, fallbackBase: .absent)
    #expect(added.allSatisfy { $0.baseKnown && $0.base == nil })
  }

  @Test func longerMarkersAndMarkersNestedInsideThem() throws {
    let result = try F.merged(
      F.base, F.base.replacing("tier: B", with: "tier: A"), F.base.replacing("tier: B", with: "tier: C"),
      markerSize: 9)
    #expect(String(decoding: result.bytes, as: UTF8.self).contains("<<<<<<<<< ours\n"))
    let text = ConflictedText(result.bytes)
    #expect(text.hunks.map(\.markerSize) == [9])
    #expect(text.conflicts(type: F.type, fallbackBase: .unknown).map { $0.field?.description } == ["tier"])
    // Seven-character markers inside a nine-character conflict are its content.
    let nested =
      "a: 1\n<<<<<<<<< ours\nx\n||||||||| base\n<<<<<<< inner\ny\n=======\nz\n>>>>>>> inner\n=========\nw\n>>>>>>>>> theirs\n"
    let outer = ConflictedText(Array(nested.utf8))
    #expect(outer.hunks.count == 1 && outer.strayMarkers.isEmpty)
    #expect(outer.hunks[0].base == Array("<<<<<<< inner\ny\n=======\nz\n>>>>>>> inner\n".utf8))
  }

  @Test func strayAndIncompleteMarkers() {
    let text = ConflictedText(Array("name: x\n<<<<<<< HEAD\ntier: A\n=======\ntier: C\nseats: 1\n>>>>>>>x\n".utf8))
    // `>>>>>>>x` is not a marker (no blank after it): the conflict never ends.
    #expect(text.hunks.isEmpty)
    #expect(text.strayMarkers == [2, 4])
    #expect(text.hasMarkers)
    let clean = ConflictedText(Array("name: '======='\nnote: |\n  <<<<<<< quoted in a block\n".utf8))
    #expect(!clean.hasMarkers)
  }

  @Test func linesThatAreNotFields() {
    // The sides do not parse as a record: the lines are one conflict, each side's text.
    let broken = ConflictedText(Array("name: x\n<<<<<<< ours\n  : bad\n=======\ntier: C\n>>>>>>> theirs\n".utf8))
    let mapped = broken.conflicts(type: F.type, fallbackBase: .unknown)
    #expect(mapped.count == 1)
    #expect(mapped[0].field == nil && mapped[0].lines == 2...6)
    #expect(mapped[0].ours == .text("  : bad\n") && mapped[0].theirs == .text("tier: C\n"))
    #expect(mapped[0].note == "the file is not a record with these lines on each side")
    // Only a comment differs.
    let comment = ConflictedText(
      Array("name: x\n<<<<<<< ours\n# 年度复评\ntier: A\n=======\ntier: A\n>>>>>>> theirs\n".utf8))
    #expect(
      comment.conflicts(type: F.type, fallbackBase: .unknown).map(\.note) == [
        "the sides differ only in comments or layout"
      ])
  }

  /// Any text, markers or not: cutting it never fails and loses nothing — the hunks put back
  /// as they were give the same bytes, and every version and mapping can be made.
  @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8] as [UInt64])
  func anyTextCutsAndJoinsBackByteForByte(seed: UInt64) throws {
    var random = SeededRandom(seed: seed)
    let pieces = [
      "tier: A", "tier: C", "status: lead", "contacts:", "  - name: 李强", "    phone: '1'", "", "# 注释", "  : bad",
      "<<<<<<< ours", "<<<<<<<", "||||||| base", "=======", ">>>>>>> theirs", ">>>>>>>", "<<<<<<<<< ours",
      "=========", ">>>>>>>>> theirs", "=======x", "\u{FEFF}name: x",
    ]
    var compared = 0
    for _ in 0..<300 {
      var text = random.chance(10) ? "\u{FEFF}" : ""
      for _ in 0..<random.below(14) {
        text += random.pick(pieces) + (random.chance(20) ? "\r\n" : "\n")
      }
      if random.chance(20) { text += random.pick(pieces) }
      let bytes = Array(text.utf8)
      let cut = ConflictedText(bytes)
      #expect(cut.text { _ in nil } == bytes, "seed \(seed): \(text.debugDescription)")
      #expect(cut.text { cut.hunks[$0].raw } == bytes)
      let lineCount = ConflictedText.lineCount(bytes)
      for (index, hunk) in cut.hunks.enumerated() {
        #expect(hunk.lines.lowerBound >= 1 && hunk.lines.upperBound <= lineCount)
        for side in RecordMerge.Side.allCases {
          guard let version = cut.version(choosing: side, at: index) else { continue }
          #expect(!version.bytes.isEmpty || hunk.lines(of: side)?.isEmpty == true)
        }
      }
      for conflict in cut.conflicts(type: ConflictFixture.type, fallbackBase: .unknown) {
        #expect(conflict.hunk.map { cut.hunks.indices.contains($0) } == true)
      }
      compared += 1
    }
    #expect(compared == 300)
  }

  @Test func aVersionAndWhereItsChosenLinesAre() throws {
    let text = ConflictedText(
      Array(
        "a: 1\n<<<<<<< ours\nb: 2\n=======\nb: 3\nc: 4\n>>>>>>> theirs\nd: 5\n<<<<<<< ours\ne: 6\n=======\n>>>>>>> theirs\n"
          .utf8))
    #expect(text.hunks.count == 2)
    let second = try #require(text.version(choosing: .theirs, at: 1))
    #expect(second.bytes == Array("a: 1\nb: 2\nd: 5\n".utf8))
    #expect(second.lines == 3..<3)
    let first = try #require(text.version(choosing: .theirs, at: 0))
    #expect(first.bytes == Array("a: 1\nb: 3\nc: 4\nd: 5\ne: 6\n".utf8))
    #expect(first.lines == 1..<3)
    #expect(text.version(choosing: .base, at: 0) == nil)
  }
}
