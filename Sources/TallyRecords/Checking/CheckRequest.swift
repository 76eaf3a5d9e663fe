import TallyGit
import TallySchema
import TallyText

/// What `tally check` checks: the working tree, the index, a commit or every commit of a
/// range; the command line fills one in and calls ``RecordsRepository/check(_:progress:)``.
public struct CheckRequest: Sendable {
  public enum Target: Sendable, Equatable {
    /// The working tree; with a revision, state changes since it too.
    case workingTree(against: String?)
    /// The index, with state changes against `HEAD` (and, for a merge's result, against
    /// each merged-in commit: see ``CheckRequest/merging``).
    case staged
    /// A commit; with `against`, state changes since that revision too.
    case revision(String, against: String?)
    /// Every commit of `A..B` (or a revision and its ancestors) against its first parent.
    case range(String, firstParent: Bool)
  }

  public var target: Target = .workingTree(against: nil)
  /// Paths (relative to the records root) to report on; nil: all.
  public var only: Set<String>?
  /// Warnings fail the check too.
  public var strict = false
  /// With ``Target/staged``: commits being merged in besides those of `MERGE_HEAD` (the
  /// pre-merge-commit hook's, which git names before it writes `MERGE_HEAD`); a state change
  /// allowed from one of them is allowed.
  public var merging: [String] = []
  /// Keep the outcome in the git directory, and check only what changed since.
  public var useCache = true
  public var today: CivilDate

  public init(today: CivilDate) { self.today = today }
}

/// What a check found: one snapshot's report, or a range's commits.
public enum CheckOutcome: Sendable {
  case snapshot(CheckReport, strict: Bool)
  case range(RangeCheck)

  public var failed: Bool {
    switch self {
    case .snapshot(let report, let strict): report.failed(strict: strict)
    case .range(let range): range.failed
    }
  }

  public func rendered(_ format: CheckFormat, color: Bool) -> [UInt8] {
    switch self {
    case .snapshot(let report, _): report.rendered(format, color: color)
    case .range(let range): range.rendered(format, color: color)
    }
  }
}

/// A check that could not be done, with what it was reading.
public struct CheckFailure: Error, CustomStringConvertible {
  public var description: String
}

extension RecordsRepository {
  /// Runs `request`. `progress` is told (done, total) records, or commits of a range.
  ///
  /// - Throws: ``CheckFailure`` when the records or git cannot be read.
  public func check(_ request: CheckRequest, progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> CheckOutcome {
    if case .workingTree(let against) = request.target {
      return try checkWorkingTree(request, against: against, progress: progress)
    }
    let checker: GitChecker
    do {
      checker = try GitChecker(records: self, today: request.today)
    } catch {
      throw CheckFailure(description: "\(error)")
    }
    checker.persistent = request.useCache
    checker.incremental = request.useCache
    if case .range = request.target {} else { checker.progress = progress }
    switch request.target {
    case .range(let range, let firstParent):
      do {
        let results = try checker.checkRange(range, firstParent: firstParent) { progress?($0, $1) }
        return .range(RangeCheck(results: results, strict: request.strict))
      } catch {
        throw CheckFailure(description: "cannot check \(range): \(error)")
      }
    case .staged:
      do {
        let merging = try request.merging.map { revision throws(GitError) in try checker.git.commit(revision) }
        var report = try checker.checkStaged(only: request.only, merging: merging)
        // The ownership policy, as advice for the local identity (a merge's changes come
        // from branches already judged: the server judges what the merge itself adds).
        if merging.isEmpty, try checker.git.mergeHeads().isEmpty {
          report.diagnostics += try checker.stagedPolicyWarnings()
          report.diagnostics.sort(by: Diagnostic.sortOrder)
        }
        return .snapshot(report, strict: request.strict)
      } catch {
        throw CheckFailure(description: "\(error)")
      }
    case .revision(let revision, let against):
      do {
        let snapshot = try checker.snapshot(commit: try checker.git.commit(revision), name: revision)
        let earlier = try against.map { try checker.snapshot(commit: try checker.git.commit($0), name: $0) }
        return .snapshot(checker.check(snapshot, against: earlier, only: request.only), strict: request.strict)
      } catch {
        throw CheckFailure(description: "\(error)")
      }
    case .workingTree(let against):
      return try checkWorkingTree(request, against: against, progress: progress)
    }
  }

  /// The working tree, with state changes since `against` when given.
  private func checkWorkingTree(
    _ request: CheckRequest, against: String?, progress: (@Sendable (Int, Int) -> Void)?
  ) throws -> CheckOutcome {
    let checker = RepositoryChecker(repository: self, today: request.today)
    var baseline: TransitionChecker.Baseline?
    if let against {
      do {
        let (git, prefix) = try gitRepository()
        baseline = try checker.baseline(from: GitRevisionSource(repository: git, revision: against, prefix: prefix))
      } catch {
        throw CheckFailure(description: "cannot read \(against): \(error)")
      }
    }
    do {
      // In a git repository, the outcome is kept in the git directory to check only what
      // changed next time.
      let gitDirectory = request.useCache ? (try? gitRepository())?.0.gitDirectory : nil
      let report = try checker.checkWorkingTree(
        only: request.only, baseline: baseline, gitDirectory: gitDirectory, progress: progress)
      return .snapshot(report, strict: request.strict)
    } catch {
      throw CheckFailure(description: "\(error)")
    }
  }
}

extension GitChecker {
  /// A checker for the records of `records`, in the git repository they are in.
  public convenience init(records: RecordsRepository, today: CivilDate) throws {
    let (git, prefix) = try records.gitRepository()
    self.init(records: records, git: git, prefix: prefix, today: today)
  }
}
