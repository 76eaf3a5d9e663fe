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
/// and every value is parsed again. The file is a header (the magic and a generation, new
/// each time the file is written whole) and entries — blob id, length, checksum, the value;
/// an entry's checksum is checked when it is first used.
///
/// Two ways to read it, so that a run pays for what it asks, not for the file:
/// - a run asking for many values (a report's records as of a day) reads the file once and
///   finds its entries by walking it;
/// - a run asking for a few (the staff at a commit, the records a hundred new commits
///   touched, one record a policy rule reads) looks each up in the sorted index beside the
///   file (`record-values.index`: blob id and offset, for the file up to a length), plus the
///   few entries appended after that length, and reads just those entries.
///
/// New entries are appended under a lock (`flock`); the index is rewritten, by a rename,
/// when more than ``tailLimit`` (4,096) entries follow what it covers. A torn tail is cut off
/// before appending; an entry that fails its checksum is parsed again (the new entry, later
/// in the file, wins). A run that read the whole file rewrites it (a new generation, and its
/// index) when it was damaged, or prunes it to what that run used when the file holds
/// ``growth`` times as many entries. Readers never see half a file: whole files are written
/// beside and renamed into place, an append is found only through checked entries.
public final class ValueStore: @unchecked Sendable {
  static let magic = Array("TALLYRV2".utf8)
  static let generationSize = 16
  /// Where the entries begin: after the magic and the generation.
  static let fileHeaderSize = 8 + generationSize
  /// Entries kept in the file, as a multiple of the entries a run used, before pruning.
  static let growth = 4
  /// Blob id, body length, checksum.
  static let headerSize = 20 + 8 + 8

  static let indexMagic = Array("TALLYRX1".utf8)
  /// Magic, the data file's generation, the length of it covered, the number of entries.
  static let indexHeaderSize = 8 + generationSize + 8 + 8
  /// Blob id and offset.
  static let indexEntrySize = 20 + 8
  /// A run asking for at most this share of the index's entries (1/n) looks them up.
  static let lookupShare = 8
  /// Entries after the index's cover before it is written again (by default).
  public static let tailLimit = 4096

  public static func path(gitDirectory: String) -> String { gitDirectory + "/tally/record-values" }
  public static func indexPath(gitDirectory: String) -> String { path(gitDirectory: gitDirectory) + ".index" }

  private let gitDirectory: String
  /// Entries after the index's cover before it is written again.
  private let tailLimit: Int
  /// How many blobs ``parse(_:)`` reads at a time.
  private let parseChunk: Int
  /// Where the file is; nil when nothing is kept between runs.
  private let path: String?
  private var indexPath: String? { path.map { $0 + ".index" } }
  private let lock = NSLock()

  /// The whole file, when this run read it (``load()``).
  private var loaded = false
  private var file = SharedBytes([])
  /// The start of each entry in `file`, by its blob id.
  private var entries: [ObjectKey: Int] = [:]

  /// The file as this run found it: its generation and where its last intact entry ends.
  private var generation: [UInt8]?
  private var knownEnd = 0
  /// The index, when this run looks entries up (``openIndex()``): its bytes (mapped), its
  /// entry count, the length of the file it covers, and the entries after that length.
  private var indexOpened = false
  private var index: SharedBytes?
  private var indexCount = 0
  private var indexCovered = 0
  private var tail: [ObjectKey: Int] = [:]

  /// The values found this run (by ``ObjectKey``; ids that are not 20 bytes long, which
  /// the file cannot hold, by ``ObjectID``), and the file's entries they came from.
  private var memo: [ObjectKey: EncodedValue?] = [:]
  private var oddMemo: [ObjectID: EncodedValue?] = [:]
  private var used: [Int] = []
  /// Entries parsed this run, to be added to the file: in parts, each usually the very bytes
  /// the values found are read from (shared, not copied).
  private var added: [[UInt8]] = []
  private var addedIsEmpty: Bool { added.allSatisfy(\.isEmpty) }
  /// True when the file must be rewritten: torn, or an entry failed its checksum.
  private var damaged = false

  /// How the values were found (for tests and measurements).
  public private(set) var stats = Stats()

  public struct Stats: Sendable, Equatable {
    public var fromMemory = 0
    public var fromFile = 0
    public var parsed = 0
    /// Of `fromFile`, those found through the index rather than by reading the whole file.
    public var lookedUp = 0
  }

  /// - Parameters:
  ///   - gitDirectory: the repository to read blobs from (and to keep the file in).
  ///   - persistent: whether to read and write the file.
  ///   - tailLimit: entries appended after the index before it is written again.
  ///   - parseChunk: how many blobs are parsed at a time.
  public init(
    gitDirectory: String, persistent: Bool = true, tailLimit: Int = ValueStore.tailLimit, parseChunk: Int = 16384
  ) {
    self.gitDirectory = gitDirectory
    self.tailLimit = tailLimit
    self.parseChunk = max(1, parseChunk)
    self.path = persistent ? Self.path(gitDirectory: gitDirectory) : nil
  }

  /// At least this many blobs to parse at once hold the pack mapping to 1 GiB for the rest
  /// of the process (``GitLibrary/limitPackMapping(to:)``): a first report at a million
  /// records peaked at 4.8 GB parsing its snapshots' values with the pack mapped whole, 3.3 GB
  /// with the limit. A run that finds its values parses few, and maps the pack as before.
  static let manyBlobs = 65536

  /// The value of each blob, in order: nil for a blob that does not parse to a value. A blob
  /// that cannot be read is parsed as empty, and not kept.
  ///
  /// - Throws: only when no repository handle can be opened to read blobs.
  public func values(_ blobs: [ObjectID]) throws -> [EncodedValue?] {
    let missing = find(blobs)
    if missing.count >= Self.manyBlobs {
      // Read from all over the pack (a first report's million records): every page of it
      // touched counts as this process's memory, so at most 1 GiB is mapped at once.
      History.limitPackMapping(to: History.longReadPackMapping)
    }
    // Parsed without holding the lock: another thread's lookups (a server's pages) need not
    // wait for a million records to be parsed.
    if !missing.isEmpty { try parse(missing) }
    lock.lock()
    defer { lock.unlock() }
    return blobs.map { remembered($0) ?? nil }
  }

  /// Finds what this run or the file already has of `blobs`; the ones it lacks, once each.
  private func find(_ blobs: [ObjectID]) -> [ObjectID] {
    lock.lock()
    defer { lock.unlock() }
    if !loaded {
      openIndex()
      if index == nil || blobs.count * Self.lookupShare > indexCount { load() }
    }
    var missing: [ObjectID] = []
    var missingSeen = Set<ObjectID>()
    if loaded {
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
    } else {
      lookUp(blobs, missing: &missing, missingSeen: &missingSeen)
    }
    return missing
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
  /// adds them to the file). Each worker encodes what it parsed at once, and the blobs are
  /// taken a chunk at a time: a million records at a commit held parsed at once (trees of
  /// strings) took 3.4 GB; encoded, a few hundred bytes each. The lock is held only to keep
  /// each chunk.
  private func parse(_ blobs: [ObjectID]) throws {
    let gitDirectory = self.gitDirectory
    var start = 0
    while start < blobs.count {
      let chunk = Array(blobs[start..<min(blobs.count, start + parseChunk)])
      start += chunk.count
      let encoded = try parallelMap(chunk, batch: 64) { blob -> Result<(entry: [UInt8], readable: Bool), any Error> in
        Result {
          let repository = try BlobReaders.shared.reader(gitDirectory)
          var entry: [UInt8] = []
          guard let bytes = try? repository.blob(blob) else {
            Self.appendEntry(blob, SyntaxTree.parse([]).tree?.value, to: &entry)
            return (entry, false)
          }
          Self.appendEntry(blob, SyntaxTree.parse(bytes).tree?.value, to: &entry)
          return (entry, true)
        }
      }.map { try $0.get() }
      var batch: [UInt8] = []
      batch.reserveCapacity(encoded.reduce(0) { $0 + $1.entry.count })
      var places: [(blob: ObjectID, start: Int, readable: Bool)] = []
      for (blob, (entry, readable)) in zip(chunk, encoded) {
        places.append((blob, batch.count, readable))
        batch.append(contentsOf: entry)
      }
      let shared = SharedBytes(batch)
      lock.lock()
      defer { lock.unlock() }
      shared.read { buffer in
        for place in places {
          let offset = Self.entryValue(buffer, at: place.start) ?? nil
          remember(place.blob, offset.map { EncodedValue(shared, at: $0) })
        }
      }
      let kept = { (place: (blob: ObjectID, start: Int, readable: Bool)) in
        place.readable && place.blob.bytes.count == 20
      }
      if path != nil, places.allSatisfy(kept) {
        added.append(batch)
      } else if path != nil {
        var part: [UInt8] = []
        for (index, place) in places.enumerated() where kept(place) {
          let end = index + 1 < places.count ? places[index + 1].start : batch.count
          part.append(contentsOf: batch[place.start..<end])
        }
        added.append(part)
      }
      stats.parsed += chunk.count
    }
  }

  /// Adds the entries parsed this run to the file (and rewrites the index when it falls
  /// behind), or — after a run that read the whole file and found it damaged or outgrown —
  /// writes the file anew. Failures are ignored: the file is a speed-up.
  public func save() {
    lock.lock()
    defer { lock.unlock() }
    guard let path, loaded || indexOpened else { return }
    if loaded {
      let addedCount = added.reduce(0) { $0 + Self.countEntries($1) }
      let keepAll = entries.count + addedCount <= Self.growth * max(used.count + addedCount, 1)
      if generation == nil || damaged {
        if !addedIsEmpty || damaged { rewrite(path, keepAll: keepAll) }
      } else if !addedIsEmpty && !keepAll {
        rewrite(path, keepAll: false)
      } else if !addedIsEmpty || (index == nil && !entries.isEmpty) {
        append(path)
      }
    } else if !addedIsEmpty {
      append(path)
    }
    added = []
    damaged = false
  }

  // MARK: Reading the whole file

  /// Reads the file and finds its entries (their values are checked when used), once.
  private func load() {
    guard !loaded else { return }
    loaded = true
    guard let path, let mapped = SharedBytes(contentsOf: path) else { return }
    guard let found = mapped.read(Self.generation) else {
      damaged = true
      return
    }
    // Offsets looked up earlier in this run belong to the file as it was then: a file
    // rewritten since (another generation) has other entries at them.
    if let earlier = generation, earlier != found { used.removeAll() }
    file = mapped
    generation = found
    var entries: [ObjectKey: Int] = [:]
    let (end, torn) = file.read { buffer in
      let end = Self.forEachEntry(buffer, from: Self.fileHeaderSize) { entries[$0] = $1 }
      return (end, end < buffer.count)
    }
    self.entries = entries
    knownEnd = end
    damaged = torn
  }

  /// The generation in a file's header; nil when it is not a values file.
  static func generation(_ buffer: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
    guard buffer.count >= fileHeaderSize, buffer.starts(with: magic) else { return nil }
    return Array(buffer[magic.count..<fileHeaderSize])
  }

  // MARK: Looking entries up

  /// Opens the index, once, when it belongs to the file as it is now, and finds the entries
  /// appended after what it covers. Without a usable index, nothing is set (the whole file
  /// is read instead).
  private func openIndex() {
    guard !indexOpened else { return }
    indexOpened = true
    guard let path, let indexPath else { return }
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return }
    let size = Int(info.st_size)
    guard let header = Self.read(fd, at: 0, count: Self.fileHeaderSize),
      let found = header.withUnsafeBufferPointer(Self.generation)
    else { return }
    generation = found
    guard let mapped = SharedBytes(contentsOf: indexPath, populate: false) else { return }
    let shape: (count: Int, covered: Int)? = mapped.read { buffer in
      guard buffer.count >= Self.indexHeaderSize, buffer.starts(with: Self.indexMagic),
        Array(buffer[8..<(8 + Self.generationSize)]) == found
      else { return nil }
      let covered = Self.fixed64(buffer, at: 8 + Self.generationSize)
      let count = Self.fixed64(buffer, at: 16 + Self.generationSize)
      guard covered >= UInt64(Self.fileHeaderSize), covered <= UInt64(size),
        count <= UInt64(buffer.count / Self.indexEntrySize),
        buffer.count == Self.indexHeaderSize + Int(count) * Self.indexEntrySize
      else { return nil }
      return (Int(count), Int(covered))
    }
    guard let shape else { return }
    // The entries appended since the index was written: few (it is rewritten past
    // ``tailLimit``), read in one go.
    var tail: [ObjectKey: Int] = [:]
    var end = shape.covered
    if size > shape.covered {
      guard let bytes = Self.read(fd, at: shape.covered, count: size - shape.covered) else { return }
      end = bytes.withUnsafeBufferPointer { buffer in
        Self.forEachEntry(buffer, from: 0, base: shape.covered) { tail[$0] = $1 }
      }
    }
    index = mapped
    indexCount = shape.count
    indexCovered = shape.covered
    self.tail = tail
    knownEnd = end
  }

  /// Finds each of `blobs` through the index (or the tail after it) and reads its entry;
  /// what is not there, or fails its checksum, is `missing`.
  private func lookUp(_ blobs: [ObjectID], missing: inout [ObjectID], missingSeen: inout Set<ObjectID>) {
    guard let path, let index else { return }
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    defer { if fd >= 0 { close(fd) } }
    var info = stat()
    let size = fd >= 0 && fstat(fd, &info) == 0 ? Int(info.st_size) : 0
    for blob in blobs {
      if remembered(blob) != nil {
        stats.fromMemory += 1
        continue
      }
      if fd >= 0, let key = ObjectKey(blob), let start = tail[key] ?? Self.find(key, in: index, count: indexCount),
        let entry = Self.readEntry(fd, at: start, key: key, size: size)
      {
        remember(blob, entry)
        used.append(start)
        stats.fromFile += 1
        stats.lookedUp += 1
        continue
      }
      if missingSeen.insert(blob).inserted { missing.append(blob) }
    }
  }

  /// The offset the index gives for `key` (binary search over its sorted entries).
  static func find(_ key: ObjectKey, in index: SharedBytes, count: Int) -> Int? {
    index.read { buffer in
      let raw = UnsafeRawBufferPointer(buffer)
      var low = 0
      var high = count
      while low < high {
        let middle = (low + high) / 2
        let at = indexHeaderSize + middle * indexEntrySize
        let probe = ObjectKey(raw, at: at)
        if probe == key { return Int(exactly: fixed64(buffer, at: at + 20)) }
        if probe.precedes(key) { low = middle + 1 } else { high = middle }
      }
      return nil
    }
  }

  /// The entry at `start` of the file when it is `key`'s and intact: `.some(value)`, or
  /// `.some(nil)` for a blob without a value; nil otherwise.
  static func readEntry(_ fd: Int32, at start: Int, key: ObjectKey, size: Int) -> EncodedValue?? {
    guard start >= fileHeaderSize, let header = read(fd, at: start, count: headerSize) else { return nil }
    let (found, length): (ObjectKey, UInt64) = header.withUnsafeBufferPointer {
      (ObjectKey(UnsafeRawBufferPointer($0), at: 0), fixed64($0, at: 20))
    }
    guard found == key, length >= 1, length <= UInt64(max(0, size - start - headerSize)),
      let body = read(fd, at: start + headerSize, count: Int(length))
    else { return nil }
    let sum = header.withUnsafeBufferPointer { fixed64($0, at: 28) }
    guard Checksum.of(body) == sum else { return nil }
    switch body[0] {
    case 0: return .some(nil)
    case 1: return .some(EncodedValue(SharedBytes(body), at: 1))
    default: return nil
    }
  }

  /// `count` bytes at `offset` of `fd`; nil when they cannot all be read.
  static func read(_ fd: Int32, at offset: Int, count: Int) -> [UInt8]? {
    var bytes = [UInt8](repeating: 0, count: count)
    var done = 0
    let ok = bytes.withUnsafeMutableBytes { buffer -> Bool in
      while done < count {
        let got = pread(fd, buffer.baseAddress! + done, count - done, off_t(offset + done))
        if got < 0 && errno == EINTR { continue }
        guard got > 0 else { return false }
        done += got
      }
      return true
    }
    return ok ? bytes : nil
  }

  // MARK: Writing

  /// Appends this run's entries to the file under its lock, after cutting off a torn tail,
  /// and rewrites the index when it does not cover the file closely enough.
  private func append(_ path: String) {
    guard let generation else { return }
    let fd = open(path, O_RDWR | O_CLOEXEC)
    guard fd >= 0 else { return }
    defer { close(fd) }
    guard flock(fd, LOCK_EX) == 0 else { return }
    defer { _ = flock(fd, LOCK_UN) }
    // The file must still be the one this run read (not rewritten meanwhile) and at least as
    // long as this run knows it.
    var info = stat()
    guard fstat(fd, &info) == 0, let header = Self.read(fd, at: 0, count: Self.fileHeaderSize),
      header.withUnsafeBufferPointer(Self.generation) == generation, Int(info.st_size) >= knownEnd
    else { return }
    let size = Int(info.st_size)
    // What other runs appended since this one read the file; a torn entry ends it.
    var others: [(ObjectKey, Int)] = []
    var end = knownEnd
    if size > knownEnd {
      guard let bytes = Self.read(fd, at: knownEnd, count: size - knownEnd) else { return }
      end = bytes.withUnsafeBufferPointer { buffer in
        Self.forEachEntry(buffer, from: 0, base: knownEnd) { others.append(($0, $1)) }
      }
    }
    if end < size {
      guard ftruncate(fd, off_t(end)) == 0 else { return }
    }
    var mine: [(ObjectKey, Int)] = []
    var newEnd = end
    for part in added where !part.isEmpty {
      _ = part.withUnsafeBufferPointer { buffer in
        Self.forEachEntry(buffer, from: 0, base: newEnd) { mine.append(($0, $1)) }
      }
      guard Self.write(fd, part, at: newEnd) else {
        _ = ftruncate(fd, off_t(end))
        return
      }
      newEnd += part.count
    }
    // The index, rewritten when there is none or too much follows what it covers.
    let following =
      (loaded ? entries.values.lazy.filter { $0 >= self.indexCovered }.count : tail.count) + others.count + mine.count
    guard index == nil || following > tailLimit else { return }
    var pairs: [(ObjectKey, Int)]
    if loaded {
      var all = entries
      for (key, start) in others + mine { all[key] = start }
      pairs = all.map { ($0.key, $0.value) }
      pairs.sort { $0.0.precedes($1.0) }
    } else {
      var newer = tail
      for (key, start) in others + mine { newer[key] = start }
      var sortedNewer = newer.map { ($0.key, $0.value) }
      sortedNewer.sort { $0.0.precedes($1.0) }
      pairs = Self.merge(index: index, count: indexCount, with: sortedNewer)
    }
    writeIndex(pairs, generation: generation, covered: newEnd)
  }

  /// The index's entries and `newer` (sorted), one sorted list; `newer` wins on equal ids.
  static func merge(index: SharedBytes?, count: Int, with newer: [(ObjectKey, Int)]) -> [(ObjectKey, Int)] {
    guard let index else { return newer }
    var out: [(ObjectKey, Int)] = []
    out.reserveCapacity(count + newer.count)
    index.read { buffer in
      let raw = UnsafeRawBufferPointer(buffer)
      var next = 0
      for position in 0..<count {
        let at = indexHeaderSize + position * indexEntrySize
        let key = ObjectKey(raw, at: at)
        while next < newer.count, newer[next].0.precedes(key) {
          out.append(newer[next])
          next += 1
        }
        if next < newer.count, newer[next].0 == key { continue }
        out.append((key, Int(truncatingIfNeeded: fixed64(buffer, at: at + 20))))
      }
      out.append(contentsOf: newer[next...])
    }
    return out
  }

  /// Writes the file anew (a new generation): the entries this run used, or all it found
  /// when it keeps all; then this run's; then its index. The pieces are written as they are
  /// (a first run at a million records parses hundreds of megabytes of values: joined, they
  /// were held twice).
  private func rewrite(_ path: String, keepAll: Bool) {
    var generation = [UInt8](repeating: 0, count: Self.generationSize)
    var random = SystemRandomNumberGenerator()
    for position in generation.indices { generation[position] = UInt8.random(in: 0...255, using: &random) }
    let header = Self.magic + generation
    let starts = keepAll ? Array(entries.values).sorted() : Array(Set(used)).sorted()
    var all: [ObjectKey: Int] = [:]
    var covered = 0
    try? FileSystem.createDirectory(FileSystem.parentDirectory(of: path))
    let written: Void? = try? FileSystem.writeAtomically(path) { write in
      guard header.withUnsafeBytes(write) else { return }
      covered = header.count
      let kept = file.read { buffer -> Bool in
        let raw = UnsafeRawBufferPointer(buffer)
        for start in starts {
          guard let end = Self.entryEnd(buffer, at: start) else { continue }
          all[ObjectKey(raw, at: start)] = covered
          guard write(UnsafeRawBufferPointer(rebasing: raw[start..<end])) else { return false }
          covered += end - start
        }
        return true
      }
      guard kept else { return }
      for part in added where !part.isEmpty {
        _ = part.withUnsafeBufferPointer { buffer in
          Self.forEachEntry(buffer, from: 0, base: covered) { all[$0] = $1 }
        }
        guard part.withUnsafeBytes(write) else { return }
        covered += part.count
      }
    }
    guard written != nil else { return }
    var pairs = all.map { ($0.key, $0.value) }
    pairs.sort { $0.0.precedes($1.0) }
    writeIndex(pairs, generation: generation, covered: covered)
  }

  /// Writes the index of the file of `generation` up to `covered`, by a rename.
  private func writeIndex(_ pairs: [(ObjectKey, Int)], generation: [UInt8], covered: Int) {
    guard let indexPath else { return }
    var out = Self.indexMagic + generation
    out.reserveCapacity(Self.indexHeaderSize + pairs.count * Self.indexEntrySize)
    HistoryCache.putFixed64(UInt64(covered), into: &out)
    HistoryCache.putFixed64(UInt64(pairs.count), into: &out)
    for (key, start) in pairs {
      key.append(to: &out)
      HistoryCache.putFixed64(UInt64(start), into: &out)
    }
    try? FileSystem.writeAtomically(indexPath, out)
  }

  /// Writes all of `bytes` at `offset` of `fd`.
  static func write(_ fd: Int32, _ bytes: [UInt8], at offset: Int) -> Bool {
    bytes.withUnsafeBytes { buffer in
      var done = 0
      while done < buffer.count {
        let wrote = pwrite(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
        if wrote < 0 && errno == EINTR { continue }
        guard wrote > 0 else { return false }
        done += wrote
      }
      return true
    }
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
    var count = 0
    _ = bytes.withUnsafeBufferPointer { forEachEntry($0, from: 0) { _, _ in count += 1 } }
    return count
  }

  /// Calls `body` with the blob id and start (plus `base`: where `buffer` begins in the file)
  /// of each intact entry from `start` on; returns where the last of them ends (before the
  /// buffer's end when the entries after it are cut off).
  static func forEachEntry(
    _ buffer: UnsafeBufferPointer<UInt8>, from start: Int, base: Int = 0, _ body: (ObjectKey, Int) -> Void
  ) -> Int {
    var start = start
    while start < buffer.count, let next = entryEnd(buffer, at: start) {
      body(ObjectKey(UnsafeRawBufferPointer(buffer), at: start), base + start)
      start = next
    }
    return base + start
  }
}
