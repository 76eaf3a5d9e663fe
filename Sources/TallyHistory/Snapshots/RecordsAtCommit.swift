import TallyGit
import TallyRecords
import TallySchema
import TallyText

/// The records as they are in one commit: the one way the layers above History (reports,
/// the command line, later the query and web layers) read records from git. It finds the
/// records root in the commit's tree and a type's directory in it, and reads values through
/// the history's value store (each blob parsed once, kept in the git directory).
public struct RecordsAtCommit: Sendable {
  public let commit: CommitID
  let history: History

  init(commit: CommitID, history: History) {
    self.commit = commit
    self.history = history
  }

  var git: Repository { history.git }

  /// The tree of the records root in the commit (nil when the commit has none).
  func rootTree() throws -> ObjectID? {
    try git.subtree(try git.tree(ofCommit: commit), at: history.prefix)
  }

  /// The record files of `type` in the commit, by id, with their blobs: the `.yaml` files
  /// where the type's layout puts them (directly in its directory, or in the shard folder of
  /// their id).
  func files(of type: RecordType) throws -> [(id: String, blob: ObjectID)] {
    guard let root = try rootTree() else { return [] }
    return try git.recordFiles(of: type, inRoot: root)
  }

  /// The records of `type`, by id, their values read in place (only the fields a caller
  /// reads are decoded). Empty for a type the schemas do not know.
  public func records(of type: String) throws -> [String: EncodedValue] {
    guard let recordType = history.records.schema.type(named: type) else { return [:] }
    let files = try files(of: recordType)
    let values = try history.recordValues.values(files.map(\.blob))
    var result: [String: EncodedValue] = [:]
    result.reserveCapacity(files.count)
    for (file, value) in zip(files, values) {
      if let value { result[file.id] = value }
    }
    return result
  }

  /// One record's value, found at the paths its type's layout gives its id (the sharded
  /// path first, then the flat one: the file ``records(of:)`` prefers): `.found(nil)` when
  /// the file there does not parse, `.notAtItsPaths` when neither path has a file — the
  /// record may still be in a folder the listing of ``records(of:)`` accepts, which reads it
  /// then. Two tree lookups and one blob instead of a listing of every record of the type.
  public func value(of key: RecordKey) throws -> RecordLookup {
    guard let type = history.records.schema.type(named: key.type) else { return .notAtItsPaths }
    guard let root = try rootTree() else { return .found(nil) }
    for path in type.paths(of: key.id) {
      if let blob = try git.blobID(in: root, at: path) {
        return .found(try history.recordValues.values([blob]).first ?? nil)
      }
    }
    return .notAtItsPaths
  }

  /// The file of the record `key` names, relative to the records root, and its bytes; nil
  /// when the commit does not have it.
  public func file(_ key: RecordKey) throws -> (path: String, bytes: [UInt8])? {
    guard let type = history.records.schema.type(named: key.type), let root = try rootTree() else { return nil }
    for path in type.paths(of: key.id) {
      if let blob = try git.blobID(in: root, at: path) { return (path, try git.blob(blob)) }
    }
    return nil
  }

  /// Every file under the records root, for checking or comparing the commit as a whole.
  public func snapshotFiles() throws -> [SnapshotFile] {
    try GitRevisionSource(repository: git, revision: commit.hex, prefix: history.prefix).files()
  }
}

/// What ``RecordsAtCommit/value(of:)`` finds.
public enum RecordLookup: Sendable {
  /// The file at the record's path, and its value (nil when it does not parse).
  case found(EncodedValue?)
  case notAtItsPaths
}

extension History {
  /// Opens the history of the records repository `records` (the git repository it is in is
  /// found from its root).
  public static func open(_ records: RecordsRepository) throws -> History {
    let (git, prefix) = try records.gitRepository()
    return History(records: records, git: git, prefix: prefix)
  }

  /// The records as they are in `commit`.
  public func records(at commit: CommitID) -> RecordsAtCommit {
    RecordsAtCommit(commit: commit, history: self)
  }

  /// The commit a revision names (`HEAD`, `main~3`, a tag, an id prefix).
  public func resolve(_ revision: String) throws -> CommitID {
    try git.commit(revision)
  }

  /// The records of the index (what `git commit` would record) and of the working tree,
  /// as snapshots to compare with a commit's.
  public func indexFiles() throws -> [SnapshotFile] {
    try IndexSource(repository: git, prefix: prefix).files()
  }

  /// The whole value of a record after `change` (nil for a removal, or when it does not
  /// parse): the value the change data carries for an addition, else its new blob's.
  public func value(after change: RecordChange) throws -> Value? {
    if let value = change.value { return value }
    guard let blob = change.newBlob else { return nil }
    return SyntaxTree.parse(try git.blob(blob)).tree?.value
  }
}

extension History {
  /// The history of a repository without a working tree — a bare repository on a git
  /// server — whose settings (`tally.yaml`, the schemas) are read from `revision`'s tree,
  /// at `prefix` in it.
  public static func open(gitDirectory: String, revision: String, prefix: String) throws -> History {
    let git = try Repository.open(at: gitDirectory)
    let tree = try git.tree(ofCommit: try git.commit(revision))
    let lead = prefix.isEmpty ? "" : prefix + "/"
    guard let configBlob = try git.blobID(in: tree, at: lead + RecordsRoot.markerFile) else {
      throw HistoryError.unreadable("\(revision): there is no \(lead)\(RecordsRoot.markerFile) (pass --prefix)")
    }
    let configBytes = try git.blob(configBlob)
    let (config, _) = RepositoryConfig.load(configBytes, path: RecordsRoot.markerFile)
    var schemaFiles: [(path: String, bytes: [UInt8])]?
    if let schemaTree = try git.subtree(tree, at: lead + config.schemaDirectory) {
      schemaFiles = try git.files(inTree: schemaTree).filter { $0.path.hasSuffix(".yaml") && !$0.isSymlink }
        .sorted { $0.path < $1.path }
        .map { (config.schemaDirectory + "/" + $0.path, try git.blob($0.id)) }
    }
    let records = RecordsRepository.load(
      root: gitDirectory + (prefix.isEmpty ? "" : "/" + prefix), configBytes: configBytes, schemaFiles: schemaFiles,
      displayPath: { $0 })
    return History(
      records: records, git: git, prefix: prefix,
      schemaKey: schemaKey(config: configBytes, schemaFiles: schemaFiles ?? []))
  }
}

extension History {
  /// The files directly in `directory` (relative to the records root, `queries`) as they
  /// are in `commit`, by name; none when it has no such directory. For what a server reads
  /// from its ref besides records (the saved queries), never from a working tree.
  public func files(in directory: String, at commit: CommitID) throws -> [(name: String, bytes: [UInt8])] {
    guard let root = try git.subtree(try git.tree(ofCommit: commit), at: prefix),
      let tree = try git.subtree(root, at: directory)
    else { return [] }
    return try git.entries(ofTree: tree).filter { !$0.isTree }.sorted { $0.name < $1.name }.map {
      ($0.name, try git.blob($0.id))
    }
  }
}
