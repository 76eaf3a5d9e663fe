import TallyGit

/// The records as they are in a commit.
public struct GitRevisionSource: RecordSource {
  public let repository: Repository
  public let revision: String
  /// The records root relative to the repository's top (empty when they are the same).
  public let prefix: String

  public let name: String

  public init(repository: Repository, revision: String, prefix: String, name: String? = nil) {
    self.repository = repository
    self.revision = revision
    self.prefix = prefix
    self.name = name ?? revision
  }

  public func files() throws -> [SnapshotFile] {
    let commit = try repository.commit(revision)
    let tree = try repository.tree(ofCommit: commit)
    guard let root = try repository.subtree(tree, at: prefix) else { return [] }
    let repository = self.repository
    return try repository.files(inTree: root).map { file in
      SnapshotFile(path: file.path, contentKey: file.id.hex, isSymbolicLink: file.isSymlink) {
        try repository.blob(file.id)
      }
    }
  }
}
