import TallyGit
import TallySchema
import TallyText

/// A policy with what applying it needs: the staff it names and a way to follow references,
/// as a snapshot (the working tree, or a commit) has them.
public struct PolicySetup: Sendable {
  /// Nil when there is no policy file, or when it has errors (``problems``).
  public var policy: Policy?
  public var exists: Bool
  /// Errors in the policy file.
  public var problems: [Diagnostic]
  public var staff: StaffDirectory
  public var resolve: @Sendable (String, String) -> ObjectView?

  /// Reads the policy and the staff through `read` (a path relative to the records root →
  /// its bytes, nil when absent) and `list` (a record type → the ids of its records).
  static func load(
    _ records: RecordsRepository, today: CivilDate, read: @escaping @Sendable (String) -> [UInt8]?,
    list: (RecordType) -> [String]
  ) -> PolicySetup {
    let policyPath = records.displayPath(Policy.fileName)
    let schema = records.schema
    @Sendable func recordValue(_ type: RecordType, _ id: String) -> Value? {
      read(type.path(of: id)).flatMap { SyntaxTree.parse($0).tree?.value }
    }
    let resolve: @Sendable (String, String) -> ObjectView? = { type, id in
      guard let recordType = schema.type(named: type), let value = recordValue(recordType, id) else { return nil }
      return ObjectView(value: value, spec: recordType.object, recordType: type, id: id)
    }
    guard let bytes = read(Policy.fileName) else {
      return PolicySetup(
        policy: nil, exists: false, problems: [],
        staff: StaffDirectory(records: [], settings: ActorSettings(), schema: schema, today: today), resolve: resolve)
    }
    let (policy, diagnostics) = PolicyLoader.load(bytes, path: policyPath, schema: schema)
    let settings = policy?.actors ?? ActorSettings()
    var staff: [(id: String, value: Value)] = []
    if let type = schema.type(named: settings.type) {
      for id in list(type) {
        if let value = recordValue(type, id) { staff.append((id, value)) }
      }
    }
    return PolicySetup(
      policy: policy, exists: true, problems: diagnostics.filter { $0.severity == .error },
      staff: StaffDirectory(records: staff, settings: settings, schema: schema, today: today), resolve: resolve)
  }

  /// The policy and staff of the working tree.
  public static func workingTree(_ records: RecordsRepository, today: CivilDate) -> PolicySetup {
    let root = records.root
    return load(
      records, today: today,
      read: { path in try? FileSystem.read(FileSystem.joinPath(root, path)) },
      list: { type in
        ((try? FileSystem.files(under: FileSystem.joinPath(root, type.directory), suffixes: [".yaml"])) ?? [])
          .compactMap { file in
            let id = String(FileSystem.baseName(of: file).dropLast(5))
            return FileSystem.relative(file, to: root) == type.path(of: id) ? id : nil
          }
      })
  }

  /// The policy and staff of the records root `root` (a tree) in `git`.
  public static func tree(_ root: ObjectID, in git: Repository, records: RecordsRepository, today: CivilDate)
    -> PolicySetup
  {
    load(
      records, today: today,
      read: { path in
        guard let id = try? git.blobID(in: root, at: path) else { return nil }
        return try? git.blob(id)
      },
      list: { type in ((try? git.recordFiles(of: type, inRoot: root)) ?? []).map(\.id) })
  }
}
