import Foundation
import TallySchema
import TallyText

/// The check cache on disk, in the git directory (never in the working tree):
/// `.git/tally/check-cache`. It keeps, per blob and path, what the checks across records
/// need from a record that had no problems of its own — its references, unique values and
/// state fields — so a later run reads those instead of parsing the file again.
///
/// The file is valid for one schema key and one day ("today" changes rules such as "not in
/// the future"); anything else, and any file that is torn, fails a checksum or is
/// unreadable, is ignored as a whole and rebuilt. Entries carry their lengths and are
/// checksummed in chunks, so that they are verified and decoded on all cores. It is written to a temporary file and renamed into place, so concurrent runs and
/// a killed process leave either the old file or the new one.
///
/// Records whose checks need their whole value (rules that read other records, conditions
/// on the referring record) and records with problems are not stored: they are validated
/// every time.
enum CheckCacheStore {
  static let magic = Array("TALLYCC4".utf8)
  /// Entries are checksummed and decoded in chunks of this many.
  static let chunkSize = 1024

  static func path(gitDirectory: String) -> String { gitDirectory + "/tally/check-cache" }

  /// Loads the stored entries for `schemaKey` and `today` into `cache`.
  static func load(
    into cache: CheckCache, from file: String, schemaKey: String, today: CivilDate, repository: RecordsRepository
  ) {
    guard let bytes = try? FileSystem.read(file) else { return }
    var reader = Reader(bytes: bytes)
    guard reader.bytes(magic.count) == magic, reader.string() == schemaKey, reader.string() == today.description,
      let count = reader.int(), count >= 0, count <= bytes.count
    else { return }
    // Each entry's length comes first, so that the entries can be decoded on all cores.
    var starts: [Int] = []
    starts.reserveCapacity(count + 1)
    var total = 0
    for _ in 0..<count {
      guard let length = reader.int(), length > 0 else { return }
      starts.append(total)
      total += length
    }
    starts.append(total)
    let chunks = stride(from: 0, to: count, by: chunkSize).map { $0..<min($0 + chunkSize, count) }
    var checksums: [UInt64] = []
    for _ in chunks {
      guard let checksum = reader.fixed64() else { return }
      checksums.append(checksum)
    }
    guard reader.position + total == bytes.count else { return }
    let base = reader.position
    let entryStarts = starts
    let chunkChecksums = checksums
    let decoded = parallelMap(Array(chunks.enumerated()), batch: 1) {
      (number, chunk) -> [(String, CheckCache.Entry)]? in
      let range = (base + entryStarts[chunk.lowerBound])..<(base + entryStarts[chunk.upperBound])
      guard
        bytes.withUnsafeBufferPointer({ Checksum.of(UnsafeBufferPointer(rebasing: $0[range])) })
          == chunkChecksums[number]
      else { return nil }
      var entries: [(String, CheckCache.Entry)] = []
      entries.reserveCapacity(chunk.count)
      var lastType: RecordType?
      var specs: [String: ReferenceSpec] = [:]
      for index in chunk {
        var entryReader = Reader(bytes: bytes, position: base + entryStarts[index])
        guard let entry = decodeEntry(&entryReader, repository: repository, lastType: &lastType, specs: &specs),
          entryReader.position == base + entryStarts[index + 1]
        else { return nil }
        entries.append(entry)
      }
      return entries
    }
    var entries: [(String, CheckCache.Entry)] = []
    entries.reserveCapacity(count)
    for chunk in decoded {
      // A damaged file is ignored as a whole: the cache is rebuilt, never half trusted.
      guard let chunk else { return }
      entries += chunk
    }
    cache.preload(entries)
  }

  /// One entry: its cache key and the record's summary.
  ///
  /// `lastType` keeps the record type of the previous entry: entries of one type follow each
  /// other, and looking a type up copies it.
  ///
  /// `specs` keeps the reference specs found for `lastType` by the shape of their field's
  /// path (`follow_ups[].by`): finding one walks the schema, copying what it passes.
  static func decodeEntry(
    _ reader: inout Reader, repository: RecordsRepository, lastType: inout RecordType?,
    specs: inout [String: ReferenceSpec]
  ) -> (String, CheckCache.Entry)? {
    guard let key = reader.string(), let path = reader.string(), let type = reader.string(), let id = reader.string()
    else { return nil }
    if lastType?.name != type {
      lastType = repository.schema.type(named: type)
      specs = [:]
    }
    guard let recordType = lastType else { return nil }
    var summary = RecordSummary(type: type, id: id, path: repository.displayPath(path))
    guard let references = reader.int() else { return nil }
    for _ in 0..<references {
      guard let field = reader.fieldPath(), let target = reader.string(),
        let targetID = reader.string(), let range = reader.range()
      else { return nil }
      let shape = Self.shape(of: field)
      let spec: ReferenceSpec
      if let known = specs[shape] {
        spec = known
      } else {
        guard let found = recordType.referenceSpec(at: field) else { return nil }
        specs[shape] = found
        spec = found
      }
      summary.references.append(.init(field: field, target: target, id: targetID, range: range, spec: spec))
    }
    guard let uniques = reader.int() else { return nil }
    for _ in 0..<uniques {
      guard let field = reader.string(), let value = reader.string(), let range = reader.range() else { return nil }
      summary.uniqueValues.append(.init(field: field, value: value, range: range))
    }
    guard let states = reader.int() else { return nil }
    for _ in 0..<states {
      guard let field = reader.string(), let value = reader.string(), let range = reader.range() else { return nil }
      summary.states.append(.init(field: field, value: value, range: range))
    }
    return (key, CheckCache.Entry(summary: summary, diagnostics: []))
  }

  /// A field path without its list positions (`follow_ups[].by`, written with control
  /// characters that no key holds): paths of one shape have the same spec.
  static func shape(of path: FieldPath) -> String {
    var shape = ""
    for component in path.components {
      switch component {
      case .key(let key):
        shape += "\u{0}"
        shape += key
      case .index:
        shape += "\u{1}"
      }
    }
    return shape
  }

  static func save(_ cache: CheckCache, to file: String, today: CivilDate) {
    var out: [UInt8] = magic
    out.reserveCapacity(1 << 20)
    Writer.string(cache.schemaKey, into: &out)
    Writer.string(today.description, into: &out)
    let entries = cache.storable()
    Writer.int(entries.count, into: &out)
    var body: [UInt8] = []
    body.reserveCapacity(1 << 20)
    var lengths: [UInt8] = []
    // Where each entry starts in the body (and, last, its end).
    var starts = [0]
    for (key, path, summary) in entries {
      let before = body.count
      Writer.string(key, into: &body)
      Writer.string(path, into: &body)
      Writer.string(summary.type, into: &body)
      Writer.string(summary.id, into: &body)
      Writer.int(summary.references.count, into: &body)
      for use in summary.references {
        Writer.fieldPath(use.field, into: &body)
        Writer.string(use.target, into: &body)
        Writer.string(use.id, into: &body)
        Writer.range(use.range, into: &body)
      }
      Writer.int(summary.uniqueValues.count, into: &body)
      for unique in summary.uniqueValues {
        Writer.string(unique.field, into: &body)
        Writer.string(unique.value, into: &body)
        Writer.range(unique.range, into: &body)
      }
      Writer.int(summary.states.count, into: &body)
      for state in summary.states {
        Writer.string(state.field, into: &body)
        Writer.string(state.value, into: &body)
        Writer.range(state.range, into: &body)
      }
      Writer.int(body.count - before, into: &lengths)
      starts.append(body.count)
    }
    out += lengths
    var start = 0
    for chunk in stride(from: 0, to: entries.count, by: chunkSize) {
      let end = starts[min(chunk + chunkSize, entries.count)]
      let checksum = body.withUnsafeBufferPointer { Checksum.of(UnsafeBufferPointer(rebasing: $0[start..<end])) }
      withUnsafeBytes(of: checksum.littleEndian) { out.append(contentsOf: $0) }
      start = end
    }
    out += body
    let directory = FileSystem.parentDirectory(of: file)
    try? FileSystem.createDirectory(directory)
    try? FileSystem.writeAtomically(file, out)
  }

  struct Reader {
    let bytes: [UInt8]
    var position = 0

    var atEnd: Bool { position == bytes.count }

    mutating func bytes(_ count: Int) -> [UInt8]? {
      guard count >= 0, position + count <= bytes.count else { return nil }
      defer { position += count }
      return Array(bytes[position..<(position + count)])
    }

    mutating func fixed64() -> UInt64? {
      guard position + 8 <= bytes.count else { return nil }
      var value: UInt64 = 0
      for offset in 0..<8 { value |= UInt64(bytes[position + offset]) << (8 * UInt64(offset)) }
      position += 8
      return value
    }

    mutating func int() -> Int? { Self.int(in: bytes, at: &position) }

    /// The number ``Writer/int(_:into:)`` wrote at `position` in `bytes` (seven bits a byte,
    /// low bits first), moving past it; nil when it runs past the end or past 63 bits.
    static func int<Bytes: RandomAccessCollection<UInt8>>(in bytes: Bytes, at position: inout Int) -> Int?
    where Bytes.Index == Int {
      var value = 0
      var shift = 0
      while position < bytes.endIndex, shift < 63 {
        let byte = bytes[position]
        position += 1
        value |= Int(byte & 0x7F) << shift
        if byte < 0x80 { return value }
        shift += 7
      }
      return nil
    }

    mutating func string() -> String? {
      guard let count = int(), count >= 0, position + count <= bytes.count else { return nil }
      defer { position += count }
      return String(decoding: bytes[position..<(position + count)], as: UTF8.self)
    }

    /// A field path: its number of components, then each as 0 and a key or 1 and an index.
    mutating func fieldPath() -> FieldPath? {
      guard let count = int(), count >= 0, count < 256 else { return nil }
      var components: [FieldPath.Component] = []
      components.reserveCapacity(count)
      for _ in 0..<count {
        guard let tag = int() else { return nil }
        if tag == 0, let key = string() {
          components.append(.key(key))
        } else if tag == 1, let index = int() {
          components.append(.index(index))
        } else {
          return nil
        }
      }
      return FieldPath(components)
    }

    /// A range or none (a leading 0), else 1 and six numbers.
    mutating func range() -> SourceRange?? {
      guard let flag = int() else { return nil }
      if flag == 0 { return .some(nil) }
      guard let a = int(), let b = int(), let c = int(), let d = int(), let e = int(), let f = int() else { return nil }
      return .some(
        SourceRange(
          start: SourcePosition(offset: a, line: b, column: c), end: SourcePosition(offset: d, line: e, column: f)))
    }
  }

  enum Writer {
    static func int(_ value: Int, into out: inout [UInt8]) {
      var rest = UInt(bitPattern: value)
      while rest >= 0x80 {
        out.append(UInt8(rest & 0x7F) | 0x80)
        rest >>= 7
      }
      out.append(UInt8(rest))
    }

    static func string(_ text: String, into out: inout [UInt8]) {
      var text = text
      text.withUTF8 { buffer in
        int(buffer.count, into: &out)
        out.append(contentsOf: buffer)
      }
    }

    static func fieldPath(_ path: FieldPath, into out: inout [UInt8]) {
      int(path.components.count, into: &out)
      for component in path.components {
        switch component {
        case .key(let key):
          out.append(0)
          string(key, into: &out)
        case .index(let index):
          out.append(1)
          int(index, into: &out)
        }
      }
    }

    static func range(_ range: SourceRange?, into out: inout [UInt8]) {
      guard let range else {
        out.append(0)
        return
      }
      out.append(1)
      for value in [
        range.start.offset, range.start.line, range.start.column, range.end.offset, range.end.line, range.end.column,
      ] {
        int(value, into: &out)
      }
    }
  }
}

extension RecordType {
  /// The reference spec of the field at `path` (indices skipped: every item of a list has
  /// the same spec).
  public func referenceSpec(at path: FieldPath) -> ReferenceSpec? {
    var fields = object.fields
    var current: FieldType?
    for component in path.components {
      switch component {
      case .index:
        guard case .list(let list)? = current else { return nil }
        current = list.items.type
        if case .object(let objectSpec) = list.items.type { fields = objectSpec.fields }
      case .key(let key):
        guard let field = fields.first(where: { $0.name == key }) else { return nil }
        current = field.type
        if case .object(let objectSpec) = field.type { fields = objectSpec.fields }
      }
    }
    if case .reference(let spec)? = current { return spec }
    if case .list(let list)? = current, case .reference(let spec) = list.items.type { return spec }
    return nil
  }
}
