import ArgumentParser
import TallyGit
import TallyRecords
import TallyText

@main
struct Tally: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "tally",
    abstract: "Keep a team's records as plain text in git.",
    version: "tally \(TallyVersion.string) (libgit2 \(GitLibrary.version))",
    subcommands: [
      Add.self, Blame.self, Check.self, Commit.self, Diff.self, Fmt.self, HistoryCommand.self, Hook.self, Init.self,
      Log.self, New.self, Parse.self, ReportCommand.self, SchemaCommand.self, SetCommand.self, Show.self,
    ]
  )

  static func main() {
    Trace.mark("tally started")
    MemoryTuning.keepFreedMemory()
    // One command per process: large results are left for the exit to reclaim.
    ExitLifetime.enabled = true
    let arguments = PathArguments.spill(Array(CommandLine.arguments.dropFirst()))
    do {
      var command = try parseAsRoot(arguments)
      try command.run()
      Trace.mark("done")
    } catch {
      Trace.mark("done")
      exit(withError: error)
    }
  }
}

enum TallyVersion {
  static let string = "0.1.0"
}
