import TallyText
import Testing

@testable import TallySchema

/// A small team: staff (role, team, status) and customers (owner, follow_ups).
private enum PolicyFixture {
  static let schema: SchemaSet = {
    let staff = """
      version: 1
      type: staff
      directory: staff
      id:
        pattern: '^S-[0-9]{4}$'
      fields:
        name:
          type: text
        role:
          type: enum
          values: [manager, team_lead, sales_rep]
        team:
          type: text
        email:
          type: email
        git_identities:
          type: list
          items:
            type: text
        status:
          type: enum
          values: [active, left]
      """
    let customer = """
      version: 1
      type: customer
      directory: customers
      id:
        pattern: '^C-[0-9]{4}$'
      fields:
        name:
          type: text
        owner:
          type: ref
          to: staff
        tier:
          type: enum
          values: [A, B]
        follow_ups:
          type: list
          items:
            type: object
            fields:
              date:
                type: date
              outcome:
                type: text
      """
    let (set, problems) = SchemaLoader.load(files: [
      ("schema/staff.yaml", Array(staff.utf8)), ("schema/customer.yaml", Array(customer.utf8)),
    ])
    precondition(!problems.hasErrors, "\(problems)")
    return set
  }()

  static let policy = """
    version: 1
    rules:
      - name: reps-log-calls
        allow: [add, change]
        who:
          roles: [sales_rep]
        type: customer
        when: owner == actor
        fields: [follow_ups]
      - name: leads-reassign
        allow: [change]
        who:
          roles: [team_lead]
        type: customer
        when: owner.team == actor.team
        fields: [owner]
      - name: locked
        deny: [change, remove]
        type: customer
        fields: [follow_ups]
        when: days_between(item.date, today()) > 7
      - name: manager
        allow: '*'
        who:
          roles: [manager]
        type: '*'
    """

  static func value(_ text: String) -> Value { SyntaxTree.parse(Array(text.utf8)).tree!.value }

  static let staffValues: [(id: String, value: Value)] = [
    ("S-0001", value("name: 何杰\nrole: manager\nteam: 中心\nemail: hejie@x.cn\nstatus: active\n")),
    ("S-0006", value("name: 潘洋\nrole: team_lead\nteam: 三组\nemail: panyang@x.cn\nstatus: active\n")),
    ("S-0004", value("name: 黄少华\nrole: team_lead\nteam: 一组\nemail: hsh@x.cn\nstatus: active\n")),
    (
      "S-0022",
      value("name: 梁嘉欣\nrole: sales_rep\nteam: 三组\nemail: ljx@x.cn\ngit_identities: [liangjx]\nstatus: active\n")
    ),
    ("S-0023", value("name: 谢国栋\nrole: sales_rep\nteam: 三组\nemail: xgd@x.cn\nstatus: active\n")),
    ("S-0024", value("name: 袁凯\nrole: sales_rep\nteam: 三组\nemail: yk@x.cn\nstatus: left\n")),
  ]

  static let today = CivilDate(year: 2026, month: 12, day: 1)
  static let staff = StaffDirectory(records: staffValues, settings: ActorSettings(), schema: schema, today: today)

  static let resolve: @Sendable (String, String) -> ObjectView? = { type, id in
    guard let found = staffValues.first(where: { $0.id == id }), let spec = schema.type(named: type)?.object else {
      return nil
    }
    return ObjectView(value: found.value, spec: spec, recordType: type, id: id)
  }

  static func judge(_ actor: String, before: String?, after: String?) -> [PolicyVerdict] {
    let (policy, problems) = PolicyLoader.load(Array(Self.policy.utf8), schema: schema)
    precondition(policy != nil, "\(problems)")
    return PolicyJudge(policy: policy!, schema: schema).judge(
      PolicyJudge.Change(type: "customer", id: "C-0042", before: before.map(value), after: after.map(value)),
      actor: staff.person(named: actor)!, today: today, resolve: resolve)
  }

  static func load(_ text: String) -> [Diagnostic] { PolicyLoader.load(Array(text.utf8), schema: schema).1 }
}

@Suite("The ownership policy")
struct PolicyTests {
  let mine = "name: A\nowner: S-0022\ntier: A\nfollow_ups:\n  - date: 2026-11-28\n    outcome: 意向\n"

  @Test func aRepLogsACallOnTheirOwnCustomer() {
    let verdicts = PolicyFixture.judge(
      "S-0022", before: mine, after: mine + "  - date: 2026-12-01\n    outcome: 成交\n")
    #expect(verdicts.map(\.action.description) == ["add 'follow_ups[1]'"])
    #expect(verdicts.allSatisfy { $0.allowed })
    #expect(verdicts.first?.rule?.name == "reps-log-calls")
  }

  @Test func theFirstFollowUpIsAnAddToo() {
    let verdicts = PolicyFixture.judge(
      "S-0022", before: "name: A\nowner: S-0022\n",
      after: "name: A\nowner: S-0022\nfollow_ups:\n  - date: 2026-12-01\n    outcome: 意向\n")
    #expect(verdicts.map(\.action.description) == ["add 'follow_ups[0]'"])
    #expect(verdicts.allSatisfy { $0.allowed })
  }

  @Test func theConditionHoldsBeforeAndAfter() {
    // Taking over a colleague's customer: owner == actor only after.
    let theirs = mine.replacingOccurrences(of: "S-0022", with: "S-0023")
    let takeOver = PolicyFixture.judge("S-0022", before: theirs, after: mine)
    #expect(takeOver.contains { !$0.allowed && $0.action.path?.description == "owner" })
    // Logging a call on a colleague's customer: owner == actor in neither state.
    let call = PolicyFixture.judge("S-0022", before: theirs, after: theirs + "  - date: 2026-12-01\n")
    #expect(call.allSatisfy { !$0.allowed })
    #expect(call.first?.near.first?.why.contains("is false before the change") == true)
  }

  @Test func leadsReassignWithinTheirTeamOnly() {
    let moved = mine.replacingOccurrences(of: "owner: S-0022", with: "owner: S-0023")
    #expect(PolicyFixture.judge("S-0006", before: mine, after: moved).allSatisfy { $0.allowed })
    let other = PolicyFixture.judge("S-0004", before: mine, after: moved)
    #expect(other.allSatisfy { !$0.allowed })
    // Out of the team: the condition fails after the change.
    let away = mine.replacingOccurrences(of: "owner: S-0022", with: "owner: S-0004")
    let handedAway = PolicyFixture.judge("S-0006", before: mine, after: away)
    #expect(handedAway.first?.near.first?.why.contains("after the change") == true)
  }

  @Test func denyBeatsAllowEvenForTheManager() {
    let edited = mine.replacingOccurrences(of: "date: 2026-11-28", with: "date: 2026-11-20")
      .replacingOccurrences(of: "意向", with: "成交")
    let old = mine.replacingOccurrences(of: "date: 2026-11-28", with: "date: 2026-11-20")
    let verdicts = PolicyFixture.judge("S-0001", before: old, after: edited)
    #expect(verdicts.first?.allowed == false)
    #expect(verdicts.first?.rule?.name == "locked")
    // Within 7 days the manager may.
    let recent = PolicyFixture.judge(
      "S-0001", before: mine, after: mine.replacingOccurrences(of: "意向", with: "成交"))
    #expect(recent.allSatisfy { $0.allowed })
  }

  @Test func actorsAreFoundByIdEmailOrLogin() {
    #expect(PolicyFixture.staff.person(named: "S-0022")?.id == "S-0022")
    #expect(PolicyFixture.staff.person(named: "LJX@x.cn")?.id == "S-0022")
    #expect(PolicyFixture.staff.person(named: "liangjx")?.id == "S-0022")
    #expect(PolicyFixture.staff.person(named: "mallory") == nil)
    #expect(PolicyFixture.staff.person(named: "S-0024")?.active == false)
    // A login two people list names nobody.
    let copied =
      PolicyFixture.staffValues + [
        ("S-0030", PolicyFixture.value("name: 冒名\nrole: sales_rep\nemail: m@x.cn\ngit_identities: [liangjx]\n"))
      ]
    let directory = StaffDirectory(
      records: copied, settings: ActorSettings(), schema: PolicyFixture.schema, today: PolicyFixture.today)
    #expect(directory.person(named: "liangjx") == nil)
    #expect(directory.person(named: "ljx@x.cn")?.id == "S-0022")
  }

  @Test(arguments: [
    ("rules:\n  - name: a\n    allow: [change]\n    type: customer\n    colour: red\n", "policy-unknown-key", 5),
    ("rules:\n  - name: a\n    allow: [change]\n    type: custmer\n", "policy-unknown-type", 4),
    ("rules:\n  - name: a\n    allow: [change]\n    type: customer\n    fields: [ownr]\n", "policy-unknown-field", 5),
    (
      "rules:\n  - name: a\n    allow: [change]\n    who:\n      roles: [boss]\n    type: customer\n",
      "policy-unknown-role", 5
    ),
    ("rules:\n  - name: a\n    allow: [edit]\n    type: customer\n", "policy-unknown-operation", 3),
    (
      "rules:\n  - name: a\n    allow: [change]\n    type: customer\n    when: onwer == actor\n", "policy-unknown-name",
      5
    ),
    ("rules:\n  - name: a\n    allow: [change]\n    type: customer\n    when: owner ==\n", "policy-bad-rule", 5),
    (
      "rules:\n  - name: a\n    allow: [change]\n    type: customer\n  - name: a\n    deny: [add]\n    type: customer\n",
      "policy-duplicate-rule", 5
    ),
    ("rules:\n  - name: a\n    type: customer\n", "policy-missing", 2),
    ("version: 2\nrules: []\n", "policy-version", 1),
  ])
  func aBadPolicyIsAPositionedError(text: String, code: String, line: Int) {
    let problems = PolicyFixture.load(text)
    let found = problems.first { $0.code == code }
    #expect(found != nil, "\(problems.map { "\($0.code): \($0.message)" })")
    #expect(found?.range?.start.line == line)
    #expect(PolicyLoader.load(Array(text.utf8), schema: PolicyFixture.schema).0 == nil, "an invalid policy is not used")
  }

  @Test func fieldPatterns() {
    let pattern = FieldPattern("follow_ups[*].outcome")!
    #expect(pattern.covers(FieldPath(parsing: "follow_ups[3].outcome")!))
    #expect(!pattern.covers(FieldPath(parsing: "follow_ups[3]")!))
    #expect(FieldPattern("follow_ups")!.covers(FieldPath(parsing: "follow_ups[3].outcome")!))
    #expect(FieldPattern("*")!.covers(FieldPath(parsing: "owner")!))
    for bad in ["", "a..b", "[*]", "a[1]", "a.", "a b"] { #expect(FieldPattern(bad) == nil, "\(bad)") }
  }
}
