import ArgumentParser
import TallyHistory
import TallyText

struct Blame: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "blame",
    abstract: "Show, for every field of a record, the commit, author and date that last changed it.",
    discussion: """
      Works on fields, not lines: reformatting a file or reordering its keys does not count \
      as a change. The record is read as it is in REV (default HEAD); renames are followed.
      """)

  @Argument(help: "The record: TYPE/ID (customer/C-0042) or its file path.", completion: Completions.recordName)
  var record: String

  @Option(help: ArgumentHelp("The revision to blame.", valueName: "rev"))
  var rev = "HEAD"

  @Option(help: "Output format: text or json.")
  var format: DataFormat = .text

  @OptionGroup var width: WidthOptions
  @OptionGroup var repository: RepositoryOptions
  @OptionGroup var global: GlobalOptions

  func run() throws {
    let context = try HistoryContext.open(repository)
    let key = try context.key(record)
    let commits = try context.changes(rev, allParents: false)
    let tip = try context.resolve(rev)
    let found: RecordBlame?
    do {
      found = try context.history.blame(of: key, at: tip, in: commits)
    } catch {
      Console.err("tally: cannot read the history of \(key): \(error)\n")
      throw Exit.failure
    }
    guard let blame = found else {
      Console.err("tally: \(key) is not in \(rev)\n")
      throw Exit.findings
    }
    switch format {
    case .json: Console.out(blame.json(context.text))
    case .text: Console.out(blame.text(context.text, width: width.tableWidth))
    }
  }
}
