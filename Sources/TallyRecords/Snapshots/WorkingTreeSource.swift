import Foundation

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
