internal import CLibGit2
import Foundation

/// A git repository, opened through libgit2.
///
/// One object owns the `git_repository` handle and frees it in `deinit`. Calls are
/// serialized by a lock, so one `Repository` can be shared between threads (libgit2 objects
/// must not be used by two threads at once).
public final class Repository: @unchecked Sendable {
  let handle: OpaquePointer
  let lock = NSLock()
  /// The object database, opened on first use (guarded by `lock`).
  var odb: OpaquePointer?
  /// Raw trees read last (guarded by `lock`), for history walks.
  var recentTrees: [(ObjectID, RawTree)] = []

  /// The working directory (with a trailing `/` removed), or nil for a bare repository.
  public let workingDirectory: String?
  /// The `.git` directory (or the bare repository itself).
  public let gitDirectory: String

  init(handle: OpaquePointer) {
    self.handle = handle
    if let path = git_repository_workdir(handle) {
      workingDirectory = String(cString: path).trimmingSuffix("/")
    } else {
      workingDirectory = nil
    }
    gitDirectory = String(cString: git_repository_path(handle)).trimmingSuffix("/")
    addQuarantine()
  }

  /// Inside a `pre-receive` hook, the objects of the push being received are in a quarantine
  /// directory git names in `GIT_QUARANTINE_PATH` until the hook accepts them: every handle
  /// reads them too (an alternate object directory), so a hook can check what is pushed.
  private func addQuarantine() {
    guard let path = getenv("GIT_QUARANTINE_PATH").map({ String(cString: $0) }), !path.isEmpty,
      FileManager.default.fileExists(atPath: path)
    else { return }
    var database: OpaquePointer?
    guard git_repository_odb(&database, handle) == 0 else { return }
    defer { git_odb_free(database) }
    _ = git_odb_add_disk_alternate(database, path)
  }

  deinit {
    recentTrees.removeAll()
    if let odb { git_odb_free(odb) }
    git_repository_free(handle)
  }

  /// Opens the repository that holds `path`, searching upwards like git
  /// (`git_repository_open_ext`). Bare repositories are found too.
  public static func discover(from path: String) throws(GitError) -> Repository {
    GitLibrary.ensureInitialized()
    var handle: OpaquePointer?
    try check(git_repository_open_ext(&handle, path, 0, nil), "git_repository_open_ext")
    return Repository(handle: handle!)
  }

  /// Opens the repository at exactly `path` (`git_repository_open`).
  public static func open(at path: String) throws(GitError) -> Repository {
    GitLibrary.ensureInitialized()
    var handle: OpaquePointer?
    try check(git_repository_open(&handle, path), "git_repository_open")
    return Repository(handle: handle!)
  }

  /// Creates a repository (`git_repository_init`).
  public static func create(at path: String, bare: Bool = false, initialBranch: String = "main") throws(GitError)
    -> Repository
  {
    GitLibrary.ensureInitialized()
    var options = git_repository_init_options()
    try check(
      git_repository_init_options_init(&options, UInt32(GIT_REPOSITORY_INIT_OPTIONS_VERSION)),
      "git_repository_init_options_init")
    options.flags = UInt32(GIT_REPOSITORY_INIT_MKPATH.rawValue) | (bare ? UInt32(GIT_REPOSITORY_INIT_BARE.rawValue) : 0)
    var handle: OpaquePointer?
    let rc = initialBranch.withCString { branch -> Int32 in
      options.initial_head = branch
      return git_repository_init_ext(&handle, path, &options)
    }
    try check(rc, "git_repository_init_ext")
    return Repository(handle: handle!)
  }

  public var isBare: Bool { workingDirectory == nil }

  func locked<T>(_ body: () throws(GitError) -> T) throws(GitError) -> T {
    lock.lock()
    defer { lock.unlock() }
    return try body()
  }

  /// The path of `absolute` relative to the working directory (`/`-separated), or nil when
  /// it is outside.
  public func relativePath(_ absolute: String) -> String? {
    guard let workingDirectory else { return nil }
    if absolute == workingDirectory { return "" }
    let prefix = workingDirectory + "/"
    guard absolute.hasPrefix(prefix) else { return nil }
    return String(absolute.dropFirst(prefix.count))
  }
}

extension String {
  func trimmingSuffix(_ suffix: String) -> String {
    guard hasSuffix(suffix), count > suffix.count else { return self }
    return String(dropLast(suffix.count))
  }
}
