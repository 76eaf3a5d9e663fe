internal import CLibGit2

extension Repository {
  /// The full name of the reference `name` means, as git reads a revision (`main` →
  /// `refs/heads/main`; `HEAD` → the branch it is attached to), or nil when it names no
  /// reference (a commit id, `HEAD~1`). Uses `git_reference_dwim` and
  /// `git_reference_resolve` for symbolic references.
  public func referenceName(_ name: String) throws(GitError) -> String? {
    try locked { () throws(GitError) -> String? in
      var reference: OpaquePointer?
      let rc = git_reference_dwim(&reference, handle, name)
      if rc == GIT_ENOTFOUND.rawValue || rc == GIT_EINVALIDSPEC.rawValue { return nil }
      try check(rc, "git_reference_dwim")
      defer { git_reference_free(reference) }
      if let target = git_reference_symbolic_target(reference) { return String(cString: target) }
      return String(cString: git_reference_name(reference))
    }
  }

  /// Writes a commit object (`git_commit_create` without updating any reference): what
  /// `tally serve` commits before it moves the ref with ``updateReference(_:to:expecting:message:)``.
  public func writeCommit(
    tree: ObjectID, parents: [ObjectID], message: String, author: Signature, committer: Signature
  ) throws(GitError) -> ObjectID {
    try createCommit(tree: tree, parents: parents, message: message, author: author, committer: committer)
  }

  /// Points `reference` at `commit` if it still points at `expected` (nil: creates it,
  /// failing when it exists), with a reflog entry (`git_reference_create_matching`). Never
  /// touches the index or a working tree.
  ///
  /// - Throws: ``GitError`` with code `.modified` when the reference moved.
  public func updateReference(_ reference: String, to commit: ObjectID, expecting expected: ObjectID?, message: String)
    throws(GitError)
  {
    try moveBranch(reference, to: commit, from: expected, message: message)
  }

  /// Deletes `reference` if it still points at `expected` (`git_reference_delete` after
  /// a look-up; libgit2 compares under the reference's lock).
  public func deleteReference(_ reference: String, expecting expected: ObjectID) throws(GitError) {
    try locked { () throws(GitError) in
      var ref: OpaquePointer?
      try check(git_reference_lookup(&ref, handle, reference), "git_reference_lookup")
      defer { git_reference_free(ref) }
      guard let target = git_reference_target(ref), ObjectID(target) == expected else {
        throw GitError(
          code: .modified, message: "\(reference) moved; it was not deleted", function: "git_reference_delete")
      }
      try check(git_reference_delete(ref), "git_reference_delete")
    }
  }

  /// The references whose names start with `prefix` and the commits they point at
  /// (`git_reference_foreach_glob`), sorted by name.
  public func references(under prefix: String) throws(GitError) -> [(name: String, commit: ObjectID)] {
    try locked { () throws(GitError) -> [(name: String, commit: ObjectID)] in
      var iterator: OpaquePointer?
      try check(git_reference_iterator_glob_new(&iterator, handle, prefix + "*"), "git_reference_iterator_glob_new")
      defer { git_reference_iterator_free(iterator) }
      var found: [(name: String, commit: ObjectID)] = []
      while true {
        var reference: OpaquePointer?
        let rc = git_reference_next(&reference, iterator)
        if rc == GIT_ITEROVER.rawValue { break }
        try check(rc, "git_reference_next")
        defer { git_reference_free(reference) }
        if let target = git_reference_target(reference) {
          found.append((String(cString: git_reference_name(reference)), ObjectID(target)))
        }
      }
      return found.sorted { $0.name < $1.name }
    }
  }
}
