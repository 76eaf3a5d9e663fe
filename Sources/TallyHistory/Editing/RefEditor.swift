import Foundation
import TallyGit
import TallyRecords
import TallySchema
import TallyText

/// Edits of one record committed on a ref, without a working tree or an index: what
/// `tally serve --allow commit` saves (docs/serve-editing.md).
///
/// A save goes the same way every time and changes nothing until its last step:
///
/// 1. The edit is made on the record as it was in the commit the form was made from, with
///    ``RecordEditing`` over that commit's files (layout and comments of untouched lines
///    kept; values checked against the schema).
/// 2. When the ref has moved since, the edit is merged into the record at the new tip with
///    ``RecordMerge`` (base: the form's record; ours: the edit; theirs: the tip's). The
///    same field changed on both sides is a ``Outcome/conflicts(_:)``.
/// 3. The new text is checked among the tip's records, as `tally check` would check it.
/// 4. A commit object is written on the tip (author: the person; committer: `tally serve`;
///    a `Tally-Via: web` trailer) and checked against the ownership policy as if the person
///    had pushed it (a proposal is checked when it is applied, as the person applying it).
/// 5. The ref moves to it only if it still points at the tip (compare and swap); if it moved
///    in between, the save starts again from step 2.
///
/// A refused save leaves every reference as it was; the commit object of step 4, when the
/// policy refuses it, stays unreferenced until `git gc` prunes it.
public final class RefEditor: @unchecked Sendable {
  public let history: History
  /// The full name of the reference edits land on (`refs/heads/main`).
  public let reference: String

  /// The committer of every commit the server makes.
  public static let committerName = "tally serve"
  public static let committerEmail = "tally-serve@localhost"
  /// The trailer that marks a commit made through the web app.
  public static let trailer = "Tally-Via: web"
  /// Where proposals are kept (`--allow propose`).
  public static let proposalsPrefix = "refs/tally/proposals/"

  /// - Throws: When `ref` names no reference (a commit id cannot be moved).
  public init(history: History, ref: String) throws {
    self.history = history
    guard let name = try history.git.referenceName(ref) else {
      throw HistoryError.unreadable("'\(ref)' is not a branch or a reference, so edits have nothing to move")
    }
    self.reference = name
  }

  /// The commit the ref points at now.
  public func tip() throws -> CommitID { try history.git.commit(reference) }

  /// An editor of the records as `commit` has them (its settings and schemas too).
  public func editing(at commit: CommitID, today: CivilDate) throws -> RecordEditing {
    let files = try history.records(at: commit).snapshotFiles()
    let repository = try history.records.at(files, name: commit.short())
    return RecordEditing(repository: repository, today: today, base: .snapshot(files, name: "commit " + commit.short()))
  }

  /// Whether `text` names a commit of the repository (a form's hidden field).
  public func commit(named text: String) -> CommitID? {
    guard text.count == 40, let id = ObjectID(hex: text), (try? history.git.commitInfo(id)) != nil else { return nil }
    return id
  }

  /// The people as the policy of `commit` sees them (`actors` in policy.yaml, or its
  /// defaults when there is no policy): who a signed-in name is.
  public func people(at commit: CommitID, today: CivilDate) throws -> StaffDirectory {
    var settings = ActorSettings()
    let policyPath = (history.prefix.isEmpty ? "" : history.prefix + "/") + Policy.fileName
    if let blob = try history.git.blobID(in: try history.git.tree(ofCommit: commit), at: policyPath),
      let policy = PolicyLoader.load(try history.git.blob(blob), schema: history.records.schema).0
    {
      settings = policy.actors
    }
    var staff: [(id: String, value: Value)] = []
    for (id, value) in try history.records(at: commit).records(of: settings.type) {
      staff.append((id, value.decoded))
    }
    return StaffDirectory(records: staff, settings: settings, schema: history.records.schema, today: today)
  }

  // MARK: - Saving

  /// What an edit does to its record.
  public enum Change: Sendable {
    /// Scalar fields set (or removed, with an empty text).
    case set([RecordEditing.Assignment])
    /// An item appended to a list field, from `field=value` arguments (``RecordEditing/add(_:list:arguments:)``).
    case add(list: FieldPath, arguments: [String])
  }

  /// One edit of one record, as a form sends it.
  public struct Edit: Sendable {
    public var type: String
    public var id: String
    public var change: Change

    public init(type: String, id: String, change: Change) {
      self.type = type
      self.id = id
      self.change = change
    }
  }

  /// Who makes the edit: a staff record's id, name and e-mail address.
  public struct Author: Sendable {
    public var staffID: String
    public var name: String
    public var email: String

    public init(staffID: String, name: String, email: String) {
      self.staffID = staffID
      self.name = name
      self.email = email
    }

    /// The person's name and their first identity that is an e-mail address (else
    /// `ID@staff.invalid`, a name no mail goes to).
    public init(_ person: Person) {
      self.staffID = person.id
      self.name = person.name ?? person.id
      self.email = person.identities.first { $0.contains("@") } ?? person.id + "@staff.invalid"
    }
  }

  /// Where a saved edit goes.
  public enum Destination: Sendable {
    /// On the ref.
    case ref
    /// A proposal, `refs/tally/proposals/<n>`, for a team lead to apply or reject.
    case proposal
    /// No reference: everything is checked, nothing moves (may this person make it?).
    case nowhere
  }

  /// One field both sides changed: the record at the form's commit, at the tip and as the
  /// edit has it.
  public struct Conflicts: Sendable {
    public var tip: CommitID
    public var fields: [RecordMerge.Conflict]
  }

  public enum Outcome: Sendable {
    /// The edit landed: the new commit (on the ref, or the proposal's reference).
    case committed(CommitID, reference: String, merged: Bool)
    /// The edit changes nothing (or the tip has it already).
    case unchanged
    /// The edit's values do not fit the schema, or the record is not there.
    case refused(RecordEditing.Failure)
    /// The record the edit makes has errors among the tip's records.
    case invalid(CheckReport)
    /// The ref moved and changed the same fields.
    case conflicts(Conflicts)
    /// The ownership policy does not let the person make the change.
    case denied(PolicyReport)
  }

  /// Makes `edit` on the record as of `base` (the form's commit) and commits it at the
  /// ref's tip (see the type's overview).
  public func save(
    _ edit: Edit, base: CommitID, author: Author, today: CivilDate, to destination: Destination = .ref,
    now: Date = Date()
  ) throws -> Outcome {
    let baseEditing = try editing(at: base, today: today)
    let made: RecordEditing.Outcome
    switch Result(catching: { () throws(RecordEditing.Failure) -> RecordEditing.Outcome in
      let target = try baseEditing.target(type: edit.type, id: edit.id)
      switch edit.change {
      case .set(let assignments): return try baseEditing.set(target, assignments: assignments)
      case .add(let list, let arguments): return try baseEditing.add(target, list: list, arguments: arguments)
      }
    }) {
    case .success(let outcome): made = outcome
    case .failure(let error): return .refused(error)
    }
    if made.isUnchanged { return .unchanged }
    // A proposal stays on the commit the form was made from: whoever applies it merges.
    if destination == .proposal {
      return try commit(
        made.text, original: made.original ?? [], relativePath: made.relativePath, on: base,
        editing: baseEditing, author: author, actor: author.staffID, today: today, now: now, merged: false,
        destination: .proposal)
        ?? .unchanged
    }
    return try land(
      made.text, base: made.original ?? [], type: edit.type, id: edit.id, relativePath: made.relativePath,
      from: base, baseEditing: baseEditing, author: author, actor: author.staffID, today: today, now: now)
  }

  /// Puts `ours` — the record at `relativePath` as an edit made on `from` has it, where it was
  /// `base` — on the ref's tip: merged with the tip's record when the ref moved, checked, and
  /// committed (author `author`, the policy judging `actor`) with a compare-and-swap.
  func land(
    _ ours: [UInt8], base: [UInt8], type: String, id: String, relativePath: String, from: CommitID,
    baseEditing: RecordEditing?, author: Author, actor: String, today: CivilDate, now: Date, move: Bool = true
  ) throws -> Outcome {
    // The ref may move between the look and the swap: look again then (a few times).
    for _ in 0..<5 {
      let tip = try self.tip()
      var text = ours
      let editing: RecordEditing
      let theirs: [UInt8]
      if tip == from, let baseEditing {
        editing = baseEditing
        theirs = base
      } else {
        editing = try self.editing(at: tip, today: today)
        let tipEditing = editing
        guard
          case .success(let bytes) = Result(catching: { () throws(RecordEditing.Failure) -> [UInt8] in
            try tipEditing.originalBytes(of: try tipEditing.target(type: type, id: id))
          })
        else {
          return .refused(.io("\(type) \(id) was removed or cannot be read since the edit was made"))
        }
        theirs = bytes
        let merge = RecordMerge(
          type: editing.repository.schema.type(named: type), schema: editing.repository.schema, today: today)
        let result: RecordMerge.Result
        switch Result(catching: { () throws(RecordMerge.Unreadable) -> RecordMerge.Result in
          try merge.merge(base: base, ours: ours, theirs: theirs, path: relativePath)
        }) {
        case .success(let merged): result = merged
        case .failure(let error): return .refused(.io("the record cannot be merged: \(error)"))
        }
        if !result.isClean { return .conflicts(Conflicts(tip: tip, fields: result.conflicts)) }
        text = result.bytes
      }
      if text == theirs { return .unchanged }
      if let outcome = try commit(
        text, original: theirs, relativePath: relativePath, on: tip, editing: editing, author: author,
        actor: actor, today: today, now: now, merged: tip != from, destination: move ? .ref : .nowhere)
      {
        return outcome
      }
    }
    throw HistoryError.unreadable("\(reference) kept moving while the edit was saved; nothing was changed")
  }

  /// Checks `text` as the file at `relativePath` on `parent`, writes the commit, checks the
  /// policy and moves the reference. Nil when the reference moved (the caller merges again).
  func commit(
    _ text: [UInt8], original: [UInt8], relativePath: String, on parent: CommitID, editing: RecordEditing,
    author: Author, actor: String, today: CivilDate, now: Date, merged: Bool, destination: Destination
  ) throws -> Outcome? {
    let repository = editing.repository
    let checker = RepositoryChecker(repository: repository, today: today)
    let before = SnapshotFile(path: relativePath) { original }
    let baseline = checker.baseline(files: [before], name: parent.short(), cache: nil)
    let report: CheckReport
    switch Result(catching: { () throws(RecordEditing.Failure) -> CheckReport in
      try editing.checkEdited(relativePath, text: text, baseline: baseline)
    }) {
    case .success(let checked): report = checked
    case .failure(let error): return .refused(error)
    }
    if report.errorCount > 0 { return .invalid(report) }

    let git = history.git
    let path = (history.prefix.isEmpty ? "" : history.prefix + "/") + relativePath
    let tree = try git.tree(
      try git.tree(ofCommit: parent), applying: [.write(path: path, bytes: text, executable: false)])
    let change = Committer.Change(path: relativePath, kind: .modified, old: original, new: text)
    let generated = CommitMessage.generate([change], repository: repository)
    let subject = String(generated.split(separator: "\n", omittingEmptySubsequences: false).first ?? "")
    let message = generated + "\n\n" + Self.trailer + "\n"
    let time = Int64(now.timeIntervalSince1970)
    let offset = TimeZones.offsetMinutes(repository.config.timeZone, at: Int(time)) ?? 0
    let commit = try git.writeCommit(
      tree: tree, parents: [parent], message: message,
      author: Signature(name: author.name, email: author.email, time: time, offsetMinutes: offset),
      committer: Signature(name: Self.committerName, email: Self.committerEmail, time: time, offsetMinutes: offset))
    // A proposal is judged when someone applies it, as that person: proposing is how a rep
    // asks for a change the policy leaves to the lead.
    if destination != .proposal {
      let policy = try PolicyChecker(history: history).check(
        [commit], options: .init(actor: actor, actorSource: "signed in to tally serve", today: today))
      if policy.results.contains(where: { !$0.diagnostics.isEmpty }) { return .denied(policy) }
    }

    switch destination {
    case .ref:
      let moved = try Self.swap { () throws(GitError) in
        try git.updateReference(reference, to: commit, expecting: parent, message: "tally serve: " + subject)
      }
      return moved ? nil : .committed(commit, reference: reference, merged: merged)
    case .nowhere:
      return .committed(commit, reference: "", merged: merged)
    case .proposal:
      let taken = Set(try git.references(under: Self.proposalsPrefix).map(\.name))
      var number = taken.count + 1
      while true {
        let name = Self.proposalsPrefix + String(number)
        if !taken.contains(name) {
          let moved = try Self.swap { () throws(GitError) in
            try git.updateReference(name, to: commit, expecting: nil, message: "tally serve: proposal")
          }
          if !moved { return .committed(commit, reference: name, merged: false) }
        }
        number += 1
      }
    }
  }

  /// Runs a reference update; true when it failed because the reference moved (or
  /// appeared) in the meantime.
  static func swap(_ update: () throws(GitError) -> Void) throws -> Bool {
    do {
      try update()
      return false
    } catch {
      if error.code == .modified || error.code == .exists { return true }
      throw error
    }
  }
}
