import Foundation
import TallyTestSupport
import Testing

/// A small records repository with the shipped telesales schemas.
func makeTeamRepository() throws -> TemporaryDirectory {
  let dir = try TemporaryDirectory()
  let schemaDirectory = Golden.directory() + "/../../schema"
  for name in ["staff", "customer", "plan", "minutes"] {
    try dir.write("schema/\(name).yaml", String(contentsOfFile: "\(schemaDirectory)/\(name).yaml", encoding: .utf8))
  }
  try dir.write("tally.yaml", "version: 1\nschema_dir: schema\ntime_zone: Asia/Shanghai\ncurrency: CNY\n")
  try dir.write(
    "staff/S-0001.yaml",
    """
    name: 陈建国
    role: manager
    team: 华东销售中心
    email: chen@example.cn
    joined: 2019-04-01
    status: active

    """)
  try dir.write(
    "staff/S-0002.yaml",
    """
    name: 刘洋
    role: supervisor
    team: 华东销售中心
    reports_to: S-0001
    email: liu@example.cn
    joined: 2020-03-01
    status: active

    """)
  try dir.write(
    "staff/S-0003.yaml",
    """
    name: 张伟
    role: team_lead
    team: 华东一组
    reports_to: S-0002
    email: zhang@example.cn
    joined: 2021-05-10
    status: active

    """)
  try dir.write(
    "staff/S-0012.yaml",
    """
    name: 王芳
    role: sales_rep
    team: 华东一组
    reports_to: S-0003
    email: wang@example.cn
    phone: '13801000012'
    joined: 2024-07-15
    status: active

    """)
  try dir.write(
    "customers/C-0042.yaml",
    """
    name: 上海华信贸易有限公司
    industry: trade
    tier: A
    status: prospect
    owner: S-0012
    source: referral
    contacts:
      - name: 李强
        title: 采购经理
        phone: '13900001111'
    follow_ups:
      - date: 2026-03-02
        by: S-0012
        channel: phone
        summary: 介绍智能客服系统，客户表示有兴趣
        outcome: interested
        next_contact: 2026-03-09

    """)
  return dir
}

@Suite("tally check (end to end)")
struct CheckCommandTests {
  @Test func aValidRepositoryHasNoProblems() throws {
    let dir = try makeTeamRepository()
    let result = try TallyProcess.run(["check"], in: dir.path)
    #expect(result.status == 0, "\(result.stdout)")
    #expect(result.stdout == "checked 5 records: no problems\n")
  }

  @Test func everyProblemIsReportedCompilerStyle() throws {
    let dir = try makeTeamRepository()
    try dir.write(
      "customers/C-0043.yaml",
      """
      name: 杭州明远电子科技有限公司
      industry: 电子
      tier: A
      stauts: prospect
      owner: S-0099
      contacts:
        - name: 赵敏
          phone: '12'
      follow_ups:
        - date: 2026-02-30
          by: S-0003
          channel: phone
          summary: 发送资料
          next_contact: 2026-03-01

      """)
    let result = try TallyProcess.run(["check"], in: dir.path)
    #expect(result.status == 1)
    Golden.check(result.stdout, against: Golden.directory() + "/Golden/check/several-problems.txt")
  }

  @Test func jsonOutputIsStable() throws {
    let dir = try makeTeamRepository()
    try dir.write(
      "customers/C-0043.yaml",
      "name: 明远\nindustry: trade\ntier: D\nstatus: lead\nowner: S-0012\ncontacts:\n  - name: 赵敏\n")
    let result = try TallyProcess.run(["check", "--format", "json"], in: dir.path)
    #expect(result.status == 1)
    let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    #expect(json["version"] as? Int == 1)
    #expect(json["records"] as? Int == 6)
    #expect(json["errors"] as? Int == 1)
    let diagnostics = try #require(json["diagnostics"] as? [[String: Any]])
    #expect(diagnostics.count == 1)
    let first = diagnostics[0]
    #expect(first["file"] as? String == "customers/C-0043.yaml")
    #expect(first["line"] as? Int == 3)
    #expect(first["column"] as? Int == 7)
    #expect(first["end_line"] as? Int == 3)
    #expect(first["end_column"] as? Int == 8)
    #expect(first["severity"] as? String == "error")
    #expect(first["code"] as? String == "not-in-enum")
    #expect(first["field"] as? String == "tier")
    #expect((first["hint"] as? String)?.hasPrefix("allowed: A, B, C") == true)
  }

  @Test func githubAnnotations() throws {
    let dir = try makeTeamRepository()
    try dir.write(
      "customers/C-0043.yaml",
      "name: 明远\nindustry: trade\ntier: D\nstatus: lead\nowner: S-0012\ncontacts:\n  - name: 赵敏\n")
    let result = try TallyProcess.run(["check", "--format", "github"], in: dir.path)
    #expect(result.status == 1)
    #expect(
      result.stdout.hasPrefix(
        "::error file=customers/C-0043.yaml,line=3,col=7,endLine=3,endColumn=8,title=tally not-in-enum::'tier': 'D' is not one of the allowed values%0Aallowed: A, B, C"
      ))
  }

  @Test func warningsPassUnlessStrict() throws {
    let dir = try makeTeamRepository()
    try dir.write("customers/notes.txt", "remember to call\n")
    try dir.write("archive/customers/C-0001.yaml", "name: old\n")
    let result = try TallyProcess.run(["check"], in: dir.path)
    #expect(result.status == 0)
    #expect(result.stdout.contains("archive/customers/C-0001.yaml: warning[unassigned-file]"))
    #expect(result.stdout.contains("customers/notes.txt: warning[stray-file]"))
    #expect(result.stdout.hasSuffix("checked 5 records: 2 warnings\n"))
    #expect(try TallyProcess.run(["check", "--strict"], in: dir.path).status == 1)
  }

  @Test func recordsInSubdirectoriesAreErrors() throws {
    let dir = try makeTeamRepository()
    try dir.write("customers/2026/C-0050.yaml", "name: x\n")
    let result = try TallyProcess.run(["check"], in: dir.path)
    #expect(result.status == 1)
    #expect(result.stdout.contains("customers/2026/C-0050.yaml: error[nested-directory]"))
  }

  @Test func pathsNarrowTheReportButReferencesStillResolve() throws {
    let dir = try makeTeamRepository()
    try dir.write("staff/S-0020.yaml", "name: 孙\nrole: sales_rep\n")
    let only = try TallyProcess.run(["check", "customers/C-0042.yaml"], in: dir.path)
    #expect(only.status == 0, "\(only.stdout)")
    let all = try TallyProcess.run(["check"], in: dir.path)
    #expect(all.status == 1)
    #expect(all.stdout.contains("staff/S-0020.yaml"))
  }

  @Test func fromASubdirectoryPathsAreRelativeToIt() throws {
    let dir = try makeTeamRepository()
    try dir.write(
      "customers/C-0043.yaml",
      "name: 明远\nindustry: trade\ntier: D\nstatus: lead\nowner: S-0012\ncontacts:\n  - name: 赵敏\n")
    let result = try TallyProcess.run(["check"], in: dir.path + "/customers")
    #expect(result.stdout.hasPrefix("C-0043.yaml:3:7: error[not-in-enum]"))
  }

  @Test func configurationProblems() throws {
    let dir = try makeTeamRepository()
    try dir.write("tally.yaml", "version: 1\ntime_zone: Mars/Olympus\ncurency: CNY\n")
    let result = try TallyProcess.run(["check"], in: dir.path)
    #expect(result.status == 1)
    #expect(
      result.stdout.contains("tally.yaml:2:12: error[config-bad-value]: 'Mars/Olympus' is not a time zone Tally knows"))
    #expect(
      result.stdout.contains("tally.yaml:3:1: error[config-unknown-key]: unknown setting 'curency' in tally.yaml"))
    #expect(result.stdout.contains("did you mean 'currency'?"))
  }

  @Test func outsideARepositoryIsAFailure() throws {
    let dir = try TemporaryDirectory()
    let result = try TallyProcess.run(["check"], in: dir.path)
    #expect(result.status == 2)
    #expect(result.stderr.contains("no records repository here"))
  }

  @Test func transitionsAgainstARevision() throws {
    let dir = try makeTeamRepository()
    try git(["init", "-q", "-b", "main"], in: dir.path)
    try git(["add", "-A"], in: dir.path)
    try git(["commit", "-q", "-m", "team"], in: dir.path)
    var text = try dir.read("customers/C-0042.yaml")
    text = text.replacing("status: prospect", with: "status: dormant")
    try dir.write("customers/C-0042.yaml", text)
    try dir.write(
      "customers/C-0044.yaml",
      "name: 新客户\nindustry: trade\ntier: C\nstatus: dormant\nowner: S-0012\ncontacts:\n  - name: 周\n")
    let result = try TallyProcess.run(["check", "--against", "HEAD"], in: dir.path)
    #expect(result.status == 1)
    #expect(
      result.stdout.contains(
        "customers/C-0042.yaml:4:9: error[transition]: 'status' cannot change from 'prospect' to 'dormant' (it was 'prospect' in HEAD)"
      ))
    #expect(result.stdout.contains("from 'prospect' it may change to: active, lead, churned"))
    #expect(result.stdout.contains("customers/C-0044.yaml:4:9: error[initial-state]"))
    // Without --against, no version to compare with.
    #expect(!(try TallyProcess.run(["check"], in: dir.path).stdout.contains("transition")))
    let bad = try TallyProcess.run(["check", "--against", "nope"], in: dir.path)
    #expect(bad.status == 2)
  }

  @Test func recordsInASubdirectoryOfALargerRepository() throws {
    let outer = try TemporaryDirectory()
    let team = try makeTeamRepository()
    try FileManager.default.copyItem(atPath: team.path, toPath: outer.path + "/records")
    try outer.write("src/main.c", "int main() { return 0; }\n")
    try git(["init", "-q", "-b", "main"], in: outer.path)
    try git(["add", "-A"], in: outer.path)
    try git(["commit", "-q", "-m", "monorepo"], in: outer.path)
    let path = outer.path + "/records/customers/C-0042.yaml"
    let text = try String(contentsOfFile: path, encoding: .utf8).replacing("status: prospect", with: "status: dormant")
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    let result = try TallyProcess.run(["check", "--against", "HEAD", "--repo", "records"], in: outer.path)
    #expect(result.stdout.contains("records/customers/C-0042.yaml:4:9: error[transition]"))
  }

  @Test func schemaExportWritesJSONSchemas() throws {
    let dir = try makeTeamRepository()
    let result = try TallyProcess.run(["schema", "export", "--json-schema", "out"], in: dir.path)
    #expect(result.status == 0)
    let data = try Data(contentsOf: dir.url("out/customer.schema.json"))
    let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    #expect(json["$schema"] as? String == "https://json-schema.org/draft/2020-12/schema")
    let properties = try #require(json["properties"] as? [String: Any])
    #expect(properties.keys.contains("follow_ups"))
    #expect(json["additionalProperties"] as? Bool == false)
  }
}

@discardableResult
func git(_ arguments: [String], in directory: String) throws -> ProcessResult {
  let result = try TallyProcess.runProgram(
    "git", arguments, in: directory,
    environment: [
      "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.cn", "GIT_COMMITTER_NAME": "Test",
      "GIT_COMMITTER_EMAIL": "test@example.cn", "GIT_AUTHOR_DATE": "2026-03-02T10:00:00+08:00",
      "GIT_COMMITTER_DATE": "2026-03-02T10:00:00+08:00",
    ])
  if result.status != 0 { Issue.record("git \(arguments.joined(separator: " ")) failed: \(result.stderr)") }
  return result
}
