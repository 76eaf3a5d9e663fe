import Foundation
import TallyTestSupport
import Testing

/// `tally report --lang zh|en` and `language:` in tally.yaml, on example-repo imported on
/// 2026-07-01.
@Suite("tally report --lang (end to end)")
struct ReportLanguageCommandTests {
  /// The sections' keys and, per section, the column keys: what programs read.
  func keys(_ json: ReportJSON) -> [String] {
    let sections = json.object["sections"] as? [[String: Any]] ?? []
    return sections.map { section in
      let columns = (section["columns"] as? [[String: Any]] ?? []).compactMap { $0["key"] as? String }
      return "\(section["key"] as? String ?? "?"): \(columns.joined(separator: ","))"
    }
  }

  func titles(_ json: ReportJSON) -> [String] {
    let sections = json.object["sections"] as? [[String: Any]] ?? []
    return [json.object["title"] as? String ?? ""] + sections.map { $0["title"] as? String ?? "" }
  }

  @Test func langZhWritesTheRosterInChinese() throws {
    let repo = try ImportedRepository(importedOn: "2026-07-01")
    let table = try repo.tally(["report", "roster", "--at", "2026-07-01", "--lang", "zh"])
    #expect(table.status == 0, "\(table.stderr)")
    #expect(table.stdout.hasPrefix("人员名册 2026-07-01\n计算于 "))
    #expect(table.stdout.contains("\n2026-07-01 组织架构\n  姓名 "))
    #expect(table.stdout.contains("\n各职位人数\n  职位 "))
    #expect(table.stdout.contains("  2026-07-01 日终在职 31 人"))
    #expect(!table.stdout.contains("Organisation") && !table.stdout.contains("computed at"))
    // Chinese headers are aligned like Chinese names: every line of a table is as wide as
    // its rule.
    let byRole = table.stdout.components(separatedBy: "\n各职位人数\n")[1].components(separatedBy: "\n\n")[0]
    let widths = Set(lineWidths(byRole))
    #expect(widths.count == 1, "\(byRole)")
  }

  @Test func jsonInChineseHasChineseTitlesAndTheSameKeys() throws {
    let repo = try ImportedRepository(importedOn: "2026-07-01")
    for name in ["roster", "pipeline", "plan", "followups", "complaints", "meetings", "activity"] {
      let english = try repo.json([name, "--period", "2026-Q3", "--at", "2026-09-30"])
      let chinese = try repo.json([name, "--period", "2026-Q3", "--at", "2026-09-30", "--lang", "zh"])
      #expect(keys(english) == keys(chinese), "\(name)")
      #expect(!keys(chinese).isEmpty)
      for (a, b) in zip(titles(english), titles(chinese)) {
        #expect(a != b, "\(name): '\(a)' is not translated")
        #expect(b.unicodeScalars.contains { (0x4E00...0x9FFF).contains($0.value) }, "\(name): '\(b)'")
      }
    }
  }

  @Test func theRepositoryLanguageIsTheDefaultAndLangOverridesIt() throws {
    let repo = try ImportedRepository(importedOn: "2026-07-01")
    let english = try repo.tally(["report", "plan", "--period", "2026-Q3", "--format", "json"])
    let asked = try repo.tally(["report", "plan", "--period", "2026-Q3", "--format", "json", "--lang", "zh"])
    #expect(english.status == 0 && asked.status == 0)
    #expect(english.stdout.contains("\"title\":\"Plans vs results 2026-Q3\""))
    #expect(asked.stdout.contains("\"title\":\"计划 vs 实际 2026-Q3\""))

    try repo.edit("tally.yaml") {
      $0.replacingOccurrences(of: "currency: CNY\n", with: "currency: CNY\nlanguage: zh\n")
    }
    try repo.git(["commit", "-q", "-am", "the team reads Chinese"], date: "2026-07-02T12:00:00+08:00")
    let check = try repo.tally(["check"])
    #expect(check.status == 0, "\(check.stdout)")
    let byDefault = try repo.tally(["report", "plan", "--period", "2026-Q3", "--format", "json"])
    #expect(byDefault.status == 0, "\(byDefault.stderr)")
    // The same bytes as --lang zh (the commit is another one: compare from the title on).
    func body(_ text: String) -> Substring { text[text.range(of: "\"sections\"")!.lowerBound...] }
    #expect(body(byDefault.stdout) == body(asked.stdout))
    #expect(byDefault.stdout.contains("\"title\":\"计划 vs 实际 2026-Q3\""))

    let overridden = try repo.tally(["report", "plan", "--period", "2026-Q3", "--format", "json", "--lang", "en"])
    #expect(overridden.status == 0)
    #expect(body(overridden.stdout) == body(english.stdout))

    let markdown = try repo.tally(["report", "roster", "--format", "md"])
    #expect(markdown.stdout.hasPrefix("# 人员名册 2026-11-20\n\n计算于 `"))
  }

  @Test func theSiteFollowsTheRepositoryLanguage() throws {
    let repo = try ImportedRepository(importedOn: "2026-07-01")
    try repo.edit("tally.yaml") {
      $0.replacingOccurrences(of: "currency: CNY\n", with: "currency: CNY\nlanguage: zh\n")
    }
    let site = try repo.tally(["report", "all", "--html", "site", "--period", "2026-Q3"])
    #expect(site.status == 0, "\(site.stderr)")
    let index = try repo.dir.read("site/index.html")
    #expect(index.contains("<html lang=\"zh-CN\">"))
    #expect(index.contains("<h1>团队报表</h1>"))
    #expect(index.contains("计划 vs 实际 2026-Q3"))
    let plan = try repo.dir.read("site/plan.html")
    #expect(plan.contains("<a href=\"index.html\">目录</a>"))
    #expect(plan.contains("<h2>目标与实际</h2>"))
    #expect(!plan.contains("Computed at"))

    let english = try repo.tally(["report", "all", "--html", "site-en", "--period", "2026-Q3", "--lang", "en"])
    #expect(english.status == 0)
    let englishIndex = try repo.dir.read("site-en/index.html")
    #expect(englishIndex.contains("<html lang=\"en\">"))
    #expect(englishIndex.contains("<h1>Team reports</h1>"))
  }

  @Test func aBadLanguageIsAPositionedConfigurationError() throws {
    let repo = try ImportedRepository(importedOn: "2026-07-01")
    try repo.edit("tally.yaml") {
      $0.replacingOccurrences(of: "currency: CNY\n", with: "currency: CNY\nlanguage: fr\n")
    }
    let check = try repo.tally(["check"])
    #expect(check.status == 1)
    #expect(
      check.stdout.contains(
        "tally.yaml:6:11: error[config-bad-value]: 'fr' is not a language Tally's reports are written in"))
    #expect(check.stdout.contains("use zh (Chinese) or en (English)"))
  }

  @Test func aBadLangIsAUsageError() throws {
    let repo = try ImportedRepository(importedOn: "2026-07-01")
    let result = try repo.tally(["report", "roster", "--lang", "fr"])
    #expect(result.status == 64)
    #expect(result.stderr.contains("--lang takes zh or en, not 'fr'"))
  }
}
