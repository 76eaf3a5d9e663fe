#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Writes one git pack (version 2) and its index (version 2) straight to disk, object by
/// object, with the data in stored zlib blocks and deltas (`OFS_DELTA`) that the caller
/// computes. Objects are written once: adding an object whose id is already in the pack
/// returns the stored one.
///
/// The layout follows Documentation/gitformat-pack.txt: a 12-byte header (`PACK`, version,
/// object count), the objects, and the SHA-1 of everything before it; the index holds the
/// fan-out table, the sorted ids, a CRC-32 and an offset per object, the pack's checksum and
/// its own.
final class PackWriter {
  enum ObjectType: UInt8 {
    case commit = 1
    case tree = 2
    case blob = 3

    var name: String {
      switch self {
      case .commit: "commit"
      case .tree: "tree"
      case .blob: "blob"
      }
    }
  }

  /// Where an object is in the pack, and how many deltas lie between it and a full object.
  struct Stored {
    var offset: Int
    var depth: Int
  }

  private struct Entry {
    var hash: GitHash
    var offset: Int
    var crc: UInt32
  }

  /// Delta chains are cut at this depth, as `git fast-import` and `git pack-objects` do.
  static let maxDepth = 50

  let path: String
  private let fd: Int32
  private var buffer: [UInt8] = []
  private var flushed = 0
  private var entries: [Entry] = []
  private var known: [GitHash: Stored] = [:]
  /// The bytes of object data before packing (what git would hold loose, uncompressed).
  private(set) var objectBytes = 0
  private(set) var deltaCount = 0

  /// Starts a pack at `path` (a temporary name next to the final one).
  init(path: String) throws(BenchError) {
    self.path = path
    fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw .system("create", path) }
    buffer.reserveCapacity(8 << 20)
    buffer.append(contentsOf: Array("PACK".utf8))
    buffer.append(contentsOf: [0, 0, 0, 2, 0, 0, 0, 0])
  }

  deinit {
    close(fd)
  }

  /// The offset the next object will have.
  var offset: Int { flushed + buffer.count }
  var objectCount: Int { entries.count }

  func lookup(_ hash: GitHash) -> Stored? { known[hash] }

  /// The id of an object: SHA-1 of `<type> <size>\0` and the content.
  static func hash(_ type: ObjectType, _ content: [UInt8]) -> GitHash {
    var sha = SHA1()
    sha.update(Array("\(type.name) \(content.count)\0".utf8))
    sha.update(content)
    return sha.finish()
  }

  /// Stores a whole object (unless the pack already has it).
  @discardableResult
  func add(_ type: ObjectType, hash: GitHash, content: [UInt8]) throws(BenchError) -> Stored {
    if let stored = known[hash] { return stored }
    let start = offset
    let startInBuffer = buffer.count
    appendHeader(type: type.rawValue, size: content.count)
    content.withUnsafeBytes { Zlib.appendStored($0, to: &buffer) }
    objectBytes += content.count
    return try finishEntry(hash: hash, start: start, startInBuffer: startInBuffer, depth: 0)
  }

  /// Stores an object as a delta against `base` (an object of the same type in this pack).
  @discardableResult
  func addDelta(hash: GitHash, base: Stored, delta: [UInt8], size: Int) throws(BenchError) -> Stored {
    if let stored = known[hash] { return stored }
    let start = offset
    let startInBuffer = buffer.count
    appendHeader(type: 6, size: delta.count)
    // The distance back to the base, big-endian base-128 with an offset of one per byte.
    var distance = start - base.offset
    var encoded = [UInt8(distance & 127)]
    distance >>= 7
    while distance > 0 {
      distance -= 1
      encoded.append(UInt8(128 | (distance & 127)))
      distance >>= 7
    }
    buffer.append(contentsOf: encoded.reversed())
    delta.withUnsafeBytes { Zlib.appendStored($0, to: &buffer) }
    objectBytes += size
    deltaCount += 1
    return try finishEntry(hash: hash, start: start, startInBuffer: startInBuffer, depth: base.depth + 1)
  }

  private func appendHeader(type: UInt8, size: Int) {
    var rest = size >> 4
    var byte = type << 4 | UInt8(size & 15)
    while rest > 0 {
      buffer.append(byte | 0x80)
      byte = UInt8(rest & 127)
      rest >>= 7
    }
    buffer.append(byte)
  }

  private func finishEntry(hash: GitHash, start: Int, startInBuffer: Int, depth: Int) throws(BenchError) -> Stored {
    var crc = CRC32()
    buffer.withUnsafeBytes { crc.update(UnsafeRawBufferPointer(rebasing: $0[startInBuffer...])) }
    entries.append(Entry(hash: hash, offset: start, crc: crc.value))
    let stored = Stored(offset: start, depth: depth)
    known[hash] = stored
    if buffer.count >= 4 << 20 { try flush() }
    return stored
  }

  private func flush() throws(BenchError) {
    guard buffer.withUnsafeBytes({ Self.writeAll(fd, $0) }) else { throw .system("write", path) }
    flushed += buffer.count
    buffer.removeAll(keepingCapacity: true)
  }

  /// Writes all of `raw` to `fd`; false (with errno set) when that fails.
  static func writeAll(_ fd: Int32, _ raw: UnsafeRawBufferPointer) -> Bool {
    var done = 0
    while done < raw.count {
      let n = write(fd, raw.baseAddress! + done, raw.count - done)
      if n < 0 && errno == EINTR { continue }
      guard n > 0 else { return false }
      done += n
    }
    return true
  }

  /// Completes the pack (object count, trailing checksum) and writes its index next to it as
  /// `indexPath`. Returns the pack's checksum, which names both files.
  func finish(indexPath: String) throws(BenchError) -> GitHash {
    try flush()
    var count = UInt32(entries.count).bigEndian
    guard pwrite(fd, &count, 4, 8) == 4 else { throw .system("write", path) }
    // The checksum covers the header as it is now: read the file back.
    var sha = SHA1()
    var chunk = [UInt8](repeating: 0, count: 1 << 20)
    var position = 0
    while position < flushed {
      let n = chunk.withUnsafeMutableBytes {
        pread(fd, $0.baseAddress!, min($0.count, flushed - position), off_t(position))
      }
      if n < 0 && errno == EINTR { continue }
      guard n > 0 else { throw .system("read", path) }
      chunk.withUnsafeBytes { sha.update(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
      position += n
    }
    let packHash = sha.finish()
    let trailer = packHash.bytes
    guard pwrite(fd, trailer, 20, off_t(flushed)) == 20 else { throw .system("write", path) }
    flushed += 20
    try writeIndex(to: indexPath, packHash: packHash)
    return packHash
  }

  /// The pack's size in bytes (after `finish`).
  var size: Int { flushed + buffer.count }

  private func writeIndex(to indexPath: String, packHash: GitHash) throws(BenchError) {
    let sorted = entries.sorted { $0.hash < $1.hash }
    var out: [UInt8] = [0xFF, 0x74, 0x4F, 0x63, 0, 0, 0, 2]
    out.reserveCapacity(8 + 1024 + sorted.count * 28 + 40)
    func u32(_ v: UInt32) {
      for shift in stride(from: 24, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: v >> UInt32(shift))) }
    }
    var fanout = [UInt32](repeating: 0, count: 256)
    for entry in sorted { fanout[entry.hash.firstByte] += 1 }
    var running: UInt32 = 0
    for index in 0..<256 {
      running += fanout[index]
      u32(running)
    }
    for entry in sorted { entry.hash.append(to: &out) }
    for entry in sorted { u32(entry.crc) }
    var large: [UInt64] = []
    for entry in sorted {
      if entry.offset < 0x8000_0000 {
        u32(UInt32(entry.offset))
      } else {
        u32(0x8000_0000 | UInt32(large.count))
        large.append(UInt64(entry.offset))
      }
    }
    for value in large {
      u32(UInt32(value >> 32))
      u32(UInt32(value & 0xFFFF_FFFF))
    }
    packHash.append(to: &out)
    SHA1.hash(out).append(to: &out)
    try FileIO.write(out, to: indexPath)
  }
}
