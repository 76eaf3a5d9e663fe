import TallySchema
import TallyText

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Creating and changing records through their schema (`tally new`, `tally set`, `tally add`).
///
/// Every operation goes the same way and writes nothing until the end:
///
/// 1. The arguments are read against the schema: field paths must name fields, values must
///    be of their field's type, references must point at records that exist. A problem here
///    is a ``Failure/usage(_:)``: nothing has been touched.
/// 2. The new text is made: a new record is printed in canonical form; an edit splices only
///    the edited lines into the file (``Document`` editing), so comments and every other
///    line stay byte for byte.
/// 3. The new text is checked like `tally check` would check it: the record itself, and the
///    record among all the others (references, unique values), over a snapshot of the
///    working tree with the new text in place (``Overlay``). The ``Outcome`` carries the
///    report; it is refused when the report has errors.
/// 4. ``write(_:)`` replaces the file atomically (or creates it, never over an existing one).
public struct RecordEditing: Sendable {
  public let repository: RecordsRepository
  /// The date rules that use `today()` see.
  public var today: CivilDate
  /// Where the records are read from: the working tree unless told otherwise.
  public var base: Base
  /// In a sparse checkout, the records not checked out (looked at only when a file the
  /// working tree lacks is asked for).
  let sparse: SparseRecords

  /// - Parameters:
  ///   - repository: The settings and schemas (for a snapshot: as the snapshot has them,
  ///     ``RecordsRepository/at(_:name:)``).
  ///   - base: Where the records are read; a snapshot's outcomes are never written to disk
  ///     (their text is for the caller to commit).
  public init(repository: RecordsRepository, today: CivilDate, base: Base = .workingTree) {
    self.repository = repository
    self.today = today
    self.base = base
    self.sparse = SparseRecords(repository: repository)
  }

  /// A record named on the command line: its type, its id and its file.
  public struct Target: Sendable, Hashable {
    public var type: String
    public var id: String
    /// The file, relative to the records root (`customers/C-0042.yaml`).
    public var relativePath: String
  }

  /// One field that an operation changed.
  public struct Change: Sendable, Hashable {
    /// The field (`status`, `contacts[0].phone`, `follow_ups[8]` for an added item).
    public var field: FieldPath
    /// Its value before (nil when it was not there).
    public var old: Value?
    /// Its value after (nil when it was removed).
    public var new: Value?

    public init(field: FieldPath, old: Value?, new: Value?) {
      self.field = field
      self.old = old
      self.new = new
    }
  }

  /// The result of an operation, checked and not yet written.
  public struct Outcome: Sendable {
    public enum Kind: String, Sendable {
      /// A new record file.
      case created
      /// An existing record file changed.
      case edited
    }

    public var kind: Kind
    public var type: String
    public var id: String
    /// The file, relative to the records root.
    public var relativePath: String
    /// The file as the user names it (relative to the current directory).
    public var displayPath: String
    /// The file's absolute path.
    public var absolutePath: String
    /// The bytes the file had when it was read (nil for a new record).
    public var original: [UInt8]?
    /// The bytes the file gets.
    public var text: [UInt8]
    public var changes: [Change]
    /// The check of the new text: the record itself and its references, positioned in the
    /// new text.
    public var report: CheckReport

    /// Whether the new text has errors (then it must not be written).
    public var isRefused: Bool { report.errorCount > 0 }

    /// Whether the operation leaves the file as it was.
    public var isUnchanged: Bool { original == text }

    /// What the operation does to the file, as a unified diff (`git apply` accepts it).
    public func diff() -> String {
      LineDiff.unified(
        old: String(decoding: original ?? [], as: UTF8.self), new: String(decoding: text, as: UTF8.self),
        oldName: original == nil ? "/dev/null" : "a/" + relativePath, newName: "b/" + relativePath)
    }
  }

  // MARK: - Types and records

  /// The record type called `name`, or whose directory is `name` (`customer`, `customers`).
  public func recordType(named name: String) throws(Failure) -> RecordType {
    do throws(RecordsRepository.RecordNameError) {
      return try repository.recordType(named: name)
    } catch {
      throw .usage([Problem(error.message, hint: error.hint)])
    }
  }

  /// The record `argument` names: `TYPE/ID` (`customer/C-0042`, `customers/C-0042`) or the
  /// path of its file (`customers/C-0042.yaml`, relative to `directory`). The record must
  /// exist; the name must not reach outside the records root (see
  /// ``RecordsRepository/record(named:from:)``).
  public func target(_ argument: String, from directory: String) throws(Failure) -> Target {
    let named: RecordsRepository.NamedRecord
    do throws(RecordsRepository.RecordNameError) {
      named = try repository.record(named: argument, from: directory)
    } catch {
      throw .usage([Problem(error.message, hint: error.hint)])
    }
    return try existing(Target(type: named.type, id: named.id, relativePath: named.relativePath), named: argument)
  }

  func existing(_ target: Target, named argument: String) throws(Failure) -> Target {
    if case .workingTree = base, FileSystem.kind(of: FileSystem.joinPath(repository.root, target.relativePath)) == nil,
      sparse.file(target.relativePath) != nil
    {
      // Written into the working tree, it would be a file git ignores (skip-worktree).
      let folder = FileSystem.parentDirectory(of: target.relativePath)
      throw .usage([
        Problem(
          "\(target.type) '\(target.id)' is not in this sparse checkout (\(argument))",
          hint: "add its folder first: git sparse-checkout add \(folder)")
      ])
    }
    if hasFile(target.relativePath) { return target }
    var hint: String?
    if let type = repository.schema.type(named: target.type) {
      let ids = existingIDs(of: type)
      if let suggestion = Suggestions.closest(to: target.id, among: ids, maxDistance: 1) {
        hint = "did you mean \(type.name)/\(suggestion)?"
      } else {
        hint = "create it with 'tally new \(type.name) \(target.id)'"
      }
    }
    throw .usage([Problem("there is no \(target.type) '\(target.id)' (\(argument))", hint: hint)])
  }

  // MARK: - tally new

  /// A new record of `type`, from `assignments` and the schema's defaults.
  ///
  /// - Parameters:
  ///   - type: The record type.
  ///   - id: The record's id; nil chooses the next free one (see ``nextID(for:value:)``).
  ///   - assignments: Field values (`name=…`, `contacts[0].name=…`).
  /// - Returns: The record in canonical form, checked.
  /// - Throws: ``Failure/usage(_:)`` for bad assignments or ids, ``Failure/missing(_:)``
  ///   when required fields have no value, ``Failure/exists(_:)`` when the record exists.
  public func newRecord(type: RecordType, id: String?, assignments: [Assignment]) throws(Failure) -> Outcome {
    var value = Value.mapping([])
    var problems: [Problem] = []
    for assignment in assignments {
      do throws(Problem) {
        let field = try field(at: assignment.path, in: type.object)
        guard let text = assignment.text, !text.isEmpty else {
          throw Problem("'\(assignment.path)' needs a value", hint: "write \(assignment.path)=VALUE")
        }
        let scalar = try scalarValue(text, for: field, at: assignment.path)
        value = try Self.assign(scalar, at: assignment.path, in: value)
      } catch {
        problems.append(error)
      }
    }
    if !problems.isEmpty { throw .usage(problems) }
    // A given id is checked first: no point asking for fields of a record that exists.
    if let id {
      // `tally new customer name=…`: a field given where the id goes.
      if let equals = id.firstIndex(of: "="), !type.idPattern.matches(id) {
        throw .usage([
          Problem(
            "'\(id)' is not a valid \(type.name) id",
            hint: "fields are given with --set: --set \(id[..<equals])=\(id[id.index(after: equals)...])")
        ])
      }
      // An id names a file in the type's directory, whatever the pattern allows.
      if id.isEmpty || id == "." || id == ".." || id.hasPrefix(".") || id.contains("/") || id.contains("\\") {
        throw .usage([Problem("'\(id)' cannot be a record id: an id is a file name in \(type.directory)/")])
      }
      guard type.idPattern.matches(id) else {
        throw .usage([
          Problem(
            "'\(id)' is not a valid \(type.name) id",
            hint: "\(type.name) ids match \(type.idPattern.pattern)" + (type.idExample.map { ", e.g. \($0)" } ?? ""))
        ])
      }
      if type.layout != .flat, type.layout.shard(of: id) == nil {
        throw .usage([
          Problem(
            "'\(id)' cannot be a \(type.name) id: \(type.name) records are \(type.layout.description), and it does not end in one",
            hint: type.idExample.map { "e.g. \($0)" })
        ])
      }
      let relative = type.path(of: id)
      if hasFile(relative) {
        throw .exists(repository.displayPath(relative))
      }
    }
    value = Self.fillingDefaults(value, spec: type.object)
    let missing = Self.missingRequired(in: value, spec: type.object, at: FieldPath())
    if !missing.isEmpty { throw .missing(missing) }

    let recordID: String
    if let id { recordID = id } else { recordID = try nextID(for: type, value: value) }
    let relative = type.path(of: recordID)
    let absolute = FileSystem.joinPath(repository.root, relative)
    let display = repository.displayPath(relative)
    if hasFile(relative) { throw .exists(display) }

    guard let document = Document(value: value, path: display) else {
      throw .usage([Problem("a record must be a mapping of fields")])
    }
    let text = type.printer.printBytes(type.ordering(document))
    let changes = Self.leaves(of: value, at: FieldPath()).map { Change(field: $0.0, old: nil, new: $0.1) }
    let report = try check(
      relative, text: text, baseline: TransitionChecker.Baseline(name: "the working tree"))
    return Outcome(
      kind: .created, type: type.name, id: recordID, relativePath: relative, displayPath: display,
      absolutePath: absolute, original: nil, text: text, changes: changes, report: report)
  }

  // MARK: - tally set

  /// The record with `assignments` made: each sets a scalar field (creating it, in schema
  /// order, when it is not there), or removes it when its text is nil or empty.
  ///
  /// Only the lines of the edited fields change; comments and the other lines are kept
  /// byte for byte.
  ///
  /// - Throws: ``Failure/usage(_:)`` for unknown fields and values of the wrong type (all
  ///   of them, before anything is changed); ``Failure/notARecord(_:)`` when the file does
  ///   not parse; ``Failure/io(_:)`` when it cannot be read.
  public func set(_ target: Target, assignments: [Assignment]) throws(Failure) -> Outcome {
    let type = try recordType(named: target.type)
    var (document, original) = try read(target)
    var problems: [Problem] = []
    // Each assignment with its checked value (nil: remove the field).
    var checked: [(Assignment, Value?)] = []
    for assignment in assignments {
      do throws(Problem) {
        let field = try field(at: assignment.path, in: type.object)
        if let text = assignment.text, !text.isEmpty {
          checked.append((assignment, try scalarValue(text, for: field, at: assignment.path)))
        } else {
          checked.append((assignment, nil))
        }
      } catch {
        problems.append(error)
      }
    }
    if !problems.isEmpty { throw .usage(problems) }

    var changes: [Change] = []
    for (assignment, newValue) in checked {
      let path = assignment.path
      let old = document.value[path]
      do throws(Problem) {
        if let newValue {
          document = try setting(path, to: newValue, in: document, type: type)
        } else if old != nil {
          document = try removing(path, from: document, type: type)
        } else {
          continue
        }
      } catch {
        problems.append(error)
        continue
      }
      // After a removal the path may name the next list item: the value is gone.
      let new = newValue == nil ? nil : document.value[path]
      if case .key? = path.last, let earlier = changes.firstIndex(where: { $0.field == path }) {
        // The same field twice: one change from the first old value to the last new one.
        changes[earlier].new = new
        if changes[earlier].old == new { changes.remove(at: earlier) }
      } else if old != new {
        changes.append(Change(field: path, old: old, new: new))
      }
    }
    if !problems.isEmpty { throw .usage(problems) }
    return try outcome(target, document: document, original: original, changes: changes)
  }

  // MARK: - tally add

  /// The record with an item appended to the list at `list` (`follow_ups`,
  /// `action_items`); the list is created when it is empty or missing.
  ///
  /// - Parameters:
  ///   - list: The list field's path.
  ///   - arguments: For a list of objects, the item's fields (`date=2026-11-29`); for a
  ///     list of single values, the one value.
  /// - Throws: As ``set(_:assignments:)``, and ``Failure/missing(_:)`` when the item's
  ///   required fields have no value (their paths are relative to the item).
  public func add(_ target: Target, list: FieldPath, arguments: [String]) throws(Failure) -> Outcome {
    let type = try recordType(named: target.type)
    let listField: FieldSpec
    do throws(Problem) {
      listField = try field(at: list, in: type.object)
    } catch {
      throw .usage([error])
    }
    guard case .list(let listSpec) = listField.type else {
      throw .usage([
        Problem(
          "'\(list)' is not a list", hint: "use 'tally set \(target.type)/\(target.id) \(list)=VALUE' to change it")
      ])
    }
    var (document, original) = try read(target)
    let existing = document.value[list]
    // Where the item goes, for messages about its values.
    let index = existing?.items?.count ?? 0
    let itemPath = list.appending(index: index)
    let itemSpec = listSpec.items
    var item: Value
    switch itemSpec.type {
    case .object(let object):
      var problems: [Problem] = []
      item = .mapping([])
      for argument in arguments {
        do throws(Problem) {
          let assignment = try Assignment(parsing: argument)
          let field = try self.field(at: assignment.path, in: object)
          guard let text = assignment.text, !text.isEmpty else {
            throw Problem("'\(assignment.path)' needs a value", hint: "write \(assignment.path)=VALUE, or leave it out")
          }
          let fullPath = FieldPath(itemPath.components + assignment.path.components)
          let scalar = try scalarValue(text, for: field, at: fullPath)
          item = try Self.assign(scalar, at: assignment.path, in: item)
        } catch {
          problems.append(error)
        }
      }
      if !problems.isEmpty { throw .usage(problems) }
      item = Self.ordered(Self.fillingDefaults(item, spec: object), spec: object)
      let missing = Self.missingRequired(in: item, spec: object, at: FieldPath())
      if !missing.isEmpty { throw .missing(missing) }
    case .list:
      throw .usage([Problem("'\(list)' is a list of lists, which 'tally add' cannot fill")])
    default:
      guard arguments.count == 1, let text = arguments.first, !text.isEmpty else {
        throw .usage([
          Problem(
            "'\(list)' is a list of single values: give exactly one value",
            hint: "e.g. tally add \(target.type)/\(target.id) \(list) VALUE")
        ])
      }
      do throws(Problem) {
        item = try scalarValue(text, for: itemSpec, at: itemPath)
      } catch {
        throw .usage([error])
      }
    }

    do throws(Problem) {
      switch existing {
      case .sequence?, .null?:
        document = try edited(document) { doc throws(EditError) in
          try doc.appending(item, to: list, printer: Self.printer(for: type))
        }
      case nil:
        document = try setting(list, to: .sequence([item]), in: document, type: type)
      case let other?:
        throw Problem("'\(list)' holds \(other.kindName), not a list", hint: "fix the file first")
      }
    } catch {
      throw .usage([error])
    }
    let change = Change(field: itemPath, old: nil, new: item)
    return try outcome(target, document: document, original: original, changes: [change])
  }

  // MARK: - Writing

  /// Writes an outcome: replaces the edited file atomically, or creates the new one
  /// (never over a file that appeared since).
  ///
  /// - Throws: ``Failure/refused`` when the outcome has errors; ``Failure/exists(_:)``
  ///   when a new record's file exists; ``Failure/io(_:)`` when the file changed since it
  ///   was read or cannot be written.
  public func write(_ outcome: Outcome) throws(Failure) {
    guard !outcome.isRefused else { throw .refused }
    guard case .workingTree = base else {
      throw .io("an edit of \(checkedSource().name) is committed, not written to the working tree")
    }
    switch outcome.kind {
    case .created:
      do {
        try FileSystem.createDirectory(FileSystem.parentDirectory(of: outcome.absolutePath))
      } catch {
        throw .io(error.description)
      }
      try Self.createExclusively(outcome.absolutePath, outcome.text, display: outcome.displayPath)
    case .edited:
      if outcome.isUnchanged { return }
      let current: [UInt8]
      do {
        current = try FileSystem.read(outcome.absolutePath)
      } catch {
        throw .io(error.description)
      }
      guard current == outcome.original else {
        throw .io(
          "\(outcome.displayPath) changed while it was being edited; nothing was written, run the command again")
      }
      do {
        try FileSystem.writeAtomically(outcome.absolutePath, outcome.text)
      } catch {
        throw .io(error.description)
      }
    }
  }

  /// Creates `path` with `bytes`, all or nothing, failing when it exists: the bytes go to
  /// a temporary file in the same directory, which is flushed and then hard-linked to
  /// `path` (`link` never replaces a file), then removed.
  static func createExclusively(_ path: String, _ bytes: [UInt8], display: String) throws(Failure) {
    let temporary: FileSystem.TemporaryFile
    do {
      temporary = try FileSystem.writeTemporary(nextTo: path, bytes, mode: 0o666 & ~FileSystem.currentUmask)
    } catch {
      throw .io(error.description)
    }
    defer { temporary.remove() }
    if link(temporary.path, path) != 0 {
      let code = errno
      if code == EEXIST { throw .exists(display) }
      throw .io(FileError(path: path, operation: "create", errno: code).description)
    }
  }

  // MARK: - Helpers

  /// Reads and parses the record file.
  func read(_ target: Target) throws(Failure) -> (Document, [UInt8]) {
    let display = repository.displayPath(target.relativePath)
    guard let bytes = try bytes(at: target.relativePath) else {
      throw .io("\(display): no such record file in \(checkedSource().name)")
    }
    let parsed = Document.parse(bytes, path: display)
    guard let document = parsed.document else {
      throw .notARecord(parsed.diagnostics, SourceFile(path: display, bytes: bytes))
    }
    return (document, bytes)
  }

  func outcome(_ target: Target, document: Document, original: [UInt8], changes: [Change]) throws(Failure)
    -> Outcome
  {
    let text = document.source
    let report = try check(target.relativePath, text: text, baseline: nil)
    return Outcome(
      kind: .edited, type: target.type, id: target.id, relativePath: target.relativePath,
      displayPath: repository.displayPath(target.relativePath),
      absolutePath: FileSystem.joinPath(repository.root, target.relativePath), original: original, text: text,
      changes: changes, report: report)
  }

  /// Sets the scalar (or creates the value) at `path`. A key that is not there is
  /// inserted in schema order, after the fields that come before it; mappings missing on
  /// the way are created with it.
  func setting(_ path: FieldPath, to value: Value, in document: Document, type: RecordType) throws(Problem)
    -> Document
  {
    let current = document.value
    let printer = Self.printer(for: type)
    // The first component that is not there, and the existing value holding it.
    var prefix = FieldPath()
    var missing: Int?
    for (position, component) in path.components.enumerated() {
      let next = prefix.appending(component)
      if current[next] == nil {
        missing = position
        break
      }
      prefix = next
    }
    guard let missing else {
      return try edited(document) { doc throws(EditError) in try doc.setting(path, to: value, printer: printer) }
    }
    let parent = current[prefix]
    guard case .key(let key) = path.components[missing] else {
      let count = parent?.items?.count ?? 0
      throw Problem(
        "'\(prefix)' has \(count) item\(count == 1 ? "" : "s"); there is no '\(path)'",
        hint: "add an item with 'tally add \(document.path) \(prefix) field=value'")
    }
    var nested = value
    for inner in path.components[(missing + 1)...].reversed() {
      guard case .key(let innerKey) = inner else {
        throw Problem(
          "'\(prefix.appending(key: key))' is not there yet, so it has no items", hint: "add one with 'tally add'")
      }
      nested = .mapping([Value.Pair(key: innerKey, value: nested)])
    }
    guard case .mapping(let pairs)? = parent, !pairs.isEmpty else {
      // An empty mapping or an empty value: the edit creates what is missing.
      return try edited(document) { doc throws(EditError) in try doc.setting(path, to: value, printer: printer) }
    }
    var spec: ObjectSpec? = type.object
    if !prefix.isEmpty {
      if case .object(let object)? = type.object.field(at: prefix)?.type { spec = object } else { spec = nil }
    }
    let index = Self.insertionIndex(for: key, among: pairs.map(\.key), spec: spec)
    let inserted = nested
    return try edited(document) { doc throws(EditError) in
      try doc.inserting(key: key, value: inserted, into: prefix, at: index, printer: printer)
    }
  }

  func removing(_ path: FieldPath, from document: Document, type: RecordType) throws(Problem) -> Document {
    try edited(document) { doc throws(EditError) in try doc.removing(path, printer: Self.printer(for: type)) }
  }

  /// Runs a document edit, turning its error into a problem.
  func edited(_ document: Document, _ body: (Document) throws(EditError) -> Document) throws(Problem) -> Document {
    do {
      return try body(document)
    } catch {
      throw Problem("cannot edit \(document.path): \(error)")
    }
  }

  /// The type's canonical printer (numbers, dates and booleans plain), for edits.
  static func printer(for type: RecordType) -> CanonicalPrinter {
    let object = type.object
    return CanonicalPrinter(isTyped: { path in object.field(at: path)?.type.isTypedScalar ?? false })
  }

  /// Where a key goes among `keys` so that the fields stay in schema order: after the last
  /// key that the schema puts before it (at the end when the schema does not know it).
  static func insertionIndex(for key: String, among keys: [String], spec: ObjectSpec?) -> Int {
    guard let spec, let position = spec.position(of: key) else { return keys.count }
    var index = 0
    for (offset, existing) in keys.enumerated() {
      if let other = spec.position(of: existing), other < position { index = offset + 1 }
    }
    return index
  }

  /// Checks `text` as the file at `relative`, among the other records of the base.
  ///
  /// The report has the problems of that file, and those of the other records that the new
  /// text causes: a unique value it shares with another record is reported on it, whichever
  /// file comes first. `others` replaces more files of the working tree (nil: removed) —
  /// the other files of a merge being resolved.
  func check(
    _ relative: String, text: [UInt8], baseline: TransitionChecker.Baseline?, alongside others: [String: [UInt8]?] = [:]
  ) throws(Failure) -> CheckReport {
    let checker = RepositoryChecker(repository: repository, today: today)
    let base = checkedSource()
    var report: CheckReport
    do {
      var source: RecordSource = Overlay(base: base, replacing: [relative: text])
      if !others.isEmpty {
        var changes = others
        changes[relative] = text
        source = OverlaySource(base: try base.files(), changes: changes, name: base.name)
      }
      // Everything is checked (it is all read anyway) so that duplicates reported on the
      // other record are seen; the report is narrowed below.
      report = try checker.check(source, only: nil, baseline: baseline)
    } catch {
      throw .io("cannot read the records: \(error)")
    }
    let shown = repository.displayPath(relative)
    let setup = Swift.Set(repository.setupDiagnostics)
    let id = String(FileSystem.baseName(of: relative).dropLast(5))
    report.diagnostics = report.diagnostics.compactMap { diagnostic in
      if diagnostic.path == shown || setup.contains(diagnostic) { return diagnostic }
      guard diagnostic.code == "not-unique", let note = diagnostic.notes.first(where: { $0.path == shown }) else {
        return nil
      }
      // The same problem, told from the edited record.
      let other = String(FileSystem.baseName(of: diagnostic.path).dropLast(5))
      var turned = diagnostic
      turned.path = shown
      turned.range = note.range
      turned.message = diagnostic.message.replacing("is also used by \(id)", with: "is also used by \(other)")
      turned.notes = [Diagnostic.Note(message: "also in \(other)", path: diagnostic.path, range: diagnostic.range)]
      return turned
    }
    report.diagnostics.sort(by: Diagnostic.sortOrder)
    return report
  }
}
