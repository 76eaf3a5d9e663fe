import TallyGit
import TallyText

/// The check of a merge's result: a state change is judged against every parent.
///
/// A merge commit's first parent is `HEAD`, the branch merged into; a value can come from a
/// branch merged in, where it changed step by step (`lead` → `prospect` → `active`), so
/// checked against `HEAD` alone it looks like a change no schema allows (`lead` → `active`).
/// A problem with a state change is kept only when the result checked against every
/// merged-in commit has a problem with the same field too: a state no parent could reach
/// in one allowed step is still refused. `tally commit` finishing a merge, `tally check
/// --staged` during one, the pre-merge-commit hook and `tally check --range` (CI, the
/// pre-receive hook) judge a merge this way.
extension GitChecker {
  /// The codes of the problems with a state change.
  static let stateCodes: Set<String> = ["transition", "initial-state"]

  /// `report`, the check of `snapshot` against its first parent, with each problem with a
  /// state change kept only when checking `snapshot` against each commit of `mergeHeads`
  /// finds a problem with the state of the same field of the same record too.
  ///
  /// - Parameters:
  ///   - report: The check of `snapshot` against the first parent.
  ///   - snapshot: The merge's result.
  ///   - mergeHeads: The other parents (a merged-in commit with no records has no states
  ///     to judge a change by, so it allows every state).
  ///   - only: The paths reported on, as for `report`.
  public func allowingStateChanges(
    _ report: CheckReport, of snapshot: Snapshot, mergedFrom mergeHeads: [ObjectID], only: Set<String>? = nil
  ) throws -> CheckReport {
    let states = report.diagnostics.filter { Self.stateCodes.contains($0.code) }
    guard !mergeHeads.isEmpty, !states.isEmpty else { return report }
    var kept = Set(states.map(Self.stateKey))
    for id in mergeHeads where !kept.isEmpty {
      let parent: Snapshot?
      do {
        parent = try self.snapshot(commit: id, name: id.short())
      } catch SnapshotError.missingConfig {
        parent = nil
      }
      let other = check(snapshot, against: parent, only: only)
      kept.formIntersection(other.diagnostics.filter { Self.stateCodes.contains($0.code) }.map(Self.stateKey))
    }
    var result = report
    result.diagnostics = report.diagnostics.filter {
      !Self.stateCodes.contains($0.code) || kept.contains(Self.stateKey($0))
    }
    return result
  }

  /// What two checks' problems with a state change are compared by: the record and the field
  /// (not the message, which names the snapshot compared with, nor the code: a record new on
  /// one side and changed on the other has an `initial-state` problem against one and a
  /// `transition` problem against the other).
  static func stateKey(_ diagnostic: Diagnostic) -> String {
    "\(diagnostic.path)\u{0}\(diagnostic.field ?? "")"
  }
}
