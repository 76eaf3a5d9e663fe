import ArgumentParser
import TallyGit
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
      tally diff --staged        HEAD against the index (what would be committed)

      Records are grouped by type, with the fields that changed and a summary \
      ("3 customers changed, 1 added; +2 follow-ups; 1 action item closed"). Formatting and \
      key order do not count as changes.

      tally diff --git-textconv FILE prints a record as one `path: value` line per field, \
      for git's diff driver: with `*.yaml diff=tally` in .gitattributes and \
      `git config diff.tally.textconv "tally diff --git-textconv"` (tally hook install sets \
      both up), `git diff` and `git log -p` show field-aware changes.
      """)

  @Argument(help: "REV or A..B (default: HEAD against the working tree).")
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
    let oldFiles: [SnapshotFile]
    let newFiles: [SnapshotFile]
    let names: (String, String)
    do {
      func files(_ revision: String) throws -> [SnapshotFile] {
        try GitRevisionSource(repository: context.git, revision: revision, prefix: context.prefix).files()
      }
      if staged {
        oldFiles = try files("HEAD")
        newFiles = try IndexSource(repository: context.git, prefix: context.prefix).files()
        names = ("HEAD", "the index")
      } else if let revisions, let range = revisions.range(of: "..") {
        let a = String(revisions[..<range.lowerBound])
        let b = String(revisions[range.upperBound...])
        oldFiles = try files(a.isEmpty ? "HEAD" : a)
        newFiles = try files(b.isEmpty ? "HEAD" : b)
        names = (a.isEmpty ? "HEAD" : a, b.isEmpty ? "HEAD" : b)
      } else {
        oldFiles = try files(revisions ?? "HEAD")
        newFiles = try WorkingTreeSource(root: context.records.root).files()
        names = (revisions ?? "HEAD", "the working tree")
      }
    } catch {
      Console.err("tally: \(error)\n")
      throw Exit.failure
    }
    let changes: [RecordChange]
    do {
      changes = try SnapshotDiff.compare(oldFiles, newFiles, records: context.records)
    } catch {
      Console.err("tally: \(error)\n")
      throw Exit.failure
    }
    let summary = SnapshotDiff.summary(changes, records: context.records)
    switch format {
    case .json:
      var out = JSONOut()
      out.raw("{\"version\":1")
      out.key("from")
      out.string(names.0)
      out.key("to")
      out.string(names.1)
      out.key("summary")
      out.string(summary)
      out.key("records")
      out.raw("[")
      for change in changes {
        out.comma()
        out.raw("\n")
        out.recordChange(change)
      }
      out.raw("\n]}\n")
      Console.out(out.bytes)
    case .text:
      var out = ""
      var currentType = ""
      for change in changes {
        if change.type != currentType {
          currentType = change.type
          out += "\(currentType):\n"
        }
        out += "  \(change.id)  \(context.text.headline(change))\n"
        for field in change.fields {
          out += "      \(context.text.describe(field, type: change.type, limit: width.valueLimit))\n"
        }
      }
      out += "\(names.0) → \(names.1): \(summary)\n"
      Console.out(out)
    }
  }
}
