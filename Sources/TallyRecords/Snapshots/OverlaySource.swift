import Foundation
import TallyGit
import TallySchema
import TallyText

/// Files of another snapshot with some replaced, added or removed: what a commit would
/// record after staging changes.
public struct OverlaySource: RecordSource {
  public let base: [SnapshotFile]
  /// New files by path (relative to the records root); nil removes the file.
  public let replacements: [String: SnapshotFile?]
  public let name: String

  /// `base` with the files in `replacements` put in (nil removes a file).
  public init(base: [SnapshotFile], replacing replacements: [String: SnapshotFile?], name: String) {
    self.base = base
    self.replacements = replacements
    self.name = name
  }

  /// `base` with new bytes for some paths (nil removes the file); blob ids as content keys.
  public init(base: [SnapshotFile], changes: [String: [UInt8]?], name: String) {
    var replacements: [String: SnapshotFile?] = [:]
    for (path, bytes) in changes {
      // `.some`: a nil value is a removal, not a missing key.
      replacements[path] = .some(
        bytes.map { bytes in SnapshotFile(path: path, contentKey: Repository.blobID(of: bytes).hex) { bytes } })
    }
    self.init(base: base, replacing: replacements, name: name)
  }

  public func files() throws -> [SnapshotFile] {
    if replacements.isEmpty { return base }
    let order = { (a: String, b: String) in RepositoryChecker.compareBytes(a, b) < 0 }
    guard RepositoryChecker.inByteOrder(base) else {
      let kept = base.filter { replacements[$0.path] == nil }
      return (kept + replacements.values.compactMap { $0 }).sorted { order($0.path, $1.path) }
    }
    // The base is usually in order already (an index, a tree): each changed path is put in
    // where a binary search finds its place, rather than a million paths looked up in the
    // replacements or sorted again.
    var result: [SnapshotFile] = []
    result.reserveCapacity(base.count + replacements.count)
    var next = 0
    for path in replacements.keys.sorted(by: order) {
      var low = next
      var high = base.count
      while low < high {
        let middle = (low + high) / 2
        if order(base[middle].path, path) { low = middle + 1 } else { high = middle }
      }
      result += base[next..<low]
      next = low
      if next < base.count, RepositoryChecker.compareBytes(base[next].path, path) == 0 { next += 1 }
      if let file = replacements[path]! { result.append(file) }
    }
    result += base[next...]
    return result
  }

}
