import Foundation
import TallyGit
import TallySchema
import TallyText

/// The outcome of the last check of a git snapshot, file by file, with what it takes to
/// check the next snapshot incrementally: `.git/tally/check-state`.
///
/// Per file (in the snapshot's path order): its path and blob id, whether it is a record
/// (of which type, and whether it parsed), the records it refers to and its unique values
/// (as 64-bit hashes), and every diagnostic reported on it. A snapshot that differs in a few
/// files is then checked by validating those files, the records whose cross-record checks
/// they can change (those that refer to them, directly or through other records; those that
/// share a unique value; all records of a type whose references must not loop), and the
/// records those read — the diagnostics of every other file are taken from here.
///
/// Hashes only ever widen what is checked again (two keys with one hash make a record look
/// affected when it is not), so a collision costs time, never a missed problem.
///
/// Like the check cache, the file is valid for one schema key, one day and one way of
/// showing paths; it is checksummed as a whole and written atomically, and anything it does
/// not match is ignored (the next check is a full one, which writes a new state).
final class CheckState: @unchecked Sendable {
  static let magic = Array("TALLYCS1".utf8)

  let schemaKey: String
  let today: String
  let displayProbe: String
  /// The entries, one after another (see ``Entry``).
  let bytes: [UInt8]
  let layouts: [Layout]

  /// Where one entry's parts are in `bytes`.
  struct Layout {
    var start: Int32
    var end: Int32
    var path: Int32
    var pathLength: Int32
    var key: Int32
    var keyLength: Int32
    /// 0: not a record; 1: a record that did not parse; 2: a record with a summary.
    var kind: Int8
    var type: Int32
    var edges: Int32
    var edgeCount: Int32
    var uniques: Int32
    var uniqueCount: Int32
    var diagnostics: Int32
    var diagnosticsLength: Int32
  }

  var count: Int { layouts.count }

  init(schemaKey: String, today: String, displayProbe: String, bytes: [UInt8], layouts: [Layout]) {
    self.schemaKey = schemaKey
    self.today = today
    self.displayProbe = displayProbe
    self.bytes = bytes
    self.layouts = layouts
  }

  /// What a way of showing paths looks like, to tell whether stored diagnostics name files
  /// the way this run does (running from another directory shows them differently).
  static func displayProbe(_ display: (String) -> String) -> String { display("probe/file.yaml") }

  func matches(schemaKey: String, today: CivilDate, displayProbe: String) -> Bool {
    self.schemaKey == schemaKey && self.today == today.description && self.displayProbe == displayProbe
  }

  // MARK: Reading entries

  func path(_ entry: Int) -> String {
    let layout = layouts[entry]
    return String(decoding: bytes[Int(layout.path)..<Int(layout.path + layout.pathLength)], as: UTF8.self)
  }

  /// Compares `text`'s UTF-8 bytes with the stored bytes at `start` (`length` of them).
  func compare(_ text: String, _ start: Int32, _ length: Int32) -> Int {
    var text = text
    return text.withUTF8 { utf8 in
      bytes.withUnsafeBufferPointer { all in
        RepositoryChecker.compareBytes(utf8, UnsafeBufferPointer(rebasing: all[Int(start)..<Int(start + length)]))
      }
    }
  }

  func uniques(_ entry: Int) -> UnsafeWords { words(layouts[entry].uniques, layouts[entry].uniqueCount) }

  /// 64-bit words stored at `start` (little-endian).
  struct UnsafeWords: Sequence {
    let bytes: [UInt8]
    let start: Int
    let count: Int

    func makeIterator() -> AnyIterator<UInt64> {
      var index = 0
      return AnyIterator {
        guard index < count else { return nil }
        defer { index += 1 }
        return bytes.withUnsafeBytes {
          UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: start + index * 8, as: UInt64.self))
        }
      }
    }
  }

  private func words(_ start: Int32, _ count: Int32) -> UnsafeWords {
    UnsafeWords(bytes: bytes, start: Int(start), count: Int(count))
  }

  /// The entries of parsed records that refer to a record in `records` (their hashes), hold
  /// a unique value in `uniques`, or are of a type in `types`, among those `include` takes:
  /// one pass over the layouts and words, nothing made per entry (a million entries looked
  /// at one by one, as words of their own, took 50 ms).
  func entries(
    referringTo records: Set<UInt64>, holding uniques: Set<UInt64>, ofTypes types: Set<Int>,
    include: (Int) -> Bool
  ) -> [Int] {
    if records.isEmpty && uniques.isEmpty && types.isEmpty { return [] }
    // A few hashes are compared one by one; more are looked up.
    let fewRecords = records.count <= 8 ? Array(records) : nil
    let fewUniques = uniques.count <= 8 ? Array(uniques) : nil
    var typeFlags = [Bool](repeating: false, count: (types.max() ?? -1) + 1)
    for type in types { typeFlags[type] = true }
    func member(_ word: UInt64, _ few: [UInt64]?, _ set: Set<UInt64>) -> Bool {
      if let few { return few.contains(word) }
      return set.contains(word)
    }
    var found: [Int] = []
    bytes.withUnsafeBytes { raw in
      layouts.withUnsafeBufferPointer { layouts in
        func any(_ start: Int32, _ count: Int32, _ few: [UInt64]?, _ set: Set<UInt64>) -> Bool {
          if count == 0 || set.isEmpty { return false }
          for index in 0..<Int(count) {
            let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: Int(start) + index * 8, as: UInt64.self))
            if member(word, few, set) { return true }
          }
          return false
        }
        for entry in layouts.indices {
          let layout = layouts[entry]
          guard layout.kind == 2 else { continue }
          let hit =
            (Int(layout.type) < typeFlags.count && typeFlags[Int(layout.type)])
            || any(layout.edges, layout.edgeCount, fewRecords, records)
            || any(layout.uniques, layout.uniqueCount, fewUniques, uniques)
          if hit && include(entry) { found.append(entry) }
        }
      }
    }
    return found
  }

  func diagnostics(_ entry: Int) -> [Diagnostic] {
    let layout = layouts[entry]
    if layout.diagnosticsLength <= 1 { return [] }
    var reader = CheckCacheStore.Reader(bytes: bytes, position: Int(layout.diagnostics))
    return Self.readDiagnostics(&reader) ?? []
  }

  /// The bytes of an entry as stored, to copy into the next state unchanged.
  func entryBytes(_ entry: Int) -> ArraySlice<UInt8> {
    bytes[Int(layouts[entry].start)..<Int(layouts[entry].end)]
  }

  // MARK: Writing entries

  /// One entry, encoded: what ``Builder`` appends.
  struct Entry {
    var path: String
    var key: String
    var kind: Int8
    var type: Int
    var edges: [UInt64]
    var uniques: [UInt64]
    var diagnostics: [Diagnostic]

    /// The entry of a file that is not a record, or of a record with its summary (nil: it
    /// did not parse).
    init(path: String, key: String, record: (type: Int, summary: RecordSummary?)?, diagnostics: [Diagnostic]) {
      self.path = path
      self.key = key
      self.diagnostics = diagnostics
      guard let record else {
        kind = 0
        type = 0
        edges = []
        uniques = []
        return
      }
      type = record.type
      guard let summary = record.summary else {
        kind = 1
        edges = []
        uniques = []
        return
      }
      kind = 2
      var seen = Set<UInt64>()
      edges = summary.references.compactMap { use in
        let hash = CheckState.recordKey(type: use.target, id: use.id)
        return seen.insert(hash).inserted ? hash : nil
      }
      uniques = summary.uniqueValues.map {
        CheckState.uniqueKey(type: summary.type, field: $0.field, value: $0.value)
      }
    }

    func encode(into out: inout [UInt8]) {
      CheckCacheStore.Writer.string(path, into: &out)
      CheckCacheStore.Writer.string(key, into: &out)
      out.append(UInt8(kind))
      CheckCacheStore.Writer.int(type, into: &out)
      CheckCacheStore.Writer.int(edges.count, into: &out)
      for edge in edges { withUnsafeBytes(of: edge.littleEndian) { out.append(contentsOf: $0) } }
      CheckCacheStore.Writer.int(uniques.count, into: &out)
      for unique in uniques { withUnsafeBytes(of: unique.littleEndian) { out.append(contentsOf: $0) } }
      var encoded: [UInt8] = []
      if !diagnostics.isEmpty { CheckState.writeDiagnostics(diagnostics, into: &encoded) }
      CheckCacheStore.Writer.int(encoded.count, into: &out)
      out += encoded
    }
  }

  /// Collects entries into a state.
  struct Builder {
    var bytes: [UInt8] = []
    var count = 0

    init(capacity: Int) { bytes.reserveCapacity(capacity) }

    mutating func append(_ entry: Entry) {
      entry.encode(into: &bytes)
      count += 1
    }

    mutating func append(copyOf entry: Int, in state: CheckState) {
      bytes += state.entryBytes(entry)
      count += 1
    }

    func build(schemaKey: String, today: CivilDate, displayProbe: String) -> CheckState? {
      guard let layouts = CheckState.layouts(of: bytes, count: count) else { return nil }
      return CheckState(
        schemaKey: schemaKey, today: today.description, displayProbe: displayProbe, bytes: bytes, layouts: layouts)
    }
  }

  /// The entries' layouts, or nil when the bytes do not hold `count` well-formed entries.
  static func layouts(of bytes: [UInt8], count: Int) -> [Layout]? {
    guard bytes.count < Int(Int32.max) else { return nil }
    return bytes.withUnsafeBufferPointer { all -> [Layout]? in
      // Read through a pointer, a million entries in a few tens of milliseconds (the state
      // is read on every staged check), into a table in huge pages.
      var cursor = Cursor(all)
      var complete = true
      let layouts = [Layout](unsafeUninitializedCapacity: count) { layouts, initialized in
        LargeMemory.advise(UnsafeMutableRawPointer(layouts.baseAddress), count: count * MemoryLayout<Layout>.stride)
        initialized = 0
        complete = cursor.layouts(into: layouts, count: count, &initialized) && cursor.position == all.count
      }
      return complete ? layouts : nil
    }
  }

  /// A position in a state's bytes, reading its numbers (as ``CheckCacheStore/Writer``
  /// writes them) and skipping its parts, never past the end.
  private struct Cursor {
    let bytes: UnsafeBufferPointer<UInt8>
    var position = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// Reads `count` entries' layouts into `layouts`, counting them in `initialized`; false
    /// at the first that is not well-formed.
    mutating func layouts(into layouts: UnsafeMutableBufferPointer<Layout>, count: Int, _ initialized: inout Int)
      -> Bool
    {
      for _ in 0..<count {
        let start = position
        guard let pathLength = length(), let path = skip(pathLength),
          let keyLength = length(), let key = skip(keyLength),
          let kind = byte(), kind <= 2,
          let type = int(), type < Int(Int32.max),
          let edgeCount = length(multiple: 8), let edges = skip(edgeCount * 8),
          let uniqueCount = length(multiple: 8), let uniques = skip(uniqueCount * 8),
          let diagnosticsLength = length(), let diagnostics = skip(diagnosticsLength)
        else { return false }
        (layouts.baseAddress! + initialized).initialize(
          to: Layout(
            start: Int32(start), end: Int32(position), path: Int32(path), pathLength: Int32(pathLength),
            key: Int32(key), keyLength: Int32(keyLength), kind: Int8(kind), type: Int32(type), edges: Int32(edges),
            edgeCount: Int32(edgeCount), uniques: Int32(uniques), uniqueCount: Int32(uniqueCount),
            diagnostics: Int32(diagnostics), diagnosticsLength: Int32(diagnosticsLength)))
        initialized += 1
      }
      return true
    }

    mutating func byte() -> UInt8? {
      guard position < bytes.count else { return nil }
      defer { position += 1 }
      return bytes[position]
    }

    mutating func int() -> Int? { CheckCacheStore.Reader.int(in: bytes, at: &position) }

    /// A length of that many parts of `multiple` bytes that fit in what is left.
    mutating func length(multiple: Int = 1) -> Int? {
      guard let value = int(), value >= 0, value <= (bytes.count - position) / multiple else { return nil }
      return value
    }

    /// Skips `count` bytes (known to fit); where they started.
    mutating func skip(_ count: Int) -> Int? {
      defer { position += count }
      return position
    }
  }

  // MARK: Keys

  /// The hash of a record's identity, as references name it.
  static func recordKey(type: String, id: String) -> UInt64 { hash(type, id) }

  /// The hash of a value of a unique field.
  static func uniqueKey(type: String, field: String, value: String) -> UInt64 { hash(type, field, value) }

  private static func hash(_ parts: String...) -> UInt64 {
    var bytes: [UInt8] = []
    for part in parts {
      bytes += part.utf8
      bytes.append(0)
    }
    return Checksum.of(bytes)
  }

  // MARK: Diagnostics

  static func writeDiagnostics(_ diagnostics: [Diagnostic], into out: inout [UInt8]) {
    typealias W = CheckCacheStore.Writer
    W.int(diagnostics.count, into: &out)
    for diagnostic in diagnostics {
      let severity: UInt8 =
        switch diagnostic.severity {
        case .error: 0
        case .warning: 1
        case .note: 2
        }
      out.append(severity)
      W.string(diagnostic.code, into: &out)
      W.string(diagnostic.message, into: &out)
      W.string(diagnostic.path, into: &out)
      W.range(diagnostic.range, into: &out)
      optional(diagnostic.hint, into: &out)
      optional(diagnostic.field, into: &out)
      W.int(diagnostic.notes.count, into: &out)
      for note in diagnostic.notes {
        W.string(note.message, into: &out)
        optional(note.path, into: &out)
        W.range(note.range, into: &out)
      }
    }
  }

  private static func optional(_ text: String?, into out: inout [UInt8]) {
    guard let text else {
      out.append(0)
      return
    }
    out.append(1)
    CheckCacheStore.Writer.string(text, into: &out)
  }

  static func readDiagnostics(_ reader: inout CheckCacheStore.Reader) -> [Diagnostic]? {
    guard let count = reader.int(), count >= 0, count < 1 << 24 else { return nil }
    var diagnostics: [Diagnostic] = []
    for _ in 0..<count {
      guard let severity = reader.int(), severity <= 2, let code = reader.string(), let message = reader.string(),
        let path = reader.string(), let range = reader.range(), let hint = readOptional(&reader),
        let field = readOptional(&reader), let noteCount = reader.int(), noteCount >= 0, noteCount < 1 << 16
      else { return nil }
      var notes: [Diagnostic.Note] = []
      for _ in 0..<noteCount {
        guard let message = reader.string(), let path = readOptional(&reader), let range = reader.range() else {
          return nil
        }
        notes.append(Diagnostic.Note(message: message, path: path, range: range))
      }
      diagnostics.append(
        Diagnostic(
          [Severity.error, .warning, .note][severity], code: code, message: message, path: path, range: range,
          hint: hint, notes: notes, field: field))
    }
    return diagnostics
  }

  private static func readOptional(_ reader: inout CheckCacheStore.Reader) -> String?? {
    guard let flag = reader.int() else { return nil }
    if flag == 0 { return .some(nil) }
    guard flag == 1, let text = reader.string() else { return nil }
    return .some(text)
  }

  // MARK: The file

  static func path(gitDirectory: String) -> String { gitDirectory + "/tally/check-state" }

  /// The state of the working tree's last check (files known by their stat data).
  static func workingTreePath(gitDirectory: String) -> String { gitDirectory + "/tally/worktree-state" }

  /// Where the working tree's listing keeps its folders (see ``FolderCache``).
  static func folderCachePath(gitDirectory: String) -> String { gitDirectory + "/tally/worktree-folders" }

  /// The stored state, or nil when there is none or it is damaged.
  static func load(from file: String) -> CheckState? {
    guard var body = try? FileSystem.read(file) else { return nil }
    let header: (schemaKey: String, today: String, probe: String, count: Int, checksum: UInt64, length: Int)? = {
      var reader = CheckCacheStore.Reader(bytes: body)
      guard reader.bytes(magic.count) == magic, let schemaKey = reader.string(), let today = reader.string(),
        let probe = reader.string(), let count = reader.int(), count >= 0, count <= body.count,
        let checksum = reader.fixed64()
      else { return nil }
      return (schemaKey, today, probe, count, checksum, reader.position)
    }()
    guard let header else { return nil }
    let (schemaKey, today, probe, count, checksum) = (
      header.schemaKey, header.today, header.probe, header.count, header.checksum
    )
    // The header taken off in place: a copy of 90 MB of entries was a fifth of the read.
    body.removeSubrange(0..<header.length)
    guard Checksum.of(body) == checksum, let layouts = layouts(of: body, count: count) else { return nil }
    return CheckState(schemaKey: schemaKey, today: today, displayProbe: probe, bytes: body, layouts: layouts)
  }

  /// Writes the state (to a temporary file renamed into place).
  func save(to file: String) {
    var out = Self.magic
    out.reserveCapacity(bytes.count + 4096)
    CheckCacheStore.Writer.string(schemaKey, into: &out)
    CheckCacheStore.Writer.string(today, into: &out)
    CheckCacheStore.Writer.string(displayProbe, into: &out)
    CheckCacheStore.Writer.int(count, into: &out)
    withUnsafeBytes(of: Checksum.of(bytes).littleEndian) { out.append(contentsOf: $0) }
    out += bytes
    try? FileSystem.createDirectory(FileSystem.parentDirectory(of: file))
    try? FileSystem.writeAtomically(file, out)
  }
}
