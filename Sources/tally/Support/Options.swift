import ArgumentParser

/// `--color auto|always|never`, shared by every command.
enum ColorChoice: String, ExpressibleByArgument, CaseIterable, Sendable {
  case auto
  case always
  case never
}

/// Options every command has.
struct GlobalOptions: ParsableArguments {
  @Option(
    name: .long,
    help: ArgumentHelp(
      "When to colour diagnostics: auto (on a terminal, unless NO_COLOR is set), always, never.",
      valueName: "when"))
  var color: ColorChoice = .auto

  var useColor: Bool { Console.useColor(color) }
}

/// Exit codes that scripts can rely on (see docs/commands.md).
enum Exit {
  /// Problems found in the data (invalid records, files not in canonical form).
  static let findings = ExitCode(1)
  /// The job could not be done (a file could not be read or written, a git error).
  static let failure = ExitCode(2)
}
