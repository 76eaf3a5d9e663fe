internal import CLibGit2

/// A failed libgit2 call: what Tally was doing, libgit2's own message, and a typed code.
public struct GitError: Error, Sendable, CustomStringConvertible {
  public enum Code: Sendable, Equatable {
    case notFound
    case exists
    case ambiguous
    case bareRepository
    case unbornBranch
    case unmerged
    case nonFastForward
    case invalidSpec
    case conflict
    /// A lock file (e.g. `index.lock`) is held by another process.
    case locked
    /// A reference changed under us (another commit won a race).
    case modified
    case uncommitted
    case owner
    /// A signal (Ctrl-C) stopped the operation before it changed anything.
    case interrupted(Int32)
    case other(Int32)

    init(_ rc: Int32) {
      switch rc {
      case -3: self = .notFound
      case -4: self = .exists
      case -5: self = .ambiguous
      case -8: self = .bareRepository
      case -9: self = .unbornBranch
      case -10: self = .unmerged
      case -11: self = .nonFastForward
      case -12: self = .invalidSpec
      case -13: self = .conflict
      case -14: self = .locked
      case -15: self = .modified
      case -22: self = .uncommitted
      case -36: self = .owner
      default: self = .other(rc)
      }
    }
  }

  public var code: Code
  /// libgit2's message.
  public var message: String
  /// The libgit2 function that failed.
  public var function: String

  public init(code: Code, message: String, function: String) {
    self.code = code
    self.message = message
    self.function = function
  }

  public var description: String {
    switch code {
    case .locked where function == "lock":
      return message
    case .interrupted(let signal):
      return
        "interrupted by \(signal == 2 ? "SIGINT" : signal == 15 ? "SIGTERM" : signal == 1 ? "SIGHUP" : "signal \(signal)")"
    case .locked:
      return
        "the repository is locked by another git process (\(message)); if none is running, remove the stale .lock file"
    case .owner:
      return "git refuses a repository owned by another user (\(message)); see 'git config --global safe.directory'"
    default:
      return message.isEmpty ? "\(function) failed" : message
    }
  }
}

/// The one funnel for libgit2 return codes: throws a ``GitError`` (with `git_error_last`)
/// when `rc < 0`.
@discardableResult
func check(_ rc: Int32, _ function: String) throws(GitError) -> Int32 {
  guard rc < 0 else { return rc }
  var message = ""
  if let last = git_error_last(), let text = last.pointee.message {
    message = String(cString: text).trimmingTrailingNewlines()
  }
  throw GitError(code: GitError.Code(rc), message: message, function: function)
}

extension String {
  func trimmingTrailingNewlines() -> String {
    var result = Substring(self)
    while result.last == "\n" || result.last == "\r" { result.removeLast() }
    return String(result)
  }
}
