import Foundation
import TallySchema
import TallyText

/// The check cache on disk, in the git directory (never in the working tree):
/// `.git/tally/check-cache`. It keeps, per blob and path, what the checks across records
/// need from a record that had no problems of its own — its references, unique values and
/// state fields — so a later run reads those instead of parsing the file again.
///
/// The file is valid for one schema key and one day ("today" changes rules such as "not in
/// the future"); anything else, and any file that is torn or unreadable, is ignored and
/// rebuilt. It is written to a temporary file and renamed into place, so concurrent runs and
/// a killed process leave either the old file or the new one.
///
/// Records whose checks need their whole value (rules that read other records, conditions
/// on the referring record) and records with problems are not stored: they are validated
/// every time.
enum CheckCacheStore {
  static let magic = Array("TALLYCC3".utf8)

  static func path(gitDirectory: String) -> String { gitDirectory + "/tally/check-cache" }

  /// Loads the stored entries for `schemaKey` and `today` into `cache`.
  static func load(
    into cache: CheckCache, from file: String, schemaKey: String, today: CivilDate, repository: RecordsRepository
  ) {
    guard let bytes = try? FileSystem.read(file) else { return }
    var reader = Reader(bytes: bytes)
    guard reader.bytes(magic.count) == magic, reader.string() == schemaKey, reader.string() == today.description,
      let count = reader.int(), count >= 0
    else { return }
    let display = repository.displayPath
    var entries: [(String, CheckCache.Entry)] = []
    entries.reserveCapacity(count)
    for _ in 0..<count {
      guard let key = reader.string(), let path = reader.string(), let type = reader.string(), let id = reader.string(),
        let recordType = repository.schema.type(named: type)
      else { return }
      var summary = RecordSummary(type: type, id: id, path: display(path))
      guard let references = reader.int() else { return }
      for _ in 0..<references {
        guard let field = reader.fieldPath(), let target = reader.string(),
          let targetID = reader.string(), let range = reader.range(),
          let spec = recordType.referenceSpec(at: field)
        else { return }
        summary.references.append(.init(field: field, target: target, id: targetID, range: range, spec: spec))
      }
      guard let uniques = reader.int() else { return }
      for _ in 0..<uniques {
        guard let field = reader.string(), let value = reader.string(), let range = reader.range() else { return }
        summary.uniqueValues.append(.init(field: field, value: value, range: range))
      }
      guard let states = reader.int() else { return }
      for _ in 0..<states {
        guard let field = reader.string(), let value = reader.string(), let range = reader.range() else { return }
        summary.states.append(.init(field: field, value: value, range: range))
      }
      entries.append((key, CheckCache.Entry(summary: summary, diagnostics: [])))
    }
    guard reader.atEnd else { return }
    cache.preload(entries)
  }

  /// Writes the cache's storable entries (atomically). Failures are ignored: the cache is
  /// only a speed-up.
  static func save(_ cache: CheckCache, to file: String, today: CivilDate) {
    var out: [UInt8] = magic
    out.reserveCapacity(1 << 20)
    Writer.string(cache.schemaKey, into: &out)
    Writer.string(today.description, into: &out)
    let entries = cache.storable()
    Writer.int(entries.count, into: &out)
    for (key, path, summary) in entries {
      Writer.string(key, into: &out)
      Writer.string(path, into: &out)
      Writer.string(summary.type, into: &out)
      Writer.string(summary.id, into: &out)
      Writer.int(summary.references.count, into: &out)
      for use in summary.references {
        Writer.fieldPath(use.field, into: &out)
        Writer.string(use.target, into: &out)
        Writer.string(use.id, into: &out)
        Writer.range(use.range, into: &out)
      }
      Writer.int(summary.uniqueValues.count, into: &out)
      for unique in summary.uniqueValues {
        Writer.string(unique.field, into: &out)
        Writer.string(unique.value, into: &out)
        Writer.range(unique.range, into: &out)
      }
      Writer.int(summary.states.count, into: &out)
      for state in summary.states {
        Writer.string(state.field, into: &out)
        Writer.string(state.value, into: &out)
        Writer.range(state.range, into: &out)
      }
    }
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

    mutating func int() -> Int? {
      var value = 0
      var shift = 0
      while position < bytes.count, shift < 63 {
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
