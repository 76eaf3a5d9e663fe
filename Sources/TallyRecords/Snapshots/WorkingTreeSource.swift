import Foundation

/// The records as they are on disk.
public struct WorkingTreeSource: RecordSource {
  public let root: String
  public var name: String { "the working tree" }
  /// Give each file a content key made of its stat data (modification and change times,
  /// size, inode), as git's index does, so that a check can tell unchanged files without
  /// reading them (see ``RepositoryChecker/checkWorkingTree(only:baseline:gitDirectory:progress:)``).
  public var statKeys = false
  /// Where the listing keeps what it found in each folder, to read only the folders that
  /// changed next time (see ``FolderCache``); nil: every folder is read.
  public var folderCache: String?

  public init(root: String, statKeys: Bool = false, folderCache: String? = nil) {
    self.root = root
    self.statKeys = statKeys
    self.folderCache = folderCache
  }

  public func files() throws -> [SnapshotFile] {
    let root = self.root
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    // Files changed in the last two seconds are read again next time ("racily clean", as git
    // calls it): another change within the same tick of the file system's clock could keep
    // their time and perhaps their size. Their key is unique to this run.
    let tree = try FileSystem.tree(
      under: root, statKeys: statKeys, racyAfter: Int(now.tv_sec) - 2, folderCache: statKeys ? folderCache : nil)
    let run = "r\(getpid()).\(now.tv_nsec)"
    let directory = try FileSystem.Directory(root)
    return tree.map { path, key, link in
      let contentKey: String? = statKeys ? (key.map(Self.base36) ?? run) : nil
      return SnapshotFile(listed: path, contentKey: contentKey, isSymbolicLink: link, in: directory)
    }
  }

  /// `String(value, radix: 36)`, made without the standard library's generic conversion
  /// (a tenth of a warm check's own time at a million files): at most 13 digits, so the
  /// string is held inline.
  static func base36(_ value: UInt64) -> String {
    var digits: (UInt64, UInt64) = (0, 0)
    return withUnsafeMutableBytes(of: &digits) { buffer in
      let table: StaticString = "0123456789abcdefghijklmnopqrstuvwxyz"
      var rest = value
      var position = 16
      repeat {
        position -= 1
        buffer[position] = table.utf8Start[Int(rest % 36)]
        rest /= 36
      } while rest != 0
      return String(decoding: UnsafeRawBufferPointer(rebasing: buffer[position...]), as: UTF8.self)
    }
  }
}
