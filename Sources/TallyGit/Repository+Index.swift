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
          stage: Int(git_index_entry_stage(entry))))
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
/// or is removed from the index.
public enum StagedChange: Sendable {
  case write(path: String, bytes: [UInt8], executable: Bool)
  case remove(path: String)

  public var path: String {
    switch self {
    case .write(let path, _, _), .remove(let path): path
    }
  }
}

/// The index held exclusively while a commit is prepared, as git does: `index.lock` is
/// created with `O_EXCL`, so a concurrent `git add`, `git commit` or `tally commit` fails
/// cleanly instead of overwriting what this one writes. Nothing on disk changes until
/// ``commit(message:author:committer:)`` succeeds; ``release()`` (or `deinit`) gives the lock
/// back and leaves the index as it was.
///
/// The transaction works on a copy of the index file (`index.tally` in the git directory),
/// read once and written once: libgit2 keeps the copy's cached trees (git's `TREE`
/// extension), so writing the commit's tree hashes only the directories that changed, and
/// the last step is renaming the copy over the index, as git renames `index.lock`.
public final class IndexTransaction: @unchecked Sendable {
  public let repository: Repository
  let index: OpaquePointer
  let lockPath: String
  /// The copy of the index the transaction changes and writes.
  let copyPath: String
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

  init(repository: Repository, index: OpaquePointer, lockPath: String, copyPath: String, indexWrittenAt: Int?) {
    self.repository = repository
    self.index = index
    self.lockPath = lockPath
    self.copyPath = copyPath
    self.indexWrittenAt = indexWrittenAt
  }

  deinit {
    release()
    git_index_free(index)
  }

  /// Gives the lock back without changing the index.
  public func release() {
    guard held else { return }
    held = false
    unlink(copyPath)
    unlink(lockPath)
  }

  /// The entries of the index as it stands in this transaction.
  public func entries() -> [IndexEntry] { IndexEntry.all(in: index) }

  /// True when the index has unresolved merge conflicts.
  public var hasConflicts: Bool { git_index_has_conflicts(index) != 0 }

  /// Stages `changes` in memory. Files that exist in the working tree with the same bytes
  /// get their stat data recorded too (as `git add` does), so `git status` stays quick.
  public func stage(_ changes: [StagedChange]) throws(GitError) {
    try repository.locked { () throws(GitError) in
      for change in changes {
        switch change {
        case .remove(let path):
          let rc = git_index_remove(index, path, 0)
          if rc != GIT_ENOTFOUND.rawValue { try check(rc, "git_index_remove") }
        case .write(let path, let bytes, let executable):
          var entry = git_index_entry()
          entry.mode = executable ? 0o100755 : 0o100644
          if let workingDirectory = repository.workingDirectory {
            let file = workingDirectory + "/" + path
            var info = stat()
            if lstat(file, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, Int(info.st_size) == bytes.count,
              let onDisk = try? Data(contentsOf: URL(fileURLWithPath: file)), onDisk.elementsEqual(bytes)
            {
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
          let rc = path.withCString { cPath -> Int32 in
            entry.path = cPath
            return git_index_add(index, &entry)
          }
          try check(rc, "git_index_add")
        }
      }
    }
  }

  /// Creates the commit of the staged index on the current branch (or an unborn one), then
  /// writes the index. The branch moves only if it still points where it pointed when the
  /// transaction began; the index is replaced atomically (renamed into place).
  ///
  /// - Returns: The new commit's id.
  @discardableResult
  public func commit(message: String, author: Signature, committer: Signature) throws(GitError) -> ObjectID {
    guard held else {
      throw GitError(code: .locked, message: "the index transaction is already finished", function: "commit")
    }
    if hasConflicts {
      throw GitError(
        code: .unmerged, message: "the index has unresolved merge conflicts; resolve them first", function: "commit")
    }
    try Self.inject(.afterStaging)
    let head = try repository.headState()
    try smudgeRacilyClean()
    let tree = try repository.locked { () throws(GitError) -> ObjectID in
      var oid = git_oid()
      try check(git_index_write_tree_to(&oid, index, repository.handle), "git_index_write_tree_to")
      return ObjectID(oid)
    }
    let commit = try repository.createCommit(
      tree: tree, parents: head.commit.map { [$0] } ?? [], message: message, author: author, committer: committer)
    try Self.inject(.afterCommitObject)
    // Write the new index next to the real one first, so that the last step is a rename.
    try repository.locked { () throws(GitError) -> Void in try check(git_index_write(index), "git_index_write") }
    try repository.moveBranch(
      head.reference, to: commit, from: head.commit, message: "commit (tally): " + message.firstLine)
    do throws(GitError) {
      try Self.inject(.afterBranchUpdate)
      guard rename(copyPath, String(lockPath.dropLast(5))) == 0 else {
        throw GitError(
          code: .other(-1), message: "cannot replace the index: \(String(cString: strerror(errno)))",
          function: "rename")
      }
    } catch {
      // Put the branch back where it was: the commit must not exist without its index.
      try? repository.moveBranch(head.reference, to: head.commit, from: commit, message: "tally: undo failed commit")
      throw error
    }
    release()
    return commit
  }

  /// Smudges racily clean entries, as git does when it writes an index: a file changed in
  /// the same second as the old index was written keeps the size and time its entry
  /// records, and git re-reads it only while the index is no newer than it. The new index
  /// is newer, so such an entry's size is set to 0 — git then compares the content — unless
  /// the file still has the staged content. (libgit2 does this only for an index that
  /// belongs to a repository; the transaction's copy does not.)
  private func smudgeRacilyClean() throws(GitError) {
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

  static func inject(_ step: Step) throws(GitError) {
    guard let wanted = getenvString("TALLY_INJECT_FAILURE"), wanted == step.rawValue else { return }
    throw GitError(code: .other(-1), message: "injected failure at \(step.rawValue)", function: "test")
  }
}

extension Repository {
  /// Takes the index for a commit: creates `index.lock` exclusively and reads the index.
  /// Throws ``GitError/Code/locked`` when another process holds it.
  public func beginIndexTransaction() throws(GitError) -> IndexTransaction {
    guard !isBare else {
      throw GitError(code: .bareRepository, message: "a bare repository has no index", function: "index")
    }
    let lockPath = gitDirectory + "/index.lock"
    let fd = Glibc.open(lockPath, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o644)
    if fd < 0 {
      let reason = String(cString: strerror(errno))
      throw GitError(
        code: errno == EEXIST ? .locked : .other(-1),
        message: errno == EEXIST ? "'\(lockPath)' exists" : "cannot create '\(lockPath)': \(reason)",
        function: "open")
    }
    close(fd)
    let indexPath = gitDirectory + "/index"
    let copyPath = gitDirectory + "/index.tally"
    do throws(GitError) {
      var info = stat()
      let writtenAt = stat(indexPath, &info) == 0 ? Int(info.st_mtim.tv_sec) : nil
      // A copy of the index (none: an empty index), read once. What a killed run may have
      // left (the copy, libgit2's lock on it) goes first: holding index.lock, no other tally
      // is using them.
      unlink(copyPath)
      unlink(copyPath + ".lock")
      if writtenAt != nil {
        guard let bytes = FileManager.default.contents(atPath: indexPath),
          FileManager.default.createFile(atPath: copyPath, contents: bytes)
        else {
          throw GitError(code: .other(-1), message: "cannot copy the index to '\(copyPath)'", function: "copy")
        }
      }
      let index = try locked { () throws(GitError) -> OpaquePointer in
        var index: OpaquePointer?
        try check(git_index_open(&index, copyPath), "git_index_open")
        return index!
      }
      return IndexTransaction(
        repository: self, index: index, lockPath: lockPath, copyPath: copyPath, indexWrittenAt: writtenAt)
    } catch {
      unlink(copyPath)
      unlink(lockPath)
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
  /// so unchanged files are not read.
  public func workingTreeChanges(under prefix: String) throws(GitError) -> [WorkingTreeChange] {
    try locked { () throws(GitError) -> [WorkingTreeChange] in
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
        result.append(WorkingTreeChange(path: path, kind: kind))
      }
      return result
    }
  }
}
