import Foundation

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
