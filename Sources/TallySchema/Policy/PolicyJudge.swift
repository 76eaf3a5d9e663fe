import TallyText

/// What the policy says about one operation.
public struct PolicyVerdict: Sendable {
  public var action: PolicyAction
  public var allowed: Bool
  /// The rule that decides: the `deny` rule that denied, or the first `allow` rule that
  /// allowed; nil when no rule allows the operation.
  public var rule: PolicyRule?
  /// Why, in words: `denied by rule 'x'`, `no rule allows it`.
  public var reason: String
  /// For an operation no rule allows: the `allow` rules about it that did not apply, and why
  /// each did not (`for team_lead`, `its condition 'owner == actor' is false after the change`).
  public var near: [(rule: PolicyRule, why: String)]

  public init(
    action: PolicyAction, allowed: Bool, rule: PolicyRule?, reason: String,
    near: [(rule: PolicyRule, why: String)] = []
  ) {
    self.action = action
    self.allowed = allowed
    self.rule = rule
    self.reason = reason
    self.near = near
  }
}

/// Applies a ``Policy`` to the operations of a change.
public struct PolicyJudge: Sendable {
  public let policy: Policy
  public let schema: SchemaSet

  public init(policy: Policy, schema: SchemaSet) {
    self.policy = policy
    self.schema = schema
  }

  /// One change of one record (or of a file of ``PolicyPseudoType``) by `actor` on the day
  /// `today`.
  public struct Change: Sendable {
    public var type: String
    public var id: String
    public var before: Value?
    public var after: Value?

    public init(type: String, id: String, before: Value?, after: Value?) {
      self.type = type
      self.id = id
      self.before = before
      self.after = after
    }
  }

  /// The operations of `change` and what the policy says about each.
  ///
  /// - Parameter resolve: looks up referenced records (`owner.team`, `actor.team`).
  public func judge(
    _ change: Change, actions: [PolicyAction]? = nil, actor: Person, today: CivilDate,
    resolve: (@Sendable (String, String) -> ObjectView?)?
  ) -> [PolicyVerdict] {
    let spec = schema.type(named: change.type)?.object
    let actions = actions ?? PolicyAction.actions(from: change.before, to: change.after, spec: spec)
    return actions.map { verdict(on: $0, change, spec: spec, actor: actor, today: today, resolve: resolve) }
  }

  /// A change of a whole file that is not a record (`policy.yaml`, a schema).
  public func judgeFile(type: String, operation: PolicyOperation, actor: Person) -> PolicyVerdict {
    verdict(
      on: PolicyAction(operation), Change(type: type, id: type, before: nil, after: nil), spec: nil, actor: actor,
      today: CivilDate(year: 1970, month: 1, day: 1), resolve: nil)
  }

  /// How a condition came out in the states it was evaluated in.
  enum Outcome {
    case holds
    case fails(String)
    case unknown(String)
  }

  func verdict(
    on action: PolicyAction, _ change: Change, spec: ObjectSpec?, actor: Person, today: CivilDate,
    resolve: (@Sendable (String, String) -> ObjectView?)?
  ) -> PolicyVerdict {
    let isRecord = !PolicyPseudoType.all.contains(change.type)
    let relevant = policy.rules.filter { $0.covers(action.operation, type: change.type, path: action.path) }
    // Deny beats allow: a deny rule that applies in either state decides.
    for rule in relevant where rule.effect == .deny && rule.applies(to: actor) {
      guard let condition = rule.condition else {
        return PolicyVerdict(action: action, allowed: false, rule: rule, reason: "denied by rule '\(rule.name)'")
      }
      guard isRecord else { continue }
      let states = evaluate(condition, action, change, spec: spec, actor: actor, today: today, resolve: resolve)
      if states.contains(where: { if case .holds = $0.1 { true } else { false } }) {
        return PolicyVerdict(action: action, allowed: false, rule: rule, reason: "denied by rule '\(rule.name)'")
      }
      for case (let state, .unknown(let why)) in states {
        return PolicyVerdict(
          action: action, allowed: false, rule: rule,
          reason:
            "denied by rule '\(rule.name)': its condition cannot be evaluated \(state) the change (\(why)), so it denies"
        )
      }
    }
    var near: [(PolicyRule, String)] = []
    for rule in relevant where rule.effect == .allow {
      guard rule.applies(to: actor) else {
        near.append((rule, "for \(rule.whoText)" + (rule.condition.map { " when \($0)" } ?? "")))
        continue
      }
      guard let condition = rule.condition else {
        return PolicyVerdict(action: action, allowed: true, rule: rule, reason: "allowed by rule '\(rule.name)'")
      }
      guard isRecord else {
        near.append((rule, "only on records"))
        continue
      }
      let states = evaluate(condition, action, change, spec: spec, actor: actor, today: today, resolve: resolve)
      var failed: String?
      for (state, outcome) in states {
        switch outcome {
        case .holds: continue
        case .fails(let why): failed = "its condition '\(condition)' is false \(state) the change\(why)"
        case .unknown(let why): failed = "its condition '\(condition)' cannot be evaluated \(state) the change (\(why))"
        }
        break
      }
      if let failed {
        near.append((rule, failed))
      } else {
        return PolicyVerdict(action: action, allowed: true, rule: rule, reason: "allowed by rule '\(rule.name)'")
      }
    }
    // The closest first: rules about this person whose condition failed, then rules about
    // these fields (not catch-alls), in the file's order.
    let ranked = near.enumerated().sorted { a, b in
      func rank(_ item: (PolicyRule, String)) -> Int {
        (item.1.hasPrefix("for ") ? 2 : 0) + (item.0.fields == nil ? 1 : 0)
      }
      return (rank(a.element), a.offset) < (rank(b.element), b.offset)
    }.map(\.element)
    return PolicyVerdict(action: action, allowed: false, rule: nil, reason: "no rule allows it", near: ranked)
  }

  /// The condition on the record before and after the change (where the record exists),
  /// with `actor` and `item` bound.
  func evaluate(
    _ condition: Expression, _ action: PolicyAction, _ change: Change, spec: ObjectSpec?, actor: Person,
    today: CivilDate, resolve: (@Sendable (String, String) -> ObjectView?)?
  ) -> [(String, Outcome)] {
    let objectSpec = spec ?? ObjectSpec(fields: [], open: true)
    var states: [(String, Value, Value?)] = []
    if let before = change.before { states.append(("before", before, action.itemBefore)) }
    if let after = change.after { states.append(("after", after, action.itemAfter)) }
    return states.map { state, value, item in
      let view = ObjectView(value: value, spec: objectSpec, recordType: change.type, id: change.id)
      let context = EvaluationContext(scope: view, record: view, resolve: resolve, today: today)
        .binding("actor", to: .reference(type: policy.actors.type, id: actor.id))
        .binding("item", to: item.map { ObjectView.convert($0, action.itemType) } ?? .null)
      do throws(EvaluationError) {
        switch try condition.evaluate(in: context) {
        case .bool(true): return (state, .holds)
        case .bool(false): return (state, .fails(""))
        case .invalid:
          return (state, .unknown("it reads a value that is not valid or a record that cannot be found"))
        case let other: return (state, .unknown("it gives \(other.typeName), not true or false"))
        }
      } catch {
        return (state, .unknown(error.message))
      }
    }
  }
}
