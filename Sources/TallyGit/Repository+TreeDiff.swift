internal import CLibGit2
import Foundation

/// A file that differs between two trees: its path and its blob before and after (nil when
/// it did not exist on that side).
public struct TreeDelta: Sendable, Hashable {
  public var path: String
  public var old: ObjectID?
  public var new: ObjectID?
}

/// A tree object's raw bytes, held without copying (`git_odb_read`).
final class RawTree: @unchecked Sendable {
  let object: OpaquePointer?
  let data: UnsafeRawBufferPointer

  init(object: OpaquePointer?) {
    self.object = object
    if let object, let base = git_odb_object_data(object) {
      data = UnsafeRawBufferPointer(start: base, count: git_odb_object_size(object))
    } else {
      data = UnsafeRawBufferPointer(start: nil, count: 0)
    }
  }

  deinit { git_odb_object_free(object) }

  static let empty = RawTree(object: nil)

  /// One entry: where its name is, whether it is a tree, where its id is.
  struct Entry {
    var nameStart: Int
    var nameEnd: Int
    var isTree: Bool
    var idStart: Int
  }

  /// The entry starting at `position` and where the next one starts, or nil at the end or on
  /// malformed data.
  func entry(at position: Int) -> (Entry, next: Int)? {
    let count = data.count
    guard position < count else { return nil }
    var cursor = position
    var mode = 0
    while cursor < count, data[cursor] != 0x20 {
      mode = mode * 8 + Int(data[cursor] &- 0x30)
      cursor += 1
    }
    cursor += 1
    let nameStart = cursor
    while cursor < count, data[cursor] != 0 { cursor += 1 }
    let nameEnd = cursor
    let idStart = cursor + 1
    guard idStart + 20 <= count else { return nil }
    return (Entry(nameStart: nameStart, nameEnd: nameEnd, isTree: mode == 0o40000, idStart: idStart), idStart + 20)
  }

  func name(_ entry: Entry) -> String {
    String(decoding: UnsafeRawBufferPointer(rebasing: data[entry.nameStart..<entry.nameEnd]), as: UTF8.self)
  }

  func id(_ entry: Entry) -> ObjectID {
    ObjectID(raw: data.baseAddress! + entry.idStart)
  }

  func sameID(_ entry: Entry, _ other: RawTree, _ otherEntry: Entry) -> Bool {
    memcmp(data.baseAddress! + entry.idStart, other.data.baseAddress! + otherEntry.idStart, 20) == 0
  }

  /// git's tree order: names compared bytewise, a tree's name as if it ended in '/'.
  func order(_ entry: Entry, _ other: RawTree, _ otherEntry: Entry) -> Int {
    let a = entry.nameEnd - entry.nameStart
    let b = otherEntry.nameEnd - otherEntry.nameStart
    let common = min(a, b)
    let result = memcmp(data.baseAddress! + entry.nameStart, other.data.baseAddress! + otherEntry.nameStart, common)
    if result != 0 { return Int(result) }
    let nextA: UInt8 = a > common ? data[entry.nameStart + common] : (entry.isTree ? 0x2F : 0)
    let nextB: UInt8 = b > common ? other.data[otherEntry.nameStart + common] : (otherEntry.isTree ? 0x2F : 0)
    return Int(nextA) - Int(nextB)
  }

  func isSameName(_ entry: Entry, _ other: RawTree, _ otherEntry: Entry) -> Bool {
    let a = entry.nameEnd - entry.nameStart
    guard a == otherEntry.nameEnd - otherEntry.nameStart else { return false }
    return memcmp(data.baseAddress! + entry.nameStart, other.data.baseAddress! + otherEntry.nameStart, a) == 0
  }
}

extension ObjectID {
  /// An id from its 20 raw bytes.
  public init(bytes: [UInt8]) {
    var oid = git_oid()
    withUnsafeMutableBytes(of: &oid.id) { $0.copyBytes(from: bytes.prefix(20)) }
    self.init(oid)
  }
}

extension Repository {
  func rawTree(_ id: ObjectID) throws(GitError) -> RawTree {
    try locked { () throws(GitError) -> RawTree in
      // Walking history compares each commit's trees with its parent's: the trees read for
      // one commit are usually read again for the next.
      if let recent = recentTrees.first(where: { $0.0 == id }) { return recent.1 }
      if odb == nil {
        var database: OpaquePointer?
        try check(git_repository_odb(&database, handle), "git_repository_odb")
        odb = database
      }
      var oid = id.raw
      var object: OpaquePointer?
      try check(git_odb_read(&object, odb, &oid), "git_odb_read")
      let tree = RawTree(object: object)
      recentTrees.append((id, tree))
      if recentTrees.count > 16 { recentTrees.removeFirst() }
      return tree
    }
  }

  /// The files that differ between two trees (nil: the empty tree), with paths relative to
  /// them. Sub-trees whose ids are equal are skipped without being read; `only`, when given,
  /// limits the comparison to these top-level entries (e.g. the record directories).
  /// Entries are compared in place in the raw tree objects, so a directory of 10,000 files
  /// costs a pass over two buffers, not 20,000 strings.
  public func changedFiles(
    from old: ObjectID?, to new: ObjectID?, only: Set<String>? = nil
  ) throws(GitError) -> [TreeDelta] {
    var result: [TreeDelta] = []
    try compareTrees(old, new, prefix: "", only: only, into: &result)
    return result
  }

  private func compareTrees(
    _ old: ObjectID?, _ new: ObjectID?, prefix: String, only: Set<String>?, into result: inout [TreeDelta]
  ) throws(GitError) {
    if old == new { return }
    let a = try old.map { id throws(GitError) in try rawTree(id) } ?? RawTree.empty
    let b = try new.map { id throws(GitError) in try rawTree(id) } ?? RawTree.empty
    var i = a.entry(at: 0)
    var j = b.entry(at: 0)
    func wanted(_ tree: RawTree, _ entry: RawTree.Entry) -> Bool {
      guard let only else { return true }
      return only.contains(tree.name(entry))
    }
    func emit(_ tree: RawTree, _ entry: RawTree.Entry, removed: Bool) throws(GitError) {
      guard wanted(tree, entry) else { return }
      let path = prefix + tree.name(entry)
      if entry.isTree {
        let id = tree.id(entry)
        try compareTrees(removed ? id : nil, removed ? nil : id, prefix: path + "/", only: nil, into: &result)
      } else {
        let id = tree.id(entry)
        result.append(TreeDelta(path: path, old: removed ? id : nil, new: removed ? nil : id))
      }
    }
    while true {
      switch (i, j) {
      case (nil, nil):
        return
      case (let (entry, next)?, nil):
        try emit(a, entry, removed: true)
        i = a.entry(at: next)
      case (nil, let (entry, next)?):
        try emit(b, entry, removed: false)
        j = b.entry(at: next)
      case (let (left, nextLeft)?, let (right, nextRight)?):
        let order = a.order(left, b, right)
        if order < 0 {
          try emit(a, left, removed: true)
          i = a.entry(at: nextLeft)
        } else if order > 0 {
          try emit(b, right, removed: false)
          j = b.entry(at: nextRight)
        } else {
          if !a.sameID(left, b, right) || left.isTree != right.isTree, wanted(a, left) {
            if left.isTree && right.isTree {
              try compareTrees(
                a.id(left), b.id(right), prefix: prefix + a.name(left) + "/", only: nil, into: &result)
            } else if !left.isTree && !right.isTree {
              result.append(TreeDelta(path: prefix + a.name(left), old: a.id(left), new: b.id(right)))
            } else {
              try emit(a, left, removed: true)
              try emit(b, right, removed: false)
            }
          }
          i = a.entry(at: nextLeft)
          j = b.entry(at: nextRight)
        }
      }
    }
  }
}
