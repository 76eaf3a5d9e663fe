import TallySampleData

/// Turns the commits of a history into the objects of one pack: a blob per new record
/// version (a delta against the path's previous version when that is small), the trees
/// that changed (the large `customers` tree as a delta against its previous version) and
/// the commit. Paths are `file`, `directory/file` or deeper (`customers/042/C-1000042.yaml`
/// in a sharded layout); only the trees of the directories a commit touched are stored again.
final class PackedRepositoryWriter {
  let pack: PackWriter
  private let root = IncrementalTree()
  /// Directory path (`customers`, `customers/042`) → its tree.
  private var directories: [String: IncrementalTree] = [:]
  /// The directories changed since the last commit.
  private var touched: Set<String> = []
  /// Directory → the stored object of its current tree: the base of the next delta.
  private var treeVersions: [String: PackWriter.Stored] = [:]
  /// Path → its current blob, the base of the next delta.
  private var blobs: [String: (stored: PackWriter.Stored, content: [UInt8])] = [:]
  private(set) var head: GitHash?
  private(set) var commitCount = 0

  init(pack: PackWriter) {
    self.pack = pack
  }

  /// The number of files in the current tree.
  var fileCount: Int { blobs.count }

  /// Writes the objects of `commit` on top of the last one and returns the commit's id.
  @discardableResult
  func write(_ commit: SampleEvent) throws(BenchError) -> GitHash {
    guard let time = commit.epochSeconds else { throw BenchError("a commit at no time: \(commit.timestamp)") }
    for change in commit.changes {
      let (directory, name) = Self.split(change.path)
      let tree = directory.map { self.tree(at: $0) } ?? root
      if let content = change.content {
        tree.set(name, hash: try storeBlob(path: change.path, content: content))
      } else {
        tree.remove(name)
        blobs[change.path] = nil
      }
    }
    // The deepest first, so that each parent takes its children's new ids.
    let order = touched.sorted { a, b in
      let (da, db) = (
        a.utf8.count(where: { $0 == UInt8(ascii: "/") }), b.utf8.count(where: { $0 == UInt8(ascii: "/") })
      )
      return da != db ? da > db : a < b
    }
    touched.removeAll(keepingCapacity: true)
    for path in order {
      let tree = directories[path]!
      let (parent, name) = Self.split(path)
      let parentTree = parent.map { directories[$0]! } ?? root
      if let hash = try storeTree(path, tree) {
        parentTree.set(name, isDirectory: true, hash: hash)
      } else {
        parentTree.remove(name)
      }
    }
    guard let rootHash = try storeTree("", root) else { throw BenchError("a commit with no files") }
    var text = "tree \(rootHash.hex)\n"
    if let head { text += "parent \(head.hex)\n" }
    let person = "\(commit.authorName) <\(commit.authorEmail)> \(time) +0800"
    text += "author \(person)\ncommitter \(person)\n\n\(commit.message)\n"
    let bytes = Array(text.utf8)
    let hash = PackWriter.hash(.commit, bytes)
    try pack.add(.commit, hash: hash, content: bytes)
    head = hash
    commitCount += 1
    return hash
  }

  /// The directory part and the last name of `path` (`customers/042`, `C-1000042.yaml`).
  static func split(_ path: String) -> (directory: String?, name: String) {
    guard let slash = path.lastIndex(of: "/") else { return (nil, path) }
    return (String(path[..<slash]), String(path[path.index(after: slash)...]))
  }

  /// The tree of the directory `path`, made (with its parents) when new; marks it and its
  /// parents as touched.
  private func tree(at path: String) -> IncrementalTree {
    var current = Substring(path)
    while touched.insert(String(current)).inserted {
      guard let slash = current.lastIndex(of: "/") else { break }
      current = current[..<slash]
    }
    if let tree = directories[path] { return tree }
    var prefix = ""
    for component in path.split(separator: "/") {
      prefix += prefix.isEmpty ? String(component) : "/" + component
      if directories[prefix] == nil { directories[prefix] = IncrementalTree() }
    }
    return directories[path]!
  }

  private func storeBlob(path: String, content: [UInt8]) throws(BenchError) -> GitHash {
    let hash = PackWriter.hash(.blob, content)
    if let known = pack.lookup(hash) {
      blobs[path] = (known, content)
      return hash
    }
    if let previous = blobs[path], previous.stored.depth < PackWriter.maxDepth {
      let delta = PackDelta.prefixSuffix(base: previous.content, target: content)
      if delta.count * 2 < content.count {
        blobs[path] = (try pack.addDelta(hash: hash, base: previous.stored, delta: delta, size: content.count), content)
        return hash
      }
    }
    let stored = try pack.add(.blob, hash: hash, content: content)
    blobs[path] = (stored, content)
    return hash
  }

  /// Stores the tree if it changed; nil when it is empty (git leaves empty trees out).
  private func storeTree(_ name: String, _ tree: IncrementalTree) throws(BenchError) -> GitHash? {
    let change = tree.update()
    guard !tree.isEmpty else {
      treeVersions[name] = nil
      return nil
    }
    let hash = tree.hash
    if case .unchanged = change { return hash }
    if let known = pack.lookup(hash) {
      treeVersions[name] = known
      return hash
    }
    if let base = treeVersions[name], base.depth < PackWriter.maxDepth, tree.bodySize >= 1024 {
      switch change {
      case .ids(let ids):
        treeVersions[name] = try pack.addDelta(
          hash: hash, base: base, delta: tree.delta(ids: ids), size: tree.bodySize)
        return hash
      case .rebuilt:
        // Entries added or removed: one changed range, found by the common prefix and suffix.
        let body = tree.body
        let delta = PackDelta.prefixSuffix(base: tree.previousBody, target: body)
        if delta.count * 2 < body.count {
          treeVersions[name] = try pack.addDelta(hash: hash, base: base, delta: delta, size: body.count)
          return hash
        }
      case .unchanged:
        break
      }
    }
    treeVersions[name] = try pack.add(.tree, hash: hash, content: tree.body)
    return hash
  }
}
