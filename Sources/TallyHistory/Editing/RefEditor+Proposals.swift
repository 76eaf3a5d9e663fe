import Foundation
import TallyGit
import TallyRecords
import TallySchema
import TallyText

extension RefEditor {
  /// An edit saved with `--allow propose`: a commit on the commit its form was made from, kept
  /// at `refs/tally/proposals/N` until someone applies or rejects it.
  public struct Proposal: Sendable {
    public var number: Int
    public var reference: String
    public var commit: CommitID
    /// The commit the form was made from.
    public var parent: CommitID
    public var authorName: String
    public var authorEmail: String
    /// Seconds since 1970.
    public var time: Int64
    public var summary: String
    public var type: String
    public var id: String
    public var relativePath: String
    public var before: [UInt8]
    public var after: [UInt8]

    /// The change, as a unified diff.
    public var diff: String {
      LineDiff.unified(
        old: String(decoding: before, as: UTF8.self), new: String(decoding: after, as: UTF8.self),
        oldName: "a/" + relativePath, newName: "b/" + relativePath)
    }
  }

  /// Every proposal, oldest number first. A reference under the prefix that is not one
  /// record's change (made by hand) is left out.
  public func proposals() throws -> [Proposal] {
    var found: [Proposal] = []
    for (name, commit) in try history.git.references(under: Self.proposalsPrefix) {
      guard let number = Int(name.dropFirst(Self.proposalsPrefix.count)),
        let proposal = try proposal(number: number, reference: name, commit: commit)
      else { continue }
      found.append(proposal)
    }
    return found.sorted { $0.number < $1.number }
  }

  /// The proposal `number`, nil when there is none.
  public func proposal(_ number: Int) throws -> Proposal? {
    try proposals().first { $0.number == number }
  }

  func proposal(number: Int, reference: String, commit: CommitID) throws -> Proposal? {
    let info = try history.git.commitInfo(commit)
    guard info.parents.count == 1, let change = try history.changes([commit]).first, change.records.count == 1,
      let record = change.records.first, record.kind == .modified, let old = record.oldBlob,
      let new = record.newBlob, let type = history.records.schema.type(named: record.type)
    else { return nil }
    return Proposal(
      number: number, reference: reference, commit: commit, parent: info.parents[0], authorName: info.author.name,
      authorEmail: info.author.email, time: info.author.time, summary: info.summary, type: record.type,
      id: record.id, relativePath: type.path(of: record.id), before: try history.git.blob(old),
      after: try history.git.blob(new))
  }

  /// Applies `proposal` on the ref's tip as `actor` (whom the policy judges; the commit keeps
  /// the proposer as its author), merged like a stale form; the proposal's reference is
  /// deleted once it landed.
  public func apply(_ proposal: Proposal, actor: Author, today: CivilDate, now: Date = Date()) throws -> Outcome {
    let author = Author(staffID: actor.staffID, name: proposal.authorName, email: proposal.authorEmail)
    let outcome = try land(
      proposal.after, base: proposal.before, type: proposal.type, id: proposal.id,
      relativePath: proposal.relativePath, from: proposal.parent, baseEditing: nil, author: author,
      actor: actor.staffID, today: today, now: now)
    switch outcome {
    case .committed, .unchanged: try reject(proposal)
    default: break
    }
    return outcome
  }

  /// Whether the policy lets `actor` put `proposal` on the ref's tip now (checked as
  /// ``apply(_:actor:today:now:)`` would, without moving anything).
  public func mayApply(_ proposal: Proposal, actor: Author, today: CivilDate, now: Date = Date()) throws -> Bool {
    let author = Author(staffID: actor.staffID, name: proposal.authorName, email: proposal.authorEmail)
    let outcome = try land(
      proposal.after, base: proposal.before, type: proposal.type, id: proposal.id,
      relativePath: proposal.relativePath, from: proposal.parent, baseEditing: nil, author: author,
      actor: actor.staffID, today: today, now: now, move: false)
    if case .denied = outcome { return false }
    return true
  }

  /// Deletes the proposal's reference (if it still names the same commit).
  public func reject(_ proposal: Proposal) throws {
    try history.git.deleteReference(proposal.reference, expecting: proposal.commit)
  }
}
