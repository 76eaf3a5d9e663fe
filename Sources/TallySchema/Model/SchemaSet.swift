/// The record types of a repository, loaded from its schema directory.
public struct SchemaSet: Sendable {
  public private(set) var types: [RecordType]
  private var byName: [String: Int] = [:]
  private var byDirectory: [String: Int] = [:]
  /// Whether any type is sharded (the common flat case then never splits a path twice).
  private var anySharded = false

  public init(types: [RecordType]) {
    self.types = types
    for (index, type) in types.enumerated() {
      byName[type.name] = index
      byDirectory[type.directory] = index
      if type.layout != .flat { anySharded = true }
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

  /// Where in ``types`` the type is whose record files are directly in `directory`: a flat
  /// type's own directory, or a shard folder of a sharded type's (`customers/042`). Whether an
  /// id belongs in that shard is a question for ``RecordType/path(of:)``.
  public func index(ofRecordFolder directory: String) -> Int? {
    if let index = byDirectory[directory] { return types[index].layout == .flat ? index : nil }
    guard anySharded, let slash = directory.utf8.lastIndex(of: UInt8(ascii: "/")) else { return nil }
    guard let index = byDirectory[String(directory[..<slash])] else { return nil }
    let shard = directory[directory.utf8.index(after: slash)...]
    return types[index].layout.isShardName(shard) ? index : nil
  }

  /// The name of the type whose record files are directly in `directory` (see
  /// ``index(ofRecordFolder:)``).
  public func typeName(forRecordFolder directory: String) -> String? {
    index(ofRecordFolder: directory).map { types[$0].name }
  }

  /// The record at `relativePath` (relative to the records root, e.g. `customers/C-0042.yaml`
  /// or `customers/042/C-1000042.yaml`): its type and id, when the file is where the type's
  /// layout puts that id.
  public func classify(_ relativePath: String) -> (type: RecordType, id: String)? {
    guard let slash = relativePath.lastIndex(of: "/") else { return nil }
    let directory = String(relativePath[..<slash])
    let file = relativePath[relativePath.index(after: slash)...]
    guard file.hasSuffix(".yaml"), let index = index(ofRecordFolder: directory) else { return nil }
    let id = String(file.dropLast(5))
    guard types[index].folder(of: id) == directory else { return nil }
    return (types[index], id)
  }

  /// The file of the record `id` of the type named `type`, relative to the records root.
  public func path(type: String, id: String) -> String? {
    self.type(named: type).map { $0.path(of: id) }
  }
}
