import Foundation
import TallyGit
import TallySchema
import TallyText

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
