import Foundation
import TallyTestSupport
import Testing

@testable import TallyRecords

/// The working tree's folder cache (git's untracked cache, for a warm check): a folder that
/// did not change is not read again, and every listing is the one a listing without the
/// cache gives — after files are added, removed, renamed, made folders or links.
@Suite("Folder cache")
struct FolderCacheTests {
  typealias Listed = [(path: String, key: UInt64?, link: Bool)]

  func render(_ files: Listed) -> [String] { files.map { "\($0.path) \($0.key.map { String($0) } ?? "-") \($0.link)" } }

  /// Lists `root` with the cache (nothing counted as changed too recently) and without it,
  /// expects the same, and returns how many folders the cached listing read.
  func list(_ root: String, _ cache: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Int {
    let cached = try FileSystem.listTree(under: root, statKeys: true, racyAfter: .max, folderCache: cache)
    let plain = try FileSystem.listTree(under: root, statKeys: true, racyAfter: .max, folderCache: nil)
    #expect(render(cached.files) == render(plain.files), sourceLocation: sourceLocation)
    #expect(plain.foldersRead == -1, sourceLocation: sourceLocation)
    return cached.foldersRead
  }

  /// A change a moment later than the last listing (the file system's clock ticks in
  /// milliseconds; a change in the same tick is what the two-second rule guards against).
  func later(_ change: () throws -> Void) throws {
    usleep(30_000)
    try change()
  }

  @Test func foldersThatDidNotChangeAreNotReadAgain() throws {
    let directory = try TemporaryDirectory(prefix: "tally-folders")
    let root = directory.path + "/r"
    let cache = directory.path + "/git/tally/worktree-folders"
    let manager = FileManager.default
    for shard in 0..<20 {
      let padded = String(format: "%02d", shard)
      let folder = root + "/customers/\(padded)"
      try manager.createDirectory(atPath: folder, withIntermediateDirectories: true)
      for number in 0..<3 {
        try "name: 客户\n".write(toFile: folder + "/C-\(number)\(padded).yaml", atomically: false, encoding: .utf8)
      }
    }
    try manager.createDirectory(atPath: root + "/staff", withIntermediateDirectories: true)
    try "name: 陈建国\n".write(toFile: root + "/staff/S-0001.yaml", atomically: false, encoding: .utf8)
    try manager.createDirectory(atPath: root + "/.hidden", withIntermediateDirectories: true)
    try "x".write(toFile: root + "/.hidden/x.yaml", atomically: false, encoding: .utf8)

    // The first listing reads every folder (root, customers, 20 shards, staff) and keeps them.
    #expect(try list(root, cache) == 23)
    #expect(manager.fileExists(atPath: cache))
    // Nothing changed: nothing read.
    #expect(try list(root, cache) == 0)
    // A file's content changes: its folder is not read, the file's own stat shows it.
    try later { try "name: 改\n".write(toFile: root + "/customers/03/C-103.yaml", atomically: false, encoding: .utf8) }
    #expect(try list(root, cache) == 0, "after a content change")
    // Added, removed, renamed (an editor's save), a file made a folder, a link: only
    // those folders are read (a few, so the cache is not rewritten: they are read again).
    try later {
      try "name: 新\n".write(toFile: root + "/customers/04/C-904.yaml", atomically: false, encoding: .utf8)
      try manager.removeItem(atPath: root + "/customers/05/C-005.yaml")
      try manager.moveItem(atPath: root + "/customers/06/C-006.yaml", toPath: root + "/customers/06/C-906.yaml")
      try manager.removeItem(atPath: root + "/staff/S-0001.yaml")
      try manager.createDirectory(atPath: root + "/staff/S-0001.yaml", withIntermediateDirectories: true)
      try "x: 1\n".write(toFile: root + "/staff/S-0001.yaml/inner.yaml", atomically: false, encoding: .utf8)
      try manager.createSymbolicLink(atPath: root + "/customers/07/latest.yaml", withDestinationPath: "C-007.yaml")
    }
    // (customers/04 to 07, staff and the new staff/S-0001.yaml)
    #expect(try list(root, cache) == 6)
    #expect(try list(root, cache) == 6)
    // A new shard folder: its parent and itself, with the six above.
    try later {
      try manager.createDirectory(atPath: root + "/customers/99", withIntermediateDirectories: true)
      try "name: 九\n".write(toFile: root + "/customers/99/C-099.yaml", atomically: false, encoding: .utf8)
    }
    #expect(try list(root, cache) == 8)
    // A damaged or foreign cache is ignored, and written again.
    var bytes = try FileSystem.read(cache)
    bytes[bytes.count / 2] ^= 0x20
    try FileSystem.writeAtomically(cache, bytes)
    #expect(try list(root, cache) == 25)
    #expect(try list(root, cache) == 0)
    let elsewhere = try FileSystem.listTree(
      under: root + "/customers", statKeys: true, racyAfter: .max, folderCache: cache)
    #expect(elsewhere.foldersRead == 22)
  }

  @Test func aFolderChangedTooRecentlyIsNotKept() throws {
    let directory = try TemporaryDirectory(prefix: "tally-folders-racy")
    let root = directory.path + "/r"
    let cache = directory.path + "/worktree-folders"
    try FileManager.default.createDirectory(atPath: root + "/a", withIntermediateDirectories: true)
    try "x".write(toFile: root + "/a/x.yaml", atomically: false, encoding: .utf8)
    // Everything counts as changed just now: nothing is kept, every listing reads it all.
    let racy = Int(Date().timeIntervalSince1970) - 10
    for _ in 0..<2 {
      let listed = try FileSystem.listTree(under: root, statKeys: true, racyAfter: racy, folderCache: cache)
      #expect(listed.foldersRead == 2)
    }
  }
}
