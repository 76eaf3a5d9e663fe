import TallyTestSupport
import TallyText
import Testing

@testable import TallySchema

/// A record spec and view for evaluating expressions in tests.
func staffSpec() -> ObjectSpec {
  let location = SchemaLocation(path: "t", range: nil)
  func field(_ name: String, _ type: FieldType) -> FieldSpec { FieldSpec(name: name, type: type, location: location) }
  let item = ObjectSpec(fields: [field("date", .date), field("hours", .decimal), field("topic", .text)])
  var trainings = ListSpec(items: field("trainings", .object(item)))
  trainings.uniqueItems = false
  return ObjectSpec(fields: [
    field("name", .text), field("role", .enumeration(EnumSpec(values: ["manager", "sales_rep"], labels: [:]))),
    field("joined", .date), field("left", .date), field("score", .int), field("bonus", .money(currency: nil)),
    field("active", .bool), field("skills", .list(ListSpec(items: field("skills", .text)))),
    field("trainings", .list(trainings)), field("reports_to", .reference(ReferenceSpec(target: "staff"))),
  ])
}

func evaluate(_ expression: String, _ record: String, resolve: (@Sendable (String, String) -> ObjectView?)? = nil)
  throws -> RuleValue
{
  let tree = try #require(SyntaxTree.parse(Array(record.utf8)).tree)
  let view = ObjectView(syntax: tree.root, spec: staffSpec(), recordType: "staff", id: "S-0001")
  let context = EvaluationContext(
    scope: view, record: view, resolve: resolve, today: CivilDate(year: 2026, month: 11, day: 29))
  return try Expression(parsing: expression).evaluate(in: context)
}

func truth(_ expression: String, _ record: String) throws -> Bool? {
  if case .bool(let b) = try evaluate(expression, record) { return b }
  return nil
}

let record = """
  name: 王芳
  role: sales_rep
  joined: 2024-07-15
  score: 86
  bonus: 3200.50
  active: true
  skills: [电话销售, 产品演示]
  trainings:
    - date: 2026-01-10
      hours: 4
    - date: 2026-02-10
      hours: 2.5
  reports_to: S-0003

  """

@Suite("Rule expressions")
struct ExpressionTests {
  @Test(arguments: [
    ("joined < date(\"2025-01-01\")", true),
    ("left == null", true),
    ("left != null or joined >= date(\"2024-07-15\")", true),
    ("role == \"sales_rep\" implies reports_to != null", true),
    ("role in [\"manager\", \"supervisor\"]", false),
    ("role not in [\"manager\"]", true),
    ("score >= 80 and score <= 100", true),
    ("bonus == 3200.5", true),
    ("bonus * 2 == 6401", true),
    ("len(skills) == 2", true),
    ("len(name) == 2", true),
    ("count(trainings) == 2", true),
    ("sum(trainings, t => t.hours) == 6.5", true),
    ("all(trainings, t => t.date > joined)", true),
    ("any(trainings, t => t.hours > 3)", true),
    ("count(trainings, t => t.hours < 3) == 1", true),
    ("\"电话销售\" in skills", true),
    ("contains(skills, \"产品演示\")", true),
    ("starts_with(name, \"王\")", true),
    ("starts_with(id, \"S-\")", true),
    ("reports_to == \"S-0003\"", true),
    ("date(\"2026-03-01\") - date(\"2026-02-01\") == 28", true),
    ("date(\"2026-02-28\") + 1 == date(\"2026-03-01\")", true),
    ("days_between(joined, today()) > 400", true),
    ("year(joined) == 2024 and month(joined) == 7", true),
    ("not active", false),
    ("matches(name, \"^王\")", true),
    ("min(trainings, t => t.date) == date(\"2026-01-10\")", true),
    ("len(orders) == 0", true),
  ])
  func evaluates(expression: String, expected: Bool) throws {
    #expect(try truth(expression, record) == expected, "\(expression)")
  }

  /// Rules are resolved against their object's fields when attached (names become field
  /// positions): the resolved expression must mean exactly what the written one means.
  @Test(arguments: [
    "left != null or joined >= date(\"2024-07-15\")",
    "role == \"sales_rep\" implies reports_to != null",
    "all(trainings, t => t.date > joined)",
    // A lambda's parameter named like a field is the item, not the field.
    "all(trainings, name => name.hours > 1)",
    "count(trainings, joined => joined.hours < 3) == 1",
    "starts_with(id, \"S-\") and record.name == name",
  ])
  func resolvedNamesMeanWhatTheNamesMean(expression: String) throws {
    let written = try Expression(parsing: expression)
    let resolved = written.resolved(in: staffSpec().fields)
    #expect(String(describing: resolved.root).contains("field("), "nothing resolved in \(expression)")
    let tree = try #require(SyntaxTree.parse(Array(record.utf8)).tree)
    let view = ObjectView(syntax: tree.root, spec: staffSpec(), recordType: "staff", id: "S-0001")
    let context = EvaluationContext(scope: view, record: view, today: CivilDate(year: 2026, month: 11, day: 29))
    let expected = try written.evaluate(in: context)
    #expect(try resolved.evaluate(in: context).description == expected.description, "\(expression)")
    #expect(expected.description == RuleValue.bool(true).description, "\(expression)")
    // On a view whose spec has other fields, a resolved name is still found by its name.
    let location = SchemaLocation(path: "t", range: nil)
    let other = ObjectSpec(fields: [FieldSpec(name: "joined", type: .date, location: location)])
    let otherView = ObjectView(syntax: tree.root, spec: other)
    let joined = try Expression(parsing: "joined").resolved(in: staffSpec().fields)
    let otherContext = EvaluationContext(
      scope: otherView, record: otherView, today: CivilDate(year: 2026, month: 1, day: 1))
    #expect(try joined.evaluate(in: otherContext).description == "2024-07-15")
  }

  @Test func nullsInComparisonsAreReportedNotIgnored() throws {
    #expect(throws: EvaluationError.self) { try evaluate("left >= joined", record) }
    do {
      _ = try evaluate("left >= joined", record)
    } catch let error as EvaluationError {
      #expect(error.message == "cannot compare with '>=': 'left' is empty")
      #expect(error.hint == "guard the rule: 'left == null or ...'")
    }
  }

  @Test func typeMismatchesAreReported() throws {
    #expect(throws: EvaluationError.self) { try evaluate("joined == 3", record) }
    #expect(throws: EvaluationError.self) { try evaluate("name and active", record) }
    #expect(throws: EvaluationError.self) { try evaluate("score / 0 > 1", record) }
  }

  @Test func invalidValuesMakeTheRuleSaySomethingElse() throws {
    let broken = "joined: 2026-02-30\n"
    if case .invalid = try evaluate("joined > date(\"2020-01-01\")", broken) {
    } else {
      Issue.record("a date that is not a day should make the rule unknown")
    }
  }

  @Test func referencesAreFollowedWhenTheyCanBe() throws {
    let boss = try #require(SyntaxTree.parse(Array("role: manager\n".utf8)).tree)
    let resolve: @Sendable (String, String) -> ObjectView? = { type, id in
      id == "S-0003" ? ObjectView(syntax: boss.root, spec: staffSpec(), recordType: type, id: id) : nil
    }
    #expect(try evaluate("reports_to.role == \"manager\"", record, resolve: resolve).description == "true")
    if case .invalid = try evaluate("reports_to.role == \"manager\"", record) {
    } else {
      Issue.record("a reference that cannot be followed is unknown")
    }
  }

  @Test(arguments: [
    ("a =", "'=' compares nothing"),
    ("a && b", "'&&' is written 'and' here"),
    ("!a", "'!' is written 'not' here"),
    ("a < b < c", "comparisons cannot be chained"),
    ("(a", "expected ')' at the end"),
    ("foo(a)", "unknown function 'foo'"),
    ("len(a, b)", "len takes 1 argument, not 2"),
    ("all(list, true)", "all needs a condition for each item: all(list, x => ...)"),
    ("a b", "unexpected 'b' after a complete expression"),
    ("", "the expression is empty"),
    ("\"open", "the text starting here is not closed"),
    ("a.", "expected a field name after '.'"),
  ])
  func parseErrors(text: String, message: String) {
    #expect(throws: ExpressionError.self) { try Expression(parsing: text) }
    do {
      _ = try Expression(parsing: text)
    } catch let error {
      #expect(error.message == message)
    }
  }
}

@Suite("Values")
struct ValueTests {
  @Test func dates() {
    #expect(CivilDate("2026-02-28") != nil)
    #expect(CivilDate("2026-02-29") == nil)
    #expect(CivilDate("2024-02-29") != nil)
    #expect(CivilDate("2026-13-01") == nil)
    #expect(CivilDate("2026-1-01") == nil)
    #expect(CivilDate(dayNumber: CivilDate("2026-03-02")!.dayNumber) == CivilDate("2026-03-02"))
    #expect(CivilDate("1970-01-01")!.dayNumber == 0)
    #expect(CivilDate("2026-03-02")!.weekday == 1)
    #expect(CivilDateTime("2026-03-02T10:30")!.description == "2026-03-02T10:30:00")
    #expect(
      CivilDateTime("2026-03-02 10:30:05+08:00")!.epochSeconds()
        == CivilDateTime("2026-03-02T02:30:05Z")!.epochSeconds())
    #expect(CivilDateTime("2026-03-02T25:00") == nil)
  }

  /// Every byte at every digit position of a date: only the ten digits are read, and the
  /// value is the one the digits spell (checked against reading them as a number).
  @Test func datesAcceptDigitsOnly() {
    let base = Array("2024-02-29".utf8)
    for position in [0, 1, 2, 3, 5, 6, 8, 9] {
      for byte in UInt8.min...UInt8.max {
        var bytes = base
        bytes[position] = byte
        let parsed = bytes.withUnsafeBufferPointer { CivilDate(utf8: $0) }
        let text = String(decoding: bytes, as: UTF8.self)
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        var expected: CivilDate?
        if (48...57).contains(byte), parts.count == 3, let y = Int(parts[0]), let m = Int(parts[1]),
          let d = Int(parts[2]), y >= 1, (1...12).contains(m), d >= 1, d <= CivilDate.daysIn(month: m, year: y)
        {
          expected = CivilDate(year: y, month: m, day: d)
        }
        #expect(parsed == expected, "\(text)")
      }
    }
  }

  @Test func exactDecimals() throws {
    let a = try #require(ExactDecimal("12800.00"))
    let b = try #require(ExactDecimal("0.1"))
    #expect(a == ExactDecimal("12800")!)
    #expect(a.adding(b)?.description == "12800.10")
    #expect(ExactDecimal("0.1")!.adding(ExactDecimal("0.2")!) == ExactDecimal("0.3"))
    #expect(ExactDecimal("1")!.divided(by: ExactDecimal("3")!, scale: 4)?.description == "0.3333")
    #expect(ExactDecimal("2.345")!.rounded(toDigits: 2).description == "2.35")
    #expect(ExactDecimal("1,000") == nil)
    #expect(ExactDecimal("1e3") == nil)
    #expect(ExactDecimal("12345678901234567890") == nil)
    #expect(Set([ExactDecimal("1.50")!, ExactDecimal("1.5")!]).count == 1)
  }

  @Test(arguments: [
    ("abc", FieldType.int, "not-an-integer"), ("1,000", .int, "not-an-integer"), ("x", .decimal, "not-a-number"),
    ("12.345", .money(currency: nil), "not-money"), ("yes", .bool, "not-a-bool"), ("2026-02-30", .date, "not-a-date"),
    ("03/02/2026", .date, "not-a-date"), ("2026-03-02 25:00", .datetime, "not-a-datetime"),
    ("wang@", .email, "not-an-email"), ("12", .phone, "not-a-phone"), ("example.com", .url, "not-a-url"),
    ("a\nb", .text, "line-break"),
  ])
  func typedScalarProblems(text: String, type: FieldType, code: String) {
    guard case .failure(let problem) = TypedScalar.check(text, type: type) else {
      Issue.record("\(text) should not be a \(type.name)")
      return
    }
    #expect(problem.code == code)
  }

  @Test func typedScalarHints() {
    guard case .failure(let problem) = TypedScalar.check("yes", type: .bool) else { return }
    #expect(problem.hint == "write true")
    let spec = EnumSpec(values: ["lead", "prospect"], labels: ["lead": "线索", "prospect": "意向客户"])
    guard case .failure(let label) = TypedScalar.check("线索", type: .enumeration(spec)) else { return }
    #expect(label.hint == "'线索' is the label of 'lead': write lead")
    guard case .failure(let typo) = TypedScalar.check("prospekt", type: .enumeration(spec)) else { return }
    #expect(typo.hint?.hasPrefix("did you mean 'prospect'?") == true)
  }

  @Test func suggestions() {
    #expect(Suggestions.closest(to: "stauts", among: ["status", "state", "name"]) == "status")
    #expect(Suggestions.closest(to: "nmae", among: ["name"]) == "name")
    #expect(Suggestions.closest(to: "owner", among: ["status", "name"]) == nil)
    #expect(Suggestions.closest(to: "Status", among: ["status"]) == "status")
  }
}
