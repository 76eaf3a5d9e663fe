import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// The index file as Tally reads it itself, for the commands that only look at it: its
/// entries where they lie in the file (no object per entry until one is asked for), and
/// git's cache-tree (the `TREE` extension: the tree id of every folder whose entries did
/// not change since it was last written). With the cache-tree, the paths staged differently
/// from `HEAD` are found the way `git diff --cached` finds them — folder by folder, looking
/// into a folder only when its cached tree is missing or differs from `HEAD`'s — so a
/// one-record change in a million-file index costs reading the file, not making a million
/// entries (libgit2 1.5 parses every entry into its own structures and path map, and does
/// not expose the cache-tree).
///
/// Versions 2, 3 and 4 are read (git's documented format, `gitformat-index(5)`). Anything
/// else — a split index (`link`), a sparse index (`sdir`), an extension git requires readers
/// to understand, an entry that runs past the end, paths out of order — makes ``read(_:)``
/// return nil, and the caller reads the index through libgit2, which explains what is wrong.
/// The trailing checksum is not verified (as git does not with `index.skipHash`); the
/// structure is, entry by entry, so a damaged file is never read past its end.
public struct IndexFile: Sendable {
  public let version: UInt32
  /// The file's bytes.
  private let bytes: [UInt8]
  /// Version 4's paths, expanded (it stores each as a change of the one before).
  private let expandedPaths: [UInt8]
  /// Per entry: where its fixed fields start in `bytes`.
  private let starts: [Int]
  /// Per entry: where its path starts (in `bytes`, or `expandedPaths` for version 4).
  private let pathStarts: [Int]
  private let pathLengths: [Int32]
  /// The cache-tree's folders, in the file's order (depth first, a folder before its
  /// sub-folders); empty when the index has none or it could not be read.
  let cacheTree: [CacheTreeNode]

  /// One folder of the cache-tree.
  struct CacheTreeNode: Sendable {
    /// The folder's name (one path component; empty for the root).
    var name: [UInt8]
    /// How many index entries the folder covers (from its first one), or -1 when its tree
    /// is not known (something in it changed since it was written).
    var entryCount: Int
    /// Positions in ``IndexFile/cacheTree`` of its sub-folders.
    var children: [Int]
    var id: ObjectID?
  }

  public var count: Int { starts.count }

  /// Reads the index at `path` (`GIT_INDEX_FILE`'s, or `.git/index`). An index that does not
  /// exist is an empty one, as for git. Nil when Tally does not read this index itself (see
  /// above); throws when the file cannot be read at all.
  public static func read(_ path: String) throws(GitError) -> IndexFile? {
    let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
    if fd < 0 {
      if errno == ENOENT { return IndexFile(empty: ()) }
      throw GitError(code: .other(-1), message: "\(path): \(String(cString: strerror(errno)))", function: "open")
    }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0 else {
      throw GitError(code: .other(-1), message: "\(path): \(String(cString: strerror(errno)))", function: "read")
    }
    let size = Int(info.st_size)
    var failure: Int32 = 0
    let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
      LargeMemory.advise(buffer.baseAddress, count: size)
      var done = 0
      while done < size {
        let count = Glibc.read(fd, buffer.baseAddress! + done, size - done)
        if count < 0 && errno == EINTR { continue }
        if count <= 0 {
          failure = count < 0 ? errno : EIO
          break
        }
        done += count
      }
      initialized = done
    }
    if failure != 0 {
      throw GitError(code: .other(-1), message: "\(path): \(String(cString: strerror(failure)))", function: "read")
    }
    return parse(bytes)
  }

  private init(empty: Void) {
    version = 2
    bytes = []
    expandedPaths = []
    starts = []
    pathStarts = []
    pathLengths = []
    cacheTree = []
  }

  private init(
    version: UInt32, bytes: [UInt8], expandedPaths: [UInt8], starts: [Int], pathStarts: [Int], pathLengths: [Int32],
    cacheTree: [CacheTreeNode]
  ) {
    self.version = version
    self.bytes = bytes
    self.expandedPaths = expandedPaths
    self.starts = starts
    self.pathStarts = pathStarts
    self.pathLengths = pathLengths
    self.cacheTree = cacheTree
  }

  /// The size of an object id in the file (SHA-1; libgit2 1.5 knows no other).
  static let idSize = 20
  /// An entry's fixed fields: times, device, inode, mode, owner, size, id and flags.
  static let fixedSize = 62

  /// The index of `bytes`, or nil (see the type's description).
  static func parse(_ bytes: [UInt8]) -> IndexFile? {
    let total = bytes.count
    guard total >= 12 + idSize, bytes[0] == 0x44, bytes[1] == 0x49, bytes[2] == 0x52, bytes[3] == 0x43 else {
      return nil
    }
    let end = total - idSize
    return bytes.withUnsafeBufferPointer { buffer -> IndexFile? in
      let base = UnsafeRawPointer(buffer.baseAddress!)
      func word(_ at: Int) -> UInt32 { UInt32(bigEndian: base.loadUnaligned(fromByteOffset: at, as: UInt32.self)) }
      func half(_ at: Int) -> UInt16 { UInt16(bigEndian: base.loadUnaligned(fromByteOffset: at, as: UInt16.self)) }
      let version = word(4)
      guard (2...4).contains(version) else { return nil }
      let count = Int(word(8))
      // Each entry takes at least its fixed fields and a path's end.
      guard count <= (end - 12) / (fixedSize + 1) else { return nil }
      var starts = LargeMemory.array(repeating: 0, count: count)
      var pathStarts = LargeMemory.array(repeating: 0, count: count)
      var pathLengths = LargeMemory.array(repeating: Int32(0), count: count)
      var expanded: [UInt8] = []
      var previous = (start: 0, length: 0, stage: 0)
      var offset = 12
      for position in 0..<count {
        let start = offset
        guard start + fixedSize <= end else { return nil }
        let flags = half(start + 60)
        var pathOffset = start + fixedSize
        if flags & 0x4000 != 0 {
          guard version >= 3, pathOffset + 2 <= end else { return nil }
          pathOffset += 2
        }
        let stage = Int(flags >> 12) & 3
        let pathStart: Int
        let pathLength: Int
        let order: Int
        if version == 4 {
          // How many bytes of the previous path to drop (git's offset varint), then the rest.
          var cursor = pathOffset
          guard cursor < end else { return nil }
          var byte = buffer[cursor]
          cursor += 1
          var drop = Int(byte & 0x7F)
          while byte & 0x80 != 0 {
            guard cursor < end, drop < 1 << 40 else { return nil }
            byte = buffer[cursor]
            cursor += 1
            drop = ((drop + 1) << 7) | Int(byte & 0x7F)
          }
          guard drop <= previous.length, let nul = memchr(base + cursor, 0, end - cursor) else { return nil }
          let suffix = base.distance(to: UnsafeRawPointer(nul)) - cursor
          let kept = previous.length - drop
          pathStart = expanded.count
          pathLength = kept + suffix
          expanded.reserveCapacity(expanded.count + pathLength)
          for index in 0..<kept { expanded.append(expanded[previous.start + index]) }
          expanded.append(contentsOf: UnsafeRawBufferPointer(start: base + cursor, count: suffix))
          offset = cursor + suffix + 1
          order =
            position == 0
            ? 1
            : expanded.withUnsafeBytes { paths in
              compare(paths.baseAddress! + pathStart, pathLength, paths.baseAddress! + previous.start, previous.length)
            }
        } else {
          guard let nul = memchr(base + pathOffset, 0, end - pathOffset) else { return nil }
          pathStart = pathOffset
          pathLength = base.distance(to: UnsafeRawPointer(nul)) - pathOffset
          // Padded with one to eight NULs to a multiple of eight bytes.
          offset = start + ((pathOffset - start + pathLength + 8) & ~7)
          guard offset <= end else { return nil }
          order = position == 0 ? 1 : compare(base + pathStart, pathLength, base + previous.start, previous.length)
        }
        let named = Int(flags & 0xFFF)
        guard pathLength > 0, named == 0xFFF ? pathLength >= 0xFFF : named == pathLength else { return nil }
        // Sorted by path bytes, then by stage; a sparse index's folder entries are not read.
        guard order > 0 || (order == 0 && stage > previous.stage) else { return nil }
        guard word(start + 24) & 0o170000 != 0o040000 else { return nil }
        starts[position] = start
        pathStarts[position] = pathStart
        pathLengths[position] = Int32(clamping: pathLength)
        previous = (pathStart, pathLength, stage)
      }
      // The extensions, up to the checksum.
      var cacheTree: [CacheTreeNode] = []
      while offset < end {
        guard offset + 8 <= end else { return nil }
        let signature = (buffer[offset], buffer[offset + 1], buffer[offset + 2], buffer[offset + 3])
        let size = Int(word(offset + 4))
        let data = offset + 8
        guard size <= end - data else { return nil }
        if signature == (0x54, 0x52, 0x45, 0x45) {  // TREE
          cacheTree = parseCacheTree(UnsafeBufferPointer(rebasing: buffer[data..<(data + size)])) ?? []
        } else if !(0x41...0x5A).contains(signature.0) {
          // One that readers must understand: a split index (`link`), a sparse index
          // (`sdir`), or one newer than this code.
          return nil
        }
        offset = data + size
      }
      guard offset == end else { return nil }
      return IndexFile(
        version: version, bytes: bytes, expandedPaths: expanded, starts: starts, pathStarts: pathStarts,
        pathLengths: pathLengths, cacheTree: cacheTree)
    }
  }

  /// The cache-tree of a `TREE` extension's data, or nil when it is malformed: each folder
  /// as its name, a NUL, its entry count and its number of sub-folders in ASCII (a space
  /// between, a newline after), then its tree id unless the count is -1; sub-folders follow
  /// their folder.
  static func parseCacheTree(_ data: UnsafeBufferPointer<UInt8>) -> [CacheTreeNode]? {
    var nodes: [CacheTreeNode] = []
    var cursor = 0
    // Folders still waiting for sub-folders: (position, how many more).
    var open: [(node: Int, remaining: Int)] = []
    func number(until terminator: UInt8) -> Int? {
      var negative = false
      var value = 0
      var digits = 0
      if cursor < data.count, data[cursor] == UInt8(ascii: "-") {
        negative = true
        cursor += 1
      }
      while cursor < data.count, data[cursor] != terminator {
        let digit = Int(data[cursor]) - 48
        guard (0...9).contains(digit), digits < 12 else { return nil }
        value = value * 10 + digit
        digits += 1
        cursor += 1
      }
      guard digits > 0, cursor < data.count else { return nil }
      cursor += 1
      return negative ? -value : value
    }
    repeat {
      guard cursor < data.count else { return nil }
      var nameEnd = cursor
      while nameEnd < data.count, data[nameEnd] != 0 { nameEnd += 1 }
      guard nameEnd < data.count else { return nil }
      let name = Array(data[cursor..<nameEnd])
      cursor = nameEnd + 1
      guard let entryCount = number(until: UInt8(ascii: " ")), entryCount >= -1,
        let childCount = number(until: UInt8(ascii: "\n")), childCount >= 0
      else { return nil }
      var id: ObjectID?
      if entryCount >= 0 {
        guard cursor + idSize <= data.count else { return nil }
        id = ObjectID(raw: UnsafeRawPointer(data.baseAddress! + cursor))
        cursor += idSize
      }
      let position = nodes.count
      nodes.append(CacheTreeNode(name: name, entryCount: entryCount, children: [], id: id))
      if let parent = open.last {
        nodes[parent.node].children.append(position)
        open[open.count - 1].remaining -= 1
        if open[open.count - 1].remaining == 0 { open.removeLast() }
      } else if position > 0 {
        return nil  // a second root
      }
      if childCount > 0 { open.append((position, childCount)) }
    } while !open.isEmpty
    guard cursor == data.count else { return nil }
    return nodes
  }

  /// Compares two byte strings as git orders paths (`memcmp`, then the shorter first).
  static func compare(_ a: UnsafeRawPointer, _ aCount: Int, _ b: UnsafeRawPointer, _ bCount: Int) -> Int {
    let common = memcmp(a, b, min(aCount, bCount))
    if common != 0 { return Int(common) }
    return aCount - bCount
  }

  // MARK: Entries

  /// The bytes of entry `position`'s path, for the duration of `body`.
  func withPath<R>(_ position: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
    let start = pathStarts[position]
    let count = Int(pathLengths[position])
    if version == 4 {
      return try expandedPaths.withUnsafeBytes {
        try body(UnsafeRawBufferPointer(rebasing: $0[start..<(start + count)]))
      }
    }
    return try bytes.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[start..<(start + count)])) }
  }

  /// Entry `position`'s path (from the top of the working tree).
  public func path(_ position: Int) -> String {
    withPath(position) { String(decoding: $0, as: UTF8.self) }
  }

  /// Entry `position`'s path with its first `dropping` bytes left out.
  public func path(_ position: Int, dropping: Int) -> String {
    withPath(position) { String(decoding: $0[min(dropping, $0.count)...], as: UTF8.self) }
  }

  /// Whether entry `position`'s path starts with `prefix`'s bytes.
  public func path(_ position: Int, hasPrefix prefix: [UInt8]) -> Bool {
    withPath(position) { path in
      path.count >= prefix.count
        && prefix.withUnsafeBytes { memcmp(path.baseAddress!, $0.baseAddress!, prefix.count) } == 0
    }
  }

  private func field(_ position: Int, _ offset: Int) -> UInt32 {
    bytes.withUnsafeBytes {
      UInt32(bigEndian: $0.loadUnaligned(fromByteOffset: starts[position] + offset, as: UInt32.self))
    }
  }

  private func flags(_ position: Int) -> UInt16 {
    bytes.withUnsafeBytes {
      UInt16(bigEndian: $0.loadUnaligned(fromByteOffset: starts[position] + 60, as: UInt16.self))
    }
  }

  /// Calls `body` with the position, path bytes and 20 id bytes of each entry in `range`, in
  /// order, until it returns false (then returns false): a pass over a million entries with no
  /// `String` or ``ObjectID`` made for any.
  public func forEachEntry(
    in range: Range<Int>, _ body: (Int, UnsafeRawBufferPointer, UnsafeRawPointer) throws -> Bool
  ) rethrows -> Bool {
    try bytes.withUnsafeBytes { raw in
      try expandedPaths.withUnsafeBytes { expanded in
        let paths = version == 4 ? expanded : raw
        for position in range {
          let start = pathStarts[position]
          let path = UnsafeRawBufferPointer(rebasing: paths[start..<(start + Int(pathLengths[position]))])
          if try !body(position, path, raw.baseAddress! + starts[position] + 40) { return false }
        }
        return true
      }
    }
  }

  /// Whether an entry in `range` is in conflict (staged at stage 1, 2 or 3).
  public func anyConflicted(in range: Range<Int>) -> Bool {
    bytes.withUnsafeBytes { raw in
      range.contains { position in
        UInt16(bigEndian: raw.loadUnaligned(fromByteOffset: starts[position] + 60, as: UInt16.self)) & 0x3000 != 0
      }
    }
  }

  public func id(_ position: Int) -> ObjectID {
    bytes.withUnsafeBytes { ObjectID(raw: $0.baseAddress! + starts[position] + 40) }
  }

  public func mode(_ position: Int) -> UInt32 { field(position, 24) }

  public func stage(_ position: Int) -> Int { Int(flags(position) >> 12) & 3 }

  /// Outside a sparse checkout (the skip-worktree flag, version 3 and later).
  public func skipsWorktree(_ position: Int) -> Bool {
    guard flags(position) & 0x4000 != 0 else { return false }
    return bytes.withUnsafeBytes {
      UInt16(bigEndian: $0.loadUnaligned(fromByteOffset: starts[position] + 62, as: UInt16.self)) & 0x4000 != 0
    }
  }

  /// Entry `position` as an ``IndexEntry``.
  public func entry(_ position: Int) -> IndexEntry {
    IndexEntry(
      path: path(position), id: id(position), mode: mode(position), stage: stage(position),
      skipWorktree: skipsWorktree(position))
  }

  /// The positions of the entries whose paths start with `prefix` (a folder's, ending in
  /// `/`; empty for all): a range, the index being sorted.
  public func range(under prefix: [UInt8]) -> Range<Int> {
    if prefix.isEmpty { return 0..<count }
    let lower = firstPosition(in: 0..<count) { position in
      withPath(position) { path in
        prefix.withUnsafeBytes { Self.compare(path.baseAddress!, path.count, $0.baseAddress!, prefix.count) } >= 0
      }
    }
    // From there the entries under the folder come first, all others after them.
    let upper = firstPosition(in: lower..<count) { !path($0, hasPrefix: prefix) }
    return lower..<upper
  }

  /// The first position in `range` for which `isAtOrPast` holds (it holds for every later
  /// one), or the range's end.
  private func firstPosition(in range: Range<Int>, where isAtOrPast: (Int) -> Bool) -> Int {
    var low = range.lowerBound
    var high = range.upperBound
    while low < high {
      let middle = (low + high) / 2
      if isAtOrPast(middle) { high = middle } else { low = middle + 1 }
    }
    return low
  }
}

extension IndexFile {
  /// The position of the stage-0 entry at `path`, or nil when there is none (a binary
  /// search: no table of a million paths).
  public func position(of path: String) -> Int? {
    let target = Array(path.utf8)
    let first = firstPosition(in: 0..<count) { position in
      withPath(position) { path in
        target.withUnsafeBytes { Self.compare(path.baseAddress!, path.count, $0.baseAddress!, target.count) } >= 0
      }
    }
    guard first < count, stage(first) == 0,
      withPath(
        first,
        { path in
          target.withUnsafeBytes { Self.compare(path.baseAddress!, path.count, $0.baseAddress!, target.count) } == 0
        })
    else { return nil }
    return first
  }

  /// The cache-tree folder at `path` (components separated by `/`; empty for the root), or
  /// nil when the cache-tree has none.
  func cacheTreeNode(at path: [UInt8]) -> Int? {
    guard !cacheTree.isEmpty else { return nil }
    var node = 0
    for component in path.split(separator: UInt8(ascii: "/")) {
      guard let child = cacheTree[node].children.first(where: { cacheTree[$0].name.elementsEqual(component) }) else {
        return nil
      }
      node = child
    }
    return node
  }
}

extension Repository {
  /// The index as Tally reads it itself (see ``IndexFile``): `GIT_INDEX_FILE`'s when git runs
  /// a hook with one set, else this repository's. Nil when it must be read through libgit2.
  public func indexFile() throws(GitError) -> IndexFile? {
    if let file = getenvString("GIT_INDEX_FILE"), !file.isEmpty {
      return try IndexFile.read(file.hasPrefix("/") ? file : FileManager.default.currentDirectoryPath + "/" + file)
    }
    return try IndexFile.read(gitDirectory + "/index")
  }

  /// The paths under `prefix` (from the top of the working tree) whose entries in `index`
  /// differ from `tree` (the tree at `prefix`, nil for none) — added, changed or removed, as
  /// `git diff --cached --name-only` lists them, full paths in index order. A folder whose
  /// cached tree in the index is `tree`'s folder is skipped without looking at its entries,
  /// as git does; a folder the cache-tree does not know is compared entry by entry with the
  /// tree's.
  public func stagedChanges(
    in index: IndexFile, comparedWith tree: ObjectID?, under prefix: String
  ) throws(GitError) -> [String] {
    let lead = prefix.isEmpty ? [] : Array((prefix + "/").utf8)
    var changed: [String] = []
    try compareFolder(
      index, index.range(under: lead), folder: lead, tree: tree, node: index.cacheTreeNode(at: Array(prefix.utf8)),
      into: &changed)
    return changed
  }

  /// The differences in the folder `folder` (its path from the top, ending in `/`; empty for
  /// the top), whose entries are `range` of `index`, from `tree`.
  private func compareFolder(
    _ index: IndexFile, _ range: Range<Int>, folder: [UInt8], tree: ObjectID?, node: Int?, into changed: inout [String]
  ) throws(GitError) {
    if let node, let cached = index.cacheTree[node].id, cached == tree { return }
    let folderPath = String(decoding: folder, as: UTF8.self)
    let treeEntries = try tree.map { id throws(GitError) in try entries(ofTree: id) } ?? []
    let keys = treeEntries.map { Array($0.name.utf8) + ($0.isTree ? [UInt8(ascii: "/")] : []) }
    // The cache-tree's sub-folders by name, when there are any to look up.
    var children: [[UInt8]: Int] = [:]
    if let node {
      for child in index.cacheTree[node].children { children[index.cacheTree[child].name] = child }
    }
    var position = range.lowerBound
    var next = 0
    while position < range.upperBound || next < treeEntries.count {
      // The index's next item in this folder: a file, or a sub-folder and its entries.
      var key: [UInt8] = []
      var group = position..<position
      if position < range.upperBound {
        key = index.withPath(position) { path in
          let rest = path[folder.count...]
          if let slash = rest.firstIndex(of: UInt8(ascii: "/")) { return Array(path[folder.count...slash]) }
          return Array(rest)
        }
        if key.last == UInt8(ascii: "/") {
          let inner = folder + key
          group = position..<index.firstPositionWithout(prefix: inner, in: position..<range.upperBound)
        } else {
          // A path in conflict has an entry per stage.
          var end = position + 1
          while end < range.upperBound,
            index.withPath(end, { $0.elementsEqual(index.withPath(position) { Array($0) }) })
          {
            end += 1
          }
          group = position..<end
        }
      }
      let order: Int
      if position >= range.upperBound {
        order = 1
      } else if next >= treeEntries.count {
        order = -1
      } else {
        order = key.withUnsafeBytes { a in
          keys[next].withUnsafeBytes { b in IndexFile.compare(a.baseAddress!, a.count, b.baseAddress!, b.count) }
        }
      }
      if order < 0 {
        // Only in the index: added.
        for entry in group { changed.append(index.path(entry)) }
        position = group.upperBound
      } else if order > 0 {
        // Only in the tree: removed.
        let entry = treeEntries[next]
        if entry.isTree {
          for file in try files(inTree: entry.id) { changed.append(folderPath + entry.name + "/" + file.path) }
        } else {
          changed.append(folderPath + entry.name)
        }
        next += 1
      } else if key.last == UInt8(ascii: "/") {
        try compareFolder(
          index, group, folder: folder + key, tree: treeEntries[next].id,
          node: children[Array(key.dropLast())], into: &changed)
        position = group.upperBound
        next += 1
      } else {
        let entry = treeEntries[next]
        if group.count > 1 || index.stage(position) != 0 || index.id(position) != entry.id
          || index.mode(position) != entry.mode
        {
          changed.append(index.path(position))
        }
        position = group.upperBound
        next += 1
      }
    }
  }
}

extension IndexFile {
  /// The first position in `range` whose path does not start with `prefix`, the entries
  /// that do coming first.
  func firstPositionWithout(prefix: [UInt8], in range: Range<Int>) -> Int {
    var low = range.lowerBound
    var high = range.upperBound
    while low < high {
      let middle = (low + high) / 2
      if path(middle, hasPrefix: prefix) { low = middle + 1 } else { high = middle }
    }
    return low
  }
}
