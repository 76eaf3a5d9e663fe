import Foundation
import TallySchema
import TallyTestSupport
import TallyText
import Testing

@testable import TallyRecords

/// A records repository on disk with the shipped schemas and a few records.
struct EditFixture {
  let directory: TemporaryDirectory
  let repository: RecordsRepository
  let editing: RecordEditing

  static let customer = """
    # 重点客户：每两周回访
    name: 上海华信贸易有限公司
    industry: trade
    tier: A    # 年度复评
    status: prospect
    owner: S-0012
    source: referral
    contacts:
      - name: 李强
        title: 采购经理
        phone: '13900001111'
    follow_ups:
      # 第一次电话
      - date: 2026-03-02
        by: S-0012
        channel: phone
        summary: 介绍智能客服系统，客户表示有兴趣
        outcome: interested
        next_contact: 2026-03-09

    orders: []

    """

  init(extra: [String: String] = [:]) throws {
    directory = try TemporaryDirectory(prefix: "tally-edit")
    let schemaDirectory = Golden.directory() + "/../../schema"
    for name in ["staff", "customer", "plan", "minutes"] {
      try directory.write(
        "schema/\(name).yaml", String(contentsOfFile: "\(schemaDirectory)/\(name).yaml", encoding: .utf8))
    }
    try directory.write("tally.yaml", "version: 1\nschema_dir: schema\ntime_zone: Asia/Shanghai\n")
    let staff = [
      ("S-0001", "陈建国", "manager", "华东销售中心", nil),
      ("S-0002", "刘洋", "supervisor", "华东销售中心", "S-0001"),
      ("S-0003", "张伟", "team_lead", "华东一组", "S-0002"),
      ("S-0012", "王芳", "sales_rep", "华东一组", "S-0003"),
    ]
    for (id, name, role, team, boss) in staff {
      var text = "name: \(name)\nrole: \(role)\nteam: \(team)\n"
      if let boss { text += "reports_to: \(boss)\n" }
      text += "email: \(id.lowercased())@example.cn\njoined: 2020-01-01\nstatus: active\n"
      try directory.write("staff/\(id).yaml", text)
    }
    try directory.write("customers/C-0042.yaml", Self.customer)
    try directory.write(
      "customers/C-0152.yaml",
      "name: 杭州明远电子科技有限公司\nindustry: internet\ntier: B\nstatus: lead\nowner: S-0012\n")
    for (path, text) in extra { try directory.write(path, text) }
    repository = try RecordsRepository.open(root: directory.path, from: directory.path, displayBase: directory.path)
    editing = RecordEditing(repository: repository, today: CivilDate(year: 2026, month: 11, day: 1))
  }

  func target(_ name: String) throws -> RecordEditing.Target {
    try editing.target(name, from: directory.path)
  }

  func set(_ record: String, _ assignments: [String]) throws -> RecordEditing.Outcome {
    try editing.set(try target(record), assignments: assignments.map { try RecordEditing.Assignment(parsing: $0) })
  }

  func text(_ outcome: RecordEditing.Outcome) -> String {
    String(decoding: outcome.text, as: UTF8.self)
  }
}

/// How an operation failed, or nil when it did not fail as an edit fails.
func editFailure(_ body: () throws -> Void) -> RecordEditing.Failure? {
  do {
    try body()
  } catch let failure as RecordEditing.Failure {
    return failure
  } catch {
    return nil
  }
  return nil
}

/// The problems of a failed operation, or nil when it did not fail with a usage error.
func usageProblems(_ body: () throws -> Void) -> [RecordEditing.Problem]? {
  guard case .usage(let problems)? = editFailure(body) else { return nil }
  return problems
}

/// The missing fields' paths of a failed operation, or nil when it did not fail so.
func missingFields(_ body: () throws -> Void) -> [String]? {
  guard case .missing(let fields)? = editFailure(body) else { return nil }
  return fields.map(\.path.description)
}

@Suite("Record editing")
struct RecordEditingTests {
  // MARK: set

  @Test func setChangesOnlyTheEditedLine() throws {
    let fixture = try EditFixture()
    let outcome = try fixture.set("customer/C-0042", ["status=active", "tier=B"])
    #expect(!outcome.isRefused, "\(outcome.report.diagnostics)")
    let expected = EditFixture.customer
      .replacing("status: prospect\n", with: "status: active\n")
      .replacing("tier: A    # 年度复评\n", with: "tier: B # 年度复评\n")
    #expect(fixture.text(outcome) == expected)
    #expect(outcome.changes.map(\.field.description) == ["status", "tier"])
    #expect(outcome.changes[0].old == .text("prospect"))
    #expect(outcome.changes[0].new == .text("active"))
  }

  @Test func setNestedFieldsAndCJKValues() throws {
    let fixture = try EditFixture()
    let outcome = try fixture.set(
      "customers/C-0042.yaml", ["contacts[0].title=采购总监", "follow_ups[0].summary=客户要求报价，下周回访"])
    let expected = EditFixture.customer
      .replacing("title: 采购经理", with: "title: 采购总监")
      .replacing("summary: 介绍智能客服系统，客户表示有兴趣", with: "summary: 客户要求报价，下周回访")
    #expect(fixture.text(outcome) == expected)
  }

  @Test func aMissingFieldIsInsertedInSchemaOrder() throws {
    let fixture = try EditFixture()
    let outcome = try fixture.set("customer/C-0042", ["scale=large", "follow_ups[0].outcome=callback"])
    let expected = EditFixture.customer
      .replacing("industry: trade\n", with: "industry: trade\nscale: large\n")
      .replacing("outcome: interested", with: "outcome: callback")
    #expect(fixture.text(outcome) == expected)
    // In a list item, after the fields before it.
    let contact = try fixture.set("customer/C-0042", ["contacts[0].email=liqiang@huaxin.example"])
    #expect(
      fixture.text(contact)
        == EditFixture.customer.replacing(
          "phone: '13900001111'\n", with: "phone: '13900001111'\n    email: liqiang@huaxin.example\n"))
  }

  @Test func valuesThatLookTypedAreQuotedForTextFields() throws {
    let fixture = try EditFixture()
    let outcome = try fixture.set("customer/C-0042", ["churn_reason=yes", "contacts[0].phone=0123456", "scale=small"])
    let text = fixture.text(outcome)
    #expect(text.contains("\nchurn_reason: 'yes'\n"))
    #expect(text.contains("    phone: '0123456'\n"))
    // Dates stay plain: their type says what they are.
    let date = try fixture.set("customer/C-0042", ["follow_ups[0].next_contact=2026-03-10"])
    #expect(fixture.text(date).contains("    next_contact: 2026-03-10\n"))
    let reread = try #require(Document.parse(outcome.text).document)
    #expect(reread.value["churn_reason"] == .text("yes"))
  }

  @Test func emptyValueAndUnsetRemoveTheField() throws {
    let fixture = try EditFixture()
    let outcome = try fixture.set("customer/C-0042", ["source="])
    #expect(fixture.text(outcome) == EditFixture.customer.replacing("source: referral\n", with: ""))
    #expect(
      outcome.changes == [RecordEditing.Change(field: FieldPath([.key("source")]), old: .text("referral"), new: nil)])
    let unset = try fixture.editing.set(
      try fixture.target("customer/C-0042"),
      assignments: [RecordEditing.Assignment(path: FieldPath([.key("source")]), text: nil)])
    #expect(unset.text == outcome.text)
    // Removing what is not there changes nothing.
    let nothing = try fixture.set("customer/C-0042", ["churn_reason="])
    #expect(nothing.isUnchanged)
    #expect(nothing.changes.isEmpty)
  }

  @Test func valuesOfTheWrongTypeAreAllReported() throws {
    let fixture = try EditFixture()
    let problems = usageProblems {
      _ = try fixture.set(
        "customer/C-0042",
        [
          "follow_ups[0].date=2026-02-30", "tier=D", "stauts=active", "contacts[0].email=not-an-email",
          "contacts[0].phone=12", "owner=S-0099", "orders=3", "industry=贸易",
        ])
    }
    let messages = try #require(problems).map(\.message)
    #expect(
      messages == [
        "'follow_ups[0].date': '2026-02-30' is not a day in the calendar",
        "'tier': 'D' is not one of the allowed values",
        "unknown field 'stauts'",
        "'contacts[0].email': 'not-an-email' is not an email address",
        "'contacts[0].phone': '12' is not a phone number",
        "'owner': there is no staff 'S-0099'",
        "'orders' is a list",
        "'industry': '贸易' is not one of the allowed values",
      ])
    let hints = try #require(problems).map { $0.hint ?? "" }
    #expect(hints[1] == "allowed: A (重点客户), B (普通客户), C (一般客户)")
    #expect(hints[2] == "did you mean 'status'?")
    #expect(hints[7].hasPrefix("'贸易' is the label of 'trade': write trade"))
    // Nothing was written.
    #expect(try fixture.directory.read("customers/C-0042.yaml") == EditFixture.customer)
  }

  @Test func numbersAndMoneyAreChecked() throws {
    let fixture = try EditFixture()
    let target = "plans/P-2026Q1-01.yaml"
    let plan = """
      title: 一季度计划
      kind: sales
      period: 2026-Q1
      owner: S-0003
      scope:
        team: 华东一组
      targets:
        - metric: revenue
          target: 100000
          assignee: S-0012

      """
    try fixture.directory.write(target, plan)
    let problems = usageProblems { _ = try fixture.set(target, ["targets[0].target=十万", "targets[1].target=5"]) }
    #expect(try #require(problems).map(\.message) == ["'targets[0].target': '十万' is not a number"])
    let bad = usageProblems { _ = try fixture.set(target, ["targets[1].target=5"]) }
    #expect(try #require(bad).first?.message == "'targets' has 1 item; there is no 'targets[1].target'")
    let money = usageProblems {
      _ = try fixture.editing.add(
        try fixture.target("customer/C-0042"), list: FieldPath([.key("orders")]),
        arguments: ["date=2026-03-10", "product=坐席", "amount=12.345"])
    }
    #expect(try #require(money).map(\.message) == ["'orders[0].amount': '12.345' has more than two decimals"])
  }

  @Test func anEditWithErrorsIsRefusedWithPositionsInTheNewText() throws {
    let fixture = try EditFixture()
    let outcome = try fixture.set("customer/C-0042", ["status=churned"])
    #expect(outcome.isRefused)
    let diagnostic = try #require(outcome.report.diagnostics.first)
    #expect(diagnostic.code == "rule")
    #expect(diagnostic.path == "customers/C-0042.yaml")
    #expect(diagnostic.range?.start.line == 5)
    #expect(diagnostic.range?.start.column == 9)
    // The excerpt comes from the new text.
    #expect(outcome.report.source("customers/C-0042.yaml")?.lineText(5) == "status: churned")
    #expect(throws: RecordEditing.Failure.self) { try fixture.editing.write(outcome) }
    #expect(try fixture.directory.read("customers/C-0042.yaml") == EditFixture.customer)
  }

  @Test func referencesAreCheckedAcrossRecords() throws {
    let fixture = try EditFixture()
    // S-0001 exists but is a manager: the owner's condition fails.
    let outcome = try fixture.set("customer/C-0042", ["owner=S-0001"])
    #expect(outcome.report.diagnostics.map(\.code) == ["ref-condition"])
    // A unique name used by another customer.
    let duplicate = try fixture.set("customer/C-0042", ["name=杭州明远电子科技有限公司"])
    #expect(duplicate.report.diagnostics.map(\.code).contains("not-unique"))
  }

  @Test func writeReplacesTheFileAndRefusesAChangedFile() throws {
    let fixture = try EditFixture()
    let outcome = try fixture.set("customer/C-0042", ["status=active"])
    try fixture.editing.write(outcome)
    #expect(try fixture.directory.bytes("customers/C-0042.yaml") == outcome.text)
    // An outcome made from text that has changed since is not written.
    let stale = try fixture.set("customer/C-0042", ["tier=C"])
    try fixture.directory.write("customers/C-0042.yaml", EditFixture.customer)
    #expect(throws: RecordEditing.Failure.self) { try fixture.editing.write(stale) }
    #expect(try fixture.directory.read("customers/C-0042.yaml") == EditFixture.customer)
  }

  @Test func targetsAreNamedByTypeDirectoryOrPath() throws {
    let fixture = try EditFixture()
    let expected = RecordEditing.Target(type: "customer", id: "C-0042", relativePath: "customers/C-0042.yaml")
    #expect(try fixture.target("customer/C-0042") == expected)
    #expect(try fixture.target("customers/C-0042") == expected)
    #expect(try fixture.target("customers/C-0042.yaml") == expected)
    #expect(try fixture.editing.target("C-0042.yaml", from: fixture.directory.path + "/customers") == expected)
    let missing = usageProblems { _ = try fixture.target("customer/C-0043") }
    #expect(try #require(missing).first?.hint == "did you mean customer/C-0042?")
    let type = usageProblems { _ = try fixture.target("custmer/C-0042") }
    #expect(try #require(type).first?.hint?.hasPrefix("did you mean 'customer'?") == true)
  }

  // MARK: add

  @Test func addAppendsAnItemAndKeepsEverythingElse() throws {
    let fixture = try EditFixture()
    let outcome = try fixture.editing.add(
      try fixture.target("customer/C-0042"), list: FieldPath([.key("follow_ups")]),
      arguments: ["summary=回访，客户确认下单", "date=2026-11-29", "by=S-0012", "channel=phone", "outcome=ordered"])
    #expect(!outcome.isRefused, "\(outcome.report.diagnostics)")
    let added = """
          next_contact: 2026-03-09
        - date: 2026-11-29
          by: S-0012
          channel: phone
          summary: 回访，客户确认下单
          outcome: ordered

      """
    #expect(fixture.text(outcome) == EditFixture.customer.replacing("    next_contact: 2026-03-09\n", with: added))
    #expect(outcome.changes.map(\.field.description) == ["follow_ups[1]"])
  }

  @Test func addNamesTheNewItemInProblems() throws {
    let fixture = try EditFixture()
    let problems = usageProblems {
      _ = try fixture.editing.add(
        try fixture.target("customer/C-0042"), list: FieldPath([.key("follow_ups")]),
        arguments: ["date=2026-02-29", "by=S-0012", "channel=fax", "summary=x", "mood=good"])
    }
    #expect(
      try #require(problems).map(\.message) == [
        "'follow_ups[1].date': '2026-02-29' is not a day in the calendar",
        "'follow_ups[1].channel': 'fax' is not one of the allowed values",
        "unknown field 'mood'",
      ])
    let notAList = usageProblems {
      _ = try fixture.editing.add(
        try fixture.target("customer/C-0042"), list: FieldPath([.key("tier")]), arguments: ["A"])
    }
    #expect(try #require(notAList).first?.message == "'tier' is not a list")
  }

  @Test func addToAnEmptyOrMissingList() throws {
    let fixture = try EditFixture()
    let target = try fixture.target("customer/C-0042")
    let order = try fixture.editing.add(
      target, list: FieldPath([.key("orders")]), arguments: ["date=2026-03-20", "product=智能客服系统", "amount=12800.00"])
    #expect(
      fixture.text(order)
        == EditFixture.customer.replacing(
          "orders: []\n", with: "orders:\n  - date: 2026-03-20\n    product: 智能客服系统\n    amount: 12800.00\n"))
    let complaint = try fixture.editing.add(
      target, list: FieldPath([.key("complaints")]), arguments: ["date=2026-03-21", "summary=no", "severity=low"])
    #expect(
      fixture.text(complaint)
        == EditFixture.customer + "complaints:\n  - date: 2026-03-21\n    summary: 'no'\n    severity: low\n")
  }

  @Test func addFillsDefaultsAndNamesMissingFields() throws {
    let minutes = """
      date: 2026-03-02
      kind: weekly
      title: 华东一组周会
      chair: S-0003
      attendees: [S-0003, S-0012]
      # 待办
      action_items: []

      """
    let fixture = try EditFixture(extra: ["minutes/2026-03-02-weekly-east1.yaml": minutes])
    let target = try fixture.target("minutes/2026-03-02-weekly-east1")
    let outcome = try fixture.editing.add(
      target, list: FieldPath([.key("action_items")]), arguments: ["task=整理客户名单", "owner=S-0012", "due=2026-03-06"])
    #expect(
      fixture.text(outcome)
        == minutes.replacing(
          "action_items: []\n",
          with: "action_items:\n  - task: 整理客户名单\n    owner: S-0012\n    due: 2026-03-06\n    status: open\n"))
    // A list of single values takes the value itself; the flow style is kept.
    let attendee = try fixture.editing.add(target, list: FieldPath([.key("attendees")]), arguments: ["S-0002"])
    #expect(fixture.text(attendee) == minutes.replacing("[S-0003, S-0012]", with: "[S-0003, S-0012, S-0002]"))
    let missing = missingFields {
      _ = try fixture.editing.add(target, list: FieldPath([.key("action_items")]), arguments: ["task=x"])
    }
    #expect(missing == ["owner", "due"])
  }

  // MARK: new

  @Test func newRecordIsCanonicalWithDefaultsAndTheNextID() throws {
    let fixture = try EditFixture()
    let type = try fixture.editing.recordType(named: "customers")
    let outcome = try fixture.editing.newRecord(
      type: type, id: nil,
      assignments: [
        "owner=S-0012", "tier=B", "industry=retail", "name=on", "contacts[0].name=赵敏",
        "contacts[0].phone=0571-8888-0000",
      ]
      .map { try RecordEditing.Assignment(parsing: $0) })
    #expect(!outcome.isRefused, "\(outcome.report.diagnostics)")
    #expect(outcome.id == "C-0153")
    #expect(outcome.relativePath == "customers/C-0153.yaml")
    #expect(
      fixture.text(outcome) == """
        name: 'on'
        industry: retail
        tier: B
        status: lead
        owner: S-0012
        contacts:
          - name: 赵敏
            phone: 0571-8888-0000

        """)
    try fixture.editing.write(outcome)
    #expect(try fixture.directory.bytes("customers/C-0153.yaml") == outcome.text)
    // The same again: the id is taken now, so it is refused.
    let exists = editFailure {
      _ = try fixture.editing.newRecord(
        type: type, id: "C-0153", assignments: [try RecordEditing.Assignment(parsing: "name=x")])
    }
    guard case .exists(let path)? = exists else {
      Issue.record("an existing record must not be overwritten")
      return
    }
    #expect(path == "customers/C-0153.yaml")
  }

  @Test func newRecordNamesEveryMissingRequiredField() throws {
    let fixture = try EditFixture()
    let type = try fixture.editing.recordType(named: "customer")
    let failure = editFailure {
      _ = try fixture.editing.newRecord(
        type: type, id: nil, assignments: [try RecordEditing.Assignment(parsing: "name=x")])
    }
    guard case .missing(let fields)? = failure else {
      Issue.record("missing fields must fail")
      return
    }
    #expect(fields.map(\.path.description) == ["industry", "tier", "owner"])
    #expect(fields[1].summary == "客户等级; one of A (重点客户), B (普通客户), C (一般客户)")
    #expect(fields[2].summary == "负责人; the id of a staff")
  }

  @Test func createExclusivelyNeverReplacesAFile() throws {
    let fixture = try EditFixture()
    let path = fixture.directory.path + "/customers/C-0042.yaml"
    #expect(throws: RecordEditing.Failure.self) {
      try RecordEditing.createExclusively(path, Array("name: x\n".utf8), display: "customers/C-0042.yaml")
    }
    #expect(try fixture.directory.read("customers/C-0042.yaml") == EditFixture.customer)
    #expect(try FileSystem.contents(of: fixture.directory.path + "/customers") == ["C-0042.yaml", "C-0152.yaml"])
  }

  // MARK: ids

  @Test func numberedIDsContinueFromTheHighest() throws {
    let fixture = try EditFixture(extra: ["customers/C-0009.yaml": "name: x\n", "customers/notes.yaml": "x: 1\n"])
    let customer = try fixture.editing.recordType(named: "customer")
    #expect(try fixture.editing.nextID(for: customer, value: .mapping([])) == "C-0153")
    let staff = try fixture.editing.recordType(named: "staff")
    #expect(try fixture.editing.nextID(for: staff, value: .mapping([])) == "S-0013")
    // No plans yet: numbered from the schema's example.
    let plan = try fixture.editing.recordType(named: "plan")
    #expect(try fixture.editing.nextID(for: plan, value: .mapping([])) == "P-2026Q1-01")
  }

  @Test func idsThatVaryBeforeTheNumberContinueFromTheHighest() throws {
    let fixture = try EditFixture(extra: [
      "plans/P-2026Q3-07.yaml": "title: x\n", "plans/P-2026Q4-02.yaml": "title: x\n",
      "plans/P-2026M09-05.yaml": "title: x\n",
    ])
    let plan = try fixture.editing.recordType(named: "plan")
    #expect(try fixture.editing.nextID(for: plan, value: .mapping([])) == "P-2026Q4-03")
  }

  @Test func idsThatAreNotNumberedAreSlugsOfTheValues() throws {
    let fixture = try EditFixture(extra: ["minutes/2026-03-02-weekly.yaml": "date: 2026-03-02\n"])
    let minutes = try fixture.editing.recordType(named: "minutes")
    let value = Value.mapping([
      .init(key: "date", value: .text("2026-03-09")), .init(key: "kind", value: .text("weekly")),
      .init(key: "title", value: .text("周会")),
    ])
    #expect(try fixture.editing.nextID(for: minutes, value: value) == "2026-03-09-weekly")
    var taken = value
    if case .mapping(var pairs) = taken {
      pairs[0].value = .text("2026-03-02")
      taken = .mapping(pairs)
    }
    #expect(try fixture.editing.nextID(for: minutes, value: taken) == "2026-03-02-weekly-2")
  }

  @Test func counterPatterns() {
    let customer = RecordEditing.CounterPattern("^C-[0-9]{4,}$")
    #expect(customer?.literalStem == "C-")
    #expect(customer?.minimumWidth == 4)
    #expect(RecordEditing.CounterPattern("^INV\\-\\d+$")?.literalStem == "INV-")
    #expect(RecordEditing.CounterPattern("^T[0-9][0-9]$")?.minimumWidth == 2)
    let plan = RecordEditing.CounterPattern("^P-[0-9]{4}(Q[1-4]|M[0-9]{2})-[0-9]{2}$")
    #expect(plan != nil)
    #expect(plan?.literalStem == nil)
    #expect(RecordEditing.CounterPattern("^[0-9]{4}-[0-9]{2}-[0-9]{2}-[a-z0-9-]+$") == nil)
    #expect(RecordEditing.NumberedID("S-0099")?.text == "S-0099")
    #expect(RecordEditing.slug("2026-03-02 Weekly 华东一组") == "2026-03-02-weekly")
  }

  @Test func theOverlayReplacesAndAddsFiles() throws {
    let base = MemorySource(contents: ["a.yaml": Array("a: 1\n".utf8), "b.yaml": Array("b: 1\n".utf8)])
    let overlay = RecordEditing.Overlay(
      base: base, replacing: ["b.yaml": Array("b: 2\n".utf8), "c.yaml": Array("c: 1\n".utf8)])
    let files = try overlay.files()
    #expect(files.map(\.path) == ["a.yaml", "b.yaml", "c.yaml"])
    #expect(try files[1].bytes() == Array("b: 2\n".utf8))
  }
}
