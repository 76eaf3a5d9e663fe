import TallyGit
import TallyText

/// One field that changed between two versions of a record.
public struct FieldChange: Sendable, Equatable {
  public enum Kind: UInt8, Sendable {
    case added = 1
    case removed = 2
    case changed = 3
  }

  /// Where: `status`, `follow_ups[3].outcome`, `contacts[李强].phone` for lists matched by key
  /// (shown with the item's key; the stored path uses the item's index in the new version).
  public var path: FieldPath
  public var kind: Kind
  /// The value before (nil for an addition); decoded from the cache each time it is read.
  public var old: Value? {
    get { storedOld.value }
    set { storedOld = LazyValue(newValue) }
  }
  /// The value after (nil for a removal); decoded from the cache each time it is read.
  public var new: Value? {
    get { storedNew.value }
    set { storedNew = LazyValue(newValue) }
  }
  var storedOld: LazyValue
  var storedNew: LazyValue

  public init(path: FieldPath, kind: Kind, old: Value?, new: Value?) {
    self.init(path: path, kind: kind, storedOld: LazyValue(old), storedNew: LazyValue(new))
  }

  init(path: FieldPath, kind: Kind, storedOld: LazyValue, storedNew: LazyValue) {
    self.path = path
    self.kind = kind
    self.storedOld = storedOld
    self.storedNew = storedNew
  }
}

/// What happened to one record in one commit.
public struct RecordChange: Sendable, Equatable {
  public enum Kind: UInt8, Sendable {
    case added = 1
    case removed = 2
    case modified = 3
    /// The same content under another id or type (followed by blob, not by similarity).
    case renamed = 4
  }

  public var kind: Kind
  public var type: String
  public var id: String
  /// For renames: where the record was before.
  public var oldType: String?
  public var oldID: String?
  public var oldBlob: ObjectID?
  public var newBlob: ObjectID?
  /// For modifications: the fields that changed. Empty when only the formatting changed.
  public var fields: [FieldChange]
  /// For additions: the record as it was created; decoded from the cache each time it is
  /// read (bind it once).
  public var value: Value? {
    get { storedValue.value }
    set { storedValue = LazyValue(newValue) }
  }
  var storedValue: LazyValue

  /// ``value`` read in place: for reading a few fields of it without decoding the rest.
  public var encodedValue: EncodedValue? { storedValue.encoded }

  public init(
    kind: Kind, type: String, id: String, oldType: String? = nil, oldID: String? = nil, oldBlob: ObjectID?,
    newBlob: ObjectID?, fields: [FieldChange] = [], value: Value? = nil
  ) {
    self.init(
      kind: kind, type: type, id: id, oldType: oldType, oldID: oldID, oldBlob: oldBlob, newBlob: newBlob,
      fields: fields, storedValue: LazyValue(value))
  }

  init(
    kind: Kind, type: String, id: String, oldType: String?, oldID: String?, oldBlob: ObjectID?, newBlob: ObjectID?,
    fields: [FieldChange], storedValue: LazyValue
  ) {
    self.kind = kind
    self.type = type
    self.id = id
    self.oldType = oldType
    self.oldID = oldID
    self.oldBlob = oldBlob
    self.newBlob = newBlob
    self.fields = fields
    self.storedValue = storedValue
  }

  /// `customer/C-0042`.
  public var key: String { "\(type)/\(id)" }
  /// True for a commit that rewrote the file without changing any field.
  public var isReformatOnly: Bool { kind == .modified && fields.isEmpty }
}

extension RecordChange {
  /// `added` and `removed` with each removal whose content reappears in an addition turned
  /// into one rename (followed by content, not by similarity).
  static func pairingRenames(added: [RecordChange], removed: [RecordChange]) -> [RecordChange] {
    var removedByBlob: [ObjectID: Int] = [:]
    for (index, change) in removed.enumerated() { removedByBlob[change.oldBlob!] = index }
    var renamedAway = Set<Int>()
    var result: [RecordChange] = []
    for change in added {
      if let index = removedByBlob[change.newBlob!], !renamedAway.contains(index) {
        renamedAway.insert(index)
        var renamed = change
        renamed.kind = .renamed
        renamed.oldType = removed[index].type
        renamed.oldID = removed[index].id
        renamed.oldBlob = removed[index].oldBlob
        renamed.value = nil
        result.append(renamed)
      } else {
        result.append(change)
      }
    }
    for (index, change) in removed.enumerated() where !renamedAway.contains(index) { result.append(change) }
    return result
  }
}

/// One commit, as data.
public struct CommitChanges: Sendable, Equatable {
  public var id: ObjectID
  public var parents: [ObjectID]
  public var author: Signature
  public var committer: Signature
  public var message: String
  public var records: [RecordChange]
  /// True when `tally.yaml` or a schema file changed in this commit.
  public var schemaChanged: Bool

  public var summary: String {
    String(message.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
  }

  public init(
    id: ObjectID, parents: [ObjectID], author: Signature, committer: Signature, message: String,
    records: [RecordChange], schemaChanged: Bool
  ) {
    self.id = id
    self.parents = parents
    self.author = author
    self.committer = committer
    self.message = message
    self.records = records
    self.schemaChanged = schemaChanged
  }
}
