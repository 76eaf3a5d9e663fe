/// One file of a snapshot of the records: its path relative to the records root, and how to
/// get its bytes.
public struct SnapshotFile: Sendable {
  public var path: String
  /// A content key (a git blob id) when the source has one, for caching parsed files.
  public var contentKey: String?
  let load: @Sendable () throws -> [UInt8]

  public init(path: String, contentKey: String? = nil, load: @escaping @Sendable () throws -> [UInt8]) {
    self.path = path
    self.contentKey = contentKey
    self.load = load
  }

  public func bytes() throws -> [UInt8] { try load() }
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

  public init(root: String) {
    self.root = root
  }

  public func files() throws -> [SnapshotFile] {
    let root = self.root
    let all = try FileSystem.files(under: root, suffixes: [""])
    let prefix = root.hasSuffix("/") ? root.count : root.count + 1
    return all.map { absolute in
      // Every path starts with the root and a slash.
      let relative = String(absolute.dropFirst(prefix))
      return SnapshotFile(path: relative) { try FileSystem.read(absolute) }
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
