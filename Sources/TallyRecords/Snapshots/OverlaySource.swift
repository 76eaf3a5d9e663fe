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
    var added: [SnapshotFile] = replacements.values.compactMap { $0 }
    added.sort { $0.path < $1.path }
    let kept = replacements.isEmpty ? base : base.filter { replacements[$0.path] == nil }
    // The base is usually in order already (an index, a tree): merge the few changed files
    // in instead of sorting 100,000 paths again.
    guard kept.indices.dropFirst().allSatisfy({ kept[$0 - 1].path < kept[$0].path }) else {
      return (kept + added).sorted { $0.path < $1.path }
    }
    var result: [SnapshotFile] = []
    result.reserveCapacity(kept.count + added.count)
    var next = added.startIndex
    for file in kept {
      while next < added.endIndex, added[next].path < file.path {
        result.append(added[next])
        next += 1
      }
      result.append(file)
    }
    result += added[next...]
    return result
  }
}
