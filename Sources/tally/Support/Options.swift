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

/// `--width N`, shared by the commands that print tables (`report`, `blame`) or values cut to
/// fit (`log`, `diff`).
///
/// Tables are fitted to the terminal's width only when standard output is a terminal; into a
/// file or a pipe nothing is cut, so `tally report … > file` keeps every value whole.
struct WidthOptions: ParsableArguments {
  @Option(
    help: ArgumentHelp(
      "Fit tables to N columns, cutting long values with '…' (default: the terminal's width when printing to a terminal; nothing is cut in a pipe or a file; 0: never cut).",
      valueName: "n"))
  var width: Int?

  func validate() throws {
    if let width, width < 0 { throw ValidationError("--width must not be negative (0: never cut)") }
  }

  /// The width to fit tables to: `--width`, else the terminal's when standard output is one;
  /// nil when nothing may be cut.
  var tableWidth: Int? {
    if let width { return width == 0 ? nil : width }
    return Console.stdoutIsTerminal ? Console.terminalWidth : nil
  }

  /// For `log` and `diff`, which print a change as "path: old → new": the characters each
  /// value may take (about half the width), or nil to show values whole.
  var valueLimit: Int? { tableWidth.map { max(12, ($0 - 10) / 2) } }
}
