import TallyGit
import TallyRecords
import TallySchema
import TallyText

/// A record named on the command line: `customer/C-0042`, `customers/C-0042` or
/// `customers/C-0042.yaml`.
public struct RecordKey: Sendable, Hashable, CustomStringConvertible {
  public var type: String
  public var id: String

  public init(type: String, id: String) {
    self.type = type
    self.id = id
  }

  public var description: String { "\(type)/\(id)" }

  /// The record `text` names: `TYPE/ID` or the path of its file relative to `directory`
  /// (see ``RecordsRepository/record(named:from:)``); the record need not exist.
  ///
  /// - Throws: ``RecordsRepository/RecordNameError`` saying what is wrong (`..` in a name,
  ///   a path outside the records root, an unknown type).
  public init(named text: String, in records: RecordsRepository, from directory: String) throws(RecordsRepository
    .RecordNameError)
  {
    let named = try records.record(named: text, from: directory)
    self.init(type: named.type, id: named.id)
  }
}

/// One entry of a record's history: a commit and what it did to the record.
public struct RecordEvent: Sendable {
  public var commit: CommitChanges
  public var change: RecordChange
}

extension History {
  /// The commits that touched `key`, newest first, following renames backwards (a record
  /// renamed from C-0041 shows C-0041's history before the rename).
  public func events(of key: RecordKey, in commits: [CommitChanges]) -> [RecordEvent] {
    var current = key
    var result: [RecordEvent] = []
    for commit in commits.reversed() {
      for change in commit.records where change.type == current.type && change.id == current.id {
        result.append(RecordEvent(commit: commit, change: change))
        if change.kind == .renamed, let oldType = change.oldType, let oldID = change.oldID {
          current = RecordKey(type: oldType, id: oldID)
        }
      }
    }
    return result
  }

  /// The bytes of a record in a commit, looking under the id it had then (renames are
  /// followed back from `key` as it is named now).
  public func recordBytes(_ key: RecordKey, at commit: CommitID, renamedFrom history: [RecordEvent]) throws -> (
    path: String, bytes: [UInt8]
  )? {
    var candidates = [key]
    for event in history where event.change.kind == .renamed {
      if let oldType = event.change.oldType, let oldID = event.change.oldID {
        candidates.append(RecordKey(type: oldType, id: oldID))
      }
    }
    let snapshot = records(at: commit)
    for candidate in candidates {
      if let found = try snapshot.file(candidate) { return found }
    }
    return nil
  }
}

/// Who made a change, as the team knows them: the staff record whose email is the commit's
/// author email, else the name git recorded.
public struct People: Sendable {
  public var byEmail: [String: (id: String, name: String)] = [:]
  public var names: [String: String] = [:]  // "type/id" -> name, for showing references

  public init() {}

  /// Reads every record of the types that references point at (staff, usually) from the
  /// working tree, for names and emails.
  public static func load(_ records: RecordsRepository) -> People {
    var people = People()
    var targets = Set<String>()
    for type in records.schema.types { collectTargets(type.object, into: &targets) }
    for typeName in targets.sorted() {
      guard let type = records.schema.type(named: typeName) else { continue }
      let directory = FileSystem.joinPath(records.root, type.directory)
      let files = (try? FileSystem.files(under: directory, suffixes: [".yaml"])) ?? []
      guard files.count <= 20_000 else { continue }
      for file in files {
        guard let bytes = try? FileSystem.read(file), let value = SyntaxTree.parse(bytes).tree?.value,
          let pairs = value.pairs
        else { continue }
        let id = String(FileSystem.baseName(of: file).dropLast(5))
        let name = pairs.first(where: { $0.key == "name" })?.value.text
        if let name { people.names["\(type.name)/\(id)"] = name }
        if let email = pairs.first(where: { $0.key == "email" })?.value.text {
          people.byEmail[email.lowercased()] = (id, name ?? id)
        }
      }
    }
    return people
  }

  static func collectTargets(_ object: ObjectSpec, into targets: inout Set<String>) {
    for field in object.fields { collectTargets(field.type, into: &targets) }
  }

  static func collectTargets(_ type: FieldType, into targets: inout Set<String>) {
    switch type {
    case .reference(let spec): targets.insert(spec.target)
    case .list(let list): collectTargets(list.items.type, into: &targets)
    case .object(let object): collectTargets(object, into: &targets)
    default: break
    }
  }

  /// "王芳" for a staff member (by email), else git's name.
  public func author(_ signature: Signature) -> (name: String, staff: String?) {
    if let person = byEmail[signature.email.lowercased()] { return (person.name, person.id) }
    return (signature.name, nil)
  }
}
