import Foundation
import TallyTestSupport
import Testing

/// A copy of example-repo/ to edit.
func copyOfExampleRepository() throws -> TemporaryDirectory {
  let dir = try TemporaryDirectory(prefix: "tally-edit")
  let example = Golden.directory() + "/../../example-repo"
  for name in try FileManager.default.contentsOfDirectory(atPath: example) {
    try FileManager.default.copyItem(atPath: example + "/" + name, toPath: dir.path + "/" + name)
  }
  return dir
}

/// Runs `tally` in `dir` with a fixed today and no terminal.
@discardableResult
func tallyEdit(_ arguments: [String], in dir: TemporaryDirectory) throws -> ProcessResult {
  try TallyProcess.run(arguments, in: dir.path, environment: ["TALLY_TODAY": "2026-11-01"], stdin: "")
}

/// The files of a directory of the copy, for "nothing was created".
func listing(_ dir: TemporaryDirectory, _ relative: String) throws -> [String] {
  try FileManager.default.contentsOfDirectory(atPath: dir.path + "/" + relative).sorted()
}

/// C-0042 of example-repo with comments added by hand, as people do.
let commentedCustomer = """
  # 扬州海汇：重点客户，每两周回访一次

  name: 扬州海汇教育咨询有限公司
  industry: education
  scale: medium
  purchasing_power: medium
  loyalty: high
  tier: B    # 2027 年复评
  status: active
  owner: S-0022
  contacts:
    # 主要联系人
    - name: 余敏
      title: 财务经理
      phone: '15861168027'
      email: yumin@haihui.example
  follow_ups:
    - date: 2026-10-13
      by: S-0022
      channel: visit
      summary: 客户增加坐席，追加采购上门实施培训服务
      outcome: ordered
      next_contact: 2026-11-09

    # 客服回访
    - date: 2026-10-21
      by: S-0026
      channel: wechat
      summary: 回访余敏，系统运行正常，无新问题
      outcome: interested
  orders:
    - date: 2026-07-15
      product: 智能客服系统专业版
      amount: 22528.00

  """

@Suite("tally new, set and add (end to end)")
struct EditCommandTests {
  // MARK: new

  @Test func newCreatesTheNextRecordInCanonicalForm() throws {
    let dir = try copyOfExampleRepository()
    let result = try tallyEdit(
      [
        "new", "customer", "--set", "name=苏州新起点教育科技有限公司", "--set", "industry=education", "--set", "tier=B",
        "--set", "owner=S-0022", "--set", "contacts[0].name=周婷", "--set", "contacts[0].phone=0512-6666-1234",
      ], in: dir)
    #expect(result.status == 0, "\(result.stderr)")
    // example-repo's highest customer is C-0281.
    #expect(result.stdout == "customers/C-0282.yaml\n")
    #expect(result.stderr == "created customer C-0282\n")
    #expect(
      try dir.read("customers/C-0282.yaml") == """
        name: 苏州新起点教育科技有限公司
        industry: education
        tier: B
        status: lead
        owner: S-0022
        contacts:
          - name: 周婷
            phone: 0512-6666-1234

        """)
    let check = try tallyEdit(["check", "customers/C-0282.yaml"], in: dir)
    #expect(check.status == 0, "\(check.stdout)")
    let fmt = try tallyEdit(["fmt", "--check", "customers/C-0282.yaml"], in: dir)
    #expect(fmt.status == 0, "\(fmt.stdout)")
    // The next one continues from there; the directory name works as the type.
    let next = try tallyEdit(
      [
        "new", "customers", "--set", "name=苏州新起点二号", "--set", "industry=retail", "--set", "tier=C", "--set",
        "owner=S-0022",
      ],
      in: dir)
    #expect(next.stdout == "customers/C-0283.yaml\n")
  }

  @Test func newWithoutRequiredFieldsNamesThemAndCreatesNothing() throws {
    let dir = try copyOfExampleRepository()
    let before = try listing(dir, "customers")
    let result = try tallyEdit(["new", "customer", "--set", "name=某公司"], in: dir)
    #expect(result.status == 64)
    #expect(result.stderr.contains("required fields have no value"))
    for field in ["industry: 行业; one of retail (零售)", "tier: 客户等级; one of A (重点客户)", "owner: 负责人; the id of a staff"] {
      #expect(result.stderr.contains("  " + field), "\(result.stderr)")
    }
    #expect(result.stdout.isEmpty)
    #expect(try listing(dir, "customers") == before)
  }

  @Test func newRefusesToOverwriteAndRejectsBadValues() throws {
    let dir = try copyOfExampleRepository()
    let original = try dir.bytes("customers/C-0042.yaml")
    let exists = try tallyEdit(
      [
        "new", "customer", "C-0042", "--set", "name=x", "--set", "industry=trade", "--set", "tier=A", "--set",
        "owner=S-0022",
      ],
      in: dir)
    #expect(exists.status == 1)
    #expect(exists.stderr.contains("customers/C-0042.yaml exists already; refusing to overwrite it"))
    #expect(try dir.bytes("customers/C-0042.yaml") == original)

    let before = try listing(dir, "customers")
    let bad = try tallyEdit(
      ["new", "customer", "--set", "name=x", "--set", "industry=trade", "--set", "tier=D", "--set", "owner=S-0999"],
      in: dir)
    #expect(bad.status == 64)
    #expect(
      bad.stderr.contains(
        "tally: 'tier': 'D' is not one of the allowed values\n  allowed: A (重点客户), B (普通客户), C (一般客户)"))
    #expect(bad.stderr.contains("tally: 'owner': there is no staff 'S-0999'"))
    let badID = try tallyEdit(["new", "customer", "X-1", "--set", "name=x"], in: dir)
    #expect(badID.status == 64)
    let badType = try tallyEdit(["new", "custmer"], in: dir)
    #expect(badType.status == 64)
    #expect(badType.stderr.contains("did you mean 'customer'?"))
    #expect(try listing(dir, "customers") == before)
  }

  @Test func newMinutesGetASlugAndNewRecordsAreChecked() throws {
    let dir = try copyOfExampleRepository()
    let arguments = [
      "new", "minutes", "--set", "date=2026-11-02", "--set", "kind=weekly", "--set", "title=华东一组周会", "--set",
      "chair=S-0004", "--set", "attendees[0]=S-0004", "--set", "attendees[1]=S-0008",
    ]
    let result = try tallyEdit(arguments, in: dir)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout == "minutes/2026-11-02-weekly.yaml\n")
    #expect(try tallyEdit(arguments, in: dir).stdout == "minutes/2026-11-02-weekly-2.yaml\n")
    // A rule across fields: the chair must attend. Refused, nothing written.
    let before = try listing(dir, "minutes")
    var refused = arguments
    refused[refused.count - 3] = "attendees[0]=S-0009"
    let rule = try tallyEdit(refused, in: dir)
    #expect(rule.status == 1)
    #expect(rule.stderr.contains("minutes/2026-11-02-weekly-3.yaml:4:8: error[rule]: 主持人应在出席名单中"), "\(rule.stderr)")
    #expect(rule.stderr.contains("nothing was written"))
    #expect(try listing(dir, "minutes") == before)
  }

  @Test func newDryRunPrintsTheFileAndWritesNothing() throws {
    let dir = try copyOfExampleRepository()
    let before = try listing(dir, "staff")
    let result = try tallyEdit(
      [
        "new", "staff", "--dry-run", "--set", "name=新同事", "--set", "role=sales_rep", "--set", "team=华东一组",
        "--set", "reports_to=S-0004", "--set", "email=xintongshi@huadong.example", "--set", "joined=2026-11-02",
      ], in: dir)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(
      result.stdout
        == "name: 新同事\nrole: sales_rep\nteam: 华东一组\nreports_to: S-0004\nemail: xintongshi@huadong.example\njoined: 2026-11-02\nstatus: active\n"
    )
    #expect(result.stderr.contains("would create staff/S-0037.yaml"))
    #expect(try listing(dir, "staff") == before)
  }

  // MARK: set

  @Test func setChangesOnlyTheEditedLines() throws {
    let dir = try copyOfExampleRepository()
    try dir.write("customers/C-0042.yaml", commentedCustomer)
    let result = try tallyEdit(
      ["set", "customer/C-0042", "status=dormant", "contacts[0].title=财务总监", "source=referral"], in: dir)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout == "customers/C-0042.yaml\n")
    #expect(
      result.stderr
        == "set status: active → dormant\nset contacts[0].title: 财务经理 → 财务总监\nset source: referral\n")
    let expected =
      commentedCustomer
      .replacing("status: active\n", with: "status: dormant\n")
      .replacing("title: 财务经理\n", with: "title: 财务总监\n")
      .replacing("owner: S-0022\n", with: "owner: S-0022\nsource: referral\n")
    #expect(try dir.read("customers/C-0042.yaml") == expected)
  }

  @Test func setQuotesValuesThatWouldReadAsSomethingElse() throws {
    let dir = try copyOfExampleRepository()
    try dir.write("customers/C-0042.yaml", commentedCustomer)
    let result = try tallyEdit(
      ["set", "customers/C-0042.yaml", "contacts[0].wechat=0123", "contacts[0].title=yes", "needs=第一行\n第二行"], in: dir)
    #expect(result.status == 0, "\(result.stderr)")
    let text = try dir.read("customers/C-0042.yaml")
    #expect(text.contains("    title: 'yes'\n"))
    #expect(text.contains("    wechat: '0123'\n"))
    #expect(text.contains("needs: |-\n  第一行\n  第二行\n"))
    // Every YAML reader reads the same: what tally parse prints.
    let parsed = try tallyEdit(["parse", "--format", "json", "customers/C-0042.yaml"], in: dir)
    let json = try #require(try JSONSerialization.jsonObject(with: Data(parsed.stdout.utf8)) as? [String: Any])
    let contacts = try #require(json["contacts"] as? [[String: Any]])
    #expect(contacts[0]["wechat"] as? String == "0123")
    #expect(contacts[0]["title"] as? String == "yes")
    #expect(json["needs"] as? String == "第一行\n第二行")
  }

  @Test func aRefusedEditLeavesTheFileByteIdentical() throws {
    let dir = try copyOfExampleRepository()
    try dir.write("customers/C-0042.yaml", commentedCustomer)
    let original = try dir.bytes("customers/C-0042.yaml")
    // A churned customer needs a reason (a rule of the schema).
    let result = try tallyEdit(["set", "customer/C-0042", "status=churned"], in: dir)
    #expect(result.status == 1)
    #expect(
      result.stderr.hasPrefix(
        """
        customers/C-0042.yaml:9:9: error[rule]: 流失客户必须写明流失原因
          9 | status: churned
            |         ^^^^^^^ rule 'churn-reason' in schema/customer.yaml

        """), "\(result.stderr)")
    #expect(result.stderr.hasSuffix("tally: customers/C-0042.yaml would have 1 error; nothing was written\n"))
    #expect(result.stdout.isEmpty)
    #expect(try dir.bytes("customers/C-0042.yaml") == original)
    // With the reason it is fine.
    let fixed = try tallyEdit(["set", "customer/C-0042", "status=churned", "churn_reason=预算取消"], in: dir)
    #expect(fixed.status == 0, "\(fixed.stderr)")
  }

  @Test func valuesOfTheWrongTypeExit64AndWriteNothing() throws {
    let dir = try copyOfExampleRepository()
    try dir.write("customers/C-0042.yaml", commentedCustomer)
    let original = try dir.bytes("customers/C-0042.yaml")
    let cases: [(String, String)] = [
      ("follow_ups[0].date=2026-02-30", "'follow_ups[0].date': '2026-02-30' is not a day in the calendar"),
      ("orders[0].amount=12.345", "'orders[0].amount': '12.345' has more than two decimals"),
      ("orders[0].amount=一万", "'orders[0].amount': '一万' is not an amount of money"),
      (
        "status=closed",
        "'status': 'closed' is not one of the allowed values\n  allowed: lead (线索), prospect (意向客户), active (成交客户), dormant (沉睡客户), churned (流失客户)"
      ),
      ("contacts[0].email=yumin.haihui", "'contacts[0].email': 'yumin.haihui' is not an email address"),
      ("contacts[0].phone=call me", "'contacts[0].phone': 'call me' is not a phone number"),
      ("owner=S-0999", "'owner': there is no staff 'S-0999'"),
      ("owner=王芳", "'owner': '王芳' is not a staff id"),
      ("stauts=active", "unknown field 'stauts'\n  did you mean 'status'?"),
      ("contacts[0].wechta=abc", "unknown field 'wechta' in 'contacts'\n  did you mean 'wechat'?"),
      ("status", "'status' is not an assignment"),
    ]
    for (assignment, message) in cases {
      let result = try tallyEdit(["set", "customer/C-0042", assignment], in: dir)
      #expect(result.status == 64, "\(assignment)")
      #expect(result.stderr.contains("tally: " + message), "\(assignment): \(result.stderr)")
      #expect(try dir.bytes("customers/C-0042.yaml") == original, "\(assignment)")
    }
    // With a good value next to a bad one, nothing is written either.
    let mixed = try tallyEdit(["set", "customer/C-0042", "tier=A", "tier=Z"], in: dir)
    #expect(mixed.status == 64)
    #expect(try dir.bytes("customers/C-0042.yaml") == original)
    let unknown = try tallyEdit(["set", "customer/C-4242", "tier=A"], in: dir)
    #expect(unknown.status == 64)
    #expect(unknown.stderr.contains("did you mean customer/C-0242?"))
  }

  @Test func unsetAndEmptyValuesRemoveFields() throws {
    let dir = try copyOfExampleRepository()
    try dir.write("customers/C-0042.yaml", commentedCustomer)
    let result = try tallyEdit(["set", "customer/C-0042", "loyalty=", "--unset", "follow_ups[0]"], in: dir)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(
      result.stderr
        == "removed loyalty (was high)\nremoved follow_ups[0] (was {\"date\":\"2026-10-13\",\"by\":\"S-0022\",\"channel\":\"visit\",\"summary\":\"客户增加坐席，追加采购上门实施培训服务\",\"outcome\":\"ordered\",\"next_contact\":\"2026-11-09\"})\n"
    )
    var expected = commentedCustomer.replacing("loyalty: high\n", with: "")
    expected = expected.replacing(
      """
        - date: 2026-10-13
          by: S-0022
          channel: visit
          summary: 客户增加坐席，追加采购上门实施培训服务
          outcome: ordered
          next_contact: 2026-11-09


      """, with: "\n")
    #expect(try dir.read("customers/C-0042.yaml") == expected)
    // Removing a required field is refused by the check.
    let required = try tallyEdit(["set", "customer/C-0042", "--unset", "owner"], in: dir)
    #expect(required.status == 1)
    #expect(required.stderr.contains("error[missing-field]: the record has no 'owner', which is required"))
  }

  @Test func dryRunPrintsADiffAndJSONDescribesTheChange() throws {
    let dir = try copyOfExampleRepository()
    let original = try dir.bytes("customers/C-0042.yaml")
    let dry = try tallyEdit(["set", "customer/C-0042", "tier=A", "--dry-run"], in: dir)
    #expect(dry.status == 0)
    #expect(
      dry.stdout == """
        --- a/customers/C-0042.yaml
        +++ b/customers/C-0042.yaml
        @@ -3,7 +3,7 @@
         scale: medium
         purchasing_power: medium
         loyalty: high
        -tier: B
        +tier: A
         status: active
         owner: S-0022
         contacts:

        """)
    #expect(try dir.bytes("customers/C-0042.yaml") == original)

    let result = try tallyEdit(["set", "customer/C-0042", "tier=A", "--format", "json"], in: dir)
    #expect(result.status == 0)
    let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    #expect(json["version"] as? Int == 1)
    #expect(json["action"] as? String == "edited")
    #expect(json["path"] as? String == "customers/C-0042.yaml")
    #expect(json["type"] as? String == "customer")
    #expect(json["id"] as? String == "C-0042")
    #expect(json["written"] as? Bool == true)
    #expect(json["errors"] as? Int == 0)
    let changes = try #require(json["changes"] as? [[String: Any]])
    #expect(changes.count == 1)
    #expect(changes[0]["field"] as? String == "tier")
    #expect(changes[0]["old"] as? String == "B")
    #expect(changes[0]["new"] as? String == "A")
    #expect(try dir.read("customers/C-0042.yaml").contains("\ntier: A\n"))
  }

  @Test func refusedJSONCarriesTheDiagnostics() throws {
    let dir = try copyOfExampleRepository()
    let result = try tallyEdit(["set", "customer/C-0042", "owner=S-0001", "--format", "json"], in: dir)
    #expect(result.status == 1)
    let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    #expect(json["written"] as? Bool == false)
    #expect(json["errors"] as? Int == 1)
    let diagnostics = try #require(json["diagnostics"] as? [[String: Any]])
    #expect(diagnostics.first?["code"] as? String == "ref-condition")
    #expect(diagnostics.first?["line"] as? Int == 8)
  }

  @Test func repoOptionAndFilePathsFromElsewhere() throws {
    let dir = try copyOfExampleRepository()
    let elsewhere = try TemporaryDirectory()
    let result = try TallyProcess.run(
      ["set", "--repo", dir.path, "customer/C-0042", "tier=A"], in: elsewhere.path, stdin: "")
    #expect(result.status == 0, "\(result.stderr)")
    #expect(try dir.read("customers/C-0042.yaml").contains("\ntier: A\n"))
    let byPath = try TallyProcess.run(["set", "C-0042.yaml", "tier=C"], in: dir.path + "/customers", stdin: "")
    #expect(byPath.status == 0, "\(byPath.stderr)")
    #expect(byPath.stdout == "C-0042.yaml\n")
    #expect(try dir.read("customers/C-0042.yaml").contains("\ntier: C\n"))
    let outside = try TallyProcess.run(["set", "customer/C-0042", "tier=A"], in: elsewhere.path, stdin: "")
    #expect(outside.status == 2)
  }

  // MARK: add

  @Test func addAppendsAFollowUpAndKeepsTheRest() throws {
    let dir = try copyOfExampleRepository()
    try dir.write("customers/C-0042.yaml", commentedCustomer)
    let result = try tallyEdit(
      [
        "add", "customer/C-0042", "follow_ups", "date=2026-11-29", "by=S-0022", "channel=phone", "summary=回访，客户满意",
        "outcome=interested", "next_contact=2026-12-13",
      ], in: dir)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout == "customers/C-0042.yaml\n")
    #expect(result.stderr == "added follow_ups[2]\n")
    let expected = commentedCustomer.replacing(
      "    outcome: interested\norders:",
      with: """
            outcome: interested
          - date: 2026-11-29
            by: S-0022
            channel: phone
            summary: 回访，客户满意
            outcome: interested
            next_contact: 2026-12-13
        orders:
        """)
    #expect(try dir.read("customers/C-0042.yaml") == expected)
    #expect(try tallyEdit(["check", "customers/C-0042.yaml"], in: dir).status == 0)
  }

  @Test func addCreatesAMissingListAndChecksTheItem() throws {
    let dir = try copyOfExampleRepository()
    try dir.write("customers/C-0042.yaml", commentedCustomer)
    let original = try dir.bytes("customers/C-0042.yaml")
    let wrong = try tallyEdit(
      ["add", "customer/C-0042", "complaints", "date=2026-11-31", "summary=系统故障", "severity=critical"], in: dir)
    #expect(wrong.status == 64)
    #expect(wrong.stderr.contains("'complaints[0].date': '2026-11-31' is not a day in the calendar"))
    #expect(wrong.stderr.contains("'complaints[0].severity': 'critical' is not one of the allowed values"))
    let missing = try tallyEdit(["add", "customer/C-0042", "complaints", "date=2026-11-30"], in: dir)
    #expect(missing.status == 64)
    #expect(missing.stderr.contains("  summary: text\n  severity: one of low (轻微), medium (一般), high (严重)\n"))
    #expect(try dir.bytes("customers/C-0042.yaml") == original)

    let result = try tallyEdit(
      ["add", "customers/C-0042.yaml", "complaints", "date=2026-11-30", "summary=系统故障", "severity=high"], in: dir)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(
      try dir.read("customers/C-0042.yaml")
        == commentedCustomer + "complaints:\n  - date: 2026-11-30\n    summary: 系统故障\n    severity: high\n")
    // An item whose rule fails is refused.
    let rule = try tallyEdit(
      [
        "add", "customer/C-0042", "complaints", "date=2026-11-30", "summary=再次故障", "severity=low",
        "resolved_on=2026-11-01",
      ],
      in: dir)
    #expect(rule.status == 1)
    #expect(rule.stderr.contains("error[rule]: 解决日期不能早于投诉日期"))
  }

  @Test func addToAnEmptyListAndToAListOfValues() throws {
    let dir = try copyOfExampleRepository()
    let name = try #require(try listing(dir, "minutes").first)
    let path = "minutes/" + name
    var text = try dir.read(path)
    let actionItems = try #require(text.range(of: "action_items:"))
    text = String(text[..<actionItems.lowerBound]) + "# 本周没有待办\naction_items: []\n"
    try dir.write(path, text)
    let id = String(name.dropLast(5))
    let result = try tallyEdit(
      ["add", "minutes/" + id, "action_items", "task=整理客户清单", "owner=S-0008", "due=2026-05-15"], in: dir)
    #expect(result.status == 0, "\(result.stderr)")
    let expected = text.replacing(
      "action_items: []\n",
      with: "action_items:\n  - task: 整理客户清单\n    owner: S-0008\n    due: 2026-05-15\n    status: open\n")
    #expect(try dir.read(path) == expected)
    // A list of references: one value, checked like any reference.
    let absent = try tallyEdit(["add", "minutes/" + id, "absentees", "S-0999"], in: dir)
    #expect(absent.status == 64)
    #expect(absent.stderr.contains("'absentees[0]': there is no staff 'S-0999'"))
    let twice = try tallyEdit(["add", "minutes/" + id, "attendees", "S-0004"], in: dir)
    #expect(twice.status == 1)
    #expect(twice.stderr.contains("error[duplicate-item]"))
    #expect(try dir.read(path) == expected)
  }

  // MARK: --commit

  @Test func commitFlagCommitsTheEditedRecord() throws {
    let dir = try copyOfExampleRepository()
    try git(["init", "-q", "-b", "main"], in: dir.path)
    try git(["add", "-A"], in: dir.path)
    try git(["commit", "-q", "-m", "example"], in: dir.path)
    let environment = [
      "GIT_AUTHOR_NAME": "梁嘉欣", "GIT_AUTHOR_EMAIL": "liangjiaxin@huadong.example", "GIT_COMMITTER_NAME": "梁嘉欣",
      "GIT_COMMITTER_EMAIL": "liangjiaxin@huadong.example", "GIT_AUTHOR_DATE": "2026-11-02T09:30:00+08:00",
      "GIT_COMMITTER_DATE": "2026-11-02T09:30:00+08:00", "TALLY_TODAY": "2026-11-02",
    ]
    let set = try TallyProcess.run(
      ["set", "customer/C-0042", "tier=A", "--commit", "-m", "C-0042 升为重点客户"], in: dir.path, environment: environment,
      stdin: "")
    #expect(set.status == 0, "\(set.stdout)\(set.stderr)")
    #expect(set.stdout.hasPrefix("customers/C-0042.yaml\n[main "))
    #expect(try git(["log", "-1", "--format=%s%n%an"], in: dir.path).stdout == "C-0042 升为重点客户\n梁嘉欣\n")
    #expect(try git(["status", "--porcelain"], in: dir.path).stdout.isEmpty)

    let added = try TallyProcess.run(
      [
        "add", "customer/C-0042", "follow_ups", "date=2026-11-02", "by=S-0022", "channel=phone", "summary=电话回访",
        "--commit",
      ], in: dir.path, environment: environment, stdin: "")
    #expect(added.status == 0, "\(added.stdout)\(added.stderr)")
    #expect(try git(["log", "-1", "--format=%s"], in: dir.path).stdout.contains("C-0042"))
    #expect(try git(["status", "--porcelain"], in: dir.path).stdout.isEmpty)

    let created = try TallyProcess.run(
      [
        "new", "customer", "--set", "name=新客户", "--set", "industry=trade", "--set", "tier=C", "--set", "owner=S-0022",
        "--commit",
      ],
      in: dir.path, environment: environment, stdin: "")
    #expect(created.status == 0, "\(created.stdout)\(created.stderr)")
    #expect(try git(["ls-files", "customers/C-0282.yaml"], in: dir.path).stdout == "customers/C-0282.yaml\n")
    #expect(try git(["status", "--porcelain"], in: dir.path).stdout.isEmpty)

    // -m needs --commit; --commit cannot go with --dry-run.
    #expect(try tallyEdit(["set", "customer/C-0042", "tier=B", "-m", "x"], in: dir).status == 64)
    #expect(try tallyEdit(["set", "customer/C-0042", "tier=B", "--commit", "--dry-run"], in: dir).status == 64)
    #expect(try git(["status", "--porcelain"], in: dir.path).stdout.isEmpty)
  }
}
