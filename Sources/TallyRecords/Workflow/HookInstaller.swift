import TallyGit

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Installs, removes and describes the git pre-commit hook that checks the staged records
/// (`tally hook install|uninstall|status`).
///
/// libgit2 runs no hooks, but people also commit with plain `git commit` (and with GUI
/// clients). The hook is a POSIX `sh` script in the directory git runs hooks from (which
/// respects `core.hooksPath`). It runs `tally check --staged` on the records root and, when
/// that passes, `tally fmt --check` on the staged `.yaml` files under it.
///
/// - The hook records the absolute path of the `tally` that installed it, and falls back to
///   `tally` on `PATH` (GUI clients often have a short `PATH`); when neither exists it says so
///   and refuses the commit.
/// - A hook that was already there is never overwritten: it is renamed to
///   `pre-commit.tally-chained`, run first by tally's hook (its failure stops the commit with
///   its exit status), and put back unchanged by ``uninstall()``.
/// - Writing is atomic: a temporary file in the hooks directory, made executable, renamed
///   over the hook.
/// - It also sets up git's diff driver for records (see `HookInstaller+DiffDriver.swift`), so
///   that `git diff` shows record changes field by field.
public struct HookInstaller: Sendable {
  /// The name of the hook git runs before each commit.
  public static let hookName = "pre-commit"
  /// The name a foreign hook is given while tally's hook runs it first.
  public static let chainedName = "pre-commit.tally-chained"
  /// The line that marks a hook as tally's.
  static let marker = "# tally-hook: pre-commit"
  /// The version of the script, part of the marker line.
  static let scriptVersion = 1

  /// The git repository the records are in.
  public let repository: Repository
  /// The records root (absolute, symbolic links resolved).
  public let root: String
  /// The records root relative to the top of the working tree (empty when they are the same).
  public let prefix: String
  /// The `tally` binary the hook runs (absolute), or nil to use `tally` on `PATH` only.
  public let executable: String?
  /// The record directories (relative to the records root), for the diff driver.
  public let recordDirectories: [String]

  /// Why the hook could not be installed, removed or described.
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
        return "cannot install tally's pre-commit hook: \(hook) already exists and \(reason)"
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
  ///   - executable: The absolute path of the `tally` binary the hook should run.
  ///   - recordDirectories: The directories of the record types (`customers`, ...), which
  ///     get git's diff driver; none leaves the diff driver alone.
  /// - Throws: ``HookError/notInWorkTree(_:)`` for a bare repository or no repository;
  ///   ``HookError/git(_:)`` when libgit2 cannot open it.
  public init(recordsRoot: String, executable: String?, recordDirectories: [String] = []) throws(HookError) {
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
  }

  // MARK: - The script

  /// The hook script for these records and this executable.
  public var script: String {
    let recordsDirectory = prefix.isEmpty ? "." : prefix
    // Only paths under the records root; `literal` so that no character in the directory's
    // name is taken as a wildcard, `top` so that it is relative to the top of the tree.
    let pathspec = prefix.isEmpty ? "" : " -- " + Self.shellQuote(":(top,literal)" + prefix)
    return """
      #!/bin/sh
      # Checks the staged records before every 'git commit': 'tally check --staged', then
      # 'tally fmt --check' on the staged .yaml files. Installed by 'tally hook install';
      # 'tally hook uninstall' removes it and puts back the hook that was here before, if any.
      # 'git commit --no-verify' skips it once.
      \(Self.marker) \(Self.scriptVersion)

      tally_bin=\(Self.shellQuote(executable ?? ""))
      records_dir=\(Self.shellQuote(recordsDirectory))

      # The hook that was here before tally's runs first; when it fails, so does the commit.
      chained="$(dirname -- "$0")/\(Self.chainedName)"
      if [ -x "$chained" ]; then
        "$chained" "$@" || exit $?
      fi

      if [ -n "$tally_bin" ] && [ -x "$tally_bin" ]; then
        tally=$tally_bin
      elif command -v tally >/dev/null 2>&1; then
        tally=tally
      else
        echo "tally pre-commit hook: cannot find tally: not at '$tally_bin', and not on PATH." >&2
        echo "Install tally and run 'tally hook install' again; 'git commit --no-verify' skips this check." >&2
        exit 1
      fi

      # Nothing staged under the records: nothing to check.
      if git diff --cached --quiet\(pathspec); then
        exit 0
      fi

      if ! "$tally" check --staged --repo "$records_dir"; then
        echo "tally: commit refused: fix the problems above, 'git add' the files, and commit again." >&2
        echo "('git commit --no-verify' skips this check.)" >&2
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
        xargs -0 sh -c "$fmt_check" tally-pre-commit "$tally" "$records_dir" || {
        echo "tally: commit refused: the files above are not in canonical form." >&2
        echo "Run 'tally fmt' on them, 'git add' them, and commit again ('git commit --no-verify' skips this check)." >&2
        exit 1
      }
      exit 0

      """
  }

  /// `text` as one word for `sh`: single-quoted, with `'` written as `'\''`.
  static func shellQuote(_ text: String) -> String {
    "'" + text.replacing("'", with: #"'\''"#) + "'"
  }

  /// The value of a `name='...'` line of a script written by ``script``.
  static func assignment(_ name: String, in script: String) -> String? {
    for line in script.split(separator: "\n") where line.hasPrefix(name + "='") {
      var value = line.dropFirst(name.count + 1)
      guard value.hasPrefix("'"), value.hasSuffix("'"), value.count >= 2 else { return nil }
      value = value.dropFirst().dropLast()
      return String(value).replacing(#"'\''"#, with: "'")
    }
    return nil
  }

  static func shown(_ prefix: String) -> String { prefix.isEmpty ? "." : prefix }

  // MARK: - Installing

  /// What ``install()`` did.
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

  /// What ``install()`` did to the hook and to the diff driver.
  public struct InstallResult: Sendable, Equatable {
    public var hook: InstallOutcome
    /// Whether the diff driver's configuration or attributes were written.
    public var diffDriverChanged: Bool

    /// Whether nothing at all changed.
    public var changedNothing: Bool { hook == .alreadyInstalled && !diffDriverChanged }
  }

  /// Installs the hook and sets up the diff driver; running it again changes nothing.
  ///
  /// - Returns: What was done.
  /// - Throws: ``HookError/cannotChain(hook:reason:)`` when a foreign hook is there and
  ///   cannot be moved aside, ``HookError/otherRecordsRoot(hook:installed:requested:)``
  ///   when tally's hook checks another records root (in both cases nothing is changed), or
  ///   a file or git error.
  @discardableResult
  public func install() throws(HookError) -> InstallResult {
    let hook = try installHook()
    let changed = try installDiffDriver()
    return InstallResult(hook: hook, diffDriverChanged: changed)
  }

  /// Installs the hook alone.
  @discardableResult
  public func installHook() throws(HookError) -> InstallOutcome {
    let directory = try hooksDirectory()
    let hook = FileSystem.joinPath(directory, Self.hookName)
    let chained = FileSystem.joinPath(directory, Self.chainedName)
    let wanted = script
    switch Self.entry(at: hook) {
    case .none:
      do {
        try FileSystem.createDirectory(directory)
      } catch {
        throw .file(error)
      }
      try Self.writeExecutable(hook, wanted)
      return .installed(chained: nil)
    case .file(let isTally, let text):
      if isTally {
        if text == wanted { return .alreadyInstalled }
        let installed = Self.assignment("records_dir", in: text ?? "") ?? "."
        if installed != Self.shown(prefix) {
          throw .otherRecordsRoot(hook: hook, installed: installed, requested: prefix)
        }
        try Self.writeExecutable(hook, wanted)
        return .updated
      }
      guard Self.entry(at: chained) == .none else {
        throw .cannotChain(
          hook: hook,
          reason:
            "\(chained) is taken too; move one of them away (or merge them into one hook) and run 'tally hook install' again"
        )
      }
      if rename(hook, chained) != 0 {
        throw .file(FileError(path: hook, operation: "rename", errno: errno))
      }
      do {
        try Self.writeExecutable(hook, wanted)
      } catch {
        // All or nothing: put the foreign hook back.
        _ = rename(chained, hook)
        throw error
      }
      return .installed(chained: chained)
    case .other:
      throw .cannotChain(hook: hook, reason: "it is not a file or a link to one, so it cannot be run first")
    }
  }

  // MARK: - Uninstalling

  /// What ``uninstall()`` did.
  public enum UninstallOutcome: Sendable, Equatable {
    /// Tally's hook was removed; `restored` names the hook put back in its place, if any.
    case removed(restored: String?)
    /// Tally's hook was not installed; nothing changed.
    case notInstalled
  }

  /// What ``uninstall()`` did.
  public struct UninstallResult: Sendable, Equatable {
    public var hook: UninstallOutcome
    /// Whether the diff driver's configuration or attributes were removed.
    public var diffDriverRemoved: Bool
  }

  /// Removes tally's hook (putting back the hook it chained to) and the diff driver.
  @discardableResult
  public func uninstall() throws(HookError) -> UninstallResult {
    let hook = try uninstallHook()
    let removed = try uninstallDiffDriver()
    return UninstallResult(hook: hook, diffDriverRemoved: removed)
  }

  /// Removes tally's hook and puts back the hook it chained to, byte for byte (it is renamed,
  /// so its mode and contents are those it had).
  @discardableResult
  public func uninstallHook() throws(HookError) -> UninstallOutcome {
    let directory = try hooksDirectory()
    let hook = FileSystem.joinPath(directory, Self.hookName)
    let chained = FileSystem.joinPath(directory, Self.chainedName)
    guard case .file(true, _) = Self.entry(at: hook) else { return .notInstalled }
    if Self.entry(at: chained) != .none {
      // One rename replaces tally's hook with the original: there is always a hook.
      if rename(chained, hook) != 0 {
        throw .file(FileError(path: chained, operation: "rename", errno: errno))
      }
      return .removed(restored: hook)
    }
    do {
      try FileSystem.remove(hook)
    } catch {
      throw .file(error)
    }
    return .removed(restored: nil)
  }

  // MARK: - Status

  /// What is installed.
  public struct Status: Sendable, Equatable {
    public enum State: Sendable, Equatable {
      /// No pre-commit hook.
      case notInstalled
      /// A pre-commit hook that is not tally's.
      case foreign
      /// Tally's hook; `current` when it is what ``install()`` would write now.
      case installed(current: Bool)
    }

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
    /// The diff driver's command (`diff.tally.textconv`), when it is configured.
    public var diffDriver: String?
    /// Whether the diff driver and the attributes are what ``install()`` would write now.
    public var diffDriverCurrent: Bool
  }

  /// Describes the hook as it is now.
  public func status() throws(HookError) -> Status {
    let directory = try hooksDirectory()
    let hook = FileSystem.joinPath(directory, Self.hookName)
    let chained = FileSystem.joinPath(directory, Self.chainedName)
    var status = Status(
      state: .notInstalled, hook: hook, chained: nil, executable: nil, executableExists: false,
      recordsDirectory: nil, diffDriver: try configuredTextconv(), diffDriverCurrent: try diffDriverIsCurrent())
    switch Self.entry(at: hook) {
    case .none:
      return status
    case .other, .file(false, _):
      status.state = .foreign
      return status
    case .file(true, let text):
      let text = text ?? ""
      status.state = .installed(current: text == script)
      if Self.entry(at: chained) != .none { status.chained = chained }
      if let path = Self.assignment("tally_bin", in: text), !path.isEmpty {
        status.executable = path
        status.executableExists = access(path, X_OK) == 0
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

  static func entry(at path: String) -> Entry {
    var info = stat()
    guard lstat(path, &info) == 0 else { return .none }
    guard FileSystem.kind(of: path) == .file else { return .other }
    guard let bytes = try? FileSystem.read(path) else { return .file(isTally: false, text: nil) }
    let text = String(decoding: bytes, as: UTF8.self)
    let isTally = text.split(separator: "\n").contains { $0.hasPrefix(marker) }
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
