import ArgumentParser
import TallyRecords

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

struct Hook: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "hook",
    abstract: "Install the git hooks and drivers that check and merge records.",
    discussion: """
      For people who commit and merge with plain git or a GUI client. Two hooks are \
      installed where git runs hooks from (core.hooksPath, or .git/hooks): pre-commit runs \
      'tally check --staged' before 'git commit' and, when that passes, 'tally fmt --check' \
      on the staged .yaml files of the records repository; pre-merge-commit runs the same \
      checks on the result of a 'git merge' that needed no manual resolution, before git \
      records the merge commit: a merge whose result is invalid stops, still in progress, \
      for you to fix and finish with 'tally commit'.

      It also sets up git's diff and merge drivers for records: '<dir>/*.yaml diff=tally \
      merge=tally' lines for the record directories in the records root's .gitattributes \
      (commit it), and in .git/config diff.tally.textconv = 'tally diff --git-textconv' and \
      merge.tally.driver = 'tally merge-driver %O %A %B %L %P', so that 'git diff' shows \
      record changes field by field and 'git merge', 'pull', 'rebase', 'cherry-pick' and \
      'revert' merge records field by field.

      Hooks and configuration are not copied by 'git clone': run 'tally hook install' once \
      in every clone ('tally hook status' says when a clone needs it).

      See docs/git.md for merging, the pre-commit framework, CI and server-side hooks.
      """,
    subcommands: [Install.self, Uninstall.self, Status.self])

  struct Install: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "install",
      abstract: "Install the hooks and the drivers (running it again changes nothing).",
      discussion: """
        The hooks and drivers record the path of this tally binary; the hooks fall back to \
        'tally' on PATH when that is gone. A hook that is already there is kept: it is \
        renamed to <hook>.tally-chained and run first, and its failure stops the commit or \
        merge; 'tally hook uninstall' puts it back. An older block of attributes (diff=tally \
        only) is brought up to date.

        Exit status: 0 when the hooks are installed (or already were), 1 when an existing \
        hook is in the way and cannot be chained or tally's hook checks another records root \
        of the repository (nothing is changed then), 2 when there is no git working tree or \
        a hook cannot be written.
        """)

    @Flag(
      help:
        "Install the pre-receive hook that enforces the ownership policy (policy.yaml) into a repository that receives pushes (see docs/policy.md)."
    )
    var server = false

    @Option(help: "With --server: the repository (a bare one on the git server); by default the current directory.")
    var gitDir: String?

    @Option(help: "With --server: where tally.yaml is in the repository's tree (found in HEAD by default).")
    var prefix: String?

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var global: GlobalOptions

    func validate() throws {
      if !server && (gitDir != nil || prefix != nil) {
        throw ValidationError("--git-dir and --prefix go with --server")
      }
    }

    func run() throws {
      if server {
        try installServerHook()
        return
      }
      let records = try repository.open()
      let installer = try Hook.installer(records)
      do {
        Console.out(Hook.describe(try installer.install(), installer: installer))
      } catch {
        Console.err("tally: \(error)\n")
        throw Hook.exitCode(for: error)
      }
    }

    func installServerHook() throws {
      let hook: ServerHook
      do throws(ServerHook.SetupError) {
        hook = try ServerHook.at(
          gitDir ?? FileSystem.currentDirectory, prefix: prefix, executable: RunningExecutable.path)
      } catch {
        Console.err("tally: \(error)\n")
        throw Exit.failure
      }
      let outcome: ServerHook.Outcome
      do {
        outcome = try hook.install()
      } catch {
        Console.err("tally: \(error)\n")
        throw Hook.exitCode(for: error)
      }
      let place = hook.hookPath
      let root = hook.prefix.isEmpty ? "the top of the tree" : hook.prefix + "/"
      switch outcome {
      case .installed(let chained?):
        Console.out(
          "installed tally's pre-receive hook: \(place) (records at \(root)); the hook that was there runs first: \(chained)\n"
        )
      case .installed(nil):
        Console.out("installed tally's pre-receive hook: \(place) (records at \(root))\n")
      case .updated:
        Console.out("updated tally's pre-receive hook: \(place)\n")
      case .alreadyInstalled:
        Console.out("tally's pre-receive hook is already installed: \(place)\n")
      }
      Console.out(
        "every push is now checked against policy.yaml as the pusher (GL_USERNAME, GITEA_PUSHER_NAME or GL_USER; else the author)\n"
      )
    }
  }

  struct Uninstall: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "uninstall",
      abstract: "Remove the hooks and drivers, and put back the hooks they ran first.",
      discussion: """
        Only tally's own hooks are removed; a hook one had chained to is renamed back, \
        unchanged. The drivers go too: tally's lines in .gitattributes, diff.tally.textconv, \
        merge.tally.driver and merge.tally.name (each only when it is tally's). Exit status: \
        0 (also when nothing was installed), 2 when something cannot be removed.
        """)

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var global: GlobalOptions

    func run() throws {
      let installer = try Hook.installer(root: Hook.rootOrCurrentDirectory(repository), recordDirectories: [])
      do {
        let result = try installer.uninstall()
        for hook in HookInstaller.Hook.allCases {
          switch result.outcome(hook) {
          case .notInstalled:
            Console.out("tally's \(hook.name) hook is not installed\n")
          case .removed(let restored?):
            Console.out("removed tally's \(hook.name) hook; restored the hook it ran first: \(restored)\n")
          case .removed(nil):
            Console.out("removed tally's \(hook.name) hook: \(try installer.path(of: hook))\n")
          }
        }
        if result.driversRemoved {
          Console.out(
            "removed the diff and merge drivers (tally's settings in .git/config, and tally's lines in \(installer.attributesPath))\n"
          )
        }
      } catch {
        Console.err("tally: \(error)\n")
        throw Hook.exitCode(for: error)
      }
    }
  }

  struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "status",
      abstract: "Show whether the hooks and drivers are installed, and what they run.",
      discussion: """
        One block per hook (pre-commit, pre-merge-commit) and per driver (diff, merge). A \
        clone whose .gitattributes gives the records merge=tally but has no merge.tally.driver \
        (a fresh 'git clone') is reported with a warning: git then silently merges those \
        files as text.

        --format json is documented in docs/outputs.md.

        Exit status: 0 when both hooks and both drivers are installed and up to date; 1 when \
        anything is not installed, out of date (run 'tally hook install'), or runs a tally \
        binary that is gone — in particular when merge=tally is set but merge.tally.driver \
        is not configured; 2 when the repository cannot be read.
        """)

    @Option(help: "Output format: text or json.")
    var format: DataFormat = .text

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var global: GlobalOptions

    func run() throws {
      let root = try Hook.rootOrCurrentDirectory(repository)
      let records = try? RecordsRepository.open(root: root, from: root, displayBase: root)
      let installer = try records.map(Hook.installer) ?? Hook.installer(root: root, recordDirectories: [])
      let status: HookInstaller.Status
      do {
        status = try installer.status()
      } catch {
        Console.err("tally: \(error)\n")
        throw Hook.exitCode(for: error)
      }
      switch format {
      case .text:
        Console.out(status.text(attributesPath: installer.attributesPath))
        for warning in status.warnings { Console.err("tally: warning: \(warning)\n") }
      case .json:
        Console.out(status.json(attributesPath: installer.attributesPath))
      }
      if !status.isHealthy { throw Exit.findings }
    }
  }

  /// An installer for `records`, run by this binary, with the drivers for its record types.
  static func installer(_ records: RecordsRepository) throws -> HookInstaller {
    try installer(
      root: records.root, recordDirectories: recordDirectories(records),
      shardedDirectories: Set(records.schema.types.filter { $0.layout != .flat }.map(\.directory)))
  }

  /// An installer for the records at `root`, run by this binary.
  static func installer(root: String, recordDirectories: [String], shardedDirectories: Set<String> = []) throws
    -> HookInstaller
  {
    do {
      return try HookInstaller(
        recordsRoot: root, executable: RunningExecutable.path, recordDirectories: recordDirectories,
        shardedDirectories: shardedDirectories)
    } catch {
      Console.err("tally: \(error)\n")
      throw exitCode(for: error)
    }
  }

  /// The records root, or the current directory when there is none (to remove a hook whose
  /// records are gone).
  static func rootOrCurrentDirectory(_ options: RepositoryOptions) throws -> String {
    if options.repo != nil { return try options.open().root }
    return RecordsRoot.find(from: FileSystem.currentDirectory) ?? FileSystem.currentDirectory
  }

  /// The directories of the repository's record types, for the drivers.
  static func recordDirectories(_ records: RecordsRepository) -> [String] {
    records.schema.types.map(\.directory).sorted()
  }

  /// What `install` did, for people: a line per hook, one for the drivers.
  static func describe(_ result: HookInstaller.InstallResult, installer: HookInstaller) -> String {
    let runs = installer.executable.map { "runs \($0), or tally on PATH" } ?? "runs tally on PATH"
    var out = ""
    for hook in HookInstaller.Hook.allCases {
      let path = (try? installer.path(of: hook)) ?? ".git/hooks/" + hook.name
      switch result.outcome(hook) {
      case .alreadyInstalled:
        out += "tally's \(hook.name) hook is already installed: \(path)\n"
      case .updated:
        out += "updated tally's \(hook.name) hook: \(path) (\(runs))\n"
      case .installed(let chained?):
        out +=
          "installed tally's \(hook.name) hook: \(path) (\(runs)); it runs the existing hook first, now \(chained)\n"
      case .installed(nil):
        out += "installed tally's \(hook.name) hook: \(path) (\(runs))\n"
      }
    }
    if installer.recordDirectories.isEmpty {
      out +=
        "no record types yet: run 'tally hook install' again after adding schemas, for the diff and merge drivers\n"
    } else if result.drivers.attributes {
      out +=
        "set up the diff and merge drivers: git diff shows records field by field, git merge merges them field by field (commit \(installer.attributesPath): the team shares it)\n"
    } else if result.drivers.configuration {
      out +=
        "set up the diff and merge drivers in this clone: git diff shows records field by field, git merge merges them field by field\n"
    } else {
      out += "the diff and merge drivers are already set up\n"
    }
    return out
  }

  /// 1 when a hook in the way makes installing refuse, 2 when the job could not be done.
  static func exitCode(for error: Error) -> ExitCode {
    switch error as? HookInstaller.HookError {
    case .cannotChain, .otherRecordsRoot: Exit.findings
    default: Exit.failure
    }
  }
}

/// The absolute path of the running `tally` binary, for hooks that must find it without
/// `PATH`.
enum RunningExecutable {
  static var path: String? {
    #if os(Linux)
      var buffer = [CChar](repeating: 0, count: 4096)
      let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
      if count > 0 {
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
      }
    #endif
    return fromArgument(CommandLine.arguments.first ?? "")
  }

  /// `argv[0]` resolved: against the current directory when it holds a slash, else against
  /// `PATH`; symbolic links resolved.
  static func fromArgument(_ argument: String) -> String? {
    guard !argument.isEmpty else { return nil }
    var candidates: [String] = []
    if argument.contains("/") {
      candidates.append(FileSystem.absolute(argument))
    } else if let path = Console.environment("PATH") {
      for directory in path.split(separator: ":", omittingEmptySubsequences: false) {
        let base = directory.isEmpty ? "." : String(directory)
        candidates.append(FileSystem.absolute(FileSystem.joinPath(base, argument)))
      }
    }
    for candidate in candidates where access(candidate, X_OK) == 0 {
      guard let resolved = realpath(candidate, nil) else { return candidate }
      defer { free(resolved) }
      return String(cString: resolved)
    }
    return nil
  }
}
