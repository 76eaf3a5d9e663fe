internal import CLibGit2

/// Facts about the libgit2 that Tally is linked against, and its one-time set-up.
public enum GitLibrary {
  /// The libgit2 version, e.g. "1.5.1" (`git_libgit2_version`).
  public static var version: String {
    var major: Int32 = 0
    var minor: Int32 = 0
    var revision: Int32 = 0
    _ = git_libgit2_version(&major, &minor, &revision)
    return "\(major).\(minor).\(revision)"
  }

  /// Initialises libgit2 once per process (`git_libgit2_init`); every entry point calls it.
  static let initialized: Bool = {
    git_libgit2_init()
    return true
  }()

  static func ensureInitialized() {
    _ = initialized
  }
}
