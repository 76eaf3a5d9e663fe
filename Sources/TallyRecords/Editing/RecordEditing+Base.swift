import TallySchema
import TallyText

extension RecordEditing {
  /// Where an edit reads the records it starts from and checks the result among: the
  /// working tree (the command line), or the files of a snapshot held in memory (a commit,
  /// for `tally serve`, which never touches a working tree and may run beside a bare
  /// repository). The editing itself is the same for both.
  public enum Base: Sendable {
    case workingTree
    /// Every file under the records root, paths relative to it (``RecordSource/files()``).
    case snapshot([SnapshotFile], name: String)
  }

  /// The bytes of the file at `relative` (relative to the records root), nil when the base
  /// has no such file.
  func bytes(at relative: String) throws(Failure) -> [UInt8]? {
    switch base {
    case .workingTree:
      let absolute = FileSystem.joinPath(repository.root, relative)
      guard FileSystem.kind(of: absolute) == .file else {
        // Not checked out (a sparse checkout): as the index has it.
        guard let file = sparse.file(relative) else { return nil }
        do {
          return try file.bytes()
        } catch {
          throw .io("cannot read \(relative) from the index: \(error)")
        }
      }
      do {
        return try FileSystem.read(absolute)
      } catch {
        throw .io(error.description)
      }
    case .snapshot(let files, _):
      guard let file = files.first(where: { $0.path == relative }) else { return nil }
      do {
        return try file.bytes()
      } catch {
        throw .io("cannot read \(relative): \(error)")
      }
    }
  }

  /// Whether the base has a file at `relative`.
  func hasFile(_ relative: String) -> Bool {
    switch base {
    case .workingTree:
      FileSystem.kind(of: FileSystem.joinPath(repository.root, relative)) == .file
        || sparse.file(relative).map { !$0.isSymbolicLink } == true
    case .snapshot(let files, _): files.contains { $0.path == relative && !$0.isSymbolicLink }
    }
  }

  /// The records the new text is checked among (before it replaces its file).
  func checkedSource() -> RecordSource {
    switch base {
    case .workingTree: CheckoutSource(repository: repository)
    case .snapshot(let files, let name): SnapshotFiles(listed: files, name: name)
    }
  }

  /// The ids of the records of `type` in the base.
  func existingIDs(of type: RecordType) -> [String] {
    switch base {
    case .workingTree:
      let directory = FileSystem.joinPath(repository.root, type.directory)
      guard let names = try? FileSystem.contents(of: directory) else { return [] }
      guard type.layout != .flat else { return names.compactMap(Self.recordID) }
      return names.filter { type.layout.isShardName($0) }.flatMap { shard in
        ((try? FileSystem.contents(of: FileSystem.joinPath(directory, shard))) ?? []).compactMap(Self.recordID)
          .filter { type.layout.shard(of: $0) == shard }
      }
    case .snapshot(let files, _):
      let prefix = type.directory + "/"
      return files.compactMap { file in
        guard file.path.hasPrefix(prefix), file.path.hasSuffix(".yaml") else { return nil }
        let name = file.path.dropFirst(prefix.count)
        guard let id = Self.recordID(String(name.split(separator: "/").last ?? name)) else { return nil }
        return file.path == type.path(of: id) ? id : nil
      }
    }
  }

  /// The id a file name gives a record (`C-0042.yaml` → `C-0042`; nil for other files).
  static func recordID(_ name: String) -> String? {
    guard name.hasSuffix(".yaml"), !name.hasPrefix(".") else { return nil }
    return String(name.dropLast(5))
  }

  /// Files already listed, as a record source.
  struct SnapshotFiles: RecordSource {
    let listed: [SnapshotFile]
    let name: String

    func files() throws -> [SnapshotFile] { listed }
  }
}

extension RecordEditing {
  /// The record `id` of the type called `type`, which must exist in the base.
  public func target(type: String, id: String) throws(Failure) -> Target {
    let recordType = try recordType(named: type)
    guard !id.isEmpty, !id.hasPrefix("."), !id.contains("/"), !id.contains("\\") else {
      throw .usage([Problem("'\(id)' cannot be a record id")])
    }
    let relative = recordType.path(of: id)
    return try existing(Target(type: recordType.name, id: id, relativePath: relative), named: type + "/" + id)
  }

  /// The bytes of `target`'s file in the base.
  public func originalBytes(of target: Target) throws(Failure) -> [UInt8] {
    try read(target).1
  }

  /// What is wrong with `text` as the value of the field `spec` at `path` (nil when it fits):
  /// the check a form makes of each field before it edits the record.
  public func problem(with text: String, for spec: FieldSpec, at path: FieldPath) -> Problem? {
    do {
      _ = try scalarValue(text, for: spec, at: path)
      return nil
    } catch {
      return error
    }
  }

  /// Checks `text` as the file at `relative` among the other records of the base, its state
  /// changes against `baseline` (see ``check(_:text:baseline:alongside:)``).
  public func checkEdited(_ relative: String, text: [UInt8], baseline: TransitionChecker.Baseline?) throws(Failure)
    -> CheckReport
  {
    try check(relative, text: text, baseline: baseline, alongside: [:])
  }
}
