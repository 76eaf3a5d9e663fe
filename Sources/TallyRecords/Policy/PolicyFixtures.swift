import TallySchema
import TallyText

/// `tally policy test`: cases a team keeps in `policy-tests/*.yaml` — an actor, a record
/// before and after, the verdict expected and the rule that must decide it — run against the
/// working tree's policy and staff, so a change to the policy that breaks a case fails CI.
public struct PolicyFixtures: Sendable {
  public static let directory = "policy-tests"

  public struct Case: Sendable {
    public var file: String
    public var line: Int
    public var name: String
    public var actor: String
    public var date: CivilDate
    public var type: String
    public var id: String
    public var before: Value?
    public var after: Value?
    public var expectAllowed: Bool
    /// The rule that must decide (`none`: no rule allows it); nil: not checked.
    public var rule: String?
  }

  public struct Outcome: Sendable {
    public var testCase: Case
    public var allowed: Bool
    /// The rule that decided (`none` when no rule allowed it).
    public var rule: String
    public var reason: String
    public var passed: Bool
  }

  public var outcomes: [Outcome] = []
  /// Problems with the fixture files themselves (and the policy's errors).
  public var problems: [Diagnostic] = []

  public var failed: Int { outcomes.filter { !$0.passed }.count }
  public var ok: Bool { failed == 0 && !problems.hasErrors && !outcomes.isEmpty }

  /// Reads and runs every case under `policy-tests/`.
  public static func run(_ records: RecordsRepository, setup: PolicySetup) -> PolicyFixtures {
    var result = PolicyFixtures()
    result.problems += setup.problems
    if !setup.exists {
      result.problems.append(
        Diagnostic(
          .error, code: "policy-missing", message: "there is no \(Policy.fileName) to test",
          path: records.displayPath(Policy.fileName),
          hint: "write one (see docs/policy.md), or 'tally init --template telesales'"))
    }
    let root = FileSystem.joinPath(records.root, directory)
    let files = ((try? FileSystem.files(under: root, suffixes: [".yaml"])) ?? []).sorted()
    if files.isEmpty {
      result.problems.append(
        Diagnostic(
          .error, code: "policy-missing", message: "there are no cases in \(directory)/",
          path: records.displayPath(directory),
          hint: "add a file such as \(directory)/customers.yaml (see docs/policy.md)"))
    }
    var cases: [Case] = []
    for file in files {
      let shown = records.displayPath(FileSystem.relative(file, to: records.root))
      guard let bytes = try? FileSystem.read(file) else {
        result.problems.append(Diagnostic(.error, code: "unreadable", message: "cannot read it", path: shown))
        continue
      }
      var reader = Reader(path: shown, schema: records.schema)
      cases += reader.read(bytes)
      result.problems += reader.diagnostics
    }
    guard let policy = setup.policy else { return result }
    let judge = PolicyJudge(policy: policy, schema: records.schema)
    for testCase in cases {
      let (allowed, rule, reason) = verdict(testCase, judge: judge, setup: setup)
      let passed = allowed == testCase.expectAllowed && (testCase.rule == nil || testCase.rule == rule)
      result.outcomes.append(Outcome(testCase: testCase, allowed: allowed, rule: rule, reason: reason, passed: passed))
    }
    return result
  }

  static func verdict(_ testCase: Case, judge: PolicyJudge, setup: PolicySetup) -> (Bool, String, String) {
    guard let actor = setup.staff.person(named: testCase.actor) else {
      return (false, "none", "\(testCase.actor) is not anyone in the staff records")
    }
    guard actor.active else { return (false, "none", "\(actor.label) has left") }
    var verdicts: [PolicyVerdict]
    if PolicyPseudoType.all.contains(testCase.type) {
      let operation: PolicyOperation =
        testCase.before == nil ? .create : testCase.after == nil ? .delete : .change
      verdicts = [judge.judgeFile(type: testCase.type, operation: operation, actor: actor)]
    } else {
      verdicts = judge.judge(
        PolicyJudge.Change(type: testCase.type, id: testCase.id, before: testCase.before, after: testCase.after),
        actor: actor, today: testCase.date, resolve: setup.resolve)
    }
    guard !verdicts.isEmpty else { return (true, "none", "nothing changes") }
    if let denied = verdicts.first(where: { !$0.allowed }) {
      return (false, denied.rule?.name ?? "none", "\(denied.action): \(denied.reason)")
    }
    return (true, verdicts[0].rule?.name ?? "none", "\(verdicts[0].action): \(verdicts[0].reason)")
  }

  /// Reads the cases of one file, reporting what is wrong with its position.
  struct Reader {
    let path: String
    let schema: SchemaSet
    var diagnostics: [Diagnostic] = []

    static let keys = ["name", "actor", "date", "record", "before", "after", "expect", "rule"]

    init(path: String, schema: SchemaSet) {
      self.path = path
      self.schema = schema
    }

    mutating func error(_ message: String, at node: SyntaxNode?, hint: String? = nil) {
      diagnostics.append(
        Diagnostic(.error, code: "policy-test", message: message, path: path, range: node?.range, hint: hint))
    }

    mutating func read(_ bytes: [UInt8]) -> [Case] {
      let parsed = SyntaxTree.parse(bytes, path: path)
      diagnostics += parsed.diagnostics
      guard let root = parsed.tree?.root else { return [] }
      guard let list = root["cases"], list.isSequence else {
        error("a policy test file holds 'cases:', a list of cases", at: root["cases"])
        return []
      }
      var cases: [Case] = []
      for node in list.items {
        if let found = readCase(node) { cases.append(found) }
      }
      return cases
    }

    mutating func readCase(_ node: SyntaxNode) -> Case? {
      guard node.isMapping else {
        error("a case must be a mapping", at: node)
        return nil
      }
      for entry in node.entries {
        guard let key = entry.key.text, !Self.keys.contains(key) else { continue }
        error("unknown key '\(key)' in a case", at: entry.key, hint: "keys: " + Self.keys.joined(separator: ", "))
      }
      let errors = diagnostics.errorCount
      let name = node["name"]?.text ?? "case at line \(node.range.start.line)"
      guard let actor = node["actor"]?.text else {
        error("case '\(name)' has no actor", at: node, hint: "actor: S-0022 (a staff id or identity)")
        return nil
      }
      var date = CivilDate(year: 2026, month: 12, day: 1)
      if let dateNode = node["date"] {
        if let text = dateNode.text, let parsed = CivilDate(text) {
          date = parsed
        } else {
          error("'date' must be a date (YYYY-MM-DD)", at: dateNode)
        }
      }
      guard let recordNode = node["record"], let record = recordNode.text else {
        error("case '\(name)' has no record", at: node, hint: "record: customer/C-0042, or policy")
        return nil
      }
      var type = record
      var id = record
      if let slash = record.firstIndex(of: "/") {
        type = String(record[..<slash])
        id = String(record[record.index(after: slash)...])
      }
      if schema.type(named: type) == nil, !PolicyPseudoType.all.contains(type) {
        error(
          "there is no record type '\(type)'", at: recordNode,
          hint: "types: " + (schema.types.map(\.name) + PolicyPseudoType.all).joined(separator: ", "))
      }
      var expectAllowed = false
      switch node["expect"]?.text {
      case "allowed": expectAllowed = true
      case "denied": expectAllowed = false
      default: error("'expect' must be allowed or denied", at: node["expect"] ?? node)
      }
      let before = node["before"].map(\.value)
      let after = node["after"].map(\.value)
      if before == nil && after == nil {
        error(
          "case '\(name)' has neither 'before' nor 'after'", at: node,
          hint: "omit 'before' for a create, 'after' for a delete")
      }
      guard diagnostics.errorCount == errors else { return nil }
      return Case(
        file: path, line: node.range.start.line, name: name, actor: actor, date: date, type: type, id: id,
        before: before, after: after, expectAllowed: expectAllowed, rule: node["rule"]?.text)
    }
  }

  // MARK: Output

  /// A line per failed case, then the summary; `verbose` lists passed cases too.
  public func text(verbose: Bool, color: Bool, source: (String) -> SourceFile?) -> String {
    var out = ""
    let renderer = DiagnosticRenderer(color: color)
    for problem in problems { out += renderer.render(problem, source: source) }
    for outcome in outcomes where verbose || !outcome.passed {
      let c = outcome.testCase
      let got = "\(outcome.allowed ? "allowed" : "denied") by \(outcome.rule)"
      if outcome.passed {
        out += "ok    \(c.file):\(c.line): \(c.name) (\(got))\n"
      } else {
        let expected = "\(c.expectAllowed ? "allowed" : "denied")" + (c.rule.map { " by \($0)" } ?? "")
        out += "FAIL  \(c.file):\(c.line): \(c.name)\n      expected \(expected), got \(got): \(outcome.reason)\n"
      }
    }
    out += "policy tests: \(outcomes.count - failed) passed, \(failed) failed\n"
    return out
  }

  /// `{"version":1,"passed":N,"failed":N,"cases":[{"file","line","name","expected","rule","got","decided_by","passed"}],"problems":[…]}`.
  public func json() -> [UInt8] {
    var out = JSONWriter()
    out.raw("{\"version\":1,\"passed\":\(outcomes.count - failed),\"failed\":\(failed),\"cases\":[")
    for outcome in outcomes {
      let c = outcome.testCase
      out.separate()
      out.raw("\n{\"file\":")
      out.string(c.file)
      out.raw(",\"line\":\(c.line),\"name\":")
      out.string(c.name)
      out.raw(",\"expected\":\"\(c.expectAllowed ? "allowed" : "denied")\",\"rule\":")
      out.string(orNull: c.rule)
      out.raw(",\"got\":\"\(outcome.allowed ? "allowed" : "denied")\",\"decided_by\":")
      out.string(outcome.rule)
      out.raw(",\"reason\":")
      out.string(outcome.reason)
      out.raw(",\"passed\":")
      out.bool(outcome.passed)
      out.raw("}")
    }
    out.raw("\n],\"problems\":[")
    for problem in problems {
      out.separate()
      out.diagnostic(problem)
    }
    out.raw("]}\n")
    return out.bytes
  }
}
