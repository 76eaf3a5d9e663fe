import ArgumentParser
import Foundation
import TallyHistory

struct HistoryCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "history",
    abstract: "Work with the history cache.",
    subcommands: [Build.self])

  struct Build: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "build",
      abstract: "Read the history into the cache (the field-level changes of every commit).",
      discussion: """
        Walks the history of REV (first parents by default), works out for each commit the \
        records added, removed, renamed and changed and the fields that changed, and keeps \
        the result in the git directory (.git/tally/history-*), so that log, blame, diff and \
        the reports only process commits they have not seen. Other commands do this on \
        their own; run it to warm the cache ahead of time (e.g. in CI), or with --stats to \
        see where the time goes. What it works out is saved a batch of commits at a time, \
        so an interrupted build keeps what it finished and the next one goes on from there.
        """)

    @Argument(help: "The revision whose history to read.")
    var revision = "HEAD"

    @Flag(help: "Print what was done and where the time went.")
    var stats = false

    @Flag(help: "Follow every parent of merges, not only first parents.")
    var allParents = false

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var global: GlobalOptions

    func run() throws {
      let start = Date()
      let context = try HistoryContext.open(repository)
      let count = try context.build(revision, allParents: allParents)
      let elapsed = Date().timeIntervalSince(start)
      let s = context.history.stats
      var out = "read \(count) commits: \(s.computed) computed, \(s.fromCache) from the cache"
      out += s.cacheDamaged ? " (the cache was damaged and is rebuilt)\n" : "\n"
      if stats {
        out += "  record changes \(s.recordChanges), field changes \(s.fieldChanges), blobs parsed \(s.blobsParsed)\n"
        for (label, seconds) in s.seconds.sorted(by: { $0.value > $1.value }) {
          out += "  \(label.padding(toLength: 18, withPad: " ", startingAt: 0)) \(String(format: "%.3f", seconds)) s\n"
        }
        out += "  total              \(String(format: "%.3f", elapsed)) s\n"
      }
      Console.out(out)
    }
  }
}
