import TallySchema
import TallyText

/// A records repository: its root (the directory holding `tally.yaml`), its configuration
/// and its schemas.
public struct RecordsRepository: Sendable {
  /// The absolute path of the records root.
  public let root: String
  public let config: RepositoryConfig
  public let schema: SchemaSet
  /// Problems in `tally.yaml` and the schema files.
  public internal(set) var setupDiagnostics: [Diagnostic]
  /// Turns a path relative to the root into the path shown to the user.
  public let displayPath: @Sendable (String) -> String
  /// How many schema files could not be read as a record type.
  public var unloadedSchemas = 0

  /// Why a repository could not be opened.
  public enum OpenError: Error, CustomStringConvertible {
    case notFound(String)
    case unreadable(FileError)

    public var description: String {
      switch self {
      case .notFound(let directory):
        "no records repository here: neither \(directory) nor a directory above it holds tally.yaml (run 'tally init', or pass --repo DIR)"
      case .unreadable(let error): error.description
      }
    }
  }

  /// Opens the repository at `root`, or the one found from `directory` upwards.
  ///
  /// - Parameters:
  ///   - root: The records root, when given explicitly (`--repo`).
  ///   - directory: Where to start looking otherwise (the current directory).
  ///   - displayBase: Diagnostics name files relative to this directory.
  public static func open(root explicit: String?, from directory: String, displayBase: String) throws(OpenError)
    -> RecordsRepository
  {
    let root: String
    if let explicit {
      let absolute = FileSystem.absolute(explicit)
      guard FileSystem.kind(of: FileSystem.joinPath(absolute, RecordsRoot.markerFile)) == .file else {
        throw .notFound(explicit)
      }
      root = absolute
    } else {
      guard let found = RecordsRoot.find(from: directory) else { throw .notFound(directory) }
      root = found
    }
    let display = Self.displayFunction(root: root, base: FileSystem.absolute(displayBase))
    let configBytes: [UInt8]
    do {
      configBytes = try FileSystem.read(FileSystem.joinPath(root, RecordsRoot.markerFile))
    } catch {
      throw .unreadable(error)
    }
    let (config, _) = RepositoryConfig.load(configBytes, path: display(RecordsRoot.markerFile))
    var schemaFiles: [(path: String, bytes: [UInt8])]?
    var unreadable: [Diagnostic] = []
    let schemaRoot = FileSystem.joinPath(root, config.schemaDirectory)
    if FileSystem.isDirectory(schemaRoot) {
      var found: [(path: String, bytes: [UInt8])] = []
      let files = (try? FileSystem.files(under: schemaRoot, suffixes: [".yaml"])) ?? []
      for file in files {
        let relative = FileSystem.relative(file, to: root)
        do {
          found.append((relative, try FileSystem.read(file)))
        } catch {
          unreadable.append(
            Diagnostic(.error, code: "unreadable", message: error.description, path: display(relative)))
        }
      }
      schemaFiles = found
    }
    var repository = load(root: root, configBytes: configBytes, schemaFiles: schemaFiles, displayPath: display)
    repository.setupDiagnostics = (repository.setupDiagnostics + unreadable)
    // The ownership policy is part of the setup, checked against the schemas — once they
    // have no errors (a broken schema would make every name in the policy look unknown).
    if !repository.setupDiagnostics.hasErrors,
      let policy = try? FileSystem.read(FileSystem.joinPath(root, Policy.fileName))
    {
      repository.setupDiagnostics +=
        PolicyLoader.load(policy, path: display(Policy.fileName), schema: repository.schema).1
    }
    return repository
  }

  /// A records repository from the bytes of its `tally.yaml` and schema files (paths relative
  /// to the root; nil: the schema directory does not exist) — as a commit has them, for a
  /// bare repository on a git server, where there is no working tree to open.
  public static func load(
    root: String, configBytes: [UInt8], schemaFiles: [(path: String, bytes: [UInt8])]?,
    displayPath display: @escaping @Sendable (String) -> String
  ) -> RecordsRepository {
    var (config, diagnostics) = RepositoryConfig.load(configBytes, path: display(RecordsRoot.markerFile))
    if schemaFiles == nil {
      diagnostics.append(
        Diagnostic(
          .error, code: "config-missing", message: "the schema directory '\(config.schemaDirectory)' does not exist",
          path: display(RecordsRoot.markerFile), range: SourceRange(at: .start),
          hint: "create it with the schema files, or set schema_dir in tally.yaml"))
    }
    let files = (schemaFiles ?? []).map { (path: display($0.path), bytes: $0.bytes) }
    let (schema, schemaDiagnostics) = SchemaLoader.load(files: files)
    diagnostics += schemaDiagnostics
    var repository = RecordsRepository(
      root: root, config: config, schema: schema, setupDiagnostics: diagnostics, displayPath: display)
    repository.unloadedSchemas = files.count - schema.types.count
    return repository
  }

  /// The schema files (as diagnostics name them) that have errors and define no record type
  /// in use: the records of their type are not known as records.
  public var unloadedSchemaFiles: [String] {
    guard unloadedSchemas > 0 else { return [] }
    let loaded = Set(schema.types.map(\.location.path))
    let prefix = displayPath(config.schemaDirectory) + "/"
    var files: [String] = []
    for diagnostic in setupDiagnostics
    where diagnostic.severity == .error && diagnostic.path.hasPrefix(prefix) && !loaded.contains(diagnostic.path)
      && !files.contains(diagnostic.path)
    {
      files.append(diagnostic.path)
    }
    return files
  }

  /// Paths relative to `root`, shown relative to `base`: computed once per directory, since
  /// it is asked for every file.
  static func displayFunction(root: String, base: String) -> @Sendable (String) -> String {
    if root == base { return { $0 } }
    let rootFromBase = FileSystem.relative(root, to: base)
    if !rootFromBase.hasPrefix("..") {
      // The root is below the base: prepend the way down.
      return { FileSystem.joinPath(rootFromBase, $0) }
    }
    return { relative in
      FileSystem.relative(FileSystem.joinPath(root, relative), to: base)
    }
  }

  public init(
    root: String, config: RepositoryConfig, schema: SchemaSet, setupDiagnostics: [Diagnostic],
    displayPath: @escaping @Sendable (String) -> String
  ) {
    self.root = root
    self.config = config
    self.schema = schema
    self.setupDiagnostics = setupDiagnostics
    self.displayPath = displayPath
  }

  /// What a file in the repository is.
  public enum FileRole: Sendable, Equatable {
    case config
    case schema
    /// A record of a type, with its id.
    case record(type: String, id: String)
    /// Not a record (docs, scripts): ignored.
    case other
    /// A problem with where the file is.
    case misplaced(code: String, severity: Severity, message: String, hint: String)
  }

  /// The roles of `files`, in order: what ``role(of:)`` says of each, worked out once per
  /// directory for the common case, a `.yaml` file in a record directory — checking 100,000
  /// records asked the same questions of the same directory 100,000 times.
  public func roles(of files: [SnapshotFile]) -> [FileRole] {
    var roles: [FileRole] = []
    roles.reserveCapacity(files.count)
    // The last directory seen (its bytes, and the record type its `.yaml` files are records
    // of, nil when they are not records, e.g. in the schema directory).
    var lastDirectory: [UInt8] = []
    var lastType: String?
    var lastLayout = RecordLayout.flat
    var lastShard: [UInt8] = []
    for file in files {
      if file.isSymbolicLink {
        roles.append(role(of: file))
        continue
      }
      var path = file.path
      let fast: FileRole? = path.withUTF8 { bytes in
        guard let slash = bytes.lastIndex(of: UInt8(ascii: "/")), slash > 0,
          bytes.count - slash > 5, bytes[(bytes.count - 5)...].elementsEqual(".yaml".utf8)
        else { return nil }
        let directory = UnsafeBufferPointer(rebasing: bytes[..<slash])
        if !directory.elementsEqual(lastDirectory) {
          lastDirectory = Array(directory)
          // Asked as `role(of:)` asks it: is the file in the schema directory (the directory
          // is it or inside it), then the directory's type.
          let directoryName = String(decoding: directory, as: UTF8.self)
          let schemaDirectory = config.schemaDirectory
          let index =
            directoryName == schemaDirectory || Self.isInside(directoryName, directory: schemaDirectory)
            ? nil : schema.index(ofRecordFolder: directoryName)
          lastType = index.map { schema.types[$0].name }
          lastLayout = index.map { schema.types[$0].layout } ?? .flat
          // A shard folder's own name (`042`), to compare with each id's.
          let cut = directory.lastIndex(of: UInt8(ascii: "/")).map { $0 + 1 } ?? directory.count
          lastShard = lastLayout == .flat ? [] : Array(directory[cut...])
        }
        guard let type = lastType else { return nil }
        let id = String(decoding: bytes[(slash + 1)..<(bytes.count - 5)], as: UTF8.self)
        // A sharded record in another shard than its id's: the slow path says so.
        if lastLayout != .flat, !lastLayout.isShard(utf8: lastShard, of: id) {
          return nil
        }
        return .record(type: type, id: id)
      }
      roles.append(fast ?? role(of: path))
    }
    return roles
  }

  /// Classifies a file of a snapshot: as ``role(of:)-(String)`` its path, except that a
  /// symbolic link where a record, a schema, `tally.yaml` or a record directory belongs is an
  /// error (`symlink`): Tally reads nothing through a link, so such a record would be
  /// neither checked nor safe to rewrite. Other links are not Tally's (git keeps them).
  public func role(of file: SnapshotFile) -> FileRole {
    let role = role(of: file.path)
    guard file.isSymbolicLink else { return role }
    let what: String
    switch role {
    case .record(let type, let id): what = "the \(type) record \(id)"
    case .config: what = "the repository's configuration"
    case .schema: what = "a schema file"
    case .other, .misplaced:
      if file.path == config.schemaDirectory {
        what = "the schema directory"
      } else if let type = schema.type(forDirectory: file.path) {
        what = "the directory of \(type.name) records"
      } else {
        return role
      }
    }
    return .misplaced(
      code: "symlink", severity: .error,
      message: "'\(file.path)' is a symbolic link where \(what) belongs; tally does not follow links",
      hint: "replace the link with the file itself (git stores a link as the path it points to)")
  }

  /// Classifies a path relative to the records root. A warning about where a file is
  /// (`unassigned-file`, `stray-file`) is left out for files `tally.yaml`'s `ignore:` list
  /// names; a temporary file of an interrupted tally is always reported.
  public func role(of path: String) -> FileRole {
    let role = placedRole(of: path)
    if case .misplaced(let code, .warning, _, _) = role, code != "stray-file" || !isTemporary(path),
      config.ignore.matches(path)
    {
      return .other
    }
    return role
  }

  /// A record of a sharded type that is not in its id's shard folder (`wrong-shard`, an
  /// error: every command looks for it where its id says).
  private func misplacedShard(_ type: RecordType, id: String, path: String) -> FileRole {
    guard type.layout.shard(of: id) != nil else {
      return .misplaced(
        code: "wrong-shard", severity: .error,
        message: "\(type.name) records are \(type.layout.description), but the id '\(id)' does not end in a digit",
        hint: "give it an id the pattern allows that ends in digits (see 'tally new \(type.name)')")
    }
    return .misplaced(
      code: "wrong-shard", severity: .error,
      message: "'\(path)' is not where \(type.name) \(id) belongs: \(type.name) records are \(type.layout.description)",
      hint: "move it to \(type.path(of: id)) (git mv keeps its history; 'tally migrate layout' moves them all)")
  }

  /// The record a file of a commit is, for the history: a record where ``role(of:)`` says so,
  /// and also one where the type's other layout put it (`customers/C-0042.yaml` of a sharded
  /// type, `customers/42/C-0042.yaml` of a flat one), so that commits from before `tally
  /// migrate layout` read as the same records.
  public func historicalRecord(of path: String) -> (type: String, id: String)? {
    if case .record(let type, let id) = role(of: path) { return (type, id) }
    guard path.hasSuffix(".yaml"), let slash = path.lastIndex(of: "/") else { return nil }
    let id = String(path[path.index(after: slash)...].dropLast(5))
    guard !id.isEmpty, !id.hasPrefix(".") else { return nil }
    var directory = String(path[..<slash])
    if let type = schema.type(forDirectory: directory) { return (type.name, id) }
    guard let cut = directory.lastIndex(of: "/") else { return nil }
    let folder = directory[directory.index(after: cut)...]
    guard RecordLayout.lastDigits(folder.utf8.count).isShard(folder, of: id) else { return nil }
    directory = String(directory[..<cut])
    return schema.type(forDirectory: directory).map { ($0.name, id) }
  }

  /// Whether `path` names a temporary file that `tally` writes before renaming it into place.
  private func isTemporary(_ path: String) -> Bool {
    FileSystem.temporaryFileOwner(FileSystem.baseName(path)) != nil
  }

  /// Classifies a path by where it is, before the `ignore:` list.
  private func placedRole(of path: String) -> FileRole {
    let name = FileSystem.baseName(path)
    if let pid = FileSystem.temporaryFileOwner(name) {
      return .misplaced(
        code: "stray-file", severity: .warning,
        message: "'\(path)' is a temporary file left by an interrupted tally (process \(pid))",
        hint: "it is not part of any record: remove it")
    }
    if path == RecordsRoot.markerFile { return .config }
    if Self.isInside(path, directory: config.schemaDirectory) { return .schema }
    // The ownership policy and its fixtures: read by `tally check` and `tally policy`.
    if path == Policy.fileName || Self.isInside(path, directory: PolicyFixtures.directory) { return .other }
    // The common case first, without copying the record type: a record file in its folder.
    let slash = path.utf8.lastIndex(of: UInt8(ascii: "/"))
    let directory = slash.map { String(path[..<$0]) } ?? ""
    if let index = schema.index(ofRecordFolder: directory) {
      // By bytes: `hasSuffix` on text compares characters, and this runs for every file.
      let utf8 = path.utf8
      let start = slash.map { utf8.index(after: $0) } ?? utf8.startIndex
      if utf8.distance(from: start, to: utf8.endIndex) >= 5, utf8.suffix(5).elementsEqual(".yaml".utf8) {
        let type = schema.types[index]
        let id = String(path[start..<utf8.index(utf8.endIndex, offsetBy: -5)])
        if type.layout != .flat, type.folder(of: id) != directory {
          return misplacedShard(type, id: id, path: path)
        }
        return .record(type: type.name, id: id)
      }
      if name.hasPrefix(".") || name.hasPrefix("README") { return .other }
      let type = schema.types[index]
      return .misplaced(
        code: "stray-file", severity: .warning,
        message: "'\(name)' is not a record: \(directory)/ holds \(type.name) records (.yaml files)",
        hint: name.hasSuffix(".yml") ? "rename it to .yaml" : "move it out of \(directory)/")
    }
    if let type = schema.type(forDirectory: directory) {
      if name.hasPrefix(".") || name.hasPrefix("README") { return .other }
      // A record directly in the directory of a sharded type.
      if name.hasSuffix(".yaml") { return misplacedShard(type, id: String(name.dropLast(5)), path: path) }
      return .misplaced(
        code: "stray-file", severity: .warning,
        message: "'\(name)' is not a record: \(type.directory)/ holds \(type.name) records (.yaml files)",
        hint: name.hasSuffix(".yml") ? "rename it to .yaml" : "move it out of \(type.directory)/")
    }
    // Inside a record directory, but deeper.
    for type in schema.types where path.hasPrefix(type.directory + "/") {
      if type.layout == .flat {
        return .misplaced(
          code: "nested-directory", severity: .error,
          message: "records of \(type.name) must be directly in \(type.directory)/, not in a sub-directory",
          hint: "move it to \(type.directory)/\(name)")
      }
      guard name.hasSuffix(".yaml") else {
        return .misplaced(
          code: "stray-file", severity: .warning,
          message: "'\(path)' is not a record: \(type.directory)/ holds the shard folders of \(type.name) records",
          hint: "move it out of \(type.directory)/")
      }
      return misplacedShard(type, id: String(name.dropLast(5)), path: path)
    }
    guard name.hasSuffix(".yaml") else { return .other }
    // A record directory in the wrong place (`archive/customers/C-1.yaml`).
    let parentName = FileSystem.baseName(directory)
    if let type = schema.types.first(where: { FileSystem.baseName($0.directory) == parentName }) {
      return .misplaced(
        code: "unassigned-file", severity: .warning,
        message: "'\(path)' looks like a \(type.name) record, but \(type.name) records live in \(type.directory)/",
        hint: "move it to \(type.directory)/\(name) to have it checked")
    }
    return .misplaced(
      code: "unassigned-file", severity: .warning,
      message: "'\(path)' is not in a record directory, so no schema checks it",
      hint: "record directories: " + schema.types.map { $0.directory + "/" }.joined(separator: ", "))
  }
}

extension RecordsRepository {
  /// Whether `path` is under `directory` (`schema/customer.yaml` is under `schema`).
  static func isInside(_ path: String, directory: String) -> Bool {
    let count = directory.utf8.count
    guard path.utf8.count > count, path.hasPrefix(directory) else { return false }
    return path.utf8[path.utf8.index(path.utf8.startIndex, offsetBy: count)] == UInt8(ascii: "/")
  }
}

extension FileSystem {
  static func baseName(_ path: String) -> String { baseName(of: path) }
}
