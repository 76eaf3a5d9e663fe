import Foundation
import TallyTestSupport
import TallyText
import Testing

/// Runs `git` with no global or system configuration (a `core.autocrlf` there would make
/// `git apply` convert line ends), in `directory`.
@discardableResult
func hermeticGit(_ arguments: [String], in directory: String) throws -> ProcessResult {
  try TallyProcess.runProgram(
    "git", arguments, in: directory, environment: ["GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null"])
}

/// Random files for diffs: lines of CJK text, lines that look like diff syntax, text that
/// Swift calls equal to other bytes (`é` and `e` + `◌́`), LF, CRLF and mixed line ends, a
/// byte order mark, a missing final line break, empty files.
struct DiffFileGenerator {
  var random: SeededRandom

  /// A file as lines, to change it line by line.
  struct File {
    var byteOrderMark = false
    var lines: [(text: [UInt8], crlf: Bool)] = []
    var finalBreak = true

    var bytes: [UInt8] {
      var out: [UInt8] = byteOrderMark ? [0xEF, 0xBB, 0xBF] : []
      for (index, line) in lines.enumerated() {
        out += line.text
        if index < lines.count - 1 || finalBreak { out += line.crlf ? [0x0D, 0x0A] : [0x0A] }
      }
      return out
    }
  }

  /// What the generated pairs hold, so the property can tell that it met every shape.
  struct Shapes {
    var crlf = 0
    var mixed = 0
    var byteOrderMark = 0
    var noFinalBreak = 0
    var onlyFinalBreakChanged = 0
    var lineEndsChanged = 0
    var emptyOld = 0
    var emptyNew = 0
    var decomposed = 0
  }

  var shapes = Shapes()

  static let texts = [
    "id: C-0042", "name: 上海华信贸易有限公司", "客户：王芳，跟进中", "", " ", "  - date: 2026-03-02", "\ttab", "caf\u{E9}",
    "cafe\u{301}", "😀 emoji", "\\ No newline at end of file", "-- a/x", "++ b/y", "@@ -1 +1 @@", "- item", "+ plus",
    " lead", "trail ", "a\rb", "diff --git a/x b/x", "---", "+++", "中文 和 English", "notes: |", "    第一行",
  ]

  mutating func line() -> [UInt8] {
    Array(random.pick(Self.texts).utf8)
  }

  mutating func file() -> File {
    var file = File()
    let mode = random.below(10)
    for _ in 0..<random.below(12) {
      let crlf = mode < 5 ? false : mode < 8 ? true : random.chance(50)
      file.lines.append((line(), crlf))
    }
    file.byteOrderMark = random.chance(15)
    file.finalBreak = !random.chance(25)
    return file
  }

  /// A pair of files, the second a change of the first.
  mutating func pair() -> (old: [UInt8], new: [UInt8]) {
    let old = file()
    var new = old
    switch random.below(10) {
    case 0:
      new.finalBreak.toggle()
      shapes.onlyFinalBreakChanged += 1
    case 1:
      // What `tally fmt` does to a CRLF file: every line end becomes LF.
      for index in new.lines.indices { new.lines[index].crlf = false }
      new.byteOrderMark = false
      new.finalBreak = true
      shapes.lineEndsChanged += 1
    case 2:
      new = random.chance(50) ? File() : file()
    default:
      for _ in 0..<(1 + random.below(4)) {
        let at = random.below(new.lines.count + 1)
        switch random.below(6) {
        case 0 where at < new.lines.count: new.lines.remove(at: at)
        case 1 where at < new.lines.count: new.lines[at].text = line()
        case 2 where at < new.lines.count: new.lines[at].crlf.toggle()
        case 3 where at < new.lines.count:
          // The same text to Swift, other bytes.
          let composed = Array("caf\u{E9}".utf8)
          new.lines[at].text = new.lines[at].text == composed ? Array("cafe\u{301}".utf8) : composed
          shapes.decomposed += 1
        case 4:
          new.byteOrderMark.toggle()
        default:
          new.lines.insert((line(), random.chance(50)), at: at)
        }
      }
      if random.chance(15) { new.finalBreak.toggle() }
    }
    let pair = (old.bytes, new.bytes)
    for file in [old, new] {
      let ends = Set(file.lines.dropLast(file.finalBreak ? 0 : 1).map(\.crlf))
      if ends == [true] { shapes.crlf += 1 }
      if ends.count == 2 { shapes.mixed += 1 }
      if file.byteOrderMark { shapes.byteOrderMark += 1 }
      if !file.finalBreak, !file.lines.isEmpty { shapes.noFinalBreak += 1 }
    }
    if pair.0.isEmpty { shapes.emptyOld += 1 }
    if pair.1.isEmpty { shapes.emptyNew += 1 }
    return pair
  }
}

@Suite("Patches apply with git (seeded)")
struct PatchPropertyTests {
  static var seed: UInt64 {
    ProcessInfo.processInfo.environment["TALLY_SEED"].flatMap(UInt64.init) ?? 20_261_129
  }

  /// Every diff LineDiff prints applies with `git apply` to the old file and gives the new
  /// one byte for byte. All patches are applied at once (one `git apply`), then each is
  /// tried alone to name the ones that fail.
  @Test func everyPatchAppliesWithGitByteForByte() throws {
    let dir = try TemporaryDirectory(prefix: "tally-patch")
    try hermeticGit(["init", "-q"], in: dir.path)
    var generator = DiffFileGenerator(random: SeededRandom(seed: Self.seed))
    var cases: [(index: Int, name: String, old: [UInt8], new: [UInt8], patch: String)] = []
    var equal = 0
    for index in 0..<600 {
      let (old, new) = generator.pair()
      let name = ["f\(index).txt", "客户/C-\(index).yaml", "with space/\(index).yaml"][index % 3]
      let patch = LineDiff.unified(old: old, new: new, oldName: "a/" + name, newName: "b/" + name)
      if old == new {
        #expect(patch == "")
        equal += 1
        continue
      }
      try dir.write(name, bytes: old)
      try dir.write("patches/\(index).diff", patch)
      cases.append((index, name, old, new, patch))
    }
    try dir.write("all.diff", cases.map(\.patch).joined())
    let check = try hermeticGit(["apply", "--check", "all.diff"], in: dir.path)
    if check.status != 0 {
      // Name the patches that fail, with what they were made from.
      var shown = 0
      for item in cases where shown < 5 {
        let alone = try hermeticGit(["apply", "--check", "patches/\(item.index).diff"], in: dir.path)
        if alone.status != 0 {
          shown += 1
          Issue.record(
            "case \(item.index) (\(item.name)): \(alone.stderr)\nold: \(String(decoding: item.old, as: UTF8.self).debugDescription)\nnew: \(String(decoding: item.new, as: UTF8.self).debugDescription)\n\(item.patch)"
          )
        }
      }
      Issue.record("git apply --check rejects the patches: \(check.stderr)")
      return
    }
    let apply = try hermeticGit(["apply", "all.diff"], in: dir.path)
    #expect(apply.status == 0, "\(apply.stderr)")
    var compared = 0
    for item in cases {
      let applied = try dir.bytes(item.name)
      #expect(
        applied == item.new,
        "\(item.name): \(String(decoding: applied, as: UTF8.self).debugDescription) is not \(String(decoding: item.new, as: UTF8.self).debugDescription)\n\(item.patch)"
      )
      compared += 1
    }
    // Enough cases, and every shape, were compared.
    let shapes = generator.shapes
    #expect(compared + equal == 600)
    #expect(compared >= 500, "compared \(compared)")
    #expect(shapes.crlf >= 150, "CRLF files: \(shapes.crlf)")
    #expect(shapes.mixed >= 60, "mixed line ends: \(shapes.mixed)")
    #expect(shapes.byteOrderMark >= 100, "byte order marks: \(shapes.byteOrderMark)")
    #expect(shapes.noFinalBreak >= 150, "no final line break: \(shapes.noFinalBreak)")
    #expect(shapes.onlyFinalBreakChanged >= 30, "only the final line break changed: \(shapes.onlyFinalBreakChanged)")
    #expect(shapes.lineEndsChanged >= 30, "line ends changed: \(shapes.lineEndsChanged)")
    #expect(shapes.emptyOld >= 20, "empty old files: \(shapes.emptyOld)")
    #expect(shapes.emptyNew >= 15, "empty new files: \(shapes.emptyNew)")
    #expect(shapes.decomposed >= 30, "composed and decomposed text: \(shapes.decomposed)")
  }
}

@Suite("Patches: exact text")
struct PatchTextTests {
  func diff(_ old: String, _ new: String) -> String {
    LineDiff.unified(old: Array(old.utf8), new: Array(new.utf8), oldName: "a/f", newName: "b/f")
  }

  @Test func aLostOrGainedFinalLineBreakIsMarked() {
    #expect(
      diff("a\nb\n", "a\nb")
        == "--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n+b\n\\ No newline at end of file\n")
    #expect(
      diff("a\nb", "a\nb\n")
        == "--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n")
    // Unchanged last lines without a line break are marked as context.
    #expect(
      diff("a\nb", "x\nb") == "--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n-a\n+x\n b\n\\ No newline at end of file\n")
    #expect(
      diff("a", "b")
        == "--- a/f\n+++ b/f\n@@ -1,1 +1,1 @@\n-a\n\\ No newline at end of file\n+b\n\\ No newline at end of file\n")
  }

  @Test func crlfLinesKeepTheirCarriageReturn() {
    #expect(diff("a\r\nb\r\n", "a\nb\r\n") == "--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n-a\r\n+a\n b\r\n")
  }

  /// Bytes that Swift strings call equal are different lines.
  @Test func composedAndDecomposedTextDiffer() {
    #expect(diff("caf\u{E9}\n", "cafe\u{301}\n") == "--- a/f\n+++ b/f\n@@ -1,1 +1,1 @@\n-caf\u{E9}\n+cafe\u{301}\n")
  }

  @Test func emptyFiles() {
    #expect(diff("", "a\n") == "--- a/f\n+++ b/f\n@@ -0,0 +1,1 @@\n+a\n")
    #expect(diff("a\n", "") == "--- a/f\n+++ b/f\n@@ -1,1 +0,0 @@\n-a\n")
    #expect(diff("", "") == "")
  }
}

/// `tally fmt --diff` and `tally set --dry-run` print patches that `git apply` applies to
/// give exactly what `tally fmt` and `tally set` write.
@Suite("Patches from tally apply with git (end to end)")
struct PatchCommandTests {
  /// Two copies of the team repository with customers/C-0042.yaml rewritten by `change`.
  func copies(_ change: ([UInt8]) -> [UInt8]) throws -> (patched: TemporaryDirectory, written: TemporaryDirectory) {
    let patched = try makeTeamRepository()
    let written = try makeTeamRepository()
    for dir in [patched, written] {
      try dir.write("customers/C-0042.yaml", bytes: change(try dir.bytes("customers/C-0042.yaml")))
    }
    try hermeticGit(["init", "-q"], in: patched.path)
    return (patched, written)
  }

  /// Applies `patch` in `dir` with `git apply` (after `--check`) and returns the record.
  func apply(_ patch: String, in dir: TemporaryDirectory) throws -> [UInt8] {
    let file = try dir.write("tally.diff", patch)
    let check = try hermeticGit(["apply", "--check", file], in: dir.path)
    #expect(check.status == 0, "git apply --check: \(check.stderr)\n\(patch.debugDescription)")
    let apply = try hermeticGit(["apply", file], in: dir.path)
    #expect(apply.status == 0, "git apply: \(apply.stderr)")
    return try dir.bytes("customers/C-0042.yaml")
  }

  static func crlf(_ bytes: [UInt8]) -> [UInt8] {
    bytes.flatMap { $0 == 0x0A ? [0x0D, 0x0A] : [$0] }
  }

  /// A record out of canonical form: extra spaces after a key, an empty line too many.
  static func untidy(_ bytes: [UInt8]) -> [UInt8] {
    let text = String(decoding: bytes, as: UTF8.self)
      .replacingOccurrences(of: "tier: A", with: "tier:    A")
      .replacingOccurrences(of: "contacts:", with: "\n\ncontacts:")
    return Array(text.utf8)
  }

  static let variants: [(String, @Sendable ([UInt8]) -> [UInt8])] = [
    ("crlf", { crlf(untidy($0)) }),
    ("byte-order-mark", { [0xEF, 0xBB, 0xBF] + untidy($0) }),
    ("no-final-newline", { Array(untidy($0).dropLast()) }),
    (
      "cjk",
      {
        Array(
          String(decoding: untidy($0), as: UTF8.self).replacingOccurrences(
            of: "title: 采购经理", with: "title:   采购经理（负责人）"
          ).utf8)
      }
    ),
    ("all-of-them", { [0xEF, 0xBB, 0xBF] + crlf(Array(untidy($0).dropLast())) }),
  ]

  @Test(arguments: variants.map(\.0))
  func fmtDiffAppliesToWhatFmtWrites(variant: String) throws {
    let change = try #require(Self.variants.first { $0.0 == variant }?.1)
    let (patched, written) = try copies(change)
    let before = try patched.bytes("customers/C-0042.yaml")
    let diff = try TallyProcess.run(["fmt", "--diff", "customers/C-0042.yaml"], in: patched.path)
    #expect(diff.status == 1, "\(diff.stderr)")
    #expect(diff.stdout.hasPrefix("--- a/customers/C-0042.yaml\n+++ b/customers/C-0042.yaml\n@@ "))
    #expect(try patched.bytes("customers/C-0042.yaml") == before, "--diff changed the file")
    let fmt = try TallyProcess.run(["fmt", "customers/C-0042.yaml"], in: written.path)
    #expect(fmt.status == 0, "\(fmt.stderr)")
    let expected = try written.bytes("customers/C-0042.yaml")
    #expect(expected != before)
    #expect(try apply(diff.stdout, in: patched) == expected)
  }

  @Test(arguments: ["crlf", "byte-order-mark", "no-final-newline", "all-of-them"])
  func setDryRunAppliesToWhatSetWrites(variant: String) throws {
    let change = try #require(Self.variants.first { $0.0 == variant }?.1)
    let (patched, written) = try copies(change)
    let before = try patched.bytes("customers/C-0042.yaml")
    let arguments = ["set", "customer/C-0042", "tier=B", "contacts[0].title=采购总监"]
    let dry = try tallyEdit(arguments + ["--dry-run"], in: patched)
    #expect(dry.status == 0, "\(dry.stderr)")
    #expect(dry.stdout.hasPrefix("--- a/customers/C-0042.yaml\n+++ b/customers/C-0042.yaml\n@@ "))
    #expect(try patched.bytes("customers/C-0042.yaml") == before, "--dry-run changed the file")
    let set = try tallyEdit(arguments, in: written)
    #expect(set.status == 0, "\(set.stderr)")
    let expected = try written.bytes("customers/C-0042.yaml")
    #expect(expected != before)
    if variant == "crlf" { #expect(expected.contains(0x0D), "set keeps CRLF line ends") }
    #expect(try apply(dry.stdout, in: patched) == expected)
  }
}

@Suite("Patches of large files")
struct LargePatchTests {
  func applies(_ old: [UInt8], _ new: [UInt8]) throws -> String {
    let dir = try TemporaryDirectory(prefix: "tally-patch")
    let patch = LineDiff.unified(old: old, new: new, oldName: "a/big.yaml", newName: "b/big.yaml")
    try dir.write("big.yaml", bytes: old)
    try dir.write("big.diff", patch)
    let apply = try hermeticGit(["apply", "big.diff"], in: dir.path)
    #expect(apply.status == 0, "\(apply.stderr)")
    #expect(try dir.bytes("big.yaml") == new)
    return patch
  }

  /// A large file whose every line changes (CRLF to LF) is diffed in bounded time and
  /// memory: past the search limit, the changed lines are removed and added whole.
  @Test func everyLineChanged() throws {
    let old = Array((0..<40_000).map { "key\($0): 客户 \($0 % 7)\r\n" }.joined().utf8)
    let new = old.filter { $0 != 0x0D }
    let patch = try applies(old, new)
    #expect(patch.hasPrefix("--- a/big.yaml\n+++ b/big.yaml\n@@ -1,40000 +1,40000 @@\n"))
  }

  /// A few changes in a large file are a few small hunks.
  @Test func fewLinesChanged() throws {
    let lines = (0..<40_000).map { "key\($0): 客户 \($0 % 7)\n" }
    var changed = lines
    changed[10] = "key10: 变更\n"
    changed.remove(at: 20_000)
    changed.insert("new: 新\n", at: 39_000)
    let patch = try applies(Array(lines.joined().utf8), Array(changed.joined().utf8))
    #expect(patch.components(separatedBy: "\n@@ ").count == 4, "\(patch)")
    #expect(patch.utf8.count < 2_000)
  }
}
