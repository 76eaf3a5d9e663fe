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
  ///
  /// Objects are not hashed again on every read. libgit2 does so by default; git does not
  /// (that is `git fsck`'s job), and packs still check their zlib streams. Reading history
  /// reads every version of each record directory's tree — 400 KB each for 10,000
  /// customers — and re-hashing them took about half of a cold history walk.
  static let initialized: Bool = {
    git_libgit2_init()
    _ = tally_set_strict_hash_verification(0)
    return true
  }()

  static func ensureInitialized() {
    _ = initialized
  }
}
