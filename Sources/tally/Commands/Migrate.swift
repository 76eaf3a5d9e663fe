import ArgumentParser
import Foundation
import TallyRecords
import TallySchema
import TallyText

struct Migrate: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "migrate",
    abstract: "Change how the repository is laid out, in one commit.",
    subcommands: [Layout.self])

  struct Layout: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "layout",
      abstract: "Move a record type's files into shard folders (or back into one folder) in one commit.",
      discussion: """
        With --digits N, every record of TYPE moves to the folder named by the last N digits \
        of its id (customers/C-1000042.yaml → customers/042/C-1000042.yaml) and the type's \
        schema says 'shard: digits: N'; with --flat they move back into the type's directory \
        and 'shard:' goes. tally's line for the type in .gitattributes follows. The commit \
        holds nothing else: the type's files and its schema must have no changes of their \
        own (commit or stash them first), and it is checked as `tally commit` checks.

        The history reads a record at either layout as the same record: `tally log`, `blame` \
        and `diff` go straight across the commit, and the history cache is kept.

        A refused or interrupted migration leaves the working tree, the index and the branch \
        as they were. Exit status: 0 migrated (or --dry-run), 1 refused (changes of their \
        own, a check that fails), 2 when it cannot be done (a file cannot be moved, a git \
        error), 64 for usage errors (an unknown type, the layout it already has).
        """)

    @Argument(help: "The record type (its name or its directory).")
    var type: String

    @Option(help: ArgumentHelp("Shard by the id's last N digits (1 to 4).", valueName: "n"))
    var digits: Int?

    @Flag(help: "Move the records back into the type's directory.")
    var flat = false

    @Option(name: .shortAndLong, help: "The commit message (default: says what moved).")
    var message: String?

    @Flag(help: "Say what would move, without moving anything.")
    var dryRun = false

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var global: GlobalOptions

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
      case text
      case json
    }

    func validate() throws {
      guard (digits != nil) != flat else { throw ValidationError("give either --digits N or --flat") }
      if let digits, !(1...RecordLayout.maximumDigits).contains(digits) {
        throw ValidationError("--digits must be 1 to \(RecordLayout.maximumDigits)")
      }
    }

    func run() throws {
      let repo = try repository.open()
      let layout = digits.map(RecordLayout.lastDigits) ?? .flat
      let migration: LayoutMigration
      do {
        migration = try LayoutMigration.plan(records: repo, typeName: type, layout: layout)
      } catch {
        Console.err("tally: \(error)\n")
        switch error {
        case .usage: throw ExitCode(64)
        case .refused: throw Exit.findings
        case .io: throw Exit.failure
        }
      }
      let destination: String
      if case .lastDigits(let count) = migration.to {
        destination = "into shard folders named by the id's last \(count) digit\(count == 1 ? "" : "s")"
      } else {
        destination = "back into \(migration.directory)/"
      }
      let summary =
        "\(migration.typeName) records \(destination): \(migration.moves.count) of \(migration.recordCount) moved"
      if dryRun {
        print(migration, summary: summary, commit: nil, display: repo.displayPath)
        return
      }
      let committer: Committer
      do {
        committer = try Committer(records: repo, today: today(in: repo))
      } catch {
        Console.err("tally: \(error)\n")
        throw Exit.failure
      }
      committer.notice = { Console.err("tally: \($0)\n") }
      let text =
        message
        ?? "Move \(migration.typeName) records \(destination)\n\n\(migration.moves.count) files moved by tally migrate layout; no record changed."
      // A signal from here on is only recorded: the commit stops at its next checkpoint and the
      // moves are undone before the process ends by it.
      let outcome = try Interrupts.cancellable { () throws -> CommitOutcome in
        var outcome: CommitOutcome
        do {
          let progress = Progress(label: "moving files")
          defer { progress.finish() }
          try migration.apply(progress: progress.update)
        } catch {
          Console.err("tally: \(error); nothing was moved\n")
          if case .refused? = error as? LayoutMigration.Failure { throw Exit.findings }
          throw Exit.failure
        }
        do {
          // The commit checks the whole snapshot: say so on a terminal, it takes a while.
          let checking = Console.stderrIsTerminal && migration.moves.count >= 1_000
          if checking { Console.err("checking and committing \(migration.moves.count) moved files…") }
          defer { if checking { Console.err("\r\u{1B}[K") } }
          let plan = try committer.plan(
            .paths(migration.paths), message: text, staged: try StagedIndex.read(committer.git))
          let own = migration.changesOfTheirOwn(in: plan.changes)
          if !own.isEmpty {
            migration.undo()
            // Named where the user has them: a moved file by its path before the move.
            let origins = migration.movedTo
            var named: [String] = []
            for change in own {
              let path = repo.displayPath(origins[change.path] ?? change.path)
              if !named.contains(path) { named.append(path) }
            }
            let shown = named.prefix(5).joined(separator: ", ")
            Console.err(
              "tally: \(shown)\(named.count > 5 ? " and \(named.count - 5) more" : "") changed apart from the move: commit or stash \(named.count == 1 ? "it" : "them") first (or run tally fmt); nothing was moved\n"
            )
            throw Exit.findings
          }
          outcome = try committer.run(.paths(migration.paths), message: text, dryRun: false)
        } catch let exit as ExitCode {
          throw exit
        } catch {
          migration.undo()
          if let signal = Interrupts.signal(of: error) {
            Console.err("tally: nothing was moved or committed; the working tree and the index are as they were\n")
            Interrupts.die(signal)
          }
          Console.err("tally: \(error); nothing was moved\n")
          throw (error as? CommitError).map { $0.isStateError ? Exit.failure : Exit.findings } ?? Exit.failure
        }
        if outcome.plan.isRefused {
          migration.undo()
          Console.out(outcome.text(color: Console.useColor(global.color, stdout: true), display: repo.displayPath))
          Console.err("tally: the migration was refused; nothing was moved\n")
          throw Exit.findings
        }
        return outcome
      }
      print(migration, summary: summary, commit: outcome.commit?.hex, display: repo.displayPath)
    }

    private func print(_ migration: LayoutMigration, summary: String, commit: String?, display: (String) -> String) {
      switch format {
      case .json:
        var object: [String: Any] = [
          "type": migration.typeName, "layout": migration.to == .flat ? "flat" : "shard",
          "moved": migration.moves.count, "records": migration.recordCount, "dry_run": dryRun,
          "schema": display(migration.schema.path),
        ]
        if case .lastDigits(let digits) = migration.to { object["digits"] = digits }
        if let commit { object["commit"] = commit }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        Console.out(String(decoding: data, as: UTF8.self) + "\n")
      case .text:
        var out = ""
        for move in migration.moves.prefix(3) { out += "  \(display(move.from)) → \(display(move.to))\n" }
        if migration.moves.count > 3 { out += "  … and \(migration.moves.count - 3) more\n" }
        out += "\(dryRun ? "would move " : "moved ")\(summary)"
        if let commit { out += "; committed \(commit.prefix(7))" }
        Console.out(out + "\n")
      }
    }
  }
}
