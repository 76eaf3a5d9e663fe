import TallyGit
import TallySchema
import TallyText

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Files of a snapshot found by path: by binary search when they are in git's order (an
/// index, a tree), else through a dictionary.
struct FileLookup {
  let files: SnapshotFiles
  let sorted: Bool
  private let byPath: [String: Int]

  init(_ files: [SnapshotFile]) { self.init(SnapshotFiles(files)) }

  init(_ files: SnapshotFiles) {
    self.files = files
    switch files.storage {
    case .array(let all): sorted = RepositoryChecker.inByteOrder(all)
    case .index: sorted = true  // an index Tally reads is in git's order (``IndexFile``)
    }
    byPath = sorted ? [:] : Dictionary(files.enumerated().map { ($1.path, $0) }, uniquingKeysWith: { $1 })
  }

  func file(_ path: String) -> SnapshotFile? {
    position(of: path).map { files[$0] }
  }

  /// Where the file at `path` is in `files`.
  func position(of path: String) -> Int? {
    if sorted { return files.position(of: path) }
    return byPath[path]
  }

  /// The paths whose content differs between `new` and `old` (added, changed, removed), with
  /// each side's file.
  static func differences(
    _ new: [SnapshotFile], _ old: [SnapshotFile]
  ) -> [(path: String, new: SnapshotFile?, old: SnapshotFile?)] {
    var result: [(path: String, new: SnapshotFile?, old: SnapshotFile?)] = []
    if RepositoryChecker.inByteOrder(new) && RepositoryChecker.inByteOrder(old) {
      var i = 0
      var j = 0
      while i < new.count || j < old.count {
        let order =
          i == new.count ? 1 : (j == old.count ? -1 : RepositoryChecker.compareBytes(new[i].path, old[j].path))
        if order < 0 {
          result.append((new[i].path, new[i], nil))
          i += 1
        } else if order > 0 {
          result.append((old[j].path, nil, old[j]))
          j += 1
        } else {
          if new[i].contentKey != old[j].contentKey || new[i].contentKey == nil {
            result.append((new[i].path, new[i], old[j]))
          }
          i += 1
          j += 1
        }
      }
      return result
    }
    let oldLookup = FileLookup(old)
    let newLookup = FileLookup(new)
    for file in new {
      let before = oldLookup.file(file.path)
      if before == nil || before!.contentKey != file.contentKey || file.contentKey == nil {
        result.append((file.path, file, before))
      }
    }
    for file in old where newLookup.file(file.path) == nil { result.append((file.path, nil, file)) }
    return result
  }
}
