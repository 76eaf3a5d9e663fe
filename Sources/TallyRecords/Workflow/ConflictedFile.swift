import TallyGit
import TallySchema
import TallyText

/// A file a merge (or a rebase, cherry-pick or revert) left for a person to finish, and what
/// is left to decide in it (``MergeConflicts``).
public struct ConflictedFile: Sendable {
  /// Where the file stands, in git's words (`git status`).
  public enum State: String, Sendable, Hashable, CaseIterable {
    /// Both sides changed it (and its merge left conflicts).
    case bothModified = "both-modified"
    /// Both sides added it, differently.
    case bothAdded = "both-added"
    /// We deleted it, they changed it.
    case deletedByUs = "deleted-by-us"
    /// They deleted it, we changed it.
    case deletedByThem = "deleted-by-them"
    /// Only we have it, and git could not place it (a rename or a directory in the way).
    case addedByUs = "added-by-us"
    /// Only they have it, and git could not place it.
    case addedByThem = "added-by-them"
    /// Both sides deleted or renamed it away (a rename on each side to different names).
    case bothDeleted = "both-deleted"
    /// git sees no conflict in it (it was staged, or never conflicted), but it holds conflict
    /// markers.
    case markers

    /// The state of a path from the stages the index has for it (1 base, 2 ours, 3 theirs).
    init(stages: Set<Int>) {
      switch (stages.contains(1), stages.contains(2), stages.contains(3)) {
      case (true, true, true): self = .bothModified
      case (false, true, true): self = .bothAdded
      case (true, false, true): self = .deletedByUs
      case (true, true, false): self = .deletedByThem
      case (false, true, false): self = .addedByUs
      case (false, false, true): self = .addedByThem
      default: self = .bothDeleted
      }
    }

    /// What happened, in words.
    public var explanation: String {
      switch self {
      case .bothModified: "changed on both sides"
      case .bothAdded: "added on both sides"
      case .deletedByUs: "deleted by us, changed by them"
      case .deletedByThem: "deleted by them, changed by us"
      case .addedByUs: "added by us, where git could not place it"
      case .addedByThem: "added by them, where git could not place it"
      case .bothDeleted: "deleted (or renamed away) on both sides"
      case .markers: "not conflicted in the index, but the file holds conflict markers"
      }
    }

    /// Whether the conflict is about the whole file (one side deleted it), not its lines.
    public var isWholeFile: Bool {
      switch self {
      case .deletedByUs, .deletedByThem, .addedByUs, .addedByThem, .bothDeleted: true
      case .bothModified, .bothAdded, .markers: false
      }
    }
  }

  /// One thing left to decide: a field (or several lines, or the whole record) with its
  /// value on each side.
  public struct Conflict: Sendable {
    /// The field, with list positions as in our version (`tier`, `contacts[0].phone`,
    /// `follow_ups[3]`); nil for the whole record, or for lines that are not one field.
    public var field: FieldPath?
    /// The field by identity: how its value is found in each version.
    public var identity: IdentityPath?
    /// The field's type in the schema (nil: not in the schema, or no field).
    public var type: FieldType?
    /// The 1-based lines of the conflict markers that hold it; nil for the whole record.
    public var lines: ClosedRange<Int>?
    /// Which conflict of the file (``ConflictedText/hunks``) holds it.
    public var hunk: Int?
    /// The value in each version (nil where a version has none). For lines that are not
    /// one field, each side's lines as text; for the whole record, the record.
    public var base: Value?
    public var ours: Value?
    public var theirs: Value?
    /// Why the lines are not read as fields, when they are not; or why the base is not known.
    public var note: String?
    /// Whether ``base`` is known: false when the markers hold no base (git's `merge`
    /// conflict style) and the index has no base version that could be read.
    public var baseKnown = true
  }

  /// The file, relative to the records root.
  public var path: String
  /// The record type and id, when the file is a record.
  public var type: String?
  public var id: String?
  public var state: State
  /// The fields (or lines) left to decide, in the order of the file; empty when the file
  /// holds no markers any more (it is then resolved but not staged).
  public var conflicts: [Conflict]
  /// The file in the working tree (nil when there is none), and its conflicts.
  public var bytes: [UInt8]?
  public var text: ConflictedText?
  /// The index's entries of the file at stages 1, 2 and 3 (base, ours, theirs).
  public var stages: [Int: IndexStage]

  /// For a file git has no conflict for (``State/markers``): whether the index holds it with
  /// markers too (it was staged unresolved), so resolving it stages it.
  public var stagedWithMarkers = false

  /// One conflict stage of the index.
  public struct IndexStage: Sendable, Hashable {
    public var id: ObjectID
    public var mode: UInt32
  }

  /// `customer/C-0001`, or the path for a file that is not a record.
  public var name: String {
    guard let type, let id else { return path }
    return "\(type)/\(id)"
  }

  /// Whether git has the file as conflicted in its index.
  public var isUnmerged: Bool { state != .markers }
}
