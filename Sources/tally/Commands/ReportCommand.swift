import ArgumentParser
import TallyHistory
import TallyRecords
import TallyReports
import TallySchema
import TallyText

extension ReportFormat: ExpressibleByArgument {}

struct ReportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "report",
    abstract: "Reports for the team: roster, pipeline, plans vs. results, call-backs, complaints, meetings, activity.",
    discussion: """
      Reports are computed from the records and their history (first-parent history of \
      --rev, default HEAD) and say which commit they were computed at. `tally report --list` \
      describes each.

      Periods: --period 2026-Q1 | 2026-03 | 2026-W10 | 2026-01-01..2026-03-31; reports about \
      one day take --at DATE (default today). Filters: --team NAME, --owner STAFF-ID (a name \
      or id no staff record has is a usage error that names the likely one).

      Formats: table (aligned for the terminal, CJK-aware), json (documented in \
      docs/outputs.md), csv (RFC 4180; --bom for spreadsheets that need it to read Chinese), \
      md, html (one self-contained page with charts). `tally report all --html DIR` writes a \
      small site: an index and one page per report.

      Language: --lang zh|en writes the titles, notes and words of a report in Chinese or \
      English (default: 'language:' in tally.yaml, else English); keys in JSON and CSV are the \
      same in every language.
      """)

  @Argument(help: "The report (see --list), or 'all' with --html DIR.", completion: Completions.reportName)
  var name: String?

  @Flag(help: "List the reports and what each shows.")
  var list = false

  @Option(help: ArgumentHelp("The period: 2026-Q1, 2026-03, 2026-W10 or FROM..TO.", valueName: "period"))
  var period: String?

  @Option(help: ArgumentHelp("The day, for reports about one day (default: today).", valueName: "date"))
  var at: String?

  @Option(help: ArgumentHelp("Only this team.", valueName: "team"))
  var team: String?

  @Option(help: ArgumentHelp("Only this owner (a staff id).", valueName: "id"))
  var owner: String?

  @Option(help: ArgumentHelp("Threshold in days (records not updated, customers not contacted).", valueName: "n"))
  var days: Int?

  @Option(help: "Output format: table, json, csv, md or html.")
  var format: ReportFormat = .table

  @Option(
    help: ArgumentHelp(
      "The language of titles and notes, zh or en (default: tally.yaml's language, else en).", valueName: "lang"))
  var lang: String?

  @Flag(help: "With --format csv: start with a UTF-8 byte order mark (for spreadsheet programs).")
  var bom = false

  @Option(
    help: ArgumentHelp("With 'all': write an HTML site (index and one page per report) to DIR.", valueName: "dir"))
  var html: String?

  @Option(help: ArgumentHelp("The revision to compute at.", valueName: "rev"))
  var rev = "HEAD"

  @OptionGroup var width: WidthOptions
  @OptionGroup var repository: RepositoryOptions
  @OptionGroup var global: GlobalOptions

  func validate() throws {
    if list { return }
    guard let name else { throw ValidationError("name a report (tally report --list shows them)") }
    if name == "all" {
      guard html != nil else { throw ValidationError("'all' writes a site: give --html DIR") }
    } else if Reports.named(name) == nil {
      let names = Reports.all.map { $0.name }.joined(separator: ", ")
      throw ValidationError("no report '\(name)' (reports: \(names))")
    }
    if let period, Period.parse(period) == nil {
      throw ValidationError(
        "--period: '\(period)' is not a period (write 2026-Q1, 2026-03, 2026-W10 or 2026-01-01..2026-03-31)")
    }
    if let at, CivilDate(at) == nil { throw ValidationError("--at: not a date: '\(at)' (write YYYY-MM-DD)") }
    if let lang, ReportLanguage(rawValue: lang) == nil {
      throw ValidationError("--lang takes zh or en, not '\(lang)'")
    }
    if let days, days < 0 { throw ValidationError("--days must not be negative") }
  }

  func run() throws {
    if list {
      var table = TextTable(columns: [.init(cuttable: false), .init(cuttable: false), .init()], header: false)
      for report in Reports.all {
        table.rows.append([report.name, report.usesPeriod ? "--period" : "--at", report.summary])
      }
      Console.out(table.render(width: width.tableWidth))
      // The team's saved queries (queries/*.sql), run with 'tally query NAME'.
      if let records = try? repository.open() {
        let saved = QueryCommand.listing(records, width: width.tableWidth)
        if !saved.isEmpty { Console.out("\nsaved queries (tally query NAME):\n" + saved) }
      }
      return
    }
    let history = try HistoryContext.open(repository)
    try history.requireEveryType("report")
    var options = ReportOptions(today: today(in: history.records))
    options.revision = rev
    options.period = period.flatMap(Period.parse)
    options.at = at.flatMap(CivilDate.init)
    options.team = team
    options.owner = owner
    options.days = days
    options.language = lang.flatMap(ReportLanguage.init(rawValue:))
    let context: ReportContext
    do {
      let progress = Progress(label: "reading history")
      context = try Reports.context(history: history.history, options: options) { progress.update($0, of: $1) }
      progress.finish()
      Trace.mark("report: history read")
    } catch let error as ReportFilterError {
      throw ValidationError(error.description)
    } catch {
      Console.err("tally: cannot read the history of \(rev): \(error)\n")
      throw Exit.failure
    }

    if name == "all", let html {
      try writeSite(context, to: html)
      return
    }
    let definition = Reports.named(name!)!
    let report: Report
    do {
      report = try definition.compute(context)
      Trace.mark("report: computed")
    } catch {
      Console.err("tally: cannot compute \(definition.name): \(error)\n")
      throw Exit.failure
    }
    ReportRenderer.write(report, as: format, width: width.tableWidth, bom: bom) { Console.out($0) }
    Trace.mark("report: written")
    history.history.save()
    // At a million records the report, its snapshots and the history take seconds to free.
    ExitLifetime.keep(report)
    ExitLifetime.keep(context)
  }

  func writeSite(_ context: ReportContext, to directory: String) throws {
    var reports: [Report] = []
    let progress = Progress(label: "computing reports")
    for (index, definition) in Reports.all.enumerated() {
      do {
        reports.append(try definition.compute(context))
      } catch {
        Console.err("tally: cannot compute \(definition.name): \(error)\n")
        throw Exit.failure
      }
      progress.update(index + 1, of: Reports.all.count)
    }
    progress.finish()
    context.history.save()
    do {
      let written = try ReportSite.write(reports, to: FileSystem.absolute(directory))
      Console.out("wrote \(written.count) pages to \(directory)\n")
      ExitLifetime.keep(reports)
      ExitLifetime.keep(context)
    } catch {
      Console.err("tally: cannot write the site: \(error)\n")
      throw Exit.failure
    }
  }
}
