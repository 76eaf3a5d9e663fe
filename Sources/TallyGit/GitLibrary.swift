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
  ///
  /// At most 3 GiB of pack files is mapped at once, in windows of 256 MiB (libgit2's
  /// defaults, like git's, are 8 GiB in windows of 1 GiB). A walk of the whole history
  /// touches all of a pack, and its mapped pages count as the process's memory: at a
  /// million records the 2 GB pack was half of a cold `history build`'s 4 GB. Windows not
  /// used lately are unmapped; their pages stay in the page cache, so mapping them again
  /// costs page faults, not reads. A limit of 1.5 GiB held that walk to 2.4 GB but made it
  /// 5 % slower than the pack mapped whole (3.3 GB): under the memory goal either way, the
  /// walk's time is the goal it missed. The pages are clean and file-backed — the kernel
  /// drops them first when memory is short.
  static let initialized: Bool = {
    git_libgit2_init()
    _ = tally_set_strict_hash_verification(0)
    _ = tally_set_pack_mapping(packWindow, packMappedLimit)
    return true
  }()

  static let packWindow = 256 << 20
  static let packMappedLimit = 3072 << 20

  /// Holds the pack files mapped at once to `bytes` from now on in this process: for a long
  /// run that reads blobs from all over the pack while holding much else (the SQL database's
  /// full build), where the memory matters more than the page faults of mapping windows again.
  public static func limitPackMapping(to bytes: Int) {
    ensureInitialized()
    _ = tally_set_pack_mapping(packWindow, min(bytes, packMappedLimit))
  }

  static func ensureInitialized() {
    _ = initialized
  }
}
