import ArgumentParser
import TallyHistory
import TallyRecords
import TallySchema
import TallyText

struct PolicyCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "policy",
    abstract: "Check changes against the ownership policy (policy.yaml), explain it, test it.",
    discussion: """
      policy.yaml, beside tally.yaml, says who may change which fields of whose records \
      (docs/policy.md). Without it everything is allowed. 'tally check' checks the file \
      itself; these commands apply it:

        tally policy check --range origin/main..HEAD     every commit of a range
        tally policy explain --as S-0022 customer/C-0042 what S-0022 may do to it, and why
        tally policy test                                the cases in policy-tests/

      On the git server, 'tally hook install --server' runs 'tally policy check \
      --pre-receive' on every push.
      """,
    subcommands: [Check.self, Explain.self, Test.self])

  enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text
    case json
  }

  /// The pusher a git server names to its hooks, and the variable it is in.
  static func pusher() -> (String, String)? {
    for name in ["GL_USERNAME", "GITEA_PUSHER_NAME", "GL_USER"] {
      if let value = Console.environment(name), !value.isEmpty { return (value, name) }
    }
    return nil
  }

  struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "check",
      abstract: "Check every commit of a range against the policy of its parent.",
      discussion: """
        Each commit is judged by the policy.yaml and the staff records of its parent, so a \
        commit cannot grant itself rights (and a refused commit grants nothing to the ones \
        after it); a merge commit only for what it introduced itself, so merging main into \
        a branch raises nothing already allowed on either side.

        Who is acting: the pusher a git server names (GL_USERNAME, GITEA_PUSHER_NAME, \
        GL_USER), else --as, else each commit's author e-mail — which anyone can set, so a \
        check by author is advisory. With 'require_author: true' in the policy, a commit \
        whose author is not the acting person is refused.

        --pre-receive reads git's pre-receive input (old new ref per line) and checks the \
        commits the push brings that the repository does not have; 'tally hook install \
        --server' sets this up. The day conditions see (today()) is then the server's, \
        else each commit's committer date.

        Exit status: 0 when every change is allowed, 1 when something is not (or the \
        policy has errors: fail closed), 2 when the repository cannot be read, 64 for \
        usage errors.
        """)

    @Option(help: "The commits to check: A..B (or a revision: it and its ancestors).")
    var range: String?

    @Option(name: .customLong("as"), help: "Act as this person (a staff id, e-mail or login), e.g. the CI's actor.")
    var actor: String?

    @Flag(help: "Read git's pre-receive input from standard input (the server hook).")
    var preReceive = false

    @Option(help: "The git directory (a bare repository on a server); with --pre-receive.")
    var gitDir: String?

    @Option(help: "Where the records root is in the repository's tree (with --git-dir).")
    var prefix: String?

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var global: GlobalOptions

    func validate() throws {
      if preReceive == (range != nil) { throw ValidationError("give --range A..B, or --pre-receive (the server hook)") }
      if gitDir != nil && repository.repo != nil { throw ValidationError("--git-dir and --repo cannot be combined") }
    }

    func run() throws {
      let history = try openHistory()
      let checker = PolicyChecker(history: history)
      var options = PolicyChecker.Options()
      if let (name, variable) = PolicyCommand.pusher() {
        options.actor = name
        options.actorSource = variable
      } else if let actor {
        options.actor = actor
        options.actorSource = "--as"
      }
      let report: PolicyReport
      do {
        if preReceive {
          options.today = today(in: history.records)
          var input = ""
          while let line = readLine() { input += line + "\n" }
          options.rootContext = checker.headCommit
          report = try checker.check(try checker.pushedCommits(input), options: options)
        } else {
          report = try checker.check(try checker.commits(inRange: range!), options: options)
        }
      } catch {
        Console.err("tally: cannot check the policy: \(error)\n")
        throw Exit.failure
      }
      switch format {
      case .json: Console.out(report.json())
      case .text:
        let text = report.text(color: global.useColor)
        if report.refused && preReceive {
          Console.out(text + "tally: push refused by the ownership policy (policy.yaml); see docs/policy.md\n")
        } else {
          Console.out(text)
        }
      }
      if report.refused { throw Exit.findings }
    }

    func openHistory() throws -> History {
      do {
        if let gitDir { return try History.openServer(gitDirectory: gitDir, prefix: prefix) }
        return try History.open(try repository.open())
      } catch let exit as ExitCode {
        throw exit
      } catch {
        Console.err("tally: \(error)\n")
        throw Exit.failure
      }
    }
  }

  struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "explain",
      abstract: "Show what a person may do to a record, and which rule decides each operation.",
      discussion: """
        For the record as it is in the working tree: creating and deleting it, changing each \
        field, and for each list adding an item and changing or removing its last one — \
        allowed or denied, by which rule (policy.yaml:line), and for an operation no rule \
        allows, which rule would and why it does not apply. With FIELD, only that field \
        (follow_ups, owner, follow_ups[2].outcome).

        Exit status: 0, 1 when the policy has errors, 2 when the repository cannot be read, \
        64 for usage errors (an unknown person, record or field).
        """)

    @Option(name: .customLong("as"), help: "The person (a staff id, e-mail or login).")
    var actor: String

    @Argument(help: "The record: TYPE/ID (customer/C-0042), its id, or its file.")
    var record: String

    @Argument(help: "A field of it (owner, follow_ups, follow_ups[2].outcome).")
    var field: String?

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    @OptionGroup var width: WidthOptions
    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var global: GlobalOptions

    func run() throws {
      let context = try HistoryContext.open(repository)
      let records = context.records
      let key = try context.key(record)
      let date = today(in: records)
      let setup = PolicySetup.workingTree(records, today: date)
      let value = records.schema.type(named: key.type).flatMap { type in
        (try? FileSystem.read(FileSystem.joinPath(records.root, type.path(of: key.id))))
          .flatMap { SyntaxTree.parse($0).tree?.value }
      }
      let explanation: PolicyExplanation
      do throws(PolicyExplanation.Problem) {
        explanation = try PolicyExplanation.explain(
          setup: setup, schema: records.schema, policyPath: records.displayPath(Policy.fileName), actor: actor,
          type: key.type, id: key.id, value: value, field: field, today: date)
      } catch {
        Console.err("tally: \(error)\n")
        switch error {
        case .noPolicy: throw Exit.findings
        default: throw ExitCode.validationFailure
        }
      }
      switch format {
      case .json: Console.out(explanation.json())
      case .text: Console.out(explanation.text(width: width.tableWidth))
      }
    }
  }

  struct Test: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "test",
      abstract: "Run the policy's test cases (policy-tests/*.yaml).",
      discussion: """
        Each case names an actor, a record before and after, the verdict expected and the \
        rule that must decide it ('none' when no rule should allow it); they run against \
        the working tree's policy.yaml and staff records. Put 'tally policy test' in CI so a \
        change to the policy that breaks a case fails there. The format is in \
        docs/policy.md.

        Exit status: 0 when every case passes, 1 when one fails (or a case file or the \
        policy has errors, or there are no cases), 2 when the repository cannot be read.
        """)

    @Flag(name: .shortAndLong, help: "List the cases that pass too.")
    var verbose = false

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var global: GlobalOptions

    func run() throws {
      let records = try repository.open()
      let setup = PolicySetup.workingTree(records, today: today(in: records))
      let result = PolicyFixtures.run(records, setup: setup)
      switch format {
      case .json: Console.out(result.json())
      case .text:
        Console.out(
          result.text(verbose: verbose, color: global.useColor) { path in
            let full = FileSystem.joinPath(FileSystem.currentDirectory, path)
            return (try? FileSystem.read(full)).map { SourceFile(path: path, bytes: $0) }
          })
      }
      if !result.ok { throw Exit.findings }
    }
  }
}
