import TallyGit
import TallySchema
import TallyText

/// `tally commit`: formats the changed records, checks the snapshot the commit would record,
/// and only if it has no errors stages the changes and commits them through libgit2. A
/// refused or failed commit leaves the index, the working tree and the branch as they were.
public final class Committer {
  public let records: RecordsRepository
  public let git: Repository
  public let prefix: String
  public let checker: GitChecker

  /// What to commit.
  public enum Selection: Sendable {
    /// What is staged (as `git commit`).
    case staged
    /// These working-tree paths (files or directories, relative to the records root), new,
    /// changed or deleted, on top of what is staged (as `git commit PATH...` with `--include`).
    case paths([String])
    /// Every change under the records root, new files included (as `git add --all ROOT`).
    case all
  }

  /// One file of the commit.
  public struct Change: Sendable {
    public enum Kind: String, Sendable {
      case added = "A"
      case modified = "M"
      case deleted = "D"
    }

    /// Relative to the records root.
    public var path: String
    public var kind: Kind
    /// The content in `HEAD` (nil when added).
    public var old: [UInt8]?
    /// The content to commit (nil when deleted), formatted when it is a record.
    public var new: [UInt8]?
    /// True when formatting changed the bytes the user wrote.
    public var reformatted: Bool
    /// The working-tree bytes to put back if the commit fails (nil: the file did not exist);
    /// only set when the working-tree file is rewritten with the formatted bytes.
    var workingTreeOriginal: [UInt8]??
  }

  /// A commit worked out but not made.
  public struct Plan: Sendable {
    public var changes: [Change]
    public var report: CheckReport
    public var message: String
    public var isRefused: Bool { report.errorCount > 0 }
  }

  public init(records: RecordsRepository, git: Repository, prefix: String, today: CivilDate) {
    self.records = records
    self.git = git
    self.prefix = prefix
    self.checker = GitChecker(records: records, git: git, prefix: prefix, today: today)
  }

  var lead: String { prefix.isEmpty ? "" : prefix + "/" }

  /// Works out the commit: which files change, their formatted content, the check of the
  /// resulting snapshot, and the message (`message`, or one generated from the changes).
  /// `staged` is the index as read now (inside a transaction for a real commit).
  public func plan(_ selection: Selection, message: String?, staged: [IndexEntry]) throws -> Plan {
    let index = staged.filter { $0.stage == 0 && (lead.isEmpty || $0.path.hasPrefix(lead)) }
    if staged.contains(where: { $0.stage != 0 }) {
      throw SnapshotError.conflicted(staged.first { $0.stage != 0 }!.path)
    }
    let git = self.git
    let baseFiles = index.map { entry -> SnapshotFile in
      let id = entry.id
      return SnapshotFile(path: String(entry.path.dropFirst(lead.count)), contentKey: id.hex) { try git.blob(id) }
    }
    // HEAD's files, listed once: for what changed, and as the earlier version to check
    // state changes against.
    let head = try git.headState()
    let headFiles =
      try head.commit.map {
        try GitRevisionSource(repository: git, revision: $0.hex, prefix: prefix, name: "HEAD").files()
      } ?? []
    let indexFiles = FileLookup(baseFiles)
    let headLookup = FileLookup(headFiles)
    Trace.mark("plan: index and HEAD files")
    // What the commit would contain before formatting: path -> bytes (nil: deleted).
    var proposed: [String: [UInt8]?] = [:]
    var fromWorkingTree = Set<String>()
    for (path, inIndex, _) in FileLookup.differences(baseFiles, headFiles) {
      proposed[path] = .some(try inIndex.map { try $0.bytes() })
    }
    switch selection {
    case .staged:
      break
    case .all:
      for change in try git.workingTreeChanges(under: prefix) {
        let path = String(change.path.dropFirst(lead.count))
        proposed[path] = change.kind == .deleted ? .some(nil) : .some(try FileSystem.read(records.root + "/" + path))
        fromWorkingTree.insert(path)
      }
    case .paths(let paths):
      for path in paths {
        let absolute = FileSystem.joinPath(records.root, path)
        switch FileSystem.kind(of: absolute) {
        case .directory:
          let inside = path.isEmpty ? "" : path + "/"
          for file in try FileSystem.files(under: absolute, suffixes: [""]) {
            let relative = FileSystem.relative(file, to: records.root)
            proposed[relative] = .some(try FileSystem.read(file))
            fromWorkingTree.insert(relative)
          }
          for known in Set(baseFiles.map(\.path)).union(headFiles.map(\.path))
          where (inside.isEmpty || known.hasPrefix(inside)) && !FileSystem.exists(records.root + "/" + known) {
            proposed[known] = .some(nil)
            fromWorkingTree.insert(known)
          }
        case .none:
          guard indexFiles.file(path) != nil || headLookup.file(path) != nil else {
            throw CommitError.unknownPath(path)
          }
          proposed[path] = .some(nil)
          fromWorkingTree.insert(path)
        default:
          proposed[path] = .some(try FileSystem.read(absolute))
          fromWorkingTree.insert(path)
        }
      }
    }
    Trace.mark("plan: proposed changes")
    // Formatting, with the schemas the commit will have.
    let draft = try checker.snapshot(
      OverlaySource(base: baseFiles, changes: proposed, name: "the commit"))
    let policy = FormattingPolicy(repository: draft.repository)
    var changes: [Change] = []
    var final: [String: [UInt8]?] = [:]
    for path in proposed.keys.sorted() {
      let bytes = proposed[path]!
      let old = try headLookup.file(path).map { try $0.bytes() }
      var new = bytes
      var reformatted = false
      if let bytes, path.hasSuffix(".yaml"), let document = Document.parse(bytes).document {
        let formatted = policy.format(document, absolutePath: FileSystem.joinPath(records.root, path))
        if formatted != bytes {
          new = formatted
          reformatted = true
        }
      }
      final[path] = .some(new)
      if old == new { continue }  // e.g. a change undone in the working tree
      let kind: Change.Kind = new == nil ? .deleted : (old == nil ? .added : .modified)
      var change = Change(path: path, kind: kind, old: old, new: new, reformatted: reformatted)
      // Rewrite the working-tree file with the formatted bytes when it holds what was committed.
      if reformatted, let bytes {
        let onDisk = try? FileSystem.read(FileSystem.joinPath(records.root, path))
        if onDisk == bytes || fromWorkingTree.contains(path) { change.workingTreeOriginal = .some(onDisk) }
      }
      changes.append(change)
    }
    Trace.mark("plan: format")
    let snapshot = try checker.snapshot(
      files: try OverlaySource(base: baseFiles, changes: final, name: "the commit").files(), name: "the commit")
    Trace.mark("plan: snapshot of the commit")
    var headSnapshot: GitChecker.Snapshot?
    if !headFiles.isEmpty {
      do {
        headSnapshot = try checker.snapshot(files: headFiles, name: "HEAD")
      } catch SnapshotError.missingConfig {
        headSnapshot = nil  // HEAD has no records yet
      }
    }
    Trace.mark("plan: HEAD snapshot")
    let report = checker.check(snapshot, against: headSnapshot)
    checker.persist(snapshot)
    let text = message ?? CommitMessage.generate(changes, repository: snapshot.repository)
    return Plan(changes: changes, report: report, message: text)
  }

  /// Plans and makes the commit while holding the index. Returns the plan and the new
  /// commit (nil when the plan was refused, or there was nothing to commit).
  public func commit(_ selection: Selection, message: String?) throws -> (Plan, ObjectID?) {
    Trace.mark("start")
    let transaction = try git.beginIndexTransaction()
    defer { transaction.release() }
    let entries = transaction.entries()
    Trace.mark("commit: read the index under its lock")
    let plan = try self.plan(selection, message: message, staged: entries)
    guard !plan.isRefused else { return (plan, nil) }
    guard !plan.changes.isEmpty || selection.allowsEmpty else { throw CommitError.nothingToCommit }
    let author = try git.defaultSignature("AUTHOR")
    let committer = try git.defaultSignature("COMMITTER")
    // Formatted files go to the working tree first (so the index records their stat data);
    // they are put back if anything after fails.
    var rewritten: [(String, [UInt8]?)] = []
    do {
      for change in plan.changes {
        guard case .some(let original) = change.workingTreeOriginal, let new = change.new else { continue }
        try FileSystem.writeAtomically(FileSystem.joinPath(records.root, change.path), new)
        rewritten.append((change.path, original))
      }
      try transaction.stage(
        plan.changes.map { change in
          if let new = change.new { return .write(path: lead + change.path, bytes: new, executable: false) }
          return .remove(path: lead + change.path)
        })
      Trace.mark("commit: stage")
      let id = try transaction.commit(message: Self.cleanMessage(plan.message), author: author, committer: committer)
      Trace.mark("commit: tree, commit, index, branch")
      return (plan, id)
    } catch {
      for (path, original) in rewritten.reversed() {
        let absolute = FileSystem.joinPath(records.root, path)
        if let original {
          try? FileSystem.writeAtomically(absolute, original)
        } else {
          try? FileSystem.remove(absolute)
        }
      }
      throw error
    }
  }

  /// A message as git stores it: trailing spaces and blank lines trimmed, one final newline.
  static func cleanMessage(_ message: String) -> String {
    var lines = message.split(separator: "\n", omittingEmptySubsequences: false).map {
      String($0.reversed().drop(while: { $0 == " " || $0 == "\t" || $0 == "\r" }).reversed())
    }
    while lines.last?.isEmpty == true { lines.removeLast() }
    while lines.first?.isEmpty == true { lines.removeFirst() }
    return lines.joined(separator: "\n") + "\n"
  }
}

extension Committer.Selection {
  var allowsEmpty: Bool { false }
}

public enum CommitError: Error, CustomStringConvertible {
  case nothingToCommit
  case unknownPath(String)
  case emptyMessage

  public var description: String {
    switch self {
    case .nothingToCommit: "nothing to commit (stage changes with git add, or name paths, or use --all)"
    case .unknownPath(let path): "\(path) is neither in the working tree nor known to git"
    case .emptyMessage: "the commit message is empty"
    }
  }
}

/// Files of a snapshot found by path: by binary search when they are in git's order (an
/// index, a tree), else through a dictionary.
struct FileLookup {
  let files: [SnapshotFile]
  let sorted: Bool
  private let byPath: [String: Int]

  init(_ files: [SnapshotFile]) {
    self.files = files
    sorted = RepositoryChecker.inByteOrder(files)
    byPath = sorted ? [:] : Dictionary(files.enumerated().map { ($1.path, $0) }, uniquingKeysWith: { $1 })
  }

  func file(_ path: String) -> SnapshotFile? {
    if sorted { return RepositoryChecker.position(of: path, in: files).map { files[$0] } }
    return byPath[path].map { files[$0] }
  }

  /// The paths whose content differs between `new` and `old` (added, changed, removed), with
  /// each side's file.
  static func differences(
    _ new: [SnapshotFile], _ old: [SnapshotFile]
  ) -> [(path: String, new: SnapshotFile?, old: SnapshotFile?)] {
    var result: [(path: String, new: SnapshotFile?, old: SnapshotFile?)] = []
    if RepositoryChecker.inByteOrder(new) && RepositoryChecker.inByteOrder(old) {
      var i = 0
      var j = 0
      while i < new.count || j < old.count {
        let order =
          i == new.count ? 1 : (j == old.count ? -1 : RepositoryChecker.compareBytes(new[i].path, old[j].path))
        if order < 0 {
          result.append((new[i].path, new[i], nil))
          i += 1
        } else if order > 0 {
          result.append((old[j].path, nil, old[j]))
          j += 1
        } else {
          if new[i].contentKey != old[j].contentKey || new[i].contentKey == nil {
            result.append((new[i].path, new[i], old[j]))
          }
          i += 1
          j += 1
        }
      }
      return result
    }
    let oldLookup = FileLookup(old)
    let newLookup = FileLookup(new)
    for file in new {
      let before = oldLookup.file(file.path)
      if before == nil || before!.contentKey != file.contentKey || file.contentKey == nil {
        result.append((file.path, file, before))
      }
    }
    for file in old where newLookup.file(file.path) == nil { result.append((file.path, nil, file)) }
    return result
  }
}
