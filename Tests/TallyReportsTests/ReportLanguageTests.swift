import Foundation
import TallyGit
import TallyHistory
import TallyRecords
import TallySchema
import TallyTestSupport
import TallyText
import Testing

@testable import TallyReports

/// Reports in the team's language: every title, note and fixed word of every report in
/// Chinese (`--lang zh`, `language: zh`), with the same keys as in English.
@Suite("Report languages")
struct ReportLanguageTests {
  /// example-repo/ imported into git on 2026-07-01 (the history's starting state), then
  /// C-0018 turned from prospect to active on 2026-08-10: a history with a change in it.
  static func exampleHistory() throws -> (TemporaryDirectory, History) {
    let dir = try TemporaryDirectory(prefix: "tally-lang")
    let example = Golden.directory() + "/../../example-repo"
    for name in try FileManager.default.contentsOfDirectory(atPath: example) {
      try FileManager.default.copyItem(atPath: example + "/" + name, toPath: dir.path + "/" + name)
    }
    func git(_ arguments: [String], date: String) throws {
      let result = try TallyProcess.runProgram(
        "git", arguments, in: dir.path,
        environment: [
          "GIT_AUTHOR_NAME": "许敏", "GIT_AUTHOR_EMAIL": "xumin@huadong.example", "GIT_COMMITTER_NAME": "许敏",
          "GIT_COMMITTER_EMAIL": "xumin@huadong.example", "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date,
        ])
      if result.status != 0 { Issue.record("git \(arguments.joined(separator: " ")) failed: \(result.stderr)") }
    }
    try git(["init", "-q", "-b", "main"], date: "2026-07-01T12:00:00+08:00")
    try git(["add", "-A"], date: "2026-07-01T12:00:00+08:00")
    try git(["commit", "-q", "-m", "import"], date: "2026-07-01T12:00:00+08:00")
    let customer = try dir.read("customers/C-0018.yaml")
    try dir.write(
      "customers/C-0018.yaml", customer.replacingOccurrences(of: "status: prospect", with: "status: active"))
    try git(["commit", "-q", "-am", "C-0018 active"], date: "2026-08-10T12:00:00+08:00")
    let records = try RecordsRepository.open(root: dir.path, from: dir.path, displayBase: dir.path)
    let history = History(records: records, git: try Repository.discover(from: dir.path), prefix: "")
    history.persistent = false
    return (dir, history)
  }

  /// Words a Chinese text must not have: runs of two or more ASCII letters, except field
  /// names (`resolved_on`, `owner`), codes (`2026-Q1`, `S-0004`), the file names of settings
  /// (`tally.yaml`), which are the same in every language, and "vs".
  static func englishWords(_ text: String) -> [String] {
    var words: [String] = []
    var current = ""
    var previous: Character = " "
    func flush() {
      defer { current = "" }
      guard current.count >= 2 else { return }
      words.append(current)
    }
    var codeLike = false
    for character in text {
      if character.isASCII && character.isLetter {
        if current.isEmpty { codeLike = previous.isNumber || previous == "-" || previous == "_" || previous == "." }
        current.append(character)
      } else if character == "_" || character == "." || character.isNumber {
        if !current.isEmpty { codeLike = true }
      } else {
        if !codeLike { flush() }
        current = ""
        codeLike = false
      }
      previous = character
    }
    if !codeLike { flush() }
    // "vs" is written so in Chinese business reports too (计划 vs 实际); `owner` is a field.
    return words.filter { !["vs", "owner"].contains($0) }
  }

  static func lineWidths(_ text: String) -> [Int] {
    text.split(separator: "\n").map { DisplayWidth.of($0) }
  }

  /// Everything a report says in words: its title, each section's title, columns, notes
  /// and chart series.
  static func words(of report: Report) -> [(where: String, text: String)] {
    var texts: [(String, String)] = [("title", report.title)]
    for section in report.sections {
      texts.append(("\(section.key) title", section.title))
      for column in section.table.columns { texts.append(("\(section.key).\(column.key) column", column.title)) }
      for note in section.allNotes { texts.append(("\(section.key) note", note)) }
      for series in section.chart?.series ?? [] { texts.append(("\(section.key) chart", series.name)) }
    }
    return texts
  }

  @Test func theWordFinderFindsEnglishAndLeavesCodes() {
    #expect(Self.englishWords("Headcount by role") == ["Headcount", "by", "role"])
    #expect(Self.englishWords("2026-Q1 计划 vs 实际 (华东一组) plan") == ["plan"])
    #expect(Self.englishWords("解决天数：resolved_on − 投诉日期，S-0004，2026-W10，tally.yaml") == [])
    #expect(Self.englishWords("A 级 14 天") == [])
  }

  /// Every report, computed in Chinese over example-repo's data (periods after the import,
  /// and before it, where the notes say what is not known) and over the golden files'
  /// history: no title, column, note or chart series keeps an English word.
  @Test func everyReportSpeaksChineseOnExampleRepoData() throws {
    let (dir, history) = try Self.exampleHistory()
    _ = dir
    var checked = 0
    var found: [String] = []
    let cases: [(period: String, at: String)] = [("2026-Q3", "2026-09-30"), ("2026-Q2", "2026-06-30")]
    for (period, at) in cases {
      var options = ReportOptions(today: CivilDate("2026-11-20")!)
      options.period = Period.parse(period)
      options.at = CivilDate(at)
      options.language = .zh
      let context = try Reports.context(history: history, options: options)
      #expect(context.language == .zh)
      for definition in Reports.all {
        let report = try definition.compute(context)
        #expect(report.language == .zh, "\(definition.name) is not marked as Chinese")
        for (place, text) in Self.words(of: report) {
          checked += 1
          let english = Self.englishWords(text)
          if !english.isEmpty { found.append("\(definition.name) \(period) \(place): \(text)") }
        }
      }
    }
    let golden = try ReportGoldenTests().history()
    let context = try golden.context(period: "2026-Q1", at: "2026-03-31", today: "2026-03-31")
    context.language = .zh
    for definition in Reports.all {
      for (place, text) in Self.words(of: try definition.compute(context)) {
        checked += 1
        if !Self.englishWords(text).isEmpty { found.append("\(definition.name) (golden history) \(place): \(text)") }
      }
    }
    #expect(found.isEmpty, "English left in Chinese reports:\n\(found.joined(separator: "\n"))")
    #expect(checked > 300, "only \(checked) texts compared")
  }

  /// The same report in both languages: the same keys, sections, columns and figures; only
  /// the words differ.
  @Test func keysAreTheSameInEveryLanguage() throws {
    let golden = try ReportGoldenTests().history()
    let context = try golden.context(period: "2026-Q1", at: "2026-03-31", today: "2026-03-31")
    for definition in Reports.all {
      context.language = .en
      let english = try definition.compute(context)
      context.language = .zh
      let chinese = try definition.compute(context)
      #expect(english.name == chinese.name)
      #expect(english.title != chinese.title, "\(definition.name): the title is the same in both languages")
      #expect(english.sections.map(\.key) == chinese.sections.map(\.key))
      for (a, b) in zip(english.sections, chinese.sections) {
        #expect(a.table.columns.map(\.key) == b.table.columns.map(\.key))
        #expect(a.table.rows.count == b.table.rows.count)
        #expect(a.title != b.title, "\(definition.name).\(a.key): the title is the same in both languages")
        // Figures are the same; only text cells may change.
        for (rowA, rowB) in zip(a.table.rows, b.table.rows) {
          for (cellA, cellB) in zip(rowA, rowB) {
            if case .text = cellA { continue }
            #expect(cellA == cellB, "\(definition.name).\(a.key): \(cellA) became \(cellB)")
          }
        }
      }
    }
  }

  /// The renderers' own words follow the report's language.
  @Test func theRenderersWordsAreChineseInAChineseReport() {
    let report = Report(
      name: "sample", title: "示例", commit: "0123456789abcdef", commitDate: "2026-03-31", scope: "2026-Q1",
      sections: [
        ReportSection(key: "empty", title: "空表", table: ReportTable(columns: [.init("name", "姓名")])),
        ReportSection(
          key: "unknown", title: "未知", table: ReportTable(columns: [.init("name", "姓名")], known: false)),
      ], language: .zh)
    let table = ReportRenderer.table(report, width: nil)
    #expect(table == "示例\n计算于 0123456 (2026-03-31)\n\n空表\n  （无）\n\n未知\n  （无从得知）\n")
    let markdown = ReportRenderer.markdown(report)
    #expect(markdown.contains("计算于 `0123456`"))
    #expect(markdown.contains("## 空表\n\n（无）\n"))
    #expect(markdown.contains("## 未知\n\n（无从得知）\n"))
    let html = HTMLRenderer.page(report)
    #expect(html.contains("<html lang=\"zh-CN\">"))
    #expect(html.contains("计算于 <code>0123456</code>"))
    #expect(html.contains("<p class=\"note\">（无）</p>"))
    #expect(html.contains("<p class=\"note\">（无从得知）</p>"))
    for text in [table, markdown, html] {
      #expect(!text.contains("(none)") && !text.contains("(not known)") && !text.contains("omputed at"))
    }
  }

  /// Chinese headers are two columns a character: the table stays aligned under them.
  @Test func chineseHeadersKeepTheTableAligned() {
    var table = ReportTable(columns: [.init("name", "姓名"), .init("people", "人数", numeric: true)])
    table.rows = [[.text("Li"), .int(3)], [.text("王芳芳芳"), .int(12)]]
    let text = ReportRenderer.textTable(table, width: nil, language: .zh)
    #expect(text == "  姓名      人数\n  ────────  ────\n  Li           3\n  王芳芳芳    12\n")
    #expect(Set(Self.lineWidths(text)).count == 1, "lines of different display widths:\n\(text)")
  }

  /// Every report in Chinese, as a table and as JSON, compared with golden files
  /// (`Golden/zh/<report>.<format>`); the history and clock are those of
  /// ``ReportGoldenTests``.
  @Test func everyReportInChineseMatchesItsGoldenFiles() throws {
    let golden = try ReportGoldenTests().history()
    let context = try golden.context(period: "2026-Q1", at: "2026-03-31", today: "2026-03-31")
    context.language = .zh
    let directory = Golden.directory() + "/Golden/zh"
    var compared = 0
    for definition in Reports.all {
      let report = try definition.compute(context)
      for (format, suffix) in [(ReportFormat.table, "txt"), (.json, "json"), (.md, "md")] {
        let rendered = String(decoding: ReportRenderer.render(report, as: format, width: 100), as: UTF8.self)
        Golden.check(rendered, against: "\(directory)/\(definition.name).\(suffix)")
        compared += 1
      }
    }
    #expect(compared == 21)
  }
}
