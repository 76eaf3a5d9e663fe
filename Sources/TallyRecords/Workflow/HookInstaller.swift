import TallyGit

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Installs, removes and describes the git hooks that check records (`tally hook
/// install|uninstall|status`): `pre-commit`, which checks the staged records before every
/// commit, and `pre-merge-commit`, which checks the result of a merge before git records it.
///
/// libgit2 runs no hooks, but people also commit and merge with plain `git` (and with GUI
/// clients). Each hook is a POSIX `sh` script in the directory git runs hooks from (which
/// respects `core.hooksPath`). It runs `tally check --staged` on the records root and, when
/// that passes, `tally fmt --check` on the staged `.yaml` files under it. git runs
/// `pre-merge-commit` only for a merge that needed no manual resolution, with the merged
/// result in the index and `HEAD` still the branch merged into; a merge whose conflicts were
/// resolved by hand is committed with `git commit`, which runs `pre-commit`.
///
/// - A hook records the absolute path of the `tally` that installed it, and falls back to
///   `tally` on `PATH` (GUI clients often have a short `PATH`); when neither exists it says so
///   and refuses the commit or merge.
/// - A hook that was already there is never overwritten: it is renamed to
///   `<hook>.tally-chained`, run first by tally's hook (its failure stops the commit or merge
///   with its exit status), and put back unchanged by ``uninstall()``.
/// - Writing is atomic: a temporary file in the hooks directory, made executable, renamed
///   over the hook.
/// - It also sets up git's diff and merge drivers for records (see
///   `HookInstaller+Drivers.swift`), so that `git diff` shows record changes field by field
///   and `git merge` merges records field by field.
public struct HookInstaller: Sendable {
  /// A git hook tally installs.
  public enum Hook: String, CaseIterable, Sendable {
    /// Run by `git commit` before it records a commit.
    case preCommit = "pre-commit"
    /// Run by `git merge` (and `git pull`) before it records a merge that needed no manual
    /// resolution.
    case preMergeCommit = "pre-merge-commit"

    /// The hook's file name.
    public var name: String { rawValue }
    /// The name a foreign hook is given while tally's hook runs it first.
    public var chainedName: String { rawValue + ".tally-chained" }
    /// The line that marks a hook as tally's.
    var marker: String { "# tally-hook: " + rawValue }
  }

  /// The name of the hook git runs before each commit.
  public static let hookName = Hook.preCommit.name
  /// The name a foreign pre-commit hook is given while tally's hook runs it first.
  public static let chainedName = Hook.preCommit.chainedName
  /// The version of the scripts, part of the marker line.
  static let scriptVersion = 1

  /// The git repository the records are in.
  public let repository: Repository
  /// The records root (absolute, symbolic links resolved).
  public let root: String
  /// The records root relative to the top of the working tree (empty when they are the same).
  public let prefix: String
  /// The `tally` binary the hooks and drivers run (absolute), or nil to use `tally` on `PATH`
  /// only.
  public let executable: String?
  /// The record directories (relative to the records root), for the diff and merge drivers.
  public let recordDirectories: [String]
  /// Those of ``recordDirectories`` whose records are in shard folders (`customers/042/`).
  public let shardedDirectories: Set<String>

  /// Why the hooks could not be installed, removed or described.
  public enum HookError: Error, CustomStringConvertible, Sendable {
    /// The records are not in the working tree of a git repository.
    case notInWorkTree(String)
    /// There is a foreign hook and it cannot be chained.
    case cannotChain(hook: String, reason: String)
    /// Tally's hook is installed for another records root of the same repository.
    case otherRecordsRoot(hook: String, installed: String, requested: String)
    case git(GitError)
    case file(FileError)

    public var description: String {
      switch self {
      case .notInWorkTree(let root):
        return "the records at \(root) are not in the working tree of a git repository (run 'git init' there first)"
      case .cannotChain(let hook, let reason):
        return "cannot install tally's \(FileSystem.baseName(of: hook)) hook: \(hook) already exists and \(reason)"
      case .otherRecordsRoot(let hook, let installed, let requested):
        return
          "\(hook) already checks the records in '\(HookInstaller.shown(installed))' of this repository, not '\(HookInstaller.shown(requested))'; run 'tally hook uninstall' first to move it"
      case .git(let error): return error.description
      case .file(let error): return error.description
      }
    }
  }

  /// An installer for the records at `recordsRoot`.
  ///
  /// - Parameters:
  ///   - recordsRoot: The records root (the directory holding `tally.yaml`), or any directory
  ///     of the working tree for ``uninstall()`` and ``status()``.
  ///   - executable: The absolute path of the `tally` binary the hooks should run.
  ///   - recordDirectories: The directories of the record types (`customers`, ...), which
  ///     get git's diff and merge drivers; none leaves the drivers alone.
  ///   - shardedDirectories: Those whose records are one folder deeper, in shards.
  /// - Throws: ``HookError/notInWorkTree(_:)`` for a bare repository or no repository;
  ///   ``HookError/git(_:)`` when libgit2 cannot open it.
  public init(
    recordsRoot: String, executable: String?, recordDirectories: [String] = [], shardedDirectories: Set<String> = []
  ) throws(HookError) {
    let root = Self.resolved(FileSystem.absolute(recordsRoot))
    let repository: Repository
    do {
      repository = try Repository.discover(from: root)
    } catch {
      if error.code == .notFound { throw .notInWorkTree(root) }
      throw .git(error)
    }
    guard let top = repository.workingDirectory else { throw .notInWorkTree(root) }
    let resolvedTop = Self.resolved(top)
    let prefix: String
    if root == resolvedTop {
      prefix = ""
    } else if root.hasPrefix(resolvedTop + "/") {
      prefix = String(root.dropFirst(resolvedTop.count + 1))
    } else {
      throw .notInWorkTree(root)
    }
    if prefix == ".git" || prefix.hasPrefix(".git/") { throw .notInWorkTree(root) }
    self.repository = repository
    self.root = root
    self.prefix = prefix
    self.executable = executable
    self.recordDirectories = recordDirectories
    self.shardedDirectories = shardedDirectories
  }

  // MARK: - The scripts

  /// The pre-commit hook's script for these records and this executable.
  public var script: String { script(for: .preCommit) }

  /// What a hook's script says to people: it checks a commit or a merge.
  private struct Wording {
    var header: String
    /// What fails when the hook fails: "commit" or "merge".
    var operation: String
    /// How to skip the hook once.
    var skip: String
    var checkRefused: [String]
    var formatRefused: [String]
  }

  private static func wording(for hook: Hook) -> Wording {
    switch hook {
    case .preCommit:
      return Wording(
        header: """
          # Checks the staged records before every 'git commit': 'tally check --staged', then
          # 'tally fmt --check' on the staged .yaml files. Installed by 'tally hook install';
          # 'tally hook uninstall' removes it and puts back the hook that was here before, if any.
          # 'git commit --no-verify' skips it once.
          """,
        operation: "commit", skip: "git commit --no-verify",
        checkRefused: [
          "tally: commit refused: fix the problems above, 'git add' the files, and commit again.",
          "('git commit --no-verify' skips this check.)",
        ],
        formatRefused: [
          "tally: commit refused: the files above are not in canonical form.",
          "Run 'tally fmt' on them, 'git add' them, and commit again ('git commit --no-verify' skips this check).",
        ])
    case .preMergeCommit:
      return Wording(
        header: """
          # Checks the result of 'git merge' before git records the merge commit: 'tally check
          # --staged' (the merged records, as they are in the index; state changes against HEAD,
          # the branch merged into), then 'tally fmt --check' on the merged .yaml files. git runs
          # it for merges that need no manual resolution ('git commit' runs the pre-commit hook
          # for resolved ones). When it refuses, the merge stays in progress: fix the files,
          # 'git add' them and finish it with 'tally commit', or give it up with 'git merge
          # --abort'. Installed by 'tally hook install'; 'tally hook uninstall' removes it and
          # puts back the hook that was here before, if any. 'git merge --no-verify' skips it once.
          """,
        operation: "merge", skip: "git merge --no-verify",
        checkRefused: [
          "tally: merge refused: the merged records have the problems above (each branch may be valid on its own).",
          "The merge is still in progress: fix the files, 'git add' them, and finish it with 'tally commit'",
          "(or 'git commit'); 'git merge --abort' gives it up. ('git merge --no-verify' skips this check.)",
        ],
        formatRefused: [
          "tally: merge refused: the files above are not in canonical form.",
          "Run 'tally fmt' on them, 'git add' them, and finish the merge with 'tally commit'",
          "('git merge --abort' gives it up; 'git merge --no-verify' skips this check).",
        ])
    }
  }

  /// The script of `hook` for these records and this executable.
  public func script(for hook: Hook) -> String {
    let wording = Self.wording(for: hook)
    let recordsDirectory = prefix.isEmpty ? "." : prefix
    // Only paths under the records root; `literal` so that no character in the directory's
    // name is taken as a wildcard, `top` so that it is relative to the top of the tree.
    let pathspec = prefix.isEmpty ? "" : " -- " + Self.shellQuote(":(top,literal)" + prefix)
    func echo(_ lines: [String]) -> String {
      lines.map { "  echo \"\($0)\" >&2" }.joined(separator: "\n")
    }
    return """
      #!/bin/sh
      \(wording.header)
      \(hook.marker) \(Self.scriptVersion)

      tally_bin=\(Self.shellQuote(executable ?? ""))
      records_dir=\(Self.shellQuote(recordsDirectory))

      # The hook that was here before tally's runs first; when it fails, so does the \(wording.operation).
      chained="$(dirname -- "$0")/\(hook.chainedName)"
      if [ -x "$chained" ]; then
        "$chained" "$@" || exit $?
      fi

      if [ -n "$tally_bin" ] && [ -x "$tally_bin" ]; then
        tally=$tally_bin
      elif command -v tally >/dev/null 2>&1; then
        tally=tally
      else
        echo "tally \(hook.name) hook: cannot find tally: not at '$tally_bin', and not on PATH." >&2
        echo "Install tally and run 'tally hook install' again; '\(wording.skip)' skips this check." >&2
        exit 1
      fi

      # Nothing staged under the records: nothing to check.
      if git diff --cached --quiet\(pathspec); then
        exit 0
      fi

      \(checkCommand(for: hook))
      \(echo(wording.checkRefused))
        exit 1
      fi

      # The staged .yaml files under the records (their working-tree copies) that are not in
      # canonical form. Names are NUL-separated, so spaces and any other character are safe.
      fmt_check='
      tally=$1 records_dir=$2
      shift 2
      count=$#
      for file do
        case $file in *.yaml) ;; *) continue ;; esac
        case /${file#"$records_dir"/} in */.*) continue ;; esac
        if [ -f "$file" ]; then set -- "$@" "$file"; fi
      done
      shift "$count"
      [ "$#" -eq 0 ] || exec "$tally" fmt --check -- "$@"
      '
      git diff --cached --name-only --diff-filter=ACMR -z\(pathspec) |
        xargs -0 sh -c "$fmt_check" tally-\(hook.name) "$tally" "$records_dir" || {
      \(echo(wording.formatRefused))
        exit 1
      }
      exit 0

      """
  }

  /// The line of a script that runs the check, up to `then`.
  private func checkCommand(for hook: Hook) -> String {
    switch hook {
    case .preCommit:
      return #"if ! "$tally" check --staged --repo "$records_dir"; then"#
    case .preMergeCommit:
      // A state change allowed from a merged-in commit is allowed (it may have changed step
      // by step on that branch). MERGE_HEAD is written only after this hook: git names each
      // commit it merges in a GITHEAD_<id> variable.
      return #"""
        # The commits being merged in, so that a state change allowed from one of them is
        # allowed: git names each in a GITHEAD_<id> variable (MERGE_HEAD comes after this hook).
        set --
        for id in $(env | sed -n 's/^GITHEAD_\([0-9a-f]\{40,64\}\)=.*/\1/p'); do
          set -- "$@" --merging "$id"
        done
        if ! "$tally" check --staged "$@" --repo "$records_dir"; then
        """#
    }
  }

  /// `text` as one word for `sh`: single-quoted, with `'` written as `'\''`.
  static func shellQuote(_ text: String) -> String {
    "'" + text.replacing("'", with: #"'\''"#) + "'"
  }

  /// The value of a `name='...'` line of a script written by ``script(for:)``.
  static func assignment(_ name: String, in script: String) -> String? {
    for line in script.split(separator: "\n") where line.hasPrefix(name + "='") {
      return unquoted(line.dropFirst(name.count + 1))
    }
    return nil
  }

  /// The text of a word written by ``shellQuote(_:)``, or nil when `word` is not one.
  static func unquoted(_ word: Substring) -> String? {
    guard word.hasPrefix("'"), word.hasSuffix("'"), word.count >= 2 else { return nil }
    return String(word.dropFirst().dropLast()).replacing(#"'\''"#, with: "'")
  }

  static func shown(_ prefix: String) -> String { prefix.isEmpty ? "." : prefix }

  // MARK: - Installing

  /// What installing one hook did.
  public enum InstallOutcome: Sendable, Equatable {
    /// The hook was written; `chained` names the foreign hook it now runs first, if any.
    case installed(chained: String?)
    /// Tally's hook was there for another `tally` binary or an older script, and was rewritten.
    case updated
    /// The same hook was already installed; nothing changed.
    case alreadyInstalled
  }

  /// The directory git runs hooks from (`core.hooksPath`, or `.git/hooks`).
  public func hooksDirectory() throws(HookError) -> String {
    do {
      return try repository.hooksDirectory()
    } catch {
      throw .git(error)
    }
  }

  /// The path of `hook` in the directory git runs hooks from.
  public func path(of hook: Hook) throws(HookError) -> String {
    FileSystem.joinPath(try hooksDirectory(), hook.name)
  }

  /// What ``install()`` did to the hooks and to the drivers.
  public struct InstallResult: Sendable, Equatable {
    /// The pre-commit hook.
    public var hook: InstallOutcome
    /// The pre-merge-commit hook.
    public var mergeHook: InstallOutcome
    /// What was written for the drivers.
    public var drivers: DriversChange

    /// What was done to `hook`.
    public func outcome(_ hook: Hook) -> InstallOutcome {
      switch hook {
      case .preCommit: self.hook
      case .preMergeCommit: mergeHook
      }
    }

    /// Whether nothing at all changed.
    public var changedNothing: Bool {
      hook == .alreadyInstalled && mergeHook == .alreadyInstalled && !drivers.any
    }
  }

  /// Installs the hooks and sets up the diff and merge drivers; running it again changes
  /// nothing.
  ///
  /// - Returns: What was done.
  /// - Throws: ``HookError/cannotChain(hook:reason:)`` when a foreign hook is there and
  ///   cannot be moved aside, ``HookError/otherRecordsRoot(hook:installed:requested:)``
  ///   when tally's hook checks another records root (in both cases nothing is changed), or
  ///   a file or git error.
  @discardableResult
  public func install() throws(HookError) -> InstallResult {
    // Every refusal before any change: a hook in the way of one leaves the other alone too.
    for hook in Hook.allCases { try checkInstallable(hook) }
    let preCommit = try installHook(.preCommit)
    let preMergeCommit = try installHook(.preMergeCommit)
    let drivers = try installDrivers()
    return InstallResult(hook: preCommit, mergeHook: preMergeCommit, drivers: drivers)
  }

  /// Throws what ``installHook(_:)`` would refuse with, without changing anything.
  func checkInstallable(_ hook: Hook) throws(HookError) {
    let directory = try hooksDirectory()
    let path = FileSystem.joinPath(directory, hook.name)
    switch Self.entry(at: path, hook: hook) {
    case .none:
      return
    case .file(let isTally, let text):
      if isTally {
        guard text != script(for: hook) else { return }
        let installed = Self.assignment("records_dir", in: text ?? "") ?? "."
        if installed != Self.shown(prefix) {
          throw .otherRecordsRoot(hook: path, installed: installed, requested: prefix)
        }
        return
      }
      let chained = FileSystem.joinPath(directory, hook.chainedName)
      guard Self.entry(at: chained, hook: hook) == .none else {
        throw .cannotChain(
          hook: path,
          reason:
            "\(chained) is taken too; move one of them away (or merge them into one hook) and run 'tally hook install' again"
        )
      }
    case .other:
      throw .cannotChain(hook: path, reason: "it is not a file or a link to one, so it cannot be run first")
    }
  }

  /// Installs one hook alone.
  @discardableResult
  public func installHook(_ hook: Hook = .preCommit) throws(HookError) -> InstallOutcome {
    try checkInstallable(hook)
    let directory = try hooksDirectory()
    let path = FileSystem.joinPath(directory, hook.name)
    let chained = FileSystem.joinPath(directory, hook.chainedName)
    let wanted = script(for: hook)
    switch Self.entry(at: path, hook: hook) {
    case .none:
      do {
        try FileSystem.createDirectory(directory)
      } catch {
        throw .file(error)
      }
      try Self.writeExecutable(path, wanted)
      return .installed(chained: nil)
    case .file(true, let text):
      if text == wanted { return .alreadyInstalled }
      try Self.writeExecutable(path, wanted)
      return .updated
    case .file(false, _), .other:
      if rename(path, chained) != 0 {
        throw .file(FileError(path: path, operation: "rename", errno: errno))
      }
      do {
        try Self.writeExecutable(path, wanted)
      } catch {
        // All or nothing: put the foreign hook back.
        _ = rename(chained, path)
        throw error
      }
      return .installed(chained: chained)
    }
  }

  // MARK: - Uninstalling

  /// What removing one hook did.
  public enum UninstallOutcome: Sendable, Equatable {
    /// Tally's hook was removed; `restored` names the hook put back in its place, if any.
    case removed(restored: String?)
    /// Tally's hook was not installed; nothing changed.
    case notInstalled
  }

  /// What ``uninstall()`` did.
  public struct UninstallResult: Sendable, Equatable {
    /// The pre-commit hook.
    public var hook: UninstallOutcome
    /// The pre-merge-commit hook.
    public var mergeHook: UninstallOutcome
    /// Whether the drivers' configuration or attributes were removed.
    public var driversRemoved: Bool

    /// What was done to `hook`.
    public func outcome(_ hook: Hook) -> UninstallOutcome {
      switch hook {
      case .preCommit: self.hook
      case .preMergeCommit: mergeHook
      }
    }
  }

  /// Removes tally's hooks (putting back the hooks they chained to) and the drivers.
  @discardableResult
  public func uninstall() throws(HookError) -> UninstallResult {
    let preCommit = try uninstallHook(.preCommit)
    let preMergeCommit = try uninstallHook(.preMergeCommit)
    let removed = try uninstallDrivers()
    return UninstallResult(hook: preCommit, mergeHook: preMergeCommit, driversRemoved: removed)
  }

  /// Removes tally's `hook` and puts back the hook it chained to, byte for byte (it is
  /// renamed, so its mode and contents are those it had).
  @discardableResult
  public func uninstallHook(_ hook: Hook = .preCommit) throws(HookError) -> UninstallOutcome {
    let directory = try hooksDirectory()
    let path = FileSystem.joinPath(directory, hook.name)
    let chained = FileSystem.joinPath(directory, hook.chainedName)
    guard case .file(true, _) = Self.entry(at: path, hook: hook) else { return .notInstalled }
    if Self.entry(at: chained, hook: hook) != .none {
      // One rename replaces tally's hook with the original: there is always a hook.
      if rename(chained, path) != 0 {
        throw .file(FileError(path: chained, operation: "rename", errno: errno))
      }
      return .removed(restored: path)
    }
    do {
      try FileSystem.remove(path)
    } catch {
      throw .file(error)
    }
    return .removed(restored: nil)
  }

  // MARK: - Status

  /// What is installed: the hooks and the drivers.
  public struct Status: Sendable, Equatable {
    /// One hook as it is.
    public struct HookStatus: Sendable, Equatable {
      public enum State: Sendable, Equatable {
        /// No hook of that name.
        case notInstalled
        /// A hook that is not tally's.
        case foreign
        /// Tally's hook; `current` when it is what ``install()`` would write now.
        case installed(current: Bool)
      }

      /// Which hook.
      public var kind: Hook
      public var state: State
      /// The hook's path (in the directory git runs hooks from).
      public var hook: String
      /// The foreign hook tally's hook runs first, when there is one.
      public var chained: String?
      /// The `tally` binary the installed hook runs, when it names one.
      public var executable: String?
      /// Whether that binary is there and executable.
      public var executableExists: Bool
      /// The records root the installed hook checks (relative to the top of the working tree).
      public var recordsDirectory: String?

      /// Installed, up to date, and its binary is there.
      public var isHealthy: Bool { state == .installed(current: true) && executableExists }
    }

    /// The pre-commit hook.
    public var preCommit: HookStatus
    /// The pre-merge-commit hook.
    public var preMergeCommit: HookStatus
    /// git's diff driver for records.
    public var diffDriver: DriverStatus
    /// git's merge driver for records.
    public var mergeDriver: DriverStatus

    /// Both hooks.
    public var hooks: [HookStatus] { [preCommit, preMergeCommit] }

    /// Everything is as ``install()`` would set it up now, and the binaries are there.
    public var isHealthy: Bool {
      preCommit.isHealthy && preMergeCommit.isHealthy && diffDriver.isHealthy && mergeDriver.isHealthy
    }
  }

  /// Describes the hooks and drivers as they are now.
  public func status() throws(HookError) -> Status {
    Status(
      preCommit: try status(of: .preCommit), preMergeCommit: try status(of: .preMergeCommit),
      diffDriver: try driverStatus(.diff), mergeDriver: try driverStatus(.merge))
  }

  /// Describes one hook as it is now.
  public func status(of hook: Hook) throws(HookError) -> Status.HookStatus {
    let directory = try hooksDirectory()
    let path = FileSystem.joinPath(directory, hook.name)
    let chained = FileSystem.joinPath(directory, hook.chainedName)
    var status = Status.HookStatus(
      kind: hook, state: .notInstalled, hook: path, chained: nil, executable: nil, executableExists: false,
      recordsDirectory: nil)
    switch Self.entry(at: path, hook: hook) {
    case .none:
      return status
    case .other, .file(false, _):
      status.state = .foreign
      return status
    case .file(true, let text):
      let text = text ?? ""
      status.state = .installed(current: text == script(for: hook))
      if Self.entry(at: chained, hook: hook) != .none { status.chained = chained }
      if let path = Self.assignment("tally_bin", in: text), !path.isEmpty {
        status.executable = path
        status.executableExists = access(path, X_OK) == 0
      } else {
        // The script runs tally on PATH.
        status.executableExists = true
      }
      status.recordsDirectory = Self.assignment("records_dir", in: text)
      return status
    }
  }

  // MARK: - Files

  /// What is at a hook's path.
  enum Entry: Equatable {
    case none
    /// A file (or a link to one): whether it is tally's, and its text when readable.
    case file(isTally: Bool, text: String?)
    /// A directory, a dangling link, a device...
    case other
  }

  /// What is at `path`, where `hook` is expected.
  static func entry(at path: String, hook: Hook) -> Entry {
    var info = stat()
    guard lstat(path, &info) == 0 else { return .none }
    guard FileSystem.kind(of: path) == .file else { return .other }
    guard let bytes = try? FileSystem.read(path) else { return .file(isTally: false, text: nil) }
    let text = String(decoding: bytes, as: UTF8.self)
    let isTally = text.split(separator: "\n").contains { $0 == hook.marker || $0.hasPrefix(hook.marker + " ") }
    return .file(isTally: isTally, text: text)
  }

  /// Writes an executable file atomically: the text goes to an executable temporary file
  /// next to it (``FileSystem/writeTemporary(nextTo:_:mode:)``), which is renamed over
  /// `path`, so git never sees a partial or non-executable hook.
  static func writeExecutable(_ path: String, _ text: String) throws(HookError) {
    let temporary: FileSystem.TemporaryFile
    do {
      temporary = try FileSystem.writeTemporary(nextTo: path, Array(text.utf8), mode: 0o755 & ~FileSystem.currentUmask)
    } catch {
      throw .file(error)
    }
    if rename(temporary.path, path) != 0 {
      let error = FileError(path: path, operation: "replace", errno: errno)
      temporary.remove()
      throw .file(error)
    }
    temporary.forget()
  }

  /// `path` with symbolic links resolved (`realpath`), or as given when it does not exist.
  static func resolved(_ path: String) -> String {
    guard let pointer = realpath(path, nil) else { return path }
    defer { free(pointer) }
    return String(cString: pointer)
  }
}
