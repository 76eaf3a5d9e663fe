import Foundation

/// Where records come from: the working tree, the git index, or a commit.
public protocol RecordSource: Sendable {
  /// A short name for messages ("the working tree", "HEAD", "the index").
  var name: String { get }
  /// Every file under the records root (paths relative to it, `/`-separated), sorted.
  func files() throws -> [SnapshotFile]
}
