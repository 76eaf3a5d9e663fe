import ArgumentParser
import TallyRecords
import TallySchema
import TallyText

struct Check: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Check the records against their schemas, and report every problem.",
    discussion: """
      Checks every record of the repository: the record format, the fields and values the \
      schema allows, the rules within each record, and the rules across records (references \
      exist and meet their conditions, no reference loops, unique values are unique). Also \
      reports files in the wrong place. With paths, reports only on those files, still \
      checking their references against the rest.

      With --against REV, also checks that state fields (such as a customer's status) only \
      changed in ways their schema allows since that revision, and that new records start \
      in an allowed state.

      Output: every problem, sorted by file and position, then a summary. --format json is \
      documented in docs/diagnostics.md; --format github prints GitHub Actions annotations.

      Exit status: 0 when there are no errors (warnings are fine unless --strict), 1 when \
      there are, 2 when the repository cannot be read, 64 for usage errors.
      """)

  enum Format: String, ExpressibleByArgument, CaseIterable {
    case text
    case json
    case github
  }

  @Argument(help: "Record files or directories to report on (default: all).", completion: .file(extensions: ["yaml"]))
  var paths: [String] = []

  @Option(help: "Output format: text, json or github.")
  var format: Format = .text

  @Flag(help: "Treat warnings as errors (exit 1 when there are any).")
  var strict = false

  @Option(help: ArgumentHelp("Also check state changes since this revision (e.g. HEAD, main).", valueName: "rev"))
  var against: String?

  @OptionGroup var repository: RepositoryOptions
  @OptionGroup var global: GlobalOptions

  func run() throws {
    let repo = try repository.open()
    let only = try onlyPaths(in: repo)
    let checker = RepositoryChecker(repository: repo, today: today(in: repo))
    var baseline: TransitionChecker.Baseline?
    if let against {
      do {
        let (git, prefix) = try repo.gitRepository()
        baseline = try checker.baseline(from: GitRevisionSource(repository: git, revision: against, prefix: prefix))
      } catch {
        Console.err("tally: cannot read \(against): \(error)\n")
        throw Exit.failure
      }
    }
    let report: CheckReport
    do {
      report = try checker.check(WorkingTreeSource(root: repo.root), only: only, baseline: baseline)
    } catch {
      Console.err("tally: \(error)\n")
      throw Exit.failure
    }
    CheckOutput.write(report, format: format, color: Console.useColor(global.color, stdout: true))
    if report.errorCount > 0 || (strict && report.warningCount > 0) { throw Exit.findings }
  }

  /// The paths to report on, relative to the records root.
  func onlyPaths(in repo: RecordsRepository) throws -> Set<String>? {
    let paths = PathArguments.all(self.paths)
    guard !paths.isEmpty else { return nil }
    var result = Set<String>()
    for path in paths {
      let absolute = FileSystem.absolute(path)
      let relative = FileSystem.relative(absolute, to: repo.root)
      guard !relative.hasPrefix("..") else {
        throw ValidationError("\(path) is outside the records repository at \(repo.root)")
      }
      switch FileSystem.kind(of: absolute) {
      case .directory:
        let files = (try? FileSystem.files(under: absolute, suffixes: [""])) ?? []
        for file in files { result.insert(FileSystem.relative(file, to: repo.root)) }
      case .none:
        throw ValidationError("no such file or directory: \(path)")
      default:
        result.insert(relative)
      }
    }
    return result
  }
}

/// How check results are printed (shared with the git commands that check).
enum CheckOutput {
  static func write(_ report: CheckReport, format: Check.Format, color: Bool) {
    switch format {
    case .text:
      let renderer = DiagnosticRenderer(color: color)
      var cache: [String: SourceFile?] = [:]
      var out = ""
      for diagnostic in report.diagnostics {
        out += renderer.render(diagnostic) { path in
          if let cached = cache[path] { return cached }
          let file = report.source(path)
          cache[path] = file
          return file
        }
      }
      out += summary(report) + "\n"
      Console.out(out)
    case .json:
      var out: [UInt8] = []
      out.append(contentsOf: "{\"version\":1,\"records\":\(report.recordCount),\"files\":\(report.fileCount),".utf8)
      out.append(
        contentsOf: "\"errors\":\(report.errorCount),\"warnings\":\(report.warningCount),\"diagnostics\":[".utf8)
      for (index, diagnostic) in report.diagnostics.enumerated() {
        if index > 0 { out.append(UInt8(ascii: ",")) }
        out.append(0x0A)
        diagnostic.writeJSON(into: &out)
      }
      out.append(contentsOf: "\n]}\n".utf8)
      Console.out(out)
    case .github:
      var out = ""
      for diagnostic in report.diagnostics { out += diagnostic.githubAnnotation + "\n" }
      out += summary(report) + "\n"
      Console.out(out)
    }
  }

  static func summary(_ report: CheckReport) -> String {
    let records = "\(report.recordCount) \(plural(report.recordCount, "record"))"
    let errors = report.errorCount
    let warnings = report.warningCount
    if errors == 0 && warnings == 0 { return "checked \(records): no problems" }
    var parts: [String] = []
    if errors > 0 { parts.append("\(errors) \(plural(errors, "error"))") }
    if warnings > 0 { parts.append("\(warnings) \(plural(warnings, "warning"))") }
    return "checked \(records): " + parts.joined(separator: ", ")
  }
}
