import TallyGit
import TallySchema

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

extension Repository {
  /// The record files of `type` in the records root tree `root`, by id, with their blobs:
  /// the `.yaml` files where the type's layout puts them, and also where the other layout
  /// did (directly in the directory, or in a folder named by the id's last digits), so that
  /// a commit from before `tally migrate layout` reads the same. Where both have an id, the
  /// layout's own place wins.
  public func recordFiles(of type: RecordType, inRoot root: ObjectID) throws(GitError) -> [(id: String, blob: ObjectID)]
  {
    guard let directory = try subtree(root, at: type.directory) else { return [] }
    var files: [(id: String, blob: ObjectID)] = []
    var shardFolders: [(name: String, id: ObjectID)] = []
    for entry in try entries(ofTree: directory) {
      if entry.isTree {
        if !entry.name.isEmpty, entry.name.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
          shardFolders.append((entry.name, entry.id))
        }
      } else if entry.name.hasSuffix(".yaml") {
        files.append((String(entry.name.dropLast(5)), entry.id))
      }
    }
    guard !shardFolders.isEmpty else { return files }
    var sharded: [(id: String, blob: ObjectID)] = []
    for folder in shardFolders {
      for entry in try entries(ofTree: folder.id) where !entry.isTree && entry.name.hasSuffix(".yaml") {
        let id = entry.name.dropLast(5)
        if RecordLayout.lastDigits(folder.name.utf8.count).isShard(folder.name, of: id) {
          sharded.append((String(id), entry.id))
        }
      }
    }
    let (first, second) = type.layout == .flat ? (files, sharded) : (sharded, files)
    guard !second.isEmpty else { return first }
    let known = Set(first.map(\.id))
    return first + second.filter { !known.contains($0.id) }
  }
}
