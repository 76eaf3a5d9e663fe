import TallyGit
import TallySchema
import TallyText

/// `tally resolve`: settles conflicts a merge left (``MergeConflicts``), field by field or
/// file by file, and stages each file that has none left.
///
/// Nothing is written until everything asked for is worked out and checked:
/// 1. ``plan(_:)`` finds the file, the conflicts the fields name, and makes the new text:
///    each chosen conflict's marker lines are replaced by the lines of the side chosen
///    (byte for byte, comments included), or, for `--value`, by our lines with the field
///    set through the same editing as `tally set` (the value checked against the field's
///    type first). A record deleted on one side is kept (the side that has it) or deleted.
/// 2. The result is checked as `tally set` checks a record, when no conflict is left in the
///    file; a value that makes the record invalid is refused.
/// 3. ``apply(_:)`` holds the index, writes each file atomically (or removes it), and
///    stages it when it has no conflict left and git had it as conflicted — staging clears
///    its conflict stages, as `git add` does. A failure puts the files back.
public struct ConflictResolver: Sendable {
  public let records: RecordsRepository
  public let today: CivilDate

  public init(records: RecordsRepository, today: CivilDate) {
    self.records = records
    self.today = today
  }

  /// Which version a conflict takes.
  public enum Choice: Sendable, Equatable, CustomStringConvertible {
    case ours
    case theirs
    case base
    /// A value for one field (empty: remove the field).
    case value(String)

    var side: RecordMerge.Side? {
      switch self {
      case .ours: .ours
      case .theirs: .theirs
      case .base: .base
      case .value: nil
      }
    }

    public var description: String {
      switch self {
      case .ours: "ours"
      case .theirs: "theirs"
      case .base: "the base"
      case .value(let text): text.isEmpty ? "no value" : "the value '\(text)'"
      }
    }
  }

  /// What to resolve.
  public struct Request: Sendable {
    /// The file: a record as `TYPE/ID` or the path of a file; nil with `all` for every
    /// conflicted file.
    public var target: String?
    /// The fields to resolve (`tier`, `contacts[0].phone`); a field names the conflicts at
    /// it and inside it. Empty with `all`, or for a record deleted on one side.
    public var fields: [String]
    /// Every conflict of the file (or of every file).
    public var all: Bool
    public var choice: Choice
    /// The directory the target is named from.
    public var directory: String

    public init(target: String?, fields: [String], all: Bool, choice: Choice, directory: String) {
      self.target = target
      self.fields = fields
      self.all = all
      self.choice = choice
      self.directory = directory
    }
  }

  /// One file's resolution, worked out and not yet written.
  public struct Outcome: Sendable {
    public var file: ConflictedFile
    /// The file as the user names it.
    public var displayPath: String
    /// The conflicts settled, with the choice.
    public var resolved: [ConflictedFile.Conflict]
    public var choice: Choice
    /// The new bytes of the file; nil when it is deleted.
    public var text: [UInt8]?
    /// The conflicts left in the file, as they will be listed.
    public var remaining: [ConflictedFile.Conflict]
    /// Whether the file gets staged (no conflict left, and git had it as conflicted).
    public var stages: Bool
    /// The check of the resolved record (nil when conflicts remain or it is not a record).
    public var report: CheckReport?

    /// Whether the file is deleted.
    public var deletes: Bool { text == nil }
  }

  /// Why nothing was resolved.
  public enum Failure: Error, Sendable, CustomStringConvertible {
    /// The arguments name nothing to resolve, or a value does not fit: nothing was changed.
    case usage(String, hint: String?)
    /// The value makes the record invalid (the report says how); nothing was written.
    case refused(Outcome)
    /// The repository, a file or the index could not be read or written.
    case io(String)

    public var description: String {
      switch self {
      case .usage(let message, let hint): hint.map { "\(message) (\($0))" } ?? message
      case .refused(let outcome):
        "\(outcome.displayPath) would have \(outcome.report?.errorCount ?? 0) error(s); nothing was written"
      case .io(let message): message
      }
    }
  }

  // MARK: - Writing

  /// Writes the outcomes — each file replaced atomically, or removed — and stages those
  /// that have no conflict left, in one hold of the index (`index.lock`, as git holds it).
  /// Each file must still hold what it was planned from. A failure or a signal before the
  /// index is replaced puts the files back as they were.
  ///
  /// - Throws: ``Failure``; or ``Interrupted`` when a signal stopped it (nothing changed).
  public func apply(_ outcomes: [Outcome]) throws {
    let git: Repository
    let prefix: String
    do {
      (git, prefix) = try records.gitRepository()
    } catch {
      throw Failure.io("cannot open the git repository: \(error)")
    }
    let lead = prefix.isEmpty ? "" : prefix + "/"
    let root = records.root
    func absolute(_ outcome: Outcome) -> String { FileSystem.joinPath(root, outcome.file.path) }
    do {
      try Interrupts.cancellable { () throws in
        let transaction = try git.beginIndexTransaction(timeout: Committer.defaultLockTimeout)
        defer { transaction.release() }
        let unmerged = Set(try transaction.entries().filter { $0.stage != 0 }.map(\.path))
        for outcome in outcomes {
          let path = absolute(outcome)
          let current = FileSystem.entryKind(of: path) == .file ? try FileSystem.read(path) : nil
          guard current == outcome.file.bytes, !outcome.file.isUnmerged || unmerged.contains(lead + outcome.file.path)
          else {
            throw Failure.io(
              "\(outcome.displayPath) changed while it was being resolved; nothing was written, run the command again")
          }
        }
        // What was done, to put back on failure.
        var done: [Outcome] = []
        do {
          for outcome in outcomes {
            try Interrupts.checkpoint()
            if let text = outcome.text {
              if text != outcome.file.bytes { try FileSystem.writeAtomically(absolute(outcome), text) }
            } else if outcome.file.bytes != nil {
              try FileSystem.remove(absolute(outcome))
            }
            done.append(outcome)
          }
          let changes: [StagedChange] = outcomes.filter(\.stages).map { outcome in
            let path = lead + outcome.file.path
            guard let text = outcome.text else { return .remove(path: path) }
            let executable =
              outcome.file.bytes != nil
              ? FileSystem.isExecutable(absolute(outcome))
              : outcome.file.stages.values.contains { $0.mode == 0o100755 }
            return .write(path: path, bytes: text, executable: executable)
          }
          if !changes.isEmpty {
            try transaction.stage(changes)
            try transaction.writeIndex()
          }
        } catch {
          Interrupts.critical {
            for outcome in done {
              let path = absolute(outcome)
              if let original = outcome.file.bytes {
                try? FileSystem.writeAtomically(path, original)
              } else {
                try? FileSystem.remove(path)
              }
            }
          }
          throw error
        }
      }
    } catch let failure as Failure {
      throw failure
    } catch  where Interrupts.signal(of: error) != nil {
      throw error
    } catch {
      throw Failure.io("\(error)")
    }
  }

  // MARK: - Planning

  /// Works out the resolution of `request`: one outcome per file, nothing written.
  public func plan(_ request: Request) throws(Failure) -> [Outcome] {
    if request.target == nil {
      guard request.all else { throw .usage("name the record to resolve", hint: "or use --all for every file") }
      guard request.fields.isEmpty else { throw .usage("fields go after the record they are in", hint: nil) }
    }
    if case .value = request.choice, request.all {
      throw .usage("--value sets one field; it does not go with --all", hint: nil)
    }
    let conflicts: MergeConflicts
    var target: ConflictedFile?
    do {
      conflicts = try MergeConflicts.find(in: records)
      if let name = request.target {
        let path = try relativePath(of: name, from: request.directory)
        // A file the search of changed files does not see: staged with markers.
        target =
          try conflicts.files.first { $0.path == path }
          ?? MergeConflicts.find(in: records, only: [path]).files.first
        guard target != nil else {
          throw Failure.usage(
            "\(records.displayPath(path)) has no conflict to resolve", hint: Self.inConflict(conflicts, records))
        }
      }
    } catch let failure as Failure {
      throw failure
    } catch {
      throw .io("cannot read the conflicts: \(error)")
    }
    var outcomes: [Outcome]
    if let target {
      outcomes = [try plan(target, fields: request.fields, all: request.all, request.choice)]
    } else {
      guard !conflicts.isEmpty else { throw .usage(Self.nothingToResolve(in: records), hint: nil) }
      // Files resolved by hand and not staged are left for the person who edited them.
      let open = conflicts.files.filter { $0.state.isWholeFile || $0.text?.hasMarkers == true }
      guard !open.isEmpty else { throw .usage(Self.nothingToResolve(in: records), hint: Self.unstaged(conflicts)) }
      outcomes = try open.map { file throws(Failure) in try plan(file, fields: [], all: true, request.choice) }
    }
    try check(&outcomes, among: conflicts)
    return outcomes
  }

  /// The check of each resolved record, as `tally set` checks it, with every other file of
  /// the resolution as it will be and the other conflicted files as our side has them (a
  /// record whose file holds markers cannot be read, so a reference to it would look
  /// broken). A record with conflicts left is checked with our side of them, for the field
  /// a value was given to only. A value that makes its record invalid is refused.
  func check(_ outcomes: inout [Outcome], among conflicts: MergeConflicts) throws(Failure) {
    var others: [String: [UInt8]?] = [:]
    for file in conflicts.files {
      guard let text = file.text, !text.hunks.isEmpty, text.strayMarkers.isEmpty else { continue }
      others[file.path] = text.text { text.hunks[$0].ours }
    }
    for outcome in outcomes { others[outcome.file.path] = .some(outcome.text) }
    let editing = RecordEditing(repository: records, today: today)
    for index in outcomes.indices {
      let outcome = outcomes[index]
      guard outcome.file.type != nil, let bytes = outcome.text else { continue }
      var alongside = others
      alongside[outcome.file.path] = nil
      let left = ConflictedText(bytes)
      if !left.hasMarkers {
        outcomes[index].report = try check(bytes, file: outcome.file, editing: editing, alongside: alongside)
      } else if case .value = outcome.choice, let field = outcome.resolved.first?.field {
        var report = try check(
          left.text { left.hunks[$0].ours }, file: outcome.file, editing: editing, alongside: alongside)
        report.diagnostics = report.diagnostics.filter { diagnostic in
          guard let named = diagnostic.field.flatMap(FieldPath.init(parsing:)) else { return false }
          return named.components.starts(with: field.components)
        }
        outcomes[index].report = report
      }
      if case .value = outcome.choice, let report = outcomes[index].report, report.errorCount > 0 {
        throw .refused(outcomes[index])
      }
    }
  }

  /// The files resolved by hand but not staged, for a hint.
  static func unstaged(_ conflicts: MergeConflicts) -> String? {
    let names = conflicts.files.filter { $0.conflicts.isEmpty }.map(\.name)
    guard !names.isEmpty else { return nil }
    return "no markers left in \(names.joined(separator: ", ")): check, then stage with git add"
  }

  /// The records root's path of the file `target` names.
  func relativePath(of target: String, from directory: String) throws(Failure) -> String {
    do throws(RecordsRepository.RecordNameError) {
      return try records.record(named: target, from: directory).relativePath
    } catch {
      // Not a record: a conflicted schema file, tally.yaml, a README.
      if let relative = records.pathInside(target, from: directory), relative != ".",
        FileSystem.kind(of: FileSystem.joinPath(records.root, relative)) != .directory,
        (try? MergeConflicts.find(in: records, only: [relative]))?.isEmpty == false
      {
        return relative
      }
      throw .usage(error.message, hint: error.hint)
    }
  }

  /// What is in conflict, for a hint: up to five names, or that nothing is.
  static func inConflict(_ all: MergeConflicts, _ records: RecordsRepository) -> String {
    if all.isEmpty { return nothingToResolve(in: records) }
    let names = all.files.map(\.name)
    let shown = names.prefix(5).joined(separator: ", ") + (names.count > 5 ? ", …" : "")
    return "in conflict: \(shown); see 'tally conflicts'"
  }

  static func nothingToResolve(in records: RecordsRepository) -> String {
    let operation = try? records.gitRepository().0.operationInProgress()
    guard let operation else { return "there is no merge in progress, and no conflict left" }
    return "the \(operation.rawValue) in progress has no conflict left; \(operation.advice)"
  }

  func plan(_ file: ConflictedFile, fields: [String], all: Bool, _ choice: Choice) throws(Failure) -> Outcome {
    let display = records.displayPath(file.path)
    if file.state.isWholeFile { return try planWholeFile(file, fields: fields, display: display, choice) }
    guard let text = file.text, file.bytes != nil else {
      throw .usage("\(display) is not in the working tree", hint: "restore it, or resolve it with git")
    }
    if let stray = text.strayMarkers.first {
      throw .usage(
        "\(display):\(stray): a conflict marker that is not part of a complete conflict",
        hint: "edit the file by hand: tally resolves only complete conflicts")
    }
    guard !text.hunks.isEmpty else {
      throw .usage(
        "\(display) has no conflict markers left",
        hint: file.isUnmerged ? "check it, then stage it: git add \(display)" : nil)
    }
    if !all && fields.isEmpty {
      throw .usage(
        "name the fields to resolve in \(file.name), or use --all",
        hint: "in conflict: " + Self.names(file.conflicts))
    }
    var chosen: [ConflictedFile.Conflict] = []
    var replacements: [Int: [UInt8]] = [:]
    if all {
      guard let side = choice.side else { throw .usage("--value sets one field; it does not go with --all", hint: nil) }
      for (index, hunk) in text.hunks.enumerated() {
        guard let lines = hunk.lines(of: side) else { throw Self.noBase(display, hunk) }
        replacements[index] = lines
      }
      chosen = file.conflicts
    } else {
      chosen = try selected(fields, in: file)
      let hunks = Set(chosen.compactMap(\.hunk))
      // A conflict's lines are replaced whole: every field in them must be chosen.
      for hunk in hunks.sorted() {
        let others = file.conflicts.filter { conflict in
          conflict.hunk == hunk && !chosen.contains { $0.hunk == hunk && $0.identity == conflict.identity }
        }
        guard others.isEmpty else {
          let lines = text.hunks[hunk].lines
          throw .usage(
            "\(display): lines \(lines.lowerBound)-\(lines.upperBound) also hold \(Self.names(others)), in one conflict",
            hint:
              "resolve them together: tally resolve \(file.name) \((chosen.filter { $0.hunk == hunk } + others).compactMap(\.field).map(\.description).joined(separator: " ")) --\(choice.side?.rawValue ?? "ours")"
          )
        }
      }
      switch choice {
      case .value(let value):
        guard chosen.count == 1, hunks.count == 1, let conflict = chosen.first, let field = conflict.field,
          let hunk = conflict.hunk
        else {
          throw .usage(
            "--value sets one field; \(fields.joined(separator: " ")) name\(fields.count == 1 ? "s" : "") \(Self.names(chosen))",
            hint: "name one of them, or choose --ours, --theirs or --base")
        }
        replacements[hunk] = try valueLines(value, for: field, hunk: hunk, in: file, text: text, display: display)
      default:
        guard let side = choice.side else { break }
        for hunk in hunks {
          guard let lines = text.hunks[hunk].lines(of: side) else { throw Self.noBase(display, text.hunks[hunk]) }
          replacements[hunk] = lines
        }
      }
    }
    let bytes = text.text { replacements[$0] }
    let left = ConflictedText(bytes)
    let (type, _) = MergeConflicts.recordName(file.path, records: records)
    return Outcome(
      file: file, displayPath: display, resolved: chosen, choice: choice, text: bytes,
      remaining: MergeConflicts.conflicts(in: left, path: file.path, type: type, fallbackBase: .unknown),
      stages: !left.hasMarkers && (file.isUnmerged || file.stagedWithMarkers), report: nil)
  }

  /// A record deleted (or not placed) on one side: kept as the chosen side has it, or
  /// deleted when that side has none.
  func planWholeFile(_ file: ConflictedFile, fields: [String], display: String, _ choice: Choice) throws(Failure)
    -> Outcome
  {
    let what = "\(file.name) is \(file.state.explanation)"
    guard fields.isEmpty else {
      throw .usage(
        "\(what): the conflict is on the whole record, not on a field",
        hint: "keep or delete it: tally resolve \(file.name) --ours, or --theirs")
    }
    guard let side = choice.side else {
      throw .usage("\(what): --value does not apply", hint: "keep or delete it with --ours or --theirs")
    }
    let stage = side == .base ? 1 : side == .ours ? 2 : 3
    var bytes: [UInt8]?
    if let entry = file.stages[stage] {
      // Only one side has the record, and the working tree holds that side's version (maybe
      // edited since): it is what is kept. The base comes from the index.
      bytes = side != .base ? file.bytes : nil
      if bytes == nil { bytes = try blob(entry.id) }
    } else if side == .base {
      throw .usage("\(what): there is no base version", hint: "keep or delete it with --ours or --theirs")
    }
    return Outcome(
      file: file, displayPath: display, resolved: file.conflicts, choice: choice, text: bytes, remaining: [],
      stages: true, report: nil)
  }

  func blob(_ id: ObjectID) throws(Failure) -> [UInt8] {
    do {
      return try records.gitRepository().0.blob(id)
    } catch {
      throw .io("cannot read the index's version: \(error)")
    }
  }

  /// The conflicts `fields` name: each conflict at a named field or inside it.
  func selected(_ fields: [String], in file: ConflictedFile) throws(Failure) -> [ConflictedFile.Conflict] {
    var chosen: [ConflictedFile.Conflict] = []
    for text in fields {
      let path: FieldPath
      do throws(RecordEditing.Problem) {
        path = try RecordEditing.Assignment.path(text)
      } catch {
        throw .usage(error.message, hint: error.hint)
      }
      let matching = file.conflicts.filter { $0.field?.components.starts(with: path.components) == true }
      guard !matching.isEmpty else {
        let named = file.conflicts.compactMap(\.field)
        if let outer = named.first(where: { path.components.starts(with: $0.components) }) {
          throw .usage(
            "'\(path)' is inside the conflict on '\(outer)' in \(file.name)",
            hint: "choose a side for '\(outer)', then change '\(path)' with 'tally set'")
        }
        var hint = "in conflict: " + Self.names(file.conflicts)
        if let suggestion = Suggestions.closest(to: text, among: named.map(\.description)) {
          hint = "did you mean '\(suggestion)'? " + hint
        }
        throw .usage("'\(path)' is not in conflict in \(file.name)", hint: hint)
      }
      for conflict in matching where !chosen.contains(where: { $0.identity == conflict.identity }) {
        chosen.append(conflict)
      }
    }
    return chosen
  }

  /// The lines that replace a conflict when `value` is set for `field`: our lines with the
  /// field set (or removed, for an empty value) as `tally set` sets it.
  func valueLines(
    _ value: String, for field: FieldPath, hunk: Int, in file: ConflictedFile, text: ConflictedText, display: String
  ) throws(Failure) -> [UInt8] {
    guard let typeName = file.type, let type = records.schema.type(named: typeName) else {
      throw .usage("\(display) is not a record: --value needs a field of a schema", hint: "choose --ours or --theirs")
    }
    let editing = RecordEditing(repository: records, today: today)
    var newValue: Value?
    do throws(RecordEditing.Problem) {
      let spec = try editing.field(at: field, in: type.object)
      if !value.isEmpty { newValue = try editing.scalarValue(value, for: spec, at: field) }
    } catch {
      throw .usage(error.message, hint: error.hint)
    }
    guard let version = text.version(choosing: .ours, at: hunk),
      let document = Document.parse(version.bytes, path: display).document
    else {
      throw .usage("\(display) is not a record with our lines in the conflict", hint: "choose --ours or --theirs")
    }
    let edited: Document
    do throws(RecordEditing.Problem) {
      if let newValue {
        edited = try editing.setting(field, to: newValue, in: document, type: type)
      } else if document.value[field] != nil {
        edited = try editing.removing(field, from: document, type: type)
      } else {
        edited = document
      }
    } catch {
      throw .usage(error.message, hint: error.hint)
    }
    // The edit must stay inside the conflict's lines: the text around them is as it was.
    let before = ConflictedText.lines(of: version.bytes)
    let after = ConflictedText.lines(of: edited.source)
    let prefix = version.lines.lowerBound
    let suffix = before.count - version.lines.upperBound
    func line(_ bytes: [UInt8], _ range: Range<Int>) -> ArraySlice<UInt8> { bytes[range] }
    guard after.count >= prefix + suffix,
      (0..<prefix).allSatisfy({ line(version.bytes, before[$0]) == line(edited.source, after[$0]) }),
      (0..<suffix).allSatisfy({
        line(version.bytes, before[before.count - 1 - $0]) == line(edited.source, after[after.count - 1 - $0])
      })
    else {
      throw .usage(
        "cannot set '\(field)' inside its conflict's lines in \(display)",
        hint: "choose --ours or --theirs, then change it with 'tally set'")
    }
    let middle = after[prefix..<(after.count - suffix)]
    guard let first = middle.first, let last = middle.last else { return [] }
    return Array(edited.source[first.lowerBound..<last.upperBound])
  }

  /// The check of a resolved record, as `tally set` checks it.
  func check(_ bytes: [UInt8], file: ConflictedFile, editing: RecordEditing, alongside: [String: [UInt8]?])
    throws(Failure) -> CheckReport
  {
    do throws(RecordEditing.Failure) {
      return try editing.check(file.path, text: bytes, baseline: nil, alongside: alongside)
    } catch {
      throw .io(error.description)
    }
  }

  static func noBase(_ display: String, _ hunk: ConflictedText.Hunk) -> Failure {
    .usage(
      "\(display): the conflict at lines \(hunk.lines.lowerBound)-\(hunk.lines.upperBound) holds no base version (git's merge.conflictStyle is 'merge')",
      hint: "choose --ours, --theirs or --value")
  }

  /// `'tier' and 'status'`, `lines 4-9`.
  static func names(_ conflicts: [ConflictedFile.Conflict]) -> String {
    var names: [String] = []
    for conflict in conflicts {
      let name: String
      if let field = conflict.field {
        name = "'\(field)'"
      } else if let lines = conflict.lines {
        name = "lines \(lines.lowerBound)-\(lines.upperBound)"
      } else {
        name = "the whole record"
      }
      if !names.contains(name) { names.append(name) }
    }
    guard let last = names.last else { return "nothing" }
    return names.count == 1 ? last : names.dropLast().joined(separator: ", ") + " and " + last
  }
}
