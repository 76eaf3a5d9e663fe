import ArgumentParser
import TallyHistory
import TallyText

struct Log: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "log",
    abstract: "Show a record's history: who changed which fields, when.",
    discussion: """
      Newest first: date (in the repository's time zone), author (the staff member whose \
      email made the commit, else git's name), commit and message, then the field changes \
      ("status: prospect → active", "+ follow_ups[2]: …"). Renames are followed: the history \
      of the record under its earlier id comes after the rename. Commits that only reformat \
      the file are shown as such. --field narrows to changes at or below one field path.
      """)

  @Argument(help: "The record: TYPE/ID (customer/C-0042) or its file path.", completion: Completions.recordName)
  var record: String

  @Option(help: ArgumentHelp("The revision whose history to show.", valueName: "rev"))
  var rev = "HEAD"

  @Option(help: ArgumentHelp("Only changes at or below this field path (e.g. status, follow_ups).", valueName: "path"))
  var field: String?

  @Option(help: "Output format: text or json.")
  var format: DataFormat = .text

  @OptionGroup var range: HistoryRangeOptions
  @OptionGroup var width: WidthOptions
  @OptionGroup var repository: RepositoryOptions
  @OptionGroup var global: GlobalOptions

  func run() throws {
    let context = try HistoryContext.open(repository)
    let key = try context.key(record)
    var filter: FieldPath?
    if let field {
      guard let parsed = FieldPath(parsing: field) else {
        throw ValidationError("--field: not a field path: '\(field)'")
      }
      filter = parsed
    }
    let commits = try context.changes(rev, allParents: range.allParents)
    guard
      let log = context.history.log(
        of: key, in: commits, field: filter, includes: { range.includes($0, text: context.text) })
    else {
      Console.err("tally: \(key) has no history in \(rev)\n")
      throw Exit.findings
    }
    switch format {
    case .text: Console.out(log.text(context.text, valueLimit: width.valueLimit))
    case .json: Console.out(log.json(context.text))
    }
  }
}
