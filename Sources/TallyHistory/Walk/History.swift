import Dispatch
import Foundation
import TallyGit
import TallyRecords
import TallySchema
import TallyText

/// The history of a records repository as data: for each commit, which records were added,
/// removed, renamed or changed, and which fields changed from what to what.
///
/// Walking compares trees only inside record directories and skips sub-trees whose ids are
/// unchanged; each blob is parsed once (cached by id, bounded); per-commit results are kept
/// in the git directory (``HistoryCache``) so a second run only processes new commits.
public final class History: @unchecked Sendable {
  public let records: RecordsRepository
  /// The git repository: only History and the records layer touch it (the layers above
  /// read records through ``records(at:)``).
  let git: Repository
  /// The records root relative to the top of the git working tree.
  public let prefix: String
  public let schemaKey: String
  /// Keep per-commit data in the git directory between runs.
  public var persistent = true
  /// The git directory, where caches and derived databases are kept.
  public var gitDirectory: String { git.gitDirectory }

  /// The change data known so far (from the cache file, then computed), and where each
  /// commit's is (by ``ObjectKey``; ids that are not 20 bytes long, by ``ObjectID``).
  private var entries: [CommitChanges] = []
  private var positions: [ObjectKey: Int] = [:]
  private var oddPositions: [ObjectID: Int] = [:]
  /// The last first-parent walk (``commits(_:firstParent:)``) and where its commits are:
  /// ``changes(_:progress:)`` of the same ids looks none of them up again.
  private var lastWalk: (ids: [ObjectID], positions: [Int])?
  private var cacheLoaded = false
  /// The cache file was not read (``freshChanges(_:)``): save appends to it.
  private var appendOnly = false
  private var cacheDirty = false
  /// The cache file as read (when intact), and the entries computed since, framed as the
  /// file holds them (a piece per batch of commits): saved by appending.
  private var loadedFile: SharedBytes?
  private var computedParts: [SharedBytes] = []
  /// How many of `entries` came from the cache file (the rest were computed).
  private var loadedCount = 0
  /// ``build(_:progress:)`` has written to the cache file: the next batch is appended.
  private var builtSaved = false
  private let values = BlobValues(limit: 12_000)
  private var valueStore: ValueStore?

  /// Parsed values of whole records by blob id, for reading the records as of a commit
  /// (kept in the git directory between runs when ``persistent``).
  public var recordValues: ValueStore {
    if let valueStore { return valueStore }
    let store = ValueStore(gitDirectory: git.gitDirectory, persistent: persistent)
    valueStore = store
    return store
  }

  /// Where the time went, for `tally history build --stats`.
  public struct Stats: Sendable {
    public var commits = 0
    public var computed = 0
    public var fromCache = 0
    public var cacheDamaged = false
    public var recordChanges = 0
    public var fieldChanges = 0
    public var blobsParsed = 0
    public var seconds: [String: Double] = [:]
  }

  public private(set) var stats = Stats()

  /// A history over `git`, whose records root is at `prefix` in it (``open(_:)`` finds both).
  public init(records: RecordsRepository, git: Repository, prefix: String) {
    self.records = records
    self.git = git
    self.prefix = prefix
    self.schemaKey = Self.schemaKey(records)
  }

  /// A history whose settings were read from a commit, not a working tree (``open(gitDirectory:revision:prefix:)``).
  init(records: RecordsRepository, git: Repository, prefix: String, schemaKey: String) {
    self.records = records
    self.git = git
    self.prefix = prefix
    self.schemaKey = schemaKey
  }

  /// Another history over the same repository, with a git handle and caches of its own and
  /// nothing saved from it: for reading snapshots on another thread while this one walks.
  /// It reads record values through this history's ``recordValues`` (which is safe to share
  /// between threads): the values it finds or parses are this one's too, and saved with it.
  public func detached() throws -> History {
    let copy = History(
      records: records, git: try Repository.open(at: git.gitDirectory), prefix: prefix, schemaKey: schemaKey)
    copy.persistent = false
    copy.valueStore = recordValues
    return copy
  }

  /// Holds the git pack files mapped at once to `bytes` for the rest of the process
  /// (``GitLibrary/limitPackMapping(to:)``).
  public static func limitPackMapping(to bytes: Int) { GitLibrary.limitPackMapping(to: bytes) }

  /// How much of the pack a long read — a walk of the whole history, a parse of a million
  /// records' values, the SQL database's full build — maps at once: every page of it touched
  /// counts as the process's memory.
  public static let longReadPackMapping = 1 << 30

  /// A key for the schemas and the format of the change data: `tally.yaml` and the schema
  /// files as they are in the working tree, by their paths in the repository (not on disk:
  /// a clone elsewhere, such as a CI checkout, finds the same cache).
  static func schemaKey(_ records: RecordsRepository) -> String {
    let config = FileSystem.joinPath(records.root, RecordsRoot.markerFile)
    let schemaRoot = FileSystem.joinPath(records.root, records.config.schemaDirectory)
    let files = ((try? FileSystem.files(under: schemaRoot, suffixes: [".yaml"])) ?? []).map {
      (path: FileSystem.relative($0, to: records.root), bytes: (try? FileSystem.read($0)) ?? [])
    }
    return schemaKey(config: (try? FileSystem.read(config)) ?? [], schemaFiles: files)
  }

  /// The key of settings given as bytes, paths relative to the records root. A schema's
  /// `shard:` is left out: the history reads a record at either layout as the same record,
  /// so moving to shards (`tally migrate layout`) keeps what was computed.
  static func schemaKey(config: [UInt8], schemaFiles: [(path: String, bytes: [UInt8])]) -> String {
    var key = "history-format-3;"
    key += String(decoding: config, as: UTF8.self)
    for file in schemaFiles {
      key += "\u{0}" + file.path + "\u{0}"
      key += withoutLayout(String(decoding: file.bytes, as: UTF8.self))
    }
    return key
  }

  /// A schema's text without its top-level `shard:` entry (the line and the lines indented
  /// under it).
  static func withoutLayout(_ text: String) -> String {
    guard text.contains("shard:") else { return text }
    var kept: [Substring] = []
    var inShard = false
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
      if line.hasPrefix("shard:") {
        inShard = true
        continue
      }
      if inShard, line.first == " " || line.first == "\t" { continue }
      inShard = false
      kept.append(line)
    }
    return kept.joined(separator: "\n")
  }

  // MARK: Commits

  /// The commits reachable from `revision`, oldest first: first parents only (the branch's
  /// own timeline) or all of them. The first-parent chain is followed in the history cache
  /// when `throughCache` (which loads it whole); else git walks it (for a
  /// ``changeStream(_:progress:)``, which reads the cache a batch at a time).
  public func commits(
    _ revision: String = "HEAD", firstParent: Bool = true, throughCache: Bool = true
  ) throws -> [ObjectID] {
    try timed("revwalk") {
      guard firstParent, throughCache, !revision.contains("..") else {
        return try git.commits(inRange: revision, firstParent: firstParent)
      }
      // The first-parent chain is in the cache for every commit seen before: follow it
      // there, and ask git only for the part before the cache (or after it: new commits).
      loadCache()
      var chain: [ObjectID] = []
      var found: [Int] = []
      var current: ObjectID? = try git.commit(revision)
      var uncached = 0
      while let id = current {
        if let index = position(of: id) {
          current = entries[index].parents.first
          found.append(index)
        } else {
          // A few new commits are read one by one; a long uncached stretch is walked by git.
          uncached += 1
          if uncached > 2000 { break }
          current = try git.commitInfo(id).parents.first
        }
        chain.append(id)
      }
      if let rest = current {
        lastWalk = nil
        let older = try git.commits(inRange: rest.hex, firstParent: true)
        return older + chain.reversed()
      }
      let ids = Array(chain.reversed())
      lastWalk = uncached == 0 ? (ids, found.reversed()) : nil
      return ids
    }
  }

  /// The change data of `commits` (in the same order), from the cache where it has them.
  /// `progress` is called with (done, total) as commits are processed.
  public func changes(_ commits: [ObjectID], progress: ((Int, Int) -> Void)? = nil) throws -> [CommitChanges] {
    let appended = try appendLongRun(commits, progress: progress)
    loadCache()
    stats.commits = commits.count
    // The ids of the last walk are the same arrays: comparing them is one step each.
    var found: [Int?]
    if let walk = lastWalk, walk.ids.count == commits.count, walk.ids.elementsEqual(commits) {
      found = walk.positions
    } else {
      found = commits.map(position(of:))
    }
    var missing: [ObjectID] = []
    for (id, index) in zip(commits, found) {
      guard let index else {
        missing.append(id)
        continue
      }
      count(entries[index])  // (the computed ones are counted as they are made)
    }
    stats.fromCache = commits.count - missing.count - appended
    if !missing.isEmpty {
      try compute(missing, progress: progress)
      for index in found.indices where found[index] == nil { found[index] = position(of: commits[index]) }
    }
    return found.map { entries[$0!] }
  }

  /// At least this many commits the cache file lacks make ``changes(_:progress:)`` append
  /// them to the file a batch at a time, as ``build(_:progress:)`` does, and then read them
  /// back with the rest: kept as they are computed, each batch's framed bytes would be held
  /// on the heap beside what they decode to and the walk's own memory (a first report at a
  /// million records and 200,000 commits peaked at 4.9 GB that way, above `history build`'s
  /// 3.3 GB and a report's 3.7 GB from the file).
  var appendThreshold = 4096

  /// Before the cache is loaded, or when it was loaded empty: when the cache file lacks at
  /// least ``appendThreshold`` of `commits`, computes those and appends them to the file,
  /// keeping none; the load that follows reads them with the rest. Returns how many it computed (0 when it did nothing:
  /// a few commits are computed and kept as before; a file that cannot be indexed — torn,
  /// or of another format — is left to the load, which keeps its intact entries).
  private func appendLongRun(_ commits: [ObjectID], progress: ((Int, Int) -> Void)?) throws -> Int {
    guard persistent, commits.count >= appendThreshold, commits.allSatisfy({ $0.bytes.count == 20 }) else { return 0 }
    let missing: [ObjectID]
    if cacheLoaded {
      // Loaded already (``commits(_:firstParent:throughCache:)`` follows the chain through
      // it): only an empty cache — no file yet, a first walk — is filled this way; what was
      // loaded from a file is kept, and the few commits it lacks with it.
      guard entries.isEmpty, !cacheDirty else { return 0 }
      missing = commits
    } else {
      guard
        let index = HistoryCache.Index(path: HistoryCache.path(gitDirectory: git.gitDirectory, schemaKey: schemaKey))
      else { return 0 }
      missing = commits.filter { !index.contains($0) }
    }
    guard missing.count >= appendThreshold else { return 0 }
    // Counted again when they are read back.
    let counted = (stats.recordChanges, stats.fieldChanges)
    cacheLoaded = true
    appendOnly = true
    defer {
      cacheLoaded = false
      appendOnly = false
      builtSaved = false
      (stats.recordChanges, stats.fieldChanges) = counted
    }
    // A long walk reads trees and blobs from all over the pack, and its pages stay mapped
    // while the file is loaded and read: at most 1 GiB of it is mapped at once, as for the
    // SQL database's full build (`history build`, with nothing to load after, maps more).
    Self.limitPackMapping(to: Self.longReadPackMapping)
    try compute(missing, progress: progress, keep: false)
    return missing.count
  }

  /// The first-parent commits after `known` up to `revision`, oldest first, read from git
  /// without loading the cache: nil when `known` is not among the last `limit` first parents
  /// (a rewritten history, or too many new commits for this shortcut).
  public func firstParents(of revision: String, after known: ObjectID, limit: Int = 2000) throws -> [ObjectID]? {
    var chain: [ObjectID] = []
    var current: ObjectID? = try git.commit(revision)
    while let id = current {
      if id == known { return chain.reversed() }
      if chain.count >= limit { return nil }
      chain.append(id)
      current = try git.commitInfo(id).parents.first
    }
    return nil
  }

  /// The change data of `commits`, computed without reading the cache file (for a few new
  /// commits, whose data it cannot have); ``save()`` then appends them to it.
  public func freshChanges(_ commits: [ObjectID]) throws -> [CommitChanges] {
    if !cacheLoaded {
      cacheLoaded = true
      appendOnly = true
    }
    try compute(commits.filter { position(of: $0) == nil })
    return commits.compactMap { position(of: $0).map { entries[$0] } }
  }

  /// Writes the cache if this run computed anything (and the record values, if any were
  /// parsed: ``ValueStore/save()``). When the file read at the start was
  /// intact, the new entries are appended to its bytes (nothing is encoded twice); otherwise
  /// the whole cache is written. Either way the file is replaced by a rename.
  public func save() {
    valueStore?.save()
    guard persistent, cacheDirty else { return }
    timed("cache save") {
      let path = HistoryCache.path(gitDirectory: git.gitDirectory, schemaKey: schemaKey)
      if appendOnly {
        // The file was not read: add to it (or start it) without rewriting it.
        HistoryCache.append(framed: computedParts, at: path)
        return
      }
      HistoryCache.removeStale(besides: path)
      if let loadedFile {
        HistoryCache.save(appending: computedParts, to: loadedFile, at: path)
      } else {
        // The intact entries of a damaged file, then those computed since.
        HistoryCache.save(framed: [intactEntries()] + computedParts, to: path)
      }
    }
    cacheDirty = false
  }

  private func loadCache() {
    guard !cacheLoaded else { return }
    cacheLoaded = true
    guard persistent else { return }
    timed("cache load") {
      let (entries, damaged, file) = HistoryCache.load(
        HistoryCache.path(gitDirectory: git.gitDirectory, schemaKey: schemaKey))
      self.entries = entries
      loadedCount = entries.count
      positions.reserveCapacity(entries.count)
      for index in entries.indices { remember(index) }
      stats.cacheDamaged = damaged
      if damaged { cacheDirty = true } else { loadedFile = file }
    }
  }

  /// Where the change data of `id` is in `entries`.
  /// The author of a commit: from the change data when it is cached, else from the commit.
  func author(of id: ObjectID) throws -> Signature {
    loadCache()
    if let index = position(of: id) { return entries[index].author }
    return try git.commitInfo(id).author
  }

  private func position(of id: ObjectID) -> Int? {
    if let key = ObjectKey(id) { return positions[key] }
    return oddPositions[id]
  }

  /// Records where `entries[index]` is (a later entry for the same commit wins).
  private func remember(_ index: Int) {
    let id = entries[index].id
    if let key = ObjectKey(id) { positions[key] = index } else { oddPositions[id] = index }
  }

  /// The record directories (first path components) and the settings paths, at the records
  /// root: only these are compared.
  private lazy var watched: Set<String> = {
    var names = Set(records.schema.types.map { String($0.directory.split(separator: "/").first ?? "") })
    names.insert(RecordsRoot.markerFile)
    names.insert(String(records.config.schemaDirectory.split(separator: "/").first ?? ""))
    return names
  }()

  /// A commit and the files it changed against its first parent.
  struct ComparedCommit: Sendable {
    var info: CommitInfo
    var deltas: [TreeDelta]
  }

  /// A change found by comparing trees, before its fields are compared.
  struct Pending {
    var commit: Int
    var change: RecordChange
  }

  /// How many record changes ``compute(_:progress:keep:)`` works out the fields of at a
  /// time (a batch is whole commits: at least one).
  var computeBatch = 32768

  /// Works out the change data of `ids`. The trees are compared for all of them at once (on
  /// every core), then the fields a batch of commits at a time. Each batch is framed as the
  /// cache file holds it, and the values it parsed — a whole record for each record added,
  /// the old and new values of each field changed — are let go at once: with `keep`, the
  /// batch is read back from its framed bytes, as a loaded cache is, added to `entries` and
  /// saved by ``save()`` as it is; without, it is appended to the cache file on the spot and
  /// not kept (``build(_:progress:)``). A cold walk of 200,000 commits used to hold every
  /// parsed value until the end (8 GB at a million records).
  private func compute(_ ids: [ObjectID], progress: ((Int, Int) -> Void)? = nil, keep: Bool = true) throws {
    // The tree comparison is half the progress, the fields the other half.
    var relay: ((Int, Int) -> Void)?
    if let progress { relay = { done, _ in progress(done / 2, ids.count) } }
    var (commits, pending) = try compareTrees(ids, progress: relay)
    var next = 0  // the first pending change of the batch (they are in commit order)
    var start = 0
    while start < commits.count {
      // Whole commits, up to `computeBatch` changes (a commit with more makes a batch alone).
      var end = start
      var last = next
      while end < commits.count {
        var through = last
        while through < pending.count, pending[through].commit == end { through += 1 }
        if end > start, through - next > computeBatch { break }
        end += 1
        last = through
      }
      for (item, change) in zip(pending[next..<last], try fieldChanges(pending[next..<last])) {
        commits[item.commit].records.append(change)
      }
      next = last
      var batch: [CommitChanges] = []
      batch.reserveCapacity(end - start)
      for index in start..<end {
        commits[index].records.sort { ($0.type, $0.id) < ($1.type, $1.id) }
        batch.append(commits[index])
        commits[index].records = []  // the batch holds them now, and lets them go below
      }
      for commit in batch { count(commit) }
      let framed = SharedBytes(HistoryCache.framed(batch))
      if keep {
        let (decoded, damaged) = HistoryCache.decode(framed, from: 0)
        let readBack = !damaged && decoded.count == batch.count
        // Read back, or (were the encoding ever to fail to decode) kept as computed and not
        // saved: the next run computes them again rather than trusting a damaged entry.
        for commit in readBack ? decoded : batch {
          entries.append(commit)
          remember(entries.count - 1)
        }
        if readBack { computedParts.append(framed) }
        cacheDirty = true
      } else {
        saveBuilt([framed])
      }
      stats.computed += batch.count
      progress?((ids.count + end) / 2, ids.count)
      start = end
    }
  }

  /// The change data of `commits` (in the same order), from the cache where it has them
  /// and computed where not, like ``changes(_:progress:)`` — but what is computed is saved
  /// to the cache file a batch at a time as it is made, and not kept: for `tally history
  /// build`, which only fills the cache. Memory stays that of one batch however long the
  /// history, and an interrupted build keeps the batches it finished.
  public func build(_ commits: [ObjectID], progress: ((Int, Int) -> Void)? = nil) throws {
    loadCache()
    stats.commits = commits.count
    var missing: [ObjectID] = []
    for id in commits {
      if let index = position(of: id) {
        stats.fromCache += 1
        count(entries[index])
      } else {
        missing.append(id)
      }
    }
    try compute(missing, progress: progress, keep: false)
    // A damaged file with nothing to add is written again with its intact entries.
    if cacheDirty { save() }
  }

  /// The change data of a long run of commits, read a batch of whole commits at a time and
  /// let go after each: for the SQL database's full build, which writes every commit's rows
  /// once and needs none of them again. ``History/changes(_:progress:)`` holds them all
  /// (3.8 GB of change data at 200,000 commits and a million records).
  public struct ChangeStream {
    let history: History
    let commits: [ObjectID]
    /// The cache file's entries by commit; nil when the stream reads the changes whole.
    let index: HistoryCache.Index?
    /// How many commits were computed before streaming (counted in the progress).
    let computed: Int
    let progress: ((Int, Int) -> Void)?

    /// Hands the change data of the commits, in order, to `body` in batches of whole commits
    /// of about `batchBytes` of cache file each (a commit with more makes a batch alone).
    public func forEachBatch(batchBytes: Int = 32 << 20, _ body: ([CommitChanges]) throws -> Void) throws {
      let total = computed + commits.count
      guard let index else {
        let all = try history.changes(commits) { done, _ in progress?(computed + done, total) }
        var start = 0
        while start < all.count {
          let end = min(all.count, start + 1024)
          try body(Array(all[start..<end]))
          start = end
        }
        return
      }
      var start = 0
      while start < commits.count {
        var end = start
        var bytes = 0
        while end < commits.count, end == start || bytes + index.size(of: commits[end]) <= batchBytes {
          bytes += index.size(of: commits[end])
          end += 1
        }
        var batch = index.entries(commits[start..<end])
        // An entry that fails its checks (or that the cache file could not take) is computed
        // again; `save()` appends it, and the next read finds the later entry.
        let absent = zip(commits[start..<end], batch).filter { $0.1 == nil }.map(\.0)
        if !absent.isEmpty {
          let fresh = try history.freshChanges(absent)
          var byID: [ObjectID: CommitChanges] = [:]
          for commit in fresh { byID[commit.id] = commit }
          for (offset, id) in commits[start..<end].enumerated() where batch[offset] == nil {
            guard let commit = byID[id] else { throw HistoryError.unreadable("commit \(id.hex)") }
            batch[offset] = commit
          }
        }
        try body(batch.map { $0! })
        start = end
        progress?(computed + end, total)
      }
    }
  }

  /// A stream of the change data of `commits` (oldest first): what the cache file lacks is
  /// computed first and appended to it a batch at a time (as ``build(_:progress:)`` does),
  /// then every commit is read from the file as the stream is read. A cache already loaded
  /// whole, a damaged one, or one this history does not keep, gives the changes whole.
  public func changeStream(_ commits: [ObjectID], progress: ((Int, Int) -> Void)? = nil) throws -> ChangeStream {
    stats.commits = commits.count
    let path = HistoryCache.path(gitDirectory: git.gitDirectory, schemaKey: schemaKey)
    guard persistent, !cacheLoaded, commits.allSatisfy({ $0.bytes.count == 20 }),
      var index = HistoryCache.Index(path: path)
    else {
      return ChangeStream(history: self, commits: commits, index: nil, computed: 0, progress: progress)
    }
    let missing = commits.filter { !index.contains($0) }
    stats.fromCache = commits.count - missing.count
    let total = missing.count + commits.count
    if !missing.isEmpty {
      // The file is not loaded: what is computed is appended to it.
      cacheLoaded = true
      appendOnly = true
      try compute(missing, progress: progress.map { report in { done, _ in report(done, total) } }, keep: false)
      guard let extended = HistoryCache.Index(path: path) else {
        return ChangeStream(history: self, commits: commits, index: nil, computed: missing.count, progress: progress)
      }
      index = extended
    }
    return ChangeStream(history: self, commits: commits, index: index, computed: missing.count, progress: progress)
  }

  /// Adds a commit's record and field changes to ``stats``.
  private func count(_ commit: CommitChanges) {
    stats.recordChanges += commit.records.count
    for record in commit.records { stats.fieldChanges += record.fields.count }
  }

  /// Adds framed entries to the cache file: to the file as it was read (its intact entries
  /// first, when it was damaged), then after what this run added.
  private func saveBuilt(_ parts: [SharedBytes]) {
    guard persistent else { return }
    let path = HistoryCache.path(gitDirectory: git.gitDirectory, schemaKey: schemaKey)
    if appendOnly || builtSaved {
      HistoryCache.append(framed: parts, at: path)
    } else if let loadedFile {
      HistoryCache.save(appending: parts, to: loadedFile, at: path)
    } else {
      HistoryCache.removeStale(besides: path)
      HistoryCache.save(framed: [intactEntries()] + parts, to: path)
      cacheDirty = false
    }
    builtSaved = true
  }

  /// The entries read from a damaged cache file, framed again (one per commit: the one
  /// `position(of:)` finds).
  private func intactEntries() -> SharedBytes {
    let kept = (0..<loadedCount).filter { position(of: entries[$0].id) == $0 }.map { entries[$0] }
    return SharedBytes(HistoryCache.framed(kept))
  }

  /// The field differences of `pending` changes, worked out on every core (each worker reads
  /// blobs through its own handle), in the same order.
  private func fieldChanges(_ pending: ArraySlice<Pending>) throws -> [RecordChange] {
    let schema = records.schema
    let gitDirectory = git.gitDirectory
    let values = self.values
    let parsedBefore = values.parsed
    let done = timed("blobs and fields") {
      parallelMap(Array(pending), batch: 256) { item -> Result<RecordChange, HistoryError> in
        do {
          return .success(
            try Self.fieldChanges(item.change, gitDirectory: gitDirectory, schema: schema, values: values))
        } catch {
          return .failure(HistoryError.unreadable("\(item.change.key): \(error)"))
        }
      }
    }
    stats.blobsParsed += values.parsed - parsedBefore
    return try done.map { try $0.get() }
  }

  /// The commits `ids` compared with their first parents: their change data without the
  /// changes that need fields compared or values read, which are `pending` (in commit order).
  private func compareTrees(_ ids: [ObjectID], progress: ((Int, Int) -> Void)?) throws -> (
    commits: [CommitChanges], pending: [Pending]
  ) {
    var commits: [CommitChanges] = []
    var pending: [Pending] = []
    let schemaLead = records.config.schemaDirectory + "/"
    // Each commit against its first parent, on all cores: the commits are independent, and
    // reading trees (delta chains in the pack) is most of a cold walk. Each worker takes runs
    // of consecutive commits through a handle of its own, so that the trees one commit
    // shares with the next stay in that handle's cache.
    let directory = git.gitDirectory
    let prefix = self.prefix
    let watched = self.watched
    let reporter = ProgressRelay(progress)
    var relay: (@Sendable (Int, Int) -> Void)?
    if progress != nil { relay = { @Sendable done, total in reporter.report(done, total) } }
    let compare: @Sendable (ObjectID) -> Result<ComparedCommit, GitError> = { id in
      do throws(GitError) {
        let git = try BlobReaders.shared.reader(directory)
        let info = try git.commitInfo(id)
        let newRoot = try git.subtree(info.tree, at: prefix)
        var oldRoot: ObjectID?
        if let parent = info.parents.first { oldRoot = try git.subtree(try git.tree(ofCommit: parent), at: prefix) }
        return .success(
          ComparedCommit(info: info, deltas: try git.changedFiles(from: oldRoot, to: newRoot, only: watched)))
      } catch {
        return .failure(error)
      }
    }
    let compared: [ComparedCommit] = try timed("tree diff") {
      try parallelMap(ids, batch: 256, progress: relay, compare).map { try $0.get() }
    }
    timed("tree diff") {
      for (id, commit) in zip(ids, compared) {
        let (info, deltas) = (commit.info, commit.deltas)
        var added: [RecordChange] = []
        var removed: [RecordChange] = []
        var modified: [RecordChange] = []
        var schemaChanged = false
        for delta in deltas {
          if delta.path == RecordsRoot.markerFile || delta.path.hasPrefix(schemaLead) {
            schemaChanged = true
            continue
          }
          guard let (type, recordID) = records.historicalRecord(of: delta.path) else { continue }
          switch (delta.old, delta.new) {
          case (nil, let new?):
            added.append(RecordChange(kind: .added, type: type, id: recordID, oldBlob: nil, newBlob: new))
          case (let old?, nil):
            removed.append(RecordChange(kind: .removed, type: type, id: recordID, oldBlob: old, newBlob: nil))
          case (let old?, let new?):
            modified.append(RecordChange(kind: .modified, type: type, id: recordID, oldBlob: old, newBlob: new))
          default:
            continue
          }
        }
        // A record that moved within its directory (a change of layout, `tally migrate
        // layout`) is the same record: unchanged, or modified when its text changed too.
        if !added.isEmpty, !removed.isEmpty {
          var removedAt: [RecordKey: Int] = [:]
          for (index, change) in removed.enumerated() { removedAt[RecordKey(type: change.type, id: change.id)] = index }
          var moved = Set<Int>()
          added.removeAll { change in
            guard let index = removedAt[RecordKey(type: change.type, id: change.id)], !moved.contains(index) else {
              return false
            }
            moved.insert(index)
            if removed[index].oldBlob != change.newBlob {
              modified.append(
                RecordChange(
                  kind: .modified, type: change.type, id: change.id, oldBlob: removed[index].oldBlob,
                  newBlob: change.newBlob))
            }
            return true
          }
          removed = removed.enumerated().filter { !moved.contains($0.offset) }.map(\.element)
        }
        // Renames: a record removed and one added with the same content.
        var changes = modified + RecordChange.pairingRenames(added: added, removed: removed)
        changes.sort { ($0.type, $0.id) < ($1.type, $1.id) }
        let commitIndex = commits.count
        for change in changes where change.kind == .modified || change.kind == .added {
          pending.append(Pending(commit: commitIndex, change: change))
        }
        commits.append(
          CommitChanges(
            id: id, parents: info.parents, author: info.author, committer: info.committer, message: info.message,
            records: changes.filter { $0.kind == .removed || $0.kind == .renamed }, schemaChanged: schemaChanged))
      }
    }
    return (commits, pending)
  }

  static func fieldChanges(
    _ change: RecordChange, gitDirectory: String, schema: SchemaSet, values: BlobValues
  ) throws -> RecordChange {
    var change = change
    let repository = try BlobReaders.shared.reader(gitDirectory)
    let spec = schema.type(named: change.type)?.object
    // Held encoded: a batch of changes waits for the rest of its batch, and a parsed record
    // takes several times the memory of its encoding.
    switch change.kind {
    case .added:
      change.storedValue = LazyValue(encoding: try values.value(change.newBlob!, repository))
    case .modified:
      let old = try values.value(change.oldBlob!, repository)
      let new = try values.value(change.newBlob!, repository)
      if let old, let new {
        change.fields = FieldChange.between(old, new, spec: spec).map { field in
          var field = field
          if field.old?.isComposite == true { field.storedOld = LazyValue(encoding: field.old) }
          if field.new?.isComposite == true { field.storedNew = LazyValue(encoding: field.new) }
          return field
        }
      }
    default:
      break
    }
    return change
  }

  @discardableResult
  func timed<T>(_ label: String, _ body: () throws -> T) rethrows -> T {
    let start = DispatchTime.now().uptimeNanoseconds
    defer {
      let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
      stats.seconds[label, default: 0] += elapsed
    }
    return try body()
  }
}

extension Value {
  /// A list or a mapping (which is worth holding encoded), not a scalar.
  fileprivate var isComposite: Bool {
    switch self {
    case .sequence, .mapping: true
    default: false
    }
  }
}

/// Parsed record values by blob id, shared by workers, bounded: two generations of at most
/// `limit` entries each — when the young one fills up, the old one is dropped — so recently
/// used values stay (a record's previous version is usually a recent one) and memory stays
/// flat however long the history.
final class BlobValues: @unchecked Sendable {
  private var young: [ObjectID: Value?] = [:]
  private var old: [ObjectID: Value?] = [:]
  private let lock = NSLock()
  private let limit: Int
  private(set) var parsed = 0

  init(limit: Int) { self.limit = limit }

  func value(_ id: ObjectID, _ repository: Repository) throws -> Value? {
    lock.lock()
    if let known = young[id] {
      lock.unlock()
      return known
    }
    if let known = old[id] {
      insert(id, known)
      lock.unlock()
      return known
    }
    lock.unlock()
    let bytes = try repository.blob(id)
    let value = SyntaxTree.parse(bytes).tree?.value
    lock.lock()
    insert(id, value)
    parsed += 1
    lock.unlock()
    return value
  }

  /// Must hold the lock.
  private func insert(_ id: ObjectID, _ value: Value?) {
    if young.count >= limit {
      old = young
      young = [:]
      young.reserveCapacity(limit)
    }
    young[id] = value
  }
}

/// A walk's progress callback, called from the workers one at a time.
final class ProgressRelay: @unchecked Sendable {
  private let lock = NSLock()
  private let progress: ((Int, Int) -> Void)?

  init(_ progress: ((Int, Int) -> Void)?) { self.progress = progress }

  func report(_ done: Int, _ total: Int) {
    lock.withLock { progress?(done, total) }
  }
}

/// One repository handle per thread for reading blobs in parallel (a libgit2 handle must
/// not be used by two threads at once).
final class BlobReaders: @unchecked Sendable {
  static let shared = BlobReaders()
  private let lock = NSLock()
  private var byThread: [String: Repository] = [:]

  func reader(_ gitDirectory: String) throws(GitError) -> Repository {
    let key = "\(gitDirectory)\u{0}\(pthread_self())"
    lock.lock()
    defer { lock.unlock() }
    if let existing = byThread[key] { return existing }
    let repository = try Repository.open(at: gitDirectory)
    byThread[key] = repository
    return repository
  }
}

public enum HistoryError: Error, CustomStringConvertible {
  case unreadable(String)
  case noSuchRecord(String)
  case badDate(String)

  public var description: String {
    switch self {
    case .unreadable(let what): "cannot read \(what)"
    case .noSuchRecord(let key): "no record \(key) in this history"
    case .badDate(let text): "not a date: '\(text)' (write YYYY-MM-DD)"
    }
  }
}
