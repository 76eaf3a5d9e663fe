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
    let piped = try repo.tally(["report", "pipeline", "--period", "2026-Q3"])
    #expect(piped.status == 0, "\(piped.stderr)")
    // COLUMNS=100 is set, but standard output is a pipe: names, teams and reasons whole.
    #expect(!piped.stdout.contains("…"))
    #expect(piped.stdout.contains("上海安纳食品有限公司"))
    #expect(piped.stdout.contains("华东三组"))
    #expect((lineWidths(piped.stdout).max() ?? 0) > 100)

    let fitted = try repo.tally(["report", "pipeline", "--period", "2026-Q3", "--width", "100"])
    #expect(fitted.status == 0, "\(fitted.stderr)")
    #expect(fitted.stdout.contains("上海安纳食品有限…"))
    let transitions = fitted.stdout.split(separator: "\n").filter { $0.hasPrefix("  2026-07-15  C-") }
    #expect(transitions.count > 100)
    #expect(transitions.allSatisfy { DisplayWidth.of($0) <= 100 })
  }

  @Test func aReportIntoAPipeKeepsItsColumnsAlignedByDisplayWidth() throws {
    let repo = try ImportedRepository(importedOn: "2026-07-15")
    let piped = try repo.tally(["report", "pipeline", "--period", "2026-Q3"])
    // In "Status changes", the Owner column starts at the same display column on every row,
    // whatever the width of the Chinese names before it.
    let lines = piped.stdout.split(separator: "\n").map(String.init)
    guard let header = lines.firstIndex(where: { $0.hasPrefix("  Date") && $0.contains("Churn reason") }) else {
      Issue.record("no Status changes table:\n\(piped.stdout)")
      return
    }
    func column(of text: String, in line: String) -> Int? {
      line.range(of: text).map { DisplayWidth.of(line[..<$0.lowerBound]) }
    }
    let ownerColumn = column(of: "Owner", in: lines[header])
    let rows = lines[(header + 2)...].prefix { $0.hasPrefix("  2026-") }
    #expect(rows.count > 100)
    var compared = 0
    for row in rows {
      // The owner is the first cell after the "To" status (a Chinese label).
      for label in ["意向客户", "沉睡客户", "成交客户", "流失客户", "线索"] {
        guard let at = row.range(of: "  \(label)  ") else { continue }
        let afterLabel = row[at.upperBound...].drop { $0 == " " }
        #expect(DisplayWidth.of(row[..<afterLabel.startIndex]) == ownerColumn, "\(row)")
        compared += 1
        break
      }
    }
    #expect(compared == rows.count)
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
}
