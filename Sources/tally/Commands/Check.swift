import ArgumentParser
import TallyRecords
import TallySchema
import TallyText

extension CheckFormat: ExpressibleByArgument {}

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
      be committed (deletions and renames included; state changes checked against HEAD, \
      and during a merge a state change allowed from a merged-in commit is allowed too); \
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
      documented in docs/outputs.md; --format github prints GitHub Actions annotations.

      Exit status: 0 when there are no errors (warnings are fine unless --strict), 1 when \
      there are, 2 when the repository cannot be read, 64 for usage errors.
      """)

  @Argument(help: "Record files or directories to report on (default: all).", completion: .file(extensions: ["yaml"]))
  var paths: [String] = []

  @Option(help: "Output format: text, json or github.")
  var format: CheckFormat = .text

  @Flag(help: "Treat warnings as errors (exit 1 when there are any).")
  var strict = false

  @Option(help: ArgumentHelp("Also check state changes since this revision (e.g. HEAD, main).", valueName: "rev"))
  var against: String?

  @Flag(help: "Check the index (what would be committed) instead of the working tree.")
  var staged = false

  @Option(
    help: ArgumentHelp(
      "With --staged: a commit being merged in; a state change allowed from it is allowed (a merge in progress is read from MERGE_HEAD).",
      discussion:
        "The pre-merge-commit hook passes the commits git is merging: git writes MERGE_HEAD only after that hook.",
      valueName: "rev"))
  var merging: [String] = []

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
    if !merging.isEmpty && !staged { throw ValidationError("--merging only applies to --staged") }
  }

  func run() throws {
    let repo = try repository.open()
    Trace.mark("repository opened")
    var request = CheckRequest(today: today(in: repo))
    request.only = try onlyPaths(in: repo)
    request.strict = strict
    request.useCache = !noCache
    if staged {
      request.target = .staged
      request.merging = merging
    } else if let rev {
      request.target = .revision(rev, against: against)
    } else if let range {
      request.target = .range(range, firstParent: firstParent)
    } else {
      request.target = .workingTree(against: against)
    }
    let outcome: CheckOutcome
    do {
      // Large repositories take seconds: show how far the check is (on a terminal only).
      let progress = Progress(label: range == nil ? "checking records" : "checking commits")
      defer { progress.finish() }
      outcome = try repo.check(request) { progress.update($0, of: $1) }
    } catch {
      Console.err("tally: \(error)\n")
      throw Exit.failure
    }
    Console.out(outcome.rendered(format, color: Console.useColor(global.color, stdout: true)))
    if outcome.failed { throw Exit.findings }
  }

  /// The paths to report on, relative to the records root.
  func onlyPaths(in repo: RecordsRepository) throws -> Set<String>? {
    let paths = PathArguments.all(self.paths)
    guard !paths.isEmpty else { return nil }
    var result = Set<String>()
    for path in paths where repo.pathInside(path, from: FileSystem.currentDirectory) == nil {
      throw ValidationError("\(path) is outside the records repository at \(repo.root)")
    }
    do {
      for file in try PathExpansion.files(paths, suffixes: [""]) {
        if let relative = repo.pathInside(file, from: FileSystem.currentDirectory) { result.insert(relative) }
      }
    } catch let missing as PathExpansion.Missing {
      throw ValidationError(missing.description)
    }
    return result
  }
}
