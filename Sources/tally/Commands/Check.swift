import ArgumentParser
import TallyRecords
import TallySchema
import TallyText

struct Check: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "check",
    abstract: "Check the records against their schemas, and report every problem.",
    discussion: """
      Checks every record of the repository: the record format, the fields and values the \
      schema allows, the rules within each record, and the rules across records (references \
      exist and meet their conditions, no reference loops, unique values are unique). Also \
      reports files in the wrong place. With paths, reports only on those files, still \
      checking their references against the rest.

      What is checked: the working tree by default; with --staged, the index as it would \
      be committed (deletions and renames included; state changes checked against HEAD); \
      with --rev REV, the records of that commit; with --range A..B, every commit in B but \
      not in A, oldest first, each against its first parent, reporting the problems each \
      commit introduced and naming the first bad commit (for CI and server-side hooks).

      With --against REV, also checks that state fields (such as a customer's status) only \
      changed in ways their schema allows since that revision, and that new records start \
      in an allowed state.

      In a git repository the outcome is kept in .git/tally, and the next check (of the \
      working tree, the index or a range) reads and validates only the files that changed and \
      the records they affect; the result is the same as a full check's. --no-cache checks \
      everything from scratch.

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

  @Flag(help: "Check the index (what would be committed) instead of the working tree.")
  var staged = false

  @Option(help: ArgumentHelp("Check the records of this commit instead of the working tree.", valueName: "rev"))
  var rev: String?

  @Option(
    help: ArgumentHelp(
      "Check every commit of a range (A..B), each against its parent; name the first bad one.", valueName: "range"))
  var range: String?

  @Flag(help: "With --range, follow only first parents (the branch's own timeline).")
  var firstParent = false

  @Flag(
    help: ArgumentHelp(
      "Check every file from scratch: neither read nor write the results kept in the git directory.",
      discussion:
        "By default tally keeps the outcome of each check in .git/tally and the next check reads and validates only what changed."
    ))
  var noCache = false

  @OptionGroup var repository: RepositoryOptions
  @OptionGroup var global: GlobalOptions

  func validate() throws {
    let modes = [staged, rev != nil, range != nil].filter { $0 }.count
    if modes > 1 { throw ValidationError("--staged, --rev and --range cannot be combined") }
    if range != nil && against != nil {
      throw ValidationError("--range checks each commit against its parent; drop --against")
    }
    if staged && against != nil { throw ValidationError("--staged checks state changes against HEAD; drop --against") }
    if firstParent && range == nil { throw ValidationError("--first-parent only applies to --range") }
  }

  func run() throws {
    let repo = try repository.open()
    Trace.mark("repository opened")
    let only = try onlyPaths(in: repo)
    if staged || rev != nil || range != nil {
      try runOnGit(repo, only: only)
      return
    }
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
      // Large repositories take seconds: show how far the check is (on a terminal only).
      let progress = Progress(label: "checking records")
      defer { progress.finish() }
      // In a git repository, the outcome is kept in the git directory to check only what
      // changed next time.
      let gitDirectory = noCache ? nil : (try? repo.gitRepository())?.0.gitDirectory
      report = try checker.checkWorkingTree(only: only, baseline: baseline, gitDirectory: gitDirectory) {
        progress.update($0, of: $1)
      }
    } catch {
      Console.err("tally: \(error)\n")
      throw Exit.failure
    }
    CheckOutput.write(report, format: format, color: Console.useColor(global.color, stdout: true))
    if report.errorCount > 0 || (strict && report.warningCount > 0) { throw Exit.findings }
  }

  /// --staged, --rev and --range: snapshots from git.
  func runOnGit(_ repo: RecordsRepository, only: Set<String>?) throws {
    let checker: GitChecker
    do {
      let (git, prefix) = try repo.gitRepository()
      checker = GitChecker(records: repo, git: git, prefix: prefix, today: today(in: repo))
      checker.persistent = !noCache
      checker.incremental = !noCache
    } catch {
      Console.err("tally: \(error)\n")
      throw Exit.failure
    }
    let color = Console.useColor(global.color, stdout: true)
    if let range {
      let results: [GitChecker.CommitResult]
      do {
        let progress = Progress(label: "checking commits")
        results = try checker.checkRange(range, firstParent: firstParent) { progress.update($0, of: $1) }
        progress.finish()
      } catch {
        Console.err("tally: cannot check \(range): \(error)\n")
        throw Exit.failure
      }
      CheckOutput.writeRange(results, format: format, color: color, strict: strict)
      let bad = results.contains { result in
        result.introduced.contains { $0.severity == .error || (strict && $0.severity == .warning) }
      }
      if bad { throw Exit.findings }
      return
    }
    let report: CheckReport
    let progress = Progress(label: "checking records")
    checker.progress = { progress.update($0, of: $1) }
    do {
      defer { progress.finish() }
      if staged {
        report = try checker.checkStaged(only: only)
      } else {
        let commit = try checker.git.commit(rev!)
        let snapshot = try checker.snapshot(commit: commit, name: rev!)
        let earlier = try against.map { try checker.snapshot(commit: try checker.git.commit($0), name: $0) }
        report = checker.check(snapshot, against: earlier, only: only)
      }
    } catch {
      Console.err("tally: \(error)\n")
      throw Exit.failure
    }
    CheckOutput.write(report, format: format, color: color)
    if report.errorCount > 0 || (strict && report.warningCount > 0) { throw Exit.findings }
  }

  /// The paths to report on, relative to the records root.
  func onlyPaths(in repo: RecordsRepository) throws -> Set<String>? {
    let paths = PathArguments.all(self.paths)
    guard !paths.isEmpty else { return nil }
    var result = Set<String>()
    for path in paths {
      let absolute = FileSystem.absolute(path)
      guard let relative = repo.pathInside(path, from: FileSystem.currentDirectory) else {
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

  /// The result of --range: the commits that introduced problems, each with its problems,
  /// then which commit was the first bad one.
  static func writeRange(_ results: [GitChecker.CommitResult], format: Check.Format, color: Bool, strict: Bool) {
    func isBad(_ result: GitChecker.CommitResult) -> Bool {
      result.introduced.contains { $0.severity == .error || (strict && $0.severity == .warning) }
    }
    let firstBad = results.first(where: isBad)
    switch format {
    case .json:
      var out: [UInt8] = []
      out.append(contentsOf: "{\"version\":1,\"commits\":[".utf8)
      for (index, result) in results.enumerated() {
        if index > 0 { out.append(UInt8(ascii: ",")) }
        let errors = result.introduced.errorCount
        let warnings = result.introduced.warningCount
        out.append(contentsOf: "\n{\"commit\":\"\(result.commit.id.hex)\",\"summary\":".utf8)
        out.append(contentsOf: jsonString(result.commit.summary).utf8)
        out.append(contentsOf: ",\"errors\":\(errors),\"warnings\":\(warnings),\"diagnostics\":[".utf8)
        for (position, diagnostic) in result.introduced.enumerated() {
          if position > 0 { out.append(UInt8(ascii: ",")) }
          diagnostic.writeJSON(into: &out)
        }
        out.append(contentsOf: "]}".utf8)
      }
      out.append(contentsOf: "\n],\"first_bad\":".utf8)
      out.append(contentsOf: (firstBad.map { "\"\($0.commit.id.hex)\"" } ?? "null").utf8)
      out.append(contentsOf: "}\n".utf8)
      Console.out(out)
      return
    case .text, .github:
      var out = ""
      let renderer = DiagnosticRenderer(color: color)
      for result in results where !result.introduced.isEmpty {
        if format == .github {
          for diagnostic in result.introduced {
            out += diagnostic.githubAnnotation + "\n"
          }
          continue
        }
        out += "commit \(result.commit.id.short()) \(result.commit.summary)\n"
        for diagnostic in result.introduced {
          out += renderer.render(diagnostic) { result.report.source($0) }
        }
        out += "\n"
      }
      let problems = results.filter { !$0.introduced.isEmpty }.count
      out += "checked \(results.count) \(plural(results.count, "commit"))"
      if let firstBad {
        out +=
          ": \(problems) with problems; first bad commit \(firstBad.commit.id.short()) (\(firstBad.commit.summary))\n"
      } else if problems > 0 {
        out += ": \(problems) with warnings\n"
      } else {
        out += ": no problems\n"
      }
      Console.out(out)
    }
  }

  static func jsonString(_ text: String) -> String { JSON.string(text) }

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
