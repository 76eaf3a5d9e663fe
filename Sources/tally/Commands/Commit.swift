import ArgumentParser
import Foundation
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
      committer = try Committer(records: repo, today: today(in: repo))
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
    let outcome: CommitOutcome
    do {
      outcome = try committer.run(selection, message: message, dryRun: dryRun)
    } catch let error as CommitError {
      Console.err("tally: \(error)\n")
      throw error.isStateError ? Exit.failure : Exit.findings
    } catch  where Interrupts.signal(of: error) != nil {
      Console.err("tally: nothing was committed; the index and the working tree are as they were\n")
      throw error
    } catch {
      Console.err("tally: \(error)\n")
      throw Exit.failure
    }
    switch format {
    case .json: Console.out(outcome.json())
    case .text:
      Console.out(outcome.text(color: Console.useColor(global.color, stdout: true), display: repo.displayPath))
    }
    if outcome.plan.isRefused { throw Exit.findings }
  }
}
