import TallyGit
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
      let (git, prefix) = try repo.gitRepository()
      committer = Committer(records: repo, git: git, prefix: prefix, today: today(in: repo))
    } catch {
      Console.err("tally: cannot commit: \(error)\n")
      throw Exit.failure
    }
    let plan: Committer.Plan
    let commit: ObjectID?
    do {
      (plan, commit) = try committer.commit(.paths(paths), message: message)
    } catch let error as CommitError {
      Console.err("tally: \(error)\n")
      throw Exit.findings
    } catch {
      Console.err("tally: cannot commit: \(error)\n")
      throw Exit.failure
    }
    guard let commit else {
      let renderer = DiagnosticRenderer(color: color)
      var out = ""
      for diagnostic in plan.report.diagnostics where diagnostic.severity == .error {
        out += renderer.render(diagnostic) { plan.report.source($0) }
      }
      Console.err(
        out + "tally: commit refused: \(CheckOutput.summary(plan.report)); the file was written but not committed\n")
      throw Exit.findings
    }
    let branch = (try? committer.git.headState().branch) ?? "HEAD"
    Console.out("[\(branch) \(commit.short())] \(plan.message.split(separator: "\n").first ?? "")\n")
  }
}
