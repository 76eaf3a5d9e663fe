import TallySchema
import TallyText

/// The outcome of checking a snapshot of the records.
public struct CheckReport: Sendable {
  /// Every problem, sorted by file and position.
  public var diagnostics: [Diagnostic]
  /// How many records were checked.
  public var recordCount: Int
  /// How many files the snapshot has.
  public var fileCount: Int
  /// The files by the path diagnostics name, to show excerpts from.
  var files: [String: SnapshotFile]
  /// What checking the next snapshot incrementally needs (when asked for).
  var state: CheckState?
  /// For an incremental check: how many files differed from the state it started from.
  var differingFiles: Int?

  /// The bytes of the file a diagnostic names.
  public func source(_ displayPath: String) -> SourceFile? {
    guard let file = files[displayPath], let bytes = try? file.bytes() else { return nil }
    return SourceFile(path: displayPath, bytes: bytes)
  }

  public var errorCount: Int { diagnostics.errorCount }
  public var warningCount: Int { diagnostics.warningCount }
}

/// A record file to validate: the file, its type's position in the schema set, its id.
typealias RecordFile = (file: SnapshotFile, type: Int, id: String)
