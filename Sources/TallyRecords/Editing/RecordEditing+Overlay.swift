extension RecordEditing {
  /// A snapshot of the records with some files replaced or added in memory: what the
  /// repository would be after an edit, checked before anything is written.
  public struct Overlay: RecordSource {
    public let base: RecordSource
    /// New contents by path relative to the records root.
    public let replacements: [String: [UInt8]]

    public init(base: RecordSource, replacing replacements: [String: [UInt8]]) {
      self.base = base
      self.replacements = replacements
    }

    public var name: String { base.name }

    public func files() throws -> [SnapshotFile] {
      var files = try base.files().filter { replacements[$0.path] == nil }
      for (path, bytes) in replacements {
        files.append(SnapshotFile(path: path) { bytes })
      }
      files.sort { $0.path < $1.path }
      return files
    }
  }
}
