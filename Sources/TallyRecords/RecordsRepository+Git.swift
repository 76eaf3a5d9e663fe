import TallyGit

/// A commit's id, as the layers above git name it (reports, the query and web layers, the
/// command line): they hold commit ids, never a repository.
public typealias CommitID = ObjectID

extension RecordsRepository {
  /// The version of libgit2 that reads and writes git (for `tally --version`).
  public static var gitEngineVersion: String { GitLibrary.version }

  /// The git repository the records are in, and the records root's path inside it. For the
  /// layers that own git access (TallyRecords' checkers and committer, TallyHistory).
  public func gitRepository() throws -> (Repository, String) {
    let repository = try Repository.discover(from: root)
    guard let prefix = repository.relativePath(root) else {
      throw GitError(
        code: .bareRepository, message: "the records at \(root) are not in a git working tree",
        function: "git_repository_workdir")
    }
    return (repository, prefix)
  }
}
