import TallyGit
import TallyRecords
import TallySchema

/// A branch's first-parent commits, oldest first, with the day each was made: the one
/// definition of "as of a day" for every command and report (`tally show --at`, `tally
/// report --at` and the as-of snapshots reports read).
///
/// A commit is made on its **author** day in the repository's time zone — the day the change
/// was recorded, which a rebase or a late merge keeps — the same clock reports date events
/// by. The commit in force at the end of a day is the last one, walking the timeline from
/// the oldest, made on or before that day; the walk stops at the first commit made after it
/// (after a rebase, author days need not rise along the branch).
public struct Timeline: Sendable {
  /// The commits, oldest first.
  public let ids: [CommitID]
  /// The day each commit was made (repository time zone), parallel to `ids`.
  public let days: [CivilDate]

  public init(ids: [CommitID], days: [CivilDate]) {
    precondition(ids.count == days.count, "a day for each commit")
    self.ids = ids
    self.days = days
  }

  /// The timeline of commits whose change data is known.
  public init(_ commits: [CommitChanges], text: ChangeText) {
    self.init(ids: commits.map(\.id), days: text.days(commits.map(\.author)))
  }

  /// Where in the timeline the commit in force at the end of `day` is; nil before the
  /// history starts.
  public func index(atEndOf day: CivilDate) -> Int? {
    var found: Int?
    for (index, commitDay) in days.enumerated() {
      if commitDay <= day { found = index } else { break }
    }
    return found
  }

  /// The commit in force at the end of `day`; nil before the history starts.
  public func commit(atEndOf day: CivilDate) -> CommitID? {
    index(atEndOf: day).map { ids[$0] }
  }

  /// The day of the first commit: what stood before it is not known.
  public var start: CivilDate? { days.first }
}

extension History {
  /// The first-parent timeline of `revision`, from the change data cached for its commits
  /// and, for commits not cached yet, from their headers alone (no records are compared).
  public func timeline(_ revision: String = "HEAD", text: ChangeText) throws -> Timeline {
    let ids = try commits(revision, firstParent: true)
    var authors: [Signature] = []
    authors.reserveCapacity(ids.count)
    for id in ids { authors.append(try author(of: id)) }
    return Timeline(ids: ids, days: text.days(authors))
  }
}
