import Foundation
import TallyTestSupport
import TallyText
import Testing

/// example-repo/ brought into git in one "import" commit at a fixed date — as a team that
/// starts using Tally with the records it already has — then changed by scripted commits.
final class ImportedRepository {
  let dir: TemporaryDirectory
  var path: String { dir.path }

  init(importedOn day: String) throws {
    dir = try copyOfExampleRepository()
    try git(["init", "-q", "-b", "main"])
    try commit(day, "import the team's records")
  }

  /// Rewrites a file of the working tree.
  func edit(_ relative: String, _ change: (String) -> String) throws {
    let before = try dir.read(relative)
    let after = change(before)
    if after == before { Issue.record("the edit of \(relative) changed nothing") }
    try dir.write(relative, after)
  }

  /// Commits everything at noon (+08:00) on `day`, as 许敏 (S-0003 of example-repo).
  func commit(_ day: String, _ message: String) throws {
    try git(["add", "-A"])
    try git(["commit", "-q", "--allow-empty", "-m", message], date: "\(day)T12:00:00+08:00")
  }

  /// `tally ARGUMENTS` with today fixed, standard output a pipe (and COLUMNS=100 set, as
  /// TallyProcess always does).
  func tally(_ arguments: [String], today: String = "2026-11-20") throws -> ProcessResult {
    try TallyProcess.run(arguments, in: path, environment: ["TALLY_TODAY": today])
  }

  /// `tally report ARGUMENTS --format json`, decoded, for reading single figures.
  func json(_ arguments: [String], today: String = "2026-11-20") throws -> ReportJSON {
    let result = try tally(["report"] + arguments + ["--format", "json"], today: today)
    #expect(result.status == 0, "\(result.stderr)")
    return try ReportJSON(result.stdoutBytes)
  }

  @discardableResult
  func git(_ arguments: [String], date: String = "2026-07-15T12:00:00+08:00") throws -> ProcessResult {
    let result = try TallyProcess.runProgram(
      "git", arguments, in: path,
      environment: [
        "GIT_AUTHOR_NAME": "许敏", "GIT_AUTHOR_EMAIL": "xumin@huadong.example", "GIT_COMMITTER_NAME": "许敏",
        "GIT_COMMITTER_EMAIL": "xumin@huadong.example", "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date,
      ])
    if result.status != 0 { Issue.record("git \(arguments.joined(separator: " ")) failed: \(result.stderr)") }
    return result
  }
}

/// A report's JSON output, with lookups by section and column key.
struct ReportJSON {
  let object: [String: Any]

  init(_ bytes: [UInt8]) throws {
    object = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]) as? [String: Any] ?? [:]
  }

  func section(_ key: String) -> [String: Any] {
    let sections = object["sections"] as? [[String: Any]] ?? []
    guard let found = sections.first(where: { $0["key"] as? String == key }) else {
      Issue.record("no section '\(key)'")
      return [:]
    }
    return found
  }

  func rows(_ key: String) -> [[String: Any]] { section(key)["rows"] as? [[String: Any]] ?? [] }
  func notes(_ key: String) -> [String] { section(key)["notes"] as? [String] ?? [] }

  /// The first row of a section whose `column` is `value`.
  func row(_ key: String, where column: String, is value: String) -> [String: Any]? {
    rows(key).first { $0[column] as? String == value }
  }
}

/// The display width of every line of `text`.
func lineWidths(_ text: String) -> [Int] {
  text.split(separator: "\n").map { DisplayWidth.of($0) }
}

@Suite("tally report / blame tables (end to end)")
struct ReportCommandTests {
  // MARK: Output into a pipe or a file is not cut (issue 18, item 7)

  @Test func aReportIntoAPipeCutsNothingEvenWithColumnsSet() throws {
    let repo = try ImportedRepository(importedOn: "2026-07-15")
    let piped = try repo.tally(["report", "pipeline", "--period", "2026-Q4"])
    #expect(piped.status == 0, "\(piped.stderr)")
    // COLUMNS=100 is set, but standard output is a pipe: every team whole.
    #expect(!piped.stdout.contains("…"))
    #expect(piped.stdout.contains("\n  黄少华    华东一组                 8"))
    #expect((lineWidths(piped.stdout).max() ?? 0) > 100)

    let fitted = try repo.tally(["report", "pipeline", "--period", "2026-Q4", "--width", "100"])
    #expect(fitted.status == 0, "\(fitted.stderr)")
    // By owner: the titles wrap and the teams are cut; its nine columns of numbers, which
    // are never cut, keep it one column wider than asked.
    let byOwner = fitted.stdout.split(separator: "\n").filter { $0.hasPrefix("  黄少华") || $0.hasPrefix("  邓丽华") }
    #expect(byOwner.count == 2)
    #expect(byOwner.allSatisfy { $0.contains("  华东…  ") && DisplayWidth.of($0) == 101 }, "\(byOwner)")
  }

  @Test func aReportIntoAPipeKeepsItsColumnsAlignedByDisplayWidth() throws {
    let repo = try ImportedRepository(importedOn: "2026-07-15")
    let piped = try repo.tally(["report", "followups", "--period", "2026-11", "--at", "2026-11-20"])
    // In "Customers at risk", the last-contact date starts at the same display column on
    // every row, whatever the width of the Chinese names before it.
    let lines = piped.stdout.split(separator: "\n").map(String.init)
    guard let header = lines.firstIndex(where: { $0.hasPrefix("  Customer") && $0.contains("Open complaints") }) else {
      Issue.record("no Customers at risk table:\n\(piped.stdout)")
      return
    }
    let dateColumn = lines[header].range(of: "Last contact").map { DisplayWidth.of(lines[header][..<$0.lowerBound]) }
    let rows = lines[(header + 2)...].prefix { $0.hasPrefix("  C-") }
    #expect(rows.count > 20)
    #expect(Set(rows.map { DisplayWidth.of($0.prefix(12)) }).count == 1)
    for row in rows {
      guard let date = row.firstRange(of: /\s\s20[0-9][0-9]-[0-9][0-9]-[0-9][0-9]\s\s/) else {
        Issue.record("no date in \(row)")
        continue
      }
      #expect(DisplayWidth.of(row[..<date.lowerBound]) + 2 == dateColumn, "\(row)")
    }
  }

  @Test func followUpReasonsAreWholeInAPipe() throws {
    let repo = try ImportedRepository(importedOn: "2026-07-15")
    let piped = try repo.tally(["report", "followups", "--period", "2026-11", "--at", "2026-11-20"])
    #expect(piped.status == 0, "\(piped.stderr)")
    #expect(piped.stdout.contains("no contact for 127 days"))
    #expect(!piped.stdout.contains("…"))
    let fitted = try repo.tally(["report", "followups", "--period", "2026-11", "--at", "2026-11-20", "--width", "80"])
    let atRisk = fitted.stdout.split(separator: "\n").filter { $0.hasPrefix("  C-") && $0.contains("no contact") }
    #expect(!atRisk.isEmpty)
    #expect(atRisk.allSatisfy { $0.hasSuffix("…") && DisplayWidth.of($0) <= 80 })
  }

  @Test func theListOfReportsIsWholeInAPipe() throws {
    let repo = try ImportedRepository(importedOn: "2026-07-15")
    let piped = try repo.tally(["report", "--list"])
    #expect(piped.status == 0)
    #expect(piped.stdout.contains("win-backs and churn with reasons\n"))
    let fitted = try repo.tally(["report", "--list", "--width", "70"])
    #expect(fitted.status == 0)
    #expect(!fitted.stdout.contains("win-backs and churn with reasons"))
    #expect((lineWidths(fitted.stdout).max() ?? 0) <= 70)
  }

  @Test func blameShowsWholeValuesInAPipe() throws {
    let repo = try ImportedRepository(importedOn: "2026-07-15")
    try repo.edit("customers/C-0001.yaml") {
      $0.replacing(
        "  - date: 2026-10-08\n",
        with:
          "  - date: 2026-10-08\n    summary: |\n      对方在比价，周一再沟通报价；要求我们提供与三家竞争对手的详细功能对比表和三年总价\n      第二行：周五前回复\n"
      ).replacing("    summary: 对方在比价，周一再沟通报价\n", with: "")
    }
    try repo.commit("2026-10-08", "C-0001: a longer note")
    let piped = try repo.tally(["blame", "customer/C-0001"])
    #expect(piped.status == 0, "\(piped.stderr)")
    #expect(!piped.stdout.contains("…"))
    // The multi-line value: its first line on the field's row, the second under it.
    let lines = piped.stdout.split(separator: "\n").map(String.init)
    guard let row = lines.firstIndex(where: { $0.contains("follow_ups[3].summary") }) else {
      Issue.record("no summary row:\n\(piped.stdout)")
      return
    }
    #expect(lines[row].hasSuffix("  对方在比价，周一再沟通报价；要求我们提供与三家竞争对手的详细功能对比表和三年总价"))
    let valueColumn = DisplayWidth.of(lines[row].prefix { $0 != "对" })
    #expect(lines[row + 1] == String(repeating: " ", count: valueColumn) + "第二行：周五前回复")

    let fitted = try repo.tally(["blame", "customer/C-0001", "--width", "80"])
    #expect(fitted.stdout.contains("…"))
    #expect((lineWidths(fitted.stdout).max() ?? 0) <= 80)
  }

  @Test func aNegativeWidthIsAUsageError() throws {
    let repo = try ImportedRepository(importedOn: "2026-07-15")
    let result = try repo.tally(["report", "roster", "--width", "-1"])
    #expect(result.status == 64)
    #expect(result.stderr.contains("--width"))
  }

  // MARK: Filters that name nobody; teams in natural order (issue 18, item 10)

  @Test func anUnknownTeamIsAUsageErrorWithTheLikelyTeamOnEveryReport() throws {
    let repo = try ImportedRepository(importedOn: "2026-07-15")
    for report in ["roster", "pipeline", "plan", "followups", "complaints", "meetings", "activity"] {
      let result = try repo.tally(["report", report, "--period", "2026-Q3", "--team", "华东2组"])
      #expect(result.status == 64, "\(report): \(result.stdout)")
      #expect(result.stdout.isEmpty, "\(report)")
      #expect(result.stderr.contains("--team: no team '华东2组' in the staff records (did you mean 华东二组?)"), "\(report)")
    }
    let known = try repo.tally(["report", "pipeline", "--period", "2026-Q3", "--team", "华东二组"])
    #expect(known.status == 0)
  }

  @Test func anUnknownOwnerIsAUsageErrorWithTheLikelyPerson() throws {
    let repo = try ImportedRepository(importedOn: "2026-07-15")
    let typo = try repo.tally(["report", "meetings", "--period", "2026-Q3", "--owner", "S-003"])
    #expect(typo.status == 64)
    #expect(typo.stderr.contains("--owner: no staff member 'S-003' in the staff records (did you mean S-0003 (许敏)?)"))
    let name = try repo.tally(["report", "plan", "--period", "2026-Q3", "--owner", "许敏"])
    #expect(name.status == 64)
    #expect(name.stderr.contains("(did you mean S-0003 (许敏)?)"))
  }

  @Test func teamsAreListedInNaturalOrder() throws {
    let repo = try ImportedRepository(importedOn: "2026-07-15")
    // 华东三组's lead now reports to the supervisor of 华东一组 and 华东二组: the tree alone
    // would list 一, 三, 二, 四.
    try repo.edit("staff/S-0006.yaml") { $0.replacing("reports_to: S-0003", with: "reports_to: S-0002") }
    try repo.commit("2026-08-03", "S-0006 reports to S-0002")
    let roster = try repo.json(["roster", "--at", "2026-09-30"])
    #expect(
      roster.rows("by_team").compactMap { $0["team"] as? String } == [
        "华东销售中心", "华东一组", "华东二组", "华东三组", "华东四组",
      ])
    let pipeline = try repo.json(["pipeline", "--period", "2026-Q3"])
    #expect(
      pipeline.rows("by_team").compactMap { $0["team"] as? String } == ["华东一组", "华东二组", "华东三组", "华东四组"])
    var teams: [String] = []
    for row in pipeline.rows("by_owner") {
      if let team = row["team"] as? String, teams.last != team { teams.append(team) }
    }
    #expect(teams == ["华东一组", "华东二组", "华东三组", "华东四组"])
  }

  // MARK: A team's first day: the import commit is the starting state (issue 18, item 9)

  @Test func theRosterBeforeTheFirstCommitIsNotKnownInEveryFormat() throws {
    let repo = try ImportedRepository(importedOn: "2026-07-01")
    let why =
      "the history begins on 2026-07-01 (its first commit is the starting state): who was on staff at the end of 2026-06-30 is not known"
    let table = try repo.tally(["report", "roster", "--at", "2026-06-30"])
    #expect(table.status == 0, "\(table.stderr)")
    #expect(!table.stdout.contains("0 on staff"))
    #expect(table.stdout.contains("Organisation at 2026-06-30\n  (not known)\n  \(why)\n"))
    #expect(table.stdout.contains("  经理           ?\n"))

    let json = try repo.json(["roster", "--at", "2026-06-30"])
    #expect(json.section("tree")["rows"] is NSNull)
    #expect(json.section("by_team")["rows"] is NSNull)
    #expect(json.rows("by_role").count == 5)
    #expect(json.rows("by_role").allSatisfy { $0["people"] is NSNull })
    #expect(json.notes("by_role") == [why])

    let csv = try repo.tally(["report", "roster", "--at", "2026-06-30", "--format", "csv"])
    #expect(csv.stdout.contains("Role,People\r\n# \(why)\r\n经理,?\r\n"))
    let markdown = try repo.tally(["report", "roster", "--at", "2026-06-30", "--format", "md"])
    #expect(markdown.stdout.contains("## Organisation at 2026-06-30\n\n(not known)\n\n- \(why)\n"))
    #expect(markdown.stdout.contains("| 经理 | ? |"))
    let html = try repo.tally(["report", "roster", "--at", "2026-06-30", "--format", "html"])
    #expect(html.stdout.contains("<p class=\"note\">(not known)</p>\n</div>\n<p class=\"note unknown\">\(why)</p>"))
    #expect(html.stdout.contains("<td>经理</td><td class=\"n\">?</td>"))

    // From the import on, the roster is known.
    let known = try repo.json(["roster", "--at", "2026-07-01"])
    #expect(json.notes("tree") == [why])
    #expect(known.notes("tree").first?.hasPrefix("31 on staff at the end of 2026-07-01") == true)
  }

  /// 华东二组's whole-team target for 2026-Q3 (P-2026Q3-03, 沈斌, 14 new customers): after
  /// the import on the quarter's first day, C-0018 (a prospect of 彭梦琪) becomes active on
  /// 08-10 and C-0282 is added as active for 诸葛涛 on 08-20. Those two are the quarter's
  /// new customers; the customers already active in the import are not.
  @Test func customersOfTheImportAreNotNewCustomers() throws {
    let repo = try ImportedRepository(importedOn: "2026-07-01")
    try repo.edit("customers/C-0018.yaml") {
      $0.replacing("status: prospect\n", with: "status: active\n")
        + "orders:\n  - date: 2026-08-10\n    product: 云呼叫中心\n    amount: 12000.00\n"
    }
    try repo.commit("2026-08-10", "C-0018 signs")
    try repo.dir.write(
      "customers/C-0282.yaml",
      "name: 宁波新签科技有限公司\nindustry: internet\ntier: B\nstatus: active\nowner: S-0015\ncontacts:\n  - name: 王磊\norders:\n  - date: 2026-08-20\n    product: 云呼叫中心\n    amount: 8000.00\n"
    )
    try repo.commit("2026-08-20", "C-0282, a new customer")
    #expect(try repo.tally(["check"]).status == 0)

    let plan = try repo.json(["plan", "--period", "2026-Q3"])
    let line = plan.rows("targets").first {
      $0["plan"] as? String == "P-2026Q3-03" && $0["metric"] as? String == "新成交客户数"
    }
    #expect(line?["assignee"] as? String == "沈斌")
    #expect(line?["counts"] as? String == "whole team")
    #expect(line?["actual"] as? Int == 2)
    #expect(line?["attainment"] as? Double == 0.1429)
    let table = try repo.tally(["report", "plan", "--period", "2026-Q3"])
    #expect(!table.stdout.contains("107.1%"))

    // The pipeline agrees: the import is not 280 additions, and the quarter's start (the
    // day before the import) is not known.
    let pipeline = try repo.json(["pipeline", "--period", "2026-Q3"])
    #expect(pipeline.rows("transitions").count == 2)
    #expect(pipeline.rows("by_status").allSatisfy { $0["start"] is NSNull && $0["change"] is NSNull })
    #expect(pipeline.row("by_status", where: "status", is: "total")?["end"] as? Int == 281)
    let team2 = pipeline.row("by_team", where: "team", is: "华东二组")
    #expect(team2?["added"] as? Int == 1)
    #expect(team2?["new_active"] as? Int == 2)
  }

  @Test func newCustomersOfAPeriodThatBeganBeforeTheHistoryAreNotKnown() throws {
    let repo = try ImportedRepository(importedOn: "2026-07-15")
    let plan = try repo.json(["plan", "--period", "2026-Q3"])
    let newCustomers = plan.rows("targets").filter { $0["metric"] as? String == "新成交客户数" }
    #expect(!newCustomers.isEmpty)
    #expect(newCustomers.allSatisfy { $0["actual"] is NSNull && $0["attainment"] is NSNull })
    #expect(
      plan.notes("targets").last
        == "the history begins on 2026-07-15 (its first commit is the starting state): which customers became new customers in 2026-Q3 before it is not known; customers already in that commit are the starting state, never new customers"
    )
    // Revenue comes from dated orders: it is known.
    let revenue = plan.rows("targets").filter { $0["metric"] as? String == "销售额" }
    #expect(!revenue.isEmpty && revenue.allSatisfy { $0["actual"] is String })
    let table = try repo.tally(["report", "plan", "--period", "2026-Q3"])
    #expect(
      table.stdout.contains("  P-2026Q3-03   新成交客户数  沈斌      华东二组  whole team         14          ?           ?\n"))
  }

  @Test func daysOpenOfTheCurrentQuarterAreCountedToToday() throws {
    let repo = try ImportedRepository(importedOn: "2026-07-01")
    // C-0055's complaint of 2026-10-29 is still open on 2026-11-20, inside 2026-Q4.
    let report = try repo.json(["complaints", "--period", "2026-Q4"], today: "2026-11-20")
    let open = report.rows("open")
    #expect(open.count == 1)
    #expect(open.first?["date"] as? String == "2026-10-29")
    #expect(open.first?["days_open"] as? Int == 22)
    #expect(
      report.section("open")["title"] as? String
        == "Open complaints at 2026-11-20 (today; the period ends on 2026-12-31)")
    // A quarter that has ended counts to its end.
    let ended = try repo.json(["complaints", "--period", "2026-Q4"], today: "2027-01-10")
    #expect(ended.rows("open").first?["days_open"] as? Int == 63)
  }

  /// An action item of 2026-05-11, done on 05-14 as the import has it, set back to open on
  /// 07-10: May counts it done, June does not list it (closed before June), July counts it
  /// open and overdue — each period by the state it was in, not by its status now.
  @Test func aReopenedActionItemCountsByItsStateInEachPeriod() throws {
    let repo = try ImportedRepository(importedOn: "2026-07-01")
    try repo.edit("minutes/2026-05-11-weekly-east1.yaml") {
      $0.replacing(
        "    due: 2026-05-14\n    status: done\n    done_on: 2026-05-14\n  - task: 整理本月成交客户清单",
        with: "    due: 2026-05-14\n    status: open\n  - task: 整理本月成交客户清单")
    }
    try repo.commit("2026-07-10", "the demo material is not done after all")
    func state(_ period: String) throws -> [String: Any]? {
      try repo.json(["meetings", "--period", period]).rows("action_items").first {
        $0["task"] as? String == "准备锦纳供应链管理的演示材料" && ($0["meeting"] as? String)?.hasPrefix("2026-05-11") == true
      }
    }
    #expect(try state("2026-05")?["state"] as? String == "done")
    #expect(try state("2026-05")?["closed"] as? String == "2026-05-14")
    #expect(try state("2026-06") == nil)
    #expect(try state("2026-07")?["state"] as? String == "overdue")
    let may = try repo.json(["meetings", "--period", "2026-05", "--owner", "S-0008"])
    #expect(may.rows("action_items_by_owner").first?["overdue"] as? Int == 0)
  }

  // MARK: log and diff cut values only when asked to fit (issue 18, item 7)

  @Test func logAndDiffShowValuesWholeInAPipe() throws {
    let repo = try ImportedRepository(importedOn: "2026-07-15")
    let long = "对方在比价，周一再沟通报价；要求我们提供与三家竞争对手的详细功能对比表和三年总价以及客户案例"
    try repo.edit("customers/C-0001.yaml") {
      $0.replacing("    summary: 对方在比价，周一再沟通报价\n", with: "    summary: \(long)\n")
        + "needs: |\n  第一行\n  第二行\n"
    }
    try repo.commit("2026-10-09", "C-0001: a longer summary and needs")
    let log = try repo.tally(["log", "customer/C-0001"])
    #expect(log.status == 0, "\(log.stderr)")
    #expect(log.stdout.contains("    follow_ups[3].summary: 对方在比价，周一再沟通报价 → \(long)\n"))
    #expect(log.stdout.contains("    + needs: \"第一行\\n第二行\\n\"\n"))
    let diff = try repo.tally(["diff", "HEAD~1..HEAD"])
    #expect(diff.stdout.contains("      follow_ups[3].summary: 对方在比价，周一再沟通报价 → \(long)\n"))

    let fitted = try repo.tally(["log", "customer/C-0001", "--width", "80"])
    #expect(fitted.stdout.contains("    follow_ups[3].summary: 对方在比价，周一再沟通报价 → \(long.prefix(34))…\n"))
    #expect(fitted.stdout.contains("    + needs: 第一行\n"))
  }
}
