import TallySchema
import Testing

@testable import TallyReports

@Suite("Call-backs report")
struct FollowUpsReportTests {
  typealias T = PipelineFixtureText

  static func day(_ text: String) -> Cell { .date(CivilDate(text)!) }

  /// 华东一组: 王芳 S-0004, 李强 S-0005, 吴磊 S-0009 (leaves on 2026-03-06, his customer
  /// C-0208 goes to 王芳). Intervals A 14, B 30, C 60. Customers on 2026-03-31:
  ///
  ///     C-0201 甲 A active 王芳    last 03-02 (next 03-20); complaint 03-10 open
  ///     C-0202 乙 B prospect 李强  03-01, 03-05 (next 03-12), 03-13 (next 04-10)
  ///     C-0203 丙 C lead 王芳      never contacted, added 01-10
  ///     C-0204 丁 A active 李强    last 02-20; complaint 02-01 resolved 02-05
  ///     C-0205 戊 B churned 李强   last 01-05 (next 01-20)
  ///     C-0206 己 B active 王芳    02-28, 03-31 (next 04-07); 04-02 entered later
  ///     C-0207 庚 B dormant 王芳   03-10 by 李强 (next 03-25)
  ///     C-0208 辛 C active 王芳    03-03, 03-04 by 吴磊
  ///     C-0209 壬 A prospect 李强  03-17
  static func history() throws -> ReportFixture {
    let f = try ReportFixture()
    var files = f.team()
    // The fixture's customer-service rep reports to the supervisor, which the staff schema
    // rejects (reps report to a team lead); these histories do without her.
    files.removeValue(forKey: "staff/S-0006.yaml")
    let wu = { (left: String?) in
      f.staff("S-0009", "吴磊", role: "sales_rep", team: "华东一组", reportsTo: "S-0003", joined: "2025-06-01", left: left)
    }
    files["staff/S-0009.yaml"] = wu(nil)
    let order = [("2026-01-01", "1000")]
    files["customers/C-0205.yaml"] = T.customer("戊公司", status: "active", owner: "S-0005", orders: order)
    try f.commit("2026-01-01", by: "S-0001", files)
    let c205FollowUps: [(String, String, String, String?)] = [("2026-01-05", "S-0005", "phone", "2026-01-20")]
    try f.commit(
      "2026-01-06", by: "S-0005",
      [
        "customers/C-0205.yaml": T.customer(
          "戊公司", status: "active", owner: "S-0005", followUps: c205FollowUps, orders: order)
      ]
    )
    try f.commit(
      "2026-01-10", by: "S-0004",
      ["customers/C-0203.yaml": T.customer("丙公司", status: "lead", owner: "S-0004", tier: "C")])
    try f.commit(
      "2026-01-25", by: "S-0005",
      [
        "customers/C-0205.yaml": T.customer(
          "戊公司", status: "churned", owner: "S-0005", churnReason: "预算取消", followUps: c205FollowUps, orders: order)
      ])
    var c201FollowUps: [(String, String, String, String?)] = []
    var c201Complaints: [(String, String, String?)] = []
    func c201() -> String {
      T.customer(
        "甲公司", status: "active", owner: "S-0004", tier: "A", followUps: c201FollowUps, orders: order,
        complaints: c201Complaints)
    }
    var c202FollowUps: [(String, String, String, String?)] = []
    func c202() -> String {
      T.customer("乙公司", status: "prospect", owner: "S-0005", followUps: c202FollowUps)
    }
    var c204Complaints: [(String, String, String?)] = []
    var c204FollowUps: [(String, String, String, String?)] = []
    func c204() -> String {
      T.customer(
        "丁公司", status: "active", owner: "S-0005", tier: "A", followUps: c204FollowUps, orders: order,
        complaints: c204Complaints)
    }
    var c206FollowUps: [(String, String, String, String?)] = []
    func c206() -> String {
      T.customer("己公司", status: "active", owner: "S-0004", followUps: c206FollowUps, orders: order)
    }
    var c207Status = "active"
    var c207FollowUps: [(String, String, String, String?)] = []
    func c207() -> String {
      T.customer("庚公司", status: c207Status, owner: "S-0004", followUps: c207FollowUps, orders: order)
    }
    var c208Owner = "S-0009"
    var c208FollowUps: [(String, String, String, String?)] = []
    func c208() -> String {
      T.customer("辛公司", status: "active", owner: c208Owner, tier: "C", followUps: c208FollowUps, orders: order)
    }
    var c209FollowUps: [(String, String, String, String?)] = []
    func c209() -> String {
      T.customer("壬公司", status: "prospect", owner: "S-0005", tier: "A", followUps: c209FollowUps)
    }
    try f.commit(
      "2026-02-01", by: "S-0004",
      [
        "customers/C-0201.yaml": c201(), "customers/C-0202.yaml": c202(), "customers/C-0204.yaml": c204(),
        "customers/C-0206.yaml": c206(), "customers/C-0207.yaml": c207(), "customers/C-0208.yaml": c208(),
        "customers/C-0209.yaml": c209(),
      ])
    c204Complaints.append(("2026-02-01", "low", "2026-02-05"))
    try f.commit("2026-02-05", by: "S-0005", ["customers/C-0204.yaml": c204()])
    c207Status = "dormant"
    try f.commit("2026-02-15", by: "S-0004", ["customers/C-0207.yaml": c207()])
    c204FollowUps.append(("2026-02-20", "S-0005", "visit", nil))
    try f.commit("2026-02-21", by: "S-0005", ["customers/C-0204.yaml": c204()])
    c206FollowUps.append(("2026-02-28", "S-0004", "phone", nil))
    try f.commit("2026-02-28", by: "S-0004", ["customers/C-0206.yaml": c206()])
    c202FollowUps.append(("2026-03-01", "S-0005", "sms", nil))
    try f.commit("2026-03-01", by: "S-0005", ["customers/C-0202.yaml": c202()])
    c201FollowUps.append(("2026-03-02", "S-0004", "phone", "2026-03-20"))
    try f.commit("2026-03-02", by: "S-0004", ["customers/C-0201.yaml": c201()])
    c208FollowUps += [("2026-03-03", "S-0009", "phone", nil), ("2026-03-04", "S-0009", "phone", nil)]
    try f.commit("2026-03-04", by: "S-0009", ["customers/C-0208.yaml": c208()])
    c202FollowUps.append(("2026-03-05", "S-0005", "wechat", "2026-03-12"))
    try f.commit("2026-03-05", by: "S-0005", ["customers/C-0202.yaml": c202()])
    c208Owner = "S-0004"
    try f.commit("2026-03-06", by: "S-0003", ["staff/S-0009.yaml": wu("2026-03-06"), "customers/C-0208.yaml": c208()])
    c207FollowUps.append(("2026-03-10", "S-0005", "email", "2026-03-25"))
    c201Complaints.append(("2026-03-10", "high", nil))
    try f.commit("2026-03-10", by: "S-0005", ["customers/C-0207.yaml": c207(), "customers/C-0201.yaml": c201()])
    c202FollowUps.append(("2026-03-13", "S-0005", "phone", "2026-04-10"))
    try f.commit("2026-03-13", by: "S-0005", ["customers/C-0202.yaml": c202()])
    c209FollowUps.append(("2026-03-17", "S-0005", "visit", nil))
    try f.commit("2026-03-17", by: "S-0005", ["customers/C-0209.yaml": c209()])
    c206FollowUps.append(("2026-03-31", "S-0004", "email", "2026-04-07"))
    try f.commit("2026-03-31", by: "S-0004", ["customers/C-0206.yaml": c206()])
    c206FollowUps.append(("2026-04-02", "S-0004", "phone", nil))
    try f.commit("2026-04-02", by: "S-0004", ["customers/C-0206.yaml": c206()])
    try f.expectValid()
    return f
  }

  @Test func overdueAndNotContacted() throws {
    let f = try Self.history()
    let report = try FollowUpsReport.compute(f.context(period: "2026-03", at: "2026-03-31"))
    #expect(report.title == "Call-backs 2026-03, as of 2026-03-31")
    // Overdue on 03-31: C-0201 (next 03-20: 11 days), C-0207 (dormant, next 03-25: 6 days).
    // C-0202's 03-12 was superseded by the 03-13 call; C-0205 is churned.
    #expect(
      try report.rows("overdue") == [
        [
          .text("C-0201"), .text("甲公司"), .text("王芳"), .text("成交客户"), Self.day("2026-03-02"), .text("王芳"),
          Self.day("2026-03-20"), .int(11),
        ],
        [
          .text("C-0207"), .text("庚公司"), .text("王芳"), .text("沉睡客户"), Self.day("2026-03-10"), .text("李强"),
          Self.day("2026-03-25"), .int(6),
        ],
      ])
    // Days since the last contact, against the tier: C-0203 (C, never, added 01-10:
    // 21 + 28 + 31 = 80 > 60), C-0204 (A, 02-20: 8 + 31 = 39 > 14), C-0201 (A, 03-02: 29 > 14).
    // Not listed: C-0209 (A, 03-17: exactly 14), C-0202 (B, 18), C-0206 (B, 0), C-0208 (C, 27),
    // C-0207 (dormant), C-0205 (churned).
    #expect(
      try report.rows("not_contacted") == [
        [.text("C-0203"), .text("丙公司"), .text("王芳"), .text("C"), .text("线索"), .text("never"), .int(60), .int(80)],
        [
          .text("C-0204"), .text("丁公司"), .text("李强"), .text("A"), .text("成交客户"), Self.day("2026-02-20"), .int(14),
          .int(39),
        ],
        [
          .text("C-0201"), .text("甲公司"), .text("王芳"), .text("A"), .text("成交客户"), Self.day("2026-03-02"), .int(14),
          .int(29),
        ],
      ])
    // Earlier, on 03-25 (the records as they were then): only C-0201, 5 days past 03-20.
    let earlier = try FollowUpsReport.compute(f.context(period: "2026-03", at: "2026-03-25"))
    #expect(try earlier.rows("overdue").map { [$0[0], $0[7]] } == [[.text("C-0201"), .int(5)]])
  }

  @Test func customersAtRisk() throws {
    let f = try Self.history()
    // Active: C-0201 (29 days, open complaint), C-0204 (39 days; its complaint was resolved),
    // C-0206 (0 days), C-0208 (27 days). With 30 days: C-0201 for the complaint, C-0204 for
    // the silence.
    let report = try FollowUpsReport.compute(f.context(period: "2026-03", at: "2026-03-31"))
    #expect(
      try report.rows("at_risk") == [
        [
          .text("C-0201"), .text("甲公司"), .text("王芳"), Self.day("2026-03-02"), .int(29), .int(1),
          .text("open complaint since 2026-03-10 (严重)"),
        ],
        [
          .text("C-0204"), .text("丁公司"), .text("李强"), Self.day("2026-02-20"), .int(39), .int(0),
          .text("no contact for 39 days"),
        ],
      ])
    // With --days 25, C-0208 (27) joins and C-0201 is silent too.
    let context = try f.context(period: "2026-03", at: "2026-03-31")
    context.days = 25
    let strict = try FollowUpsReport.compute(context)
    #expect(
      try strict.rows("at_risk").map { [$0[0], $0[6]] } == [
        [.text("C-0201"), .text("no contact for 29 days; open complaint since 2026-03-10 (严重)")],
        [.text("C-0204"), .text("no contact for 39 days")],
        [.text("C-0208"), .text("no contact for 27 days")],
      ])
  }

  @Test func contactsPerRepPerWeekAndChannel() throws {
    let f = try Self.history()
    let report = try FollowUpsReport.compute(f.context(period: "2026-03", at: "2026-03-31"))
    // March touches ISO weeks W09 (03-01 is a Sunday) to W14 (03-30 to 04-05). Contacts
    // dated in March (02-28 and 04-02 are out):
    //   李强 03-01 (W09), 03-05 (W10), 03-10 03-13 (W11), 03-17 (W12) = 5
    //   王芳 03-02 (W10), 03-31 (W14) = 2
    //   吴磊 03-03 03-04 (W10) = 2, although he has left since
    let weeks = try report.section("by_week")
    #expect(
      weeks.table.columns.map(\.key).suffix(6) == [
        "2026-W09", "2026-W10", "2026-W11", "2026-W12", "2026-W13", "2026-W14",
      ])
    #expect(
      weeks.table.rows == [
        [.text("李强"), .text("华东一组"), .int(5), .int(1), .int(1), .int(2), .int(1), .int(0), .int(0)],
        [.text("王芳"), .text("华东一组"), .int(2), .int(0), .int(1), .int(0), .int(0), .int(0), .int(1)],
        [.text("吴磊"), .text("华东一组"), .int(2), .int(0), .int(2), .int(0), .int(0), .int(0), .int(0)],
      ])
    let heat = try #require(weeks.chart)
    #expect(heat.kind == .heat)
    #expect(heat.series.map(\.name) == ["李强", "王芳", "吴磊"])
    #expect(heat.series[0].values == [1, 1, 2, 1, 0, 0])
    // Channels: phone 03-02 03-03 03-04 03-13 = 4, email 03-10 03-31 = 2, sms 03-01, wechat
    // 03-05, visit 03-17: 9 in all.
    let channels: [[Cell]] = [
      [.text("phone"), .text("电话"), .int(4), .percent(4.0 / 9)],
      [.text("email"), .text("邮件"), .int(2), .percent(2.0 / 9)],
      [.text("sms"), .text("短信"), .int(1), .percent(1.0 / 9)],
      [.text("wechat"), .text("微信"), .int(1), .percent(1.0 / 9)],
      [.text("visit"), .text("拜访"), .int(1), .percent(1.0 / 9)],
    ]
    #expect(try report.rows("by_channel") == channels)
  }

  @Test func filters() throws {
    let f = try Self.history()
    let context = try f.context(period: "2026-03", at: "2026-03-31")
    context.owner = "S-0005"
    let mine = try FollowUpsReport.compute(context)
    // 李强's customers: C-0202, C-0204, C-0205 (churned), C-0209; his own contacts only.
    #expect(try mine.rows("overdue").isEmpty)
    #expect(try mine.rows("not_contacted").map { $0[0] } == [.text("C-0204")])
    #expect(try mine.rows("at_risk").map { $0[0] } == [.text("C-0204")])
    #expect(try mine.rows("by_week").map { [$0[0], $0[2]] } == [[.text("李强"), .int(5)]])
    let fifth: Cell = .percent(1.0 / 5)
    #expect(try mine.rows("by_channel").map { $0[3] } == [fifth, fifth, fifth, fifth, fifth])

    let other = try f.context(period: "2026-03", at: "2026-03-31")
    other.team = "华东二组"
    let nobody = try FollowUpsReport.compute(other)
    for section in nobody.sections { #expect(section.table.rows.isEmpty, "\(section.key)") }
  }

  @Test func listedAfterPipelineAndPlan() throws {
    let names = Reports.all.map { $0.name }
    let pipeline = try #require(names.firstIndex(of: "pipeline"))
    let plan = try #require(names.firstIndex(of: "plan"))
    let followUps = try #require(names.firstIndex(of: "followups"))
    #expect(pipeline + 1 == plan)
    #expect(plan + 1 == followUps)
  }

  @Test func emptyPeriod() throws {
    let f = try Self.history()
    let report = try FollowUpsReport.compute(f.context(period: "2025-01", at: "2025-01-31"))
    for section in report.sections { #expect(section.table.rows.isEmpty, "\(section.key)") }
    // The customers of 2025-01-31 are not known: the as-of lists say so instead of "(none)".
    for key in ["overdue", "not_contacted", "at_risk"] {
      #expect(try report.section(key).table.known == false)
      #expect(
        try report.section(key).unknowns == [
          "the history begins on 2026-01-01 (its first commit is the starting state): which customers stood at the end of 2025-01-31 is not known"
        ])
    }
    for format in ReportFormat.allCases { #expect(!ReportRenderer.render(report, as: format).isEmpty) }
  }
}
