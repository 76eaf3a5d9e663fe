internal import CLibGit2
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// One entry of the index: a path (relative to the top of the working tree), its blob, its
/// mode, and its stage (0 normally; 1–3 during a merge conflict).
public struct IndexEntry: Sendable, Hashable {
  public var path: String
  public var id: ObjectID
  public var mode: UInt32
  public var stage: Int
  /// Outside a sparse checkout (`git sparse-checkout`): the file is not in the working tree,
  /// and its absence there is no deletion.
  public var skipWorktree = false
}

extension IndexEntry {
  /// Every entry of a libgit2 index, in index order.
  static func all(in index: OpaquePointer?) -> [IndexEntry] {
    let count = git_index_entrycount(index)
    var result: [IndexEntry] = []
    result.reserveCapacity(count)
    for position in 0..<count {
      guard let entry = git_index_get_byindex(index, position) else { continue }
      result.append(
        IndexEntry(
          path: String(cString: entry.pointee.path), id: ObjectID(entry.pointee.id), mode: entry.pointee.mode,
          stage: Int(git_index_entry_stage(entry)),
          skipWorktree: entry.pointee.flags_extended & UInt16(GIT_INDEX_ENTRY_SKIP_WORKTREE.rawValue) != 0))
    }
    return result
  }
}

extension Repository {
  /// The index as it is on disk now (re-read, not a cached copy). When git runs a hook with
  /// `GIT_INDEX_FILE` set (`git commit -a`, `git commit PATH` prepare a temporary index),
  /// that index is the one the commit will record, so it is the one read.
  public func indexEntries() throws(GitError) -> [IndexEntry] {
    try indexEntries(comparedWith: nil, under: "").entries
  }

  /// The index's entries and, with `tree`, the paths under `prefix` (from the top of the
  /// working tree) whose staged content differs from it — added, changed or removed, as
  /// `git diff --cached --name-only TREE -- PREFIX` lists them — from one read of the index
  /// (`git_diff_tree_to_index`, which skips nothing but compares in C, without listing the
  /// tree's 100,000 files as strings).
  public func indexEntries(
    comparedWith tree: ObjectID?, under prefix: String
  ) throws(GitError) -> (entries: [IndexEntry], changed: [String]?) {
    try locked { () throws(GitError) -> ([IndexEntry], [String]?) in
      var index: OpaquePointer?
      if let file = getenvString("GIT_INDEX_FILE"), !file.isEmpty {
        let path = file.hasPrefix("/") ? file : FileManager.default.currentDirectoryPath + "/" + file
        try check(git_index_open(&index, path), "git_index_open")
      } else {
        try check(git_repository_index(&index, handle), "git_repository_index")
      }
      defer { git_index_free(index) }
      // Opening an index reads it; reading it again (not forced) re-reads the file only when
      // it changed on disk since (libgit2 compares its time, size and inode) — an index of
      // 100,000 entries is not parsed twice.
      try check(git_index_read(index, 0), "git_index_read")
      let entries = IndexEntry.all(in: index)
      guard let tree else { return (entries, nil) }
      var treeObject: OpaquePointer?
      var oid = tree.raw
      try check(git_tree_lookup(&treeObject, handle, &oid), "git_tree_lookup")
      defer { git_tree_free(treeObject) }
      var options = git_diff_options()
      try check(git_diff_options_init(&options, UInt32(GIT_DIFF_OPTIONS_VERSION)), "git_diff_options_init")
      var diff: OpaquePointer?
      let rc = (prefix.isEmpty ? "" : prefix + "/").withCString { spec -> Int32 in
        var pointer: UnsafeMutablePointer<CChar>? = UnsafeMutablePointer(mutating: spec)
        return withUnsafeMutablePointer(to: &pointer) { strings in
          if !prefix.isEmpty {
            options.pathspec = git_strarray(strings: strings, count: 1)
            options.flags |= GIT_DIFF_DISABLE_PATHSPEC_MATCH.rawValue
          }
          return git_diff_tree_to_index(&diff, handle, treeObject, index, &options)
        }
      }
      try check(rc, "git_diff_tree_to_index")
      defer { git_diff_free(diff) }
      var changed: [String] = []
      for position in 0..<git_diff_num_deltas(diff) {
        guard let delta = git_diff_get_delta(diff, position) else { continue }
        if let path = delta.pointee.new_file.path { changed.append(String(cString: path)) }
        if let path = delta.pointee.old_file.path, changed.last != String(cString: path) {
          changed.append(String(cString: path))
        }
      }
      return (entries, changed)
    }
  }

  /// The paths (from the top of the working tree) of the index's entries outside a sparse
  /// checkout (skip-worktree): empty in a full checkout. Only those entries' paths are made
  /// into strings. An index of version 2 — git writes one unless an entry needs the extended
  /// flags that carry skip-worktree — or no index answers from its first twelve bytes,
  /// without reading a million entries.
  public func sparsePaths() throws(GitError) -> Set<String> {
    if !indexMayHaveExtendedFlags() { return [] }
    if let index = try IndexFile.read(gitDirectory + "/index") {
      return Set((0..<index.count).lazy.filter(index.skipsWorktree).map { index.path($0) })
    }
    return try locked { () throws(GitError) -> Set<String> in
      var index: OpaquePointer?
      try check(git_repository_index(&index, handle), "git_repository_index")
      defer { git_index_free(index) }
      try check(git_index_read(index, 0), "git_index_read")
      var result = Set<String>()
      let flag = UInt16(GIT_INDEX_ENTRY_SKIP_WORKTREE.rawValue)
      for position in 0..<git_index_entrycount(index) {
        guard let entry = git_index_get_byindex(index, position), entry.pointee.flags_extended & flag != 0 else {
          continue
        }
        result.insert(String(cString: entry.pointee.path))
      }
      return result
    }
  }

  /// Whether the index file's version (3 or 4; or one that cannot be read) allows extended
  /// flags: version 2 has none, so none of its entries is skip-worktree.
  func indexMayHaveExtendedFlags() -> Bool {
    let fd = Glibc.open(gitDirectory + "/index", O_RDONLY | O_CLOEXEC)
    if fd < 0 { return errno != ENOENT }
    defer { close(fd) }
    var header = [UInt8](repeating: 0, count: 12)
    let count = header.withUnsafeMutableBytes { read(fd, $0.baseAddress, 12) }
    guard count == 12, header[0..<4].elementsEqual("DIRC".utf8) else { return true }
    let version = header[4..<8].reduce(0) { $0 << 8 | UInt32($1) }
    return version != 2
  }

  /// Writes `bytes` as a blob into the object database and returns its id
  /// (`git_blob_create_from_buffer`). An unreferenced blob is harmless: git prunes it.
  public func writeBlob(_ bytes: [UInt8]) throws(GitError) -> ObjectID {
    try locked { () throws(GitError) -> ObjectID in
      var oid = git_oid()
      let rc = bytes.withUnsafeBytes { buffer in
        git_blob_create_from_buffer(&oid, handle, buffer.baseAddress, buffer.count)
      }
      try check(rc, "git_blob_create_from_buffer")
      return ObjectID(oid)
    }
  }

  /// The id git would give `bytes` as a blob, without writing anything (`git_odb_hash`).
  public static func blobID(of bytes: [UInt8]) -> ObjectID {
    var oid = git_oid()
    _ = bytes.withUnsafeBytes { buffer in git_odb_hash(&oid, buffer.baseAddress, buffer.count, GIT_OBJECT_BLOB) }
    return ObjectID(oid)
  }
}

/// A change to stage: a path (relative to the top of the working tree) that gets new bytes,
/// becomes a symbolic link, or is removed from the index.
public enum StagedChange: Sendable, Equatable {
  case write(path: String, bytes: [UInt8], executable: Bool)
  /// A symbolic link to `target` (mode 120000: the blob holds the link's text).
  case link(path: String, target: [UInt8])
  case remove(path: String)

  public var path: String {
    switch self {
    case .write(let path, _, _), .link(let path, _), .remove(let path): path
    }
  }

  /// The bytes of the blob and the mode (nil when removed).
  var blob: (bytes: [UInt8], mode: UInt32)? {
    switch self {
    case .write(_, let bytes, let executable): (bytes, executable ? 0o100755 : 0o100644)
    case .link(_, let target): (target, 0o120000)
    case .remove: nil
    }
  }
}

/// A git operation that stopped half-way for the user to finish (`git_repository_state`).
public enum OperationInProgress: String, Sendable, Equatable {
  case merge
  case revert
  case cherryPick = "cherry-pick"
  case rebase
  case applyMailbox = "am"
  case bisect

  /// How the user finishes or abandons it with git.
  public var advice: String {
    switch self {
    case .merge: "finish it with 'tally commit' (or 'git commit'), or abandon it with 'git merge --abort'"
    case .revert: "finish it with 'git revert --continue', or abandon it with 'git revert --abort'"
    case .cherryPick: "finish it with 'git cherry-pick --continue', or abandon it with 'git cherry-pick --abort'"
    case .rebase: "finish it with 'git rebase --continue', or abandon it with 'git rebase --abort'"
    case .applyMailbox: "finish it with 'git am --continue', or abandon it with 'git am --abort'"
    case .bisect: "end it with 'git bisect reset'"
    }
  }
}

extension Repository {
  /// The operation git has in progress in this repository, if any (`git_repository_state`).
  public func operationInProgress() throws(GitError) -> OperationInProgress? {
    try locked { () throws(GitError) -> OperationInProgress? in
      let state = git_repository_state(handle)
      try check(state, "git_repository_state")
      switch git_repository_state_t(UInt32(state)) {
      case GIT_REPOSITORY_STATE_NONE: return nil
      case GIT_REPOSITORY_STATE_MERGE: return .merge
      case GIT_REPOSITORY_STATE_REVERT, GIT_REPOSITORY_STATE_REVERT_SEQUENCE: return .revert
      case GIT_REPOSITORY_STATE_CHERRYPICK, GIT_REPOSITORY_STATE_CHERRYPICK_SEQUENCE: return .cherryPick
      case GIT_REPOSITORY_STATE_BISECT: return .bisect
      case GIT_REPOSITORY_STATE_APPLY_MAILBOX: return .applyMailbox
      default: return .rebase
      }
    }
  }

  /// The commits being merged in (`MERGE_HEAD`, one per line, in order), via
  /// `git_repository_mergehead_foreach`. Empty when no merge is in progress.
  public func mergeHeads() throws(GitError) -> [ObjectID] {
    try locked { () throws(GitError) -> [ObjectID] in
      final class Heads { var ids: [ObjectID] = [] }
      let heads = Heads()
      let rc = withExtendedLifetime(heads) {
        git_repository_mergehead_foreach(
          handle,
          { oid, payload in
            Unmanaged<Heads>.fromOpaque(payload!).takeUnretainedValue().ids.append(ObjectID(oid!))
            return 0
          }, Unmanaged.passUnretained(heads).toOpaque())
      }
      if rc == GIT_ENOTFOUND.rawValue { return [] }
      try check(rc, "git_repository_mergehead_foreach")
      return heads.ids
    }
  }

  /// The message git prepared for the operation in progress (`MERGE_MSG`), via
  /// `git_repository_message`; nil when there is none.
  public func preparedMessage() throws(GitError) -> String? {
    try locked { () throws(GitError) -> String? in
      var buffer = git_buf()
      defer { git_buf_dispose(&buffer) }
      let rc = git_repository_message(&buffer, handle)
      if rc == GIT_ENOTFOUND.rawValue { return nil }
      try check(rc, "git_repository_message")
      guard let pointer = buffer.ptr else { return nil }
      return String(
        decoding: UnsafeRawBufferPointer(start: pointer, count: buffer.size).bindMemory(to: UInt8.self), as: UTF8.self)
    }
  }

  /// Removes the files of a finished merge, revert or cherry-pick (`MERGE_HEAD`, `MERGE_MSG`,
  /// `MERGE_MODE`, `AUTO_MERGE`, ...), as `git commit` does after committing
  /// (`git_repository_state_cleanup`).
  func cleanupOperationState() throws(GitError) {
    try locked { () throws(GitError) -> Void in
      try check(git_repository_state_cleanup(handle), "git_repository_state_cleanup")
    }
    // Newer git writes AUTO_MERGE, which libgit2 1.5 does not know.
    unlink(gitDirectory + "/AUTO_MERGE")
  }

  /// The tree `base` (nil: an empty tree) with `changes` applied, written to the object
  /// database with the blobs it needs (`git_tree_create_updated`: only the directories on the
  /// changed paths are rewritten). This is how `git commit PATH...` builds its commit: from
  /// `HEAD`, not from what else is staged.
  public func tree(_ base: ObjectID?, applying changes: [StagedChange]) throws(GitError) -> ObjectID {
    var blobs: [ObjectID?] = []
    for change in changes {
      if let (bytes, _) = change.blob { blobs.append(try writeBlob(bytes)) } else { blobs.append(nil) }
    }
    return try locked { () throws(GitError) -> ObjectID in
      var baseTree: OpaquePointer?
      if let base {
        var oid = base.raw
        try check(git_tree_lookup(&baseTree, handle, &oid), "git_tree_lookup")
      } else {
        // An empty tree to start from.
        var builder: OpaquePointer?
        try check(git_treebuilder_new(&builder, handle, nil), "git_treebuilder_new")
        defer { git_treebuilder_free(builder) }
        var oid = git_oid()
        try check(git_treebuilder_write(&oid, builder), "git_treebuilder_write")
        try check(git_tree_lookup(&baseTree, handle, &oid), "git_tree_lookup")
      }
      defer { git_tree_free(baseTree) }
      guard !changes.isEmpty else { return ObjectID(git_tree_id(baseTree)!) }
      // The paths as C strings that live until the call returns.
      let paths = changes.map { strdup($0.path) }
      defer { for path in paths { free(path) } }
      var updates: [git_tree_update] = []
      for (index, change) in changes.enumerated() {
        var update = git_tree_update()
        update.path = UnsafePointer(paths[index])
        if let id = blobs[index], let (_, mode) = change.blob {
          update.action = GIT_TREE_UPDATE_UPSERT
          update.id = id.raw
          update.filemode = git_filemode_t(mode)
        } else {
          update.action = GIT_TREE_UPDATE_REMOVE
        }
        updates.append(update)
      }
      var oid = git_oid()
      let rc = updates.withUnsafeBufferPointer { buffer in
        git_tree_create_updated(&oid, handle, baseTree, buffer.count, buffer.baseAddress)
      }
      try check(rc, "git_tree_create_updated")
      return ObjectID(oid)
    }
  }
}

/// The index held exclusively while a commit is prepared, as git does: `index.lock` is
/// created with `O_EXCL` (see ``LockFile``), so a concurrent `git add`, `git commit` or
/// `tally commit` waits or fails cleanly instead of overwriting what this one writes. Nothing
/// on disk changes until ``commit(message:author:committer:tree:mergeHeads:)`` succeeds;
/// ``release()`` (or `deinit`) gives the lock back and leaves the index as it was.
///
/// The transaction works on a copy of the index file (`index.tally` in the git directory),
/// read once and written once: libgit2 keeps the copy's cached trees (git's `TREE`
/// extension), so writing the commit's tree hashes only the directories that changed, and
/// the last step is renaming the copy over the index, as git renames `index.lock`.
///
/// A signal (Ctrl-C) before the branch moves leaves everything as it was (the lock and the
/// copy are removed); moving the branch, replacing the index and removing a finished
/// merge's state happen in one critical section (see ``Signals``).
public final class IndexTransaction: @unchecked Sendable {
  public let repository: Repository
  /// libgit2's read of the copy (see ``IndexLoad``).
  private let load: IndexLoad
  let lock: LockFile
  /// The copy of the index the transaction changes and writes.
  let copyPath: String
  private let copyRemembered: Signals.RememberedFile
  private var held = true

  /// Points where a test can make the transaction fail (`TALLY_INJECT_FAILURE`), to prove
  /// that a failure at any step leaves the index, the working tree and the branch unchanged.
  public enum Step: String, Sendable {
    case afterStaging = "after-staging"
    case afterCommitObject = "after-commit-object"
    case afterBranchUpdate = "after-branch-update"
  }

  /// When the index file was last written (seconds), as the transaction began: entries
  /// whose files changed in that second or later may look clean when they are not.
  let indexWrittenAt: Int?
  /// `HEAD` as the transaction began: the commit's parent, and where the branch must still
  /// point for the commit to move it.
  let head: HeadState

  init(
    repository: Repository, load: IndexLoad, lock: LockFile, copyPath: String,
    copyRemembered: Signals.RememberedFile, indexWrittenAt: Int?, head: HeadState, file: IndexFile?
  ) {
    self.file = file
    self.repository = repository
    self.load = load
    self.lock = lock
    self.copyPath = copyPath
    self.copyRemembered = copyRemembered
    self.indexWrittenAt = indexWrittenAt
    self.head = head
  }

  deinit {
    release()
    if let index = try? load.wait() { git_index_free(index) }
  }

  /// Gives the lock back without changing the index.
  public func release() {
    guard held else { return }
    held = false
    unlink(copyPath)
    unlink(copyPath + ".lock")
    Signals.forget(copyRemembered)
    lock.release()
  }

  /// The index as the transaction began, read by Tally (see ``IndexFile``); nil when it
  /// must be read through libgit2 (``entries()``).
  public let file: IndexFile?

  /// The entries of the index as it stands in this transaction.
  public func entries() throws(GitError) -> [IndexEntry] { IndexEntry.all(in: try load.wait()) }

  /// True when the index has unresolved merge conflicts.
  public func hasConflicts() throws(GitError) -> Bool { git_index_has_conflicts(try load.wait()) != 0 }

  /// Stages `changes` in memory. Files that exist in the working tree with the same bytes
  /// get their stat data recorded too (as `git add` does), so `git status` stays quick.
  /// A path left conflicted by a merge is resolved by staging it, as `git add` and `git rm`
  /// resolve it: its conflict entries (stages 1–3) move to the index's resolve-undo section.
  public func stage(_ changes: [StagedChange]) throws(GitError) {
    let index = try load.wait()
    try repository.locked { () throws(GitError) in
      for change in changes {
        try resolveConflict(at: change.path)
        guard let (bytes, mode) = change.blob else {
          let rc = git_index_remove(index, change.path, 0)
          if rc != GIT_ENOTFOUND.rawValue { try check(rc, "git_index_remove") }
          continue
        }
        var entry = git_index_entry()
        entry.mode = mode
        if let workingDirectory = repository.workingDirectory {
          let file = workingDirectory + "/" + change.path
          if let info = Self.statIfHolding(file, bytes, link: mode == 0o120000) {
            entry.ctime = git_index_time(
              seconds: Int32(truncatingIfNeeded: info.st_ctim.tv_sec),
              nanoseconds: UInt32(truncatingIfNeeded: info.st_ctim.tv_nsec))
            entry.mtime = git_index_time(
              seconds: Int32(truncatingIfNeeded: info.st_mtim.tv_sec),
              nanoseconds: UInt32(truncatingIfNeeded: info.st_mtim.tv_nsec))
            entry.dev = UInt32(truncatingIfNeeded: info.st_dev)
            entry.ino = UInt32(truncatingIfNeeded: info.st_ino)
            entry.uid = info.st_uid
            entry.gid = info.st_gid
          }
        }
        // The blob goes to the object database first: the transaction's index is a copy
        // that belongs to no repository, so libgit2 cannot write it from the index.
        var oid = git_oid()
        let written = bytes.withUnsafeBytes { buffer in
          git_blob_create_from_buffer(&oid, repository.handle, buffer.baseAddress, buffer.count)
        }
        try check(written, "git_blob_create_from_buffer")
        entry.id = oid
        entry.file_size = UInt32(truncatingIfNeeded: bytes.count)
        let rc = change.path.withCString { cPath -> Int32 in
          entry.path = cPath
          return git_index_add(index, &entry)
        }
        try check(rc, "git_index_add")
      }
    }
  }

  /// Moves the conflict entries of `path` (stages 1–3), if it has any, to the resolve-undo
  /// section (git's `REUC` extension, which `git checkout -m PATH` reads to conflict the path
  /// again), as `git add` does (`git_index_conflict_get`, `git_index_reuc_add`,
  /// `git_index_conflict_remove`). Called with the repository's lock held.
  private func resolveConflict(at path: String) throws(GitError) {
    let index = try load.wait()
    var ancestor: UnsafePointer<git_index_entry>?
    var ours: UnsafePointer<git_index_entry>?
    var theirs: UnsafePointer<git_index_entry>?
    let rc = git_index_conflict_get(&ancestor, &ours, &theirs, index, path)
    if rc == GIT_ENOTFOUND.rawValue { return }
    try check(rc, "git_index_conflict_get")
    // Copied before the index changes: the entries belong to it.
    func side(_ entry: UnsafePointer<git_index_entry>?) -> (mode: Int32, id: git_oid?) {
      guard let entry else { return (0, nil) }
      return (Int32(bitPattern: entry.pointee.mode), entry.pointee.id)
    }
    let (baseSide, oursSide, theirsSide) = (side(ancestor), side(ours), side(theirs))
    var ids = [baseSide.id ?? git_oid(), oursSide.id ?? git_oid(), theirsSide.id ?? git_oid()]
    let added = ids.withUnsafeMutableBufferPointer { buffer -> Int32 in
      let base = buffer.baseAddress!
      return git_index_reuc_add(
        index, path, baseSide.mode, baseSide.id == nil ? nil : base, oursSide.mode,
        oursSide.id == nil ? nil : base + 1, theirsSide.mode, theirsSide.id == nil ? nil : base + 2)
    }
    try check(added, "git_index_reuc_add")
    try check(git_index_conflict_remove(index, path), "git_index_conflict_remove")
  }

  /// The stat data of the working-tree entry at `file` when it holds exactly `bytes` (a
  /// regular file with that content, or with `link` a symbolic link with that target).
  private static func statIfHolding(_ file: String, _ bytes: [UInt8], link: Bool) -> stat? {
    var info = stat()
    guard lstat(file, &info) == 0, Int(info.st_size) == bytes.count else { return nil }
    if link {
      guard (info.st_mode & S_IFMT) == S_IFLNK else { return nil }
      var target = [UInt8](repeating: 0, count: bytes.count + 1)
      let count = target.withUnsafeMutableBytes { readlink(file, $0.baseAddress!, $0.count) }
      return count == bytes.count && target.prefix(count).elementsEqual(bytes) ? info : nil
    }
    guard (info.st_mode & S_IFMT) == S_IFREG,
      let onDisk = try? Data(contentsOf: URL(fileURLWithPath: file)), onDisk.elementsEqual(bytes)
    else { return nil }
    return info
  }

  /// The tree of the index as staged in this transaction, written to the object database.
  public func writeTree() throws(GitError) -> ObjectID {
    try smudgeRacilyClean()
    let index = try load.wait()
    return try repository.locked { () throws(GitError) -> ObjectID in
      var oid = git_oid()
      try check(git_index_write_tree_to(&oid, index, repository.handle), "git_index_write_tree_to")
      return ObjectID(oid)
    }
  }

  /// Creates the commit on the current branch (or an unborn one), then writes the index.
  /// The commit records `tree` (default: the staged index's tree); its parents are `HEAD`
  /// and then `mergeHeads` (a merge being finished, whose state files are then removed, as
  /// `git commit` does). The branch moves only if it still points where it pointed when
  /// the transaction began; the index is replaced atomically (renamed into place).
  ///
  /// - Returns: The new commit's id.
  @discardableResult
  public func commit(
    message: String, author: Signature, committer: Signature, tree: ObjectID? = nil, mergeHeads: [ObjectID] = []
  ) throws(GitError) -> ObjectID {
    guard held else {
      throw GitError(code: .locked, message: "the index transaction is already finished", function: "commit")
    }
    if try hasConflicts() {
      throw GitError(
        code: .unmerged, message: "the index has unresolved merge conflicts; resolve them first", function: "commit")
    }
    try inject(.afterStaging)
    let commitTree: ObjectID
    if let tree {
      try smudgeRacilyClean()
      commitTree = tree
    } else {
      commitTree = try writeTree()
    }
    let commit = try repository.createCommit(
      tree: commitTree, parents: (head.commit.map { [$0] } ?? []) + mergeHeads, message: message, author: author,
      committer: committer)
    try inject(.afterCommitObject)
    // The last chance to stop without a trace: what follows is not undone by a signal.
    try Signals.checkpoint()
    let kind = mergeHeads.isEmpty ? "commit" : "commit (merge)"
    try Signals.critical { () throws(GitError) in
      // Write the new index next to the real one first, so that the last step is a rename.
      let index = try load.wait()
      try repository.locked { () throws(GitError) -> Void in try check(git_index_write(index), "git_index_write") }
      try repository.moveBranch(
        head.reference, to: commit, from: head.commit, message: "\(kind) (tally): " + message.firstLine)
      do throws(GitError) {
        try inject(.afterBranchUpdate)
        guard rename(copyPath, lock.path.trimmingSuffix(".lock")) == 0 else {
          throw GitError(
            code: .other(-1), message: "cannot replace the index: \(String(cString: strerror(errno)))",
            function: "rename")
        }
      } catch {
        // Put the branch back where it was: the commit must not exist without its index.
        try? repository.moveBranch(
          head.reference, to: head.commit, from: commit, message: "tally: undo failed commit")
        throw error
      }
      if !mergeHeads.isEmpty { try? repository.cleanupOperationState() }
      release()
    }
    return commit
  }

  /// Writes the staged index in place of the real one, without a commit (a file made
  /// canonical gets its new stat data). The index is replaced atomically.
  public func writeIndex() throws(GitError) {
    guard held else {
      throw GitError(code: .locked, message: "the index transaction is already finished", function: "writeIndex")
    }
    try smudgeRacilyClean()
    try Signals.checkpoint()
    try Signals.critical { () throws(GitError) in
      let index = try load.wait()
      try repository.locked { () throws(GitError) -> Void in try check(git_index_write(index), "git_index_write") }
      guard rename(copyPath, lock.path.trimmingSuffix(".lock")) == 0 else {
        throw GitError(
          code: .other(-1), message: "cannot replace the index: \(String(cString: strerror(errno)))",
          function: "rename")
      }
      release()
    }
  }

  /// Smudges racily clean entries, as git does when it writes an index: a file changed in
  /// the same second as the old index was written keeps the size and time its entry
  /// records, and git re-reads it only while the index is no newer than it. The new index
  /// is newer, so such an entry's size is set to 0 — git then compares the content — unless
  /// the file still has the staged content. (libgit2 does this only for an index that
  /// belongs to a repository; the transaction's copy does not.)
  private func smudgeRacilyClean() throws(GitError) {
    let index = try load.wait()
    try repository.locked { () throws(GitError) in
      for position in 0..<git_index_entrycount(index) {
        guard let entry = git_index_get_byindex(index, position), isRacilyClean(entry) else { continue }
        var smudged = entry.pointee
        smudged.file_size = 0
        try check(git_index_add(index, &smudged), "git_index_add")
      }
    }
  }

  /// Whether `entry` records stat data that matches its file although the file's content
  /// differs from the staged blob (it changed in the second the old index was written).
  /// (The entry is read where the index keeps it: a pointer to a copy must not outlive the
  /// copy — it did once, and optimised builds then read a stale stage and smudged nothing.)
  private func isRacilyClean(_ pointer: UnsafePointer<git_index_entry>) -> Bool {
    let entry = pointer.pointee
    guard let indexWrittenAt, let workingDirectory = repository.workingDirectory, entry.file_size != 0,
      Int(entry.mtime.seconds) >= indexWrittenAt, git_index_entry_stage(pointer) == 0,
      entry.mode == 0o100644 || entry.mode == 0o100755
    else { return false }
    let file = workingDirectory + "/" + String(cString: entry.path)
    guard let bytes = try? Data(contentsOf: URL(fileURLWithPath: file)) else { return true }
    return Repository.blobID(of: [UInt8](bytes)) != ObjectID(entry.id)
  }

  /// A step at which this transaction fails, for tests of the library (a test of the
  /// command line sets `TALLY_INJECT_FAILURE` for the `tally` it starts instead: an
  /// environment variable is the whole process's, seen by every transaction in it).
  public var injectedFailure: Step?

  func inject(_ step: Step) throws(GitError) {
    guard injectedFailure == step || getenvString("TALLY_INJECT_FAILURE") == step.rawValue else { return }
    throw GitError(code: .other(-1), message: "injected failure at \(step.rawValue)", function: "test")
  }
}

extension Repository {
  /// Takes the index for a commit: creates `index.lock` exclusively and reads the index.
  /// A lock left by a Tally process that is gone is removed (with a notice); one held by a
  /// live process is waited for, up to `timeout` seconds, then this throws
  /// ``GitError/Code/locked``.
  public func beginIndexTransaction(
    timeout: Double = 10, notice: (LockNotice) -> Void = { _ in }
  ) throws(GitError) -> IndexTransaction {
    guard !isBare else {
      throw GitError(code: .bareRepository, message: "a bare repository has no index", function: "index")
    }
    let lock = try LockFile(gitDirectory + "/index.lock", timeout: timeout, notice: notice)
    let indexPath = gitDirectory + "/index"
    let copyPath = gitDirectory + "/index.tally"
    let copyRemembered = Signals.remember(copyPath)
    do throws(GitError) {
      var info = stat()
      let writtenAt = stat(indexPath, &info) == 0 ? Int(info.st_mtim.tv_sec) : nil
      // A copy of the index (none: an empty index), read once. What a killed run may have
      // left (the copy, libgit2's lock on it) goes first: holding index.lock, no other tally
      // is using them.
      unlink(copyPath)
      unlink(copyPath + ".lock")
      let file: IndexFile?
      if writtenAt != nil {
        guard let bytes = FileManager.default.contents(atPath: indexPath),
          FileManager.default.createFile(atPath: copyPath, contents: bytes)
        else {
          throw GitError(code: .other(-1), message: "cannot copy the index to '\(copyPath)'", function: "copy")
        }
        file = IndexFile.parse([UInt8](bytes))
      } else {
        file = try IndexFile.read(copyPath)
      }
      // HEAD is read under the lock, with the index: a commit another process makes
      // meanwhile (one that does not take the index, such as `git update-ref`) makes the
      // branch move fail instead of becoming this commit's parent unseen.
      let head = try headState()
      // libgit2 reads the copy on another core while the caller works out the commit from
      // `file` (a million entries take it a second); the transaction's first use of
      // libgit2's index waits for it.
      let load = IndexLoad(path: copyPath)
      return IndexTransaction(
        repository: self, load: load, lock: lock, copyPath: copyPath, copyRemembered: copyRemembered,
        indexWrittenAt: writtenAt, head: head, file: file)
    } catch {
      unlink(copyPath)
      Signals.forget(copyRemembered)
      lock.release()
      throw error
    }
  }
}

extension String {
  var firstLine: String {
    String(split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
  }
}

/// A path whose working-tree content differs from the index.
public struct WorkingTreeChange: Sendable, Hashable {
  public enum Kind: Sendable, Hashable {
    case added
    case modified
    case deleted
  }

  public var path: String
  public var kind: Kind
}

extension Repository {
  /// The files under `prefix` (relative to the top of the working tree; empty for all) that
  /// differ between the working tree and the index, untracked files included and ignored
  /// files left out — as `git add --all PREFIX` would stage them. Uses the index's stat data,
  /// so unchanged files are not read. Files outside a sparse checkout (skip-worktree) are not
  /// changes, as git sees them: their absence is no deletion (libgit2 1.5 reports them).
  public func workingTreeChanges(under prefix: String) throws(GitError) -> [WorkingTreeChange] {
    let sparse = try sparsePaths()
    return try locked { () throws(GitError) -> [WorkingTreeChange] in
      var options = git_status_options()
      try check(git_status_options_init(&options, UInt32(GIT_STATUS_OPTIONS_VERSION)), "git_status_options_init")
      options.show = GIT_STATUS_SHOW_WORKDIR_ONLY
      options.flags =
        GIT_STATUS_OPT_INCLUDE_UNTRACKED.rawValue | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS.rawValue
        | GIT_STATUS_OPT_DISABLE_PATHSPEC_MATCH.rawValue
      var list: OpaquePointer?
      let rc: Int32
      if prefix.isEmpty {
        rc = git_status_list_new(&list, handle, &options)
      } else {
        rc = prefix.withCString { cPrefix -> Int32 in
          var pointer: UnsafeMutablePointer<CChar>? = UnsafeMutablePointer(mutating: cPrefix)
          return withUnsafeMutablePointer(to: &pointer) { strings in
            options.pathspec = git_strarray(strings: strings, count: 1)
            return git_status_list_new(&list, handle, &options)
          }
        }
      }
      try check(rc, "git_status_list_new")
      defer { git_status_list_free(list) }
      var result: [WorkingTreeChange] = []
      for position in 0..<git_status_list_entrycount(list) {
        guard let entry = git_status_byindex(list, position) else { continue }
        let status = entry.pointee.status.rawValue
        guard let delta = entry.pointee.index_to_workdir else { continue }
        let kind: WorkingTreeChange.Kind
        if status & GIT_STATUS_WT_NEW.rawValue != 0 {
          kind = .added
        } else if status & GIT_STATUS_WT_DELETED.rawValue != 0 {
          kind = .deleted
        } else if status & (GIT_STATUS_WT_MODIFIED.rawValue | GIT_STATUS_WT_TYPECHANGE.rawValue) != 0 {
          kind = .modified
        } else {
          continue
        }
        let file = kind == .deleted ? delta.pointee.old_file : delta.pointee.new_file
        let path = String(cString: file.path)
        // A prefix 'customers' must not match 'customers-old/...'.
        if !prefix.isEmpty && !(path == prefix || path.hasPrefix(prefix + "/")) { continue }
        if !sparse.isEmpty, sparse.contains(path) { continue }
        result.append(WorkingTreeChange(path: path, kind: kind))
      }
      return result
    }
  }
}

/// libgit2's read of an index file (`git_index_open`), on another thread: started when a
/// transaction begins, waited for when the transaction first uses it. The index object is
/// standalone (it belongs to no repository), so reading it needs no repository lock; the
/// semaphore orders the read before every use.
final class IndexLoad: @unchecked Sendable {
  private let done = DispatchSemaphore(value: 0)
  private var result: Result<OpaquePointer, GitError> = .failure(
    GitError(code: .other(-1), message: "the index was not read", function: "git_index_open"))
  private var finished = false
  private let lock = NSLock()

  init(path: String) {
    DispatchQueue.global(qos: .userInitiated).async { [self] in
      var index: OpaquePointer?
      do throws(GitError) {
        // libgit2's last error is per thread: `check` reads this thread's.
        try check(git_index_open(&index, path), "git_index_open")
        result = .success(index!)
      } catch {
        result = .failure(error)
      }
      done.signal()
    }
  }

  /// The index, once read; throws what libgit2 said when it could not read it.
  func wait() throws(GitError) -> OpaquePointer {
    lock.lock()
    defer { lock.unlock() }
    if !finished {
      done.wait()
      finished = true
    }
    return try result.get()
  }
}
