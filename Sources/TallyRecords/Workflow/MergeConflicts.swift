import TallyGit
import TallySchema
import TallyText

/// The conflicts a merge (or a rebase, cherry-pick or revert) left under the records root,
/// record by record and field by field: what `tally conflicts` lists and `tally resolve`
/// works on.
///
/// Where they come from:
/// - the index's unmerged paths (entries at stages 1, 2 and 3: base, ours, theirs). A path
///   one side deleted (or could not place) is a conflict on the whole record, with the
///   record's value on each side from its stage. Any other is read from the working tree:
///   each conflict marker hunk in it is mapped to the fields it holds
///   (``ConflictedText/conflicts(type:fallbackBase:)``); an unmerged file with no markers
///   left is listed with no conflicts (resolved, not yet staged);
/// - the files that differ from the index in the working tree and hold conflict markers
///   although git has no conflict for them (``ConflictedFile/State/markers``).
public struct MergeConflicts: Sendable {
  /// The operation git has in progress (`merge`, `rebase`, `cherry-pick`, `revert`, `am`),
  /// nil when none: then conflicts can still be left, e.g. by `git stash pop`.
  public var operation: String?
  /// The conflicted files, by path.
  public var files: [ConflictedFile]

  /// Whether nothing is left to resolve.
  public var isEmpty: Bool { files.isEmpty }

  /// How many conflicts are left: fields, lines, whole records; a file resolved but not
  /// staged counts one.
  public var conflictCount: Int { files.reduce(0) { $0 + max(1, $1.conflicts.count) } }

  /// Finds the conflicts of the records repository `records`.
  ///
  /// - Parameter only: The paths (relative to the records root) to look at; nil for all.
  /// - Throws: ``GitError`` when the repository or its index cannot be read, ``FileError``
  ///   when a file cannot be read.
  public static func find(in records: RecordsRepository, only: Set<String>? = nil) throws -> MergeConflicts {
    let (git, prefix) = try records.gitRepository()
    return try find(in: records, git: git, prefix: prefix, only: only)
  }

  static func find(in records: RecordsRepository, git: Repository, prefix: String, only: Set<String>?) throws
    -> MergeConflicts
  {
    let lead = prefix.isEmpty ? "" : prefix + "/"
    let operation = try git.operationInProgress()
    let entries = try git.indexEntries()
    var unmerged: [String: [Int: ConflictedFile.IndexStage]] = [:]
    var staged: [String: ObjectID] = [:]
    for entry in entries where lead.isEmpty || entry.path.hasPrefix(lead) {
      let relative = String(entry.path.dropFirst(lead.count))
      if let only, !only.contains(relative) { continue }
      if entry.stage == 0 {
        staged[relative] = entry.id
      } else {
        unmerged[relative, default: [:]][entry.stage] = ConflictedFile.IndexStage(id: entry.id, mode: entry.mode)
      }
    }
    var files: [ConflictedFile] = []
    for (path, stages) in unmerged {
      files.append(try file(path, stages: stages, records: records, git: git))
    }
    // Files git has no conflict for that hold markers: changed in the working tree.
    var candidates: [String] = []
    if let only {
      candidates = only.filter { unmerged[$0] == nil }.sorted()
    } else {
      for change in try git.workingTreeChanges(under: prefix) where change.kind != .deleted {
        let relative = String(change.path.dropFirst(lead.count))
        if unmerged[relative] == nil { candidates.append(relative) }
      }
    }
    for path in candidates {
      let absolute = FileSystem.joinPath(records.root, path)
      guard FileSystem.entryKind(of: absolute) == .file else { continue }
      let bytes = try FileSystem.read(absolute)
      let text = ConflictedText(bytes)
      guard text.hasMarkers else { continue }
      let (type, id) = recordName(path, records: records)
      var file = ConflictedFile(
        path: path, type: type?.name, id: id, state: .markers, conflicts: [], bytes: bytes, text: text, stages: [:])
      if let blob = staged[path] { file.stagedWithMarkers = ConflictedText(try git.blob(blob)).hasMarkers }
      file.conflicts = conflicts(in: text, path: path, type: type, fallbackBase: .unknown)
      files.append(file)
    }
    files.sort { $0.path < $1.path }
    return MergeConflicts(operation: operation?.rawValue, files: files)
  }

  /// The record type and id of the file at `path`, when it is a record.
  static func recordName(_ path: String, records: RecordsRepository) -> (RecordType?, String?) {
    guard case .record(let typeName, let id) = records.role(of: path), let type = records.schema.type(named: typeName)
    else { return (nil, nil) }
    return (type, id)
  }

  /// An unmerged file: its state, and what is left to decide in it.
  static func file(
    _ path: String, stages: [Int: ConflictedFile.IndexStage], records: RecordsRepository, git: Repository
  ) throws -> ConflictedFile {
    let state = ConflictedFile.State(stages: Set(stages.keys))
    let (type, id) = recordName(path, records: records)
    let absolute = FileSystem.joinPath(records.root, path)
    var bytes: [UInt8]?
    if FileSystem.entryKind(of: absolute) == .file { bytes = try FileSystem.read(absolute) }
    var file = ConflictedFile(
      path: path, type: type?.name, id: id, state: state, conflicts: [], bytes: bytes, text: nil, stages: stages)
    func value(_ stage: Int) throws -> Value? {
      guard let entry = stages[stage] else { return nil }
      let blob = try git.blob(entry.id)
      return SyntaxTree.parse(blob).tree?.value ?? .text(String(decoding: blob, as: UTF8.self))
    }
    if state.isWholeFile {
      file.conflicts = [
        ConflictedFile.Conflict(
          field: nil, identity: nil, type: type.map { .object($0.object) }, lines: nil, hunk: nil,
          base: try value(1), ours: try value(2), theirs: try value(3), note: nil)
      ]
      return file
    }
    guard let bytes else { return file }
    let text = ConflictedText(bytes)
    file.text = text
    var fallback = ConflictedText.FallbackBase.absent
    if let entry = stages[1] {
      let blob = try git.blob(entry.id)
      fallback = SyntaxTree.parse(blob).tree.map { .value($0.value) } ?? .unknown
    }
    file.conflicts = conflicts(in: text, path: path, type: type, fallbackBase: fallback)
    return file
  }

  /// The conflicts of the markers of the file at `path`, and one per stray marker. A file in
  /// the record format (`.yaml`: a record, a schema, `tally.yaml`) is read as fields; any
  /// other as lines.
  static func conflicts(
    in text: ConflictedText, path: String, type: RecordType?, fallbackBase: ConflictedText.FallbackBase
  ) -> [ConflictedFile.Conflict] {
    var result =
      type != nil || path.hasSuffix(".yaml")
      ? text.conflicts(type: type, fallbackBase: fallbackBase) : text.lineConflicts(note: "not a record file")
    for line in text.strayMarkers {
      result.append(
        ConflictedFile.Conflict(
          field: nil, identity: nil, type: nil, lines: line...line, hunk: nil, base: nil, ours: nil, theirs: nil,
          note: "a conflict marker outside a complete conflict: edit the file by hand"))
    }
    guard !text.strayMarkers.isEmpty else { return result }
    return result.enumerated().sorted { a, b in
      (a.element.lines?.lowerBound ?? 0, a.offset) < (b.element.lines?.lowerBound ?? 0, b.offset)
    }.map(\.element)
  }
}
