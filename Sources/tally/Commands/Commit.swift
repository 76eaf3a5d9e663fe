import ArgumentParser
import Foundation
import TallyGit
import TallyRecords
import TallyText

struct Commit: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "commit",
    abstract: "Format, check and commit changed records — only if the result is valid.",
    discussion: """
      Works out what the commit would record, as `git commit` does: what is staged; or with \
      paths, HEAD plus those paths as they are in the working tree (new, changed or deleted) \
      and nothing else — other staged changes stay staged, out of the commit; or with --all \
      every change under the records root, new files included. The changed records are put \
      in canonical form, then exactly the snapshot the commit will hold is checked as `tally \
      check --staged` would check it (transitions against HEAD). Only when it has no errors \
      are the changes staged and the commit created (through libgit2; git hooks do not run). \
      When it is refused, fails or is interrupted (Ctrl-C), the index, the working tree and \
      the branch are exactly as they were.

      A file whose change is only layout is made canonical again and not committed. During \
      a merge (after `git merge` stopped for you to resolve conflicts), `tally commit` makes \
      the merge commit, as `git commit` would: its parents are HEAD and the merged commits, \
      its default message git's prepared one. Other operations in progress (rebase, \
      cherry-pick, revert, am, bisect) are refused: finish them with git.

      Without -m, the message is written from the changes, e.g. \
      "customer C-0042: status prospect → active; +1 follow-up". Author and committer come \
      from GIT_AUTHOR_*/GIT_COMMITTER_* or user.name/user.email, as with git.

      Exit status: 0 committed (or --dry-run found it valid, or only layout changed), 1 \
      refused (problems, or nothing to commit), 2 when it cannot be done (another process \
      holds index.lock for longer than --lock-timeout, an operation in progress, the \
      repository cannot be read or written), 64 for usage errors.
      """)

  @Option(name: .shortAndLong, help: "The commit message (default: written from the changes).")
  var message: String?

  @Argument(help: "Files or directories to commit as they are in the working tree.", completion: .file())
  var paths: [String] = []

  @Flag(name: .shortAndLong, help: "Commit every change under the records root, new files included.")
  var all = false

  @Flag(help: "Show what would be committed, and the check, without committing.")
  var dryRun = false

  @Option(help: "Output format: text or json.")
  var format: OutputFormat = .text

  @Option(help: "Seconds to wait for another process that holds the index (default: TALLY_LOCK_TIMEOUT, else 10).")
  var lockTimeout: Double = Committer.defaultLockTimeout

  @OptionGroup var repository: RepositoryOptions
  @OptionGroup var global: GlobalOptions

  enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text
    case json
  }

  func validate() throws {
    if all && !paths.isEmpty { throw ValidationError("--all commits every change; do not also name paths") }
    if let message, message.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
      throw ValidationError("the commit message is empty")
    }
  }

  func run() throws {
    let repo = try repository.open()
    let committer: Committer
    do {
      let (git, prefix) = try repo.gitRepository()
      committer = Committer(records: repo, git: git, prefix: prefix, today: today(in: repo))
    } catch {
      Console.err("tally: \(error)\n")
      throw Exit.failure
    }
    committer.notice = { Console.err("tally: \($0)\n") }
    committer.lockTimeout = lockTimeout
    let selection: Committer.Selection
    if all {
      selection = .all
    } else if !paths.isEmpty {
      var relative: [String] = []
      for path in PathArguments.all(paths) {
        let inside = FileSystem.relative(FileSystem.absolute(path), to: repo.root)
        guard !inside.hasPrefix("..") else {
          throw ValidationError("\(path) is outside the records repository at \(repo.root)")
        }
        relative.append(inside == "." ? "" : inside)
      }
      selection = .paths(relative)
    } else {
      selection = .staged
    }
    let color = Console.useColor(global.color, stdout: true)
    let plan: Committer.Plan
    var commit: ObjectID?
    do {
      if dryRun {
        plan = try committer.plan(selection, message: message, staged: committer.git.indexEntries())
      } else {
        (plan, commit) = try committer.commit(selection, message: message)
      }
    } catch let error as CommitError {
      Console.err("tally: \(error)\n")
      throw error.isStateError ? Exit.failure : Exit.findings
    } catch  where Tally.interruption(error) != nil {
      Console.err("tally: nothing was committed; the index and the working tree are as they were\n")
      throw error
    } catch {
      Console.err("tally: \(error)\n")
      throw Exit.failure
    }
    if dryRun && plan.isEmpty && plan.layoutOnly.isEmpty {
      Console.err("tally: \(CommitError.nothingToCommit)\n")
      throw Exit.findings
    }
    switch format {
    case .json:
      writeJSON(plan, commit: commit, branch: try? committer.git.headState().branch)
    case .text:
      writeText(plan, commit: commit, color: color, committer: committer, display: repo.displayPath)
    }
    if plan.isRefused { throw Exit.findings }
  }

  func writeText(
    _ plan: Committer.Plan, commit: ObjectID?, color: Bool, committer: Committer, display: (String) -> String
  ) {
    var out = ""
    if plan.isRefused || plan.report.warningCount > 0 {
      let renderer = DiagnosticRenderer(color: color)
      for diagnostic in plan.report.diagnostics {
        out += renderer.render(diagnostic) { plan.report.source($0) }
      }
    }
    if plan.isRefused {
      out += "tally: commit refused: \(CheckOutput.summary(plan.report)); nothing was changed\n"
      Console.out(out)
      return
    }
    if let commit {
      let branch = (try? committer.git.headState().branch) ?? "HEAD"
      out += "[\(branch) \(commit.short())] \(plan.message.split(separator: "\n").first ?? "")\n"
      if !plan.mergeHeads.isEmpty {
        out += " merged \(plan.mergeHeads.map { $0.short() }.joined(separator: ", "))\n"
      }
    } else if plan.isEmpty {
      let verb = dryRun ? "would be made canonical" : "now canonical"
      out += "only layout changed in \(Self.list(plan.layoutOnly.map(display))); \(verb), nothing to commit\n"
      Console.out(out)
      return
    } else {
      out += "would commit (dry run):\n\n" + plan.message + "\n\n"
    }
    for change in plan.changes {
      out += " \(change.kind.rawValue) \(display(change.path))"
      out += change.reformatted ? "  (formatted)\n" : "\n"
    }
    if !plan.layoutOnly.isEmpty {
      let verb = dryRun ? "would be made canonical" : "now canonical"
      out += "only layout changed in \(Self.list(plan.layoutOnly.map(display))): \(verb), not committed\n"
    }
    Console.out(out)
  }

  /// Paths for one line: all of a few, the first few and how many more of many.
  static func list(_ paths: [String], most: Int = 5) -> String {
    if paths.count <= most { return paths.joined(separator: ", ") }
    return "\(paths.count) files (" + paths.prefix(3).joined(separator: ", ") + ", …)"
  }

  func writeJSON(_ plan: Committer.Plan, commit: ObjectID?, branch: String?) {
    var out: [UInt8] = []
    out.append(contentsOf: "{\"version\":1,\"committed\":\(commit != nil),\"dry_run\":\(dryRun),".utf8)
    out.append(contentsOf: "\"commit\":\(commit.map { "\"\($0.hex)\"" } ?? "null"),".utf8)
    out.append(contentsOf: "\"branch\":\(branch.map(CheckOutput.jsonString) ?? "null"),".utf8)
    out.append(contentsOf: "\"merge_parents\":[".utf8)
    out.append(contentsOf: plan.mergeHeads.map { "\"\($0.hex)\"" }.joined(separator: ",").utf8)
    out.append(contentsOf: "],\"layout_only\":[".utf8)
    out.append(contentsOf: plan.layoutOnly.map(CheckOutput.jsonString).joined(separator: ",").utf8)
    out.append(contentsOf: "],".utf8)
    out.append(contentsOf: "\"message\":\(CheckOutput.jsonString(plan.message)),\"changes\":[".utf8)
    for (index, change) in plan.changes.enumerated() {
      if index > 0 { out.append(UInt8(ascii: ",")) }
      out.append(contentsOf: "{\"path\":\(CheckOutput.jsonString(change.path)),".utf8)
      out.append(contentsOf: "\"kind\":\"\(change.kind.rawValue)\",\"formatted\":\(change.reformatted)}".utf8)
    }
    out.append(
      contentsOf: "],\"errors\":\(plan.report.errorCount),\"warnings\":\(plan.report.warningCount),\"diagnostics\":["
        .utf8)
    for (index, diagnostic) in plan.report.diagnostics.enumerated() {
      if index > 0 { out.append(UInt8(ascii: ",")) }
      diagnostic.writeJSON(into: &out)
    }
    out.append(contentsOf: "]}\n".utf8)
    Console.out(out)
  }
}
