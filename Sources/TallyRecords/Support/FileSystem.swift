import Foundation
import TallyGit

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

#if canImport(Glibc)
  private let systemRead = Glibc.read
#elseif canImport(Musl)
  private let systemRead = Musl.read
#elseif canImport(Darwin)
  private let systemRead = Darwin.read
#endif

/// A failed file-system operation, with the path and the system's reason.
public struct FileError: Error, CustomStringConvertible, Sendable {
  public var path: String
  public var operation: String
  public var reason: String
  public var errno: Int32

  public init(path: String, operation: String, errno code: Int32) {
    self.path = path
    self.operation = operation
    self.errno = code
    // `open` with O_NOFOLLOW says ELOOP for a link: say what it is.
    self.reason = code == ELOOP ? Self.symbolicLinkReason : String(cString: strerror(code))
  }

  static let symbolicLinkReason = "it is a symbolic link (tally does not follow links)"

  /// The file is a symbolic link, which Tally neither reads through nor replaces.
  public var isSymbolicLink: Bool { errno == ELOOP || reason == Self.symbolicLinkReason }

  public init(path: String, operation: String, reason: String) {
    self.path = path
    self.operation = operation
    self.errno = 0
    self.reason = reason
  }

  public var description: String { "cannot \(operation) \(path): \(reason)" }

  public var isNotFound: Bool { errno == ENOENT || errno == ENOTDIR }
}

/// The few file-system operations Tally needs, on POSIX calls: reading whole files,
/// replacing files atomically, walking directories.
public enum FileSystem {
  /// An open directory, closed when the last user lets go of it: files inside it are opened
  /// relative to it, so the kernel does not walk the whole path again for each of 100,000.
  public final class Directory: Sendable {
    let fd: Int32
    /// The directory's path, for messages.
    public let path: String

    public init(_ path: String) throws(FileError) {
      let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
      guard fd >= 0 else { throw FileError(path: path, operation: "open the directory", errno: errno) }
      self.fd = fd
      self.path = path
    }

    deinit { close(fd) }
  }

  /// Reads a whole file (`open`, `fstat`, `read`).
  public static func read(_ path: String) throws(FileError) -> [UInt8] {
    try read(path, in: nil)
  }

  /// Reads a whole file at `path` relative to `directory` (the current directory when nil).
  /// A symbolic link is not followed: reading one fails (see ``FileError/isSymbolicLink``).
  public static func read(_ path: String, in directory: Directory?) throws(FileError) -> [UInt8] {
    let fd = openat(directory?.fd ?? AT_FDCWD, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
    // Messages name the whole path.
    var shown: String { directory.map { joinPath($0.path, path) } ?? path }
    guard fd >= 0 else { throw FileError(path: shown, operation: "read", errno: errno) }
    defer { close(fd) }
    return try readOpen(fd, shown: shown)
  }

  /// Reads the open file `fd` from its current offset to its end (`fstat`, then `read`).
  private static func readOpen(_ fd: Int32, shown: @autoclosure () -> String) throws(FileError) -> [UInt8] {
    var info = stat()
    guard fstat(fd, &info) == 0 else { throw FileError(path: shown(), operation: "read", errno: errno) }
    if (info.st_mode & S_IFMT) == S_IFDIR {
      throw FileError(path: shown(), operation: "read", reason: "it is a directory")
    }
    let size = max(Int(info.st_size), 0)
    // The size `fstat` gave, read with room for one byte more: a regular file ends there,
    // with no need for another call to see the end (a file that grew fills the room). The
    // buffer is not cleared first: a 90 MB cache file spent a tenth of its read on that.
    var failure: Int32?
    var bytes = [UInt8](unsafeUninitializedCapacity: size + 1) { buffer, initialized in
      LargeMemory.advise(buffer.baseAddress, count: buffer.count)
      initialized = 0
      while initialized < buffer.count {
        let n = systemRead(fd, buffer.baseAddress! + initialized, buffer.count - initialized)
        if n < 0 {
          if errno == EINTR { continue }
          failure = errno
          return
        }
        initialized += n
        if n == 0 || initialized == size { return }
      }
    }
    if let failure { throw FileError(path: shown(), operation: "read", errno: failure) }
    if bytes.count <= size { return bytes }
    var capacity = bytes.count * 2
    var count = bytes.count
    bytes.append(contentsOf: [UInt8](repeating: 0, count: capacity - count))
    while true {
      if count == capacity {
        capacity *= 2
        bytes.append(contentsOf: [UInt8](repeating: 0, count: capacity - bytes.count))
      }
      let n = bytes.withUnsafeMutableBytes { buffer in
        systemRead(fd, buffer.baseAddress! + count, capacity - count)
      }
      if n < 0 {
        if errno == EINTR { continue }
        throw FileError(path: shown(), operation: "read", errno: errno)
      }
      if n == 0 { break }
      count += n
    }
    bytes.removeLast(bytes.count - count)
    return bytes
  }

  /// Reads a file that a listing found to be a regular file, at `path` relative to
  /// `directory`, without asking its size first: one `open`, `read`, `close` (checking
  /// 100,000 records, the `fstat` per file was a tenth of the time spent in the kernel).
  /// A regular file's `read` returns less than it was asked for only at the file's end, so
  /// a read that leaves room is the last; a file that fills the room is read on until the
  /// end as ``read(_:in:)`` does.
  public static func readListed(_ path: String, in directory: Directory?) throws(FileError) -> [UInt8] {
    let fd = openat(directory?.fd ?? AT_FDCWD, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
    var shown: String { directory.map { joinPath($0.path, path) } ?? path }
    guard fd >= 0 else { throw FileError(path: shown, operation: "read", errno: errno) }
    defer { close(fd) }
    // Room for most records; the bytes are copied out at their size, so that a caller that
    // keeps many files does not keep the room too.
    let room = 16 << 10
    let (first, failure) = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: room) {
      buffer -> ([UInt8]?, Int32) in
      var count = 0
      while count < room {
        let n = systemRead(fd, buffer.baseAddress! + count, room - count)
        if n < 0 {
          if errno == EINTR { continue }
          return (nil, errno)
        }
        if n == 0 { break }
        count += n
        if count < room { break }  // a short read: the end of the file
      }
      // A full room: the file may go on; read it whole below.
      return count == room ? (nil, 0) : (Array(buffer[..<count]), 0)
    }
    if let first { return first }
    if failure == EISDIR { throw FileError(path: shown, operation: "read", reason: "it is a directory") }
    if failure != 0 { throw FileError(path: shown, operation: "read", errno: failure) }
    guard lseek(fd, 0, SEEK_SET) == 0 else { throw FileError(path: shown, operation: "read", errno: errno) }
    return try readOpen(fd, shown: shown)
  }

  /// Replaces (or creates) `path` with `bytes` atomically: the bytes go to a temporary
  /// file in the same directory (``writeTemporary(nextTo:_:mode:)``), which is renamed over
  /// `path`. The file's permission bits are kept. Readers see the old file or the new one,
  /// never a part; on failure `path` is untouched and the temporary file removed — also when
  /// a signal ends the process. A symbolic link at `path` is refused, not replaced by a file.
  public static func writeAtomically(_ path: String, _ bytes: [UInt8]) throws(FileError) {
    try writeAtomically(path, parts: { write in _ = bytes.withUnsafeBytes { write($0) } })
  }

  /// Writes the content that `parts` hands to `write`, one piece after another, as
  /// ``writeAtomically(_:_:)`` writes bytes: for a large file made of pieces held apart,
  /// which a single array would hold twice. `write` returns false once writing failed (the
  /// rest need not be handed over); the failure is then thrown.
  public static func writeAtomically(
    _ path: String, parts: (_ write: (UnsafeRawBufferPointer) -> Bool) -> Void
  ) throws(FileError) {
    var mode: mode_t
    var existing = stat()
    if lstat(path, &existing) == 0 {
      if (existing.st_mode & S_IFMT) == S_IFLNK {
        throw FileError(path: path, operation: "write", reason: FileError.symbolicLinkReason)
      }
      mode = existing.st_mode & 0o7777
    } else {
      mode = 0o666 & ~currentUmask
    }
    let temporary = try writeTemporary(nextTo: path, parts: parts, mode: mode)
    guard rename(temporary.path, path) == 0 else {
      let error = FileError(path: path, operation: "replace", errno: errno)
      temporary.remove()
      throw error
    }
    temporary.forget()
  }

  /// What became of one file of ``writeAtomically(_:threads:)``.
  public enum WriteOutcome: Sendable {
    case written
    case failed(FileError)
    /// Not begun: a signal was pending (see ``Interrupts``).
    case skipped
  }

  /// Replaces many files, each atomically as ``writeAtomically(_:_:)`` does, on `threads`
  /// threads: flushing each file to disk is waiting, not computing, so the waits overlap
  /// (on this machine's disk: 4 ms a file one by one, 1 ms on several threads). Once a
  /// signal is pending, files not begun are skipped (unless `stopOnSignal` is false: putting
  /// files back after a failure); each file is either as it was or written whole. Outcomes
  /// are in the order of `files`.
  public static func writeAtomically(
    _ files: [(path: String, bytes: [UInt8])], threads: Int = 8, stopOnSignal: Bool = true
  ) -> [WriteOutcome] {
    if files.isEmpty { return [] }
    let results = UnsafeMutableBufferPointer<WriteOutcome>.allocate(capacity: files.count)
    results.initialize(repeating: .skipped)
    nonisolated(unsafe) let output = results
    let next = AtomicCounter()
    let group = DispatchGroup()
    let work: @Sendable () -> Void = {
      while true {
        let index = next.add(1)
        if index >= files.count || (stopOnSignal && Interrupts.pending != nil) { break }
        do throws(FileError) {
          try writeAtomically(files[index].path, files[index].bytes)
          output[index] = .written
        } catch {
          output[index] = .failed(error)
        }
      }
    }
    let count = min(threads, files.count)
    for _ in 1..<max(count, 1) {
      group.enter()
      let thread = Thread {
        work()
        group.leave()
      }
      thread.start()
    }
    work()
    group.wait()
    let collected = Array(results)
    results.deallocate()
    return collected
  }

  /// The process's file mode creation mask.
  public static var currentUmask: mode_t {
    let mask = umask(0)
    umask(mask)
    return mask
  }

  /// A file that ``writeTemporary(nextTo:_:mode:)`` wrote, registered with ``Interrupts``
  /// so that a signal that ends the process removes it.
  public struct TemporaryFile: Sendable {
    public let path: String
    let remembered: Interrupts.RememberedFile

    /// Removes the file (it was not needed, or was linked into place).
    public func remove() {
      unlink(path)
      Interrupts.forget(remembered)
    }

    /// Forgets the file: it has been renamed into place.
    public func forget() { Interrupts.forget(remembered) }
  }

  /// Writes `bytes` to a new temporary file next to `path` (named by
  /// ``temporaryName(for:attempt:)``), with `mode`, flushed to disk: ready to be renamed or
  /// linked into place. It is registered with ``Interrupts`` before it exists, so no moment
  /// leaves it behind; on failure it is removed.
  public static func writeTemporary(nextTo path: String, _ bytes: [UInt8], mode: mode_t) throws(FileError)
    -> TemporaryFile
  {
    try writeTemporary(nextTo: path, parts: { write in _ = bytes.withUnsafeBytes { write($0) } }, mode: mode)
  }

  /// ``writeTemporary(nextTo:_:mode:)`` of the content `parts` hands to `write`, piece by
  /// piece (see ``writeAtomically(_:parts:)``).
  public static func writeTemporary(
    nextTo path: String, parts: (_ write: (UnsafeRawBufferPointer) -> Bool) -> Void, mode: mode_t
  ) throws(FileError) -> TemporaryFile {
    let directory = parentDirectory(of: path)
    let name = baseName(of: path)
    var opened: (fd: Int32, file: TemporaryFile)?
    var lastError: Int32 = 0
    for attempt in 0..<100 {
      let candidate = joinPath(directory, temporaryName(for: name, attempt: attempt))
      let remembered = Interrupts.remember(candidate)
      let fd = open(candidate, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
      if fd >= 0 {
        opened = (fd, TemporaryFile(path: candidate, remembered: remembered))
        break
      }
      lastError = errno
      Interrupts.forget(remembered)
      if lastError != EEXIST { break }
    }
    guard let (fd, temporary) = opened else { throw FileError(path: path, operation: "write", errno: lastError) }
    var failure: FileError?
    parts { buffer in
      guard failure == nil else { return false }
      var written = 0
      while written < buffer.count {
        let n = write(fd, buffer.baseAddress! + written, buffer.count - written)
        if n < 0 {
          if errno == EINTR { continue }
          failure = FileError(path: path, operation: "write", errno: errno)
          return false
        }
        written += n
      }
      return true
    }
    if failure == nil, fchmod(fd, mode) != 0 {
      failure = FileError(path: path, operation: "set the mode of", errno: errno)
    }
    if failure == nil, fsync(fd) != 0 {
      failure = FileError(path: path, operation: "flush", errno: errno)
    }
    close(fd)
    if let failure {
      temporary.remove()
      throw failure
    }
    return temporary
  }

  /// The name of the temporary file written before it is renamed over `name`: hidden, in
  /// the same directory, naming this process (`.C-0042.yaml.tally-12345-0.tmp`).
  static func temporaryName(for name: String, attempt: Int) -> String {
    ".\(name).tally-\(getpid())-\(attempt).tmp"
  }

  /// The process that wrote a temporary file named as ``temporaryName(for:attempt:)``
  /// names them, or nil when `name` is not such a name.
  public static func temporaryFileOwner(_ name: String) -> Int32? {
    guard name.hasPrefix("."), name.hasSuffix(".tmp") else { return nil }
    // `.NAME.tally-PID-N.tmp`: the last two `-`-separated numbers before `.tmp`.
    let stem = name.dropLast(4)
    let parts = stem.split(separator: "-", omittingEmptySubsequences: false)
    guard parts.count >= 3, parts[parts.count - 3].hasSuffix(".tally"), let pid = Int32(parts[parts.count - 2]),
      pid > 0, Int(parts[parts.count - 1]) != nil
    else { return nil }
    return pid
  }

  public enum Kind: Sendable {
    case file
    case directory
    /// A symbolic link (only from ``entryKind(of:)``, which does not follow links).
    case symbolicLink
    case other
  }

  /// What is at `path` itself, a symbolic link not followed (`lstat`), or nil when nothing is.
  public static func entryKind(of path: String) -> Kind? {
    var info = stat()
    guard lstat(path, &info) == 0 else { return nil }
    switch info.st_mode & S_IFMT {
    case S_IFREG: return .file
    case S_IFDIR: return .directory
    case S_IFLNK: return .symbolicLink
    default: return .other
    }
  }

  /// The target of the symbolic link at `path`, as its bytes (`readlink`).
  public static func linkTarget(_ path: String) throws(FileError) -> [UInt8] {
    var buffer = [UInt8](repeating: 0, count: 4096)
    let count = buffer.withUnsafeMutableBytes { readlink(path, $0.baseAddress!, $0.count) }
    guard count >= 0 else { throw FileError(path: path, operation: "read the link", errno: errno) }
    return Array(buffer.prefix(count))
  }

  /// Whether the regular file at `path` is executable by its owner (git's `100755`).
  public static func isExecutable(_ path: String) -> Bool {
    var info = stat()
    return lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG && (info.st_mode & 0o100) != 0
  }

  /// What is at `path`, or nil when nothing is.
  public static func kind(of path: String) -> Kind? {
    var info = stat()
    guard stat(path, &info) == 0 else { return nil }
    switch info.st_mode & S_IFMT {
    case S_IFREG: return .file
    case S_IFDIR: return .directory
    default: return .other
    }
  }

  public static func exists(_ path: String) -> Bool { kind(of: path) != nil }

  /// When the file at `path` was last written (seconds since 1970), or nil when it is missing.
  public static func modificationTime(_ path: String) -> Double? {
    var info = stat()
    guard stat(path, &info) == 0 else { return nil }
    return Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
  }

  public static func isDirectory(_ path: String) -> Bool { kind(of: path) == .directory }

  /// The entries of a directory (names, without `.` and `..`), sorted.
  public static func contents(of directory: String) throws(FileError) -> [String] {
    guard let dir = opendir(directory) else {
      throw FileError(path: directory, operation: "list", errno: errno)
    }
    defer { closedir(dir) }
    var names: [String] = []
    while let entry = readdir(dir) {
      let name = withUnsafePointer(to: entry.pointee.d_name) { pointer in
        pointer.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
      }
      if name == "." || name == ".." { continue }
      names.append(name)
    }
    return names.sorted()
  }

  /// Every regular file under `root` whose name ends with one of `suffixes`, sorted, as
  /// paths that start with `root`. Hidden directories (`.git`, `.build`) are skipped.
  /// Symbolic links are not followed: a link whose name has the suffix is listed (reading it
  /// then fails and says why), a link to a directory is not entered.
  public static func files(under root: String, suffixes: [String]) throws(FileError) -> [String] {
    var result: [String] = []
    var stack = [root]
    while let directory = stack.popLast() {
      for (name, entryKind) in try entries(of: directory) {
        let path = joinPath(directory, name)
        // The directory entry's type saves a `stat` per file; some file systems leave it out.
        switch entryKind ?? self.entryKind(of: path) {
        case .directory:
          if !name.hasPrefix(".") { stack.append(path) }
        case .file, .symbolicLink:
          if suffixes.contains(where: { name.hasSuffix($0) }) { result.append(path) }
        default:
          break
        }
      }
    }
    return result.sorted()
  }

  /// Every file under `root` (hidden directories skipped, as in ``files(under:suffixes:)``),
  /// as paths relative to it, in the order of their bytes (git's order: each directory's
  /// entries are sorted with a sub-directory's name counting as if it ended in `/`, and
  /// walked depth first). With `statKeys`, each file's stat data (modification and change
  /// times, size, inode), hashed: what tells an unchanged file without reading it, read
  /// with `fstatat` relative to the open directory (no path walk per file). A file changed
  /// at or after `racyAfter` (seconds) gets nil: it may change again within the same tick of
  /// the file system's clock without its stat data showing it. Symbolic links are listed as
  /// such (`link`), never followed: a record that is a link is reported, not read.
  ///
  /// With `folderCache` (a file; see ``FolderCache``), a folder whose stat data did not
  /// change since the last listing is not read: its names are taken from the file, which is
  /// written again when more than a few folders had to be read.
  public static func tree(
    under root: String, statKeys: Bool, racyAfter: Int = .max, folderCache: String? = nil
  ) throws(FileError) -> [(path: String, key: UInt64?, link: Bool)] {
    try listTree(under: root, statKeys: statKeys, racyAfter: racyAfter, folderCache: folderCache).files
  }

  /// ``tree(under:statKeys:racyAfter:folderCache:)``, and how many folders it read (-1
  /// without a folder cache).
  static func listTree(
    under root: String, statKeys: Bool, racyAfter: Int, folderCache: String?
  ) throws(FileError) -> (files: [(path: String, key: UInt64?, link: Bool)], foldersRead: Int) {
    var result: [(path: String, key: UInt64?, link: Bool)] = []
    let cache = folderCache.flatMap { FolderCache.load(from: $0, root: root) }
    let recorder = folderCache.map { _ in FolderCache.Recorder() }
    let listing = Listing(statKeys: statKeys, racyAfter: racyAfter, cache: cache, recorder: recorder)
    try visit(root, [], listing, parallel: true, into: &result)
    if let folderCache, let recorder, recorder.read > (cache == nil ? 0 : rereadFolders) {
      recorder.save(to: folderCache, root: root)
    }
    return (result, recorder?.read ?? -1)
  }

  /// How many folders a listing may read (rather than take from the folder cache) before the
  /// cache is written again: a few changed folders are quicker to read than the cache of a
  /// thousand is to write.
  static let rereadFolders = 16

  /// What a listing does in every folder.
  struct Listing: @unchecked Sendable {
    var statKeys: Bool
    var racyAfter: Int
    var cache: FolderCache?
    var recorder: FolderCache.Recorder?
  }

  /// Sub-directories listed on all cores when a directory has at least this many: a sharded
  /// type's shard folders (tens to thousands), not a repository's few type folders — the
  /// cores go to one level only (a `concurrentPerform` inside another runs on one thread), so
  /// they must not be spent on the type folders above the shards.
  static let parallelSubdirectories = 16

  /// Where a directory entry's name is (`d_name`), read through a pointer: a closure that
  /// appends to the listing's arrays would check exclusive access on every entry.
  private static let nameOffset = MemoryLayout<dirent>.offset(of: \dirent.d_name)!

  /// Lists `directory` (shown as `relative`, as bytes ending in `/` or empty) into `result`,
  /// in git's order, for ``tree(under:statKeys:racyAfter:)``.
  /// `parallel` says whether it may use the other cores (not when it is itself listed on one
  /// of them).
  private static func visit(
    _ directory: String, _ relative: [UInt8], _ listing: Listing, parallel: Bool,
    into result: inout [(path: String, key: UInt64?, link: Bool)]
  ) throws(FileError) {
    let (statKeys, racyAfter) = (listing.statKeys, listing.racyAfter)
    guard let dir = opendir(directory) else {
      throw FileError(path: directory, operation: "list", errno: errno)
    }
    defer { closedir(dir) }
    let fd = dirfd(dir)
    // The names one after another in one buffer, each ended by a NUL (for `fstatat`): no
    // string per name until its path is made.
    var bytes: [UInt8] = []
    var names: [(start: Int, count: Int, type: Int32)] = []
    var needStat = statKeys
    // The folder's names from the folder cache when it did not change: in order already.
    let folderKey = listing.recorder == nil ? nil : FolderCache.key(of: fd, racyAfter: racyAfter)
    let kept = folderKey.flatMap { listing.cache?.folder(relative, key: $0) }
    let cached = kept?.entries
    for entry in cached ?? [] {
      let type = entry.isDirectory ? Int32(DT_DIR) : entry.isLink ? Int32(DT_LNK) : Int32(DT_REG)
      names.append((bytes.count, entry.name.count, type))
      bytes += entry.name
      bytes.append(0)
      if entry.isLink { needStat = true }
    }
    while cached == nil, let entry = readdir(dir) {
      let type = Int32(entry.pointee.d_type)
      let name = UnsafeRawPointer(entry) + nameOffset
      let count = strlen(name.assumingMemoryBound(to: CChar.self))
      let first = name.load(as: UInt8.self)
      if first == UInt8(ascii: "."), count == 1 || (count == 2 && name.load(fromByteOffset: 1, as: UInt8.self) == first)
      {
        continue
      }
      names.append((bytes.count, count, type))
      bytes.append(contentsOf: UnsafeRawBufferPointer(start: name, count: count + 1))
      if type == Int32(DT_LNK) || type == Int32(DT_UNKNOWN) { needStat = true }
    }
    // The stat data when asked for or when the directory does not say an entry's kind, on
    // all cores (a directory of 100,000 records spends most of its listing time in the
    // kernel's stat). Links are not followed (`lstat`), as reading a file does not.
    var looked: [(type: Int32, key: UInt64?)?] = names.map { ($0.type, nil) }
    if needStat {
      let buffer = bytes
      looked = parallelMap(names, batch: parallel ? 256 : max(names.count, 1)) {
        start, _, type -> (type: Int32, key: UInt64?)? in
        guard type == Int32(DT_LNK) || type == Int32(DT_UNKNOWN) || (statKeys && type == Int32(DT_REG)) else {
          return (type, nil)
        }
        var info = stat()
        let found = buffer.withUnsafeBufferPointer { name in
          name.baseAddress!.withMemoryRebound(to: CChar.self, capacity: name.count) {
            fstatat(fd, $0 + start, &info, AT_SYMLINK_NOFOLLOW) == 0
          }
        }
        guard found else { return nil }  // gone since: skipped
        let kind: Int32 =
          switch info.st_mode & S_IFMT {
          case S_IFREG: Int32(DT_REG)
          case S_IFDIR: Int32(DT_DIR)
          case S_IFLNK: Int32(DT_LNK)
          default: Int32(DT_UNKNOWN)
          }
        guard statKeys, kind == Int32(DT_REG) || kind == Int32(DT_LNK), Int(info.st_mtim.tv_sec) < racyAfter,
          Int(info.st_ctim.tv_sec) < racyAfter
        else { return (kind, nil) }
        // A tuple on the stack, not an array per file.
        let fields = (
          Int(info.st_mtim.tv_sec), Int(info.st_mtim.tv_nsec), Int(info.st_ctim.tv_sec),
          Int(info.st_ctim.tv_nsec), Int(info.st_size), Int(info.st_ino), Int(info.st_dev)
        )
        return (kind, withUnsafeBytes(of: fields) { Checksum.of($0.bindMemory(to: UInt8.self)) })
      }
    }
    // Sorted in byte order (a directory's name as if it ended in `/`): by the first sixteen
    // bytes, held in the sorted entries themselves, then (rarely needed) the rest. Read in
    // their new order, the entries of a large directory are then read one after another:
    // looking each one's name up where readdir left it took a cache miss or three per file.
    // A cached name that is gone or has become something else: the folder is read again.
    if let cached, statKeys || needStat,
      zip(cached, looked).contains(where: { entry, found in
        guard let (type, _) = found else { return true }
        return type != (entry.isDirectory ? Int32(DT_DIR) : entry.isLink ? Int32(DT_LNK) : Int32(DT_REG))
      })
    {
      var uncached = listing
      uncached.cache = nil
      return try visit(directory, relative, uncached, parallel: parallel, into: &result)
    }
    var order: [SortedEntry] = []
    order.reserveCapacity(names.count)
    for (index, found) in looked.enumerated() {
      guard let (type, _) = found else { continue }
      let (start, count, _) = names[index]
      let isDirectory = type == Int32(DT_DIR)
      guard isDirectory || type == Int32(DT_REG) || type == Int32(DT_LNK) else { continue }
      if isDirectory, bytes[start] == UInt8(ascii: ".") { continue }
      let name = bytes[start..<(start + count)]
      order.append(
        SortedEntry(
          key: sortKey(name, from: 0, directory: isDirectory), more: sortKey(name, from: 8, directory: isDirectory),
          position: Int32(index), count: UInt16(count), isDirectory: isDirectory, isLink: type == Int32(DT_LNK)))
    }
    let buffer = bytes
    if cached == nil {
      order.sort { a, b in
        if a.key != b.key { return a.key < b.key }
        if a.more != b.more { return a.more < b.more }
        let (first, second) = (names[Int(a.position)], names[Int(b.position)])
        return precedes(
          (buffer[first.start..<(first.start + first.count)], a.isDirectory),
          (buffer[second.start..<(second.start + second.count)], b.isDirectory))
      }
    }
    if let kept {
      // Kept as it was stored: nothing to encode again.
      listing.recorder?.record(relative, key: folderKey, encoded: kept.encoded)
    } else {
      listing.recorder?.record(
        relative, key: folderKey,
        entries: order.map { entry in
          let start = names[Int(entry.position)].start
          return FolderCache.Entry(
            name: buffer[start..<(start + Int(entry.count))], isDirectory: entry.isDirectory, isLink: entry.isLink)
        })
    }
    // Sub-directories (a sharded type's thousand shard folders) listed on all cores, each
    // into a listing of its own, spliced in below in order.
    let subdirectories = order.filter(\.isDirectory).map { entry in
      let start = names[Int(entry.position)].start
      let name = bytes[start..<(start + Int(entry.count))]
      return (
        Int(entry.position), joinPath(directory, String(decoding: name, as: UTF8.self)),
        relative + name + [UInt8(ascii: "/")]
      )
    }
    var listed: [Int: [(path: String, key: UInt64?, link: Bool)]] = [:]
    if parallel && subdirectories.count >= parallelSubdirectories {
      let listings = parallelMap(subdirectories, batch: 1) { position, path, prefix in
        Result { () throws(FileError) -> [(path: String, key: UInt64?, link: Bool)] in
          var part: [(path: String, key: UInt64?, link: Bool)] = []
          try visit(path, prefix, listing, parallel: false, into: &part)
          return part
        }
      }
      for (subdirectory, listing) in zip(subdirectories, listings) { listed[subdirectory.0] = try listing.get() }
    }
    for entry in order {
      let count = Int(entry.count)
      if entry.isDirectory {
        if let part = listed.removeValue(forKey: Int(entry.position)) {
          result.append(contentsOf: part)
          continue
        }
        let start = names[Int(entry.position)].start
        let name = bytes[start..<(start + count)]
        try visit(
          joinPath(directory, String(decoding: name, as: UTF8.self)), relative + name + [UInt8(ascii: "/")], listing,
          parallel: parallel, into: &result)
        continue
      }
      // The path made once: from the bytes held in the entry when the name is short enough
      // (the team's are), else from where readdir left them.
      let path = String(unsafeUninitializedCapacity: relative.count + count) { target in
        _ = target.initialize(fromContentsOf: relative)
        let rest = UnsafeMutableBufferPointer(rebasing: target[relative.count...])
        if count <= 16 {
          withUnsafeBytes(of: (entry.key.bigEndian, entry.more.bigEndian)) { held in
            _ = rest.initialize(fromContentsOf: held.prefix(count))
          }
        } else {
          let start = names[Int(entry.position)].start
          _ = rest.initialize(fromContentsOf: bytes[start..<(start + count)])
        }
        return relative.count + count
      }
      result.append((path, statKeys ? looked[Int(entry.position)]?.key : nil, entry.isLink))
    }
  }

  /// A directory entry in the listing's sort: the first sixteen bytes of its name (as
  /// ``sortKey(_:from:directory:)`` packs them), where it is in the listing, the name's
  /// length, and whether it is a directory.
  struct SortedEntry {
    var key: UInt64
    var more: UInt64
    var position: Int32
    var count: UInt16
    var isDirectory: Bool
    var isLink: Bool
  }

  /// Whether `a` comes before `b` in byte order, each a name and whether it is a directory
  /// (then it counts as if it ended in `/`).
  static func precedes(_ a: (ArraySlice<UInt8>, Bool), _ b: (ArraySlice<UInt8>, Bool)) -> Bool {
    // The byte at `offset`: `/` just past a directory's name, -1 past the end.
    func byte(_ name: (ArraySlice<UInt8>, Bool), _ offset: Int) -> Int {
      offset < name.0.count
        ? Int(name.0[name.0.startIndex + offset]) : (offset == name.0.count && name.1 ? 0x2F : -1)
    }
    var offset = 0
    while true {
      let (x, y) = (byte(a, offset), byte(b, offset))
      if x != y { return x < y }
      if x < 0 { return false }
      offset += 1
    }
  }

  /// Eight bytes of `name` from `from` (a directory's name followed by `/`), big-endian and
  /// zero-padded (names hold no NUL), so that comparing keys orders names by their bytes as
  /// far as the keys tell them apart.
  static func sortKey(_ name: ArraySlice<UInt8>, from: Int = 0, directory: Bool) -> UInt64 {
    var key: UInt64 = 0
    for offset in from..<(from + 8) {
      let byte: UInt8 =
        offset < name.count
        ? name[name.startIndex + offset] : (offset == name.count && directory ? UInt8(ascii: "/") : 0)
      key = key << 8 | UInt64(byte)
    }
    return key
  }

  /// The entries of a directory (without `.` and `..`) with their kind when the directory
  /// says it (unknown entries: nil, to be asked with `lstat`).
  static func entries(of directory: String) throws(FileError) -> [(String, Kind?)] {
    guard let dir = opendir(directory) else {
      throw FileError(path: directory, operation: "list", errno: errno)
    }
    defer { closedir(dir) }
    var result: [(String, Kind?)] = []
    while let entry = readdir(dir) {
      let name = withUnsafePointer(to: entry.pointee.d_name) { pointer in
        pointer.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
      }
      if name == "." || name == ".." { continue }
      let entryKind: Kind? =
        switch Int32(entry.pointee.d_type) {
        case Int32(DT_REG): .file
        case Int32(DT_DIR): .directory
        case Int32(DT_LNK): .symbolicLink
        case Int32(DT_UNKNOWN): nil
        default: .other
        }
      result.append((name, entryKind))
    }
    return result
  }

  /// Creates a directory and its parents (`mkdir -p`).
  public static func createDirectory(_ path: String) throws(FileError) {
    if isDirectory(path) { return }
    let parent = parentDirectory(of: path)
    if parent != path, !parent.isEmpty, parent != ".", !isDirectory(parent) {
      try createDirectory(parent)
    }
    if mkdir(path, 0o777) != 0, errno != EEXIST {
      throw FileError(path: path, operation: "create the directory", errno: errno)
    }
  }

  public static func remove(_ path: String) throws(FileError) {
    if unlink(path) != 0 {
      throw FileError(path: path, operation: "remove", errno: errno)
    }
  }

  /// The current directory.
  public static var currentDirectory: String {
    var buffer = [CChar](repeating: 0, count: 4096)
    guard getcwd(&buffer, buffer.count) != nil else { return "." }
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  /// `path` resolved against the current directory and with `.`/`..` removed.
  public static func absolute(_ path: String) -> String {
    let full = path.hasPrefix("/") ? path : joinPath(currentDirectory, path)
    return normalize(full)
  }

  /// Removes `.` and `..` components and repeated slashes.
  public static func normalize(_ path: String) -> String {
    let absolute = path.hasPrefix("/")
    var parts: [Substring] = []
    for part in path.split(separator: "/", omittingEmptySubsequences: true) {
      if part == "." { continue }
      if part == "..", let last = parts.last, last != ".." {
        parts.removeLast()
        continue
      }
      if part == "..", absolute { continue }
      parts.append(part)
    }
    let joined = parts.joined(separator: "/")
    if absolute { return "/" + joined }
    return joined.isEmpty ? "." : joined
  }

  public static func joinPath(_ a: String, _ b: String) -> String {
    if a.isEmpty || a == "." { return b }
    if b.hasPrefix("/") { return b }
    return a.hasSuffix("/") ? a + b : a + "/" + b
  }

  public static func parentDirectory(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    if slash == path.startIndex { return "/" }
    return String(path[..<slash])
  }

  public static func baseName(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return path }
    return String(path[path.index(after: slash)...])
  }

  /// `path` relative to `base` (both absolute), with `..` where needed.
  public static func relative(_ path: String, to base: String) -> String {
    let p = normalize(path).split(separator: "/")
    let b = normalize(base).split(separator: "/")
    var common = 0
    while common < p.count, common < b.count, p[common] == b[common] { common += 1 }
    let ups = Array(repeating: Substring(".."), count: b.count - common)
    let parts = ups + p[common...]
    return parts.isEmpty ? "." : parts.joined(separator: "/")
  }
}
