import TallyText

/// Who may change what: the rules of a repository's `policy.yaml`, read by ``PolicyLoader``
/// and applied by ``PolicyJudge``.
///
/// Every operation a change makes (``PolicyAction``) must be allowed by at least one `allow`
/// rule and by no `deny` rule; without a policy file everything is allowed.
public struct Policy: Sendable {
  /// The file's name, at the records root beside `tally.yaml`.
  public static let fileName = "policy.yaml"

  /// The path diagnostics and verdicts name the file by.
  public var path: String
  /// A pushed commit whose author is not the pusher is refused.
  public var requireAuthor: Bool
  public var actors: ActorSettings
  public var rules: [PolicyRule]

  public init(
    path: String = Policy.fileName, requireAuthor: Bool = false, actors: ActorSettings = .init(), rules: [PolicyRule]
  ) {
    self.path = path
    self.requireAuthor = requireAuthor
    self.actors = actors
    self.rules = rules
  }
}

/// What a change does, as the policy names it.
public enum PolicyOperation: String, Sendable, CaseIterable, Hashable, Comparable {
  /// A new record.
  case create
  /// A record removed.
  case delete
  /// A field set, changed or cleared; an item of a list changed.
  case change
  /// An item added to a list.
  case add
  /// An item removed from a list.
  case remove

  public static func < (a: Self, b: Self) -> Bool {
    allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
  }
}

/// The files the policy governs that are not records: they are named by these types.
public enum PolicyPseudoType {
  /// `policy.yaml` itself.
  public static let policy = "policy"
  /// `tally.yaml` and the schema files.
  public static let settings = "settings"
  public static let all = [policy, settings]
}

/// Where the people are: the record type of staff and the fields the policy reads.
public struct ActorSettings: Sendable {
  public var type: String
  public var role: String
  public var team: String
  /// Fields (text, or lists of text) holding a person's e-mail addresses and forge logins.
  public var identities: [String]
  /// True for a person who may act (default: `status != "left"`).
  public var active: Expression?

  public init(
    type: String = "staff", role: String = "role", team: String = "team",
    identities: [String] = ["email", "git_identities"], active: Expression? = ActorSettings.defaultActive
  ) {
    self.type = type
    self.role = role
    self.team = team
    self.identities = identities
    self.active = active
  }

  public static let defaultActive: Expression? = try? Expression(parsing: "status != \"left\"")
}

/// One rule of a policy.
public struct PolicyRule: Sendable {
  public enum Effect: String, Sendable {
    case allow
    case deny
  }

  public var name: String
  public var effect: Effect
  public var operations: Set<PolicyOperation>
  /// Who the rule is about; nil: anyone. Every list given must match.
  public var staff: [String]?
  public var roles: [String]?
  public var teams: [String]?
  /// Record types (or ``PolicyPseudoType``s); nil: any.
  public var types: [String]?
  /// Must hold on the record before and after (allow), or in either (deny).
  public var condition: Expression?
  /// Paths the rule is about; nil: any field, and whole records.
  public var fields: [FieldPattern]?
  public var message: String?
  /// Where the rule starts in the policy file.
  public var line: Int

  public init(
    name: String, effect: Effect, operations: Set<PolicyOperation>, staff: [String]? = nil, roles: [String]? = nil,
    teams: [String]? = nil, types: [String]? = nil, condition: Expression? = nil, fields: [FieldPattern]? = nil,
    message: String? = nil, line: Int = 0
  ) {
    self.name = name
    self.effect = effect
    self.operations = operations
    self.staff = staff
    self.roles = roles
    self.teams = teams
    self.types = types
    self.condition = condition
    self.fields = fields
    self.message = message
    self.line = line
  }

  /// Whether the rule is about `person`.
  public func applies(to person: Person) -> Bool {
    if let staff, !staff.contains(person.id) { return false }
    if let roles, !roles.contains(person.role ?? "") { return false }
    if let teams, !teams.contains(person.team ?? "") { return false }
    return true
  }

  /// Whether the rule is about `operation` on `type`, at `path` (nil: the whole record).
  public func covers(_ operation: PolicyOperation, type: String, path: FieldPath?) -> Bool {
    guard operations.contains(operation) else { return false }
    if let types, !types.contains(type), !types.contains("*") { return false }
    guard let fields else { return true }
    guard let path else { return false }
    return fields.contains { $0.covers(path) }
  }

  /// `team_lead in 华东三组`, `anyone`: who the rule is about, for messages.
  public var whoText: String {
    var parts: [String] = []
    if let roles { parts.append(roles.joined(separator: "/")) }
    if let staff { parts.append(staff.joined(separator: "/")) }
    if let teams { parts.append("of " + teams.joined(separator: "/")) }
    return parts.isEmpty ? "anyone" : parts.joined(separator: " ")
  }
}

/// A field path with wildcards, as a rule names fields: `owner`, `follow_ups` (the list and
/// everything in it), `follow_ups[*].outcome`, `*`.
public struct FieldPattern: Sendable, Hashable, CustomStringConvertible {
  enum Component: Sendable, Hashable {
    case key(String)
    case anyKey
    case anyItem
  }

  let components: [Component]
  public let description: String

  /// Parses a pattern; nil when it is not one.
  public init?(_ text: String) {
    var components: [Component] = []
    var rest = Substring(text)
    guard !text.isEmpty else { return nil }
    while !rest.isEmpty {
      if rest.hasPrefix("[*]") {
        guard !components.isEmpty else { return nil }
        components.append(.anyItem)
        rest = rest.dropFirst(3)
        if rest.hasPrefix(".") {
          rest = rest.dropFirst()
          if rest.isEmpty { return nil }
        } else if !rest.isEmpty && !rest.hasPrefix("[") {
          return nil
        }
        continue
      }
      let end = rest.firstIndex { $0 == "." || $0 == "[" } ?? rest.endIndex
      let key = String(rest[..<end])
      guard !key.isEmpty, !key.contains("]"), !key.contains(" ") else { return nil }
      components.append(key == "*" ? .anyKey : .key(key))
      rest = rest[end...]
      if rest.hasPrefix(".") {
        rest = rest.dropFirst()
        if rest.isEmpty { return nil }
      } else if !rest.isEmpty && !rest.hasPrefix("[*]") {
        return nil
      }
    }
    self.components = components
    self.description = text
  }

  /// Whether the pattern is `path` or a prefix of it.
  public func covers(_ path: FieldPath) -> Bool {
    guard components.count <= path.components.count else { return false }
    for (pattern, component) in zip(components, path.components) {
      switch (pattern, component) {
      case (.key(let a), .key(let b)) where a == b: continue
      case (.anyKey, .key): continue
      case (.anyItem, .index): continue
      default: return false
      }
    }
    return true
  }

  /// The field names along the pattern (items left out), for checking them against a schema.
  var keys: [String?] {
    components.compactMap {
      switch $0 {
      case .key(let key): key
      case .anyKey: nil
      case .anyItem: nil
      }
    }
  }
}
