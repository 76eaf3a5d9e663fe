import TallyRecords

/// Where in a history each record changed: for answering questions about one record (its
/// version, log, blame) without walking every change of every commit, as a server does once
/// per request. Built once per history, extended when commits are added on top.
public struct RecordChangeIndex: Sendable {
  /// A change's place: the commit's index in `commits`, the change's in its `records`.
  struct Position: Sendable, Comparable {
    var commit: Int
    var change: Int

    static func < (a: Position, b: Position) -> Bool { (a.commit, a.change) < (b.commit, b.change) }
  }

  /// The history (oldest first).
  public private(set) var commits: [CommitChanges]
  /// `type/id` → the places it changed, in history order.
  private var positions: [String: [Position]] = [:]

  /// The index of `commits` (oldest first, as ``History/changes(_:progress:)`` returns them).
  public init(_ commits: [CommitChanges]) {
    self.commits = []
    add(commits[...])
  }

  /// The index of `commits` when they are this index's commits and more (the same
  /// history with commits added on top): this one extended; otherwise built anew.
  public func updated(to commits: [CommitChanges]) -> RecordChangeIndex {
    guard !self.commits.isEmpty, commits.count >= self.commits.count,
      commits[self.commits.count - 1].id == self.commits.last?.id, commits.first?.id == self.commits.first?.id
    else { return RecordChangeIndex(commits) }
    var index = self
    index.add(commits[self.commits.count...])
    return index
  }

  private mutating func add(_ more: ArraySlice<CommitChanges>) {
    for commit in more {
      let number = commits.count
      for (change, record) in commit.records.enumerated() {
        positions[record.key, default: []].append(Position(commit: number, change: change))
      }
      commits.append(commit)
    }
  }

  /// The commits that changed the record `key` names, under that id or, through renames,
  /// the ids it had before — each narrowed to those changes, oldest first. The history's
  /// questions about one record (``History/events(of:in:)``, ``History/version(of:at:in:)``,
  /// ``History/log(of:in:field:includes:)``, ``History/blame(of:at:in:)``) answer the same
  /// from them as from the whole history.
  public func commits(of key: RecordKey) -> [CommitChanges] {
    // The walk of `events(of:in:)`: commits newest first, a commit's changes in order,
    // following a rename back to the id the record had before it.
    var current = "\(key.type)/\(key.id)"
    // Changes at or after this place have been looked at (under a later id).
    var bound = Position(commit: commits.count, change: -1)
    var chosen: [Int: [Int]] = [:]
    walking: while true {
      let places = positions[current] ?? []
      // Newest commit first; within a commit, in order; only places the walk has yet to pass.
      let candidates = places.filter {
        $0.commit < bound.commit || ($0.commit == bound.commit && $0.change > bound.change)
      }
      .sorted { ($0.commit, -$0.change) > ($1.commit, -$1.change) }
      for place in candidates {
        chosen[place.commit, default: []].append(place.change)
        let change = commits[place.commit].records[place.change]
        if change.kind == .renamed, let oldType = change.oldType, let oldID = change.oldID {
          current = "\(oldType)/\(oldID)"
          bound = place
          continue walking
        }
      }
      break
    }
    return chosen.keys.sorted().map { number in
      var commit = commits[number]
      let all = commit.records
      commit.records = chosen[number]!.sorted().map { all[$0] }
      return commit
    }
  }
}
