import Foundation
import TallyGit
import TallySchema
import TallyText

/// The records as they are staged: what `git commit` would record. Deletions and renames
/// are seen as such (a file removed from the index is gone from the snapshot), which
/// file-by-file pre-commit checks miss.
public struct IndexSource: RecordSource {
  public let repository: Repository
  /// The records root relative to the top of the working tree (empty when they are the same).
  public let prefix: String

  public init(repository: Repository, prefix: String) {
    self.repository = repository
    self.prefix = prefix
  }

  public var name: String { "the index" }

  public func files() throws -> [SnapshotFile] {
    try Self.files(of: try repository.indexEntries(), prefix: prefix, repository: repository)
  }

  /// The snapshot files of index entries under `prefix`: paths relative to it, blob ids as
  /// content keys. Throws when an entry is in conflict.
  static func files(of entries: [IndexEntry], prefix: String, repository: Repository) throws -> [SnapshotFile] {
    Trace.mark("read the index")
    let lead = prefix.isEmpty ? "" : prefix + "/"
    var seen = Set<String>()
    var result: [SnapshotFile] = []
    result.reserveCapacity(entries.count)
    for entry in entries where lead.isEmpty || entry.path.hasPrefix(lead) {
      let path = String(entry.path.dropFirst(lead.count))
      if entry.stage != 0 {
        guard seen.insert(path).inserted else { continue }
        throw SnapshotError.conflicted(entry.path)
      }
      let id = entry.id
      result.append(
        SnapshotFile(path: path, contentKey: id.hex, isSymbolicLink: entry.mode == 0o120000) {
          try repository.blob(id)
        })
    }
    return result
  }
}

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

public enum SnapshotError: Error, CustomStringConvertible {
  case conflicted(String)
  case missingConfig(String)

  public var description: String {
    switch self {
    case .conflicted(let path): "\(path) has unresolved merge conflicts; resolve them and stage the result"
    case .missingConfig(let name): "\(name) has no \(RecordsRoot.markerFile) at the records root"
    }
  }
}

/// Per-file results of checking, kept by content (blob id) and path, so that checking the
/// same files again — the index after one change, the next commit of a range — validates
/// only what changed. One cache serves one set of schemas.
public final class CheckCache: @unchecked Sendable {
  struct Entry {
    var summary: RecordSummary?
    var diagnostics: [Diagnostic]
    /// Looked up or stored in this process: what the stored cache keeps.
    var touched = false
  }

  private var entries: [String: Entry] = [:]
  /// Entries computed in this process (not read from the stored cache).
  public private(set) var computed = 0
  private let lock = NSLock()
  /// The schema the results were computed with (its files' content keys).
  public let schemaKey: String
  public private(set) var hits = 0
  public private(set) var misses = 0

  /// Reads the stored cache: run by the first check that uses this cache (an incremental
  /// check needs none of it).
  private var loader: ((CheckCache) -> Void)?

  public init(schemaKey: String) {
    self.schemaKey = schemaKey
  }

  init(schemaKey: String, loader: @escaping (CheckCache) -> Void) {
    self.schemaKey = schemaKey
    self.loader = loader
  }

  /// Loads the stored entries, the first time.
  func prepare() {
    let load = lock.withLock {
      defer { loader = nil }
      return loader
    }
    load?(self)
  }

  static func key(_ file: SnapshotFile) -> String? {
    file.contentKey.map { $0 + "\u{0}" + file.path }
  }

  func lookup(_ file: SnapshotFile) -> Entry? {
    guard let key = Self.key(file) else { return nil }
    return lock.withLock {
      // One hash of the key, to find the entry and to mark it.
      guard let position = entries.index(forKey: key) else {
        misses += 1
        return nil
      }
      hits += 1
      entries.values[position].touched = true
      return entries.values[position]
    }
  }

  func store(_ file: SnapshotFile, _ entry: Entry) {
    guard let key = Self.key(file) else { return }
    var entry = entry
    entry.touched = true
    lock.withLock {
      entries[key] = entry
      computed += 1
    }
  }

  /// How many entries came from the stored cache.
  public private(set) var preloaded = 0

  /// Adds entries read from the stored cache.
  func preload(_ loaded: [(String, Entry)]) {
    lock.withLock {
      preloaded += loaded.count
      entries.reserveCapacity(entries.count + loaded.count)
      for (key, entry) in loaded where entries[key] == nil { entries[key] = entry }
    }
  }

  /// The entries worth storing: used in this process, for records without problems whose
  /// cross-record checks need no more than their references, unique values and states.
  func storable() -> [(key: String, path: String, summary: RecordSummary)] {
    lock.withLock {
      var result: [(key: String, path: String, summary: RecordSummary)] = []
      result.reserveCapacity(entries.count)
      for key in entries.compactMap({ $0.value.touched ? $0.key : nil }).sorted() {
        guard let entry = entries[key], let summary = entry.summary, entry.diagnostics.isEmpty,
          summary.value == nil, summary.deferredRules.isEmpty,
          let separator = key.firstIndex(of: "\u{0}")
        else { continue }
        result.append((key, String(key[key.index(after: separator)...]), summary))
      }
      return result
    }
  }
}

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
