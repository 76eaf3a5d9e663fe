import Foundation
import TallyTestSupport
import Testing
import Yams

@testable import TallyText

/// Random records: values, and source texts that write a value in varied styles.
struct RecordGenerator {
  var random: SeededRandom

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
    return value
  }

  // MARK: - Source in varied styles

  /// Writes `value` (a mapping) as a record file in randomly chosen (valid) styles.
  mutating func source(for value: Value) -> String {
    var out = ""
    if random.chance(20) { out += "# generated\n\n" }
    writeMapping(value.pairs!, indent: 0, into: &out, inlineFirst: false)
    if random.chance(20) { out += "# end\n" }
    return out
  }

  mutating func comment(_ out: inout String, indent: Int) {
    if random.chance(10) { out += "\n" }
    if random.chance(10) { out += String(repeating: " ", count: indent) + "# c \(random.below(100))\n" }
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
      if text.contains("\n"), let block = literal(text, indent: parentIndent + step), random.chance(60) {
        out += " " + block
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

  func literal(_ text: String, indent: Int) -> String? {
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
    var lines = body.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let chomp: String
    switch breaks {
    case 0: chomp = "-"
    case 1: chomp = ""
    default:
      chomp = "+"
      lines += Array(repeating: "", count: breaks - 1)
    }
    let needsIndicator = lines.first(where: { !$0.isEmpty })?.first == " "
    if needsIndicator { return nil }
    var out = "|" + chomp + "\n"
    for line in lines {
      out += line.isEmpty ? "\n" : String(repeating: " ", count: indent) + line + "\n"
    }
    return out
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

  @Test func printedRecordsReadBackTheSameEverywhere() throws {
    var generator = RecordGenerator(random: SeededRandom(seed: Self.seed))
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
    for iteration in 0..<600 {
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
      if let yams = try Yams.compose(yaml: source), let problem = agreesWithYams(value, yams, checkTypes: false) {
        Issue.record("seed \(Self.seed) #\(iteration): Yams reads the source differently: \(problem)\n\(source)")
        return
      }
      let once = CanonicalPrinter().print(document)
      let reparsed = try #require(Document.parse(once).document, "canonical text does not parse\n\(once)")
      #expect(reparsed.value == value)
      #expect(CanonicalPrinter().print(reparsed) == once, "fmt is not idempotent\n\(source)\n---\n\(once)")
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
