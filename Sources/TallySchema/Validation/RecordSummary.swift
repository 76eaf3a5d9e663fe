import TallyText

/// What the checks across records need to know about one record, so that a whole
/// repository can be checked without keeping every syntax tree in memory.
public struct RecordSummary: Sendable {
  public var type: String
  public var id: String
  public var path: String
  /// Every reference the record makes.
  public var references: [ReferenceUse] = []
  /// Values of fields that must be unique across the type's records.
  public var uniqueValues: [UniqueValue] = []
  /// Rules that read other records (`reports_to.role`): evaluated once all are loaded.
  public var deferredRules: [DeferredRule] = []
  /// The record's value, kept when other records' rules and conditions may read it, or its
  /// own deferred rules need it.
  public var value: Value?
  /// Values of fields with transitions (`status`), for comparing versions.
  public var states: [State] = []

  public init(type: String, id: String, path: String) {
    self.type = type
    self.id = id
    self.path = path
  }

  public struct ReferenceUse: Sendable {
    /// Where the reference is (made from `place` when asked for: only problems need it).
    public var field: FieldPath {
      get {
        switch place {
        case .path(let path): path
        case .shaped(let shape, let positions): shape.path(positions)
        }
      }
      set { place = .path(newValue) }
    }
    public var target: String
    public var id: String
    public var range: SourceRange?
    /// Index of the field's spec path, to find its condition: the owner object's field.
    public var spec: ReferenceSpec
    var place: Place

    /// A path kept whole, or a field's shape (its keys, shared by every record) with the
    /// list positions on the way packed into one integer: a path per reference was an array
    /// per reference — 600,000 of them for 100,000 customers and their follow-ups.
    enum Place: Sendable {
      case path(FieldPath)
      case shaped(PathShape, positions: UInt64)
    }

    public init(field: FieldPath, target: String, id: String, range: SourceRange?, spec: ReferenceSpec) {
      self.init(place: .path(field), target: target, id: id, range: range, spec: spec)
    }

    init(place: Place, target: String, id: String, range: SourceRange?, spec: ReferenceSpec) {
      self.place = place
      self.target = target
      self.id = id
      self.range = range
      self.spec = spec
    }
  }

  public struct UniqueValue: Sendable {
    public var field: String
    public var value: String {
      didSet { hash = Self.hash(value) }
    }
    public var range: SourceRange?
    /// The hash of the value's bytes, taken when the record is checked: the check for
    /// repeated values across 100,000 records then reads a value only when its hash is met
    /// again.
    private(set) var hash: Int

    public init(field: String, value: String, range: SourceRange?) {
      self.field = field
      self.value = value
      self.range = range
      self.hash = Self.hash(value)
    }

    static func hash(_ value: String) -> Int {
      var value = value
      return value.withUTF8 { bytes in
        var hasher = Hasher()
        hasher.combine(bytes: UnsafeRawBufferPointer(bytes))
        return hasher.finalize()
      }
    }
  }

  public struct DeferredRule: Sendable {
    /// The object the rule belongs to (empty: the record).
    public var objectPath: FieldPath
    public var rule: Rule
    public var range: SourceRange?
  }

  public struct State: Sendable {
    public var field: String
    public var value: String
    public var range: SourceRange?

    public init(field: String, value: String, range: SourceRange?) {
      self.field = field
      self.value = value
      self.range = range
    }
  }
}

/// The path of a field in a record type with its list positions left open
/// (`follow_ups[_].by`): what every record's path to the field has in common.
final class PathShape: Sendable {
  /// Keys, and `.index(-1)` where a list's position goes.
  let components: [FieldPath.Component]

  /// At most four positions, of 16 bits each, are packed.
  static let maxPositions = 4

  init?(_ components: [FieldPath.Component]) {
    guard components.count(where: { $0 == .index(-1) }) <= Self.maxPositions else { return nil }
    self.components = components
  }

  /// The positions of `path`'s list items packed into one integer, when `path` has this
  /// shape and each position fits in 16 bits; nil otherwise.
  func positions(of path: [FieldPath.Component]) -> UInt64? {
    guard path.count == components.count else { return nil }
    var packed: UInt64 = 0
    var slot: UInt64 = 0
    for (component, expected) in zip(path, components) {
      switch (component, expected) {
      case (.index(let index), .index):
        guard index >= 0, index < 0xFFFF else { return nil }
        packed |= UInt64(index) << (16 * slot)
        slot += 1
      case (.key(let key), .key(let expectedKey)):
        guard key == expectedKey else { return nil }
      default:
        return nil
      }
    }
    return packed
  }

  /// The path with `positions` (from ``positions(of:)``) put back in.
  func path(_ positions: UInt64) -> FieldPath {
    var slot: UInt64 = 0
    return FieldPath(
      components.map { component in
        guard case .index = component else { return component }
        defer { slot += 1 }
        return .index(Int((positions >> (16 * slot)) & 0xFFFF))
      })
  }
}
