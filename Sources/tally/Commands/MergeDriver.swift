import ArgumentParser
import TallyRecords

struct MergeDriverCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "merge-driver",
    abstract: "Merge one record file field by field (git calls this; you do not).",
    discussion: """
      git runs it as the merge driver 'tally' (set up by 'tally init' and 'tally hook \
      install': merge=tally in .gitattributes, merge.tally.driver in the configuration) \
      for every record file both branches changed, in git merge, pull, rebase, cherry-pick \
      and revert:

        tally merge-driver %O %A %B %L %P

      The file is merged as a record by its schema: changes to different fields, items \
      added to a list on both sides, and the same change made twice all merge; only a value \
      both sides changed differently is a conflict, written with diff3 markers around that \
      value's lines alone. A file that cannot be read as a record (not in the record \
      format, holding conflict markers already, of no known type) is merged line by line \
      as git would, and the reason is given on standard error.

      The result is written over OURS. Exit status: 0 when the merge is clean, 1 when \
      conflicts remain (git then stops for 'tally conflicts' and 'tally resolve'), 2 when \
      a file cannot be read (OURS is left as it was).
      """)

  @Argument(help: "The base version (git's %O).")
  var base: String

  @Argument(help: "Our version (git's %A); the result is written here.")
  var ours: String

  @Argument(help: "Their version (git's %B).")
  var theirs: String

  @Argument(help: "The conflict marker size (git's %L).")
  var markerSize: Int = 7

  @Argument(help: "The file's path in the repository (git's %P).")
  var path: String?

  /// git's call of the driver, `merge-driver %O %A %B %L %P`, read without ArgumentParser:
  /// git runs the driver once per file, and building the parser's view of the arguments
  /// is a fifth of the driver's start-up. Anything else (an option such as `--help`, a
  /// marker size that is not a number) goes through the command tree as usual.
  struct GitCall {
    var base: String
    var ours: String
    var theirs: String
    var markerSize: Int
    var path: String?

    /// `arguments` without the program's name.
    init?(_ arguments: [String]) {
      guard arguments.first == MergeDriverCommand.configuration.commandName,
        arguments.count == 5 || arguments.count == 6,
        !arguments.dropFirst().contains(where: { $0.hasPrefix("-") }), let size = Int(arguments[4])
      else { return nil }
      (base, ours, theirs, markerSize) = (arguments[1], arguments[2], arguments[3], size)
      path = arguments.count == 6 ? arguments[5] : nil
    }

    func run() throws {
      try MergeDriverCommand.merge(base: base, ours: ours, theirs: theirs, markerSize: markerSize, path: path)
    }
  }

  func run() throws {
    try Self.merge(base: base, ours: ours, theirs: theirs, markerSize: markerSize, path: path)
  }

  static func merge(base: String, ours: String, theirs: String, markerSize: Int, path: String?) throws {
    let workTree = FileSystem.currentDirectory
    let driver = MergeDriver(workTree: workTree, today: { today(in: $0) })
    let shown = path ?? ours
    let outcome: MergeDriver.Outcome
    do {
      outcome = try driver.run(
        MergeDriver.Input(base: base, ours: ours, theirs: theirs, markerSize: markerSize, path: path ?? ours))
    } catch {
      Console.err("tally merge-driver: \(shown): \(error); left as ours for git to report\n")
      throw Exit.failure
    }
    switch outcome.method {
    case .record:
      for conflict in outcome.conflicts {
        Console.err("tally: conflict in \(shown): \(conflict)\n")
      }
    case .lines(let reason):
      Console.err("tally: \(shown) merged line by line: \(reason)\n")
    }
    if outcome.hasConflicts { throw Exit.findings }
  }
}
