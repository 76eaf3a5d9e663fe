import TallySchema
import TallyText

extension FieldChange {
  /// A difference ``FieldDiff`` found, as the change data keeps it (by its path with
  /// positions; the identity path is not kept).
  public init(_ difference: FieldDifference) {
    let kind: Kind =
      switch difference.kind {
      case .added: .added
      case .removed: .removed
      case .changed: .changed
      }
    self.init(path: difference.path, kind: kind, old: difference.old, new: difference.new)
  }

  /// The field changes between two versions of a record of the type `spec` describes (nil:
  /// not known to the schema), as the history shows them: ``FieldDiff`` with the items of
  /// lists without `unique_by` matched by position (`follow_ups[3].outcome`).
  static func between(_ old: Value, _ new: Value, spec: ObjectSpec?) -> [FieldChange] {
    FieldDiff.differences(from: old, to: new, spec: spec, lists: .byPosition).map(FieldChange.init)
  }
}
