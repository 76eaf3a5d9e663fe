/// The record types of a repository, loaded from its schema directory.
public struct SchemaSet: Sendable {
  public private(set) var types: [RecordType]
  private var byName: [String: Int] = [:]
  private var byDirectory: [String: Int] = [:]

  public init(types: [RecordType]) {
    self.types = types
    for (index, type) in types.enumerated() {
      byName[type.name] = index
      byDirectory[type.directory] = index
    }
  }

  public static let empty = SchemaSet(types: [])

  public func type(named name: String) -> RecordType? {
    byName[name].map { types[$0] }
  }

  /// Where the type named `name` is in ``types``.
  public func index(named name: String) -> Int? { byName[name] }

  public func type(forDirectory directory: String) -> RecordType? {
    byDirectory[directory].map { types[$0] }
  }

  /// The name of the type whose files live in `directory` (cheaper than copying the type).
  public func typeName(forDirectory directory: String) -> String? {
    byDirectory[directory].map { types[$0].name }
  }

  /// The record type whose files live in the directory of `relativePath` (a path relative
  /// to the records root, e.g. `customers/C-0042.yaml`), and the record's id.
  public func classify(_ relativePath: String) -> (type: RecordType, id: String)? {
    guard let slash = relativePath.lastIndex(of: "/") else { return nil }
    let directory = String(relativePath[..<slash])
    let file = relativePath[relativePath.index(after: slash)...]
    guard file.hasSuffix(".yaml"), let type = type(forDirectory: directory) else { return nil }
    return (type, String(file.dropLast(5)))
  }
}
