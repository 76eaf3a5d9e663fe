import TallyHistory
import TallyRecords
import TallySchema

/// What a report is asked for: the revision its history ends at, the period or day, the
/// filters. The command line, the tests and (later) the web server fill one in and call
/// ``Reports/compute(_:options:history:)``.
public struct ReportOptions: Sendable {
  /// The revision whose first-parent history the report reads.
  public var revision = "HEAD"
  /// The period of period reports; nil: the month of `today`.
  public var period: Period?
  /// The day of reports about one day; nil: `today`.
  public var at: CivilDate?
  public var team: String?
  public var owner: String?
  /// The threshold of reports about records not updated or customers not contacted.
  public var days: Int?
  public var today: CivilDate
  /// The language of the report's titles, notes and words; nil: the repository's
  /// (`language:` in tally.yaml, else English). Keys are the same in every language.
  public var language: ReportLanguage?

  public init(today: CivilDate) { self.today = today }
}

extension Reports {
  /// The context reports are computed from: the first-parent history of `options.revision`
  /// (read through `history`, whose caches are saved afterwards), with the options applied
  /// and the filters checked. `progress` is told (done, total) while the history is read.
  ///
  /// - Throws: ``ReportFilterError`` for a team or owner no staff record has; other errors
  ///   when the history cannot be read.
  public static func context(
    history: History, options: ReportOptions, progress: ((Int, Int) -> Void)? = nil
  ) throws -> ReportContext {
    let commits = try history.changes(try history.commits(options.revision, firstParent: true), progress: progress)
    history.save()
    let tip = try history.resolve(options.revision)
    let context = ReportContext(
      history: history, text: ChangeText(records: history.records, people: People.load(history.records)), commit: tip,
      commits: commits, today: options.today)
    context.team = options.team
    context.owner = options.owner
    context.days = options.days
    context.language = options.language ?? history.records.config.language
    context.at = options.at ?? options.today
    context.period = options.period ?? Period.parse(String(options.today.description.prefix(7)))!
    try context.checkFilters()
    return context
  }

  /// Computes one report (see ``context(history:options:progress:)`` for what it reads).
  public static func compute(
    _ definition: any ReportDefinition.Type, options: ReportOptions, history: History
  ) throws -> Report {
    let report = try definition.compute(try context(history: history, options: options))
    history.save()
    return report
  }
}
