import Foundation
import TallyGit
import TallyRecords
import TallyText

/// Parsed record values by blob id, kept between runs in the git directory
/// (`.git/tally/record-values`), so that the records as of a day — thousands of files — are
/// read without parsing them again, and only the fields a report asks for are decoded
/// (``EncodedValue``).
///
/// A blob id names its content, so an entry never goes stale; values depend only on the
/// parser (not on the schemas): change the magic when the parser reads a file differently,
/// and every value is parsed again. The file is a header and entries — blob
/// id, length, checksum, the value — read once per run; an entry's checksum is checked when
/// it is first used. A torn tail or an entry that fails its checksum is parsed again and the
/// file rewritten. Writers write a temporary file and rename it into place. The file keeps
/// every value a run asked for until it holds four times as many as the last run that added
/// to it used; that run keeps only its own.
public final class ValueStore: @unchecked Sendable {
  static let magic = Array("TALLYRV1".utf8)
  /// Entries kept in the file, as a multiple of the entries a run used, before pruning.
  static let growth = 4
  /// Blob id, body length, checksum.
  static let headerSize = 20 + 8 + 8

  public static func path(gitDirectory: String) -> String { gitDirectory + "/tally/record-values" }

  private let gitDirectory: String
  /// Where the file is; nil when nothing is kept between runs.
  private let path: String?
  private let lock = NSLock()
  private var loaded = false
  private var file = SharedBytes([])
  /// The start of each entry in `file`, by its blob id.
  private var entries: [ObjectKey: Int] = [:]
  /// The values found this run (by ``ObjectKey``; ids that are not 20 bytes long, which
  /// the file cannot hold, by ``ObjectID``), and the file's entries they came from.
  private var memo: [ObjectKey: EncodedValue?] = [:]
  private var oddMemo: [ObjectID: EncodedValue?] = [:]
  private var used: [Int] = []
  /// Entries parsed this run, to be added to the file.
  private var added: [UInt8] = []
  /// True when the file must be rewritten: torn, or an entry failed its checksum.
  private var damaged = false

  /// How the values were found (for tests and measurements).
  public private(set) var stats = Stats()

  public struct Stats: Sendable, Equatable {
    public var fromMemory = 0
    public var fromFile = 0
    public var parsed = 0
  }

  /// - Parameters:
  ///   - gitDirectory: the repository to read blobs from (and to keep the file in).
  ///   - persistent: whether to read and write the file.
  public init(gitDirectory: String, persistent: Bool = true) {
    self.gitDirectory = gitDirectory
    self.path = persistent ? Self.path(gitDirectory: gitDirectory) : nil
  }

  /// The value of each blob, in order: nil for a blob that does not parse to a value. A blob
  /// that cannot be read is parsed as empty, and not kept.
  ///
  /// - Throws: only when no repository handle can be opened to read blobs.
  public func values(_ blobs: [ObjectID]) throws -> [EncodedValue?] {
    lock.lock()
    defer { lock.unlock() }
    load()
    var missing: [ObjectID] = []
    var missingSeen = Set<ObjectID>()
    file.read { buffer in
      for blob in blobs {
        if remembered(blob) != nil {
          stats.fromMemory += 1
          continue
        }
        if let key = ObjectKey(blob), let start = entries[key] {
          if let offset = Self.entryValue(buffer, at: start) {
            remember(blob, offset.map { EncodedValue(file, at: $0) })
            used.append(start)
            stats.fromFile += 1
            continue
          }
          entries.removeValue(forKey: key)
          damaged = true
        }
        if missingSeen.insert(blob).inserted { missing.append(blob) }
      }
    }
    if !missing.isEmpty { try parse(missing) }
    return blobs.map { remembered($0) ?? nil }
  }

  private func remembered(_ blob: ObjectID) -> EncodedValue?? {
    if let key = ObjectKey(blob) { return memo[key] }
    return oddMemo[blob]
  }

  private func remember(_ blob: ObjectID, _ value: EncodedValue?) {
    if let key = ObjectKey(blob) {
      memo.updateValue(value, forKey: key)
    } else {
      oddMemo.updateValue(value, forKey: blob)
    }
  }

  /// Parses `blobs` on every core and remembers their values (and, when they could be read,
  /// adds them to the file).
  private func parse(_ blobs: [ObjectID]) throws {
    let gitDirectory = self.gitDirectory
    let parsed = try parallelMap(blobs, batch: 64) { blob -> Result<(Value?, Bool), any Error> in
      Result {
        let repository = try BlobReaders.shared.reader(gitDirectory)
        guard let bytes = try? repository.blob(blob) else { return (SyntaxTree.parse([]).tree?.value, false) }
        return (SyntaxTree.parse(bytes).tree?.value, true)
      }
    }.map { try $0.get() }
    var batch: [UInt8] = []
    var places: [(blob: ObjectID, start: Int, readable: Bool)] = []
    for (blob, (value, readable)) in zip(blobs, parsed) {
      places.append((blob, batch.count, readable))
      Self.appendEntry(blob, value, to: &batch)
    }
    let shared = SharedBytes(batch)
    shared.read { buffer in
      for place in places {
        let offset = Self.entryValue(buffer, at: place.start) ?? nil
        remember(place.blob, offset.map { EncodedValue(shared, at: $0) })
      }
    }
    for (index, place) in places.enumerated() where place.readable && path != nil && place.blob.bytes.count == 20 {
      let end = index + 1 < places.count ? places[index + 1].start : batch.count
      added.append(contentsOf: batch[place.start..<end])
    }
    stats.parsed += blobs.count
  }

  /// Writes the file if this run added entries (or found it damaged). Failures are ignored:
  /// the file is a speed-up.
  public func save() {
    lock.lock()
    defer { lock.unlock() }
    guard let path, loaded, !added.isEmpty || damaged else { return }
    let addedCount = Self.countEntries(added)
    let keepAll = entries.count + addedCount <= Self.growth * max(used.count + addedCount, 1)
    var out: [UInt8]
    if keepAll && !damaged && file.count > 0 {
      out = file.bytes
    } else {
      out = Self.magic
      let starts = keepAll ? Array(entries.values).sorted() : Array(Set(used)).sorted()
      file.read { buffer in
        for start in starts {
          guard let end = Self.entryEnd(buffer, at: start) else { continue }
          out.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[start..<end]))
        }
      }
    }
    out.append(contentsOf: added)
    try? FileSystem.createDirectory(FileSystem.parentDirectory(of: path))
    try? FileSystem.writeAtomically(path, out)
    added = []
    damaged = false
  }

  // MARK: The file

  /// Reads the file and finds its entries (their values are checked when used), once.
  private func load() {
    guard !loaded else { return }
    loaded = true
    guard let path, let mapped = SharedBytes(contentsOf: path) else { return }
    guard mapped.read({ $0.starts(with: Self.magic) }) else {
      damaged = true
      return
    }
    file = mapped
    var found: [ObjectKey: Int] = [:]
    var torn = false
    file.read { buffer in
      var start = Self.magic.count
      while start < buffer.count {
        guard let end = Self.entryEnd(buffer, at: start) else {
          torn = true
          break
        }
        found[ObjectKey(UnsafeRawBufferPointer(buffer), at: start)] = start
        start = end
      }
    }
    entries = found
    damaged = torn
  }

  /// A little-endian 64-bit number at `offset` (in bounds).
  static func fixed64(_ buffer: UnsafeBufferPointer<UInt8>, at offset: Int) -> UInt64 {
    UInt64(littleEndian: UnsafeRawBufferPointer(buffer).loadUnaligned(fromByteOffset: offset, as: UInt64.self))
  }

  /// Where the entry at `start` ends; nil when its header or body is cut off.
  static func entryEnd(_ buffer: UnsafeBufferPointer<UInt8>, at start: Int) -> Int? {
    guard buffer.count - start >= headerSize else { return nil }
    let length = fixed64(buffer, at: start + 20)
    guard length <= UInt64(buffer.count - start - headerSize) else { return nil }
    return start + headerSize + Int(length)
  }

  /// Appends an entry: the blob id, the body's length and checksum, and the body (a flag,
  /// then the ``EncodedValue`` encoding when there is a value).
  static func appendEntry(_ blob: ObjectID, _ value: Value?, to out: inout [UInt8]) {
    var body: [UInt8] = [value == nil ? 0 : 1]
    if let value { EncodedValue.encode(value, into: &body) }
    // The id field is 20 bytes; an id of another length is not kept in the file.
    out.append(contentsOf: blob.bytes.prefix(20))
    out.append(contentsOf: repeatElement(0, count: max(0, 20 - blob.bytes.count)))
    HistoryCache.putFixed64(UInt64(body.count), into: &out)
    HistoryCache.putFixed64(Checksum.of(body), into: &out)
    out.append(contentsOf: body)
  }

  /// The entry at `start` when it is intact: `.some(offset)` of its value, `.some(nil)` for
  /// a blob without one, nil when it fails its checksum.
  static func entryValue(_ buffer: UnsafeBufferPointer<UInt8>, at start: Int) -> Int?? {
    guard let end = entryEnd(buffer, at: start) else { return nil }
    let body = UnsafeBufferPointer(rebasing: buffer[(start + headerSize)..<end])
    guard !body.isEmpty, Checksum.of(body) == fixed64(buffer, at: start + 28) else { return nil }
    switch body[0] {
    case 0: return .some(nil)
    case 1: return .some(start + headerSize + 1)
    default: return nil
    }
  }

  static func countEntries(_ bytes: [UInt8]) -> Int {
    bytes.withUnsafeBufferPointer { buffer in
      var count = 0
      var start = 0
      while start < buffer.count, let end = entryEnd(buffer, at: start) {
        count += 1
        start = end
      }
      return count
    }
  }
}
