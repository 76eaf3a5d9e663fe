import TallyGit
import TallySchema
import TallyText

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

public enum CommitError: Error, CustomStringConvertible {
  case nothingToCommit
  case unknownPath(String)
  case emptyMessage
  case notAFile(String)
  /// git has an operation other than a merge in progress.
  case operationInProgress(OperationInProgress)
  /// Named paths while a merge is in progress: a merge is committed whole.
  case partialCommitDuringMerge

  public var description: String {
    switch self {
    case .nothingToCommit: "nothing to commit (stage changes with git add, or name paths, or use --all)"
    case .unknownPath(let path): "\(path) is neither in the working tree nor known to git"
    case .emptyMessage: "the commit message is empty"
    case .notAFile(let path): "\(path) is neither a file nor a symbolic link"
    case .operationInProgress(let operation):
      "a \(operation.rawValue) is in progress; tally commit does not finish it: \(operation.advice)"
    case .partialCommitDuringMerge:
      "a merge is in progress: it is committed whole ('tally commit' or 'tally commit --all'), not for named paths"
    }
  }

  /// The commit cannot be made in this state of the repository (exit 2), as opposed to
  /// there being nothing to commit (exit 1).
  public var isStateError: Bool {
    switch self {
    case .operationInProgress, .partialCommitDuringMerge, .notAFile: true
    default: false
    }
  }
}
