import TallyRecords
import TallySampleData
import TallySchema
import TallyText

/// Replays sample commits one by one and checks the records after each commit with Tally's
/// own checks (``ShippedChecks``): the whole snapshot with `RepositoryChecker`, against the
/// records before the commit for state transitions and the states new records start in,
/// and every written file for canonical form.
///
/// It also checks what no validator can know, because it is about the commits rather than
/// the records: the author is a staff member, as their record says; a deleted file existed;
/// a written file changed. And it checks the states of action items inside minutes, which
/// `tally check` does not compare between versions (transitions apply to a record's own
/// fields), against the transitions the loaded schema gives them.
///
/// On the way it notes what happened, for tests of the stories the sample data tells.
final class HistoryReplay {
  let checks: ShippedChecks
  /// Authors (by e-mail) who may commit without a staff record.
  var outsiders: Set<String> = []
  /// Whether a file out of canonical form is a problem, or a layout someone chose (it is
  /// then only noted in ``nonCanonicalWrites``).
  var acceptsHandEditedLayout = false
  /// Every file written out of canonical form: the commit and the path.
  private(set) var nonCanonicalWrites: [(commit: Int, path: String)] = []
  /// Results per file version, so that a commit validates only the files it wrote.
  private let cache = CheckCache(schemaKey: "schema/")
  private(set) var contents: [String: [UInt8]] = [:]
  /// The commit that wrote each file's content: its version's key in the cache.
  private var versions: [String: String] = [:]
  private(set) var values: [String: Value] = [:]
  /// The states of the records before the commit being replayed.
  private var baseline = TransitionChecker.Baseline(name: "the empty repository")
  private let actionItemStates: Transitions?
  private(set) var problems: [String] = []
  /// Customer path → its status after each commit that changed it.
  private(set) var statusHistory: [String: [String]] = [:]
  /// Customer path → its owner after each commit that changed it, with the commit number.
  private(set) var ownerHistory: [String: [(commit: Int, owner: String)]] = [:]
  /// Every state change seen: `customer lead -> prospect`, `action_item done -> open`...
  private(set) var transitionsSeen: Set<String> = []
  private(set) var commit = 0

  init(checks: ShippedChecks) {
    self.checks = checks
    let actionItems = checks.repository.schema.type(named: "minutes")?.object["action_items"]?.type
    if case .list(let list)? = actionItems, case .object(let item) = list.items.type {
      actionItemStates = item["status"]?.transitions
    } else {
      actionItemStates = nil
    }
  }

  func problem(_ text: String) {
    if problems.count < 200 { problems.append("commit \(commit): \(text)") }
  }

  func apply(_ event: SampleEvent) {
    commit += 1
    var changed: Set<String> = []
    for change in event.changes {
      let old = values[change.path]
      guard let content = change.content else {
        if contents[change.path] == nil { problem("\(change.path) is deleted but does not exist") }
        contents[change.path] = nil
        versions[change.path] = nil
        values[change.path] = nil
        continue
      }
      if contents[change.path] == content { problem("\(change.path) is in the commit but did not change") }
      contents[change.path] = content
      versions[change.path] = String(commit)
      changed.insert(change.path)
      // A file that does not parse is for tally check to report.
      guard let document = Document.parse(content, path: change.path).document else {
        values[change.path] = nil
        continue
      }
      if let problem = checks.formProblem(path: change.path, content: content, document: document) {
        nonCanonicalWrites.append((commit, change.path))
        if !acceptsHandEditedLayout { self.problem(problem) }
      }
      values[change.path] = document.value
      note(path: change.path, old: old, new: document.value)
    }

    let today = CivilDate(String(event.timestamp.prefix(10))) ?? CivilDate(year: 2026, month: 12, day: 31)
    let checker = RepositoryChecker(repository: checks.repository, today: today)
    let files = contents.keys.sorted().map { path in
      let content = contents[path]!
      return SnapshotFile(path: path, contentKey: versions[path]) { content }
    }
    let report = checker.check(files: files, baseline: baseline, cache: cache, changed: changed)
    for diagnostic in report.diagnostics { problem(ShippedChecks.describe(diagnostic)) }
    baseline = currentStates()

    let authorIsStaff = values.contains {
      $0.key.hasPrefix("staff/") && $0.value["email"]?.text == event.authorEmail
        && $0.value["name"]?.text == event.authorName
    }
    if !authorIsStaff && !outsiders.contains(event.authorEmail) {
      problem("author \(event.authorName) <\(event.authorEmail)> is not a staff record")
    }
  }

  /// The state fields of the records as they are now, for checking the next commit.
  private func currentStates() -> TransitionChecker.Baseline {
    let schema = checks.repository.schema
    let states = TransitionChecker(schema: schema)
    var baseline = TransitionChecker.Baseline(name: "commit \(commit)")
    for (path, value) in values {
      guard let (type, id) = schema.classify(path) else { continue }
      baseline.add(type: type.name, id: id, states: states.states(of: value, type: type))
    }
    return baseline
  }

  /// Notes the record's state changes, and checks those of its action items.
  private func note(path: String, old: Value?, new: Value) {
    let type = String(path.prefix { $0 != "/" })
    if let before = old?["status"]?.text, let after = new["status"]?.text, before != after {
      transitionsSeen.insert("\(checks.repository.schema.typeName(forDirectory: type) ?? type) \(before) -> \(after)")
    }
    if type == "customers" {
      statusHistory[path, default: []].append(new["status"]?.text ?? "")
      ownerHistory[path, default: []].append((commit, new["owner"]?.text ?? ""))
    }
    if type == "minutes" {
      let before = old?["action_items"]?.items ?? []
      let after = new["action_items"]?.items ?? []
      for (a, b) in zip(before, after) {
        guard let s0 = a["status"]?.text, let s1 = b["status"]?.text, s0 != s1 else { continue }
        if actionItemStates?.allows(from: s0, to: s1) != true {
          problem("\(path): an action item's status changes from \(s0) to \(s1), which its transitions do not allow")
        }
        transitionsSeen.insert("action_item \(s0) -> \(s1)")
      }
    }
  }
}
