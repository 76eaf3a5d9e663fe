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
  /// The attribute `name` of `path` (relative to the top of the working tree; the file need
  /// not exist), from the `.gitattributes` files, `.git/info/attributes` and
  /// `core.attributesFile` (`git_attr_get` with `GIT_ATTR_CHECK_FILE_THEN_INDEX`).
  ///
  /// Where libgit2 (1.5) and `git check-attr` differ: libgit2 reads a `.gitattributes` both
  /// from the working tree and from the index (git reads the index's only when the file is
  /// not in the working tree), so a line removed from the file but still staged counts; and
  /// it does not read patterns in double quotes (git's way to write a name with a space).
  public func attribute(_ name: String, of path: String) throws(GitError) -> AttributeValue {
    try locked { () throws(GitError) -> AttributeValue in
      // libgit2 caches attribute files and re-reads one when it changed on disk.
      var value: UnsafePointer<CChar>?
      try check(
        git_attr_get(&value, handle, UInt32(GIT_ATTR_CHECK_FILE_THEN_INDEX), path, name), "git_attr_get")
      switch git_attr_value(value) {
      case GIT_ATTR_VALUE_TRUE: return .set
      case GIT_ATTR_VALUE_FALSE: return .unset
      case GIT_ATTR_VALUE_STRING: return value.map { .value(String(cString: $0)) } ?? .unspecified
      default: return .unspecified
      }
    }
  }
}
