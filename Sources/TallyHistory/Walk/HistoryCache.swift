import Foundation
import TallyGit
import TallyRecords
import TallyText

/// Per-commit change data kept between runs in the git directory (never in the working
/// tree): `.git/tally/history-<key>`, where the key covers the schemas the data was computed
/// with and the format version — a schema change starts a new file.
///
/// The file is a header (its magic: the format) and a sequence of entries, each with its
/// length and a checksum (``Checksum``); values inside are ``EncodedValue``s, left in place
/// when the file is loaded. A file of an older format is recomputed and replaced. A torn
/// file (a killed writer, a full disk) or one that fails a checksum is not trusted: the
/// good entries before the damage are kept and the rest is recomputed. Writers write a
/// temporary file and rename it into place, so concurrent runs never see half a file; the
/// last writer wins, and both files are complete.
public enum HistoryCache {
  static let magic = Array("TALLYHC2".utf8)
  /// What every format's magic starts with: a file of another format is not damage, only
  /// old (it is replaced without saying so).
  static let magicStem = Array("TALLYHC".utf8)

  public static func path(gitDirectory: String, schemaKey: String) -> String {
    gitDirectory + "/tally/history-" + hex(fnv1a(Array(schemaKey.utf8)))
  }

  /// How long a cache for other schemas (another branch's, an older version's) is kept
  /// unused before a save removes it.
  static let staleAfter: TimeInterval = 14 * 24 * 3600

  /// Removes the history caches next to `path` (for other schemas) that have not been
  /// written for ``staleAfter``: each can be tens of megabytes, and a schema change leaves
  /// the previous one behind for good.
  static func removeStale(besides path: String, now: Date = Date()) {
    let directory = FileSystem.parentDirectory(of: path)
    for name in (try? FileSystem.contents(of: directory)) ?? [] where name.hasPrefix("history-") {
      let other = FileSystem.joinPath(directory, name)
      guard other != path, let modified = FileSystem.modificationTime(other),
        now.timeIntervalSince1970 - modified > staleAfter
      else { continue }
      try? FileSystem.remove(other)
    }
  }

  /// The entries of the file at `path` in file order (empty when it is missing; as many as
  /// are intact when it is damaged), and whether the file was damaged.
  ///
  /// Every entry is checked (checksum, then structure) but its values are left encoded in
  /// the file's bytes and decoded when read (``LazyValue``).
  static func load(_ path: String) -> (entries: [CommitChanges], damaged: Bool, file: SharedBytes?) {
    guard let shared = SharedBytes(contentsOf: path) else { return ([], false, nil) }
    let magicIntact = shared.read { $0.starts(with: magic) }
    guard magicIntact else {
      let oldFormat = shared.read { $0.starts(with: magicStem) }
      return ([], !oldFormat, nil)
    }
    let (entries, damaged) = decode(shared, from: magic.count)
    return (entries, damaged, damaged ? nil : shared)
  }

  /// The entries framed in `shared` from `offset` on (as ``framed(_:)`` makes them), each
  /// checked (checksum, then structure), their values left in `shared`; and whether
  /// something was damaged — the entries end before it.
  static func decode(_ shared: SharedBytes, from offset: Int) -> (entries: [CommitChanges], damaged: Bool) {
    // First the entries' bounds (a torn tail ends the list), then decoding on every core.
    var bounds: [Index.Bound] = []
    var damaged = false
    shared.read { buffer in
      var reader = ByteReader(buffer)
      reader.position = offset
      while !reader.atEnd {
        guard let length = reader.fixed64(), let checksum = reader.fixed64(), length <= UInt64(reader.remaining) else {
          damaged = true
          break
        }
        bounds.append(Index.Bound(start: reader.position, length: Int(length), checksum: checksum))
        reader.position += Int(length)
      }
    }
    let decoded = decodeEntries(bounds, in: shared, chunk: 128)
    var result: [CommitChanges] = []
    result.reserveCapacity(decoded.count)
    for commit in decoded {
      // Entries after a damaged one are not trusted either.
      guard let commit else {
        damaged = true
        break
      }
      result.append(commit)
    }
    return (result, damaged)
  }

  /// A cache file's entries found by commit id and left undecoded, for reading a long history
  /// a batch of commits at a time (``History/ChangeStream``): loading it whole decodes every
  /// entry at once (3.8 GB of change data at 200,000 commits and a million records).
  struct Index {
    struct Bound {
      var start: Int
      var length: Int
      var checksum: UInt64
    }

    let file: SharedBytes
    /// Where each commit's entry is (a later entry for the same commit wins, as when loading).
    private(set) var bounds: [ObjectKey: Bound] = [:]

    /// The file at `path`, its entries' bounds read (not their bodies); an index of nothing
    /// when there is no file. Nil when the file cannot be streamed — torn, or of another
    /// format —: ``load(_:)`` keeps its good entries and the file is written anew.
    init?(path: String) {
      guard FileManager.default.fileExists(atPath: path) else {
        file = SharedBytes([])
        return
      }
      guard let shared = SharedBytes(contentsOf: path, populate: false) else { return nil }
      file = shared
      var bounds: [ObjectKey: Bound] = [:]
      let intact = shared.read { buffer -> Bool in
        guard buffer.starts(with: magic) else { return false }
        var reader = ByteReader(buffer)
        reader.position = magic.count
        while !reader.atEnd {
          guard let length = reader.fixed64(), let checksum = reader.fixed64(), length >= 20,
            length <= UInt64(reader.remaining)
          else { return false }
          let key = ObjectKey(UnsafeRawBufferPointer(buffer), at: reader.position)
          bounds[key] = Bound(start: reader.position, length: Int(length), checksum: checksum)
          reader.position += Int(length)
        }
        return true
      }
      guard intact else { return nil }
      self.bounds = bounds
    }

    func contains(_ id: ObjectID) -> Bool { ObjectKey(id).map { bounds[$0] != nil } ?? false }

    /// The length of `id`'s entry in the file (0 when it has none).
    func size(of id: ObjectID) -> Int { ObjectKey(id).flatMap { bounds[$0]?.length } ?? 0 }

    /// The entries of `ids`, in order, checked and decoded on every core (their values left
    /// in the file's bytes); nil for one that is not in the file or fails its checks.
    func entries(_ ids: ArraySlice<ObjectID>) -> [CommitChanges?] {
      decodeEntries(ids.map { id in ObjectKey(id).flatMap { bounds[$0] } }, in: file, chunk: 64)
    }
  }

  /// The entries at `bounds` in `shared`, each checked (checksum, then structure) and
  /// decoded with its values left in `shared`, on every core; nil for a bound that is nil or
  /// an entry that fails. In chunks, each with its own table of the field paths it has read:
  /// most repeat.
  static func decodeEntries(_ bounds: [Index.Bound?], in shared: SharedBytes, chunk: Int) -> [CommitChanges?] {
    let chunks = stride(from: 0, to: bounds.count, by: chunk).map { $0..<min($0 + chunk, bounds.count) }
    return parallelMap(chunks, batch: 1) { chunk -> [CommitChanges?] in
      shared.read { buffer in
        var paths: [String: FieldPath] = [:]
        return bounds[chunk].map { bound -> CommitChanges? in
          guard let bound else { return nil }
          let body = UnsafeBufferPointer(rebasing: buffer[bound.start..<(bound.start + bound.length)])
          guard Checksum.of(body) == bound.checksum else { return nil }
          var entry = ByteReader(body)
          guard let commit = decodeCommit(&entry, values: shared, base: bound.start, paths: &paths), entry.atEnd
          else { return nil }
          return commit
        }
      }
    }.flatMap { $0 }
  }

  /// `entries` as the file holds them: each encoded, after its length and checksum.
  static func framed(_ entries: [CommitChanges]) -> [UInt8] {
    var out: [UInt8] = []
    var body: [UInt8] = []
    for commit in entries {
      body.removeAll(keepingCapacity: true)
      encodeCommit(commit, into: &body)
      putFixed64(UInt64(body.count), into: &out)
      putFixed64(Checksum.of(body), into: &out)
      out.append(contentsOf: body)
    }
    return out
  }

  /// Writes `entries` to `path` atomically. Failures are ignored: the cache is a speed-up.
  public static func save(_ entries: [CommitChanges], to path: String) {
    save(framed: [SharedBytes(framed(entries))], to: path)
  }

  /// Writes a cache of entries framed in `parts` (``framed(_:)``'s output, in pieces) to
  /// `path` atomically, without joining the pieces in memory.
  static func save(framed parts: [SharedBytes], to path: String) {
    try? FileSystem.createDirectory(FileSystem.parentDirectory(of: path))
    try? FileSystem.writeAtomically(
      path,
      parts: { write in
        guard magic.withUnsafeBytes({ write($0) }) else { return }
        for part in parts { guard part.read({ write(UnsafeRawBufferPointer($0)) }) else { return } }
      })
  }

  /// Adds `entries` after `existing` (an intact cache file's bytes, as read from `path`): by
  /// appending them to the file when it is still the one read (the same size), else by
  /// writing the whole file atomically. An append cut short (a killed process, a full disk)
  /// leaves a torn last entry, which the next load drops and computes again (it is checked
  /// by its length and checksum); entries before it stay intact, so appending is safe, and it
  /// writes only the new commits — not the whole cache on every run.
  static func save(appending entries: [CommitChanges], to existing: SharedBytes, at path: String) {
    save(appending: [SharedBytes(framed(entries))], to: existing, at: path)
  }

  /// ``save(appending:to:at:)`` of entries already framed, in pieces.
  static func save(appending parts: [SharedBytes], to existing: SharedBytes, at path: String) {
    if let attributes = try? FileManager.default.attributesOfItem(atPath: path),
      (attributes[.size] as? NSNumber)?.intValue == existing.count, existing.count >= magic.count
    {
      let descriptor = open(path, O_WRONLY | O_APPEND)
      if descriptor >= 0 {
        let written = writeAll(parts, to: descriptor)
        close(descriptor)
        if written { return }
      }
    }
    // Written whole: the file as read (its magic included), then the new entries.
    save(framed: [SharedBytes(Array(existing.bytes.dropFirst(magic.count)))] + parts, to: path)
  }

  /// Appends `entries` to the cache file at `path` without reading it (its magic only): a
  /// file of another format, or none, is started afresh with them.
  static func append(_ entries: [CommitChanges], at path: String) {
    append(framed: [SharedBytes(framed(entries))], at: path)
  }

  /// ``append(_:at:)`` of entries already framed, in pieces.
  static func append(framed parts: [SharedBytes], at path: String) {
    let descriptor = open(path, O_RDWR | O_APPEND)
    if descriptor >= 0 {
      var start = [UInt8](repeating: 0, count: magic.count)
      let read = start.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, magic.count, 0) }
      if read == magic.count, start == magic {
        // A short write leaves a torn tail, dropped (and recomputed) by the next load.
        _ = writeAll(parts, to: descriptor)
        close(descriptor)
        return
      }
      close(descriptor)
    }
    save(framed: parts, to: path)
  }

  /// Writes every part to `descriptor`, in order; false when a write failed or fell short.
  private static func writeAll(_ parts: [SharedBytes], to descriptor: Int32) -> Bool {
    for part in parts {
      let complete = part.read { buffer -> Bool in
        var done = 0
        while done < buffer.count {
          let n = write(descriptor, buffer.baseAddress! + done, buffer.count - done)
          if n < 0, errno == EINTR { continue }
          guard n > 0 else { return false }
          done += n
        }
        return true
      }
      guard complete else { return false }
    }
    return true
  }

  // MARK: Encoding

  static func encodeCommit(_ commit: CommitChanges, into out: inout [UInt8]) {
    out.append(contentsOf: commit.id.bytes)
    putInt(commit.parents.count, into: &out)
    for parent in commit.parents { out.append(contentsOf: parent.bytes) }
    for signature in [commit.author, commit.committer] {
      putString(signature.name, into: &out)
      putString(signature.email, into: &out)
      putInt(Int(signature.time), into: &out)
      putInt(signature.offsetMinutes, into: &out)
    }
    putString(commit.message, into: &out)
    out.append(commit.schemaChanged ? 1 : 0)
    putInt(commit.records.count, into: &out)
    for record in commit.records {
      out.append(record.kind.rawValue)
      putString(record.type, into: &out)
      putString(record.id, into: &out)
      putOptionalString(record.oldType, into: &out)
      putOptionalString(record.oldID, into: &out)
      putOptionalID(record.oldBlob, into: &out)
      putOptionalID(record.newBlob, into: &out)
      putInt(record.fields.count, into: &out)
      for field in record.fields {
        out.append(field.kind.rawValue)
        putString(field.path.description, into: &out)
        field.storedOld.write(into: &out)
        field.storedNew.write(into: &out)
      }
      record.storedValue.write(into: &out)
    }
  }

  /// Decodes one entry read by `reader`, whose bytes start at `base` in `values`: the values
  /// are checked and left there, to be decoded when read. `paths` keeps the field paths
  /// read so far, by their text.
  static func decodeCommit(
    _ reader: inout ByteReader, values: SharedBytes, base: Int, paths: inout [String: FieldPath]
  ) -> CommitChanges? {
    guard let id = reader.id(), let parentCount = reader.int(), parentCount >= 0, parentCount < 1 << 16 else {
      return nil
    }
    var parents: [ObjectID] = []
    for _ in 0..<parentCount {
      guard let parent = reader.id() else { return nil }
      parents.append(parent)
    }
    func signature(_ reader: inout ByteReader) -> Signature? {
      guard let name = reader.string(), let email = reader.string(), let time = reader.int(),
        let offset = reader.int()
      else { return nil }
      return Signature(name: name, email: email, time: Int64(time), offsetMinutes: offset)
    }
    guard let author = signature(&reader), let committer = signature(&reader) else { return nil }
    guard let message = reader.string(), let flag = reader.byte(), let count = reader.int(), count >= 0,
      count <= reader.remaining
    else { return nil }
    /// The value at the reader's position (a presence flag, then ``EncodedValue``'s
    /// encoding), stepped over: left in the file's bytes.
    func lazyValue(_ reader: inout ByteReader) -> LazyValue? {
      let start = reader.position
      switch reader.byte() {
      case 0: return LazyValue(nil)
      case 1: return EncodedValue.skip(&reader) ? LazyValue(encodedIn: values, at: base + start + 1) : nil
      default: return nil
      }
    }
    var records: [RecordChange] = []
    records.reserveCapacity(count)
    for _ in 0..<count {
      guard let kindByte = reader.byte(), let kind = RecordChange.Kind(rawValue: kindByte), let type = reader.string(),
        let id = reader.string(), let oldType = reader.optionalString(), let oldID = reader.optionalString(),
        let oldBlob = reader.optionalID(), let newBlob = reader.optionalID(), let fieldCount = reader.int(),
        fieldCount >= 0, fieldCount <= reader.remaining
      else { return nil }
      var fields: [FieldChange] = []
      fields.reserveCapacity(fieldCount)
      for _ in 0..<fieldCount {
        guard let fieldKindByte = reader.byte(), let fieldKind = FieldChange.Kind(rawValue: fieldKindByte),
          let pathText = reader.string()
        else { return nil }
        let path: FieldPath
        if let known = paths[pathText] {
          path = known
        } else {
          guard let parsed = pathText.isEmpty ? FieldPath() : FieldPath(parsing: pathText) else { return nil }
          paths[pathText] = parsed
          path = parsed
        }
        guard let old = lazyValue(&reader), let new = lazyValue(&reader) else { return nil }
        fields.append(FieldChange(path: path, kind: fieldKind, storedOld: old, storedNew: new))
      }
      guard let value = lazyValue(&reader) else { return nil }
      records.append(
        RecordChange(
          kind: kind, type: type, id: id, oldType: oldType, oldID: oldID, oldBlob: oldBlob, newBlob: newBlob,
          fields: fields, storedValue: value))
    }
    return CommitChanges(
      id: id, parents: parents, author: author, committer: committer, message: message, records: records,
      schemaChanged: flag != 0)
  }

  static func putInt(_ value: Int, into out: inout [UInt8]) {
    // Zig-zag, so negative offsets stay short.
    var rest = UInt64(bitPattern: Int64((value << 1) ^ (value >> 63)))
    while rest >= 0x80 {
      out.append(UInt8(rest & 0x7F) | 0x80)
      rest >>= 7
    }
    out.append(UInt8(rest))
  }

  static func putFixed64(_ value: UInt64, into out: inout [UInt8]) {
    for shift in stride(from: 0, to: 64, by: 8) { out.append(UInt8((value >> UInt64(shift)) & 0xFF)) }
  }

  static func putString(_ text: String, into out: inout [UInt8]) {
    var text = text
    text.withUTF8 { buffer in
      putInt(buffer.count, into: &out)
      out.append(contentsOf: buffer)
    }
  }

  static func putOptionalString(_ text: String?, into out: inout [UInt8]) {
    guard let text else { return out.append(0) }
    out.append(1)
    putString(text, into: &out)
  }

  static func putOptionalID(_ id: ObjectID?, into out: inout [UInt8]) {
    guard let id else { return out.append(0) }
    out.append(1)
    out.append(contentsOf: id.bytes)
  }

  /// A presence flag, then ``EncodedValue``'s encoding (lists and mappings carry their
  /// length, so a reader steps over them).
  static func fnv1a(_ bytes: [UInt8]) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in bytes {
      hash ^= UInt64(byte)
      hash = hash &* 0x100_0000_01b3
    }
    return hash
  }

  static func hex(_ value: UInt64) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: 16 - digits.count) + digits
  }
}
