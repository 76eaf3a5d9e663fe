import Foundation
import TallyGit
import TallySchema
import TallyText

/// Collects the state of a full check (see ``CheckState``), file by file.
struct StateBuilder {
  let files: [SnapshotFile]
  let repository: RecordsRepository
  let today: CivilDate
  private var entries: [CheckState.Entry?]

  init(files: [SnapshotFile], repository: RecordsRepository, today: CivilDate) {
    self.files = files
    self.repository = repository
    self.today = today
    entries = Array(repeating: nil, count: files.count)
  }

  mutating func record(_ position: Int, type: Int, summary: RecordSummary?, _ found: [Diagnostic]) {
    let file = files[position]
    entries[position] = CheckState.Entry(
      path: file.path, key: file.contentKey ?? "", record: (type, summary), diagnostics: found)
  }

  /// The state, or nil when the snapshot cannot have one: files without blob ids, not in
  /// byte order, or schemas with errors (records of unknown types).
  func build(layoutProblems: [Int: Diagnostic], across: [Diagnostic]) -> CheckState? {
    guard repository.unloadedSchemas == 0, files.allSatisfy({ $0.contentKey != nil }),
      RepositoryChecker.inByteOrder(files)
    else { return nil }
    var entries = self.entries
    if !across.isEmpty {
      let display = repository.displayPath
      var byPath: [String: [Diagnostic]] = [:]
      for diagnostic in across { byPath[diagnostic.path, default: []].append(diagnostic) }
      for (position, file) in files.enumerated() {
        guard let found = byPath[display(file.path)], entries[position] != nil else { continue }
        entries[position]!.diagnostics += found
      }
    }
    var builder = CheckState.Builder(capacity: files.count * 128)
    for (position, file) in files.enumerated() {
      builder.append(
        entries[position]
          ?? CheckState.Entry(
            path: file.path, key: file.contentKey!, record: nil,
            diagnostics: layoutProblems[position].map { [$0] } ?? []))
    }
    return builder.build(
      schemaKey: RecordsRepository.schemaKey(of: files, schemaDirectory: repository.config.schemaDirectory),
      today: today, displayProbe: CheckState.displayProbe(repository.displayPath))
  }
}

extension RepositoryChecker {
  /// Whether the files' paths are in the order of their UTF-8 bytes (git's order).
  static func inByteOrder(_ files: [SnapshotFile]) -> Bool {
    files.indices.dropFirst().allSatisfy { compareBytes(files[$0 - 1].path, files[$0].path) < 0 }
  }

  static func compareBytes(_ a: String, _ b: String) -> Int {
    var a = a
    var b = b
    return a.withUTF8 { x in b.withUTF8 { y in compareBytes(x, y) } }
  }

  /// -1, 0 or 1 as `x` sorts before, with or after `y`, byte by byte.
  static func compareBytes(_ x: UnsafeBufferPointer<UInt8>, _ y: UnsafeBufferPointer<UInt8>) -> Int {
    let count = min(x.count, y.count)
    let order = count == 0 ? 0 : memcmp(x.baseAddress!, y.baseAddress!, count)
    if order != 0 { return order < 0 ? -1 : 1 }
    return x.count == y.count ? 0 : (x.count < y.count ? -1 : 1)
  }

  /// How many files may differ from the state for an incremental check to be worth it.
  static let incrementalChangeLimit = 2000
  /// How many records an incremental check may validate again.
  static let incrementalRecordLimit = 20000

  /// Checks a snapshot that differs from the one `state` was made for in a few files: the
  /// result is the same as a full check's (``check(files:only:baseline:cache:changed:progress:recordState:)``),
  /// and its `state` describes this snapshot — made only when the snapshot differs from
  /// `state` in more than ``GitChecker/stateRewriteThreshold`` files (below that, callers
  /// keep the state they read) or `nextState` asks for it. Nil when an incremental check does
  /// not apply (other schemas or day, files without blob ids or not in git's order, too many
  /// changes): check in full.
  func checkIncrementally(
    files: [SnapshotFile], state: CheckState, only: Set<String>? = nil,
    baseline: TransitionChecker.Baseline? = nil, changed: Set<String>? = nil, nextState: Bool = false
  ) -> CheckReport? {
    checkIncrementally(
      files: SnapshotFiles(files), state: state, only: only, baseline: baseline, changed: changed,
      nextState: nextState)
  }

  /// As above, for files of any storage (an index's entries are made into files only where
  /// looked at).
  func checkIncrementally(
    files: SnapshotFiles, state: CheckState, only: Set<String>? = nil,
    baseline: TransitionChecker.Baseline? = nil, changed: Set<String>? = nil, nextState: Bool = false
  ) -> CheckReport? {
    let repository = self.repository
    let display = repository.displayPath
    let schema = repository.schema
    // Transitions of every record (no list of changed files): a full check reads them all.
    guard baseline == nil || changed != nil, repository.unloadedSchemas == 0,
      state.matches(
        schemaKey: RecordsRepository.schemaKey(
          of: files.setupFiles(schemaDirectory: repository.config.schemaDirectory),
          schemaDirectory: repository.config.schemaDirectory),
        today: today, displayProbe: CheckState.displayProbe(display))
    else { return nil }

    // 1. Which files differ: the state's files and the snapshot's, merged in path order.
    guard let comparison = Self.compare(files, with: state) else { return nil }
    let (oldOf, newOf, differing, removed) = (
      comparison.oldOf, comparison.newOf, comparison.differing, comparison.removed
    )

    Trace.mark("incremental: compare with the state")
    // 2. What the changes can affect: records that refer to a changed record (directly or
    // through others), share a unique value with one, or are of a type whose references must
    // not loop when a record of that type changed.
    let acyclic = Set(
      schema.types.indices.filter {
        SetValidator.hasAcyclicReference(schema.types[$0].object, to: schema.types[$0].name)
      })
    var frontier = Set<UInt64>()
    var uniqueValues = Set<UInt64>()
    var loopTypes = Set<Int>()
    func noteOld(_ entry: Int) {
      let layout = state.layouts[entry]
      guard layout.kind != 0, case .record(let type, let id) = repository.role(of: state.path(entry)) else { return }
      frontier.insert(CheckState.recordKey(type: type, id: id))
      uniqueValues.formUnion(state.uniques(entry))
      if acyclic.contains(Int(layout.type)) { loopTypes.insert(Int(layout.type)) }
    }
    for entry in removed { noteOld(entry) }
    var fresh: [Int: (record: RecordFile?, problem: Diagnostic?)] = [:]
    for position in differing {
      if oldOf[position] >= 0 { noteOld(oldOf[position]) }
      let file = files[position]
      switch repository.role(of: file) {
      case .record(let typeName, let id):
        guard let type = schema.index(named: typeName) else { return nil }
        fresh[position] = ((file, type, id), nil)
        frontier.insert(CheckState.recordKey(type: typeName, id: id))
        if acyclic.contains(type) { loopTypes.insert(type) }
      case .misplaced(let code, let severity, let message, let hint):
        fresh[position] = (
          nil, Diagnostic(severity, code: code, message: message, path: display(file.path), hint: hint)
        )
      case .config, .schema, .other:
        fresh[position] = (nil, nil)
      }
    }
    var results: [Int: (RecordSummary?, [Diagnostic])] = [:]
    let changedRecords = differing.filter { fresh[$0]?.record != nil }
    for (position, result) in zip(changedRecords, validate(changedRecords.map { fresh[$0]!.record! }, cache: nil)) {
      results[position] = result
      if let summary = result.0 {
        for unique in summary.uniqueValues {
          uniqueValues.insert(CheckState.uniqueKey(type: summary.type, field: unique.field, value: unique.value))
        }
      }
    }
    var affected = Set<Int>()  // positions in `files` of unchanged records to check again
    var skip = [Bool](repeating: false, count: files.count)
    for position in fresh.keys { skip[position] = true }
    var firstRound = true
    while !frontier.isEmpty || firstRound {
      var reached = Set<UInt64>()
      let hits = state.entries(
        referringTo: frontier, holding: firstRound ? uniqueValues : [], ofTypes: firstRound ? loopTypes : []
      ) { entry in newOf[entry] >= 0 && !skip[newOf[entry]] }
      for entry in hits {
        let position = newOf[entry]
        affected.insert(position)
        skip[position] = true
        if case .record(let type, let id) = repository.role(of: files.path(position)) {
          reached.insert(CheckState.recordKey(type: type, id: id))
        }
        if affected.count > Self.incrementalRecordLimit { return nil }
      }
      frontier = reached
      firstRound = false
    }

    Trace.mark("incremental: affected records")
    // 3. The summaries the checks across records read: the changed and affected records, and
    // every record they refer to, and so on.
    func recordFile(_ position: Int) -> RecordFile? {
      let file = files[position]
      guard case .record(let typeName, let id) = repository.role(of: file.path),
        let type = schema.index(named: typeName)
      else { return nil }
      return (file, type, id)
    }
    var batch = affected.sorted()
    var checked = changedRecords
    repeat {
      let loading = batch.compactMap { position in recordFile(position).map { (position, $0) } }
      for ((position, _), result) in zip(loading, validate(loading.map(\.1), cache: nil)) {
        results[position] = result
      }
      checked += batch
      var targets = Set<Int>()
      for position in checked {
        guard let summary = results[position]?.0 else { continue }
        for use in summary.references {
          guard let path = schema.type(named: use.target)?.path(of: use.id),
            let target = files.position(of: path),
            results[target] == nil
          else { continue }
          targets.insert(target)
        }
      }
      // Next round: the targets, then their own targets.
      batch = targets.sorted()
      checked = []
      if results.count + batch.count > Self.incrementalRecordLimit { return nil }
    } while !batch.isEmpty

    Trace.mark("incremental: summaries")
    // 4. The checks across records, reported on the changed and affected records.
    let loaded = results.keys.sorted()
    var summaries: [RecordSummary] = []
    summaries.reserveCapacity(loaded.count)
    for position in loaded { if let summary = results[position]?.0 { summaries.append(summary) } }
    let recheck = Set(changedRecords).union(affected)
    let reported = Set(recheck.map { display(files.path($0)) })
    var validator = SetValidator(schema: schema, today: today)
    let ids = KnownIDs(files: files, state: state, oldOf: oldOf, results: results, repository: repository) {
      validate([$0], cache: nil).first?.0
    }
    validator.knownIDs = { ids.ids(of: $0) }
    validator.knownRecord = { ids.record($0, $1) }
    let across = validator.validate(summaries, only: reported)
    var acrossByPath: [String: [Diagnostic]] = [:]
    for diagnostic in across { acrossByPath[diagnostic.path, default: []].append(diagnostic) }

    Trace.mark("incremental: checks across records")
    // 5. Every file's problems (this run's where it was checked again, else the state's),
    // and the next state.
    var diagnostics = repository.setupDiagnostics
    // The next state only when it will be kept: callers keep the one they read while the
    // files differ from it in a few places (copying a million entries to drop them was a
    // tenth of a warm check).
    let keepState = nextState || differing.count + removed.count > GitChecker.stateRewriteThreshold
    var builder = CheckState.Builder(capacity: keepState ? state.bytes.count + differing.count * 256 : 0)
    var recordCount = 0
    for position in files.indices {
      // Most files were not checked again: their entry is the state's (no lookup of them in
      // the tables of the few that were).
      guard skip[position] else {
        let entry = oldOf[position]
        if state.layouts[entry].kind != 0 { recordCount += 1 }
        if state.layouts[entry].diagnosticsLength > 1 { diagnostics += state.diagnostics(entry) }
        if keepState { builder.append(copyOf: entry, in: state) }
        continue
      }
      let file = files[position]
      if let (record, problem) = fresh[position] {
        var found: [Diagnostic] = problem.map { [$0] } ?? []
        if let record {
          recordCount += 1
          let (summary, perFile) = results[position] ?? (nil, [])
          found = perFile + (acrossByPath[display(file.path)] ?? [])
          if keepState {
            builder.append(
              CheckState.Entry(
                path: file.path, key: file.contentKey!, record: (record.type, summary), diagnostics: found))
          }
        } else if keepState {
          builder.append(CheckState.Entry(path: file.path, key: file.contentKey!, record: nil, diagnostics: found))
        }
        diagnostics += found
      } else {
        recordCount += 1
        let (summary, perFile) = results[position] ?? (nil, [])
        let found = perFile + (acrossByPath[display(file.path)] ?? [])
        if keepState {
          builder.append(
            CheckState.Entry(
              path: file.path, key: file.contentKey!, record: (Int(state.layouts[oldOf[position]].type), summary),
              diagnostics: found))
        }
        diagnostics += found
      }
    }
    if let only { diagnostics = reportedOn(Set(only.map(display)), diagnostics) }
    if let baseline {
      // Only records whose content changed since the baseline can have changed state.
      let shownOnly = only.map { Set($0.map(display)) }
      let shownChanged = changed.map { Set($0.map(display)) }
      var candidates: [RecordSummary] = []
      for position in (changed ?? []).compactMap({ files.position(of: $0) }).sorted() {
        if results[position] == nil, let record = recordFile(position) {
          results[position] = validate([record], cache: nil)[0]
        }
        if let summary = results[position]?.0 { candidates.append(summary) }
      }
      let reportedSummaries = candidates.filter {
        (shownOnly?.contains($0.path) ?? true) && (shownChanged?.contains($0.path) ?? true)
      }
      diagnostics += TransitionChecker(schema: schema).check(reportedSummaries, against: baseline)
    }
    diagnostics.sort(by: Diagnostic.sortOrder)
    return CheckReport(
      diagnostics: diagnostics, recordCount: recordCount, fileCount: files.count,
      files: Self.filesNamed(in: diagnostics, from: files, display: display),
      state: keepState
        ? builder.build(schemaKey: state.schemaKey, today: today, displayProbe: state.displayProbe) : nil,
      differingFiles: differing.count + removed.count)
  }

  /// Checks the working tree. With `gitDirectory`, incrementally from the state of its last
  /// check (`.git/tally/worktree-state`, see ``CheckState``): files
  /// are told apart by their stat data, as git's index does, and only the files that changed
  /// since the stored state — and the records their checks across records reach — are read
  /// and validated; the result is a full check's. The state is written when the check was a
  /// full one or the files differ from it in more than a few places.
  public func checkWorkingTree(
    only: Set<String>? = nil, baseline: TransitionChecker.Baseline? = nil, gitDirectory: String?,
    progress: (@Sendable (Int, Int) -> Void)? = nil
  ) throws -> CheckReport {
    let stateFile = gitDirectory.map { CheckState.workingTreePath(gitDirectory: $0) }
    // The stored state is read beside the listing.
    let pending = baseline == nil ? stateFile.map { file in Prefetch { CheckState.load(from: file) } } : nil
    let files = try repository.withSparseFiles(
      try WorkingTreeSource(
        root: repository.root, statKeys: stateFile != nil,
        folderCache: gitDirectory.map { CheckState.folderCachePath(gitDirectory: $0) }
      ).files())
    Trace.mark("working tree listed")
    guard let stateFile, files.allSatisfy({ $0.contentKey != nil }) else {
      return check(files: files, only: only, baseline: baseline, progress: progress)
    }
    if baseline == nil, let state = pending?.value(),
      let report = checkIncrementally(files: files, state: state, only: only)
    {
      Trace.mark("incremental check")
      if (report.differingFiles ?? 0) > GitChecker.stateRewriteThreshold { report.state?.save(to: stateFile) }
      return report
    }
    let report = check(files: files, only: only, baseline: baseline, progress: progress, recordState: true)
    Trace.mark("full check")
    report.state?.save(to: stateFile)
    return report
  }

  /// The diagnostics about the files shown as `shown`, and the repository's own (its
  /// configuration and schemas), which are always reported.
  func reportedOn(_ shown: Set<String>, _ diagnostics: [Diagnostic]) -> [Diagnostic] {
    let setup = Set(repository.setupDiagnostics)
    return diagnostics.filter { shown.contains($0.path) || setup.contains($0) }
  }

  /// Where `path` is in `files` (in git's order), by binary search.
  static func position(of path: String, in files: [SnapshotFile]) -> Int? {
    var low = 0
    var high = files.count
    while low < high {
      let middle = (low + high) / 2
      let order = compareBytes(files[middle].path, path)
      if order == 0 { return middle }
      if order < 0 { low = middle + 1 } else { high = middle }
    }
    return nil
  }
}

/// The ids of a type's records in a snapshot checked incrementally, for "did you mean"
/// hints, and the records themselves, to check a hint against the reference's condition:
/// worked out only when a reference is broken.
final class KnownIDs: @unchecked Sendable {
  private let files: SnapshotFiles
  private let state: CheckState
  private let oldOf: [Int]
  private let results: [Int: (RecordSummary?, [Diagnostic])]
  private let repository: RecordsRepository
  private let load: @Sendable (RecordFile) -> RecordSummary?
  private var known: [String: [String]] = [:]
  private var loaded: [Int: RecordSummary?] = [:]
  private let lock = NSLock()

  init(
    files: SnapshotFiles, state: CheckState, oldOf: [Int], results: [Int: (RecordSummary?, [Diagnostic])],
    repository: RecordsRepository, load: @escaping @Sendable (RecordFile) -> RecordSummary?
  ) {
    self.files = files
    self.state = state
    self.oldOf = oldOf
    self.results = results
    self.repository = repository
    self.load = load
  }

  /// The summary of the record `id` of `type`, checked now when this run has not.
  func record(_ type: String, _ id: String) -> RecordSummary? {
    guard let recordType = repository.schema.index(named: type),
      let position = files.position(of: repository.schema.types[recordType].path(of: id))
    else { return nil }
    if let result = results[position] { return result.0 }
    if let summary = lock.withLock({ loaded[position] }) { return summary }
    let summary = load((files[position], recordType, id))
    lock.withLock { loaded[position] = summary }
    return summary
  }

  func ids(of type: String) -> [String] {
    lock.withLock {
      if let ids = known[type] { return ids }
      var ids: [String] = []
      for position in files.indices {
        guard case .record(type, let id) = repository.role(of: files.path(position)) else { continue }
        // Records with a summary: those the full check's index holds.
        let parsed =
          results[position].map { $0.0 != nil } ?? (oldOf[position] >= 0 && state.layouts[oldOf[position]].kind == 2)
        if parsed { ids.append(id) }
      }
      known[type] = ids
      return ids
    }
  }
}

extension RepositoryChecker {
  /// How a snapshot's files line up with a state's entries: for each file the entry at its
  /// path (-1: none), for each entry the file at its path, the files new or with other
  /// content, and the entries whose path is gone.
  struct StateComparison {
    var oldOf: [Int]
    var newOf: [Int]
    var differing: [Int] = []
    var removed: [Int] = []

    init(files: Int, entries: Int) {
      oldOf = LargeMemory.array(repeating: -1, count: files)
      newOf = LargeMemory.array(repeating: -1, count: entries)
    }
  }

  /// `files` merged with `state`'s entries in path order, comparing paths and content keys
  /// as bytes. Nil when a file has no content key, the files are not in git's order, or
  /// more than ``incrementalChangeLimit`` differ.
  static func compare(_ files: SnapshotFiles, with state: CheckState) -> StateComparison? {
    // With the state's bytes and layouts held once, and the previous path kept as bytes: a
    // million files compared through `String` accessors cost a tenth of a warm check.
    let result: StateComparison? = state.bytes.withUnsafeBufferPointer { all in
      state.layouts.withUnsafeBufferPointer { layouts in
        var merger = StateMerger(
          stored: all, layouts: layouts, comparison: StateComparison(files: files.count, entries: state.count))
        switch files.storage {
        case .array(let files):
          var previous: [UInt8] = []
          for position in files.indices {
            var path = files[position].path
            guard var key = files[position].contentKey else { return nil }
            let going = path.withUTF8 { path -> Bool in
              if position > 0, previous.withUnsafeBufferPointer({ compareBytes($0, path) }) >= 0 { return false }
              previous.removeAll(keepingCapacity: true)
              previous.append(contentsOf: path)
              if let entry = merger.lineUp(position, path),
                key.withUTF8({ compareBytes($0, merger.key(entry)) }) != 0
              {
                merger.comparison.differing.append(position)
              }
              return merger.withinLimit
            }
            guard going else { return nil }
          }
        case .index(let entries):
          // An index Tally reads is in git's order; its ids are compared with the state's
          // hex keys as hex.
          let drop = entries.lead.count
          let lowest = entries.range.lowerBound
          let going = entries.index.forEachEntry(in: entries.range) { entry, path, id in
            let position = entry - lowest
            let relative = UnsafeBufferPointer(
              start: path.baseAddress!.assumingMemoryBound(to: UInt8.self) + drop, count: path.count - drop)
            if let stored = merger.lineUp(position, relative), !ObjectID.hex(merger.key(stored), spells: id) {
              merger.comparison.differing.append(position)
            }
            return merger.withinLimit
          }
          guard going else { return nil }
        }
        merger.comparison.removed += merger.next..<layouts.count
        return merger.withinLimit ? merger.comparison : nil
      }
    }
    return result
  }

  /// A merge of a snapshot's files with a state's entries, one file after another in path
  /// order (a struct with its own methods: the same loop through closures that captured its
  /// variables spent a third of its time in exclusivity checks).
  struct StateMerger {
    let stored: UnsafeBufferPointer<UInt8>
    let layouts: UnsafeBufferPointer<CheckState.Layout>
    var comparison: StateComparison
    /// The first entry not lined up yet.
    var next = 0

    func bytes(_ start: Int32, _ length: Int32) -> UnsafeBufferPointer<UInt8> {
      UnsafeBufferPointer(rebasing: stored[Int(start)..<Int(start + length)])
    }

    func key(_ entry: Int) -> UnsafeBufferPointer<UInt8> { bytes(layouts[entry].key, layouts[entry].keyLength) }

    var withinLimit: Bool {
      comparison.differing.count + comparison.removed.count <= incrementalChangeLimit
    }

    /// Lines up the file at `position` (its path's bytes) with the entries: the entry at
    /// its path, or nil when it has none (then it is new, and differs).
    mutating func lineUp(_ position: Int, _ path: UnsafeBufferPointer<UInt8>) -> Int? {
      var order = 1
      while next < layouts.count {
        order = compareBytes(path, bytes(layouts[next].path, layouts[next].pathLength))
        if order <= 0 { break }
        comparison.removed.append(next)
        next += 1
      }
      guard next < layouts.count, order == 0 else {
        comparison.differing.append(position)
        return nil
      }
      comparison.oldOf[position] = next
      comparison.newOf[next] = position
      next += 1
      return next - 1
    }
  }

  /// The files that diagnostics (and their notes) name, by the path they name them by, as
  /// for an array of files: in an index's entries, each named path is looked up, not every
  /// entry's path shown.
  static func filesNamed(
    in diagnostics: [Diagnostic], from files: SnapshotFiles, display: (String) -> String
  ) -> [String: SnapshotFile] {
    guard case .index = files.storage else { return filesNamed(in: diagnostics, from: files.array, display: display) }
    var named = Set<String>()
    for diagnostic in diagnostics {
      named.insert(diagnostic.path)
      for note in diagnostic.notes { if let path = note.path { named.insert(path) } }
    }
    if named.isEmpty { return [:] }
    // Paths are shown with a lead (the way from where tally runs to the records root).
    let probe = "probe/file.yaml"
    let shown = display(probe)
    guard shown.hasSuffix(probe) else { return filesNamed(in: diagnostics, from: files.array, display: display) }
    let lead = shown.utf8.count - probe.utf8.count
    var result: [String: SnapshotFile] = [:]
    for name in named {
      let path = String(decoding: name.utf8.dropFirst(lead), as: UTF8.self)
      guard let position = files.position(of: path), display(files.path(position)) == name else { continue }
      result[name] = files[position]
    }
    return result
  }
}
