import ArgumentParser
import TallyHistory
import TallyRecords
import TallyText

struct Diff: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "diff",
    abstract: "Show what changed between two versions of the records, per record and per field.",
    discussion: """
      tally diff                 HEAD against the working tree
      tally diff REV             REV against the working tree
      tally diff A..B            commit A against commit B
      tally diff REV^!           the change commit REV made: its first parent against REV;
                                 for a merge commit, what the merge brought in
      tally diff --staged        HEAD against the index (what would be committed)

      Records are grouped by type, with the fields that changed and a summary \
      ("3 customers changed, 1 added; +2 follow-ups; 1 action item closed"). Formatting and \
      key order do not count as changes.

      tally diff --git-textconv FILE prints a record as one `path: value` line per field, \
      for git's diff driver: with `*.yaml diff=tally` in .gitattributes and \
      `git config diff.tally.textconv "tally diff --git-textconv"` (tally hook install sets \
      both up), `git diff` and `git log -p` show field-aware changes.
      """)

  @Argument(help: "REV, A..B or REV^! (default: HEAD against the working tree).")
  var revisions: String?

  @Flag(help: "Compare HEAD with the index instead of the working tree.")
  var staged = false

  @Option(
    name: .customLong("git-textconv"),
    help: ArgumentHelp("Print FILE as field lines for git's diff driver.", valueName: "file"))
  var textconv: String?

  @Option(help: "Output format: text or json.")
  var format: DataFormat = .text

  @OptionGroup var width: WidthOptions
  @OptionGroup var repository: RepositoryOptions
  @OptionGroup var global: GlobalOptions

  func validate() throws {
    if staged && revisions != nil { throw ValidationError("--staged compares HEAD with the index; drop the revision") }
  }

  func run() throws {
    if let textconv {
      // git runs the driver from the top of the work tree with a temporary file: no
      // repository needed; a file that is not a record is passed through unchanged.
      guard let bytes = try? FileSystem.read(textconv) else {
        Console.err("tally: cannot read \(textconv)\n")
        throw Exit.failure
      }
      guard let value = SyntaxTree.parse(bytes).tree?.value, case .mapping = value else {
        Console.out(bytes)
        return
      }
      Console.out(SnapshotDiff.textconv(value))
      return
    }
    let context = try HistoryContext.open(repository)
    try context.requireEveryType("diff")
    let sides: SnapshotComparison.Sides
    if staged {
      sides = .staged
    } else if let revisions, revisions.hasSuffix("^!"), revisions.count > 2 {
      let commit = String(revisions.dropLast(2))
      if (try? context.history.resolve(commit)) != nil, (try? context.history.resolve(commit + "^")) == nil {
        Console.err("tally: \(commit) is the first commit: it has no parent to compare with (tally show lists it)\n")
        throw Exit.failure
      }
      sides = .commits(from: commit + "^", to: commit)
    } else if let revisions, let range = revisions.range(of: "..") {
      let a = String(revisions[..<range.lowerBound])
      let b = String(revisions[range.upperBound...])
      sides = .commits(from: a.isEmpty ? "HEAD" : a, to: b.isEmpty ? "HEAD" : b)
    } else {
      sides = .workingTree(against: revisions ?? "HEAD")
    }
    let comparison: SnapshotComparison
    do {
      comparison = try context.history.compare(sides)
    } catch {
      Console.err("tally: \(error)\n")
      throw Exit.failure
    }
    switch format {
    case .json: Console.out(comparison.json())
    case .text: Console.out(comparison.text(context.text, valueLimit: width.valueLimit))
    }
  }
}
