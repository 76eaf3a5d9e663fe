import ArgumentParser
import TallyRecords
import TallyText

@main
struct Tally: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "tally",
    abstract: "Keep a team's records as plain text in git.",
    version: "tally \(TallyVersion.string) (libgit2 \(RecordsRepository.gitEngineVersion))",
    subcommands: [
      Add.self, Blame.self, CalendarCommand.self, Check.self, Commit.self, Conflicts.self, Diff.self, Fmt.self,
      HistoryCommand.self,
      Export.self, Hook.self, Init.self,
      Log.self, MergeDriverCommand.self, Migrate.self, New.self, Parse.self, PolicyCommand.self, QueryCommand.self,
      ReportCommand.self, Resolve.self,
      SchemaCommand.self, Serve.self, SQLCommand.self,
      SetCommand.self, Show.self,
    ]
  )

  static func main() {
    // Ctrl-C, SIGTERM and SIGHUP never leave a lock or a half-written file behind; writing
    // commands stop where nothing is half-done (see Interrupts).
    Interrupts.install()
    Trace.mark("tally started")
    MemoryTuning.keepFreedMemory()
    // One command per process: large results are left for the exit to reclaim.
    ExitLifetime.enabled = true
    let arguments = PathArguments.spill(Array(CommandLine.arguments.dropFirst()))
    if let call = MergeDriverCommand.GitCall(arguments) {
      do {
        try call.run()
        Trace.mark("done")
        exit()
      } catch {
        Trace.mark("done")
        exit(withError: error)
      }
    }
    var command: ParsableCommand
    do {
      command = try parseAsRoot(arguments)
    } catch {
      Trace.mark("done")
      exit(withError: error)
    }
    do {
      try command.run()
      Trace.mark("done")
    } catch let error as ValidationError {
      // A usage error found while running (a path outside the repository, a field path
      // that does not parse): one line, not the usage of the root command.
      Trace.mark("done")
      Console.err("tally: \(error.message)\n")
      exit(withError: ExitCode.validationFailure)
    } catch {
      Trace.mark("done")
      if let signal = Interrupts.signal(of: error) {
        Console.err("tally: interrupted by \(Interrupts.name(of: signal))\n")
        Interrupts.die(signal)
      }
      exit(withError: error)
    }
  }
}

enum TallyVersion {
  static let string = "0.1.0"
}
