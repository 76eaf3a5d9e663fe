import Foundation
import TallyGit
import TallyHistory
import TallyRecords
import TallySchema
import TallyTestSupport
import TallyText
import Testing

@testable import TallyReports

/// A records repository with a history written by a test: real git commits at fixed dates
/// by fixed people, then a ``ReportContext`` over it, as `tally report` builds one.
///
///     let f = try ReportFixture()
///     try f.commit("2026-01-05", by: "S-0012", ["customers/C-0001.yaml": "name: …\n"])
///     try f.commit("2026-02-01", ["customers/C-0001.yaml": nil])   // delete
///     let report = try PipelineReport.compute(f.context(period: "2026-Q1"))
final class ReportFixture {
  let dir: TemporaryDirectory
  var path: String { dir.path }
  /// Staff written by ``init(staff:)``: id → (name, email).
  var people: [String: (name: String, email: String)] = [:]

  /// A repository with the shipped schemas and `tally.yaml` (Asia/Shanghai, CNY,
  /// follow_up_intervals A 14, B 30, C 60), git initialised on `main`, nothing committed.
  init() throws {
    dir = try TemporaryDirectory(prefix: "tally-report")
    let schemaDirectory = Golden.directory() + "/../../schema"
    for name in ["staff", "customer", "plan", "minutes"] {
      try dir.write("schema/\(name).yaml", String(contentsOfFile: "\(schemaDirectory)/\(name).yaml", encoding: .utf8))
    }
    try dir.write(
      "tally.yaml",
      "version: 1\nschema_dir: schema\ntime_zone: Asia/Shanghai\ncurrency: CNY\nfollow_up_intervals:\n  A: 14\n  B: 30\n  C: 60\n"
    )
    try run(["init", "-q", "-b", "main"])
  }

  /// Writes (or, for nil, deletes) `files` and commits them at noon (+08:00) on `day`,
  /// authored by the staff member `by` (their email, so the history maps it back) or by an
  /// outsider. Returns the commit id.
  @discardableResult
  func commit(
    _ day: String, by author: String? = nil, _ files: [String: String?], message: String? = nil
  ) throws -> String {
    for (relative, content) in files {
      if let content {
        try dir.write(relative, content)
      } else {
        try? FileManager.default.removeItem(atPath: path + "/" + relative)
      }
    }
    try run(["add", "-A"])
    let person = author.flatMap { people[$0] }
    let name = person?.name ?? "外部人员"
    let email = person?.email ?? "outsider@example.org"
    let date = "\(day)T12:00:00+08:00"
    try run(
      ["commit", "-q", "--allow-empty", "-m", message ?? "change on \(day)"],
      environment: [
        "GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_NAME": name,
        "GIT_COMMITTER_EMAIL": email, "GIT_COMMITTER_DATE": date,
      ])
    return try run(["rev-parse", "HEAD"]).trimmingCharacters(in: .whitespacesAndNewlines)
  }

  /// A staff record's text (and remembers the person for authorship).
  func staff(
    _ id: String, _ name: String, role: String, team: String, reportsTo: String?, joined: String = "2020-01-01",
    left: String? = nil
  ) -> String {
    let email = "\(id.lowercased())@example.cn"
    people[id] = (name, email)
    var text = "name: \(name)\nrole: \(role)\nteam: \(team)\n"
    if let reportsTo { text += "reports_to: \(reportsTo)\n" }
    text += "email: \(email)\njoined: \(joined)\n"
    if let left { text += "left: \(left)\nstatus: left\n" } else { text += "status: active\n" }
    return text
  }

  /// The standard small team: a manager, a supervisor, a team lead, two sales reps and a
  /// customer-service rep in the lead's team (S-0001 … S-0006), as files to commit.
  func team() -> [String: String?] {
    [
      "staff/S-0001.yaml": staff("S-0001", "陈建国", role: "manager", team: "华东销售中心", reportsTo: nil),
      "staff/S-0002.yaml": staff("S-0002", "刘洋", role: "supervisor", team: "华东销售中心", reportsTo: "S-0001"),
      "staff/S-0003.yaml": staff("S-0003", "张伟", role: "team_lead", team: "华东一组", reportsTo: "S-0002"),
      "staff/S-0004.yaml": staff("S-0004", "王芳", role: "sales_rep", team: "华东一组", reportsTo: "S-0003"),
      "staff/S-0005.yaml": staff("S-0005", "李强", role: "sales_rep", team: "华东一组", reportsTo: "S-0003"),
      "staff/S-0006.yaml": staff("S-0006", "赵敏", role: "cs_rep", team: "华东一组", reportsTo: "S-0003"),
    ]
  }

  /// The context `tally report` would build at HEAD, with `today` fixed.
  func context(period: String? = nil, at: String? = nil, today: String = "2026-12-31") throws -> ReportContext {
    let records = try RecordsRepository.open(root: path, from: path, displayBase: path)
    let git = try Repository.discover(from: path)
    let history = History(records: records, git: git, prefix: "")
    history.persistent = false
    let commits = try history.changes(try history.commits("HEAD"))
    let context = ReportContext(
      history: history, text: ChangeText(records: records, people: People.load(records)),
      commit: try git.commit("HEAD"), commits: commits, today: CivilDate(today)!)
    if let period { context.period = Period.parse(period)! }
    if let at { context.at = CivilDate(at)! }
    return context
  }

  /// `tally check` must pass on what a test commits, or the test is about invalid data.
  func expectValid(sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
    let records = try RecordsRepository.open(root: path, from: path, displayBase: path)
    let report = try RepositoryChecker(repository: records, today: CivilDate("2026-12-31")!)
      .check(WorkingTreeSource(root: path))
    #expect(
      report.errorCount == 0, "\(report.diagnostics.map { "\($0.path):\($0.range?.description ?? "") \($0.message)" })",
      sourceLocation: sourceLocation)
  }

  @discardableResult
  func run(_ arguments: [String], environment: [String: String] = [:]) throws -> String {
    let result = try TallyProcess.runProgram("git", arguments, in: path, environment: environment)
    if result.status != 0 { Issue.record("git \(arguments.joined(separator: " ")) failed: \(result.stderr)") }
    return result.stdout
  }
}
