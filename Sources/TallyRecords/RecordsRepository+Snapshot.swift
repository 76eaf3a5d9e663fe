import Foundation
import TallyGit
import TallySchema
import TallyText

extension RecordsRepository {
  /// This repository as it is in a snapshot: its `tally.yaml` and schema files are read from
  /// the snapshot (a staged schema change applies to the staged records), the root and the
  /// way paths are shown stay the same.
  public func at(_ files: [SnapshotFile], name: String) throws -> RecordsRepository {
    let marker = Array(RecordsRoot.markerFile.utf8)
    guard let configFile = files.first(where: { $0.pathIs(marker) }) else {
      throw SnapshotError.missingConfig(name)
    }
    let display = displayPath
    var (config, diagnostics) = RepositoryConfig.load(try configFile.bytes(), path: display(RecordsRoot.markerFile))
    let lead = Array((config.schemaDirectory + "/").utf8)
    var schemaFiles: [(path: String, bytes: [UInt8])] = []
    var anyInSchemaDirectory = false
    for file in files where file.pathStarts(with: lead) {
      anyInSchemaDirectory = true
      guard file.path.hasSuffix(".yaml") else { continue }
      do {
        schemaFiles.append((display(file.path), try file.bytes()))
      } catch {
        diagnostics.append(
          Diagnostic(.error, code: "unreadable", message: String(describing: error), path: display(file.path)))
      }
    }
    if !anyInSchemaDirectory {
      diagnostics.append(
        Diagnostic(
          .error, code: "config-missing",
          message: "the schema directory '\(config.schemaDirectory)' does not exist in \(name)",
          path: display(RecordsRoot.markerFile), range: SourceRange(at: .start),
          hint: "create it with the schema files, or set schema_dir in tally.yaml"))
    }
    let (schema, schemaDiagnostics) = SchemaLoader.load(files: schemaFiles)
    diagnostics += schemaDiagnostics
    var repository = RecordsRepository(
      root: root, config: config, schema: schema, setupDiagnostics: diagnostics, displayPath: display)
    repository.unloadedSchemas = schemaFiles.count - schema.types.count
    return repository
  }

  /// A key for the configuration and schemas of a snapshot: results cached under one key
  /// are valid for any snapshot with the same key.
  public static func schemaKey(of files: [SnapshotFile], schemaDirectory: String) -> String {
    let lead = Array((schemaDirectory + "/").utf8)
    let marker = Array(RecordsRoot.markerFile.utf8)
    var key = ""
    for file in files where file.pathIs(marker) || file.pathStarts(with: lead) {
      key += file.path + "=" + (file.contentKey ?? "?") + ";"
    }
    return key
  }
}

extension SnapshotFile {
  /// Whether the path's bytes start with `prefix`: what a scan of a million paths for a
  /// folder's files asks, without `String`'s Unicode-aware comparison.
  func pathStarts(with prefix: [UInt8]) -> Bool {
    let utf8 = path.utf8
    guard utf8.count >= prefix.count else { return false }
    if prefix.isEmpty { return true }
    return utf8.withContiguousStorageIfAvailable { bytes in
      prefix.withUnsafeBytes { memcmp(bytes.baseAddress!, $0.baseAddress!, prefix.count) == 0 }
    } ?? utf8.starts(with: prefix)
  }

  /// Whether the path's bytes are `bytes`.
  func pathIs(_ bytes: [UInt8]) -> Bool { path.utf8.count == bytes.count && pathStarts(with: bytes) }
}
