import TallyGit

extension RecordsRepository {
  /// The git repository the records are in, and the records root's path inside it.
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
