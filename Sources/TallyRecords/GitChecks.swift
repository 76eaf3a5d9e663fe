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
  /// Called (from worker threads) with the records validated so far and their number.
  public var progress: (@Sendable (Int, Int) -> Void)?

  public init(records: RecordsRepository, git: Repository, prefix: String, today: CivilDate) {
    self.records = records
    self.git = git
    self.prefix = prefix
    self.today = today
  }

  deinit {
    // The per-file caches can hold 100,000 entries.
    ExitLifetime.keep(caches)
  }

  /// A snapshot ready to check: its files, the repository as it is in it, a cache.
  public struct Snapshot {
    public var name: String
    public var files: [SnapshotFile]
    public var repository: RecordsRepository
    var cache: CheckCache
  }

  public func snapshot(_ source: RecordSource) throws -> Snapshot {
    try snapshot(files: try source.files(), name: source.name)
  }

  public func snapshot(files: [SnapshotFile], name: String) throws -> Snapshot {
    let repository = try records.at(files, name: name)
    let key = RecordsRepository.schemaKey(of: files, schemaDirectory: repository.config.schemaDirectory)
    let cache: CheckCache
    if let existing = caches[key] {
      cache = existing
    } else {
      cache = CheckCache(schemaKey: key)
      caches[key] = cache
      if persistent {
        CheckCacheStore.load(
          into: cache, from: CheckCacheStore.path(gitDirectory: git.gitDirectory), schemaKey: key, today: today,
          repository: repository)
      }
    }
    return Snapshot(name: name, files: files, repository: repository, cache: cache)
  }

  /// The snapshot of a commit.
  public func snapshot(commit: ObjectID, name: String) throws -> Snapshot {
    try snapshot(GitRevisionSource(repository: git, revision: commit.hex, prefix: prefix, name: name))
  }

  /// Checks `snapshot`; with `against`, state changes since that snapshot too.
  public func check(_ snapshot: Snapshot, against earlier: Snapshot?, only: Set<String>? = nil) -> CheckReport {
    let checker = RepositoryChecker(repository: snapshot.repository, today: today)
    var baseline: TransitionChecker.Baseline?
    var changed: Set<String>?
    if let earlier {
      var baselineFiles = earlier.files
      // With blob ids on both sides, only the files that differ can have changed state:
      // the baseline needs only those (a one-record change reads one earlier record).
      if snapshot.files.allSatisfy({ $0.contentKey != nil }) && earlier.files.allSatisfy({ $0.contentKey != nil }) {
        var before: [String: String] = [:]
        before.reserveCapacity(earlier.files.count)
        for file in earlier.files { before[file.path] = file.contentKey }
        let differing = Set(snapshot.files.lazy.filter { before[$0.path] != $0.contentKey }.map(\.path))
        baselineFiles = earlier.files.filter { differing.contains($0.path) }
        changed = differing
      }
      baseline = RepositoryChecker(repository: earlier.repository, today: today)
        .baseline(files: baselineFiles, name: earlier.name, cache: earlier.cache)
    }
    return checker.check(
      files: snapshot.files, only: only, baseline: baseline, cache: snapshot.cache, changed: changed,
      progress: progress)
  }

  /// Stores `snapshot`'s cache in the git directory when this run computed anything new.
  public func persist(_ snapshot: Snapshot) {
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
  /// branch).
  public func checkStaged(only: Set<String>? = nil) throws -> CheckReport {
    let staged = try snapshot(IndexSource(repository: git, prefix: prefix))
    let report = check(staged, against: try headSnapshot(), only: only)
    persist(staged)
    return report
  }

  /// One commit of a range: its problems that its first parent did not have.
  public struct CommitResult {
    public var commit: CommitInfo
    public var report: CheckReport
    /// Problems the commit brought (those of its parent filtered out).
    public var introduced: [Diagnostic]
  }

  /// Checks every commit of `range` (`A..B`, or a single revision: it and its ancestors)
  /// against its first parent, oldest first. A commit's result lists the problems it
  /// introduced; problems its parent already had are not blamed on it.
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
      let report = check(current, against: parent?.snapshot)
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
