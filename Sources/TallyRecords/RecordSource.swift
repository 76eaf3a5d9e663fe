import Foundation

/// One file of a snapshot of the records: its path relative to the records root, and how to
/// get its bytes.
public struct SnapshotFile: Sendable {
  public var path: String
  /// A content key (a git blob id) when the source has one, for caching parsed files.
  public var contentKey: String?
  /// The file is a symbolic link (in the working tree, or mode 120000 in git): Tally reads
  /// no record through it, and reports a record, schema or configuration file that is one.
  public var isSymbolicLink = false
  let source: Source

  /// Where the bytes come from.
  enum Source: Sendable {
    case load(@Sendable () throws -> [UInt8])
    /// A file of a listed working tree, read relative to its open root (no closure to
    /// allocate for each of 100,000 files).
    case listed(FileSystem.Directory)
  }

  public init(
    path: String, contentKey: String? = nil, isSymbolicLink: Bool = false,
    load: @escaping @Sendable () throws -> [UInt8]
  ) {
    self.path = path
    self.contentKey = contentKey
    self.isSymbolicLink = isSymbolicLink
    self.source = .load(load)
  }

  init(listed path: String, contentKey: String?, isSymbolicLink: Bool, in directory: FileSystem.Directory) {
    self.path = path
    self.contentKey = contentKey
    self.isSymbolicLink = isSymbolicLink
    self.source = .listed(directory)
  }

  /// The file's bytes. A symbolic link's are never read: that throws.
  public func bytes() throws -> [UInt8] {
    if isSymbolicLink { throw FileError(path: path, operation: "read", reason: FileError.symbolicLinkReason) }
    return try storedBytes()
  }

  /// The bytes git stores for the file: for a symbolic link in the index or a commit, the
  /// path it points to (a link in the working tree is not read).
  func storedBytes() throws -> [UInt8] {
    switch source {
    case .load(let load): try load()
    case .listed(let directory): try FileSystem.readListed(path, in: directory)
    }
  }
}

/// Where records come from: the working tree, the git index, or a commit.
public protocol RecordSource: Sendable {
  /// A short name for messages ("the working tree", "HEAD", "the index").
  var name: String { get }
  /// Every file under the records root (paths relative to it, `/`-separated), sorted.
  func files() throws -> [SnapshotFile]
}

/// The records as they are on disk.
public struct WorkingTreeSource: RecordSource {
  public let root: String
  public var name: String { "the working tree" }
  /// Give each file a content key made of its stat data (modification and change times,
  /// size, inode), as git's index does, so that a check can tell unchanged files without
  /// reading them (see ``RepositoryChecker/checkWorkingTree(only:baseline:gitDirectory:progress:)``).
  public var statKeys = false

  public init(root: String, statKeys: Bool = false) {
    self.root = root
    self.statKeys = statKeys
  }

  public func files() throws -> [SnapshotFile] {
    let root = self.root
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    // Files changed in the last two seconds are read again next time ("racily clean", as git
    // calls it): another change within the same tick of the file system's clock could keep
    // their time and perhaps their size. Their key is unique to this run.
    let tree = try FileSystem.tree(under: root, statKeys: statKeys, racyAfter: Int(now.tv_sec) - 2)
    let run = "r\(getpid()).\(now.tv_nsec)"
    let directory = try FileSystem.Directory(root)
    return tree.map { path, key, link in
      let contentKey: String? = statKeys ? (key.map { String($0, radix: 36) } ?? run) : nil
      return SnapshotFile(listed: path, contentKey: contentKey, isSymbolicLink: link, in: directory)
    }
  }
}

/// Files given in memory (tests, and snapshots assembled from several sources).
public struct MemorySource: RecordSource {
  public let name: String
  public let contents: [String: [UInt8]]

  public init(name: String = "memory", contents: [String: [UInt8]]) {
    self.name = name
    self.contents = contents
  }

  public func files() throws -> [SnapshotFile] {
    contents.keys.sorted().map { path in
      let bytes = contents[path]!
      return SnapshotFile(path: path) { bytes }
    }
  }
}
