import ArgumentParser
import TallyRecords

struct Conflicts: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "conflicts",
    abstract: "List what a merge left to resolve, record by record and field by field.",
    discussion: """
      During a merge (or a rebase, cherry-pick or revert) that stopped at conflicts: every \
      conflicted file under the records root, and in each record every field whose value \
      the two sides changed differently, with its value in the base, ours and theirs. The \
      fields are read from the conflict markers in the working tree (those 'tally \
      merge-driver' writes around one field, or git's own), the whole record when one side \
      deleted it and the other changed it (from the index). Files that hold conflict \
      markers although git has no conflict for them are listed too.

      Resolve them with 'tally resolve', then finish with 'tally commit' (a merge) or git's \
      --continue.

      --format json is documented in docs/outputs.md: values typed by the schema (numbers as \
      numbers, true/false as booleans, dates and amounts as strings).

      Exit status: 0 when nothing is left to resolve (or no merge is in progress), 1 when \
      conflicts remain, 2 when the repository or its index cannot be read, 64 for usage \
      errors.
      """)

  enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text
    case json
  }

  @Option(help: "Output format: text or json.")
  var format: OutputFormat = .text

  @OptionGroup var width: WidthOptions
  @OptionGroup var repository: RepositoryOptions
  @OptionGroup var global: GlobalOptions

  func run() throws {
    let repo = try repository.open()
    let conflicts: MergeConflicts
    do {
      conflicts = try MergeConflicts.find(in: repo)
    } catch {
      Console.err("tally: cannot read the conflicts: \(error)\n")
      throw Exit.failure
    }
    switch format {
    case .json: Console.out(conflicts.json())
    case .text: Console.out(conflicts.text(width: width.tableWidth, display: repo.displayPath))
    }
    if !conflicts.isEmpty { throw Exit.findings }
  }
}
