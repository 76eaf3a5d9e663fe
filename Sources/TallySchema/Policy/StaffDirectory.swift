import TallyText

/// A member of staff as the policy sees them.
public struct Person: Sendable, Hashable {
  public var id: String
  public var name: String?
  public var role: String?
  public var team: String?
  /// E-mail addresses and logins, lowercased.
  public var identities: [String]
  public var active: Bool

  public init(
    id: String, name: String? = nil, role: String? = nil, team: String? = nil, identities: [String] = [],
    active: Bool = true
  ) {
    self.id = id
    self.name = name
    self.role = role
    self.team = team
    self.identities = identities
    self.active = active
  }

  /// `梁嘉欣 (S-0022)`.
  public var label: String { name.map { "\($0) (\(id))" } ?? id }
}

/// The staff of a snapshot, by id and by identity (who the policy's actors are).
public struct StaffDirectory: Sendable {
  public let settings: ActorSettings
  private var byID: [String: Person] = [:]
  private var byIdentity: [String: String] = [:]
  /// Identities two people list: they name nobody (nobody takes over a colleague's login by
  /// adding it to their own record).
  public private(set) var ambiguous: Set<String> = []

  /// The people of the staff records `records` (id and value), of the type `settings` names.
  public init(records: [(id: String, value: Value)], settings: ActorSettings, schema: SchemaSet, today: CivilDate) {
    self.settings = settings
    let spec = schema.type(named: settings.type)?.object ?? ObjectSpec(fields: [], open: true)
    for (id, value) in records {
      let view = ObjectView(value: value, spec: spec, recordType: settings.type, id: id)
      func text(_ field: String) -> String? {
        if case .scalar(let text, _)? = value[field] { return text }
        return nil
      }
      var identities: [String] = []
      for field in settings.identities {
        switch value[field] {
        case .scalar(let text, _)?: identities.append(text.lowercased())
        case .sequence(let items)?:
          for case .scalar(let text, _) in items { identities.append(text.lowercased()) }
        default: break
        }
      }
      var active = true
      if let expression = settings.active {
        let context = EvaluationContext(scope: view, record: view, today: today)
        if case .bool(let value)? = try? expression.evaluate(in: context) { active = value } else { active = false }
      }
      let person = Person(
        id: id, name: text("name"), role: text(settings.role), team: text(settings.team), identities: identities,
        active: active)
      byID[id] = person
      for identity in Set(identities) {
        if let other = byIdentity[identity], other != id {
          ambiguous.insert(identity)
        } else {
          byIdentity[identity] = id
        }
      }
    }
  }

  public var all: [Person] { byID.values.sorted { $0.id < $1.id } }

  public func person(id: String) -> Person? { byID[id] }

  /// The person with the e-mail address or login `identity` (case does not matter).
  public func person(identity: String) -> Person? {
    let key = identity.lowercased()
    if ambiguous.contains(key) { return nil }
    return byIdentity[key].flatMap { byID[$0] }
  }

  /// A person by staff id or by identity.
  public func person(named text: String) -> Person? {
    person(id: text) ?? person(identity: text)
  }
}
