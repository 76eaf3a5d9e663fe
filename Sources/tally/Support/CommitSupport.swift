import TallyRecords
import TallyText

/// Committing from other commands (`--commit` on `tally new`, `set` and `add`): the same
/// checks and guarantees as `tally commit PATH...`.
enum CommitSupport {
  /// Commits `paths` (relative to the records root) as they are in the working tree, with
  /// `message` or one written from the change. Prints the new commit, or why it was refused.
  /// Throws `Exit.findings` when refused, `Exit.failure` when git fails.
  static func commitPaths(
    _ paths: [String], in repo: RecordsRepository, message: String?, color: Bool
  ) throws {
    let committer: Committer
    do {
      committer = try Committer(records: repo, today: today(in: repo))
    } catch {
      Console.err("tally: cannot commit: \(error); \(kept)\n")
      throw Exit.failure
    }
    committer.notice = { Console.err("tally: \($0)\n") }
    let outcome: CommitOutcome
    do {
      outcome = try committer.run(.paths(paths), message: message, dryRun: false)
    } catch let error as CommitError {
      Console.err("tally: cannot commit: \(error); \(kept)\n")
      throw error.isStateError ? Exit.failure : Exit.findings
    } catch  where Interrupts.signal(of: error) != nil {
      Console.err("tally: the commit was interrupted; \(kept)\n")
      throw error
    } catch {
      Console.err("tally: cannot commit: \(error); \(kept)\n")
      throw Exit.failure
    }
    let plan = outcome.plan
    if outcome.commit == nil, !plan.isRefused {
      // The edit changed only layout: nothing to commit.
      Console.out("nothing to commit: the file is as in HEAD\n")
      return
    }
    guard let commit = outcome.commit else {
      let renderer = DiagnosticRenderer(color: color)
      var out = ""
      for diagnostic in plan.report.diagnostics where diagnostic.severity == .error {
        out += renderer.render(diagnostic) { plan.report.source($0) }
      }
      Console.err(out + "tally: commit refused: \(plan.report.summary); \(kept) (not committed)\n")
      throw Exit.findings
    }
    Console.out("[\(outcome.branch ?? "HEAD") \(commit.short())] \(plan.message.split(separator: "\n").first ?? "")\n")
  }

  /// What the user is told when the commit does not happen: the edit itself is not lost.
  static let kept = "the edit was kept in the working tree"
}
