import ArgumentParser
import TallyRecords

struct Init: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "init",
    abstract: "Create a new records repository.",
    discussion: """
      Writes tally.yaml, the schemas of the template into schema/, a directory for each \
      record type (with a .gitkeep so git keeps it while it is empty), a README.md for \
      the team (kept when there is one) and a .gitignore that keeps .tally/ out of git \
      (the JSON Schemas 'tally schema export' writes for editors; the line is added once \
      to an existing .gitignore), then installs the pre-commit and pre-merge-commit hooks \
      and git's diff and merge drivers for records ('tally hook install'). When DIR is not \
      in a git working tree, a git repository is created there first (branch main); inside \
      one, the records live in that sub-directory of it.

      Templates: telesales (staff, customers, plans and meeting minutes) or empty (no \
      schemas yet).

      Nothing is written when DIR already holds tally.yaml, is inside another records \
      repository, or holds other files that tally init would overwrite. Exit status: 0 \
      when the repository was created, 1 when it refuses, 2 when a file cannot be written, \
      64 for usage errors.
      """)

  @Argument(help: "The directory to create the records repository in.", completion: .directory)
  var directory: String = "."

  @Option(help: "The template: telesales or empty.")
  var template: RepositoryTemplate = .telesales

  @Option(name: .customLong("time-zone"), help: ArgumentHelp("The team's time zone (IANA name).", valueName: "zone"))
  var timeZone = "Asia/Shanghai"

  @Option(help: ArgumentHelp("The currency of money fields (three letters).", valueName: "code"))
  var currency = "CNY"

  @Flag(help: "Do not install the git hooks and drivers (tally hook install does it later).")
  var noHook = false

  @OptionGroup var global: GlobalOptions

  var settings: RepositoryTemplate.Settings {
    RepositoryTemplate.Settings(timeZone: timeZone, currency: currency)
  }

  func validate() throws {
    if let problem = settings.problem { throw ValidationError(problem) }
  }

  func run() throws {
    let result: RepositoryTemplate.Result
    do {
      result = try Interrupts.cancellable { () throws(RepositoryTemplate.InitError) in
        try template.create(at: directory, settings: settings)
      }
    } catch {
      if case .interrupted(let signal) = error {
        Console.err("tally: init stopped between two files; run it again to finish\n")
        throw Interrupted(signal: signal)
      }
      Console.err("tally: \(error)\n")
      switch error {
      case .interrupted, .file, .git: throw Exit.failure
      default: throw Exit.findings
      }
    }
    var out = ""
    if result.createdGitRepository {
      out += "initialized a git repository in \(result.gitTopLevel) (branch main)\n"
    }
    out += "created a records repository in \(result.root) (template \(template.rawValue))\n"
    for path in result.written { out += "  wrote \(path)\n" }
    for path in result.kept { out += "  kept the existing \(path)\n" }
    for path in result.appended { out += "  added \(RepositoryTemplate.generatedDirectory) to the existing \(path)\n" }
    Console.out(out)
    if !noHook {
      do {
        let records = try? RecordsRepository.open(root: result.root, from: result.root, displayBase: result.root)
        let installer = try HookInstaller(
          recordsRoot: result.root, executable: RunningExecutable.path,
          recordDirectories: records.map(Hook.recordDirectories) ?? [],
          shardedDirectories: Set((records?.schema.types ?? []).filter { $0.layout != .flat }.map(\.directory)))
        Console.out(Hook.describe(try installer.install(), installer: installer))
      } catch {
        // The repository is there; only the hooks are missing, and can be installed later.
        Console.err("tally: warning: the git hooks and drivers were not installed: \(error)\n")
        Console.err("tally: fix that, then run 'tally hook install'\n")
      }
    }
    Console.out("next: add records, then commit them: git add \(Self.shellWord(directory)) && git commit -m \"...\"\n")
  }
}

extension Init {
  /// `text` as one shell word, quoted only when it needs to be.
  static func shellWord(_ text: String) -> String {
    let plain = text.unicodeScalars.allSatisfy { scalar in
      scalar.properties.isAlphabetic || scalar.properties.numericType != nil
        || "/._-+,:@".unicodeScalars.contains(scalar)
    }
    return plain && !text.isEmpty ? text : "'" + text.replacing("'", with: #"'\''"#) + "'"
  }
}

extension RepositoryTemplate: ExpressibleByArgument {}
