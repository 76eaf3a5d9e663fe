import Foundation
import TallyGit
import TallyRecords
import TallySchema
import TallyText

/// Checks commits against the ownership policy (`policy.yaml`): each commit against the
/// policy and staff **of its parent**, so a commit cannot grant itself rights; a merge for
/// what it introduced itself (present in none of its parents).
///
/// The field-level changes come from the history engine (cached per commit in the git
/// directory), the record values from its value store: checking a thousand commits reads
/// little more than their changed records.
public final class PolicyChecker {
  public let history: History

  /// Who is acting and on which day.
  public struct Options: Sendable {
    /// The actor for every commit (a pusher's login or `--as`): a staff id or an identity.
    /// Nil: each commit's author e-mail (advisory: anyone can write any author).
    public var actor: String?
    /// Where the actor came from, for messages (`GL_USERNAME`, `--as`).
    public var actorSource: String?
    /// The day of every change (the server's clock in a hook); nil: each commit's
    /// committer date.
    public var today: CivilDate?
    /// The policy and staff for commits without a parent (a new history pushed to a
    /// server is judged by what the server has).
    public var rootContext: ObjectID?

    public init(actor: String? = nil, actorSource: String? = nil, today: CivilDate? = nil, rootContext: ObjectID? = nil)
    {
      self.actor = actor
      self.actorSource = actorSource
      self.today = today
      self.rootContext = rootContext
    }
  }

  /// The policy and the people as one commit has them.
  struct Context {
    var commit: ObjectID?
    /// Nil with no diagnostics: no policy file (everything allowed).
    var policy: Policy?
    var policyProblems: [Diagnostic]
    var people: StaffDirectory?
    /// The policy file's blob, for excerpts.
    var policyBlob: ObjectID?
  }

  private var policies: [ObjectID: (Policy?, [Diagnostic])] = [:]
  private var peopleByTree: [ObjectID: StaffDirectory] = [:]
  private var contexts: [ObjectID: Context] = [:]

  public init(history: History) {
    self.history = history
  }

  var records: RecordsRepository { history.records }
  var git: Repository { history.git }
  var policyPath: String { history.records.displayPath(Policy.fileName) }

  // MARK: Checking commits

  /// Checks `commits` (oldest first, parents before children).
  public func check(_ commits: [ObjectID], options: Options = .init()) throws -> PolicyReport {
    let changes = try history.changes(commits)
    var results: [PolicyReport.CommitResult] = []
    var refused = Set<ObjectID>()
    var contextOf: [ObjectID: ObjectID?] = [:]
    for commit in changes {
      // The parent's policy and staff, unless the parent was refused in this same check:
      // then what the parent was judged by (a refused commit grants nothing to its children).
      var contextCommit: ObjectID? = commit.parents.first ?? options.rootContext
      if let parent = commit.parents.first, refused.contains(parent), let inherited = contextOf[parent] {
        contextCommit = inherited
      }
      contextOf[commit.id] = contextCommit
      let result = try check(commit, context: try context(at: contextCommit), options: options)
      if !result.diagnostics.isEmpty { refused.insert(commit.id) }
      results.append(result)
    }
    history.save()
    return PolicyReport(results: results)
  }

  func check(_ commit: CommitChanges, context: Context, options: Options) throws -> PolicyReport.CommitResult {
    var result = PolicyReport.CommitResult(
      commit: commit.id,
      summary: String(commit.message.split(separator: "\n", omittingEmptySubsequences: false).first ?? ""), actor: nil)
    let (policyChange, policyNew) = try policyFileChange(commit)
    guard context.policy != nil || !context.policyProblems.isEmpty else { return result }
    guard let policy = context.policy else {
      var problem = Diagnostic(
        .error, code: "policy-invalid",
        message:
          "\(policyPath) has errors at \(context.commit?.short() ?? "the parent"), so every change is refused until it is fixed",
        path: policyPath,
        hint: "fix the policy in a commit of its own (run 'tally check' on it) and push that first")
      problem.notes = context.policyProblems.prefix(10).map {
        Diagnostic.Note(message: "\($0.code): \($0.message)", path: $0.path, range: $0.range)
      }
      result.diagnostics.append(problem)
      return result
    }
    guard let people = context.people else { return result }
    // Who is acting.
    let actorText = options.actor ?? commit.author.email
    let source = options.actorSource ?? "author e-mail"
    guard let actor = people.person(named: actorText) else {
      result.diagnostics.append(
        Diagnostic(
          .error, code: "policy-actor",
          message:
            "\(actorText) (\(source)) is not anyone in the \(policy.actors.type) records, so nothing it does is allowed",
          path: policyPath,
          hint:
            "add '\(actorText)' to the \(policy.actors.identities.last ?? "git_identities") of the person's \(policy.actors.type) record (a commit the manager makes), or act as a known person"
        ))
      return result
    }
    result.actor = actor
    guard actor.active else {
      result.diagnostics.append(
        Diagnostic(
          .error, code: "policy-actor", message: "\(actor.label) has left, so nothing they do is allowed",
          path: policyPath, hint: "a person who is back needs their status set again in their record"))
      return result
    }
    if policy.requireAuthor, options.actor != nil {
      let author = people.person(identity: commit.author.email)
      if author?.id != actor.id {
        result.diagnostics.append(
          Diagnostic(
            .error, code: "policy-author",
            message:
              "commit \(commit.id.short()) is authored by \(author?.label ?? commit.author.email) but pushed by \(actor.label); this policy requires people to push their own commits",
            path: policyPath,
            hint: "let the author push it, or have it re-authored ('git commit --amend --reset-author')"))
        return result
      }
    }
    if let blob = context.policyBlob { result.sources[policyPath] = try? git.blob(blob) }
    let today = options.today ?? day(of: commit.committer)
    let judge = PolicyJudge(policy: policy, schema: records.schema)
    // The files that are not records.
    if let operation = policyChange {
      let verdict = judge.judgeFile(type: PolicyPseudoType.policy, operation: operation, actor: actor)
      if !verdict.allowed {
        result.diagnostics.append(
          verdict.diagnostic(actor: actor, what: Policy.fileName, path: policyPath, range: nil, policyPath: policyPath))
      }
      // A policy with errors would refuse every later push, this one's fix included.
      if let policyNew {
        let problems = loadPolicy(policyNew)?.1.filter { $0.severity == .error } ?? []
        if !problems.isEmpty {
          var problem = Diagnostic(
            .error, code: "policy-invalid",
            message: "the new \(Policy.fileName) has errors; with it every later change would be refused",
            path: policyPath, hint: "run 'tally check' and fix it before pushing")
          problem.notes = problems.prefix(10).map {
            Diagnostic.Note(message: "\($0.code): \($0.message)", path: $0.path, range: $0.range)
          }
          result.diagnostics.append(problem)
        }
      }
    }
    if commit.schemaChanged {
      let verdict = judge.judgeFile(type: PolicyPseudoType.settings, operation: .change, actor: actor)
      if !verdict.allowed {
        result.diagnostics.append(
          verdict.diagnostic(
            actor: actor, what: "the settings (tally.yaml, schemas)",
            path: records.displayPath(records.config.schemaDirectory), range: nil, policyPath: policyPath))
      }
    }
    let resolve = resolver(at: context.commit, people: people)
    for change in commit.records {
      for (type, id, before, after, newBlob) in try recordChanges(change) {
        let judged = PolicyJudge.Change(type: type, id: id, before: before, after: after)
        var actions = PolicyAction.actions(
          from: before, to: after, spec: records.schema.type(named: type)?.object)
        if commit.parents.count > 1 {
          actions = try introducedByMerge(
            actions, type: type, id: id, after: after, otherParents: commit.parents.dropFirst())
        }
        if actions.isEmpty { continue }
        let verdicts = judge.judge(judged, actions: actions, actor: actor, today: today, resolve: resolve)
        let denied = verdicts.filter { !$0.allowed }
        if denied.isEmpty { continue }
        let path = records.displayPath(records.schema.type(named: type)?.path(of: id) ?? type + "/" + id + ".yaml")
        let bytes = try (newBlob ?? change.oldBlob).map { try git.blob($0) }
        let tree = bytes.flatMap { SyntaxTree.parse($0).tree }
        if let bytes { result.sources[path] = bytes }
        for verdict in denied {
          let range = verdict.action.path.flatMap { path in tree.flatMap { PolicyVerdict.locate(path, in: $0) } }
          result.diagnostics.append(
            verdict.diagnostic(actor: actor, what: "\(type) \(id)", path: path, range: range, policyPath: policyPath))
        }
      }
    }
    return result
  }

  /// The changes of one record change as before/after values: a rename is the old record
  /// deleted and the new one created.
  func recordChanges(_ change: RecordChange) throws -> [(String, String, Value?, Value?, ObjectID?)] {
    func value(_ blob: ObjectID?) throws -> Value? {
      guard let blob else { return nil }
      return try history.recordValues.values([blob]).first??.decoded
    }
    switch change.kind {
    case .added:
      return [(change.type, change.id, nil, try change.value ?? value(change.newBlob), change.newBlob)]
    case .removed:
      return [(change.type, change.id, try value(change.oldBlob), nil, nil)]
    case .modified:
      return [(change.type, change.id, try value(change.oldBlob), try value(change.newBlob), change.newBlob)]
    case .renamed:
      let old = try value(change.oldBlob)
      return [
        (change.oldType ?? change.type, change.oldID ?? change.id, old, nil, nil),
        (change.type, change.id, nil, try value(change.newBlob) ?? old, change.newBlob),
      ]
    }
  }

  /// Of the operations a merge made against its first parent, those it made against every
  /// other parent too: what the merge itself introduced, not what it brought from a side.
  func introducedByMerge(
    _ actions: [PolicyAction], type: String, id: String, after: Value?, otherParents: ArraySlice<ObjectID>
  ) throws -> [PolicyAction] {
    var kept = actions
    let spec = records.schema.type(named: type)?.object
    for parent in otherParents {
      let before = try recordValue(type: type, id: id, at: parent)
      let fromThisSide = Set(PolicyAction.actions(from: before, to: after, spec: spec).map(Key.init))
      kept = kept.filter { fromThisSide.contains(Key($0)) }
      if kept.isEmpty { break }
    }
    return kept
  }

  /// An operation as two sides of a merge can share it: removals by the item removed (its
  /// position differs between the sides), the others by operation and path.
  struct Key: Hashable {
    var operation: PolicyOperation
    var path: FieldPath?
    var removed: Value?

    init(_ action: PolicyAction) {
      operation = action.operation
      if action.operation == .remove || action.operation == .delete {
        path = action.path.map { FieldPath($0.components.filter { if case .key = $0 { true } else { false } }) }
        removed = action.itemBefore
      } else {
        path = action.path
      }
    }
  }

  func recordValue(type: String, id: String, at commit: ObjectID) throws -> Value? {
    guard let recordType = records.schema.type(named: type) else { return nil }
    let tree = try git.tree(ofCommit: commit)
    let lead = history.prefix.isEmpty ? "" : history.prefix + "/"
    for path in recordType.paths(of: id) {
      if let blob = try git.blobID(in: tree, at: lead + path) {
        return try history.recordValues.values([blob]).first??.decoded
      }
    }
    return nil
  }

  /// How `policy.yaml` changed in `commit` against its first parent.
  func policyFileChange(_ commit: CommitChanges) throws -> (PolicyOperation?, ObjectID?) {
    let new = try policyBlob(at: commit.id)
    let old = try commit.parents.first.flatMap { try policyBlob(at: $0) }
    switch (old, new) {
    case (nil, nil): return (nil, nil)
    case (nil, _?): return (.create, new)
    case (_?, nil): return (.delete, nil)
    case (let a?, let b?): return (a == b ? nil : .change, b)
    }
  }

  func policyBlob(at commit: ObjectID) throws -> ObjectID? {
    let path = (history.prefix.isEmpty ? "" : history.prefix + "/") + Policy.fileName
    return try git.blobID(in: try git.tree(ofCommit: commit), at: path)
  }

  // MARK: Contexts

  func context(at commit: ObjectID?) throws -> Context {
    guard let commit else { return Context(commit: nil, policy: nil, policyProblems: [], people: nil) }
    if let known = contexts[commit] { return known }
    var context = Context(commit: commit, policy: nil, policyProblems: [], people: nil)
    if let blob = try policyBlob(at: commit) {
      context.policyBlob = blob
      // Unreadable is not absent: fail closed.
      let (policy, problems) =
        loadPolicy(blob) ?? (nil, [Diagnostic(.error, code: "unreadable", message: "cannot read it", path: policyPath)])
      context.policy = policy
      context.policyProblems = problems.filter { $0.severity == .error }
      if let policy { context.people = try people(at: commit, settings: policy.actors) }
    }
    contexts[commit] = context
    return context
  }

  /// The policy in `blob` and its problems (each blob read once); nil when it cannot be read.
  func loadPolicy(_ blob: ObjectID) -> (Policy?, [Diagnostic])? {
    if let cached = policies[blob] { return cached }
    guard let bytes = try? git.blob(blob) else { return nil }
    let loaded = PolicyLoader.load(bytes, path: policyPath, schema: records.schema)
    policies[blob] = loaded
    return loaded
  }

  /// The staff of `commit` (read once per distinct staff directory).
  func people(at commit: ObjectID, settings: ActorSettings) throws -> StaffDirectory {
    guard let type = records.schema.type(named: settings.type) else {
      return StaffDirectory(records: [], settings: settings, schema: records.schema, today: day(of: nil))
    }
    let root = try git.subtree(try git.tree(ofCommit: commit), at: history.prefix)
    let directory = try root.flatMap { try git.subtree($0, at: type.directory) }
    if let directory, let known = peopleByTree[directory] { return known }
    var staff: [(id: String, value: Value)] = []
    for (id, value) in try history.records(at: commit).records(of: settings.type) {
      staff.append((id, value.decoded))
    }
    let people = StaffDirectory(records: staff, settings: settings, schema: records.schema, today: day(of: nil))
    if let directory { peopleByTree[directory] = people }
    return people
  }

  /// Finds referenced records (`owner.team`) as the context commit has them.
  func resolver(at commit: ObjectID?, people: StaffDirectory) -> (@Sendable (String, String) -> ObjectView?)? {
    guard let commit else { return nil }
    let snapshot = history.records(at: commit)
    let schema = records.schema
    let cache = ResolvedRecords()
    return { type, id in
      if let known = cache.get(type, id) { return known }
      guard let recordType = schema.type(named: type),
        let file = try? snapshot.file(RecordKey(type: type, id: id)),
        let value = SyntaxTree.parse(file.bytes).tree?.value
      else { return nil }
      let view = ObjectView(value: value, spec: recordType.object, recordType: type, id: id)
      cache.set(type, id, view)
      return view
    }
  }

  /// The day of `signature`'s time (nil: now) in the repository's time zone.
  func day(of signature: Signature?) -> CivilDate {
    let time = signature.map { Int($0.time) } ?? Int(Date().timeIntervalSince1970)
    let offset = TimeZones.offsetMinutes(records.config.timeZone, at: time) ?? 0
    return CivilDate(epochSeconds: time, offsetMinutes: offset)
  }

}

/// Records looked up while judging one commit, shared by the resolver's calls.
final class ResolvedRecords: @unchecked Sendable {
  private var values: [String: ObjectView] = [:]
  private let lock = NSLock()

  func get(_ type: String, _ id: String) -> ObjectView? {
    lock.lock()
    defer { lock.unlock() }
    return values[type + "/" + id]
  }

  func set(_ type: String, _ id: String, _ view: ObjectView) {
    lock.lock()
    values[type + "/" + id] = view
    lock.unlock()
  }
}

extension PolicyChecker {
  /// The commits of `range` (`A..B`, or a revision and its ancestors), parents first.
  public func commits(inRange range: String) throws -> [ObjectID] {
    try git.commits(inRange: range)
  }

  /// The commits a push brings, from git's pre-receive input (`old new ref` per line): those
  /// the new tips reach and no reference of the repository does. Deleting a reference
  /// brings none.
  public func pushedCommits(_ input: String) throws -> [ObjectID] {
    var tips: [ObjectID] = []
    for line in input.split(separator: "\n") {
      let parts = line.split(separator: " ")
      guard parts.count >= 3, let new = ObjectID(hex: String(parts[1])) else { continue }
      if new.hex != String(repeating: "0", count: 40) { tips.append(new) }
    }
    guard !tips.isEmpty else { return [] }
    return try git.commits(from: tips, hiding: try git.referencedCommits())
  }

  /// The repository's `HEAD`, when it has one: the policy new histories are judged by.
  public var headCommit: ObjectID? { try? git.commit("HEAD") }
}

extension History {
  /// The history of a repository that receives pushes (bare, on a git server), its settings
  /// read from `HEAD` at `prefix` (nil: found there, ``ServerHook/findPrefix(in:)``).
  public static func openServer(gitDirectory: String, prefix: String?) throws -> History {
    let git = try Repository.open(at: gitDirectory)
    guard (try? git.commit("HEAD")) != nil else {
      throw HistoryError.unreadable(
        "\(gitDirectory): it has no commits yet, so there is no policy to check a push against (push the first commit with the hook not yet installed)"
      )
    }
    guard let prefix = prefix ?? ServerHook.findPrefix(in: git) else {
      throw HistoryError.unreadable(
        "\(gitDirectory): HEAD has no tally.yaml at the top or one level down; pass --prefix DIR")
    }
    return try open(gitDirectory: gitDirectory, revision: "HEAD", prefix: prefix)
  }
}
