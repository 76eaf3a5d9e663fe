#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A failure that ends the run, with a message for the user.
struct BenchError: Error, CustomStringConvertible {
  var description: String

  init(_ description: String) {
    self.description = description
  }

  static func system(_ operation: String, _ path: String) -> BenchError {
    BenchError("cannot \(operation) \(path): \(String(cString: strerror(errno)))")
  }
}

/// The little file-system access the benchmark needs, straight over POSIX.
enum FileIO {
  /// The paths of the `.yaml` files directly in `directory`, sorted by name.
  static func yamlFiles(in directory: String) throws(BenchError) -> [String] {
    guard let dir = opendir(directory) else { throw .system("open directory", directory) }
    defer { closedir(dir) }
    var names: [String] = []
    while let entry = readdir(dir) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
        String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
      }
      if name.hasSuffix(".yaml") { names.append(name) }
    }
    names.sort()
    let prefix = directory.hasSuffix("/") ? directory : directory + "/"
    return names.map { prefix + $0 }
  }

  static func read(_ path: String) throws(BenchError) -> [UInt8] {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw .system("open", path) }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0 else { throw .system("stat", path) }
    let size = Int(info.st_size)
    var bytes = [UInt8](repeating: 0, count: size)
    var count = 0
    while count < size {
      let n = bytes.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress! + count, size - count) }
      if n < 0 && errno == EINTR { continue }
      guard n > 0 else { throw .system("read", path) }
      count += n
    }
    return bytes
  }

  static func write(_ bytes: [UInt8], to path: String) throws(BenchError) {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw .system("create", path) }
    defer { close(fd) }
    var written = 0
    while written < bytes.count {
      let n = bytes.withUnsafeBytes {
        systemWrite(fd, $0.baseAddress! + written, bytes.count - written)
      }
      if n < 0 && errno == EINTR { continue }
      guard n > 0 else { throw .system("write", path) }
      written += n
    }
  }

  /// Creates `path` (one level) unless it is already a directory.
  static func makeDirectory(_ path: String) throws(BenchError) {
    if mkdir(path, 0o755) == 0 { return }
    var info = stat()
    if errno == EEXIST, stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR { return }
    throw .system("create directory", path)
  }

  /// Removes the `.yaml` files directly in `directory` (a previous corpus).
  static func removeYAMLFiles(in directory: String) throws(BenchError) {
    for path in try yamlFiles(in: directory) where unlink(path) != 0 {
      throw .system("remove", path)
    }
  }
}

/// Seconds on the monotonic clock.
@inline(__always) func monotonicSeconds() -> Double {
  var ts = timespec()
  clock_gettime(CLOCK_MONOTONIC, &ts)
  return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
  read(fd, buffer, count)
}

private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
  write(fd, buffer, count)
}
