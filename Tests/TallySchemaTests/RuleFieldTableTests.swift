import TallyTestSupport
import TallyText
import Testing

@testable import TallySchema

/// The validator hands an object's rules the value node of each field it found while
/// walking the object's keys; the rules must see exactly what a lookup by key sees.
@Suite("Rules read the fields the validator found")
struct RuleFieldTableTests {
  static let schema = """
    version: 1
    type: visit
    directory: visits
    id:
      pattern: ^V-[0-9]+$
    fields:
      a:
        type: date
      b:
        type: date
      c:
        type: int
      inner:
        type: object
        fields:
          x:
            type: int
          y:
            type: int
          deeper:
            type: object
            fields:
              z:
                type: int
            rules:
              - check: z == null or z > 0
                message: z not positive
        rules:
          - check: x == null or y == null or x < y
            message: x not below y
      items:
        type: list
        items:
          type: object
          fields:
            p:
              type: date
            q:
              type: date
          rules:
            - check: q == null or q > p
              message: q not after p
    rules:
      - check: a == null or b == null or b >= a
        message: b before a
      - when: c != null
        check: c > 0
        message: c not positive
    """

  /// Each rule's outcome on each object, evaluated the slow way: by key, through the
  /// public views, as a rule read its fields before the table.
  func expectedFailures(_ tree: SyntaxTree, _ type: RecordType) -> [String] {
    var failures: [String] = []
    func visit(_ node: SyntaxNode, _ spec: ObjectSpec, _ path: String, root: ObjectView) {
      guard node.kind == .mapping else { return }
      let view = ObjectView(syntax: node, spec: spec)
      let context = EvaluationContext(scope: view, record: root, today: CivilDate(year: 2026, month: 1, day: 1))
      for rule in spec.rules {
        if case .failed = RuleOutcome.evaluate(rule, context) { failures.append("\(path)|\(rule.message)") }
      }
      for field in spec.fields {
        guard let child = node[field.name] else { continue }
        switch field.type {
        case .object(let inner):
          visit(child, inner, path.isEmpty ? field.name : path + "." + field.name, root: root)
        case .list(let list):
          guard case .object(let inner) = list.items.type, child.kind == .sequence else { continue }
          for (index, item) in child.items.enumerated() {
            visit(item, inner, (path.isEmpty ? "" : path + ".") + "\(field.name)[\(index)]", root: root)
          }
        default:
          break
        }
      }
    }
    let root = ObjectView(syntax: tree.root, spec: type.object, recordType: type.name, id: "V-1")
    visit(tree.root, type.object, "", root: root)
    return failures.sorted()
  }

  @Test func rulesSeeWhatALookupByKeySees() throws {
    let (set, problems) = SchemaLoader.load(files: [("schema/visit.yaml", Array(Self.schema.utf8))])
    #expect(problems.isEmpty, "\(problems.map(\.message))")
    let type = try #require(set.type(named: "visit"))
    let validator = RecordValidator(schema: set, today: CivilDate(year: 2026, month: 1, day: 1))
    var random = SeededRandom(seed: 41)
    let dates = ["2026-01-05", "2026-01-09", "2026-02-30", "soon", ""]
    let ints = ["-3", "0", "4", "9", "x", ""]
    func key(_ name: String) -> String {
      switch random.below(4) {
      case 0: "'\(name)'"
      case 1: "\"\(name)\""
      default: name
      }
    }
    func entries(_ fields: [(String, [String])], indent: String) -> String {
      var lines = fields.compactMap { name, values in
        random.chance(25) ? nil : "\(indent)\(key(name)): \(random.pick(values))"
      }
      lines.shuffle(using: &random)
      if random.chance(20) { lines.append("\(indent)extra: 1") }
      return lines.map { $0 + "\n" }.joined()
    }
    var failuresSeen = 0
    for round in 0..<400 {
      var text = entries([("a", dates), ("b", dates), ("c", ints)], indent: "")
      if random.chance(70) {
        text += "inner:\n" + entries([("x", ints), ("y", ints)], indent: "  ")
        if random.chance(60) { text += "  deeper:\n" + entries([("z", ints)], indent: "    ") }
      }
      if random.chance(70) {
        text += "items:\n"
        for _ in 0..<(1 + random.below(4)) {
          let item = entries([("p", dates), ("q", dates)], indent: "    ")
          text += item.isEmpty ? "  - {}\n" : "  - " + item.dropFirst(4)
        }
      }
      let parsed = SyntaxTree.parse(Array(text.utf8), path: "visits/V-1.yaml")
      guard let tree = parsed.tree else { continue }
      let (_, found) = validator.validate(tree, type: type, id: "V-1", path: "visits/V-1.yaml")
      let reported = found.filter { $0.code == "rule" }.map { "\($0.field ?? "")|\($0.message)" }
      let expected = expectedFailures(tree, type)
      #expect(reported.sorted() == expected, "round \(round):\n\(text)")
      failuresSeen += expected.count
    }
    // The records break the rules often enough for the comparison to mean something.
    #expect(failuresSeen > 100)
  }
}
