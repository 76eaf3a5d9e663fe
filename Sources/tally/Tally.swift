import ArgumentParser
import TallyGit

@main
struct Tally: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "tally",
    abstract: "Keep a team's records as plain text in git.",
    version: "tally \(TallyVersion.string) (libgit2 \(GitLibrary.version))",
    subcommands: [Parse.self, Fmt.self]
  )
}

enum TallyVersion {
  static let string = "0.1.0"
}
