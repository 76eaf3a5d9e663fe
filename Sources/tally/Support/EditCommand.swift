import ArgumentParser
import TallyRecords
import TallySchema
import TallyText

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Options of the commands that edit records (`new`, `set`, `add`).
struct EditOptions: ParsableArguments {
  enum Format: String, ExpressibleByArgument, CaseIterable {
    case text
    case json
  }

  @Option(help: "Output format: text or json.")
  var format: Format = .text

  @Flag(name: .customLong("dry-run"), help: "Show the resulting file (new) or a diff (set, add); write nothing.")
  var dryRun = false

  @Flag(help: "Commit the record after writing it, with the checks of 'tally commit PATH'.")
  var commit = false

  @Option(
    name: [.customShort("m"), .customLong("message")],
    help: ArgumentHelp(
      "The commit message (with --commit; default: one written from the change).", valueName: "message"))
  var message: String?

  func validate() throws {
    if message != nil && !commit { throw ValidationError("-m/--message goes with --commit") }
    if commit && dryRun { throw ValidationError("--dry-run writes nothing, so there is nothing to --commit") }
    if commit && format == .json {
      throw ValidationError("--commit prints the commit as text; use --format text, or commit with 'tally commit'")
    }
  }
}

/// What the editing commands share: running an edit, asking for missing required fields
/// on a terminal, printing the outcome, writing it, and their exit codes.
enum EditCommand {
  /// Runs `produce` (given the answers to prompts so far), then prints and writes.
  ///
  /// - Parameter assignment: How the command takes a field's value, for messages:
  ///   `field=value` (`set`, `add`) or `--set field=value` (`new`).
  static func run(
    _ editing: RecordEditing, options: EditOptions, global: GlobalOptions, interactive: Bool,
    assignment: String = "field=value",
    produce: ([RecordEditing.Assignment]) throws(RecordEditing.Failure) -> RecordEditing.Outcome
  ) throws {
    let renderer = DiagnosticRenderer(color: global.useColor)
    var answers: [RecordEditing.Assignment] = []
    var outcome: RecordEditing.Outcome
    while true {
      do {
        outcome = try produce(answers)
        break
      } catch .missing(let fields) where interactive && isatty(0) == 1 {
        let given = try ask(fields, editing: editing)
        // Every question skipped: asking again would not help.
        if given.isEmpty { try report(.missing(fields), renderer: renderer, assignment: assignment) }
        answers += given
      } catch {
        try report(error, renderer: renderer, assignment: assignment)
      }
    }
    let json = options.format == .json
    if outcome.isRefused {
      if json {
        write(outcome, written: false, dryRun: options.dryRun)
      } else {
        Console.err(render(outcome, renderer: renderer))
        Console.err(refusal(outcome))
      }
      throw Exit.findings
    }
    if options.dryRun {
      if json {
        write(outcome, written: false, dryRun: true)
      } else {
        Console.err(render(outcome, renderer: renderer))
        Console.out(outcome.kind == .created ? String(decoding: outcome.text, as: UTF8.self) : outcome.diff())
        let action =
          outcome.kind == .created ? "would create \(outcome.displayPath)" : "would change \(outcome.displayPath)"
        Console.err("dry run: \(action); nothing was written\n")
      }
      return
    }
    do {
      try editing.write(outcome)
    } catch {
      try report(error, renderer: renderer)
    }
    if json {
      write(outcome, written: !outcome.isUnchanged, dryRun: false)
      return
    }
    Console.err(render(outcome, renderer: renderer))
    Console.out(outcome.displayPath + "\n")
    Console.err(summary(outcome))
    guard options.commit else { return }
    if outcome.isUnchanged {
      Console.err("nothing to commit: \(outcome.displayPath) did not change\n")
      return
    }
    try CommitSupport.commitPaths(
      [outcome.relativePath], in: editing.repository, message: options.message, color: global.useColor)
  }

  /// Why nothing was written: the record's own errors, and those of the schemas and
  /// tally.yaml (which refuse every edit until they are fixed).
  static func refusal(_ outcome: RecordEditing.Outcome) -> String {
    let errors = outcome.report.errorCount
    let own = outcome.report.diagnostics.filter { $0.severity == .error && $0.path == outcome.displayPath }.count
    let setup = errors - own
    if setup == 0 {
      return
        "tally: \(outcome.displayPath) would have \(errors) \(Wording.plural(errors, "error")); nothing was written\n"
    }
    let settings = "the schemas or tally.yaml have \(setup) \(Wording.plural(setup, "error"))"
    if own == 0 {
      return "tally: nothing was written: \(settings); fix them first (see 'tally check')\n"
    }
    return
      "tally: \(outcome.displayPath) would have \(own) \(Wording.plural(own, "error")), and \(settings); nothing was written\n"
  }

  static func write(_ outcome: RecordEditing.Outcome, written: Bool, dryRun: Bool) {
    var out: [UInt8] = []
    outcome.writeJSON(into: &out, written: written, dryRun: dryRun)
    Console.out(out)
  }

  /// The diagnostics of the outcome (errors or warnings), positioned in the new text.
  static func render(_ outcome: RecordEditing.Outcome, renderer: DiagnosticRenderer) -> String {
    var out = ""
    for diagnostic in outcome.report.diagnostics {
      out += renderer.render(diagnostic) { outcome.report.source($0) }
    }
    return out
  }

  /// One line per change, for people.
  static func summary(_ outcome: RecordEditing.Outcome) -> String {
    if outcome.kind == .created {
      return "created \(outcome.type) \(outcome.id)\n"
    }
    if outcome.changes.isEmpty { return "nothing to change in \(outcome.displayPath)\n" }
    var out = ""
    for change in outcome.changes {
      switch (change.old, change.new) {
      case (nil, let new?):
        out += new.text != nil ? "set \(change.field): \(shown(new))\n" : "added \(change.field)\n"
      case (let old?, nil):
        out += "removed \(change.field) (was \(shown(old)))\n"
      case (let old?, let new?):
        out += "set \(change.field): \(shown(old)) → \(shown(new))\n"
      case (nil, nil):
        break
      }
    }
    return out
  }

  static func shown(_ value: Value) -> String {
    switch value {
    case .scalar(let text, _): text.contains("\n") ? JSON.string(text) : text
    case .null: "(empty)"
    case .sequence(let items): "\(items.count) \(Wording.plural(items.count, "item"))"
    case .mapping: value.json()
    }
  }

  /// Prints why an edit failed and exits with its code; `assignment` is how the command
  /// takes a field's value (`field=value`, `--set field=value`).
  static func report(
    _ failure: RecordEditing.Failure, renderer: DiagnosticRenderer, assignment: String = "field=value"
  ) throws -> Never {
    switch failure {
    case .usage(let problems):
      for problem in problems {
        Console.err("tally: \(problem.message)\n")
        if let hint = problem.hint { Console.err("  \(hint)\n") }
      }
      throw ExitCode.validationFailure
    case .missing(let fields):
      Console.err("tally: required fields have no value:\n")
      for field in fields {
        Console.err("  \(field.path): \(field.summary)\n")
      }
      Console.err("  give them as \(assignment) (run on a terminal to be asked for them)\n")
      throw ExitCode.validationFailure
    case .exists(let path):
      Console.err("tally: \(path) exists already; refusing to overwrite it (change it with 'tally set')\n")
      throw Exit.findings
    case .notARecord(let diagnostics, let file):
      Console.err(renderer.render(diagnostics, file: file))
      Console.err("tally: \(file.path) is not in the record format; fix it first (see 'tally check')\n")
      throw Exit.findings
    case .refused:
      Console.err("tally: \(failure)\n")
      throw Exit.findings
    case .io(let message):
      Console.err("tally: \(message)\n")
      throw Exit.failure
    }
  }

  /// Asks on the terminal for each missing field until its value fits.
  static func ask(_ fields: [RecordEditing.RequiredField], editing: RecordEditing) throws
    -> [RecordEditing.Assignment]
  {
    var answers: [RecordEditing.Assignment] = []
    for field in fields {
      for prompt in field.prompts {
        let required = RecordEditing.RequiredField(path: prompt.path, spec: prompt.spec)
        while true {
          Console.err("\(prompt.path) (\(required.summary))\(prompt.needed ? "" : ", empty to skip"): ")
          guard let line = readLine() else {
            Console.err("\n")
            throw ExitCode.validationFailure
          }
          let answer = line.trimmingWhitespace()
          if answer.isEmpty {
            if prompt.needed { continue }
            break
          }
          if let problem = editing.problem(with: answer, for: required) {
            Console.err("  \(problem.message)\(problem.hint.map { " (\($0))" } ?? "")\n")
            continue
          }
          answers.append(RecordEditing.Assignment(path: prompt.path, text: answer))
          break
        }
      }
    }
    return answers
  }
}

extension String {
  fileprivate func trimmingWhitespace() -> String {
    var text = Substring(self)
    while let first = text.first, first.isWhitespace { text.removeFirst() }
    while let last = text.last, last.isWhitespace { text.removeLast() }
    return String(text)
  }
}
