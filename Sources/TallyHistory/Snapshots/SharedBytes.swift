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
  private let base: UnsafeRawPointer?
  let count: Int
  /// The length of the mapping to unmap, or nil when `base` was allocated.
  private let mappedLength: Int?

  /// A copy of `bytes`.
  init(_ bytes: [UInt8]) {
    let memory = UnsafeMutableRawPointer.allocate(byteCount: max(bytes.count, 1), alignment: 8)
    bytes.withUnsafeBytes { memory.copyMemory(from: $0.baseAddress ?? UnsafeRawPointer(memory), byteCount: $0.count) }
    base = UnsafeRawPointer(memory)
    count = bytes.count
    mappedLength = nil
  }

  private init(mapping base: UnsafeRawPointer, count: Int) {
    self.base = base
    self.count = count
    mappedLength = count
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
    if let mappedLength {
      munmap(UnsafeMutableRawPointer(mutating: base), mappedLength)
    } else {
      base?.deallocate()
    }
  }

  /// Runs `body` with a pointer to the bytes (valid only during the call).
  func read<T>(_ body: (UnsafeBufferPointer<UInt8>) throws -> T) rethrows -> T {
    try body(UnsafeBufferPointer(start: base?.assumingMemoryBound(to: UInt8.self), count: count))
  }

  /// A copy of the bytes.
  var bytes: [UInt8] { read { Array($0) } }
}
