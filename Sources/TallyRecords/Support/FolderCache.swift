import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// What the last listing of a working tree found in each folder, kept so that the next
/// listing reads no folder that did not change (`.git/tally/worktree-folders`) — git's
/// untracked cache, for a warm check.
///
/// A folder's entry is keyed by the folder's own stat data (modification and change times,
/// inode, device, size): adding, removing or renaming anything in a folder changes its
/// modification time, so a folder whose stat data is the same holds the same names, and its
/// names are taken from here instead of being read (and sorted) again. Each file is still
/// `stat`ed, as before, for its own key. A folder changed in the last two seconds is not
/// kept (a change within one tick of the file system's clock could keep its time); a name
/// that is gone or has become something else when it is `stat`ed makes the folder be read
/// again. The file is checksummed and written atomically, and names the root it lists; one
/// that does not match is ignored.
final class FolderCache: @unchecked Sendable {
  static let magic = Array("TALLYWF1".utf8)

  /// An entry of a folder: its name and whether it is a folder or a symbolic link.
  struct Entry {
    var name: ArraySlice<UInt8>
    var isDirectory: Bool
    var isLink: Bool
  }

  private let bytes: [UInt8]
  /// Each folder (its path relative to the root, as the listing names it: ending in `/`, or
  /// empty for the root): its key and where its entries are in `bytes`.
  private let folders: [[UInt8]: (key: UInt64, range: Range<Int>)]

  private init(bytes: [UInt8], folders: [[UInt8]: (key: UInt64, range: Range<Int>)]) {
    self.bytes = bytes
    self.folders = folders
  }

  /// The cache at `file` for the listing of `root`, or nil when there is none or it does not
  /// match.
  static func load(from file: String, root: String) -> FolderCache? {
    guard let bytes = try? FileSystem.read(file), bytes.count >= magic.count + 16,
      bytes.starts(with: magic)
    else { return nil }
    let body = bytes.count - 8
    let checksum = bytes.withUnsafeBytes {
      UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: body, as: UInt64.self))
    }
    guard bytes.withUnsafeBufferPointer({ Checksum.of(UnsafeBufferPointer(rebasing: $0[..<body])) }) == checksum else {
      return nil
    }
    var position = magic.count
    func u32() -> Int? {
      guard position + 4 <= body else { return nil }
      defer { position += 4 }
      return Int(
        bytes.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: position, as: UInt32.self)) })
    }
    func u64() -> UInt64? {
      guard position + 8 <= body else { return nil }
      defer { position += 8 }
      return bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: position, as: UInt64.self)) }
    }
    func slice() -> ArraySlice<UInt8>? {
      guard let length = u32(), position + length <= body else { return nil }
      defer { position += length }
      return bytes[position..<(position + length)]
    }
    guard let rootBytes = slice(), rootBytes.elementsEqual(root.utf8), let count = u32(), count <= body else {
      return nil
    }
    var folders: [[UInt8]: (key: UInt64, range: Range<Int>)] = [:]
    folders.reserveCapacity(count)
    for _ in 0..<count {
      guard let relative = slice(), let key = u64(), let entries = slice() else { return nil }
      folders[Array(relative)] = (key, entries.startIndex..<entries.endIndex)
    }
    guard position == body else { return nil }
    return FolderCache(bytes: bytes, folders: folders)
  }

  /// The entries of the folder at `relative` when its key is still `key`, in the listing's
  /// order, and as they are stored; nil when the folder is not kept or changed.
  func folder(_ relative: [UInt8], key: UInt64) -> (entries: [Entry], encoded: ArraySlice<UInt8>)? {
    guard let folder = folders[relative], folder.key == key, let entries = Self.entries(of: bytes[folder.range])
    else { return nil }
    return (entries, bytes[folder.range])
  }

  /// A folder's entries as ``Recorder`` encodes them: a flag byte (1: folder, 2: link), the
  /// name's length (two bytes, little-endian), the name.
  static func entries(of encoded: ArraySlice<UInt8>) -> [Entry]? {
    var result: [Entry] = []
    var position = encoded.startIndex
    while position < encoded.endIndex {
      guard position + 3 <= encoded.endIndex else { return nil }
      let flags = encoded[position]
      let length = Int(encoded[position + 1]) | Int(encoded[position + 2]) << 8
      let start = position + 3
      guard length > 0, start + length <= encoded.endIndex else { return nil }
      result.append(Entry(name: encoded[start..<(start + length)], isDirectory: flags & 1 != 0, isLink: flags & 2 != 0))
      position = start + length
    }
    return result
  }

  /// The folders of one listing, collected from the threads that list them, and how many of
  /// them had to be read.
  final class Recorder: @unchecked Sendable {
    private let lock = NSLock()
    private var folders: [(relative: [UInt8], key: UInt64, entries: ArraySlice<UInt8>)] = []
    private(set) var read = 0

    /// Notes the folder at `relative`, just read (key nil: changed too recently to keep).
    func record(_ relative: [UInt8], key: UInt64?, entries: [Entry]) {
      var encoded: [UInt8] = []
      if key != nil {
        for entry in entries {
          encoded.append((entry.isDirectory ? 1 : 0) | (entry.isLink ? 2 : 0))
          encoded.append(UInt8(entry.name.count & 0xFF))
          encoded.append(UInt8(entry.name.count >> 8))
          encoded += entry.name
        }
      }
      lock.withLock {
        read += 1
        if let key { folders.append((relative, key, encoded[...])) }
      }
    }

    /// Notes the folder at `relative`, taken from the cache: its entries as stored there.
    func record(_ relative: [UInt8], key: UInt64?, encoded: ArraySlice<UInt8>) {
      guard let key else { return }
      lock.withLock { folders.append((relative, key, encoded)) }
    }

    /// Writes what was recorded to `file`, for the listing of `root`.
    func save(to file: String, root: String) {
      var out = FolderCache.magic
      let rootBytes = Array(root.utf8)
      func u32(_ value: Int) { withUnsafeBytes(of: UInt32(truncatingIfNeeded: value).littleEndian) { out += $0 } }
      u32(rootBytes.count)
      out += rootBytes
      lock.withLock {
        u32(folders.count)
        for folder in folders {
          u32(folder.relative.count)
          out += folder.relative
          withUnsafeBytes(of: folder.key.littleEndian) { out += $0 }
          u32(folder.entries.count)
          out += folder.entries
        }
      }
      let checksum = Checksum.of(out)
      withUnsafeBytes(of: checksum.littleEndian) { out += $0 }
      if let slash = file.lastIndex(of: "/") { try? FileSystem.createDirectory(String(file[..<slash])) }
      try? FileSystem.writeAtomically(file, out)
    }
  }

  /// A folder's key: its stat data hashed, or nil when it changed at or after `racyAfter`
  /// (seconds) or cannot be read.
  static func key(of fd: Int32, racyAfter: Int) -> UInt64? {
    var info = stat()
    guard fstat(fd, &info) == 0, Int(info.st_mtim.tv_sec) < racyAfter, Int(info.st_ctim.tv_sec) < racyAfter else {
      return nil
    }
    let fields = (
      Int(info.st_mtim.tv_sec), Int(info.st_mtim.tv_nsec), Int(info.st_ctim.tv_sec), Int(info.st_ctim.tv_nsec),
      Int(info.st_size), Int(info.st_ino), Int(info.st_dev)
    )
    return withUnsafeBytes(of: fields) { Checksum.of($0.bindMemory(to: UInt8.self)) }
  }
}
