import ArgumentParser
import TallyHistory
import TallyRecords
import TallySchema
import TallyText

struct Show: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "show",
    abstract: "Show a record as it was at a date or a revision.",
    discussion: """
      --at DATE takes the last commit of the branch's own timeline (first parents of REV) \
      made on or before that day, in the repository's time zone; --rev takes a commit. \
      Without either, the record as committed in HEAD. Renames are followed: asking for \
      the record's current id finds it under the id it had then.
      """)

  @Argument(help: "The record: TYPE/ID (customer/C-0042) or its file path.", completion: Completions.recordName)
  var record: String

  @Option(help: ArgumentHelp("The day to show the record as of (YYYY-MM-DD).", valueName: "date"))
  var at: String?

  @Option(help: ArgumentHelp("The revision to show the record from (default HEAD).", valueName: "rev"))
  var rev: String?

  @Option(help: "Output format: text (the file as it was) or json.")
  var format: DataFormat = .text

  @OptionGroup var repository: RepositoryOptions
  @OptionGroup var global: GlobalOptions

  func validate() throws {
    if at != nil && rev != nil { throw ValidationError("--at and --rev cannot be combined") }
    if let at, CivilDate(at) == nil { throw ValidationError("--at: not a date: '\(at)' (write YYYY-MM-DD)") }
  }

  func run() throws {
    let context = try HistoryContext.open(repository)
    let key = try context.key(record)
    let commits = try context.changes("HEAD", allParents: false)
    let commit: CommitID
    if let at {
      guard let found = Timeline(commits, text: context.text).commit(atEndOf: CivilDate(at)!) else {
        Console.err("tally: the history starts after \(at)\n")
        throw Exit.findings
      }
      commit = found
    } else {
      commit = try context.resolve(rev ?? "HEAD")
    }
    guard let version = try? context.history.version(of: key, at: commit, in: commits) else {
      Console.err("tally: \(key) did not exist at \(at ?? rev ?? "HEAD") (commit \(commit.short()))\n")
      throw Exit.findings
    }
    switch format {
    case .text: Console.out(version.bytes)
    case .json: Console.out(version.json())
    }
  }
}
