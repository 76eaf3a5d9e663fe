internal import CLibGit2

/// A file in a tree: its path below the directory that was listed, its blob and mode.
public struct TreeFile: Sendable, Hashable {
  public var path: String
  public var id: ObjectID
  public var mode: UInt32

  public var isExecutable: Bool { mode == 0o100755 }
  public var isSymlink: Bool { mode == 0o120000 }
}

extension Repository {
  /// The commit a revision names (`HEAD`, `main~3`, a tag, an id prefix), via
  /// `git_revparse_single` peeled to a commit.
  public func commit(_ revision: String) throws(GitError) -> ObjectID {
    try locked { () throws(GitError) -> ObjectID in
      var object: OpaquePointer?
      try check(git_revparse_single(&object, handle, revision), "git_revparse_single")
      defer { git_object_free(object) }
      var peeled: OpaquePointer?
      try check(git_object_peel(&peeled, object, GIT_OBJECT_COMMIT), "git_object_peel")
      defer { git_object_free(peeled) }
      return ObjectID(git_object_id(peeled)!)
    }
  }

  /// The tree of a commit (`git_commit_tree_id`).
  public func tree(ofCommit id: ObjectID) throws(GitError) -> ObjectID {
    try locked { () throws(GitError) -> ObjectID in
      var oid = id.raw
      var commit: OpaquePointer?
      try check(git_commit_lookup(&commit, handle, &oid), "git_commit_lookup")
      defer { git_commit_free(commit) }
      return ObjectID(git_commit_tree_id(commit)!)
    }
  }

  /// The id of the file (blob) at `path` inside `tree` (nil when there is none, or it is
  /// a directory), via `git_tree_entry_bypath`.
  public func blobID(in tree: ObjectID, at path: String) throws(GitError) -> ObjectID? {
    try entry(in: tree, at: path, of: GIT_OBJECT_BLOB)?.id
  }

  /// The blob at `path` inside `tree` (a file or a symbolic link) and its mode, or nil when
  /// there is none there.
  public func fileEntry(in tree: ObjectID, at path: String) throws(GitError) -> (id: ObjectID, mode: UInt32)? {
    try entry(in: tree, at: path, of: GIT_OBJECT_BLOB)
  }

  /// The id of the tree at `path` inside `tree` (nil when there is none), via
  /// `git_tree_entry_bypath`. An empty path is the tree itself.
  public func subtree(_ tree: ObjectID, at path: String) throws(GitError) -> ObjectID? {
    if path.isEmpty { return tree }
    return try entry(in: tree, at: path, of: GIT_OBJECT_TREE)?.id
  }

  /// The id and mode of the entry at `path` inside `tree` when it is of `type`.
  private func entry(
    in tree: ObjectID, at path: String, of type: git_object_t
  ) throws(GitError) -> (id: ObjectID, mode: UInt32)? {
    try locked { () throws(GitError) -> (id: ObjectID, mode: UInt32)? in
      var oid = tree.raw
      var root: OpaquePointer?
      try check(git_tree_lookup(&root, handle, &oid), "git_tree_lookup")
      defer { git_tree_free(root) }
      var entry: OpaquePointer?
      let rc = git_tree_entry_bypath(&entry, root, path)
      if rc == GIT_ENOTFOUND.rawValue { return nil }
      try check(rc, "git_tree_entry_bypath")
      defer { git_tree_entry_free(entry) }
      guard git_tree_entry_type(entry) == type else { return nil }
      return (ObjectID(git_tree_entry_id(entry)!), git_tree_entry_filemode(entry).rawValue)
    }
  }

  /// One level of a tree: each entry's name, id and whether it is a tree.
  public func entries(ofTree tree: ObjectID) throws(GitError) -> [(
    name: String, id: ObjectID, isTree: Bool, mode: UInt32
  )] {
    try locked { () throws(GitError) -> [(name: String, id: ObjectID, isTree: Bool, mode: UInt32)] in
      var oid = tree.raw
      var object: OpaquePointer?
      try check(git_tree_lookup(&object, handle, &oid), "git_tree_lookup")
      defer { git_tree_free(object) }
      let count = git_tree_entrycount(object)
      var result: [(name: String, id: ObjectID, isTree: Bool, mode: UInt32)] = []
      result.reserveCapacity(count)
      for index in 0..<count {
        guard let entry = git_tree_entry_byindex(object, index) else { continue }
        let name = String(cString: git_tree_entry_name(entry))
        let id = ObjectID(git_tree_entry_id(entry)!)
        let type = git_tree_entry_type(entry)
        let mode = git_tree_entry_filemode(entry).rawValue
        result.append((name, id, type == GIT_OBJECT_TREE, mode))
      }
      return result
    }
  }

  /// Every file below `tree` (recursively), with paths relative to it, in git's order: the
  /// order of the paths' bytes, as in the index (git sorts a tree's entries so that walking
  /// it depth first gives that order, a sub-tree's name counting as if it ended in `/`).
  public func files(inTree tree: ObjectID) throws(GitError) -> [TreeFile] {
    var result: [TreeFile] = []
    func walk(_ tree: ObjectID, _ prefix: String) throws(GitError) {
      for entry in try entries(ofTree: tree) {
        let path = prefix.isEmpty ? entry.name : prefix + "/" + entry.name
        if entry.isTree {
          try walk(entry.id, path)
        } else {
          result.append(TreeFile(path: path, id: entry.id, mode: entry.mode))
        }
      }
    }
    try walk(tree, "")
    return result
  }

  /// A blob's bytes (`git_blob_lookup`, `git_blob_rawcontent`).
  public func blob(_ id: ObjectID) throws(GitError) -> [UInt8] {
    try locked { () throws(GitError) -> [UInt8] in
      var oid = id.raw
      var blob: OpaquePointer?
      try check(git_blob_lookup(&blob, handle, &oid), "git_blob_lookup")
      defer { git_blob_free(blob) }
      let size = Int(git_blob_rawsize(blob))
      guard size > 0, let content = git_blob_rawcontent(blob) else { return [] }
      return Array(UnsafeRawBufferPointer(start: content, count: size))
    }
  }
}
