import Foundation
import TallyGit
import TallyRecords

/// Resolves revisions on a repository handle of its own, under its own lock, so that a
/// server can ask where its ref points while another task reads the history through the
/// ``History``'s handle (a libgit2 repository is not used from two threads at once).
public final class RevisionResolver: @unchecked Sendable {
  private let lock = NSLock()
  private let git: Repository

  init(git: Repository) { self.git = git }

  /// The commit `revision` names now (a moved ref is seen at once: git's references are read
  /// again when their files change).
  public func resolve(_ revision: String) throws -> CommitID {
    lock.lock()
    defer { lock.unlock() }
    return try git.commit(revision)
  }
}

extension History {
  /// A resolver of revisions on a handle of its own (see ``RevisionResolver``).
  public func revisionResolver() throws -> RevisionResolver {
    RevisionResolver(git: try Repository.open(at: gitDirectory))
  }
}
