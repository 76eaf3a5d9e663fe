import TallySchema
import TallyText

/// Checks a snapshot of a records repository: every file's format and schema, the layout of
/// the repository, the references and rules across records, and (against an earlier
/// version) the changes of state fields.
public struct RepositoryChecker: Sendable {
  public let repository: RecordsRepository
  public var today: CivilDate

  public init(repository: RecordsRepository, today: CivilDate) {
    self.repository = repository
    self.today = today
  }

  /// Checks `source`.
  ///
  /// - Parameters:
  ///   - only: Paths (relative to the records root) to report on; the other records are
  ///     still read for references. Nil checks everything.
  ///   - baseline: The state fields of an earlier version, to check transitions against.
  public func check(
    _ source: RecordSource, only: Set<String>? = nil, baseline: TransitionChecker.Baseline? = nil,
    progress: (@Sendable (Int, Int) -> Void)? = nil
  ) throws -> CheckReport {
    check(files: try source.files(), only: only, baseline: baseline, progress: progress)
  }

  /// Checks the files of a snapshot; results for files already in `cache` (same content,
  /// same path) are reused.
  ///
  /// `progress` is called (from worker threads) with the records validated so far and
  /// their number.
  public func check(
    files: [SnapshotFile], only: Set<String>? = nil, baseline: TransitionChecker.Baseline? = nil,
    cache: CheckCache? = nil, changed: Set<String>? = nil, progress: (@Sendable (Int, Int) -> Void)? = nil,
    recordState: Bool = false
  ) -> CheckReport {
    let repository = self.repository
    let display = repository.displayPath
    var diagnostics = repository.setupDiagnostics
    var records: [RecordFile] = []
    records.reserveCapacity(files.count)
    // For the state: which file each record is, and the problems with where files are.
    var recordFiles: [Int] = []
    var layoutProblems: [Int: Diagnostic] = [:]
    // When a schema file could not be read as a type, its records look unassigned: say so
    // once instead of warning about each of them.
    let schemaBroken = repository.unloadedSchemas > 0
    var unassigned = 0
    let roles = repository.roles(of: files)
    // Records come directory by directory: look each type up once per run of its files.
    var lastType: (name: String, index: Int?)?
    for (position, (file, role)) in zip(files, roles).enumerated() {
      switch role {
      case .record(let typeName, let id):
        if lastType?.name != typeName { lastType = (typeName, repository.schema.index(named: typeName)) }
        if let type = lastType?.index {
          records.append((file, type, id))
          recordFiles.append(position)
        }
      case .misplaced(let code, let severity, let message, let hint):
        if schemaBroken, code == "unassigned-file" {
          unassigned += 1
        } else if recordState || only == nil || only!.contains(file.path) {
          let problem = Diagnostic(severity, code: code, message: message, path: display(file.path), hint: hint)
          diagnostics.append(problem)
          if recordState { layoutProblems[position] = problem }
        }
      case .config, .schema, .other:
        break
      }
    }
    Trace.mark("check: roles")
    if unassigned > 0 {
      diagnostics.append(
        Diagnostic(
          .note, code: "unassigned-file",
          message:
            "\(unassigned) \(unassigned == 1 ? "file is" : "files are") not checked: a schema file has errors, so their types are unknown",
          path: display(repository.config.schemaDirectory)))
    }
    var results = validate(records, cache: cache, progress: progress)
    Trace.mark("check: records parsed and validated")
    var summaries: [RecordSummary] = []
    summaries.reserveCapacity(results.count)
    let shownOnly = only.map { Set($0.map(display)) }
    // Recording a state needs every problem; those outside `only` are dropped at the end.
    let filter = recordState ? nil : shownOnly
    var builder = recordState ? StateBuilder(files: files, repository: repository, today: today) : nil
    for index in results.indices {
      let found = results[index].1
      builder?.record(recordFiles[index], type: records[index].type, summary: results[index].0, found)
      // Moved out, not copied: a summary holds many references, and there are 100,000.
      if let summary = results[index].0.take() { summaries.append(summary) }
      if found.isEmpty { continue }
      if let filter {
        diagnostics += found.filter { filter.contains($0.path) }
      } else {
        diagnostics += found
      }
    }
    results = []
    Trace.mark("check: summaries collected")
    let across = SetValidator(schema: repository.schema, today: today).validate(summaries, only: filter)
    diagnostics += across
    Trace.mark("check: checks across records")
    let state = builder?.build(layoutProblems: layoutProblems, across: across)
    if recordState, let shownOnly { diagnostics = reportedOn(shownOnly, diagnostics) }
    if let baseline {
      var reported = shownOnly.map { set in summaries.filter { set.contains($0.path) } } ?? summaries
      // Records whose content did not change since the baseline cannot have changed state.
      if let changed {
        let shownChanged = Set(changed.map(display))
        reported = reported.filter { shownChanged.contains($0.path) }
      }
      diagnostics += TransitionChecker(schema: repository.schema).check(reported, against: baseline)
    }
    diagnostics.sort(by: Diagnostic.sortOrder)
    ExitLifetime.keep(summaries)
    ExitLifetime.keep(files)
    return CheckReport(
      diagnostics: diagnostics, recordCount: records.count, fileCount: files.count,
      files: Self.filesNamed(in: diagnostics, from: files, display: display), state: state)
  }

  /// The files that diagnostics (and their notes) name, by the path they name them by: what
  /// excerpts are shown from. Clean snapshots — the common case — need none.
  static func filesNamed(
    in diagnostics: [Diagnostic], from files: [SnapshotFile], display: (String) -> String
  ) -> [String: SnapshotFile] {
    var named = Set<String>()
    for diagnostic in diagnostics {
      named.insert(diagnostic.path)
      for note in diagnostic.notes { if let path = note.path { named.insert(path) } }
    }
    if named.isEmpty { return [:] }
    var result: [String: SnapshotFile] = [:]
    for file in files {
      let shown = display(file.path)
      if named.contains(shown) { result[shown] = file }
    }
    return result
  }

  /// Each record's summary and diagnostics, from the cache when it has them.
  func validate(
    _ records: [RecordFile], cache: CheckCache?,
    progress: (@Sendable (Int, Int) -> Void)? = nil
  ) -> [(RecordSummary?, [Diagnostic])] {
    let display = repository.displayPath
    cache?.prepare()
    let validator = RecordValidator(schema: repository.schema, today: today)
    let types = repository.schema.types
    return parallelMap(records, batch: 64, progress: progress) { (file, type, id) -> (RecordSummary?, [Diagnostic]) in
      if let cached = cache?.lookup(file) { return (cached.summary, cached.diagnostics) }
      let shown = display(file.path)
      let bytes: [UInt8]
      do {
        bytes = try file.bytes()
      } catch {
        return (nil, [Diagnostic(.error, code: "unreadable", message: String(describing: error), path: shown)])
      }
      let parsed = SyntaxTree.parse(bytes, path: shown)
      guard let tree = parsed.tree else {
        cache?.store(file, .init(summary: nil, diagnostics: parsed.diagnostics))
        return (nil, parsed.diagnostics)
      }
      let (summary, found) = validator.validate(tree, type: types[type], id: id, path: shown)
      cache?.store(file, .init(summary: summary, diagnostics: parsed.diagnostics + found))
      return (summary, parsed.diagnostics + found)
    }
  }

  /// The state fields of every record of a snapshot, for checking a later one's transitions
  /// (from the cache when it has them).
  public func baseline(files: [SnapshotFile], name: String, cache: CheckCache?) -> TransitionChecker.Baseline {
    var baseline = TransitionChecker.Baseline(name: name)
    // A record is its type and id wherever its file was (at another layout before `tally
    // migrate layout`).
    let records = files.compactMap { file -> RecordFile? in
      guard let (typeName, id) = repository.historicalRecord(of: file.path),
        let type = repository.schema.index(named: typeName)
      else { return nil }
      return (file, type, id)
    }
    for case let (summary?, _) in validate(records, cache: cache) { baseline.add(summary) }
    return baseline
  }

  /// The state fields of every record in `source` (an earlier version), for transitions.
  /// Records that do not parse are left out.
  public func baseline(from source: RecordSource) throws -> TransitionChecker.Baseline {
    let repository = self.repository
    var baseline = TransitionChecker.Baseline(name: source.name)
    let checker = TransitionChecker(schema: repository.schema)
    let files = try source.files()
    // The earlier version may have its records at another layout (before `tally migrate
    // layout`): a record is its type and id wherever its file was.
    let records = files.compactMap { file -> (SnapshotFile, RecordType, String)? in
      guard let (typeName, id) = repository.historicalRecord(of: file.path),
        let type = repository.schema.type(named: typeName)
      else { return nil }
      return (file, type, id)
    }
    let states = parallelMap(records, batch: 64) { (file, type, id) -> (String, String, [String: String])? in
      guard let bytes = try? file.bytes(), let tree = SyntaxTree.parse(bytes).tree else { return nil }
      return (type.name, id, checker.states(of: tree.value, type: type))
    }
    for case let (type, id, fields)? in states {
      baseline.add(type: type, id: id, states: fields)
    }
    return baseline
  }
}
