import TallyGit
import TallySchema
import TallyText

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// `tally migrate layout`: moves the files of one record type to another layout — into shard
/// folders named by the id's last digits, or back to one flat folder — and says so in its
/// schema, as one commit of nothing but those moves (and tally's `.gitattributes` line for the
/// type). The history reads a record at either layout as the same record, so `tally log` and
/// `blame` go straight across the commit and the history cache stays valid.
///
/// ``plan(records:type:layout:)`` works out the moves from the working tree without touching
/// it; ``apply()`` makes them (as a critical section: a signal waits until every file is in
/// place) and ``undo()`` puts everything back, so a refused or interrupted commit leaves the
/// working tree as it was.
public struct LayoutMigration: Sendable {
  /// One record file moved, paths relative to the records root.
  public struct Move: Sendable, Hashable {
    public var from: String
    public var to: String
  }

  /// A file rewritten: its path relative to the records root, its bytes before and after.
  public struct Rewrite: Sendable {
    public var path: String
    public var before: [UInt8]
    public var after: [UInt8]
  }

  public enum Failure: Error, Sendable, CustomStringConvertible {
    /// The request itself is wrong (an unknown type, the layout it already has).
    case usage(String)
    /// The repository is not in a state to migrate (changes of its own in the type's files).
    case refused(String)
    /// A file could not be read or written.
    case io(String)

    public var description: String {
      switch self {
      case .usage(let text), .refused(let text), .io(let text): text
      }
    }
  }

  public let root: String
  public let typeName: String
  public let directory: String
  public let from: RecordLayout
  public let to: RecordLayout
  /// The record files that move (a record already where the new layout puts it stays).
  public let moves: [Move]
  /// The records of the type, moved or not.
  public let recordCount: Int
  /// The type's schema file with its `shard:` set for the new layout.
  public let schema: Rewrite
  /// `.gitattributes` with tally's line for the type's files matching the new layout, when it
  /// has that line.
  public let attributes: Rewrite?

  /// The paths a commit of the migration must take from the working tree.
  public var paths: [String] { [directory, schema.path] + (attributes.map { [$0.path] } ?? []) }

  /// Works out the migration of the type called `typeName` to `layout` from the working tree.
  public static func plan(records: RecordsRepository, typeName: String, layout: RecordLayout) throws(Failure)
    -> LayoutMigration
  {
    guard let type = records.schema.type(named: typeName) ?? records.schema.type(forDirectory: typeName) else {
      let names = records.schema.types.map(\.name).joined(separator: ", ")
      throw .usage("no record type '\(typeName)' (types: \(names))")
    }
    guard type.layout != layout else {
      throw .usage("\(type.name) records are already \(type.layout.description)")
    }
    if case .lastDigits(let digits) = layout, !(1...RecordLayout.maximumDigits).contains(digits) {
      throw .usage("a shard is named by 1 to \(RecordLayout.maximumDigits) digits")
    }
    // A sparse checkout has only some of the files to move: the commit would lose the others.
    if let (git, prefix) = try? records.gitRepository(), let sparse = try? git.sparsePaths() {
      let lead = (prefix.isEmpty ? "" : prefix + "/") + type.directory + "/"
      if sparse.contains(where: { $0.hasPrefix(lead) }) {
        throw .refused(
          "this is a sparse checkout without all of \(type.directory)/: migrate in a full checkout (git sparse-checkout disable)"
        )
      }
    }
    // The schema file of the type, relative to the root (its location is a display path).
    let schemaFiles =
      (try? FileSystem.files(
        under: FileSystem.joinPath(records.root, records.config.schemaDirectory), suffixes: [".yaml"])) ?? []
    guard
      let schemaPath = schemaFiles.map({ FileSystem.relative($0, to: records.root) }).first(where: {
        records.displayPath($0) == type.location.path
      })
    else {
      throw .io("cannot find the schema file of \(type.name) (\(type.location.path))")
    }
    let schemaBytes: [UInt8]
    do {
      schemaBytes = try FileSystem.read(FileSystem.joinPath(records.root, schemaPath))
    } catch {
      throw .io("cannot read \(records.displayPath(schemaPath)): \(error)")
    }
    guard let newSchema = Self.schemaText(String(decoding: schemaBytes, as: UTF8.self), layout: layout) else {
      throw .refused(
        "\(records.displayPath(schemaPath)) has no top-level 'directory:' line to put 'shard:' under")
    }
    // The records as the working tree has them: directly in the directory, or in a folder
    // named by the id's last digits (either layout, whatever the schema says now).
    var moves: [Move] = []
    var count = 0
    var targets = Set<String>()
    let directoryPath = FileSystem.joinPath(records.root, type.directory)
    let names = (try? FileSystem.contents(of: directoryPath)) ?? []
    var target = type
    target.layout = layout
    func consider(_ path: String, id: String) throws(Failure) {
      count += 1
      let destination = target.path(of: id)
      guard targets.insert(destination).inserted else {
        throw .refused("\(type.name) \(id) is in the working tree twice: keep one of its files first")
      }
      if destination != path { moves.append(Move(from: path, to: destination)) }
    }
    for name in names.sorted() where !name.hasPrefix(".") {
      let path = type.directory + "/" + name
      if name.hasSuffix(".yaml") {
        let id = String(name.dropLast(5))
        if layout != .flat, layout.shard(of: id) == nil {
          throw .refused(
            "\(type.name) \(id) cannot be sharded: its id does not end in a digit (rename it first with git mv)")
        }
        try consider(path, id: id)
      } else if FileSystem.kind(of: FileSystem.joinPath(directoryPath, name)) == .directory,
        name.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
      {
        let inner = (try? FileSystem.contents(of: FileSystem.joinPath(directoryPath, name))) ?? []
        for file in inner.sorted() where file.hasSuffix(".yaml") && !file.hasPrefix(".") {
          let id = String(file.dropLast(5))
          guard RecordLayout.lastDigits(name.utf8.count).isShard(name, of: id) else { continue }
          try consider(path + "/" + file, id: id)
        }
      }
    }
    return LayoutMigration(
      root: records.root, typeName: type.name, directory: type.directory, from: type.layout, to: layout,
      moves: moves, recordCount: count,
      schema: Rewrite(path: schemaPath, before: schemaBytes, after: Array(newSchema.utf8)),
      attributes: Self.attributesRewrite(records: records, directory: type.directory, from: type.layout, to: layout))
  }

  /// `text` with its top-level `shard:` entry replaced by `layout`'s (removed for a flat one),
  /// placed right under `directory:`; nil when the text has no `directory:` line.
  static func schemaText(_ text: String, layout: RecordLayout) -> String? {
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    // Drop the old entry: the line and the lines indented under it.
    if let start = lines.firstIndex(where: { $0.hasPrefix("shard:") }) {
      var end = start + 1
      while end < lines.count, lines[end].first == " " || lines[end].first == "\t" { end += 1 }
      lines.removeSubrange(start..<end)
    }
    guard let directory = lines.firstIndex(where: { $0.hasPrefix("directory:") }) else { return nil }
    if case .lastDigits(let digits) = layout {
      lines.insert(contentsOf: ["shard:", "  digits: \(digits)"], at: directory + 1)
    }
    return lines.joined(separator: "\n")
  }

  /// `.gitattributes` (at the records root) with tally's line for `directory` rewritten for
  /// the new layout; nil when it has no such line.
  static func attributesRewrite(records: RecordsRepository, directory: String, from: RecordLayout, to: RecordLayout)
    -> Rewrite?
  {
    let path = ".gitattributes"
    guard let bytes = try? FileSystem.read(FileSystem.joinPath(records.root, path)) else { return nil }
    let text = String(decoding: bytes, as: UTF8.self)
    let old = HookInstaller.attributesPattern(directory: directory, sharded: from != .flat) + " "
    let new = HookInstaller.attributesPattern(directory: directory, sharded: to != .flat) + " "
    var changed = false
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
      guard line.hasPrefix(old) else { return String(line) }
      changed = true
      return new + line.dropFirst(old.count)
    }
    guard changed else { return nil }
    return Rewrite(path: path, before: bytes, after: Array(lines.joined(separator: "\n").utf8))
  }

  /// Moves the files and rewrites the schema (and `.gitattributes`), telling `progress` how
  /// many files moved of how many. Signals wait until it is done; on a failure what was done
  /// is undone before it throws.
  public func apply(progress: ((Int, Int) -> Void)? = nil) throws(Failure) {
    try Interrupts.critical { () throws(Failure) in
      var done: [Move] = []
      do {
        for move in moves {
          let destination = FileSystem.joinPath(root, move.to)
          try FileSystem.createDirectory(FileSystem.parentDirectory(of: destination))
          guard FileSystem.kind(of: destination) == nil else {
            throw Failure.refused("\(move.to) exists already: \(move.from) cannot move there")
          }
          guard rename(FileSystem.joinPath(root, move.from), destination) == 0 else {
            throw Failure.io("cannot move \(move.from) to \(move.to): \(String(cString: strerror(errno)))")
          }
          done.append(move)
          if done.count % 256 == 0 || done.count == moves.count { progress?(done.count, moves.count) }
        }
        for rewrite in [schema] + (attributes.map { [$0] } ?? []) {
          try FileSystem.writeAtomically(FileSystem.joinPath(root, rewrite.path), rewrite.after)
        }
      } catch {
        Self.moveBack(done, root: root)
        for rewrite in [schema] + (attributes.map { [$0] } ?? []) {
          try? FileSystem.writeAtomically(FileSystem.joinPath(root, rewrite.path), rewrite.before)
        }
        removeEmptyFolders()
        if let failure = error as? Failure { throw failure }
        throw Failure.io("\(error)")
      }
      removeEmptyFolders()
    }
  }

  /// Puts every file back where it was and the schema (and `.gitattributes`) as it was.
  public func undo() {
    Interrupts.critical {
      Self.moveBack(moves, root: root)
      for rewrite in [schema] + (attributes.map { [$0] } ?? []) {
        try? FileSystem.writeAtomically(FileSystem.joinPath(root, rewrite.path), rewrite.before)
      }
      removeEmptyFolders()
    }
  }

  private static func moveBack(_ moves: [Move], root: String) {
    for move in moves.reversed() {
      let origin = FileSystem.joinPath(root, move.from)
      try? FileSystem.createDirectory(FileSystem.parentDirectory(of: origin))
      _ = rename(FileSystem.joinPath(root, move.to), origin)
    }
  }

  /// Removes the folders of the type's directory that the moves emptied (`rmdir` only removes
  /// an empty one).
  private func removeEmptyFolders() {
    let directoryPath = FileSystem.joinPath(root, directory)
    for name in (try? FileSystem.contents(of: directoryPath)) ?? [] {
      _ = rmdir(FileSystem.joinPath(directoryPath, name))
    }
  }

  /// The changes of a planned commit of ``paths`` that are not this migration's: anything but
  /// a moved file's old path deleted, its new path added with the very bytes its old path has
  /// in `HEAD`, and the schema and `.gitattributes` as rewritten. The migration commit must
  /// carry none.
  public func changesOfTheirOwn(in changes: [Committer.Change]) -> [Committer.Change] {
    let from = movedFrom
    let to = movedTo
    var removed: [String: [UInt8]] = [:]
    for change in changes where change.kind == .deleted && from.contains(change.path) {
      removed[change.path] = change.old
    }
    return changes.filter { change in
      if change.path == schema.path { return change.new != schema.after }
      if let attributes, change.path == attributes.path { return change.new != attributes.after }
      switch change.kind {
      case .deleted: return !from.contains(change.path)
      case .added:
        guard let source = to[change.path], let before = removed[source] else { return true }
        return before != change.new
      case .modified: return true
      }
    }
  }

  /// The moves by destination, and their origins.
  public var movedTo: [String: String] { Dictionary(uniqueKeysWithValues: moves.map { ($0.to, $0.from) }) }
  public var movedFrom: Set<String> { Set(moves.map(\.from)) }
}
