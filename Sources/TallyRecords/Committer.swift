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
    var indexByPath: [String: ObjectID] = [:]
    for entry in index { indexByPath[String(entry.path.dropFirst(lead.count))] = entry.id }
    let head = try git.headState()
    var headByPath: [String: ObjectID] = [:]
    if let commit = head.commit {
      let tree = try git.tree(ofCommit: commit)
      if let root = try git.subtree(tree, at: prefix) {
        for file in try git.files(inTree: root) { headByPath[file.path] = file.id }
      }
    }
    // What the commit would contain before formatting: path -> bytes (nil: deleted).
    var proposed: [String: [UInt8]?] = [:]
    var fromWorkingTree = Set<String>()
    for (path, id) in indexByPath where headByPath[path] != id {
      proposed[path] = .some(try git.blob(id))
    }
    for path in headByPath.keys where indexByPath[path] == nil { proposed[path] = .some(nil) }
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
          for known in Set(indexByPath.keys).union(headByPath.keys)
          where (inside.isEmpty || known.hasPrefix(inside)) && !FileSystem.exists(records.root + "/" + known) {
            proposed[known] = .some(nil)
            fromWorkingTree.insert(known)
          }
        case .none:
          guard indexByPath[path] != nil || headByPath[path] != nil else {
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
    // Formatting, with the schemas the commit will have.
    let baseFiles = index.map { entry -> SnapshotFile in
      let id = entry.id
      let git = self.git
      return SnapshotFile(path: String(entry.path.dropFirst(lead.count)), contentKey: id.hex) { try git.blob(id) }
    }
    let draft = try checker.snapshot(
      OverlaySource(base: baseFiles, changes: proposed, name: "the commit"))
    let policy = FormattingPolicy(repository: draft.repository)
    var changes: [Change] = []
    var final: [String: [UInt8]?] = [:]
    for path in proposed.keys.sorted() {
      let bytes = proposed[path]!
      let old = try headByPath[path].map { try git.blob($0) }
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
    let snapshot = try checker.snapshot(
      files: try OverlaySource(base: baseFiles, changes: final, name: "the commit").files(), name: "the commit")
    let report = checker.check(snapshot, against: try checker.headSnapshot())
    checker.persist(snapshot)
    let text = message ?? CommitMessage.generate(changes, repository: snapshot.repository)
    return Plan(changes: changes, report: report, message: text)
  }

  /// Plans and makes the commit while holding the index. Returns the plan and the new
  /// commit (nil when the plan was refused, or there was nothing to commit).
  public func commit(_ selection: Selection, message: String?) throws -> (Plan, ObjectID?) {
    let transaction = try git.beginIndexTransaction()
    defer { transaction.release() }
    let plan = try self.plan(selection, message: message, staged: transaction.entries())
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
      let id = try transaction.commit(message: Self.cleanMessage(plan.message), author: author, committer: committer)
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
