import TallyGit
import TallySchema
import TallyText

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// `tally commit`: formats the changed records, checks exactly the snapshot the commit will
/// record, and only if it has no errors stages the changes and commits them through
/// libgit2. A refused, failed or interrupted commit leaves the index, the working tree and
/// the branch as they were.
///
/// What a commit contains follows `git commit`:
/// - ``Selection/staged``: what is staged (`git commit`);
/// - ``Selection/paths(_:)``: `HEAD` plus the named paths as they are in the working tree,
///   and nothing else — other staged changes stay staged, out of the commit (git's default
///   `--only`); the index then holds the named paths as committed;
/// - ``Selection/all``: every change under the records root, new files included
///   (`git add --all ROOT`, then `git commit`).
///
/// The tree written is built from the very files the check saw (the base and the formatted
/// changes), so a commit never holds a version that was not checked. A merge in progress is
/// finished as `git commit` finishes it (parents `HEAD` and every `MERGE_HEAD`, `MERGE_MSG`
/// as the default message, the merge's state files removed); other operations in progress
/// (rebase, cherry-pick, revert, am, bisect) are refused.
public final class Committer {
  public let records: RecordsRepository
  public let git: Repository
  public let prefix: String
  public let checker: GitChecker
  /// Told what happened while waiting for the index (a stale lock removed, a wait).
  public var notice: (LockNotice) -> Void = { _ in }
  /// How long to wait for a lock held by a running process, in seconds: `TALLY_LOCK_TIMEOUT`,
  /// else 10.
  public var lockTimeout: Double = Committer.defaultLockTimeout

  public static var defaultLockTimeout: Double {
    guard let text = getenv("TALLY_LOCK_TIMEOUT"), let seconds = Double(String(cString: text)), seconds >= 0 else {
      return 10
    }
    return seconds
  }

  /// What to commit.
  public enum Selection: Sendable {
    /// What is staged (as `git commit`).
    case staged
    /// These working-tree paths (files or directories, relative to the records root), new,
    /// changed or deleted, on top of `HEAD` (as `git commit PATH...`, git's `--only`).
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

    public init(path: String, kind: Kind, old: [UInt8]?, new: [UInt8]?, reformatted: Bool = false) {
      self.path = path
      self.kind = kind
      self.old = old
      self.new = new
      self.reformatted = reformatted
    }
  }

  /// A file formatted in the working tree: it held `original`, it gets `formatted`.
  struct Rewrite: Sendable {
    var path: String
    var original: [UInt8]
    var formatted: [UInt8]
  }

  /// A commit worked out but not made.
  public struct Plan: Sendable {
    public var changes: [Change]
    public var report: CheckReport
    public var message: String
    /// Paths whose change was only layout: canonical again, as in `HEAD`, so nothing of them
    /// is committed.
    public var layoutOnly: [String]
    /// The commits being merged in when a merge is finished (`MERGE_HEAD`); empty otherwise.
    public var mergeHeads: [ObjectID]
    public var isRefused: Bool { report.errorCount > 0 }
    /// Nothing to commit: no file differs from `HEAD` and no merge is being finished.
    public var isEmpty: Bool { changes.isEmpty && mergeHeads.isEmpty }
    /// Files formatted in place.
    var rewrites: [Rewrite]
    /// What the index gets (paths from the top of the working tree): the commit's files
    /// where the index holds something else, or a file that is rewritten.
    var indexUpdates: [StagedChange]
    /// For ``Selection/paths(_:)``: the commit's tree is `HEAD`'s with these applied (what
    /// else is staged stays out of it); nil: the tree of the updated index.
    var treeUpdates: [StagedChange]?
    /// `HEAD`'s tree (nil on an unborn branch).
    var headTree: ObjectID?
  }

  public init(records: RecordsRepository, git: Repository, prefix: String, today: CivilDate) {
    self.records = records
    self.git = git
    self.prefix = prefix
    self.checker = GitChecker(records: records, git: git, prefix: prefix, today: today)
  }

  var lead: String { prefix.isEmpty ? "" : prefix + "/" }

  /// A file's content as git stores it.
  enum Content: Equatable, Sendable {
    case file([UInt8], executable: Bool)
    case link([UInt8])

    init(_ bytes: [UInt8], mode: UInt32) {
      self = mode == 0o120000 ? .link(bytes) : .file(bytes, executable: mode == 0o100755)
    }

    var bytes: [UInt8] {
      switch self {
      case .file(let bytes, _), .link(let bytes): bytes
      }
    }

    var mode: UInt32 {
      switch self {
      case .file(_, let executable): executable ? 0o100755 : 0o100644
      case .link: 0o120000
      }
    }

    func staged(at path: String) -> StagedChange {
      switch self {
      case .file(let bytes, let executable): .write(path: path, bytes: bytes, executable: executable)
      case .link(let target): .link(path: path, target: target)
      }
    }

    func snapshotFile(_ path: String) -> SnapshotFile {
      let bytes = bytes
      let isLink = if case .link = self { true } else { false }
      return SnapshotFile(path: path, contentKey: Repository.blobID(of: bytes).hex, isSymbolicLink: isLink) { bytes }
    }

    /// Snapshot files for contents by path (nil: removed), for an ``OverlaySource``.
    static func files(_ contents: [String: Content?]) -> [String: SnapshotFile?] {
      var files: [String: SnapshotFile?] = [:]
      for (path, content) in contents { files[path] = .some(content?.snapshotFile(path)) }
      return files
    }
  }

  /// What is at `path` (relative to the records root) in the working tree: a file and
  /// whether it is executable, a symbolic link (never followed), or nil when nothing is.
  func workingTreeContent(_ path: String) throws -> Content? {
    let absolute = FileSystem.joinPath(records.root, path)
    switch FileSystem.entryKind(of: absolute) {
    case nil:
      return nil
    case .symbolicLink:
      return .link(try FileSystem.linkTarget(absolute))
    case .file:
      return .file(try FileSystem.read(absolute), executable: FileSystem.isExecutable(absolute))
    case .directory, .other:
      throw CommitError.notAFile(path)
    }
  }

  /// Works out the commit: which files change, their formatted content, the check of the
  /// resulting snapshot, and the message (`message`; or `MERGE_MSG` when a merge is being
  /// finished; or one written from the changes). `staged` is the index as read now (inside
  /// a transaction for a real commit).
  public func plan(_ selection: Selection, message: String?, staged: StagedIndex) throws -> Plan {
    try Interrupts.checkpoint()
    var mergeHeads: [ObjectID] = []
    if let operation = try git.operationInProgress() {
      guard operation == .merge else { throw CommitError.operationInProgress(operation) }
      if case .paths = selection { throw CommitError.partialCommitDuringMerge }
      mergeHeads = try git.mergeHeads()
    }
    if let conflicted = staged.firstConflict {
      throw SnapshotError.conflicted(conflicted)
    }
    let git = self.git
    checker.prefetchState()
    // The index's files under the records root, and the paths where they differ from HEAD's:
    // from the index's cache-tree when Tally reads the index itself (HEAD's files are then
    // looked up one by one, never listed), else by listing HEAD.
    let head = try git.headState()
    let headTree = try head.commit.map { try git.tree(ofCommit: $0) }
    let inputs = try PlanBase(staged, git: git, prefix: prefix, headTree: headTree)
    let indexFiles = inputs.indexFiles
    // A million files are not freed one by one on the way out.
    ExitLifetime.keep(indexFiles)
    func headContent(_ path: String) throws -> Content? {
      guard let (id, mode) = try inputs.headEntry(path) else { return nil }
      return Content(try git.blob(id), mode: mode)
    }
    Trace.mark("plan: index and HEAD files")
    try Interrupts.checkpoint()

    // The commit is `base` with `proposed` put in (nil: removed), before formatting.
    var base = indexFiles
    var proposed: [String: Content?] = [:]
    // Paths whose proposed content was just read from the working tree.
    var fromWorkingTree = Set<String>()
    switch selection {
    case .staged, .all:
      // Staged records are formatted too: every staged difference from HEAD is proposed.
      for path in inputs.differing {
        guard let (id, mode) = inputs.indexEntry(path) else {
          proposed[path] = .some(nil)
          continue
        }
        proposed[path] = Content(try git.blob(id), mode: mode)
      }
      if case .all = selection {
        for change in try git.workingTreeChanges(under: prefix) {
          let path = String(change.path.dropFirst(lead.count))
          // Tally's own temporary files (an interrupted run's) are never committed.
          if FileSystem.temporaryFileOwner(FileSystem.baseName(of: path)) != nil { continue }
          proposed[path] = change.kind == .deleted ? .some(nil) : .some(try workingTreeContent(path))
          fromWorkingTree.insert(path)
        }
      }
    case .paths(let paths):
      base = try inputs.allHeadFiles(git: git)
      // Files outside a sparse checkout are absent from the working tree without being
      // deleted: naming their folder commits nothing of them.
      // (Looked for only when a named path is missing or a folder: a million entries.)
      var sparsePaths: Set<String>?
      func sparse() -> Set<String> {
        if sparsePaths == nil { sparsePaths = inputs.sparse() }
        return sparsePaths!
      }
      for path in paths {
        let absolute = FileSystem.joinPath(records.root, path)
        switch FileSystem.entryKind(of: absolute) {
        case .directory:
          let inside = path.isEmpty ? "" : path + "/"
          for file in try FileSystem.files(under: absolute, suffixes: [""]) {
            let relative = FileSystem.relative(file, to: records.root)
            if FileSystem.temporaryFileOwner(FileSystem.baseName(of: relative)) != nil { continue }
            proposed[relative] = .some(try workingTreeContent(relative))
            fromWorkingTree.insert(relative)
          }
          // What the index or HEAD has there (HEAD's files are the index's, but for the
          // differing paths).
          for known in Set(indexFiles.map(\.path)).union(base.map(\.path))
          where (inside.isEmpty || known.hasPrefix(inside))
            && FileSystem.entryKind(of: FileSystem.joinPath(records.root, known)) == nil && !sparse().contains(known)
          {
            proposed[known] = .some(nil)
            fromWorkingTree.insert(known)
          }
        case .none:
          guard try inputs.indexEntry(path) != nil || inputs.headEntry(path) != nil else {
            throw CommitError.unknownPath(path)
          }
          if sparse().contains(path) { continue }
          proposed[path] = .some(nil)
          fromWorkingTree.insert(path)
        default:
          proposed[path] = .some(try workingTreeContent(path))
          fromWorkingTree.insert(path)
        }
      }
    }
    Trace.mark("plan: proposed changes")
    try Interrupts.checkpoint()

    // Formatting, with the schemas the commit will have.
    let draft = try checker.snapshot(
      OverlaySource(base: base, replacing: Content.files(proposed), name: "the commit"))
    let policy = FormattingPolicy(repository: draft.repository)
    var final = proposed
    var reformatted = Set<String>()
    let root = records.root
    let toFormat = proposed.compactMap { path, content -> (String, [UInt8], Bool)? in
      guard case .file(let bytes, let executable)? = content, path.hasSuffix(".yaml") else { return nil }
      return (path, bytes, executable)
    }
    let formatted = parallelMap(toFormat, batch: 8) { path, bytes, _ -> [UInt8]? in
      guard let document = Document.parse(bytes).document else { return nil }
      let formatted = policy.format(document, absolutePath: FileSystem.joinPath(root, path))
      return formatted == bytes ? nil : formatted
    }
    for ((path, _, executable), formatted) in zip(toFormat, formatted) {
      guard let formatted else { continue }
      final[path] = .file(formatted, executable: executable)
      reformatted.insert(path)
    }
    Trace.mark("plan: format")
    try Interrupts.checkpoint()

    var changes: [Change] = []
    var layoutOnly: [String] = []
    var rewrites: [Rewrite] = []
    var indexUpdates: [StagedChange] = []
    var treeUpdates: [StagedChange] = []
    for path in final.keys.sorted() {
      let new = final[path]!
      let old = try headContent(path)
      let wasReformatted = reformatted.contains(path)
      // The working-tree file is rewritten when it holds what was formatted.
      var rewritten = false
      if wasReformatted, case .file(let original, _)?? = proposed[path], case .file(let formatted, _)? = new {
        if fromWorkingTree.contains(path) || (try? workingTreeContent(path)) == proposed[path]! {
          rewrites.append(Rewrite(path: path, original: original, formatted: formatted))
          rewritten = true
        }
      }
      // What the index gets: the commit's version, where it holds another (or the file's stat
      // data changes with its rewrite).
      let inIndex = inputs.indexEntry(path)
      if let new {
        if rewritten || inIndex == nil || inIndex!.id != Repository.blobID(of: new.bytes) || inIndex!.mode != new.mode {
          indexUpdates.append(new.staged(at: lead + path))
        }
      } else if inIndex != nil {
        indexUpdates.append(.remove(path: lead + path))
      }
      if old == new {
        // Nothing to commit for this path: e.g. a change undone, or only its layout changed.
        if wasReformatted { layoutOnly.append(path) }
        continue
      }
      if let new {
        treeUpdates.append(new.staged(at: lead + path))
      } else {
        treeUpdates.append(.remove(path: lead + path))
      }
      let kind: Change.Kind = new == nil ? .deleted : (old == nil ? .added : .modified)
      changes.append(
        Change(path: path, kind: kind, old: old?.bytes, new: new?.bytes, reformatted: wasReformatted))
    }
    // The check, on exactly the files the commit will hold.
    let commitFiles = try OverlaySource(
      base: base, replacing: Content.files(final), name: "the commit"
    ).files()
    let snapshot = try checker.snapshot(files: commitFiles, name: "the commit")
    Trace.mark("plan: snapshot of the commit")
    try Interrupts.checkpoint()
    var report: CheckReport
    if let headFiles = inputs.headFiles {
      report = checker.check(snapshot, against: try parentSnapshot(files: headFiles, name: "HEAD"))
    } else {
      // HEAD's configuration, schemas and versions of the paths the commit changes: what
      // checking its state changes reads.
      var changed = Set(final.keys)
      if !selection.isPaths { changed.formUnion(inputs.differing) }
      let parentFiles = try inputs.headRoot.flatMap { try checker.headFiles(root: $0, paths: changed) }
      let parent = try parentFiles.flatMap { try parentSnapshot(files: $0, name: "HEAD") }
      report = checker.check(snapshot, against: parent, changed: parent == nil ? nil : changed)
    }
    // A state change allowed from any parent is allowed (the value may come from the branch
    // merged in, where it changed step by step).
    report = try checker.allowingStateChanges(report, of: snapshot, mergedFrom: mergeHeads)
    checker.persist(snapshot)
    Trace.mark("plan: check")
    var text = message
    if text == nil, !mergeHeads.isEmpty { text = Self.preparedMessage(try git.preparedMessage()) }
    return Plan(
      changes: changes, report: report,
      message: text ?? CommitMessage.generate(changes, repository: snapshot.repository), layoutOnly: layoutOnly,
      mergeHeads: mergeHeads,
      rewrites: rewrites, indexUpdates: indexUpdates, treeUpdates: selection.isPaths ? treeUpdates : nil,
      headTree: headTree)
  }

  /// The snapshot of a parent to check state changes against: nil when it has no records.
  private func parentSnapshot(files: [SnapshotFile], name: String) throws -> GitChecker.Snapshot? {
    guard !files.isEmpty else { return nil }
    do {
      return try checker.snapshot(files: files, name: name)
    } catch SnapshotError.missingConfig {
      return nil  // no records there yet
    }
  }

  /// The message git prepared (`MERGE_MSG`) as a commit message: its comment lines (`#`,
  /// git's conflict list) removed, as when the editor saves it. Nil when nothing is left.
  static func preparedMessage(_ text: String?) -> String? {
    guard let text else { return nil }
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.hasPrefix("#") }
    let message = cleanMessage(lines.joined(separator: "\n"))
    return message == "\n" ? nil : message
  }

  /// Plans and makes the commit while holding the index, in a cancellable section: Ctrl-C
  /// before the branch moves puts everything back and throws ``Interrupted``. Returns the
  /// plan and the new commit (nil when the plan was refused, or only layout changed).
  public func commit(_ selection: Selection, message: String?) throws -> (Plan, ObjectID?) {
    try Interrupts.cancellable { () throws -> (Plan, ObjectID?) in
      Trace.mark("start")
      let transaction = try git.beginIndexTransaction(timeout: lockTimeout, notice: notice)
      defer { transaction.release() }
      let staged = try transaction.file.map(StagedIndex.init(file:)) ?? StagedIndex(entries: transaction.entries())
      Trace.mark("commit: read the index under its lock")
      let plan = try self.plan(selection, message: message, staged: staged)
      guard !plan.isRefused else { return (plan, nil) }
      if plan.isEmpty {
        guard !plan.layoutOnly.isEmpty else { throw CommitError.nothingToCommit }
        // Only layout changed: the files are made canonical (as in HEAD) and the index
        // takes them, so that nothing is left modified; no commit.
        let canonical = Set(plan.layoutOnly.map { lead + $0 })
        try applying(plan.rewrites) {
          try transaction.stage(plan.indexUpdates.filter { canonical.contains($0.path) })
          try transaction.writeIndex()
        }
        return (plan, nil)
      }
      let author = try git.defaultSignature("AUTHOR")
      let committer = try git.defaultSignature("COMMITTER")
      let id = try applying(plan.rewrites) { () throws -> ObjectID in
        try transaction.stage(plan.indexUpdates)
        Trace.mark("commit: stage")
        let tree = try plan.treeUpdates.map { try git.tree(plan.headTree, applying: $0) }
        let id = try transaction.commit(
          message: Self.cleanMessage(plan.message), author: author, committer: committer, tree: tree,
          mergeHeads: plan.mergeHeads)
        Trace.mark("commit: tree, commit, index, branch")
        return id
      }
      return (plan, id)
    }
  }

  /// Formats the working-tree files of `rewrites` (so the index records their stat data),
  /// then runs `body`; if that fails or is interrupted, the files are put back. A file the
  /// user changed in the meantime is left alone either way.
  private func applying<T>(_ rewrites: [Rewrite], _ body: () throws -> T) throws -> T {
    let root = records.root
    func absolute(_ rewrite: Rewrite) -> String { FileSystem.joinPath(root, rewrite.path) }
    try Interrupts.checkpoint()
    let unchanged = parallelMap(rewrites) { (try? FileSystem.read(FileSystem.joinPath(root, $0.path))) == $0.original }
    let todo = zip(rewrites, unchanged).filter(\.1).map(\.0)
    let results = FileSystem.writeAtomically(todo.map { (absolute($0), $0.formatted) })
    let done = zip(todo, results).compactMap { rewrite, result -> Rewrite? in
      if case .written = result { return rewrite }
      return nil
    }
    do {
      for result in results {
        if case .failed(let error) = result { throw error }
      }
      try Interrupts.checkpoint()
      return try body()
    } catch {
      // Put back, whatever signal comes, the files that still hold what was written.
      let back = done.filter { (try? FileSystem.read(absolute($0))) == $0.formatted }
      Interrupts.critical {
        _ = FileSystem.writeAtomically(back.map { (absolute($0), $0.original) }, stopOnSignal: false)
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
  var isPaths: Bool {
    if case .paths = self { return true }
    return false
  }
}
