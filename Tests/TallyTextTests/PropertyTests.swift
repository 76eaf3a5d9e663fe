import Foundation
import TallyTestSupport
import Testing
import Yams

@testable import TallyText

/// Random records: values, and source texts that write a value in varied styles.
struct RecordGenerator {
  var random: SeededRandom

  /// How often each shape of source was written: a property that compares sources counts
  /// them, so that it fails when the generator stops producing a shape.
  struct Shapes {
    var literal = 0
    var folded = 0
    var foldedJoins = 0
    var indicator = 0
    var strip = 0
    var keep = 0
    var crlf = 0
    var mixedLineEnds = 0
    var noFinalBreak = 0
    /// A last line of only spaces with no line break, inside a block scalar (YAML 1.2
    /// keeps it with its line break; libyaml does not).
    var spacesLastLine = 0
  }

  var shapes = Shapes()
  /// Where the last block scalar written ends in the source (UTF-8 offset), to know
  /// whether the file ends inside one.
  var blockEnd = -1
  /// Whether the last thing written is a block scalar with kept empty lines: an empty line
  /// after it would be part of its text.
  var afterKeep = false

  init(random: SeededRandom) {
    self.random = random
  }

  static let words = [
    "name", "status", "owner", "王芳", "李强", "采购", "客户", "C-0042", "S-0007", "phone", "vip",
    "hello world", "3个月", "x:y", "a#b", "-x", "?y", "a-b", "email@example.com", "https://ex.com/a?b#c",
    "Ünïcödé", "😀 emoji", "tab", "中文 和 English",
  ]
  static let tricky = [
    "", "no", "No", "yes", "on", "off", "y", "n", "true", "FALSE", "null", "~", "0123", "123", "-5",
    "1e3", "1.5", ".5", "1_000", "0x1F", "0o17", "10:30", ".inf", ".nan", "2026-01-01",
    "2026-01-01 10:00:00", "<<", "=", "- x", "? x", ": x", "-", "?", ":", "a: b", "a #b", "#x", "&a",
    "*a", "!t", "|", ">", "'q", "\"q", "%x", "@x", "`x", " lead", "trail ", "  ", "---", "...",
    ",x", "[x]", "{x}", "a,b", "a:", "\t", "a\tb", "\n", "a\nb", "a\n", "a\n\n", "\n\na", " a\nb\n",
    "x\r\ny", "bell\u{7}", "nel\u{85}", "ls\u{2028}", "bom\u{FEFF}", "\\", "'\"", "it's",
    // Block scalar corners: lines of only spaces, text that starts with a blank (an
    // indentation indicator), tabs, kept empty lines.
    "x\n \n", "x\n   \n", "a\n  \nb", " lead\nx\n", "\tx\n", "x\n\ty", "\n \n", "a \nb\n", "  \n",
    "one two\nthree\n\n", "p q\n\n r\ns\n",
  ]

  mutating func scalarText() -> String {
    switch random.below(10) {
    case 0..<4: return random.pick(Self.words)
    case 4..<7: return random.pick(Self.tricky)
    default:
      var text = ""
      for _ in 0..<(1 + random.below(3)) {
        text += random.chance(50) ? random.pick(Self.words) : random.pick(Self.tricky)
        if random.chance(30) { text += " " }
      }
      return text
    }
  }

  mutating func key() -> String {
    random.chance(85)
      ? random.pick(["name", "id", "status", "owner", "list", "notes", "date", "客户", "王芳", "x", "y", "z"])
      : scalarText()
  }

  mutating func value(depth: Int) -> Value {
    let roll = random.below(depth >= 4 ? 6 : 10)
    switch roll {
    case 0: return .null
    case 1..<6: return .text(scalarText())
    case 6..<8:
      return .sequence((0..<random.below(4)).map { _ in value(depth: depth + 1) })
    default:
      return mapping(depth: depth + 1)
    }
  }

  mutating func mapping(depth: Int) -> Value {
    var pairs: [Value.Pair] = []
    var seen = Set<String>()
    for _ in 0..<random.below(5) {
      let k = key()
      guard seen.insert(k).inserted, k.utf8.count <= 256 else { continue }
      pairs.append(Value.Pair(key: k, value: value(depth: depth)))
    }
    return .mapping(pairs)
  }

  mutating func record() -> Value {
    var value = mapping(depth: 0)
    if case .mapping(let pairs) = value, pairs.isEmpty {
      value = .mapping([Value.Pair(key: "id", value: .text("C-0001"))])
    }
    // Often a last field of text whose block ends with an empty line or a line of spaces,
    // the shape whose reading depends on the file's final line break.
    if random.chance(25), case .mapping(var pairs) = value, !pairs.contains(where: { $0.key == "zz" }) {
      let endings = ["x\n \n", "a\nb\n   \n", "x\n\n", "x y\n\n\n", "客户\n  \n", " lead\n \n", "\tx\n\n"]
      pairs.append(Value.Pair(key: "zz", value: .text(random.pick(endings))))
      value = .mapping(pairs)
    }
    return value
  }

  // MARK: - Source in varied styles

  /// Writes `value` (a mapping) as a record file in randomly chosen (valid) styles.
  mutating func source(for value: Value) -> String {
    var out = ""
    blockEnd = -1
    afterKeep = false
    if random.chance(20) { out += "# generated\n\n" }
    writeMapping(value.pairs!, indent: 0, into: &out, inlineFirst: false)
    if random.chance(20) {
      out += "# end\n"
      afterKeep = false
    }
    // No final line break, where that does not change what the file means: after anything
    // but block text, or after a block's last line of only spaces (YAML 1.2 reads it with
    // its line break).
    let bytes = Array(out.utf8)
    let lastLine = bytes.dropLast().split(separator: 0x0A, omittingEmptySubsequences: false).last ?? []
    let endsInBlock = blockEnd == bytes.count
    let spacesOnly = !lastLine.isEmpty && lastLine.allSatisfy { $0 == 0x20 }
    if (!endsInBlock || spacesOnly), random.chance(endsInBlock ? 70 : 15) {
      out.removeLast()
      shapes.noFinalBreak += 1
      if endsInBlock { shapes.spacesLastLine += 1 }
    }
    return lineEnds(out)
  }

  /// The text with LF, CRLF or a random mix of both as line ends.
  mutating func lineEnds(_ text: String) -> String {
    let mode = random.below(10)
    guard mode >= 6 else { return text }
    if mode < 9 { shapes.crlf += 1 } else { shapes.mixedLineEnds += 1 }
    var bytes: [UInt8] = []
    for byte in text.utf8 {
      if byte == 0x0A, mode < 9 || random.chance(50) { bytes.append(0x0D) }
      bytes.append(byte)
    }
    return String(decoding: bytes, as: UTF8.self)
  }

  mutating func comment(_ out: inout String, indent: Int) {
    // An empty line after a block with kept empty lines would be part of its text.
    if random.chance(10), !afterKeep { out += "\n" }
    if random.chance(10) { out += String(repeating: " ", count: indent) + "# c \(random.below(100))\n" }
    afterKeep = false
  }

  mutating func writeMapping(_ pairs: [Value.Pair], indent: Int, into out: inout String, inlineFirst: Bool) {
    for (index, pair) in pairs.enumerated() {
      if !(inlineFirst && index == 0) {
        comment(&out, indent: indent)
        out += String(repeating: " ", count: indent)
      }
      out += keyText(pair.key) + ":"
      writeValue(pair.value, parentIndent: indent, into: &out, inMapping: true)
    }
  }

  mutating func keyText(_ key: String) -> String {
    if ScalarSafety.isPlainWritable(key, in: .key), key != "<<", random.chance(80) { return key }
    return quoted(key)
  }

  mutating func quoted(_ text: String) -> String {
    let simple = text.unicodeScalars.allSatisfy { !ScalarSafety.needsEscape($0) }
    if simple, random.chance(50) {
      return "'" + text.replacing("'", with: "''") + "'"
    }
    var out = "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += random.chance(50) ? "\\n" : "\\x0A"
      case "\t": out += random.chance(50) ? "\\t" : "\t"
      default:
        if ScalarSafety.needsEscape(scalar) {
          out += "\\u" + String(scalar.value, radix: 16).leftPadded(to: 4)
        } else if scalar.value > 0x7F, random.chance(10), scalar.value <= 0xFFFF {
          out += "\\u" + String(scalar.value, radix: 16).leftPadded(to: 4)
        } else {
          out.unicodeScalars.append(scalar)
        }
      }
    }
    return out + "\""
  }

  mutating func scalarInline(_ text: String, flow: Bool) -> String {
    if ScalarSafety.isPlainWritable(text, in: flow ? .flow : .block), random.chance(70) { return text }
    return quoted(text)
  }

  mutating func trailing() -> String {
    random.chance(15) ? "  # t" : ""
  }

  mutating func writeValue(_ value: Value, parentIndent: Int, into out: inout String, inMapping: Bool) {
    let step = 1 + random.below(3)
    switch value {
    case .null:
      out += trailing() + "\n"
    case .scalar(let text, _):
      if random.chance(text.contains("\n") ? 60 : 10),
        let block = blockScalar(text, parentIndent: parentIndent, step: step)
      {
        out += " " + block
        blockEnd = out.utf8.count
      } else {
        out += " " + scalarInline(text, flow: false) + trailing() + "\n"
      }
    case .sequence(let items):
      if items.isEmpty {
        out += " []" + trailing() + "\n"
      } else if items.allSatisfy({ $0.text != nil && !$0.text!.isEmpty }), random.chance(30) {
        out += " [" + items.map { scalarInline($0.text!, flow: true) }.joined(separator: ", ") + "]" + trailing() + "\n"
      } else {
        out += trailing() + "\n"
        let indent = (inMapping && random.chance(30)) ? parentIndent : parentIndent + step
        writeItems(items, indent: indent, into: &out)
      }
    case .mapping(let pairs):
      if pairs.isEmpty {
        out += " {}" + trailing() + "\n"
      } else {
        out += trailing() + "\n"
        writeMapping(pairs, indent: parentIndent + step, into: &out, inlineFirst: false)
      }
    }
  }

  mutating func writeItems(_ items: [Value], indent: Int, into out: inout String) {
    for item in items {
      comment(&out, indent: indent)
      out += String(repeating: " ", count: indent) + "-"
      switch item {
      case .mapping(let pairs) where !pairs.isEmpty && random.chance(70):
        let spaces = 1 + random.below(2)
        out += String(repeating: " ", count: spaces)
        writeMapping(pairs, indent: indent + 1 + spaces, into: &out, inlineFirst: true)
      case .sequence(let inner) where !inner.isEmpty && random.chance(50):
        out += " "
        writeItemsInline(inner, indent: indent + 2, into: &out)
      default:
        writeValue(item, parentIndent: indent, into: &out, inMapping: false)
      }
    }
  }

  mutating func writeItemsInline(_ items: [Value], indent: Int, into out: inout String) {
    for (index, item) in items.enumerated() {
      if index > 0 { out += String(repeating: " ", count: indent) }
      out += "-"
      writeValue(item, parentIndent: indent, into: &out, inMapping: false)
    }
  }

  /// `text` as a literal or folded block scalar (with chomping and indentation indicators
  /// in either order), in a collection indented `parentIndent`, the text `step` deeper;
  /// nil when no block scalar can hold it.
  mutating func blockScalar(_ text: String, parentIndent: Int, step: Int) -> String? {
    guard text.unicodeScalars.allSatisfy({ $0 == "\n" || $0 == "\t" || !ScalarSafety.needsEscape($0) }) else {
      return nil
    }
    var body = Substring(text)
    var breaks = 0
    while body.last == "\n" {
      body.removeLast()
      breaks += 1
    }
    guard !body.isEmpty else { return nil }
    let textLines = body.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let folded = random.chance(40)
    var lines = folded ? foldedSource(textLines) : textLines
    let chomp: String
    switch breaks {
    case 0:
      chomp = "-"
      shapes.strip += 1
    case 1: chomp = ""
    default:
      chomp = "+"
      shapes.keep += 1
      lines += Array(repeating: "", count: breaks - 1)
    }
    if folded { shapes.folded += 1 } else { shapes.literal += 1 }
    // A first line that starts with a blank needs the indentation given.
    let first = lines.first(where: { !$0.isEmpty })?.first
    var indicator = ""
    if first == " " || first == "\t" || random.chance(20) {
      indicator = String(step)
      shapes.indicator += 1
    }
    let header = (folded ? ">" : "|") + (random.chance(50) ? chomp + indicator : indicator + chomp)
    let indent = parentIndent + step
    var out = header + trailing() + "\n"
    for line in lines {
      // An empty line may hold spaces, up to the text's indentation.
      let spaces = line.isEmpty ? random.below(indent + 1) : indent
      out += String(repeating: " ", count: spaces) + line + "\n"
    }
    afterKeep = breaks > 1
    return out
  }

  /// The lines of a folded block that reads as `lines` joined with line breaks: a line
  /// break between two lines that do not start with a blank folds into a space, so it is
  /// written as an empty line, and some spaces are written as line breaks.
  mutating func foldedSource(_ lines: [String]) -> [String] {
    var out: [String] = []
    var previous: String?
    var gap = 0
    for line in lines {
      if line.isEmpty {
        gap += 1
        continue
      }
      var empty = gap
      if let previous, !Self.startsWithBlank(previous), !Self.startsWithBlank(line) { empty += 1 }
      out += Array(repeating: "", count: empty)
      out += splitAtSpaces(line)
      previous = line
      gap = 0
    }
    return out
  }

  static func startsWithBlank(_ line: String) -> Bool {
    line.first == " " || line.first == "\t"
  }

  /// `line` cut at some of its single spaces between other characters (folding joins the
  /// pieces with a space again); a line that starts with a blank keeps its line breaks.
  mutating func splitAtSpaces(_ line: String) -> [String] {
    guard !Self.startsWithBlank(line) else { return [line] }
    let characters = Array(line)
    var pieces: [String] = []
    var current = ""
    for (index, character) in characters.enumerated() {
      if character == " ", index > 0, index + 1 < characters.count,
        characters[index - 1] != " ", characters[index - 1] != "\t",
        characters[index + 1] != " ", characters[index + 1] != "\t", random.chance(80)
      {
        pieces.append(current)
        current = ""
        shapes.foldedJoins += 1
        continue
      }
      current.append(character)
    }
    pieces.append(current)
    return pieces
  }
}

/// Compares a Tally value with what Yams composes, structure and scalar text.
func agreesWithYams(_ value: Value, _ node: Yams.Node, checkTypes: Bool) -> String? {
  switch (value, node) {
  case (.null, .scalar(let scalar)):
    return scalar.string.isEmpty && scalar.style == .plain ? nil : "null vs \(scalar.string.debugDescription)"
  case (.scalar(let text, _), .scalar(let scalar)):
    if scalar.string != text { return "\(text.debugDescription) vs \(scalar.string.debugDescription)" }
    if text.isEmpty, scalar.style == .plain { return "empty text read as null" }
    if checkTypes, scalar.style == .plain {
      let resolved = Resolver.default.resolveTag(of: .scalar(scalar))
      if resolved != .str { return "\(text.debugDescription) reads as \(resolved.rawValue) in Yams" }
    }
    return nil
  case (.sequence(let items), .sequence(let sequence)):
    let nodes = Array(sequence)
    guard items.count == nodes.count else { return "list of \(items.count) vs \(nodes.count)" }
    for (a, b) in zip(items, nodes) {
      if let problem = agreesWithYams(a, b, checkTypes: checkTypes) { return problem }
    }
    return nil
  case (.mapping(let pairs), .mapping(let mapping)):
    let nodes = Array(mapping)
    guard pairs.count == nodes.count else { return "mapping of \(pairs.count) vs \(nodes.count)" }
    for (a, b) in zip(pairs, nodes) {
      guard case .scalar(let key) = b.key, key.string == a.key else { return "key \(a.key.debugDescription)" }
      if let problem = agreesWithYams(a.value, b.value, checkTypes: checkTypes) { return "\(a.key): \(problem)" }
    }
    return nil
  default:
    return "\(value.kindName) vs \(node)"
  }
}

@Suite("Properties (seeded)")
struct PropertyTests {
  static var seed: UInt64 {
    ProcessInfo.processInfo.environment["TALLY_SEED"].flatMap(UInt64.init) ?? 20_261_129
  }

  /// What Yams (libyaml) should read `source` as: the source itself, except that a last line
  /// of only spaces with no line break is read with its line break, as YAML 1.2 does
  /// (yaml-test-suite L24T, JEF9) and libyaml does not.
  static func yamsReference(for source: String) -> String {
    let bytes = Array(source.utf8)
    let lastLine = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).last ?? []
    guard !lastLine.isEmpty, lastLine.allSatisfy({ $0 == 0x20 }) else { return source }
    return source + "\n"
  }

  @Test func printedRecordsReadBackTheSameEverywhere() throws {
    var generator = RecordGenerator(random: SeededRandom(seed: Self.seed))
    var compared = 0
    var blocks = 0
    var indicators = 0
    defer {
      // Every iteration compared, and the printer wrote the block scalars under test.
      #expect(compared == 600, "compared \(compared) of 600")
      #expect(blocks >= 120, "only \(blocks) records printed block text")
      #expect(indicators >= 40, "only \(indicators) records printed an indentation indicator")
    }
    for iteration in 0..<600 {
      let value = generator.record()
      let document = try #require(Document(value: value))
      let printed = CanonicalPrinter().print(document)
      let result = Document.parse(printed)
      guard let reparsed = result.document else {
        Issue.record(
          "seed \(Self.seed) #\(iteration): printed text does not parse: \(result.diagnostics.map(\.message))\n\(printed)"
        )
        return
      }
      #expect(reparsed.value == value, "seed \(Self.seed) #\(iteration)\n\(printed)")
      #expect(CanonicalPrinter().print(reparsed) == printed, "not idempotent, seed \(Self.seed) #\(iteration)")
      let yams = try Yams.compose(yaml: printed)
      if let problem = agreesWithYams(value, try #require(yams), checkTypes: true) {
        Issue.record("seed \(Self.seed) #\(iteration): Yams disagrees: \(problem)\n\(printed)")
        return
      }
      compared += 1
      if printed.contains(": |") || printed.contains("- |") { blocks += 1 }
      if printed.contains("|2") { indicators += 1 }
    }
  }

  /// The first node (with its children) whose range differs from the positions of its
  /// first and last byte, each looked up on its own.
  static func rangeProblem(_ node: SyntaxNode) -> String? {
    let tree = node.tree
    let record = node.record
    let expected = SourceRange(
      start: tree.position(of: Int(record.start)), end: tree.position(of: Int(record.end)))
    if node.range != expected { return "node \(node.index): range \(node.range), expected \(expected)" }
    for entry in node.entries {
      if let problem = rangeProblem(entry.key) ?? rangeProblem(entry.value) { return problem }
    }
    for item in node.items {
      if let problem = rangeProblem(item) { return problem }
    }
    return nil
  }

  /// Where ``SyntaxNodes`` reads `node` (and what is under it) differently from its view.
  static func indexProblem(_ nodes: SyntaxNodes, _ node: SyntaxNode) -> String? {
    let index = node.index
    let kinds = [nodes.isNull(index), nodes.isScalar(index), nodes.isMapping(index), nodes.isSequence(index)]
    if kinds != [node.isNull, node.isScalar, node.isMapping, node.isSequence] { return "node \(index): kind" }
    if nodes.count(index) != node.count { return "node \(index): count \(nodes.count(index)), expected \(node.count)" }
    if nodes.text(index) != node.text { return "node \(index): text \(nodes.text(index) ?? "nil")" }
    if nodes.withUTF8(index, { Array($0) }) != node.withUTF8({ Array($0) }) { return "node \(index): bytes" }
    var child = nodes.firstChild(of: index)
    for entry in node.entries {
      if child != entry.key.index || child + 1 != entry.value.index { return "node \(index): entry at \(child)" }
      var key = entry.key.text ?? ""
      let found = key.withUTF8 { nodes.value(of: index, forKey: $0) }
      if found != node[key]?.index { return "node \(index): value for '\(key)' at \(found ?? -1)" }
      if let problem = indexProblem(nodes, entry.key) ?? indexProblem(nodes, entry.value) { return problem }
      child = nodes.next(after: child + 1)
    }
    for item in node.items {
      if child != item.index { return "node \(index): item at \(child)" }
      if let problem = indexProblem(nodes, item) { return problem }
      child = nodes.next(after: child)
    }
    return nil
  }

  @Test func variedSourcesParseToTheirValueAndFormatIdempotently() throws {
    var generator = RecordGenerator(random: SeededRandom(seed: Self.seed &+ 1))
    var compared = 0
    defer {
      // Every source was compared, and the sources held every shape of block scalar and
      // line end often enough to mean something.
      let shapes = generator.shapes
      #expect(compared == 1500, "compared \(compared) of 1500")
      #expect(shapes.literal >= 250, "literal blocks: \(shapes.literal)")
      #expect(shapes.folded >= 170, "folded blocks: \(shapes.folded)")
      #expect(shapes.foldedJoins >= 30, "folded line joins: \(shapes.foldedJoins)")
      #expect(shapes.indicator >= 140, "indentation indicators: \(shapes.indicator)")
      #expect(shapes.strip >= 240, "strip chomping: \(shapes.strip)")
      #expect(shapes.keep >= 50, "keep chomping: \(shapes.keep)")
      #expect(shapes.crlf >= 200, "CRLF files: \(shapes.crlf)")
      #expect(shapes.mixedLineEnds >= 80, "mixed line ends: \(shapes.mixedLineEnds)")
      #expect(shapes.noFinalBreak >= 150, "no final line break: \(shapes.noFinalBreak)")
      #expect(shapes.spacesLastLine >= 50, "a last line of spaces in a block: \(shapes.spacesLastLine)")
    }
    for iteration in 0..<1500 {
      let value = generator.record()
      let source = generator.source(for: value)
      let result = Document.parse(source)
      guard let document = result.document else {
        Issue.record(
          "seed \(Self.seed) #\(iteration): does not parse: \(result.diagnostics.map { "\($0.code) \($0.range!.start) \($0.message)" })\n\(source)"
        )
        return
      }
      #expect(document.value == value, "seed \(Self.seed) #\(iteration)\n\(source)")
      // The flat tree means the same, and its JSON is the value's JSON.
      let tree = try #require(SyntaxTree.parse(Array(source.utf8)).tree)
      #expect(tree.value == value)
      var fromTree: [UInt8] = []
      tree.root.writeJSON(into: &fromTree)
      #expect(String(decoding: fromTree, as: UTF8.self) == value.json())
      // Every node's range is where its bytes start and end (the range looks for the end
      // from the start's line, single lines and blocks alike).
      if let problem = Self.rangeProblem(tree.root) {
        Issue.record("seed \(Self.seed) #\(iteration): \(problem)\n\(source)")
        return
      }
      // Nodes by index (the validator's walk) are the node views' nodes.
      if let problem = tree.withNodes({ Self.indexProblem($0, tree.root) }) {
        Issue.record("seed \(Self.seed) #\(iteration): \(problem)\n\(source)")
        return
      }
      let yams = try #require(try Yams.compose(yaml: Self.yamsReference(for: source)))
      if let problem = agreesWithYams(value, yams, checkTypes: false) {
        Issue.record("seed \(Self.seed) #\(iteration): Yams reads the source differently: \(problem)\n\(source)")
        return
      }
      let once = CanonicalPrinter().print(document)
      let reparsed = try #require(Document.parse(once).document, "canonical text does not parse\n\(once)")
      #expect(reparsed.value == value)
      #expect(CanonicalPrinter().print(reparsed) == once, "fmt is not idempotent\n\(source)\n---\n\(once)")
      // The canonical text needs no allowance: it reads the same in Yams as it is.
      let yamsCanonical = try #require(try Yams.compose(yaml: once))
      if let problem = agreesWithYams(value, yamsCanonical, checkTypes: false) {
        Issue.record("seed \(Self.seed) #\(iteration): Yams reads the canonical text differently: \(problem)\n\(once)")
        return
      }
      compared += 1
    }
  }

  /// The line scan's fast paths (eight ASCII bytes at a time, runs of three-byte
  /// characters four bytes at a time) find exactly what a character-by-character reading
  /// finds: the first byte that is not UTF-8, or else every character not allowed anywhere,
  /// wherever it falls in a run of CJK text and however the run meets the end of the file.
  @Test func theLineScanFindsWhatACharacterByCharacterReadingFinds() {
    var random = SeededRandom(seed: Self.seed &+ 4)
    let pieces: [[UInt8]] = [
      Array("客户".utf8), Array("跟进，".utf8), Array("。".utf8), Array("ab".utf8), Array("12345678".utf8), [0x20],
      Array("\u{FEFF}".utf8), Array("\u{FFFE}".utf8), Array("\u{FFFF}".utf8), Array("\u{2028}".utf8),
      Array("\u{2029}".utf8), Array("\u{85}".utf8), Array("\u{9F}".utf8), Array("\u{E000}".utf8),
      Array("\u{FFFD}".utf8), Array("\u{FF0C}".utf8), Array("ü".utf8), Array("😀".utf8), [0x7F], [0x07], [0x09],
      [0xED, 0xA0, 0x80], [0xE0, 0x80, 0x80], [0xE4, 0xB8], [0x80], [0xEF, 0xBB], [0xF4, 0x90, 0x80, 0x80],
    ]
    let forbidden: Set<UInt32> = [0x7F, 0x2028, 0x2029, 0xFEFF, 0xFFFE, 0xFFFF]
    for round in 0..<3000 {
      // A comment: only the line scan looks at its characters.
      var bytes = Array("a: 1\n# ".utf8)
      for _ in 0..<(1 + random.below(12)) { bytes += random.pick(pieces) }
      // Half the files end right after the text: the run meets the end of the file.
      if random.chance(50) { bytes.append(0x0A) }
      let found = SyntaxTree.parse(bytes).diagnostics
      guard let text = String(validating: bytes, as: UTF8.self) else {
        let invalid = found.filter { $0.code == "invalid-utf8" }
        #expect(invalid.count == 1, "round \(round): \(bytes)")
        continue
      }
      var expected: [Int] = []
      var offset = 0
      for scalar in text.unicodeScalars {
        let value = scalar.value
        if (value < 0x20 && value != 0x09 && value != 0x0A) || (0x80...0x9F).contains(value)
          || forbidden.contains(value)
        {
          expected.append(offset)
        }
        offset += String(scalar).utf8.count
      }
      let reported = found.filter { $0.code == "control-character" }.compactMap { $0.range?.start.offset }
      #expect(reported == expected, "round \(round): \(bytes)")
      #expect(found.allSatisfy { $0.code == "control-character" }, "round \(round): \(found.map(\.code))")
    }
  }

  @Test func theParserNeverTrapsOnMutatedInput() {
    var random = SeededRandom(seed: Self.seed &+ 2)
    var generator = RecordGenerator(random: SeededRandom(seed: Self.seed &+ 3))
    let alphabet: [UInt8] = Array(" \t\n\r-:#'\"|>[]{},&*!%@`?\\x0ab".utf8) + [0xE4, 0xB8, 0xAD, 0xFF, 0x00]
    for _ in 0..<2000 {
      var bytes = Array(generator.source(for: generator.record()).utf8)
      for _ in 0..<(1 + random.below(6)) {
        guard !bytes.isEmpty else { break }
        let at = random.below(bytes.count)
        switch random.below(3) {
        case 0: bytes[at] = random.pick(alphabet)
        case 1: bytes.insert(random.pick(alphabet), at: at)
        default: bytes.remove(at: at)
        }
      }
      let result = Document.parse(bytes)
      // Accepted files must print and read back the same; rejected ones must say why.
      if let document = result.document {
        let printed = CanonicalPrinter().printBytes(document)
        #expect(Document.parse(printed).document?.value == document.value)
      } else {
        #expect(result.diagnostics.hasErrors)
        for diagnostic in result.diagnostics {
          #expect(diagnostic.range.map { $0.start.offset <= bytes.count } ?? true)
        }
      }
    }
  }
}

@Suite("Block scalar corners against Yams (exhaustive)")
struct BlockScalarCornerTests {
  /// Every small block scalar — literal and folded, each chomping, with and without an
  /// indentation indicator, under a key and in a list, lines of text, of spaces (fewer,
  /// as many or more than the indentation), empty and with tabs, LF and CRLF, with and
  /// without a final line break, with and without a key after it — reads as Yams reads it
  /// (a last line of spaces with its line break, see ``PropertyTests/yamsReference(for:)``),
  /// and Tally accepts nothing that Yams rejects. What Tally accepts prints and reads back.
  @Test func everySmallBlockScalarReadsAsYamsReadsIt() throws {
    let contexts: [(header: String, pad: String, next: String)] = [
      ("a: ", "", "b: 1"), ("l:\n- ", "", "- 1"), ("k:\n  a: ", "  ", "  b: 1"),
    ]
    let bodies = ["  x", "   x", "", "  ", "   ", " ", "  y z", "    x", "  \tx", " \t"]
    var compared = 0
    var rejected = 0
    for context in contexts {
      for style in ["|", ">"] {
        for header in ["", "-", "+", "2", "-2", "+1"] {
          var shapes: [[String]] = bodies.map { [$0] }
          shapes += bodies.flatMap { first in bodies.map { [first, $0] } }
          for lines in shapes {
            for ending in 0..<3 {
              for eol in ["\n", "\r\n"] {
                var text = context.header.replacing("\n", with: eol) + style + header + eol
                text += lines.map { $0.isEmpty ? $0 : context.pad + $0 }.joined(separator: eol)
                if ending > 0 { text += eol }
                if ending > 1 { text += context.next + eol }
                let yams = try? Yams.compose(yaml: PropertyTests.yamsReference(for: text))
                guard let document = Document.parse(text).document else {
                  rejected += 1
                  continue
                }
                let node = try #require(yams, "Tally accepts what Yams rejects: \(text.debugDescription)")
                let problem = agreesWithYams(document.value, node, checkTypes: false)
                #expect(problem == nil, "\(text.debugDescription): \(problem ?? "")")
                let printed = CanonicalPrinter().print(document)
                #expect(Document.parse(printed).document?.value == document.value, "\(text.debugDescription)")
                #expect(
                  agreesWithYams(document.value, try #require(try Yams.compose(yaml: printed)), checkTypes: false)
                    == nil,
                  "\(printed.debugDescription)")
                compared += 1
              }
            }
          }
        }
      }
    }
    // Most are accepted; the rest are tabs YAML readers disagree on and empty lines with
    // more spaces than the text.
    #expect(compared >= 15_000, "compared \(compared), rejected \(rejected)")
    #expect(rejected <= 7_000, "compared \(compared), rejected \(rejected)")
  }
}
