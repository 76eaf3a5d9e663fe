import ArgumentParser
import TallyRecords
import TallyText

struct Fmt: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "fmt",
    abstract: "Rewrite record files into canonical form.",
    discussion: """
      Canonical form: two-space indentation, lists indented under their key, 'key: value' \
      with one space, the fewest quotes that keep every YAML reader reading the same text, \
      comments kept, one newline at the end. Formatting never changes what a file means.

      Without paths, formats every .yaml file in the records repository (the directory \
      holding tally.yaml, found from the current directory upwards), or under the current \
      directory when there is none. A directory stands for the .yaml files under it.

      Files are replaced atomically and keep their permissions. A file that is not in the \
      record format is reported and left untouched; so are the records of a type whose \
      schema has errors (and, when a schema file cannot be read as a type at all, every \
      .yaml file of unknown type), since their field order and quoting come from the schema.

      Exit status: 0 when every file is (now) canonical; 1 when a file does not parse or \
      was left untouched for its schema, or with --check/--diff when a file would change; 2 when a file cannot be read or written.
      """)

  @Argument(help: "Files or directories to format.", completion: .file(extensions: ["yaml", "yml"]))
  var paths: [String] = []

  @Flag(help: "Change nothing; list the files that are not in canonical form and exit 1 if any.")
  var check = false

  @Flag(help: "Change nothing; print a unified diff of what would change and exit 1 if any.")
  var diff = false

  @OptionGroup var global: GlobalOptions

  func run() throws {
    let files = try RecordFiles.expand(PathArguments.all(paths))
    // Inside a records repository, records are printed by their schema.
    let formatter = RecordFormatter(paths: files)
    // Ctrl-C stops between files: each is left as it was or formatted whole.
    let outcomes = Interrupts.cancellable { formatter.run(paths: files, write: !check && !diff) }
    let renderer = DiagnosticRenderer(color: global.useColor)
    var changed = 0
    var unchanged = 0
    var invalid = 0
    var failed = 0
    var skipped = 0
    // Files left alone, by reason: one line per reason, not per file.
    var leftAlone: [(reason: String, count: Int)] = []
    for outcome in outcomes {
      switch outcome.status {
      case .skipped:
        skipped += 1
      case .unchanged:
        unchanged += 1
      case .changed:
        changed += 1
        if diff {
          let text = LineDiff.unified(
            old: outcome.original, new: outcome.formatted,
            oldName: "a/" + diffPath(outcome.path), newName: "b/" + diffPath(outcome.path))
          Console.out(text)
        } else if check {
          Console.out(outcome.path + "\n")
        } else {
          Console.err("formatted \(outcome.path)\n")
        }
      case .invalid:
        invalid += 1
        Console.err(
          renderer.render(outcome.diagnostics, file: SourceFile(path: outcome.path, bytes: outcome.original)))
      case .failed(let reason):
        failed += 1
        Console.err("tally: \(reason)\n")
      case .leftAlone(let reason):
        if let index = leftAlone.firstIndex(where: { $0.reason == reason }) {
          leftAlone[index].count += 1
        } else {
          leftAlone.append((reason, 1))
        }
      }
    }
    for (reason, count) in leftAlone {
      Console.err(
        "tally: \(count) \(Wording.plural(count, "file")) not formatted: \(reason); fix the schema first (see 'tally check')\n"
      )
    }
    let untouched = leftAlone.reduce(0) { $0 + $1.count }
    var parts: [String] = []
    let verb = (check || diff) ? "would be reformatted" : "reformatted"
    parts.append("\(changed) \(Wording.plural(changed, "file")) \(verb)")
    parts.append("\(unchanged) already canonical")
    if invalid > 0 { parts.append("\(invalid) not in the record format (left untouched)") }
    if untouched > 0 { parts.append("\(untouched) left untouched (their schema has errors)") }
    if failed > 0 { parts.append("\(failed) could not be read or written") }
    if skipped > 0 { parts.append("\(skipped) left as they were (interrupted)") }
    Console.err(parts.joined(separator: ", ") + "\n")
    Console.flush()
    if skipped > 0, let signal = Interrupts.pending { throw Interrupted(signal: signal) }
    if failed > 0 { throw Exit.failure }
    if invalid > 0 || untouched > 0 || ((check || diff) && changed > 0) { throw Exit.findings }
  }
}

/// A path as `git diff` names it after `a/` and `b/` (no leading slash or `./`).
func diffPath(_ path: String) -> String {
  var result = Substring(path)
  while result.hasPrefix("/") || result.hasPrefix("./") {
    result = result.hasPrefix("/") ? result.dropFirst() : result.dropFirst(2)
  }
  return String(result)
}

/// Turns path arguments into the record files they stand for.
enum RecordFiles {
  static let suffixes = [".yaml", ".yml"]

  /// Files as given; directories expanded to the .yaml files under them; no paths means the
  /// records repository (or the current directory).
  static func expand(_ paths: [String]) throws -> [String] {
    if paths.isEmpty {
      let cwd = FileSystem.currentDirectory
      let root = RecordsRoot.find(from: cwd) ?? cwd
      return try PathExpansion.files([root], suffixes: suffixes).map { FileSystem.relative($0, to: cwd) }
    }
    do {
      return try PathExpansion.files(paths, suffixes: suffixes)
    } catch let missing as PathExpansion.Missing {
      throw ValidationError(missing.description)
    }
  }
}
