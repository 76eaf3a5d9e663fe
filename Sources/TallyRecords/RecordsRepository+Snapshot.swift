import Foundation
import TallyGit
import TallySchema
import TallyText

extension RecordsRepository {
  /// This repository as it is in a snapshot: its `tally.yaml` and schema files are read from
  /// the snapshot (a staged schema change applies to the staged records), the root and the
  /// way paths are shown stay the same.
  public func at(_ files: [SnapshotFile], name: String) throws -> RecordsRepository {
    guard let configFile = files.first(where: { $0.path == RecordsRoot.markerFile }) else {
      throw SnapshotError.missingConfig(name)
    }
    let display = displayPath
    var (config, diagnostics) = RepositoryConfig.load(try configFile.bytes(), path: display(RecordsRoot.markerFile))
    let lead = config.schemaDirectory + "/"
    var schemaFiles: [(path: String, bytes: [UInt8])] = []
    for file in files where file.path.hasPrefix(lead) && file.path.hasSuffix(".yaml") {
      do {
        schemaFiles.append((display(file.path), try file.bytes()))
      } catch {
        diagnostics.append(
          Diagnostic(.error, code: "unreadable", message: String(describing: error), path: display(file.path)))
      }
    }
    if !files.contains(where: { $0.path.hasPrefix(lead) }) {
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
    let lead = schemaDirectory + "/"
    var key = ""
    for file in files where file.path == RecordsRoot.markerFile || file.path.hasPrefix(lead) {
      key += file.path + "=" + (file.contentKey ?? "?") + ";"
    }
    return key
  }
}
