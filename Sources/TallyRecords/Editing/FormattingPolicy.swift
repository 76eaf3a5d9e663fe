import TallySchema
import TallyText

/// How each file of a records repository is printed in canonical form: records in their
/// schema's field order with typed values plain; `tally.yaml` and schema files with their
/// numbers and booleans plain.
public struct FormattingPolicy: Sendable {
  let repository: RecordsRepository?

  public init(repository: RecordsRepository?) {
    self.repository = repository
  }

  /// Keys of schema files and tally.yaml whose values are numbers or booleans.
  static let typedSettingKeys: Set<String> = [
    "version", "min", "max", "min_length", "max_length", "min_items", "max_items", "required", "unique",
    "unique_items", "open", "acyclic", "require_author",
  ]

  static let settingsPrinter = CanonicalPrinter(isTyped: { path in
    guard case .key(let key)? = path.components.last else { return false }
    if typedSettingKeys.contains(key) { return true }
    // follow_up_intervals: {A: 14}
    if path.components.count == 2, case .key("follow_up_intervals") = path.components[0] { return true }
    // shard: {digits: 3}
    if path.components.count == 2, case .key("shard") = path.components[0], key == "digits" { return true }
    return false
  })

  /// Whether a document is a schema file (it has `type`, `directory` and `fields`).
  static func looksLikeSchema(_ document: Document) -> Bool {
    let keys = Set(document.root.entries.map(\.key.text))
    return keys.contains("type") && keys.contains("fields") && keys.contains("directory")
  }

  /// Why the file at `absolutePath` must be left as it is, or nil when it may be formatted:
  /// a record is printed in its schema's field order, so a record whose type's schema has
  /// errors (or, when a schema file could not be read as a type at all, any `.yaml` file
  /// that is not known to be something else: it may be a record of that type) would be
  /// rewritten by a schema that is not the one meant.
  public func reasonToLeaveAlone(absolutePath: String) -> String? {
    guard let repository else { return nil }
    let relative = FileSystem.relative(absolutePath, to: repository.root)
    switch repository.role(of: relative) {
    case .record(let typeName, _):
      guard let type = repository.schema.type(named: typeName) else { return nil }
      let schemaFile = type.location.path
      let broken = repository.setupDiagnostics.contains { $0.severity == .error && $0.path == schemaFile }
      return broken ? "the schema of \(type.name) (\(schemaFile)) has errors" : nil
    case .config, .schema:
      return nil
    case .other, .misplaced:
      // The policy and its cases are known files, never records of an unknown type.
      if relative == Policy.fileName || RecordsRepository.isInside(relative, directory: PolicyFixtures.directory) {
        return nil
      }
      guard repository.unloadedSchemas > 0, relative.hasSuffix(".yaml") || relative.hasSuffix(".yml") else {
        return nil
      }
      let files = repository.unloadedSchemaFiles
      let named = files.isEmpty ? "a schema file" : files.joined(separator: ", ")
      return "\(named) cannot be read as a record type, so these files may be records of an unknown type"
    }
  }

  /// The canonical form of the file at `absolutePath` with content `document`.
  public func format(_ document: Document, absolutePath: String) -> [UInt8] {
    guard let repository else {
      // Outside a records repository: tally.yaml and schema files are still recognised.
      if FileSystem.baseName(of: absolutePath) == RecordsRoot.markerFile || Self.looksLikeSchema(document) {
        return Self.settingsPrinter.printBytes(document)
      }
      return CanonicalPrinter().printBytes(document)
    }
    let relative = FileSystem.relative(absolutePath, to: repository.root)
    switch repository.role(of: relative) {
    case .record(let typeName, _):
      guard let type = repository.schema.type(named: typeName) else { break }
      return type.printer.printBytes(type.ordering(document))
    case .config, .schema:
      return Self.settingsPrinter.printBytes(document)
    default:
      break
    }
    // The policy is a settings file; its test cases hold records of every type in any
    // shape (a case may test a malformed one): they are kept as written.
    if relative == Policy.fileName { return Self.settingsPrinter.printBytes(document) }
    if RecordsRepository.isInside(relative, directory: PolicyFixtures.directory) { return document.source }
    return CanonicalPrinter().printBytes(document)
  }
}
