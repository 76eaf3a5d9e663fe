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
    abstract: "Install the git pre-commit hook that checks the staged records.",
    discussion: """
      For people who commit with plain 'git commit' or a GUI client: the hook runs \
      'tally check --staged' and, when that passes, 'tally fmt --check' on the staged .yaml \
      files of the records repository, and refuses the commit when either fails. It is \
      installed where git runs hooks from (core.hooksPath, or .git/hooks). Hooks are not \
      copied by 'git clone': run 'tally hook install' once in every clone.

      It also sets up git's diff driver for records: '<dir>/*.yaml diff=tally' lines for the \
      record directories in the records root's .gitattributes (commit it), and \
      diff.tally.textconv = 'tally diff --git-textconv' in .git/config, so that 'git diff' \
      and 'git log -p' show record changes field by field.

      See docs/git.md for the pre-commit framework, CI and server-side hooks.
      """,
    subcommands: [Install.self, Uninstall.self, Status.self])

  struct Install: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "install",
      abstract: "Install the pre-commit hook (running it again changes nothing).",
      discussion: """
        The hook records the path of this tally binary, and falls back to 'tally' on PATH \
        when that is gone. A pre-commit hook that is already there is kept: it is renamed to \
        pre-commit.tally-chained and run first, and its failure stops the commit; 'tally hook \
        uninstall' puts it back.

        Exit status: 0 when the hook is installed (or already was), 1 when an existing hook \
        is in the way and cannot be chained or the hook checks another records root of the \
        repository, 2 when there is no git working tree or the hook cannot be written.
        """)

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var global: GlobalOptions

    func run() throws {
      let records = try repository.open()
      let installer = try Hook.installer(root: records.root, recordDirectories: Hook.recordDirectories(records))
      do {
        Console.out(Hook.describe(try installer.install(), installer: installer))
      } catch {
        Console.err("tally: \(error)\n")
        throw Hook.exitCode(for: error)
      }
    }
  }

  struct Uninstall: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "uninstall",
      abstract: "Remove the pre-commit hook, and put back the hook it ran first.",
      discussion: """
        Only tally's own hook is removed; a hook it had chained to is renamed back to \
        pre-commit, unchanged. The diff driver goes too: tally's lines in .gitattributes and \
        diff.tally.textconv. Exit status: 0 (also when the hook was not installed), 2 when \
        it cannot be removed.
        """)

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var global: GlobalOptions

    func run() throws {
      let installer = try Hook.installer(root: Hook.rootOrCurrentDirectory(repository), recordDirectories: [])
      do {
        let result = try installer.uninstall()
        switch result.hook {
        case .notInstalled:
          Console.out("tally's pre-commit hook is not installed\n")
        case .removed(let restored?):
          Console.out("removed tally's pre-commit hook; restored the hook it ran first: \(restored)\n")
        case .removed(nil):
          Console.out("removed tally's pre-commit hook: \(try installer.hooksDirectory())/\(HookInstaller.hookName)\n")
        }
        if result.diffDriverRemoved {
          Console.out(
            "removed the diff driver (diff.tally.textconv, and tally's lines in \(installer.attributesPath))\n")
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
      abstract: "Show whether the pre-commit hook is installed, and what it runs.",
      discussion: """
        Exit status: 0 when tally's hook and diff driver are installed and up to date, 1 when \
        they are not installed, out of date (run 'tally hook install'), or the tally binary \
        the hook runs is gone.
        """)

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var global: GlobalOptions

    func run() throws {
      let root = try Hook.rootOrCurrentDirectory(repository)
      let records = try? RecordsRepository.open(root: root, from: root, displayBase: root)
      let installer = try Hook.installer(root: root, recordDirectories: records.map(Hook.recordDirectories) ?? [])
      let status: HookInstaller.Status
      do {
        status = try installer.status()
      } catch {
        Console.err("tally: \(error)\n")
        throw Hook.exitCode(for: error)
      }
      var lines: [String] = []
      var healthy = false
      switch status.state {
      case .notInstalled:
        lines.append("not installed: there is no \(status.hook) (run 'tally hook install')")
      case .foreign:
        lines.append("not installed: \(status.hook) is another hook (run 'tally hook install' to chain to it)")
      case .installed(let current):
        lines.append("installed: \(status.hook)")
        if let directory = status.recordsDirectory { lines.append("  checks the records in: \(directory)") }
        if let executable = status.executable {
          lines.append(
            "  runs: \(executable)" + (status.executableExists ? "" : " (missing: falls back to tally on PATH)"))
        }
        if let chained = status.chained { lines.append("  runs first: \(chained)") }
        if !current { lines.append("  out of date: run 'tally hook install' to update it") }
        healthy = current && status.executableExists
      }
      if let driver = status.diffDriver {
        lines.append("diff driver: diff.tally.textconv = \(driver)")
      } else {
        lines.append("diff driver: not configured")
      }
      if !status.diffDriverCurrent {
        lines.append("  out of date: run 'tally hook install' to set it up for \(installer.attributesPath)")
        healthy = false
      }
      Console.out(lines.joined(separator: "\n") + "\n")
      if !healthy { throw Exit.findings }
    }
  }

  /// An installer for the records at `root`, run by this binary.
  static func installer(root: String, recordDirectories: [String]) throws -> HookInstaller {
    do {
      return try HookInstaller(
        recordsRoot: root, executable: RunningExecutable.path, recordDirectories: recordDirectories)
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

  /// The directories of the repository's record types, for the diff driver.
  static func recordDirectories(_ records: RecordsRepository) -> [String] {
    records.schema.types.map(\.directory).sorted()
  }

  /// What `install` did, for people: a line for the hook, one for the diff driver.
  static func describe(_ result: HookInstaller.InstallResult, installer: HookInstaller) -> String {
    let hook = ((try? installer.hooksDirectory()) ?? ".git/hooks") + "/" + HookInstaller.hookName
    let runs = installer.executable.map { "runs \($0), or tally on PATH" } ?? "runs tally on PATH"
    var out: String
    switch result.hook {
    case .alreadyInstalled:
      out = "tally's pre-commit hook is already installed: \(hook)\n"
    case .updated:
      out = "updated tally's pre-commit hook: \(hook) (\(runs))\n"
    case .installed(let chained?):
      out = "installed tally's pre-commit hook: \(hook) (\(runs)); it runs the existing hook first, now \(chained)\n"
    case .installed(nil):
      out = "installed tally's pre-commit hook: \(hook) (\(runs))\n"
    }
    if installer.recordDirectories.isEmpty {
      out += "no record types yet: run 'tally hook install' again after adding schemas, for the diff driver\n"
    } else if result.diffDriverChanged {
      out +=
        "set up the diff driver: git diff shows records field by field (commit \(installer.attributesPath))\n"
    } else {
      out += "the diff driver is already set up\n"
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
