import ArgumentParser
import TallyHistory
import TallyRecords
import TallyReports
import TallySchema
import TallyText

struct CalendarCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "calendar",
    abstract: "A person's call-backs and action items as an iCalendar feed (.ics) for their phone.",
    discussion: """
      The call-backs a person planned (the next_contact of the latest follow-up of each \
      customer they own; churned customers left out) and the open action items of meetings \
      assigned to them, each an all-day event, as of --rev (default HEAD). The feed is the \
      same for the same commit: UIDs are stable, so a calendar app that subscribes to it \
      updates events rather than adding copies (RFC 5545: escaped text, folded lines, CRLF).

        tally calendar S-0022 > 梁嘉欣.ics
        tally calendar S-0022 --format json

      Exit status: 0, 2 when the history cannot be read, 64 for usage errors (an id no staff \
      record has).
      """)

  @Argument(help: ArgumentHelp("The person's staff id.", valueName: "staff-id"))
  var staff: String

  @Option(help: "Output format: ics or json.")
  var format: Format = .ics

  @Option(help: ArgumentHelp("The revision to read.", valueName: "rev"))
  var rev = "HEAD"

  @OptionGroup var repository: RepositoryOptions
  @OptionGroup var global: GlobalOptions

  enum Format: String, ExpressibleByArgument, CaseIterable {
    case ics
    case json
  }

  func run() throws {
    let history = try HistoryContext.open(repository)
    try history.requireEveryType("make a calendar")
    var options = ReportOptions(today: today(in: history.records))
    options.revision = rev
    let context: ReportContext
    do {
      context = try Reports.context(history: history.history, options: options)
    } catch {
      Console.err("tally: cannot read the history of \(rev): \(error)\n")
      throw Exit.failure
    }
    let people = try context.current("staff")
    guard let person = people[staff] else {
      var message = "no staff record '\(staff)' at \(rev)"
      if let near = Suggestions.closest(to: staff, among: people.ids) { message += " (did you mean \(near)?)" }
      throw ValidationError(message)
    }
    let events: [CalendarFeed.Event]
    do {
      events = try CalendarFeed.events(for: staff, context: context)
    } catch {
      Console.err("tally: cannot read the records at \(rev): \(error)\n")
      throw Exit.failure
    }
    switch format {
    case .ics:
      let name = (person.string("name") ?? staff) + " 的日程"
      Console.out(CalendarFeed.render(events, name: name, stamp: Int(context.commits.last?.committer.time ?? 0)))
    case .json:
      Console.out(CalendarFeed.json(events, staff: staff, commit: context.commit.hex))
    }
  }
}
