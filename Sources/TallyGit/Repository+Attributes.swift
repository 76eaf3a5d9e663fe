internal import CLibGit2

/// The value of a git attribute for a path, as `git check-attr` reports it.
public enum AttributeValue: Sendable, Equatable {
  /// No line sets or unsets it (`unspecified`).
  case unspecified
  /// Set without a value (`merge`).
  case set
  /// Unset (`-merge`).
  case unset
  /// Set to a value (`merge=tally`).
  case value(String)
}

extension Repository {
  /// The attribute `name` of each of `paths` (relative to the top of the working tree; the
  /// files need not exist), as `git check-attr` reads it in a working tree: the
  /// `.gitattributes` files of the working tree, `.git/info/attributes` and
  /// `core.attributesFile` (`git_attr_get`).
  ///
  /// libgit2 also reads each `.gitattributes` of the index, on top of the working tree's
  /// (git reads the index's only for a file missing from the working tree): a line removed
  /// from the file but still staged would count. So the paths are looked up through a
  /// handle of their own whose index is empty (`git_index_new`, `git_repository_set_index`).
  /// Unlike git, libgit2 (1.5) does not read patterns in double quotes (git's way to write a
  /// name with a space).
  public func attributes(_ name: String, of paths: [String]) throws(GitError) -> [AttributeValue] {
    guard let workingDirectory else { return paths.map { _ in .unspecified } }
    var repository: OpaquePointer?
    try check(
      git_repository_open_ext(&repository, workingDirectory, UInt32(GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue), nil),
      "git_repository_open_ext")
    defer { git_repository_free(repository) }
    var index: OpaquePointer?
    try check(git_index_new(&index), "git_index_new")
    defer { git_index_free(index) }
    try check(git_repository_set_index(repository, index), "git_repository_set_index")
    var values: [AttributeValue] = []
    for path in paths {
      var value: UnsafePointer<CChar>?
      try check(
        git_attr_get(&value, repository, UInt32(GIT_ATTR_CHECK_FILE_THEN_INDEX), path, name), "git_attr_get")
      switch git_attr_value(value) {
      case GIT_ATTR_VALUE_TRUE: values.append(.set)
      case GIT_ATTR_VALUE_FALSE: values.append(.unset)
      case GIT_ATTR_VALUE_STRING: values.append(value.map { .value(String(cString: $0)) } ?? .unspecified)
      default: values.append(.unspecified)
      }
    }
    return values
  }
}
