import TallyTestSupport
import TallyText
import Testing

@testable import TallySchema

/// Rules of the common shapes are answered from the record's bytes (``RuleFastPath``); the
/// answer must be the evaluator's whenever the fast path gives one.
@Suite("Quick rule checks answer as the evaluator does")
struct RuleFastPathTests {
  /// A type with a field of every kind, and rules of the shapes the fast path reads and of
  /// some it must leave alone.
  static let schema = """
    version: 1
    type: thing
    directory: things
    id:
      pattern: ^T-[0-9]+$
    fields:
      d1:
        type: date
      d2:
        type: date
      e:
        type: enum
        values:
          open: Open
          done: Done
          高: High
      t:
        type: text
      m:
        type: multiline
      n:
        type: int
      amount:
        type: money
      dec:
        type: decimal
      items:
        type: list
        items:
          type: text
      obj:
        type: object
        fields:
          k:
            type: int
      owner:
        type: ref
        to: thing
      mail:
        type: email
      tel:
        type: phone
      share:
        type: percent
    rules:
    \(rules.map { "  - check: '\($0.check)'\n" + ($0.when.map { "    when: '\($0)'\n" } ?? "") + "    message: m\n" }.joined())
    """

  /// Each rule, and whether its check (and condition) should compile to a fast path.
  static let rules: [(check: String, when: String?, quick: Bool)] = [
    ("d1 == null or d2 > d1", nil, true),
    ("d1 <= d2", nil, true),
    ("d1 != d2", nil, true),
    ("not (d1 < d2)", nil, true),
    ("d1 == null implies d2 == null", nil, true),
    ("d2 >= d1 and d1 != null", nil, true),
    ("e == \"open\"", nil, true),
    ("e != \"done\"", nil, true),
    ("e == t", nil, true),
    ("t == \"K\"", nil, true),
    ("t != null and m != null", nil, true),
    ("n > 3", nil, true),
    ("n == 4", nil, true),
    ("amount >= 0", nil, true),
    ("dec < 2.5", nil, true),
    ("n == \"4\"", nil, true),
    ("d1 > n", nil, true),
    ("len(items) > 1", nil, true),
    ("len(items) == 0", nil, true),
    ("owner != null", nil, true),
    ("owner == \"T-1\"", nil, true),
    ("obj != null or items == null", nil, true),
    ("mail != null", nil, true),
    ("tel == null", nil, true),
    ("d2 != null", "e == \"open\"", true),
    ("n >= 0", "amount != null and amount > 10", true),
    // Shapes the fast path leaves to the evaluator.
    ("e == \"高\"", nil, false),
    ("share > 5", nil, false),
    ("len(t) > 3", nil, false),
    ("all(items, i => i != \"b\")", nil, false),
    ("record.n == n", nil, false),
    ("d2 != null", "share != null", false),
  ]

  static let values: [String: [String]] = [
    "d1": ["2026-01-05", "2026-01-09", "2026-02-30", "soon", "''", "\"2026-01-07\"", "\"2026-01-0\\u0038\"", "[1]"],
    "d2": ["2026-01-05", "2026-01-09", "2026-01-11", "x", "\"2026-01-0\\u0039\"", "{a: 1}"],
    "e": ["open", "done", "高", "Open", "\"op\\u0065n\"", "'done'", "[open]"],
    "t": ["x", "open", "K", "\u{212A}", "\"\\u212A\"", "中文", "\"a\\tb\"", "|\n  two\n  lines", "''", "[x]"],
    "m": ["one", "|\n  a\n  b", "[m]"],
    "n": ["4", "-3", "4.0", "+7", "x", "''", "\"4\""],
    "amount": ["12.50", "12.505", "0", "-1", "11", "many"],
    "dec": ["2.5", "2.50", "1e3", "3", "-0.5"],
    "items": ["[]", "[a, b]", "\n  - a\n  - b\n  - c", "scalar", "{k: v}", "\n  - only"],
    "obj": ["{k: 1}", "[1]", "x", "\n  k: 2"],
    "owner": ["T-1", "T-2", "[T-1]", "''", "{a: b}"],
    "mail": ["a@b.c", "nope", "[a@b.c]"],
    "tel": ["13800138000", "12", "{}"],
    "share": ["5%", "7"],
  ]

  /// Where each field's value is in the root mapping (the first of repeated keys), as the
  /// validator's table holds it.
  static func table(_ nodes: SyntaxNodes, _ fields: [FieldSpec]) -> [Int32] {
    var table = [Int32](repeating: -1, count: fields.count)
    var key = nodes.firstChild(of: nodes.root)
    for _ in 0..<nodes.count(nodes.root) {
      let value = key + 1
      if let position = nodes.withUTF8(key, { bytes in fields.firstIndex { bytes.hasSameBytes(as: $0.utf8Name) } })
        ?? nil, table[position] < 0
      {
        table[position] = Int32(value)
      }
      key = nodes.next(after: value)
    }
    return table
  }

  @Test func quickAnswersAreTheEvaluatorsAnswers() throws {
    let (set, problems) = SchemaLoader.load(files: [("schema/thing.yaml", Array(Self.schema.utf8))])
    #expect(problems.isEmpty, "\(problems.map(\.message))")
    let type = try #require(set.type(named: "thing"))
    let boxes = type.object.boxedRules
    try #require(boxes.count == Self.rules.count)
    for (box, rule) in zip(boxes, Self.rules) {
      let compiled = box.fastCheck != nil && (box.rule.condition == nil || box.fastCondition != nil)
      #expect(compiled == rule.quick, "\(rule.check) when \(rule.when ?? "-")")
    }
    var random = SeededRandom(seed: 7)
    var answered = [0, 0]
    var passedQuickly = 0
    let today = CivilDate(year: 2026, month: 1, day: 1)
    for round in 0..<1_500 {
      var lines: [String] = []
      for name in Self.values.keys.sorted() where !random.chance(30) {
        if random.chance(10) {
          lines.append("\(name):")
        } else {
          let value = random.pick(Self.values[name]!)
          lines.append(value.hasPrefix("\n") ? "\(name):\(value)" : "\(name): \(value)")
        }
        if random.chance(5) { lines.append("\(name): \(random.pick(Self.values[name]!))") }
      }
      lines.shuffle(using: &random)
      let text = lines.map { $0 + "\n" }.joined()
      guard let tree = SyntaxTree.parse(Array(text.utf8), path: "things/T-1.yaml").tree else { continue }
      let view = ObjectView(syntax: tree.root, spec: type.object, recordType: "thing", id: "T-1")
      let context = EvaluationContext(scope: view, record: view, today: today)
      tree.withNodes { nodes in
        let table = Self.table(nodes, type.object.fields)
        table.withUnsafeBufferPointer { table in
          for box in boxes {
            for (quick, expression) in [(box.fastCheck, box.rule.check), (box.fastCondition, box.rule.condition)] {
              guard let quick, let expression, let answer = quick.evaluate(nodes, table) else { continue }
              answered[answer ? 1 : 0] += 1
              let general = try? expression.evaluate(in: context)
              guard case .bool(let expected) = general else {
                let shown = String(describing: general)
                Issue.record("round \(round): '\(expression)' quick \(answer), evaluator \(shown)\n\(text)")
                continue
              }
              #expect(answer == expected, "round \(round): '\(expression)'\n\(text)")
            }
            if box.passesQuickly(nodes, table) {
              passedQuickly += 1
              let outcome = RuleOutcome.evaluate(box, context)
              guard case .passed = outcome else {
                Issue.record("round \(round): '\(box.rule.check)' passed quickly, evaluator \(outcome)\n\(text)")
                continue
              }
            }
          }
        }
      }
    }
    // Both answers often enough for the comparison to mean something.
    #expect(answered[0] > 2_000 && answered[1] > 2_000, "\(answered)")
    #expect(passedQuickly > 2_000, "\(passedQuickly)")
  }

  /// A rule the fast path passes is not reported; one it cannot answer still is.
  @Test func theValidatorReportsWhatTheEvaluatorFinds() throws {
    let (set, _) = SchemaLoader.load(files: [("schema/thing.yaml", Array(Self.schema.utf8))])
    let type = try #require(set.type(named: "thing"))
    let validator = RecordValidator(schema: set, today: CivilDate(year: 2026, month: 1, day: 1))
    let text = "d1: 2026-01-09\nd2: 2026-01-05\ne: open\nn: 4\nitems: [a]\nshare: 9%\n"
    let tree = try #require(SyntaxTree.parse(Array(text.utf8), path: "things/T-1.yaml").tree)
    let (_, found) = validator.validate(tree, type: type, id: "T-1", path: "things/T-1.yaml")
    let failed = Set(found.filter { $0.code == "rule" }.compactMap { $0.hint })
    let view = ObjectView(syntax: tree.root, spec: type.object, recordType: "thing", id: "T-1")
    let context = EvaluationContext(scope: view, record: view, today: CivilDate(year: 2026, month: 1, day: 1))
    var expected = Set<String>()
    for box in type.object.boxedRules {
      if case .failed = RuleOutcome.evaluate(box, context) { expected.insert(box.rule.ruleHint(type: type)) }
    }
    #expect(!expected.isEmpty)
    #expect(failed == expected)
  }
}
