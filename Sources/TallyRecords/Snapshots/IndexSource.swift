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
    if let index = try repository.indexFile() {
      return try Self.files(in: index, prefix: prefix, repository: repository)
    }
    return try Self.files(of: try repository.indexEntries(), prefix: prefix, repository: repository)
  }

  /// The snapshot files of the entries of `index` (read by Tally, see ``IndexFile``) under
  /// `prefix`, as ``files(of:prefix:repository:)`` makes them from libgit2's entries.
  static func files(in index: IndexFile, prefix: String, repository: Repository) throws -> [SnapshotFile] {
    Trace.mark("read the index")
    let lead = prefix.isEmpty ? [] : Array((prefix + "/").utf8)
    let range = index.range(under: lead)
    var result: [SnapshotFile] = []
    result.reserveCapacity(range.count)
    for position in range {
      if index.stage(position) != 0 { throw SnapshotError.conflicted(index.path(position)) }
      result.append(file(in: index, at: position, dropping: lead.count, repository: repository))
    }
    return result
  }

  /// The entries of `index` under `prefix` as snapshot files made when looked at (see
  /// ``SnapshotFiles``). Throws when an entry is in conflict.
  static func snapshotFiles(in index: IndexFile, prefix: String, repository: Repository) throws -> SnapshotFiles {
    Trace.mark("read the index")
    let lead = prefix.isEmpty ? [] : Array((prefix + "/").utf8)
    let range = index.range(under: lead)
    if index.anyConflicted(in: range), let position = range.first(where: { index.stage($0) != 0 }) {
      throw SnapshotError.conflicted(index.path(position))
    }
    return SnapshotFiles(index: index, under: lead, repository: repository)
  }

  /// The snapshot file of entry `position` of `index`, its path without its first
  /// `dropping` bytes (the records root's).
  static func file(in index: IndexFile, at position: Int, dropping: Int, repository: Repository) -> SnapshotFile {
    SnapshotFile(
      path: index.path(position, dropping: dropping), blob: index.id(position), in: repository,
      isSymbolicLink: index.mode(position) == 0o120000)
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
      result.append(SnapshotFile(path: path, blob: entry.id, in: repository, isSymbolicLink: entry.mode == 0o120000))
    }
    return result
  }
}

extension RecordsRepository {
  /// `files` (the working tree's, in path order) with the records outside a sparse checkout
  /// (`git sparse-checkout`: skip-worktree entries of the index, absent from the disk) read
  /// from the index, so that a check of a sparse checkout sees the whole repository — its
  /// references to records in other shards resolve — and not a mass deletion. `files` as it
  /// is in a full checkout or outside git.
  public func withSparseFiles(_ files: [SnapshotFile]) throws -> [SnapshotFile] {
    let sparse = try sparseFiles()
    guard !sparse.isEmpty else { return files }
    let present = Set(files.map(\.path))
    let added = sparse.filter { !present.contains($0.path) }
    guard !added.isEmpty else { return files }
    return (files + added).sorted { RepositoryChecker.compareBytes($0.path, $1.path) < 0 }
  }

  /// The files under the records root that a sparse checkout leaves out (skip-worktree
  /// entries of the index), read from the index; empty in a full checkout or outside git.
  public func sparseFiles() throws -> [SnapshotFile] {
    guard let (git, prefix) = try? gitRepository(), let sparse = try? git.sparsePaths(), !sparse.isEmpty else {
      return []
    }
    if let index = try git.indexFile() {
      let lead = prefix.isEmpty ? [] : Array((prefix + "/").utf8)
      return index.range(under: lead).filter { index.skipsWorktree($0) && index.stage($0) == 0 }.map {
        IndexSource.file(in: index, at: $0, dropping: lead.count, repository: git)
      }
    }
    let lead = prefix.isEmpty ? "" : prefix + "/"
    let entries = try git.indexEntries().filter { entry in
      entry.skipWorktree && entry.stage == 0 && (lead.isEmpty || entry.path.hasPrefix(lead))
    }
    return try IndexSource.files(of: entries, prefix: prefix, repository: git)
  }
}

/// The records outside a sparse checkout, read from the index once, when first asked for
/// (by an edit that looks for a record the working tree does not have).
final class SparseRecords: @unchecked Sendable {
  private let lock = NSLock()
  private var files: [String: SnapshotFile]?
  let repository: RecordsRepository

  init(repository: RecordsRepository) { self.repository = repository }

  /// The file at `relative` (relative to the records root) when the sparse checkout left it
  /// out.
  func file(_ relative: String) -> SnapshotFile? {
    lock.lock()
    defer { lock.unlock() }
    if files == nil {
      files = Dictionary(((try? repository.sparseFiles()) ?? []).map { ($0.path, $0) }) { first, _ in first }
    }
    return files?[relative]
  }
}

/// The working tree as the records in it: the files on disk, and in a sparse checkout the
/// records outside it from the index (see ``RecordsRepository/withSparseFiles(_:)``).
public struct CheckoutSource: RecordSource {
  public let repository: RecordsRepository
  public var name: String { "the working tree" }

  public init(repository: RecordsRepository) { self.repository = repository }

  public func files() throws -> [SnapshotFile] {
    try repository.withSparseFiles(try WorkingTreeSource(root: repository.root).files())
  }
}
