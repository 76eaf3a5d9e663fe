import TallyText

/// Reads `policy.yaml` (written in the record format) against the schemas, reporting every
/// problem with its position: an unknown key, type, field, role or operation, a condition
/// that does not parse or names what does not exist, two rules with one name.
///
/// A policy with an error is not used at all (``load(_:path:schema:)`` gives no policy):
/// where it is enforced, every change is refused until the file is fixed.
public struct PolicyLoader {
  var diagnostics: [Diagnostic] = []
  let path: String
  let schema: SchemaSet

  static let topKeys = ["version", "require_author", "actors", "rules"]
  static let ruleKeys = ["name", "allow", "deny", "who", "type", "when", "fields", "message"]
  static let whoKeys = ["staff", "roles", "teams"]
  static let actorKeys = ["type", "role", "team", "identities", "active"]

  /// The policy in `bytes`, or nil when it has an error; and every problem found.
  public static func load(_ bytes: [UInt8], path: String = Policy.fileName, schema: SchemaSet) -> (
    Policy?, [Diagnostic]
  ) {
    var loader = PolicyLoader(path: path, schema: schema)
    let parsed = SyntaxTree.parse(bytes, path: path)
    loader.diagnostics = parsed.diagnostics
    guard let tree = parsed.tree else { return (nil, loader.diagnostics) }
    let policy = loader.read(tree.root)
    loader.diagnostics.sort(by: Diagnostic.sortOrder)
    return (loader.diagnostics.hasErrors ? nil : policy, loader.diagnostics)
  }

  init(path: String, schema: SchemaSet) {
    self.path = path
    self.schema = schema
  }

  // MARK: Reading

  mutating func read(_ root: SyntaxNode) -> Policy {
    checkKeys(root, allowed: Self.topKeys, context: "the policy")
    if let version = root["version"] {
      if version.text != "1" {
        error(
          "policy-version", "policy version '\(version.text ?? "")' is not one this Tally reads", at: version,
          hint: "write version: 1")
      }
    }
    var policy = Policy(path: path, rules: [])
    if let node = root["require_author"], let value = bool(node, "require_author") { policy.requireAuthor = value }
    if let node = root["actors"] { policy.actors = readActors(node) }
    guard let rules = root["rules"] else {
      error("policy-missing", "the policy has no 'rules'", at: nil, hint: "add 'rules:' with one '- name: …' per rule")
      return policy
    }
    guard rules.isSequence || rules.isNull else {
      error("policy-bad-value", "'rules' must be a list", at: rules, hint: "write one '- name: …' per rule")
      return policy
    }
    var names: [String: SyntaxNode] = [:]
    for node in rules.items {
      guard let rule = readRule(node, actors: policy.actors) else { continue }
      if let first = names[rule.name], let nameNode = node["name"] {
        diagnostics.append(
          Diagnostic(
            .error, code: "policy-duplicate-rule", message: "two rules are named '\(rule.name)'", path: path,
            range: nameNode.range, hint: "give each rule a name of its own: verdicts name the rule that decided",
            notes: [Diagnostic.Note(message: "first named here", path: path, range: first.range)]))
        continue
      }
      if let nameNode = node["name"] { names[rule.name] = nameNode }
      policy.rules.append(rule)
    }
    return policy
  }

  mutating func readActors(_ node: SyntaxNode) -> ActorSettings {
    var settings = ActorSettings()
    guard node.isMapping else {
      error("policy-bad-value", "'actors' must be a mapping", at: node, hint: "write type:, role:, team:, identities:")
      return settings
    }
    checkKeys(node, allowed: Self.actorKeys, context: "'actors'")
    if let typeNode = node["type"], let name = text(typeNode, "actors' type") {
      if schema.type(named: name) == nil {
        unknownType(name, at: typeNode, pseudo: false)
      } else {
        settings.type = name
      }
    }
    guard let staff = schema.type(named: settings.type) else {
      error(
        "policy-unknown-type", "the policy needs a record type of people, and there is no type '\(settings.type)'",
        at: node["type"] ?? node, hint: "name the type of your staff records in 'actors: type:'")
      return settings
    }
    for key in ["role", "team"] {
      guard let fieldNode = node[key], let name = text(fieldNode, "actors' \(key)") else { continue }
      if staff.object[name] == nil {
        unknownField(name, at: fieldNode, in: staff.object, describing: settings.type)
      } else if key == "role" {
        settings.role = name
      } else {
        settings.team = name
      }
    }
    if let identitiesNode = node["identities"], let names = textList(identitiesNode, "actors' identities") {
      for (name, item) in zip(names, identitiesNode.items) where staff.object[name] == nil {
        unknownField(name, at: item, in: staff.object, describing: settings.type)
      }
      settings.identities = names
    }
    if let activeNode = node["active"] {
      settings.active = expression(activeNode, "the 'active' condition", types: [settings.type], actors: settings)
    }
    return settings
  }

  mutating func readRule(_ node: SyntaxNode, actors: ActorSettings) -> PolicyRule? {
    guard node.isMapping else {
      error("policy-bad-value", "a rule must be a mapping", at: node, hint: "write '- name: …' and the rule's keys")
      return nil
    }
    checkKeys(node, allowed: Self.ruleKeys, context: "a rule")
    let errorsBefore = diagnostics.errorCount
    guard let nameNode = node["name"], let name = text(nameNode, "a rule's name") else {
      error("policy-missing", "a rule has no 'name'", at: node, hint: "name it: verdicts name the rule that decided")
      return nil
    }
    if !Self.isRuleName(name) {
      error(
        "policy-bad-value", "the rule name '\(name)' is not a name", at: nameNode,
        hint: "use lowercase letters, digits and '-', like reps-log-calls")
    }
    let effect: PolicyRule.Effect
    let operationsNode: SyntaxNode
    switch (node["allow"], node["deny"]) {
    case (let allow?, nil):
      effect = .allow
      operationsNode = allow
    case (nil, let deny?):
      effect = .deny
      operationsNode = deny
    case (_?, _?):
      error(
        "policy-bad-value", "rule '\(name)' both allows and denies", at: node["deny"], hint: "split it into two rules")
      return nil
    case (nil, nil):
      error(
        "policy-missing", "rule '\(name)' neither allows nor denies anything", at: nameNode,
        hint: "add 'allow: [change]' (or deny:) with the operations: create, delete, change, add, remove")
      return nil
    }
    let operations = readOperations(operationsNode)
    var rule = PolicyRule(name: name, effect: effect, operations: operations, line: node.range.start.line)
    if let who = node["who"] { readWho(who, into: &rule, actors: actors) }
    guard let typeNode = node["type"] else {
      error(
        "policy-missing", "rule '\(name)' has no 'type'", at: nameNode,
        hint: "name the record type it is about (customer), a list of them, or \"*\"")
      return nil
    }
    rule.types = readTypes(typeNode)
    let recordTypes: [RecordType] =
      rule.types.map { names in names.compactMap { schema.type(named: $0) } } ?? schema.types
    if let fieldsNode = node["fields"] {
      if rule.types == nil || recordTypes.isEmpty {
        if rule.types != nil {
          error(
            "policy-bad-value", "'fields' apply to record types; policy and settings are whole files",
            at: fieldsNode)
        }
      }
      rule.fields = readFields(fieldsNode, types: rule.types == nil ? [] : recordTypes)
      if operations.isSubset(of: [.create, .delete]), rule.fields != nil {
        error(
          "policy-bad-value",
          "'fields' and only create/delete: a rule with fields is about fields, never whole records",
          at: fieldsNode, hint: "remove 'fields', or add change, add or remove")
      }
    }
    if let whenNode = node["when"] {
      if recordTypes.isEmpty {
        error("policy-bad-value", "a condition needs a record type; policy and settings are whole files", at: whenNode)
      } else {
        let itemShape = itemShape(rule.fields, types: recordTypes)
        rule.condition = expression(
          whenNode, "rule '\(name)'s condition", types: recordTypes.map(\.name), actors: actors, item: itemShape)
      }
    }
    if let messageNode = node["message"] { rule.message = text(messageNode, "a rule's message") }
    return diagnostics.errorCount > errorsBefore ? nil : rule
  }

  static func isRuleName(_ name: String) -> Bool {
    guard let first = name.unicodeScalars.first, ("a"..."z").contains(first) || ("0"..."9").contains(first) else {
      return false
    }
    return name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
  }

  mutating func readOperations(_ node: SyntaxNode) -> Set<PolicyOperation> {
    let all = PolicyOperation.allCases.map(\.rawValue)
    if node.isScalar, node.text == "*" { return Set(PolicyOperation.allCases) }
    var items: [SyntaxNode] = []
    if node.isScalar {
      items = [node]
    } else if node.isSequence {
      items = Array(node.items)
    } else {
      error(
        "policy-bad-value", "the operations must be a list", at: node,
        hint: "write [add, change] or \"*\"; operations: \(all.joined(separator: ", "))")
      return []
    }
    var result = Set<PolicyOperation>()
    for item in items {
      guard let text = item.text, let operation = PolicyOperation(rawValue: text) else {
        var hint = "operations: " + all.joined(separator: ", ")
        if let text = item.text, let suggestion = Suggestions.closest(to: text, among: all) {
          hint = "did you mean '\(suggestion)'?"
        }
        error("policy-unknown-operation", "'\(item.text ?? "")' is not an operation", at: item, hint: hint)
        continue
      }
      result.insert(operation)
    }
    if items.isEmpty { error("policy-bad-value", "the rule names no operation", at: node, hint: "e.g. [change]") }
    return result
  }

  mutating func readWho(_ node: SyntaxNode, into rule: inout PolicyRule, actors: ActorSettings) {
    guard node.isMapping else {
      error("policy-bad-value", "'who' must be a mapping", at: node, hint: "write roles:, teams: or staff: lists")
      return
    }
    checkKeys(node, allowed: Self.whoKeys, context: "'who'")
    let staffType = schema.type(named: actors.type)
    if let staffNode = node["staff"], let ids = textList(staffNode, "'staff'") {
      if let pattern = staffType?.idPattern {
        for (id, item) in zip(ids, staffNode.items) where !pattern.matches(id) {
          error(
            "policy-bad-value", "'\(id)' is not a \(actors.type) id", at: item,
            hint: staffType?.idExample.map { "ids look like \($0)" })
        }
      }
      rule.staff = ids
    }
    if let rolesNode = node["roles"], let roles = textList(rolesNode, "'roles'") {
      var known: [String]?
      if case .enumeration(let values)? = staffType?.object[actors.role]?.type { known = values.values }
      if let known {
        for (role, item) in zip(roles, rolesNode.items) where !known.contains(role) {
          var hint = "roles: " + known.joined(separator: ", ")
          if let suggestion = Suggestions.closest(to: role, among: known) { hint = "did you mean '\(suggestion)'?" }
          error("policy-unknown-role", "'\(role)' is not a role of \(actors.type)", at: item, hint: hint)
        }
      }
      rule.roles = roles
    }
    if let teamsNode = node["teams"], let teams = textList(teamsNode, "'teams'") { rule.teams = teams }
  }

  mutating func readTypes(_ node: SyntaxNode) -> [String]? {
    if node.isScalar, node.text == "*" { return nil }
    var items: [SyntaxNode] = []
    if node.isScalar {
      items = [node]
    } else if node.isSequence {
      items = Array(node.items)
    } else {
      error("policy-bad-value", "'type' must be a type name, a list of them, or \"*\"", at: node)
      return []
    }
    var names: [String] = []
    for item in items {
      guard let name = item.text else { continue }
      if schema.type(named: name) == nil, !PolicyPseudoType.all.contains(name) {
        unknownType(name, at: item, pseudo: true)
      }
      names.append(name)
    }
    return names
  }

  mutating func readFields(_ node: SyntaxNode, types: [RecordType]) -> [FieldPattern]? {
    guard let texts = textList(node, "'fields'") else { return nil }
    var patterns: [FieldPattern] = []
    for (text, item) in zip(texts, node.items) {
      guard let pattern = FieldPattern(text) else {
        error(
          "policy-bad-value", "'\(text)' is not a field path", at: item,
          hint: "write a field (owner), a list (follow_ups) or a field of its items (follow_ups[*].outcome)")
        continue
      }
      for type in types { checkPattern(pattern, in: type, at: item) }
      patterns.append(pattern)
    }
    return patterns
  }

  /// Reports a pattern that names no field of `type`.
  mutating func checkPattern(_ pattern: FieldPattern, in type: RecordType, at node: SyntaxNode) {
    var current: FieldType? = .object(type.object)
    for component in pattern.components {
      switch (component, current) {
      case (.key(let key), .object(let object)?):
        guard let field = object[key] else {
          if object.open { return }
          unknownField(key, at: node, in: object, describing: type.name)
          return
        }
        current = field.type
      case (.anyKey, .object?):
        current = nil
      case (.anyItem, .list(let list)?):
        current = list.items.type
      case (_, nil):
        return
      case (.anyItem, _):
        error(
          "policy-unknown-field", "'\(pattern)': '[*]' follows a field that is not a list in \(type.name)", at: node)
        return
      default:
        error("policy-unknown-field", "'\(pattern)' goes into a field of \(type.name) that has no fields", at: node)
        return
      }
    }
  }

  /// What `item` is in a rule about `fields`: the items of the one list they all name.
  func itemShape(_ fields: [FieldPattern]?, types: [RecordType]) -> PendingCheck.Shape {
    guard let fields, types.count == 1, let type = types.first else { return .unknown }
    var shapes: [String] = []
    var found: PendingCheck.Shape = .unknown
    for pattern in fields {
      guard case .key(let key)? = pattern.components.first, case .list(let list)? = type.object[key]?.type else {
        return .unknown
      }
      shapes.append(key)
      found = PendingCheck.shape(of: list.items.type)
    }
    return Set(shapes).count == 1 ? found : .unknown
  }

  mutating func expression(
    _ node: SyntaxNode, _ what: String, types: [String], actors: ActorSettings, item: PendingCheck.Shape = .unknown
  ) -> Expression? {
    guard let text = text(node, what) else { return nil }
    let parsed: Expression
    do {
      parsed = try Expression(parsing: text)
    } catch {
      let start = node.range.start
      let quoted = node.style == .singleQuoted || node.style == .doubleQuoted ? 1 : 0
      let begin = SourcePosition(
        offset: start.offset + quoted + error.offset, line: start.line, column: start.column + quoted + error.offset)
      diagnostics.append(
        Diagnostic(
          .error, code: "policy-bad-rule", message: "\(what) does not parse: \(error.message)", path: path,
          range: SourceRange(start: begin, end: begin), hint: error.hint))
      return nil
    }
    for typeName in types {
      let check = PendingCheck(
        kind: .rule, owner: [], expression: parsed, location: SchemaLocation(path: path, range: node.range),
        path: path, typeName: typeName)
      guard let type = schema.type(named: typeName) else { continue }
      var problems: [Diagnostic] = []
      check.check(
        parsed.root, parsed, scope: .object(type.object, recordType: typeName),
        locals: ["actor": .reference(actors.type), "item": item], source: nil,
        record: .object(type.object, recordType: typeName), set: schema, problems: &problems)
      for var problem in problems {
        problem.code = "policy-unknown-name"
        if types.count > 1 { problem.message += " (in \(typeName))" }
        diagnostics.append(problem)
      }
      if !problems.isEmpty { break }
    }
    return parsed
  }

  // MARK: Helpers

  mutating func error(_ code: String, _ message: String, at node: SyntaxNode?, hint: String? = nil) {
    diagnostics.append(Diagnostic(.error, code: code, message: message, path: path, range: node?.range, hint: hint))
  }

  mutating func unknownType(_ name: String, at node: SyntaxNode, pseudo: Bool) {
    let names = schema.types.map(\.name) + (pseudo ? PolicyPseudoType.all : [])
    var hint = "types: " + names.joined(separator: ", ") + (pseudo ? ", or \"*\"" : "")
    if let suggestion = Suggestions.closest(to: name, among: names) { hint = "did you mean '\(suggestion)'?" }
    error("policy-unknown-type", "there is no record type '\(name)'", at: node, hint: hint)
  }

  mutating func unknownField(_ name: String, at node: SyntaxNode, in object: ObjectSpec, describing type: String) {
    let names = object.fields.map(\.name)
    var hint = "fields: " + names.joined(separator: ", ")
    if let suggestion = Suggestions.closest(to: name, among: names) { hint = "did you mean '\(suggestion)'?" }
    error("policy-unknown-field", "'\(name)' is not a field of \(type)", at: node, hint: hint)
  }

  mutating func checkKeys(_ node: SyntaxNode, allowed: [String], context: String) {
    for entry in node.entries {
      guard let key = entry.key.text, !allowed.contains(key) else { continue }
      var hint = "allowed here: " + allowed.joined(separator: ", ")
      if let suggestion = Suggestions.closest(to: key, among: allowed) { hint = "did you mean '\(suggestion)'?" }
      diagnostics.append(
        Diagnostic(
          .error, code: "policy-unknown-key", message: "unknown key '\(key)' in \(context)", path: path,
          range: entry.key.range, hint: hint))
    }
  }

  mutating func text(_ node: SyntaxNode, _ what: String) -> String? {
    guard node.isScalar, let text = node.text else {
      error("policy-bad-value", "\(what) must be text", at: node)
      return nil
    }
    return text
  }

  mutating func bool(_ node: SyntaxNode, _ what: String) -> Bool? {
    switch node.text {
    case "true": return true
    case "false": return false
    default:
      error("policy-bad-value", "\(what) must be true or false", at: node, hint: "write true or false")
      return nil
    }
  }

  mutating func textList(_ node: SyntaxNode, _ what: String) -> [String]? {
    if node.isScalar, let text = node.text { return [text] }
    guard node.isSequence else {
      error("policy-bad-value", "\(what) must be a list", at: node, hint: "write [a, b] or one '- item' per line")
      return nil
    }
    var result: [String] = []
    for item in node.items {
      guard item.isScalar, let text = item.text else {
        error("policy-bad-value", "the items of \(what) must be text", at: item)
        return nil
      }
      result.append(text)
    }
    return result
  }
}
