import TallyText

/// Where a value is inside a record, by identity rather than by position: keys by name, list
/// items by what identifies them (their `unique_by` key, their whole content, or their
/// position; see ``ItemIdentity``).
///
/// Two versions of a record name the same value with the same identity path, wherever its
/// item moved in a list, so the changes of two sides against one base (``ThreeWayDiff``)
/// meet at the same paths.
public struct IdentityPath: Hashable, Sendable, CustomStringConvertible {
  /// One step: a key of a mapping, or an item of a list.
  public enum Component: Hashable, Sendable {
    case key(String)
    case item(ItemIdentity)
  }

  public var components: [Component]

  public init(_ components: [Component] = []) {
    self.components = components
  }

  public var isEmpty: Bool { components.isEmpty }

  /// Whether `prefix` is this path or an ancestor of it.
  public func hasPrefix(_ prefix: IdentityPath) -> Bool {
    components.count >= prefix.components.count && components.starts(with: prefix.components)
  }

  /// `contacts["李强"].phone`, `follow_ups[={…}]`, `tags[2]`.
  public var description: String {
    var out = ""
    for component in components {
      switch component {
      case .key(let key):
        if !out.isEmpty { out += "." }
        out += key
      case .item(let item):
        out += "[\(item)]"
      }
    }
    return out
  }
}

/// What identifies an item of a list from one version of a record to the next.
///
/// Items are matched by the list's `unique_by` field where the schema gives one; an item
/// without that field, and every item of a list without one, by position or by whole
/// content (``FieldDiff/ListMatching``). Equal identities in one list are told apart by
/// their occurrence (0 for the first), so no item is ever lost, even in a list with
/// duplicates.
public enum ItemIdentity: Hashable, Sendable, CustomStringConvertible {
  /// The value of the item's `unique_by` field (numbers by value: `100` and `100.00` are
  /// one key).
  case key(String, occurrence: Int)
  /// The item's whole content, in the canonical form of ``FieldDiff/canonical(_:type:)``.
  case content(Value, occurrence: Int)
  /// The item's position in the list.
  case position(Int)

  /// `"李强"`, `={"date": "2026-03-02"}`, `3`; a repeated identity ends with `#2`, `#3`.
  public var description: String {
    switch self {
    case .key(let key, let occurrence): String(reflecting: key) + Self.suffix(occurrence)
    case .content(let value, let occurrence): "=" + value.description + Self.suffix(occurrence)
    case .position(let index): "\(index)"
    }
  }

  static func suffix(_ occurrence: Int) -> String { occurrence == 0 ? "" : "#\(occurrence + 1)" }
}
