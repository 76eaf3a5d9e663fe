import TallyGit

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// `tally hook install --server`: a `pre-receive` hook in a repository that receives pushes
/// (bare, on the git server), running `tally policy check --pre-receive` on every push. It
/// fails closed: when tally cannot be found, or the policy has errors, the push is refused.
public struct ServerHook: Sendable {
  public static let marker = "# tally-server-hook"
  public static let version = 1

  public let gitDirectory: String
  /// Where the records root is in the repository's tree ("" at the top).
  public let prefix: String
  public let executable: String?

  public init(gitDirectory: String, prefix: String, executable: String?) {
    self.gitDirectory = gitDirectory
    self.prefix = prefix
    self.executable = executable
  }

  public enum Outcome: Sendable, Equatable {
    case installed(chained: String?)
    case updated
    case alreadyInstalled
  }

  public var script: String {
    """
    #!/bin/sh
    # tally's pre-receive hook: refuses a push whose commits change what the ownership policy
    # (policy.yaml) does not allow their pusher to change, listing every violation.
    \(Self.marker) \(Self.version)
    # The pusher is read from GL_USERNAME (GitLab), GITEA_PUSHER_NAME (Gitea, Forgejo) or
    # GL_USER (gitolite). See docs/policy.md.

    tally_bin=\(HookInstaller.shellQuote(executable ?? ""))
    prefix=\(HookInstaller.shellQuote(prefix))

    if [ -n "$tally_bin" ] && [ -x "$tally_bin" ]; then
      tally=$tally_bin
    elif command -v tally >/dev/null 2>&1; then
      tally=tally
    else
      echo "tally pre-receive hook: cannot find tally (not at '$tally_bin', not on PATH): push refused." >&2
      exit 1
    fi

    updates=$(cat)

    # The hook that was here before tally's runs first, on the same input.
    chained="$0.tally-chained"
    if [ -x "$chained" ]; then
      printf '%s\\n' "$updates" | "$chained" "$@" || exit $?
    fi

    printf '%s\\n' "$updates" | "$tally" policy check --pre-receive --git-dir . --prefix "$prefix"

    """
  }

  /// Where the hook goes: `hooks/pre-receive`, or — where the server runs every script of
  /// `hooks/pre-receive.d/` from its own `pre-receive` (Gitea, Forgejo) — `hooks/pre-receive.d/tally`.
  public var hookPath: String {
    let directory = gitDirectory + "/hooks/pre-receive.d"
    if FileSystem.isDirectory(directory) { return directory + "/tally" }
    return gitDirectory + "/hooks/pre-receive"
  }

  /// Writes the hook; a foreign `pre-receive` is kept and run first.
  public func install() throws(HookInstaller.HookError) -> Outcome {
    let directory = FileSystem.parentDirectory(of: hookPath)
    do {
      try FileSystem.createDirectory(directory)
    } catch {
      throw .file(error)
    }
    let existing = try? FileSystem.read(hookPath)
    let wanted = script
    if let existing {
      let text = String(decoding: existing, as: UTF8.self)
      if text == wanted { return .alreadyInstalled }
      if text.contains(Self.marker) {
        try HookInstaller.writeExecutable(hookPath, wanted)
        return .updated
      }
      let chained = hookPath + ".tally-chained"
      if rename(hookPath, chained) != 0 { throw .file(FileError(path: hookPath, operation: "rename", errno: errno)) }
      do {
        try HookInstaller.writeExecutable(hookPath, wanted)
      } catch {
        _ = rename(chained, hookPath)
        throw error
      }
      return .installed(chained: chained)
    }
    try HookInstaller.writeExecutable(hookPath, wanted)
    return .installed(chained: nil)
  }

  /// Where the records root is in the tree of `HEAD`: the top when `tally.yaml` is there,
  /// else the one directory (one level down) that holds one; nil when there is none or several.
  public static func findPrefix(in git: Repository) -> String? {
    guard let head = try? git.commit("HEAD"), let tree = try? git.tree(ofCommit: head) else { return nil }
    if (try? git.blobID(in: tree, at: RecordsRoot.markerFile)) != nil { return "" }
    guard let entries = try? git.entries(ofTree: tree) else { return nil }
    let found = entries.filter { $0.isTree }.filter {
      (try? git.blobID(in: tree, at: $0.name + "/" + RecordsRoot.markerFile)) != nil
    }
    return found.count == 1 ? found[0].name : nil
  }
}

extension ServerHook {
  public enum SetupError: Error, CustomStringConvertible {
    case notARepository(String, String)
    case noRecords(String)

    public var description: String {
      switch self {
      case .notARepository(let path, let why): "\(path) is not a git repository: \(why)"
      case .noRecords(let path):
        "\(path)'s HEAD has no tally.yaml at the top or one level down (push the records first, or pass --prefix DIR)"
      }
    }
  }

  /// The hook for the repository at `path` (bare, or a working tree's), with the records
  /// root at `prefix` (nil: found in HEAD's tree).
  public static func at(_ path: String, prefix: String?, executable: String?) throws(SetupError) -> ServerHook {
    let git: Repository
    do {
      git = try Repository.open(at: path)
    } catch {
      do {
        git = try Repository.discover(from: path)
      } catch {
        throw .notARepository(path, error.description)
      }
    }
    guard let prefix = prefix ?? findPrefix(in: git) else { throw .noRecords(path) }
    return ServerHook(gitDirectory: git.gitDirectory, prefix: prefix, executable: executable)
  }
}
