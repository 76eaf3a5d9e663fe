import TallyGit
import TallySchema
import TallyText

/// Checks of the records as git has them: the index, a commit, a range of commits. Each
/// snapshot is checked with its own `tally.yaml` and schemas; parsed files are cached by blob
/// id, so checking many similar snapshots parses each version of a file once.
public final class GitChecker: @unchecked Sendable {
  /// The records repository in the working tree (its root and how paths are shown).
  public let records: RecordsRepository
  public let git: Repository
  /// The records root relative to the top of the git working tree.
  public let prefix: String
  public let today: CivilDate
  private var caches: [String: CheckCache] = [:]
  /// Keep per-file results in the git directory between runs (see ``CheckCacheStore``).
  public var persistent = true
  /// Check each snapshot from the state of the one checked before (in this process, or
  /// stored when `persistent`) instead of in full (see ``CheckState``).
  public var incremental = true
  /// Called (from worker threads) with the records validated so far and their number.
  public var progress: (@Sendable (Int, Int) -> Void)?

  public init(records: RecordsRepository, git: Repository, prefix: String, today: CivilDate) {
    self.records = records
    self.git = git
    self.prefix = prefix
    self.today = today
  }

  /// The state of the last snapshot checked (see ``CheckState``), read on first use.
  private var state: CheckState?
  private var stateRead = false
  /// The state differs from the stored one.
  private var stateChanged = false

  private func currentState() -> CheckState? {
    if !stateRead {
      stateRead = true
      if let pendingState {
        state = pendingState.value()
        self.pendingState = nil
      } else if persistent {
        state = CheckState.load(from: CheckState.path(gitDirectory: git.gitDirectory))
      }
    }
    return state
  }

  /// The stored state being read on another thread (``prefetchState()``).
  private var pendingState: Prefetch<CheckState?>?

  /// Starts reading the stored state on another thread, to be ready when the check needs
  /// it: a million entries take a fifth of a second, which the index read beside it hides.
  public func prefetchState() {
    guard !stateRead, pendingState == nil, persistent, incremental else { return }
    let file = CheckState.path(gitDirectory: git.gitDirectory)
    pendingState = Prefetch { CheckState.load(from: file) }
  }

  /// Takes the state of the snapshot just checked. It is written back only when it differs
  /// from the stored one in more than a few files: rewriting it costs more than checking a
  /// few files again next time.
  private func adopt(_ next: CheckState?, differingFiles: Int?) {
    guard let next else { return }
    if let differingFiles, differingFiles <= Self.stateRewriteThreshold {
      if state == nil { state = next }
      return
    }
    state = next
    stateChanged = true
  }

  /// How many files a snapshot may differ from the stored state before the state is
  /// rewritten.
  static let stateRewriteThreshold = 64

  deinit {
    // The per-file caches can hold 100,000 entries.
    ExitLifetime.keep(caches)
  }

  /// A snapshot ready to check: its files, the repository as it is in it, a cache.
  public struct Snapshot {
    public var name: String
    public var files: SnapshotFiles
    public var repository: RecordsRepository
    var cache: CheckCache
  }

  public func snapshot(_ source: RecordSource) throws -> Snapshot {
    try snapshot(files: try source.files(), name: source.name)
  }

  public func snapshot(files: [SnapshotFile], name: String) throws -> Snapshot {
    try snapshot(files: SnapshotFiles(files), name: name)
  }

  /// The snapshot of `files`; of an index's entries, its configuration and schemas are
  /// found by path, not by a pass over every entry.
  public func snapshot(files: SnapshotFiles, name: String) throws -> Snapshot {
    let setup: [SnapshotFile]
    switch files.storage {
    case .array(let all): setup = all
    case .index:
      guard let marker = files.position(of: RecordsRoot.markerFile) else { throw SnapshotError.missingConfig(name) }
      let schemaDirectory =
        RepositoryConfig.load(try files[marker].bytes(), path: RecordsRoot.markerFile).0.schemaDirectory
      setup = files.setupFiles(schemaDirectory: schemaDirectory)
    }
    let repository = try records.at(setup, name: name)
    let key = RecordsRepository.schemaKey(of: setup, schemaDirectory: repository.config.schemaDirectory)
    let cache: CheckCache
    if let existing = caches[key] {
      cache = existing
    } else if persistent {
      let file = CheckCacheStore.path(gitDirectory: git.gitDirectory)
      let today = self.today
      cache = CheckCache(schemaKey: key) { cache in
        CheckCacheStore.load(into: cache, from: file, schemaKey: key, today: today, repository: repository)
      }
      caches[key] = cache
    } else {
      cache = CheckCache(schemaKey: key)
      caches[key] = cache
    }
    return Snapshot(name: name, files: files, repository: repository, cache: cache)
  }

  /// The snapshot of a commit.
  public func snapshot(commit: ObjectID, name: String) throws -> Snapshot {
    try snapshot(GitRevisionSource(repository: git, revision: commit.hex, prefix: prefix, name: name))
  }

  /// Checks `snapshot`; with `against`, state changes since that snapshot too.
  ///
  /// `changed`, when given, lists the paths that differ between the two snapshots; then
  /// `earlier` needs only its configuration, schemas and its versions of those files.
  public func check(
    _ snapshot: Snapshot, against earlier: Snapshot?, only: Set<String>? = nil, changed known: Set<String>? = nil
  ) -> CheckReport {
    let checker = RepositoryChecker(repository: snapshot.repository, today: today)
    var baseline: TransitionChecker.Baseline?
    var changed: Set<String>?
    if let earlier {
      var baselineFiles: [SnapshotFile]
      // With blob ids on both sides, only the files that differ can have changed state:
      // the baseline needs only those (a one-record change reads one earlier record).
      if let known {
        baselineFiles = earlier.files.filter { known.contains($0.path) }
        changed = known
      } else if let (differing, before) = Self.differences(snapshot.files.array, from: earlier.files.array) {
        baselineFiles = before
        changed = differing
      } else {
        baselineFiles = earlier.files.array
      }
      // A record renamed without a change (`git mv`) keeps its state: it is not new.
      let renames = changed.map { Self.renames(among: $0, in: snapshot, from: earlier) } ?? []
      baselineFiles += renames.map(\.old.file)
      // A few files are quicker to validate than the stored cache is to read.
      baseline = RepositoryChecker(repository: earlier.repository, today: today)
        .baseline(
          files: baselineFiles, name: earlier.name, cache: baselineFiles.count > 256 ? earlier.cache : nil)
      for rename in renames {
        baseline?.rename(type: rename.type, from: rename.old.id, to: rename.newID)
      }
    }
    Trace.mark("transition baseline")
    let state = incremental ? currentState() : nil
    Trace.mark("state read")
    if let state,
      let report = checker.checkIncrementally(
        files: snapshot.files, state: state, only: only, baseline: baseline, changed: changed)
    {
      Trace.mark("incremental check")
      adopt(report.state, differingFiles: report.differingFiles)
      return report
    }
    let report = checker.check(
      files: snapshot.files.array, only: only, baseline: baseline, cache: snapshot.cache, changed: changed,
      progress: progress, recordState: incremental)
    Trace.mark("full check")
    adopt(report.state, differingFiles: nil)
    return report
  }

  /// A record renamed with its content unchanged: what history calls a rename (the same
  /// blob removed at one id and added at another of the same type, in one step).
  struct Rename {
    var type: String
    var old: (file: SnapshotFile, id: String)
    var newID: String
  }

  /// The renames among the `changed` paths of `snapshot` since `earlier`.
  static func renames(among changed: Set<String>, in snapshot: Snapshot, from earlier: Snapshot) -> [Rename] {
    // A rename is a path removed and another added: not among fewer than two (and a
    // one-record change need not look a million paths over for their order).
    guard changed.count >= 2 else { return [] }
    let new = FileLookup(snapshot.files)
    let old = FileLookup(earlier.files)
    var removed: [String: [(file: SnapshotFile, type: String, id: String)]] = [:]
    var added: [(type: String, id: String, key: String)] = []
    for path in changed {
      let before = old.file(path)
      let after = new.file(path)
      if let before, after == nil, let key = before.contentKey,
        case .record(let type, let id) = earlier.repository.role(of: path)
      {
        removed[key, default: []].append((before, type, id))
      } else if let after, before == nil, let key = after.contentKey,
        case .record(let type, let id) = snapshot.repository.role(of: path)
      {
        added.append((type, id, key))
      }
    }
    guard !removed.isEmpty, !added.isEmpty else { return [] }
    var renames: [Rename] = []
    for file in added.sorted(by: { $0.id < $1.id }) {
      guard var candidates = removed[file.key],
        let index = candidates.firstIndex(where: { $0.type == file.type })
      else { continue }
      let source = candidates.remove(at: index)
      removed[file.key] = candidates
      renames.append(Rename(type: file.type, old: (source.file, source.id), newID: file.id))
    }
    return renames
  }

  /// The paths of `files` that are new or differ from `earlier`, and the earlier versions of
  /// those; nil when a file has no blob id.
  static func differences(
    _ files: [SnapshotFile], from earlier: [SnapshotFile]
  ) -> (Set<String>, [SnapshotFile])? {
    guard files.allSatisfy({ $0.contentKey != nil }) && earlier.allSatisfy({ $0.contentKey != nil }) else {
      return nil
    }
    var differing = Set<String>()
    var before: [SnapshotFile] = []
    for (path, new, old) in FileLookup.differences(files, earlier) {
      // Removed paths are listed for renames; they have nothing to check.
      differing.insert(path)
      if let old, new != nil { before.append(old) }
    }
    return (differing, before)
  }

  /// Stores `snapshot`'s cache in the git directory when this run computed anything new.
  public func persist(_ snapshot: Snapshot) {
    if persistent, stateChanged, let state {
      state.save(to: CheckState.path(gitDirectory: git.gitDirectory))
      stateChanged = false
    }
    // Rewriting a large cache for a handful of new entries costs more than validating them
    // again next time.
    let cache = snapshot.cache
    guard persistent, cache.computed > 0, cache.preloaded == 0 || cache.computed > max(32, snapshot.files.count / 100)
    else { return }
    CheckCacheStore.save(snapshot.cache, to: CheckCacheStore.path(gitDirectory: git.gitDirectory), today: today)
  }

  /// The records in `HEAD`, the earlier state for staged changes and commits: nil on an
  /// unborn branch, or when `HEAD` has no records yet (the first records commit in an
  /// existing repository).
  public func headSnapshot() throws -> Snapshot? {
    guard let commit = try git.headState().commit else { return nil }
    do {
      return try snapshot(commit: commit, name: "HEAD")
    } catch SnapshotError.missingConfig {
      return nil
    }
  }

  /// The staged records, with state changes checked against `HEAD` (none on an unborn
  /// branch). When the index holds a merge's result — a merge in progress (`MERGE_HEAD`),
  /// or `merging`, the commits the pre-merge-commit hook is told about (git writes
  /// `MERGE_HEAD` only after that hook) — a state change allowed from any merged-in commit is
  /// allowed (``allowingStateChanges(_:of:mergedFrom:only:)``).
  public func checkStaged(only: Set<String>? = nil, merging: [ObjectID] = []) throws -> CheckReport {
    Trace.mark("start")
    prefetchState()
    guard let commit = try git.headState().commit else {
      let staged = try snapshot(IndexSource(repository: git, prefix: prefix))
      let report = check(staged, against: nil, only: only)
      persist(staged)
      return report
    }
    // What is staged, and which files differ from HEAD, from one read of the index: HEAD's
    // files are not listed, only its configuration, schemas and the files that differ.
    let headTree = try git.tree(ofCommit: commit)
    let headRoot = try git.subtree(headTree, at: prefix)
    let staged: Snapshot
    let changedTop: [String]?
    if let index = try git.indexFile() {
      // Read by Tally: the cache-tree spares the folders that did not change, and a file is
      // made only of an entry looked at.
      staged = try snapshot(
        files: try IndexSource.snapshotFiles(in: index, prefix: prefix, repository: git), name: "the index")
      changedTop = try headRoot.map { root throws(GitError) in
        try git.stagedChanges(in: index, comparedWith: root, under: prefix)
      }
    } else {
      let (entries, changed) = try git.indexEntries(comparedWith: headRoot == nil ? nil : headTree, under: prefix)
      staged = try snapshot(
        files: try IndexSource.files(of: entries, prefix: prefix, repository: git), name: "the index")
      changedTop = changed
    }
    // A million files are not freed one by one on the way out.
    ExitLifetime.keep(staged.files)
    Trace.mark("index snapshot")
    let lead = prefix.isEmpty ? "" : prefix + "/"
    let changed = Set((changedTop ?? []).map { String($0.dropFirst(lead.count)) })
    var head: Snapshot?
    if let headRoot, let files = try headFiles(root: headRoot, paths: changed) {
      head = try snapshot(files: files, name: "HEAD")
    }
    Trace.mark("HEAD snapshot")
    let report = check(staged, against: head, only: only, changed: head == nil ? nil : changed)
    persist(staged)
    Trace.mark("persist")
    var mergeHeads = try git.mergeHeads()
    for id in merging where !mergeHeads.contains(id) { mergeHeads.append(id) }
    return try allowingStateChanges(report, of: staged, mergedFrom: mergeHeads, only: only)
  }

  /// HEAD's configuration and schema files, and its versions of `paths`: what checking the
  /// state changes of staged files needs. Nil when HEAD has no `tally.yaml` (no records
  /// yet).
  func headFiles(root: ObjectID, paths: Set<String>) throws -> [SnapshotFile]? {
    let git = self.git
    func file(_ path: String, _ id: ObjectID) -> SnapshotFile {
      SnapshotFile(path: path, contentKey: id.hex) { try git.blob(id) }
    }
    guard let configID = try git.blobID(in: root, at: RecordsRoot.markerFile) else { return nil }
    var files = [file(RecordsRoot.markerFile, configID)]
    let schemaDirectory = RepositoryConfig.load(try git.blob(configID), path: RecordsRoot.markerFile).0.schemaDirectory
    if let schemaTree = try git.subtree(root, at: schemaDirectory) {
      for entry in try git.files(inTree: schemaTree) {
        files.append(file(schemaDirectory + "/" + entry.path, entry.id))
      }
    }
    for path in paths where path != RecordsRoot.markerFile && !path.hasPrefix(schemaDirectory + "/") {
      if let id = try git.blobID(in: root, at: path) { files.append(file(path, id)) }
    }
    files.sort { RepositoryChecker.compareBytes($0.path, $1.path) < 0 }
    return files
  }

  /// One commit of a range: its problems that its first parent did not have.
  public struct CommitResult: Sendable {
    public var commit: CommitInfo
    public var report: CheckReport
    /// Problems the commit brought (those of its parent filtered out).
    public var introduced: [Diagnostic]
  }

  /// Checks every commit of `range` (`A..B`, or a single revision: it and its ancestors)
  /// against its first parent, oldest first (a merge commit's state changes against every
  /// parent: ``allowingStateChanges(_:of:mergedFrom:only:)``). A commit's result lists the
  /// problems it introduced; problems its parent already had are not blamed on it.
  /// `progress` is called after each commit with (done, total).
  public func checkRange(
    _ range: String, firstParent: Bool = false, progress: ((Int, Int) -> Void)? = nil
  ) throws -> [CommitResult] {
    let commits = try git.commits(inRange: range, firstParent: firstParent)
    var results: [CommitResult] = []
    var previous: (id: ObjectID, snapshot: Snapshot, report: CheckReport)?
    for (done, id) in commits.enumerated() {
      let info = try git.commitInfo(id)
      let current = try snapshot(commit: id, name: id.short())
      var parent: (snapshot: Snapshot, report: CheckReport)?
      if let first = info.parents.first {
        if let previous, previous.id == first {
          parent = (previous.snapshot, previous.report)
        } else if let snapshot = try? snapshot(commit: first, name: first.short()) {
          parent = (snapshot, check(snapshot, against: nil))
        }
      }
      var report = check(current, against: parent?.snapshot)
      // A merge commit's state changes are judged against every parent, as when it was made.
      report = try allowingStateChanges(report, of: current, mergedFrom: Array(info.parents.dropFirst()))
      let introduced = Self.subtract(report.diagnostics, parent?.report.diagnostics ?? [])
      results.append(CommitResult(commit: info, report: report, introduced: introduced))
      previous = (id, current, report)
      progress?(done + 1, commits.count)
    }
    return results
  }

  /// `found` without the problems that `earlier` also has (same file, code and message;
  /// positions may have moved).
  static func subtract(_ found: [Diagnostic], _ earlier: [Diagnostic]) -> [Diagnostic] {
    var counts: [String: Int] = [:]
    for diagnostic in earlier { counts[key(diagnostic), default: 0] += 1 }
    return found.filter { diagnostic in
      let key = key(diagnostic)
      if let count = counts[key], count > 0 {
        counts[key] = count - 1
        return false
      }
      return true
    }
  }

  static func key(_ diagnostic: Diagnostic) -> String {
    "\(diagnostic.path)\u{0}\(diagnostic.code)\u{0}\(diagnostic.severity)\u{0}\(diagnostic.message)"
  }
}
