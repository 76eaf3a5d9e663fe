import TallyRecords

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Bytes read once and shared, read-only, by everything decoded from them: a cache file
/// mapped into memory, or bytes made in this run.
///
/// A cache file is mapped, not read: reading 20-30 MB into an array cost a zero-filled
/// buffer, a copy and a page fault per page, a tenth of a warm report. The mapping stays
/// valid when the file is replaced, as Tally's writers do (a new file renamed into place);
/// a file cut short in place by something else would make reading it fail.
final class SharedBytes: @unchecked Sendable {
  /// The mapping, or nil when the bytes are `owned`.
  private let base: UnsafeRawPointer?
  /// Bytes made in this run, held as they were given (an array is never changed in place
  /// once shared: no copy is needed).
  private let owned: [UInt8]
  let count: Int

  /// `bytes`, kept without copying them.
  init(_ bytes: [UInt8]) {
    base = nil
    owned = bytes
    count = bytes.count
  }

  private init(mapping base: UnsafeRawPointer, count: Int) {
    self.base = base
    owned = []
    self.count = count
  }

  /// The file at `path`, mapped (read, when it cannot be mapped); nil when it cannot be
  /// opened or read. `populate` reads the whole file in at once (for a file read through);
  /// without it, pages are read as they are touched (for a few lookups in a large file).
  convenience init?(contentsOf path: String, populate: Bool = true) {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
    let size = Int(info.st_size)
    #if os(Linux)
      let flags = populate ? MAP_PRIVATE | MAP_POPULATE : MAP_PRIVATE
    #else
      let flags = MAP_PRIVATE
    #endif
    if size > 0, let mapped = mmap(nil, size, PROT_READ, flags, fd, 0), mapped != MAP_FAILED {
      self.init(mapping: UnsafeRawPointer(mapped), count: size)
      return
    }
    guard let bytes = try? FileSystem.read(path) else { return nil }
    self.init(bytes)
  }

  deinit {
    if let base { munmap(UnsafeMutableRawPointer(mutating: base), count) }
  }

  /// Runs `body` with a pointer to the bytes (valid only during the call).
  func read<T>(_ body: (UnsafeBufferPointer<UInt8>) throws -> T) rethrows -> T {
    guard let base else { return try owned.withUnsafeBufferPointer(body) }
    return try body(UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self), count: count))
  }

  /// A copy of the bytes.
  var bytes: [UInt8] { read { Array($0) } }
}
