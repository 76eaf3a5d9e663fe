/// How a three-way merge treats a value both branches changed (the schema's `merge:`).
///
/// A change made on one side only is always taken, and the same change made on both sides
/// is taken once; the strategy decides what happens when the two sides changed a value
/// differently.
public enum MergeStrategy: String, Sendable, Hashable, CaseIterable {
  /// The default: objects merge field by field and lists item by item (by their
  /// `unique_by` key, or by content); two different changes to one scalar are a conflict.
  case combine
  /// The value merges as a whole: one side's value when only that side changed it, a
  /// conflict when both changed it differently. For objects and lists whose parts only
  /// make sense together (an address, a price table).
  case atomic
  /// A person decides: any two different concurrent changes are a conflict, however they
  /// could be combined. On a field (a contract amount, a plan's targets) it is `atomic`
  /// for any type; on a record type, two branches that both changed a record conflict on
  /// the whole record.
  case manual
}
