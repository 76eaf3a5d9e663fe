import TallyGit

/// The files of a snapshot, in git's path order: an array of ``SnapshotFile``s, or the
/// entries of an index Tally read itself (``IndexFile``), of which a ``SnapshotFile`` is
/// made only for an entry looked at. A `check --staged` of a million-entry index looks at a
/// handful: making a million files up front (a path and a hex id each) was 0.4 s of it.
public struct SnapshotFiles: RandomAccessCollection, Sendable {
  enum Storage: Sendable {
    case array([SnapshotFile])
    case index(IndexEntries)
  }

  /// Entries `range` of `index`, their paths without their first `dropping` bytes (the
  /// records root's).
  struct IndexEntries: Sendable {
    let index: IndexFile
    let range: Range<Int>
    let lead: [UInt8]
    let repository: Repository
  }

  let storage: Storage

  public init(_ files: [SnapshotFile]) { storage = .array(files) }

  /// The entries of `index` under `lead` (the records root's path and a `/`; empty for
  /// the top of the working tree). The caller has made sure none is in conflict.
  init(index: IndexFile, under lead: [UInt8], repository: Repository) {
    storage = .index(IndexEntries(index: index, range: index.range(under: lead), lead: lead, repository: repository))
  }

  public var startIndex: Int { 0 }
  public var endIndex: Int {
    switch storage {
    case .array(let files): files.count
    case .index(let entries): entries.range.count
    }
  }

  public subscript(position: Int) -> SnapshotFile {
    switch storage {
    case .array(let files): files[position]
    case .index(let entries):
      IndexSource.file(
        in: entries.index, at: entries.range.lowerBound + position, dropping: entries.lead.count,
        repository: entries.repository)
    }
  }

  /// The path of the file at `position`.
  func path(_ position: Int) -> String {
    switch storage {
    case .array(let files): files[position].path
    case .index(let entries): entries.index.path(entries.range.lowerBound + position, dropping: entries.lead.count)
    }
  }

  /// Where the file at `path` is, by binary search.
  func position(of path: String) -> Int? {
    switch storage {
    case .array(let files): return RepositoryChecker.position(of: path, in: files)
    case .index(let entries):
      guard let found = entries.index.position(of: String(decoding: entries.lead, as: UTF8.self) + path),
        entries.range.contains(found)
      else { return nil }
      return found - entries.range.lowerBound
    }
  }

  /// The files as an array (made, for an index's entries).
  var array: [SnapshotFile] {
    switch storage {
    case .array(let files): files
    case .index: Array(self)
    }
  }

  /// The configuration file and the files under `schemaDirectory`: what the repository's
  /// setup and schema key are made from, found by binary search in an index's entries.
  func setupFiles(schemaDirectory: String) -> [SnapshotFile] {
    switch storage {
    case .array(let files):
      let lead = Array((schemaDirectory + "/").utf8)
      let marker = Array(RecordsRoot.markerFile.utf8)
      return files.filter { $0.pathIs(marker) || $0.pathStarts(with: lead) }
    case .index(let entries):
      var result = position(of: RecordsRoot.markerFile).map { [self[$0]] } ?? []
      let schemas = entries.index.range(under: entries.lead + Array((schemaDirectory + "/").utf8))
      result += schemas.map {
        IndexSource.file(in: entries.index, at: $0, dropping: entries.lead.count, repository: entries.repository)
      }
      return result.sorted { RepositoryChecker.compareBytes($0.path, $1.path) < 0 }
    }
  }
}
