import TallySchema
import TallyText

extension RecordsRepository {
  /// A record named on the command line, resolved against the repository's types: it need
  /// not exist (history commands name records that were removed).
  public struct NamedRecord: Sendable, Hashable {
    /// The record type's name (`customer`).
    public var type: String
    /// The record's id (`C-0042`).
    public var id: String
    /// The record's file, relative to the records root (`customers/C-0042.yaml`).
    public var relativePath: String

    public init(type: String, id: String, relativePath: String) {
      self.type = type
      self.id = id
      self.relativePath = relativePath
    }
  }

  /// Why an argument names no record: one line, and maybe a hint.
  public struct RecordNameError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public var hint: String?

    public init(_ message: String, hint: String? = nil) {
      self.message = message
      self.hint = hint
    }

    public var description: String { hint.map { "\(message) (\($0))" } ?? message }
  }

  /// The record `argument` names: `TYPE/ID` (`customer/C-0042`, `customers/C-0042`) or the
  /// path of its file (`customers/C-0042.yaml`, relative to `directory`, or absolute).
  ///
  /// A name never reaches outside the records root: `TYPE/ID` may not contain `.` or `..`
  /// (nor empty parts), and a file path, once `.` and `..` are resolved, must be inside the
  /// root and in a record directory.
  ///
  /// - Throws: ``RecordNameError`` saying what is wrong.
  public func record(named argument: String, from directory: String) throws(RecordNameError) -> NamedRecord {
    if argument.hasSuffix(".yaml") || argument.hasSuffix(".yml") {
      guard let relative = pathInside(argument, from: directory) else {
        throw RecordNameError("\(argument) is outside the records repository at \(root)")
      }
      guard case .record(let typeName, let id) = role(of: relative) else {
        throw RecordNameError(
          "'\(argument)' is not a record file",
          hint: unloadedHint + "record directories: " + schema.types.map { $0.directory + "/" }.joined(separator: ", "))
      }
      return NamedRecord(type: typeName, id: id, relativePath: relative)
    }
    let parts = argument.split(separator: "/", omittingEmptySubsequences: false)
    if let dots = parts.first(where: { $0 == ".." || $0 == "." }) {
      throw RecordNameError(
        "'\(argument)': '\(dots)' cannot be part of a record name; write TYPE/ID (\(example)) or the path of the record's file"
      )
    }
    guard parts.count >= 2, !parts.contains(where: \.isEmpty), let slash = argument.lastIndex(of: "/") else {
      throw RecordNameError(
        "'\(argument)' does not name a record", hint: "write TYPE/ID, e.g. \(example), or the path of the record's file"
      )
    }
    let typePart = String(argument[..<slash])
    // A shard folder names its type too (`customers/042/C-1000042`).
    let type: RecordType
    if let index = schema.index(ofRecordFolder: typePart) {
      type = schema.types[index]
    } else {
      type = try recordType(named: typePart)
    }
    let id = String(argument[argument.index(after: slash)...])
    return NamedRecord(type: type.name, id: id, relativePath: type.path(of: id))
  }

  /// The record type called `name`, or whose directory is `name` (`customer`, `customers`).
  ///
  /// - Throws: ``RecordNameError`` naming the types there are, and the closest one.
  public func recordType(named name: String) throws(RecordNameError) -> RecordType {
    var trimmed = name
    while trimmed.hasSuffix("/") { trimmed.removeLast() }
    if let dots = trimmed.split(separator: "/").first(where: { $0 == ".." || $0 == "." }) {
      throw RecordNameError("'\(name)': '\(dots)' cannot be part of a record type; write its name or directory")
    }
    if let type = schema.type(named: trimmed) ?? schema.type(forDirectory: trimmed) { return type }
    let names = schema.types.map(\.name)
    var hint = "record types: " + names.joined(separator: ", ")
    if !unloadedSchemaFiles.isEmpty {
      // The type may be the one a broken schema file was meant to define.
      hint = unloadedHint + hint
    } else if names.isEmpty {
      hint = "the repository has no record types: see 'tally check'"
    } else if let suggestion = Suggestions.closest(to: trimmed, among: names + schema.types.map(\.directory)) {
      hint = "did you mean '\(suggestion)'? " + hint
    }
    throw RecordNameError("there is no record type '\(name)'", hint: hint)
  }

  /// `path` (relative to `directory`, or absolute) relative to the records root, with `.`
  /// and `..` resolved; nil when it is outside the root. The root itself is `.`.
  public func pathInside(_ path: String, from directory: String) -> String? {
    let absolute = FileSystem.normalize(FileSystem.joinPath(FileSystem.absolute(directory), path))
    let relative = FileSystem.relative(absolute, to: root)
    if relative == ".." || relative.hasPrefix("../") { return nil }
    return relative
  }

  /// The start of a hint when a schema file cannot be read as a type (the record named may
  /// be of that type), or nothing.
  var unloadedHint: String {
    let unloaded = unloadedSchemaFiles
    guard !unloaded.isEmpty else { return "" }
    return "\(unloaded.joined(separator: ", ")) cannot be read as a record type: fix it first (see 'tally check'); "
  }

  /// A record name to show in messages: `customer/C-0042` for the first type.
  var example: String {
    guard let type = schema.types.first(where: { $0.name == "customer" }) ?? schema.types.first else {
      return "customer/C-0042"
    }
    return "\(type.name)/\(type.idExample ?? "ID")"
  }
}
