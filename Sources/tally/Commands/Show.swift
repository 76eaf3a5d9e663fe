import ArgumentParser
import TallyGit
import TallyHistory
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
    let events = context.history.events(of: key, in: commits)
    let commit: ObjectID
    do {
      if let at {
        guard let found = try context.history.commit(atEndOf: CivilDate(at)!) else {
          Console.err("tally: the history starts after \(at)\n")
          throw Exit.findings
        }
        commit = found
      } else {
        commit = try context.git.commit(rev ?? "HEAD")
      }
    } catch let error as ExitCode {
      throw error
    } catch {
      Console.err("tally: \(error)\n")
      throw Exit.failure
    }
    guard let (path, bytes) = try? context.history.recordBytes(key, at: commit, renamedFrom: events) else {
      Console.err("tally: \(key) did not exist at \(at ?? rev ?? "HEAD") (commit \(commit.short()))\n")
      throw Exit.findings
    }
    switch format {
    case .text:
      Console.out(bytes)
    case .json:
      var out = JSONOut()
      out.raw("{\"version\":1")
      out.key("record")
      out.string(key.description)
      out.key("path")
      out.string(path)
      out.key("commit")
      out.string(commit.hex)
      out.key("value")
      out.value(SyntaxTree.parse(bytes).tree?.value)
      out.raw("}\n")
      Console.out(out.bytes)
    }
  }
}
