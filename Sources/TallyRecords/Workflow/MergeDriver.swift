import TallyGit
import TallySchema
import TallyText

/// git's merge driver for record files: `tally merge-driver %O %A %B %L %P`.
///
/// git calls it once per record file both branches changed (in `git merge`, `pull`,
/// `rebase`, `cherry-pick` and `revert`), with the three versions in temporary files. The
/// file is merged as a record by its schema (``RecordMerge``) and the result written over
/// ours (`%A`), atomically. A file that cannot be read as a record — not in the record
/// format, holding conflict markers already, not of a known type, of a type whose schema
/// has errors — is merged as lines instead (git's own `merge-file --diff3`), and the
/// reason is given. Either way no side is lost: the result holds every change or marks
/// what it could not decide.
public struct MergeDriver: Sendable {
  /// What git passes.
  public struct Input: Sendable {
    /// The base version's temporary file (`%O`).
    public var base: String
    /// Ours (`%A`): where the result goes.
    public var ours: String
    /// Theirs (`%B`).
    public var theirs: String
    /// The conflict marker size (`%L`).
    public var markerSize: Int
    /// The file's path in the repository, relative to the top of the working tree (`%P`).
    public var path: String

    public init(base: String, ours: String, theirs: String, markerSize: Int, path: String) {
      self.base = base
      self.ours = ours
      self.theirs = theirs
      self.markerSize = markerSize
      self.path = path
    }
  }

  /// What the driver did.
  public struct Outcome: Sendable {
    public enum Method: Sendable, Equatable {
      /// Merged as a record of this type.
      case record(type: String)
      /// Merged as lines, for this reason.
      case lines(reason: String)
    }

    public var method: Method
    /// The conflicts left, field by field (empty for a merge of lines).
    public var conflicts: [RecordMerge.Conflict]
    /// Whether the result still holds conflict markers.
    public var hasConflicts: Bool
    /// Which version the result is exactly, when one side had not changed the file.
    public var takenWhole: RecordMerge.Side?
  }

  /// Why the driver could not merge at all (nothing is written then: `%A` keeps ours, and
  /// git reports the file as conflicted).
  public struct Failure: Error, Sendable, CustomStringConvertible {
    public var description: String
  }

  /// The directory git runs the driver in: the top of the working tree.
  public let workTree: String
  /// The day rules that read `today` are checked on; nil: the merged record is not checked.
  public let today: @Sendable (RecordsRepository) -> CivilDate?

  public init(workTree: String, today: @escaping @Sendable (RecordsRepository) -> CivilDate?) {
    self.workTree = workTree
    self.today = today
  }

  /// Merges the three versions and writes the result over ours.
  public func run(_ input: Input) throws(Failure) -> Outcome {
    let base: [UInt8]
    let ours: [UInt8]
    let theirs: [UInt8]
    do {
      base = try FileSystem.read(input.base)
      ours = try FileSystem.read(input.ours)
      theirs = try FileSystem.read(input.theirs)
    } catch {
      throw Failure(description: error.description)
    }
    var outcome: Outcome
    var bytes: [UInt8]
    switch recordMerge(for: input.path, markerSize: input.markerSize) {
    case .success(let (merge, typeName)):
      do {
        let result = try merge.merge(base: base, ours: ours, theirs: theirs, path: input.path)
        bytes = result.bytes
        outcome = Outcome(
          method: .record(type: typeName), conflicts: result.conflicts, hasConflicts: !result.isClean,
          takenWhole: result.takenWhole)
      } catch {
        (bytes, outcome) = try lines(base, ours, theirs, input: input, reason: "\(error)")
      }
    case .failure(let reason):
      (bytes, outcome) = try lines(base, ours, theirs, input: input, reason: reason.description)
    }
    if bytes != ours {
      do {
        try FileSystem.writeAtomically(input.ours, bytes)
      } catch {
        throw Failure(description: error.description)
      }
    }
    return outcome
  }

  struct NotARecord: Error, CustomStringConvertible {
    var description: String
  }

  /// The merge for the record file at `path`, or why it is not merged as a record.
  func recordMerge(for path: String, markerSize: Int) -> Result<(RecordMerge, String), NotARecord> {
    let absolute = FileSystem.joinPath(workTree, path)
    guard let root = RecordsRoot.find(from: FileSystem.parentDirectory(of: absolute)) else {
      return .failure(NotARecord(description: "no tally.yaml above \(path)"))
    }
    let repository: RecordsRepository
    do {
      repository = try RecordsRepository.open(root: root, from: root, displayBase: workTree)
    } catch {
      return .failure(NotARecord(description: error.description))
    }
    let relative = FileSystem.relative(absolute, to: root)
    guard case .record(let typeName, _) = repository.role(of: relative),
      let type = repository.schema.type(named: typeName)
    else {
      return .failure(NotARecord(description: "\(path) is not a record of any type in the schemas"))
    }
    if let reason = FormattingPolicy(repository: repository).reasonToLeaveAlone(absolutePath: absolute) {
      return .failure(NotARecord(description: reason))
    }
    let merge = RecordMerge(
      type: type, schema: repository.schema, today: today(repository), markerSize: markerSize)
    return .success((merge, typeName))
  }

  func lines(_ base: [UInt8], _ ours: [UInt8], _ theirs: [UInt8], input: Input, reason: String) throws(Failure)
    -> ([UInt8], Outcome)
  {
    do {
      let result = try LineMerge.merge(base: base, ours: ours, theirs: theirs, markerSize: input.markerSize)
      return (
        result.bytes,
        Outcome(method: .lines(reason: reason), conflicts: [], hasConflicts: !result.isClean, takenWhole: nil)
      )
    } catch {
      throw Failure(description: "the merge of lines failed: \(error)")
    }
  }
}
