import TallyText

/// One field that differs between two versions of a record (``FieldDiff``).
public struct FieldDifference: Sendable, Hashable, CustomStringConvertible {
  public enum Kind: Sendable, Hashable {
    /// The field or item is in the new version only (or was empty in the old one).
    case added
    /// The field or item is in the old version only (or is empty in the new one).
    case removed
    /// The value differs, as the schema reads it.
    case changed
  }

  /// Where, with list positions, as people read it: `follow_ups[3].outcome`. An item's
  /// position is the one it has in the new version, or for a removed item the one it had in
  /// the old.
  public var path: FieldPath
  /// Where, by identity: the same in both versions however items moved (``IdentityPath``).
  public var identity: IdentityPath
  public var kind: Kind
  /// The value before; nil for an addition.
  public var old: Value?
  /// The value after; nil for a removal.
  public var new: Value?

  public init(path: FieldPath, identity: IdentityPath, kind: Kind, old: Value?, new: Value?) {
    self.path = path
    self.identity = identity
    self.kind = kind
    self.old = old
    self.new = new
  }

  /// `status: "prospect" → "active"`, `+ follow_ups[3]: {…}`, `- churn_reason: "price"`.
  public var description: String {
    switch kind {
    case .added: "+ \(path): \(new ?? .null)"
    case .removed: "- \(path): \(old ?? .null)"
    case .changed: "\(path): \(old ?? .null) → \(new ?? .null)"
    }
  }
}
