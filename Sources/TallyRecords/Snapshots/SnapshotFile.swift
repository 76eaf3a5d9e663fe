import Foundation
import TallyGit

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
    /// A blob of a git repository (no closure to allocate for each of a million entries).
    case blob(Repository, ObjectID)
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

  /// A file whose bytes are the blob `id` of `repository`, its id as the content key.
  public init(path: String, blob id: ObjectID, in repository: Repository, isSymbolicLink: Bool = false) {
    self.path = path
    self.contentKey = id.hex
    self.isSymbolicLink = isSymbolicLink
    self.source = .blob(repository, id)
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
    case .blob(let repository, let id): try repository.blob(id)
    }
  }
}
