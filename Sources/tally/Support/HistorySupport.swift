import ArgumentParser
import TallyHistory
import TallyRecords
import TallySchema
import TallyText

/// `--format text|json` for the history commands.
enum DataFormat: String, ExpressibleByArgument, CaseIterable {
  case text
  case json
}

/// `--since DATE`, `--until DATE` and `--all-parents`, shared by the history commands.
struct HistoryRangeOptions: ParsableArguments {
  @Option(
    help: ArgumentHelp("Only commits on or after this date (YYYY-MM-DD, repository time zone).", valueName: "date"))
  var since: String?

  @Option(help: ArgumentHelp("Only commits on or before this date (YYYY-MM-DD).", valueName: "date"))
  var until: String?

  @Flag(help: "Follow every parent of merges, not only the branch's own (first-parent) timeline.")
  var allParents = false

  func validate() throws {
    for (name, value) in [("--since", since), ("--until", until)] {
      if let value, CivilDate(value) == nil {
        throw ValidationError("\(name): not a date: '\(value)' (write YYYY-MM-DD)")
      }
    }
  }

  /// Whether a commit falls inside the dates.
  func includes(_ commit: CommitChanges, text: ChangeText) -> Bool {
    let day = text.day(commit.author)
    if let since, let from = CivilDate(since), day < from { return false }
    if let until, let to = CivilDate(until), day > to { return false }
    return true
  }
}

/// What the history commands need: the repository, its history and how to word changes.
struct HistoryContext {
  let records: RecordsRepository
  let history: History
  private let wording: Wording

  /// How changes are worded: made when first asked for, as it reads every staff file (the
  /// SQL database's update never asks).
  var text: ChangeText { wording.text }

  private final class Wording: @unchecked Sendable {
    let records: RecordsRepository
    lazy var text = ChangeText(records: records, people: People.load(records))
    init(_ records: RecordsRepository) { self.records = records }
  }

  static func open(_ options: RepositoryOptions) throws -> HistoryContext {
    let records = try options.open()
    do {
      return HistoryContext(records: records, history: try History.open(records), wording: Wording(records))
    } catch {
      Console.err("tally: \(error)\n")
      throw Exit.failure
    }
  }

  /// The change data of the commits reachable from `revision`, with a progress bar for long
  /// walks; the cache is saved afterwards.
  func changes(_ revision: String, allParents: Bool) throws -> [CommitChanges] {
    do {
      let ids = try history.commits(revision, firstParent: !allParents)
      let progress = Progress(label: "reading history")
      let result = try history.changes(ids) { progress.update($0, of: $1) }
      progress.finish()
      history.save()
      return result
    } catch {
      Console.err("tally: cannot read the history of \(revision): \(error)\n")
      throw Exit.failure
    }
  }

  /// Fills the history cache with the change data of the commits reachable from
  /// `revision` (``History/build(_:progress:)``: what is computed is saved as it is made, not
  /// kept), with a progress bar; returns how many commits there are.
  func build(_ revision: String, allParents: Bool) throws -> Int {
    do {
      let ids = try history.commits(revision, firstParent: !allParents)
      let progress = Progress(label: "reading history")
      try history.build(ids) { progress.update($0, of: $1) }
      progress.finish()
      return ids.count
    } catch {
      Console.err("tally: cannot read the history of \(revision): \(error)\n")
      throw Exit.failure
    }
  }

  /// The commit `revision` names; exit 2, saying why, when it names none.
  func resolve(_ revision: String) throws -> CommitID {
    do {
      return try history.resolve(revision)
    } catch {
      Console.err("tally: \(error)\n")
      throw Exit.failure
    }
  }

  /// Exits 1, saying why, when a schema file defines no type: history and reports read
  /// records by the repository's schemas, so the records of that type would be missing
  /// (a report would count none, a diff would show no change to them).
  func requireEveryType(_ action: String) throws {
    let unloaded = records.unloadedSchemaFiles
    guard !unloaded.isEmpty else { return }
    Console.err(
      "tally: cannot \(action): \(unloaded.joined(separator: ", ")) cannot be read as a record type, so the records of its type would be missing; fix it first (see 'tally check')\n"
    )
    throw Exit.findings
  }

  /// The record `text` names; a usage error (exit 64, one line and a hint) when it names none.
  func key(_ text: String) throws -> RecordKey {
    do throws(RecordsRepository.RecordNameError) {
      return try RecordKey(named: text, in: records, from: FileSystem.currentDirectory)
    } catch {
      Console.err("tally: \(error.message)\n")
      if let hint = error.hint { Console.err("  \(hint)\n") }
      throw ExitCode.validationFailure
    }
  }
}
