/// Finding the records repository: the directory that holds `tally.yaml`.
public enum RecordsRoot {
  /// The name of the file that marks a records repository.
  public static let markerFile = "tally.yaml"

  /// The nearest directory at or above `directory` that holds `tally.yaml`, like git's
  /// search for `.git`. Returns an absolute path, or nil when there is none.
  public static func find(from directory: String) -> String? {
    var current = FileSystem.absolute(directory)
    while true {
      if FileSystem.kind(of: FileSystem.joinPath(current, markerFile)) == .file {
        return current
      }
      if current == "/" { return nil }
      current = FileSystem.parentDirectory(of: current)
    }
  }
}
