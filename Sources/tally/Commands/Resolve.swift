import ArgumentParser
import TallyRecords
import TallyText

struct Resolve: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "resolve",
    abstract: "Settle a conflict a merge left: a field, a record, or every file.",
    discussion: """
      Names the record as TYPE/ID (customer/C-0042, customers/C-0042) or by its file, then \
      the fields to settle as 'tally conflicts' lists them (tier, contacts[0].phone, \
      follow_ups[3]; a field also names the conflicts inside it), and which version each \
      takes: --ours, --theirs, --base, or --value V (a value for one field, checked against \
      its type as 'tally set' checks it; an empty value removes the field). --all settles \
      every conflict of the record, or without a record every conflicted file, with one \
      side.

      A conflict's marker lines are replaced by the chosen side's lines, byte for byte; \
      --value sets the field in our lines with the editing of 'tally set'. A record one side \
      deleted and the other changed is kept (the side that has it) or deleted. The file is \
      written atomically, and staged once no conflict is left in it (as 'git add' stages a \
      resolved file). Then finish with 'tally commit' (a merge) or git's --continue.

      Nothing changes when an argument is wrong: an unknown record, a field that is not in \
      conflict (the ones that are are listed), a value that does not fit its field, or a \
      record the value would make invalid.

      Exit status: 0 when resolved, 1 when the resolved record has errors (a side's lines \
      are still written and staged; a value is refused and nothing is written), 2 when a \
      file or the index cannot be read or written, 64 for usage errors.
      """)

  @Argument(
    help: ArgumentHelp("The record (TYPE/ID or its file), then the fields to resolve.", valueName: "record"),
    completion: Completions.recordName)
  var record: String?

  @Argument(help: ArgumentHelp("The fields to resolve, as 'tally conflicts' names them.", valueName: "field"))
  var fields: [String] = []

  @Flag(help: "Take our version (the branch you are on; in a rebase, the branch being rebased onto).")
  var ours = false

  @Flag(help: "Take their version (the branch merged in; in a rebase, your commit being replayed).")
  var theirs = false

  @Flag(help: "Take the common ancestor's version.")
  var base = false

  @Option(help: ArgumentHelp("Set the field to this value (empty: remove it).", valueName: "value"))
  var value: String?

  @Flag(help: "Resolve every conflict of the record (or, without a record, of every conflicted file).")
  var all = false

  @OptionGroup var repository: RepositoryOptions
  @OptionGroup var global: GlobalOptions

  func validate() throws {
    let chosen = [ours, theirs, base, value != nil].filter { $0 }.count
    if chosen == 0 { throw ValidationError("choose --ours, --theirs, --base or --value V") }
    if chosen > 1 { throw ValidationError("choose one of --ours, --theirs, --base and --value") }
    if all && !fields.isEmpty {
      throw ValidationError("--all resolves every conflict of the record; do not also name fields")
    }
    if all && value != nil { throw ValidationError("--value sets one field; it does not go with --all") }
    if record == nil && !all { throw ValidationError("name the record to resolve, or use --all for every file") }
  }

  func run() throws {
    let repo = try repository.open()
    let resolver = ConflictResolver(records: repo, today: today(in: repo))
    let choice: ConflictResolver.Choice =
      if let value { .value(value) } else if theirs { .theirs } else if base { .base } else { .ours }
    let renderer = DiagnosticRenderer(color: global.useColor)
    let outcomes: [ConflictResolver.Outcome]
    do {
      outcomes = try resolver.plan(
        ConflictResolver.Request(
          target: record, fields: fields, all: all, choice: choice, directory: FileSystem.currentDirectory))
      try resolver.apply(outcomes)
    } catch let failure as ConflictResolver.Failure {
      switch failure {
      case .usage(let message, let hint):
        Console.err("tally: \(message)\n")
        if let hint { Console.err("  \(hint)\n") }
        throw ExitCode.validationFailure
      case .refused(let outcome):
        if let report = outcome.report {
          for diagnostic in report.diagnostics { Console.err(renderer.render(diagnostic) { report.source($0) }) }
        }
        Console.err("tally: \(failure)\n")
        throw Exit.findings
      case .io(let message):
        Console.err("tally: \(message)\n")
        throw Exit.failure
      }
    }
    var errors = 0
    for outcome in outcomes {
      Console.out(outcome.summary)
      guard let report = outcome.report, report.errorCount > 0 else { continue }
      for diagnostic in report.diagnostics { Console.err(renderer.render(diagnostic) { report.source($0) }) }
      errors += report.errorCount
    }
    if errors > 0 {
      Console.err(
        "tally: the resolved \(Wording.plural(outcomes.count, "record")) \(outcomes.count == 1 ? "has" : "have") \(Wording.count(errors, "error")): fix them (tally set) before 'tally commit'\n"
      )
      throw Exit.findings
    }
    if let left = try? MergeConflicts.find(in: repo), left.isEmpty {
      Console.out(MergeConflicts.nothingLeftMessage(left.operation) + "\n")
    }
  }
}
