/// One git tree object kept up to date as its entries change, cheaply enough for a directory
/// of 10,000 records that changes in every commit.
///
/// The object (`tree <size>\0` and the entries) is kept serialized. An entry whose object id
/// changes is overwritten in place, and the SHA-1 is computed again only from the block
/// where the first change is, starting from a state saved at every 4 KiB; the changed
/// ranges give the delta against the previous version. Adding or removing an entry
/// rebuilds the object and keeps the previous body, so that the new version can still be
/// stored as a delta (a shard folder gains a file in most commits of an import).
final class IncrementalTree {
  /// What `update()` found since the last call.
  enum Change {
    case unchanged
    /// New entries or fewer: store the whole object.
    case rebuilt
    /// Same entries; the object ids at these offsets of the body (20 bytes each) changed.
    case ids([Int])
  }

  private struct Entry {
    var isDirectory: Bool
    var hash: GitHash
  }

  private static let chunk = 4096

  private var entries: [String: Entry] = [:]
  /// `tree <size>\0` then the body.
  private var object: [UInt8] = []
  private var headerSize = 0
  /// Entry name → offset of its object id in `object`.
  private var slots: [String: Int] = [:]
  private var checkpoints: [SHA1.State] = [SHA1.State()]
  private var validCheckpoints = 1
  private var needsRebuild = true
  private var changedSlots: Set<Int> = []
  private(set) var hash = GitHash(high: 0, middle: 0, low: 0)
  /// The body as the last `update()` left it, saved before this round's first change: the
  /// base of a rebuilt version's delta (empty before the first version).
  private(set) var previousBody: [UInt8] = []
  private var saved = false

  var isEmpty: Bool { entries.isEmpty }
  var count: Int { entries.count }

  func contains(_ name: String) -> Bool { entries[name] != nil }

  /// Adds an entry or points it at another object.
  func set(_ name: String, isDirectory: Bool = false, hash: GitHash) {
    if let old = entries[name], old.isDirectory == isDirectory {
      guard old.hash != hash else { return }
      entries[name] = Entry(isDirectory: isDirectory, hash: hash)
      if needsRebuild { return }
      save()
      let slot = slots[name]!
      object.withUnsafeMutableBytes { raw in
        var bytes = hash.bytes
        for index in 0..<20 { raw[slot + index] = bytes[index] }
        bytes.removeAll()
      }
      changedSlots.insert(slot)
      validCheckpoints = min(validCheckpoints, slot / Self.chunk + 1)
    } else {
      save()
      entries[name] = Entry(isDirectory: isDirectory, hash: hash)
      needsRebuild = true
    }
  }

  func remove(_ name: String) {
    guard entries[name] != nil else { return }
    save()
    entries[name] = nil
    needsRebuild = true
  }

  /// Keeps the body of the last version before the first change to it.
  private func save() {
    guard !saved, !needsRebuild else { return }
    saved = true
    previousBody = object.isEmpty ? [] : body
  }

  /// Serializes and hashes what changed since the last call.
  func update() -> Change {
    defer { saved = false }
    if needsRebuild {
      rebuild()
      rehash()
      needsRebuild = false
      changedSlots.removeAll()
      return .rebuilt
    }
    guard !changedSlots.isEmpty else { return .unchanged }
    rehash()
    let changed = changedSlots.sorted().map { $0 - headerSize }
    changedSlots.removeAll()
    return .ids(changed)
  }

  /// The tree's content (without the `tree <size>\0` header).
  var body: [UInt8] { Array(object[headerSize...]) }

  /// The delta from the previous version to this one, given the `ids` change `update()`
  /// reported.
  func delta(ids: [Int]) -> [UInt8] {
    object.withUnsafeBytes { raw in
      PackDelta.slots(ids, width: 20, target: UnsafeRawBufferPointer(rebasing: raw[headerSize...]))
    }
  }

  var bodySize: Int { object.count - headerSize }

  private func rebuild() {
    // Git orders entries by name, a directory's name as if it ended in "/".
    let names = entries.keys.map { name in
      (name, Array(name.utf8) + (entries[name]!.isDirectory ? [UInt8(ascii: "/")] : []))
    }.sorted { $0.1.lexicographicallyPrecedes($1.1) }
    var body: [UInt8] = []
    body.reserveCapacity(entries.count * 40)
    var bodySlots: [(String, Int)] = []
    bodySlots.reserveCapacity(entries.count)
    for (name, _) in names {
      let entry = entries[name]!
      body.append(contentsOf: Array((entry.isDirectory ? "40000 " : "100644 ").utf8))
      body.append(contentsOf: Array(name.utf8))
      body.append(0)
      bodySlots.append((name, body.count))
      entry.hash.append(to: &body)
    }
    let header = Array("tree \(body.count)\0".utf8)
    headerSize = header.count
    object = header + body
    slots.removeAll(keepingCapacity: true)
    for (name, offset) in bodySlots { slots[name] = offset + headerSize }
    checkpoints = [SHA1.State()]
    validCheckpoints = 1
  }

  private func rehash() {
    let total = object.count
    let fullEnd = total / 64 * 64
    var k = validCheckpoints - 1
    var state = checkpoints[k]
    var position = k * Self.chunk
    let tail: [UInt8] = object.withUnsafeBytes { raw in
      let base = raw.baseAddress!
      while position + Self.chunk <= fullEnd {
        SHA1.compress(&state, base + position, blocks: Self.chunk / 64)
        position += Self.chunk
        k += 1
        if k < checkpoints.count { checkpoints[k] = state } else { checkpoints.append(state) }
      }
      SHA1.compress(&state, base + position, blocks: (fullEnd - position) / 64)
      return Array(UnsafeRawBufferPointer(rebasing: raw[fullEnd...]))
    }
    validCheckpoints = k + 1
    hash = SHA1.finish(&state, tail: tail, totalLength: UInt64(total))
  }
}
