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
    public var field: FieldPath
    public var target: String
    public var id: String
    public var range: SourceRange?
    /// Index of the field's spec path, to find its condition: the owner object's field.
    public var spec: ReferenceSpec

    public init(field: FieldPath, target: String, id: String, range: SourceRange?, spec: ReferenceSpec) {
      self.field = field
      self.target = target
      self.id = id
      self.range = range
      self.spec = spec
    }
  }

  public struct UniqueValue: Sendable {
    public var field: String
    public var value: String
    public var range: SourceRange?

    public init(field: String, value: String, range: SourceRange?) {
      self.field = field
      self.value = value
      self.range = range
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
