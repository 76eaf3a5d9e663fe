import TallySchema
import TallyText

/// `tally policy explain --as ID TYPE/ID [FIELD]`: for each operation someone could make on
/// a record (as it is now), whether the policy allows it, which rule decides and where that
/// rule is in `policy.yaml`.
public struct PolicyExplanation: Sendable {
  public struct Row: Sendable {
    public var action: PolicyAction
    public var verdict: PolicyVerdict
  }

  public var actor: Person
  public var type: String
  public var id: String
  public var rows: [Row]
  public var policyPath: String

  public enum Problem: Error, CustomStringConvertible {
    case noPolicy(String)
    case unknownActor(String)
    case unknownField(String)

    public var description: String {
      switch self {
      case .noPolicy(let why): why
      case .unknownActor(let who): "\(who) is not anyone in the staff records (a staff id, e-mail or login)"
      case .unknownField(let why): why
      }
    }
  }

  /// Explains what `actorName` may do to the record `type`/`id` (whose current value is
  /// `value`; nil: it does not exist yet, only creating it is explained), or to `field`.
  public static func explain(
    setup: PolicySetup, schema: SchemaSet, policyPath: String, actor actorName: String, type: String, id: String,
    value: Value?, field: String?, today: CivilDate
  ) throws(Problem) -> PolicyExplanation {
    guard let policy = setup.policy else {
      throw .noPolicy(
        setup.exists
          ? "\(policyPath) has errors; run 'tally check' and fix them first"
          : "there is no \(policyPath): everything is allowed")
    }
    guard let actor = setup.staff.person(named: actorName) else { throw .unknownActor(actorName) }
    let spec = schema.type(named: type)?.object
    var actions: [PolicyAction] = []
    if let field {
      guard let path = FieldPath(parsing: field) else { throw .unknownField("'\(field)' is not a field path") }
      guard let spec, spec.field(at: path) != nil || spec.open else {
        throw .unknownField("'\(field)' is not a field of \(type)")
      }
      actions = Self.actions(at: path, spec: spec, value: value)
    } else {
      actions = [PolicyAction(.create), PolicyAction(.delete)]
      for fieldSpec in spec?.fields ?? [] {
        actions += Self.actions(at: FieldPath([.key(fieldSpec.name)]), spec: spec!, value: value)
      }
    }
    let judge = PolicyJudge(policy: policy, schema: schema)
    var rows: [Row] = []
    for action in actions {
      let before = action.operation == .create ? nil : value
      let after = action.operation == .delete ? nil : value
      if value == nil && action.operation != .create { continue }
      let verdict =
        judge.judge(
          PolicyJudge.Change(type: type, id: id, before: before, after: after), actions: [action], actor: actor,
          today: today, resolve: setup.resolve)[0]
      rows.append(Row(action: action, verdict: verdict))
    }
    return PolicyExplanation(actor: actor, type: type, id: id, rows: rows, policyPath: policyPath)
  }

  /// The operations on the field at `path`: change it; for a list, add an item, change and
  /// remove its last one.
  static func actions(at path: FieldPath, spec: ObjectSpec, value: Value?) -> [PolicyAction] {
    guard case .list(let list)? = spec.field(at: path)?.type else { return [PolicyAction(.change, path: path)] }
    var items: [Value] = []
    if let value,
      case .sequence(let found)? = FieldDiff.value(
        at: IdentityPath(path.components.compactMap { if case .key(let k) = $0 { .key(k) } else { nil } }),
        in: value, type: .object(spec))
    {
      items = found
    }
    let itemType = list.items.type
    let empty = Value.mapping([])
    var result = [
      PolicyAction(
        .add, path: FieldPath(path.components + [.index(items.count)]), itemBefore: empty, itemAfter: empty,
        itemType: itemType)
    ]
    if let last = items.last {
      let at = FieldPath(path.components + [.index(items.count - 1)])
      result.append(PolicyAction(.change, path: at, itemBefore: last, itemAfter: last, itemType: itemType))
      result.append(PolicyAction(.remove, path: at, itemBefore: last, itemAfter: last, itemType: itemType))
    }
    return result
  }

  static func ruleText(_ verdict: PolicyVerdict, policyPath: String) -> (String, String) {
    if let rule = verdict.rule { return (rule.name, "\(policyPath):\(rule.line)") }
    return ("—", "")
  }

  /// A table: operation, field, verdict, rule, where, why.
  public func text(width: Int?) -> String {
    var out = "\(actor.label), \(actor.role ?? "no role")\(actor.team.map { " in \($0)" } ?? ""), on \(type) \(id):\n"
    var table = TextTable(columns: [
      .init("OPERATION"), .init("FIELD"), .init("VERDICT"), .init("RULE"), .init("WHERE"),
      .init("WHY", cuttable: true),
    ])
    for row in rows {
      let (rule, place) = Self.ruleText(row.verdict, policyPath: policyPath)
      var why = row.verdict.reason
      if let near = row.verdict.near.first {
        why += "; " + PolicyVerdict.nearText(near) + " (\(policyPath):\(near.rule.line))"
      }
      table.rows.append([
        row.action.operation.rawValue, row.action.path?.description ?? "(record)",
        row.verdict.allowed ? "allowed" : "denied", rule, place, why,
      ])
    }
    return out + table.render(width: width)
  }

  /// `{"version":1,"actor":{…},"record":"customer/C-0042","operations":[{"operation","field","allowed","rule","line","reason"}]}`.
  public func json() -> [UInt8] {
    var out = JSONWriter()
    out.raw("{\"version\":1,\"actor\":{\"id\":")
    out.string(actor.id)
    out.raw(",\"name\":")
    out.string(orNull: actor.name)
    out.raw(",\"role\":")
    out.string(orNull: actor.role)
    out.raw(",\"team\":")
    out.string(orNull: actor.team)
    out.raw("},\"record\":")
    out.string("\(type)/\(id)")
    out.raw(",\"operations\":[")
    for row in rows {
      out.separate()
      out.raw("\n{\"operation\":\"\(row.action.operation.rawValue)\",\"field\":")
      out.string(orNull: row.action.path?.description)
      out.raw(",\"allowed\":")
      out.bool(row.verdict.allowed)
      out.raw(",\"rule\":")
      out.string(orNull: row.verdict.rule?.name)
      out.raw(",\"line\":")
      if let line = row.verdict.rule?.line { out.number(line) } else { out.null() }
      out.raw(",\"reason\":")
      out.string(row.verdict.reason)
      out.raw("}")
    }
    out.raw("\n]}\n")
    return out.bytes
  }
}
