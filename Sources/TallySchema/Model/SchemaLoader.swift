import TallyText

/// Reads schema files (written in the record format) into a ``SchemaSet``, reporting every
/// problem in them with its position: unknown keys and types, references to types that do
/// not exist, patterns and rules that do not parse, names in rules that are not fields.
public struct SchemaLoader {
  /// The schema format versions this Tally reads.
  public static let supportedVersions = 1...1

  var diagnostics: [Diagnostic] = []
  var path = ""
  var tree: SyntaxTree?

  /// Loads every schema file, reporting every problem. A type is left out only when its
  /// file cannot be read as a type at all (not in the record format, no name, no directory
  /// or one outside the records root, no fields); the other types are used.
  public static func load(files: [(path: String, bytes: [UInt8])]) -> (SchemaSet, [Diagnostic]) {
    var loader = SchemaLoader()
    var types: [RecordType] = []
    var expressionsToCheck: [PendingCheck] = []
    for file in files.sorted(by: { $0.path < $1.path }) {
      let result = SyntaxTree.parse(file.bytes, path: file.path)
      loader.diagnostics += result.diagnostics
      guard let tree = result.tree else { continue }
      loader.path = file.path
      loader.tree = tree
      // A type with problems that could still be read is used, so its records are checked
      // and references to it resolve; the problems are reported all the same.
      if let (type, checks) = loader.readType(tree.root) {
        types.append(type)
        expressionsToCheck += checks
      }
    }
    // Types must have distinct names and directories.
    var names: [String: RecordType] = [:]
    var directories: [String: RecordType] = [:]
    var unique: [RecordType] = []
    for type in types {
      if let first = names[type.name] {
        loader.diagnostics.append(
          Diagnostic(
            .error, code: "schema-duplicate-type", message: "the type '\(type.name)' is defined twice",
            path: type.location.path, range: type.location.range, hint: "give each schema file its own type name",
            notes: [
              Diagnostic.Note(message: "first defined here", path: first.location.path, range: first.location.range)
            ]))
        continue
      }
      if let first = directories[type.directory] {
        loader.diagnostics.append(
          Diagnostic(
            .error, code: "schema-duplicate-directory",
            message: "the directory '\(type.directory)' is used by '\(first.name)' and '\(type.name)'",
            path: type.location.path, range: type.location.range, hint: "each record type needs a directory of its own",
            notes: [
              Diagnostic.Note(
                message: "'\(first.name)' uses it", path: first.location.path, range: first.location.range)
            ]))
        continue
      }
      if let outer = types.first(where: { $0.layout != .flat && type.directory.hasPrefix($0.directory + "/") }) {
        loader.diagnostics.append(
          Diagnostic(
            .error, code: "schema-bad-value",
            message:
              "the directory '\(type.directory)' is inside '\(outer.directory)', whose \(outer.name) records are sharded",
            path: type.location.path, range: type.location.range,
            hint: "a sharded type's directory holds only its shard folders: give '\(type.name)' a directory elsewhere",
            notes: [
              Diagnostic.Note(
                message: "'\(outer.name)' is sharded here", path: outer.location.path, range: outer.location.range)
            ]))
        continue
      }
      names[type.name] = type
      directories[type.directory] = type
      unique.append(type)
    }
    var set = SchemaSet(types: unique)
    // References and the names used in rules can be checked once every type is known.
    var broken = Set<SchemaLocation>()
    for check in expressionsToCheck {
      let found = check.run(in: set)
      if !found.isEmpty, check.expression != nil { broken.insert(check.location) }
      loader.diagnostics += found
    }
    if !broken.isEmpty {
      set = SchemaSet(
        types: unique.map { type in
          var copy = type
          copy.object = type.object.removing(broken: broken)
          return copy
        })
    }
    loader.diagnostics.sort(by: Diagnostic.sortOrder)
    return (set, loader.diagnostics)
  }

  // MARK: - Reading

  mutating func error(_ code: String, _ message: String, at node: SyntaxNode?, hint: String? = nil) {
    diagnostics.append(Diagnostic(.error, code: code, message: message, path: path, range: node?.range, hint: hint))
  }

  mutating func error(_ code: String, _ message: String, atKeyOf entry: SyntaxNode.Entry, hint: String? = nil) {
    diagnostics.append(Diagnostic(.error, code: code, message: message, path: path, range: entry.key.range, hint: hint))
  }

  /// Reports keys of a mapping that are not in `allowed`.
  mutating func checkKeys(_ node: SyntaxNode, allowed: [String], context: String) {
    for entry in node.entries {
      guard let key = entry.key.text, !allowed.contains(key) else { continue }
      var hint = "allowed here: " + allowed.joined(separator: ", ")
      if let suggestion = Suggestions.closest(to: key, among: allowed) { hint = "did you mean '\(suggestion)'?" }
      error("schema-unknown-key", "unknown key '\(key)' in \(context)", atKeyOf: entry, hint: hint)
    }
  }

  mutating func text(_ node: SyntaxNode?, _ what: String) -> String? {
    guard let node else { return nil }
    guard node.isScalar, let text = node.text else {
      error("schema-bad-value", "\(what) must be text", at: node)
      return nil
    }
    return text
  }

  mutating func bool(_ node: SyntaxNode?, _ what: String) -> Bool? {
    guard let node else { return nil }
    switch node.text {
    case "true": return true
    case "false": return false
    default:
      error("schema-bad-value", "\(what) must be true or false", at: node, hint: "write true or false")
      return nil
    }
  }

  mutating func integer(_ node: SyntaxNode?, _ what: String, minimum: Int = 0) -> Int? {
    guard let node else { return nil }
    guard let text = node.text, let value = Int(text), value >= minimum else {
      error("schema-bad-value", "\(what) must be a whole number of at least \(minimum)", at: node)
      return nil
    }
    return value
  }

  mutating func textList(_ node: SyntaxNode?, _ what: String) -> [String]? {
    guard let node else { return nil }
    guard node.isSequence else {
      error("schema-bad-value", "\(what) must be a list", at: node, hint: "write [a, b] or one '- item' per line")
      return nil
    }
    var result: [String] = []
    for item in node.items {
      guard item.isScalar, let text = item.text else {
        error("schema-bad-value", "the items of \(what) must be text", at: item)
        return nil
      }
      result.append(text)
    }
    return result
  }

  mutating func pattern(_ node: SyntaxNode?) -> SafeRegex? {
    guard let node, let text = text(node, "a pattern") else { return nil }
    do {
      return try SafeRegex(text)
    } catch {
      let start = node.range.start
      let quoted = node.style == .singleQuoted || node.style == .doubleQuoted ? 1 : 0
      let position = SourcePosition(
        offset: start.offset + quoted + error.offset, line: start.line, column: start.column + quoted + error.offset)
      diagnostics.append(
        Diagnostic(
          .error, code: "schema-bad-pattern", message: "the pattern is not valid: \(error.message)", path: path,
          range: SourceRange(start: position, end: position),
          hint: "patterns are regular expressions without backreferences or lookaround"))
      return nil
    }
  }

  mutating func expression(_ node: SyntaxNode?, _ what: String) -> Expression? {
    guard let node, let text = text(node, what) else { return nil }
    do {
      return try Expression(parsing: text)
    } catch {
      let start = node.range.start
      let quoted = node.style == .singleQuoted || node.style == .doubleQuoted ? 1 : 0
      let begin = SourcePosition(
        offset: start.offset + quoted + error.offset, line: start.line, column: start.column + quoted + error.offset)
      let end = SourcePosition(
        offset: begin.offset + max(error.length, 1), line: begin.line, column: begin.column + max(error.length, 1))
      diagnostics.append(
        Diagnostic(
          .error, code: "schema-bad-rule", message: "\(what) does not parse: \(error.message)", path: path,
          range: SourceRange(start: begin, end: end), hint: error.hint))
      return nil
    }
  }

  /// Adds `message` to the last diagnostic (the error just reported): what the error
  /// leaves out of the checks until it is fixed.
  mutating func noteLeftOut(_ message: String) {
    guard !diagnostics.isEmpty else { return }
    diagnostics[diagnostics.count - 1].notes.append(Diagnostic.Note(message: message, path: nil, range: nil))
  }

  func location(_ node: SyntaxNode) -> SchemaLocation {
    SchemaLocation(path: path, range: node.range)
  }

  // MARK: - Types

  static let typeKeys = [
    "version", "type", "title", "description", "directory", "shard", "id", "open", "fields", "rules", "merge",
  ]

  mutating func readType(_ root: SyntaxNode) -> (RecordType, [PendingCheck])? {
    checkKeys(root, allowed: Self.typeKeys, context: "a schema")
    var version = 1
    if let node = root["version"] {
      if let value = integer(node, "version", minimum: 1) {
        if !Self.supportedVersions.contains(value) {
          error(
            "schema-version", "schema version \(value) is not supported", at: node,
            hint: "this Tally reads schema version \(Self.supportedVersions.upperBound)")
        }
        version = value
      }
    } else {
      error("schema-missing", "the schema has no 'version'", at: nil, hint: "add 'version: 1' at the top")
      diagnostics[diagnostics.count - 1].range = SourceRange(at: .start)
    }
    guard let nameNode = root["type"] else {
      error(
        "schema-missing", "the schema has no 'type' (the record type's name)", at: nil,
        hint: "add e.g. 'type: customer'")
      diagnostics[diagnostics.count - 1].range = SourceRange(at: .start)
      return nil
    }
    guard let name = text(nameNode, "type"), isIdentifier(name) else {
      error("schema-bad-value", "the type name must be a simple name (letters, digits, '_')", at: nameNode)
      return nil
    }
    guard let directoryNode = root["directory"], let directory = text(directoryNode, "directory") else {
      error("schema-missing", "the schema has no 'directory'", at: nameNode, hint: "add e.g. 'directory: customers'")
      return nil
    }
    if directory.isEmpty || directory.hasPrefix("/") || directory.contains("..") || directory.hasPrefix(".") {
      error(
        "schema-bad-value", "the directory must be a path inside the records repository", at: directoryNode,
        hint: "e.g. 'customers' or 'sales/customers'")
      // Not used: its records would be read and written outside the records root.
      return nil
    }
    var idPattern: SafeRegex?
    var idExample: String?
    if let idNode = root["id"] {
      if idNode.isMapping {
        checkKeys(idNode, allowed: ["pattern", "example"], context: "'id'")
        if let node = idNode["pattern"] {
          idPattern = pattern(node)
        } else {
          error("schema-missing", "'id' has no 'pattern'", at: idNode, hint: "add e.g. pattern: '^C-[0-9]{4}$'")
        }
        idExample = text(idNode["example"], "the id example")
        if let idPattern, let idExample, let exampleNode = idNode["example"], !idPattern.matches(idExample) {
          error("schema-bad-value", "the example '\(idExample)' does not match the id pattern", at: exampleNode)
        }
      } else if idNode.isScalar {
        idPattern = pattern(idNode)
      } else {
        error("schema-bad-value", "'id' must be a pattern or a mapping with 'pattern'", at: idNode)
      }
    } else {
      error(
        "schema-missing", "the schema has no 'id' pattern", at: nameNode, hint: "add e.g. id: {pattern: '^C-[0-9]{4}$'}"
      )
    }
    let open = bool(root["open"], "open") ?? false
    var checks: [PendingCheck] = []
    guard let fieldsNode = root["fields"] else {
      error("schema-missing", "the schema has no 'fields'", at: nameNode)
      return nil
    }
    let (fields, unchecked) = readFields(fieldsNode, checks: &checks, owner: [])
    let rules = readRules(root["rules"], owner: [], checks: &checks)
    // With a broken id pattern (reported above) the records are still checked; only their
    // file names are not.
    guard let idPattern = idPattern ?? (try? SafeRegex("")) else { return nil }
    let object = ObjectSpec(fields: fields, open: open, rules: rules, unchecked: unchecked)
    var type = RecordType(
      name: name, directory: directory, idPattern: idPattern, object: object, version: version,
      location: location(nameNode))
    type.title = text(root["title"], "title")
    type.idExample = idExample
    if let shardNode = root["shard"], let layout = layout(shardNode) {
      type.layout = layout
      if let idExample, layout.shard(of: idExample) == nil, let exampleNode = root["id"]?["example"] {
        error(
          "schema-bad-value",
          "records are sharded by their id's last digits, but the example '\(idExample)' does not end in one",
          at: exampleNode, hint: "ids of a sharded type end in digits, e.g. 'C-0001'")
      }
    }
    if let mergeNode = root["merge"], let strategy = mergeStrategy(mergeNode) {
      if strategy == .atomic {
        error(
          "schema-bad-value", "a record type merges 'combine' or 'manual'; 'atomic' is for an object or a list",
          at: mergeNode, hint: "'merge: manual' makes any two concurrent changes to a record a conflict")
      } else {
        type.merge = strategy
      }
    }
    for index in checks.indices { checks[index].typeName = name }
    return (type, checks)
  }

  /// `shard: {digits: N}`: records in folders named by the id's last N digits.
  mutating func layout(_ node: SyntaxNode) -> RecordLayout? {
    guard node.isMapping else {
      error(
        "schema-bad-value", "'shard' must be a mapping such as {digits: 3}", at: node,
        hint: "'shard: {digits: 3}' puts C-1000042 in <directory>/042/")
      return nil
    }
    checkKeys(node, allowed: ["digits"], context: "'shard'")
    guard let digitsNode = node["digits"] else {
      error("schema-missing", "'shard' has no 'digits'", at: node, hint: "add e.g. 'digits: 3'")
      return nil
    }
    guard let digits = integer(digitsNode, "digits", minimum: 1) else { return nil }
    guard digits <= RecordLayout.maximumDigits else {
      error(
        "schema-bad-value", "at most \(RecordLayout.maximumDigits) digits name a shard (10,000 folders)",
        at: digitsNode,
        hint: "3 digits make 1,000 folders: a thousand records each at a million")
      return nil
    }
    return .lastDigits(digits)
  }

  func isIdentifier(_ text: String) -> Bool {
    guard let first = text.first, first.isLetter || first == "_" else { return false }
    return text.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
  }

  mutating func readFields(_ node: SyntaxNode, checks: inout [PendingCheck], owner: [String]) -> (
    [FieldSpec], Set<String>
  ) {
    guard node.isMapping else {
      error("schema-bad-value", "'fields' must be a mapping of field names to their specs", at: node)
      return ([], [])
    }
    var fields: [FieldSpec] = []
    var unchecked = Set<String>()
    for entry in node.entries {
      guard let name = entry.key.text else { continue }
      if !isIdentifier(name) {
        error(
          "schema-bad-value", "'\(name)' is not a usable field name", atKeyOf: entry,
          hint: "field names are letters, digits and '_' (Chinese letters too), starting with a letter")
        continue
      }
      let before = diagnostics.count
      if let field = readField(name: name, entry.value, keyNode: entry.key, checks: &checks, owner: owner + [name]) {
        fields.append(field)
      } else {
        unchecked.insert(name)
        // Say what the error costs meanwhile: the field is accepted with any value.
        if let index = diagnostics[before...].firstIndex(where: { $0.severity == .error }) {
          let field = (owner + [name]).joined(separator: ".")
          diagnostics[index].notes.append(
            Diagnostic.Note(
              message: "until this is fixed, '\(field)' is not checked: records may give it any value", path: nil,
              range: nil))
        }
      }
    }
    return (fields, unchecked)
  }

  static let commonFieldKeys = [
    "type", "title", "description", "required", "default", "unique", "example", "merge",
  ]
  static let keysByType: [String: [String]] = [
    "text": ["pattern", "min_length", "max_length"],
    "multiline": ["pattern", "min_length", "max_length"],
    "email": ["pattern", "max_length"],
    "phone": ["pattern"],
    "url": ["pattern", "max_length"],
    "int": ["min", "max"],
    "decimal": ["min", "max"],
    "money": ["min", "max", "currency"],
    "percent": ["min", "max"],
    "bool": [],
    "date": ["min", "max"],
    "datetime": [],
    "enum": ["values", "transitions", "initial"],
    "ref": ["to", "where", "where_message", "acyclic"],
    "list": ["items", "min_items", "max_items", "unique_items", "unique_by"],
    "object": ["fields", "open", "rules"],
  ]

  mutating func readField(
    name: String, _ node: SyntaxNode, keyNode: SyntaxNode, checks: inout [PendingCheck], owner: [String]
  ) -> FieldSpec? {
    // Shorthand: `name: text`.
    var typeNode: SyntaxNode? = node
    if node.isMapping {
      typeNode = node["type"]
    } else if !node.isScalar {
      error("schema-bad-value", "the spec of '\(name)' must be a type name or a mapping", at: node)
      return nil
    }
    guard let typeNode, let typeName = text(typeNode, "type") else {
      error(
        "schema-missing", "the field '\(name)' has no 'type'", at: keyNode,
        hint: "types: " + FieldType.allNames.joined(separator: ", "))
      return nil
    }
    guard let extraKeys = Self.keysByType[typeName] else {
      var hint = "types: " + FieldType.allNames.joined(separator: ", ")
      if let suggestion = Suggestions.closest(to: typeName, among: FieldType.allNames) {
        hint = "did you mean '\(suggestion)'?"
      }
      error("schema-unknown-type", "unknown field type '\(typeName)'", at: typeNode, hint: hint)
      return nil
    }
    let spec = node.isMapping ? node : nil
    if let spec {
      checkKeys(spec, allowed: Self.commonFieldKeys + extraKeys, context: "a '\(typeName)' field")
    }
    let type: FieldType
    switch typeName {
    case "text": type = .text
    case "multiline": type = .multiline
    case "int": type = .int
    case "decimal": type = .decimal
    case "money":
      let currency = text(spec?["currency"], "currency")
      if let currency, let currencyNode = spec?["currency"],
        currency.count != 3 || !currency.allSatisfy({ $0.isASCII && $0.isUppercase })
      {
        error("schema-bad-value", "a currency is a three-letter code such as CNY or USD", at: currencyNode)
      }
      type = .money(currency: currency)
    case "percent": type = .percent
    case "bool": type = .bool
    case "date": type = .date
    case "datetime": type = .datetime
    case "email": type = .email
    case "phone": type = .phone
    case "url": type = .url
    case "enum":
      guard let enumSpec = readEnum(spec?["values"], field: name, at: keyNode) else { return nil }
      type = .enumeration(enumSpec)
    case "ref":
      guard let toNode = spec?["to"], let target = text(toNode, "to") else {
        error("schema-missing", "the reference '\(name)' has no 'to' (the type it refers to)", at: keyNode)
        return nil
      }
      var reference = ReferenceSpec(target: target)
      reference.acyclic = bool(spec?["acyclic"], "acyclic") ?? false
      if let whereNode = spec?["where"] {
        reference.condition = expression(whereNode, "the 'where' condition")
        if reference.condition == nil {
          noteLeftOut("until this is fixed, '\((owner).joined(separator: "."))' may name any \(target)")
        }
        reference.conditionLocation = location(whereNode)
        if let condition = reference.condition {
          checks.append(
            PendingCheck(
              kind: .referenceCondition(target: target), owner: Array(owner.dropLast()), expression: condition,
              location: location(whereNode), path: path, typeName: ""))
        }
      }
      reference.conditionMessage = text(spec?["where_message"], "where_message")
      checks.append(
        PendingCheck(
          kind: .referenceTarget(target: target, acyclic: reference.acyclic), owner: owner, expression: nil,
          location: location(toNode), path: path, typeName: ""))
      type = .reference(reference)
    case "list":
      guard let itemsNode = spec?["items"] else {
        error("schema-missing", "the list '\(name)' has no 'items' (the spec of each item)", at: keyNode)
        return nil
      }
      guard let items = readField(name: name, itemsNode, keyNode: itemsNode, checks: &checks, owner: owner) else {
        return nil
      }
      if case .list = items.type {
        error("schema-bad-value", "lists of lists are not supported", at: itemsNode, hint: "make the items objects")
      }
      var list = ListSpec(items: items)
      list.minItems = integer(spec?["min_items"], "min_items")
      list.maxItems = integer(spec?["max_items"], "max_items")
      list.uniqueItems = bool(spec?["unique_items"], "unique_items") ?? false
      if let uniqueByNode = spec?["unique_by"], let key = text(uniqueByNode, "unique_by") {
        if case .object(let object) = items.type, object[key] != nil {
          list.uniqueBy = key
        } else {
          error(
            "schema-bad-value", "unique_by names a field of the items, and '\(key)' is not one", at: uniqueByNode)
        }
      }
      type = .list(list)
    case "object":
      guard let fieldsNode = spec?["fields"] else {
        error("schema-missing", "the object '\(name)' has no 'fields'", at: keyNode)
        return nil
      }
      let (fields, unchecked) = readFields(fieldsNode, checks: &checks, owner: owner)
      let rules = readRules(spec?["rules"], owner: owner, checks: &checks)
      type = .object(
        ObjectSpec(fields: fields, open: bool(spec?["open"], "open") ?? false, rules: rules, unchecked: unchecked))
    default:
      return nil
    }
    var field = FieldSpec.Draft(name: name, type: type, location: location(keyNode))
    field.title = text(spec?["title"], "title")
    field.description = text(spec?["description"], "description")
    field.required = bool(spec?["required"], "required") ?? false
    field.unique = bool(spec?["unique"], "unique") ?? false
    if let mergeNode = spec?["merge"], let strategy = mergeStrategy(mergeNode) {
      if strategy == .atomic, type.isScalar {
        error(
          "schema-bad-value", "'merge: atomic' is for an object or a list; a single value always merges whole",
          at: mergeNode, hint: "'merge: manual' makes any two concurrent changes to it a conflict")
      } else {
        field.merge = strategy
      }
    }
    if field.unique, !type.isScalar, let uniqueNode = spec?["unique"] {
      error("schema-bad-value", "only single values can be unique across records", at: uniqueNode)
    }
    field.pattern = pattern(spec?["pattern"])
    field.minLength = integer(spec?["min_length"], "min_length")
    field.maxLength = integer(spec?["max_length"], "max_length")
    for (key, isMinimum) in [("min", true), ("max", false)] {
      guard let boundNode = spec?[key], let boundText = text(boundNode, key) else { continue }
      var bound: FieldSpec.Bound?
      switch type {
      case .date:
        if let date = CivilDate(boundText) { bound = .date(date) }
      default:
        if let number = ExactDecimal(boundText) { bound = .number(number) }
      }
      guard let bound else {
        error("schema-bad-value", "'\(key)' must be a \(typeName == "date" ? "date" : "number")", at: boundNode)
        continue
      }
      if isMinimum { field.minimum = bound } else { field.maximum = bound }
    }
    if let defaultNode = spec?["default"] {
      if let value = text(defaultNode, "default") {
        if case .failure(let problem) = TypedScalar.check(value, type: type) {
          error(
            "schema-bad-value", "the default does not fit the field: \(problem.message)", at: defaultNode,
            hint: problem.hint)
        } else {
          field.defaultValue = value
        }
      }
    }
    if case .enumeration(let enumSpec) = type {
      if let transitionsNode = spec?["transitions"] {
        field.transitions = readTransitions(transitionsNode, enumSpec)
      }
      if let initialNode = spec?["initial"], let initial = textList(initialNode, "initial") {
        for value in initial where !enumSpec.contains(value) {
          error("schema-bad-value", "'\(value)' in 'initial' is not one of the values", at: initialNode)
        }
        field.initial = initial
      }
    }
    return FieldSpec(field)
  }

  /// A `merge:` setting.
  mutating func mergeStrategy(_ node: SyntaxNode) -> MergeStrategy? {
    guard let name = text(node, "merge") else { return nil }
    guard let strategy = MergeStrategy(rawValue: name) else {
      error(
        "schema-bad-value", "'merge' is one of " + MergeStrategy.allCases.map(\.rawValue).joined(separator: ", "),
        at: node,
        hint: Suggestions.closest(to: name, among: MergeStrategy.allCases.map(\.rawValue)).map {
          "did you mean '\($0)'?"
        })
      return nil
    }
    return strategy
  }

  mutating func readEnum(_ node: SyntaxNode?, field: String, at keyNode: SyntaxNode) -> EnumSpec? {
    guard let node else {
      error("schema-missing", "the enum '\(field)' has no 'values'", at: keyNode, hint: "list them: values: [a, b, c]")
      return nil
    }
    var values: [String] = []
    var labels: [String: String] = [:]
    if node.isSequence {
      guard let list = textList(node, "values") else { return nil }
      values = list
      for value in list { labels[value] = value }
    } else if node.isMapping {
      for entry in node.entries {
        guard let value = entry.key.text else { continue }
        values.append(value)
        labels[value] = entry.value.isNull ? value : (entry.value.text ?? value)
      }
    } else {
      error("schema-bad-value", "'values' must be a list, or a mapping of values to labels", at: node)
      return nil
    }
    if values.isEmpty {
      error("schema-bad-value", "an enum needs at least one value", at: node)
      return nil
    }
    var seen = Set<String>()
    for value in values where !seen.insert(value).inserted {
      error("schema-bad-value", "the value '\(value)' is listed twice", at: node)
    }
    return EnumSpec(values: values, labels: labels)
  }

  mutating func readTransitions(_ node: SyntaxNode, _ values: EnumSpec) -> Transitions? {
    guard node.isMapping else {
      error("schema-bad-value", "'transitions' must map each value to the values it may change to", at: node)
      return nil
    }
    var allowed: [String: [String]] = [:]
    var fromAny: [String] = []
    for entry in node.entries {
      guard let from = entry.key.text else { continue }
      if from != "*", !values.contains(from) {
        var hint = "values: " + values.values.joined(separator: ", ")
        if let suggestion = Suggestions.closest(to: from, among: values.values) {
          hint = "did you mean '\(suggestion)'?"
        }
        error("schema-bad-value", "'\(from)' is not one of the field's values", atKeyOf: entry, hint: hint)
        continue
      }
      guard let targets = textList(entry.value, "the values '\(from)' may change to") else { continue }
      for target in targets where !values.contains(target) {
        error("schema-bad-value", "'\(target)' is not one of the field's values", at: entry.value)
      }
      if from == "*" { fromAny = targets } else { allowed[from] = targets }
    }
    return Transitions(allowed: allowed, fromAny: fromAny)
  }

  static let ruleKeys = ["name", "when", "check", "message", "severity", "path"]

  mutating func readRules(_ node: SyntaxNode?, owner: [String], checks: inout [PendingCheck]) -> [Rule] {
    guard let node else { return [] }
    guard node.isSequence else {
      error("schema-bad-value", "'rules' must be a list", at: node, hint: "one '- check: ...' per rule")
      return []
    }
    var rules: [Rule] = []
    for item in node.items {
      guard item.isMapping else {
        error("schema-bad-value", "a rule is a mapping with 'check' and 'message'", at: item)
        continue
      }
      checkKeys(item, allowed: Self.ruleKeys, context: "a rule")
      guard let checkNode = item["check"] else {
        error("schema-missing", "the rule has no 'check'", at: item, hint: "add e.g. check: end >= start")
        continue
      }
      guard let messageNode = item["message"], let message = text(messageNode, "message") else {
        error("schema-missing", "the rule has no 'message'", at: item, hint: "say what is wrong, in the team's words")
        continue
      }
      let named = item["name"]?.text.map { "the rule '\($0)'" } ?? "this rule"
      guard let check = expression(checkNode, "the check") else {
        noteLeftOut("until this is fixed, \(named) is not checked")
        continue
      }
      var rule = Rule(check: check, message: message, location: location(checkNode))
      rule.name = text(item["name"], "name")
      if let whenNode = item["when"] {
        // A condition that does not parse leaves the rule out: checked on every record, it
        // would report records it was never meant for.
        guard let condition = expression(whenNode, "the condition") else {
          noteLeftOut("until this is fixed, \(named) is not checked")
          continue
        }
        rule.condition = condition
        rule.conditionLocation = location(whenNode)
        checks.append(
          PendingCheck(
            kind: .rule, owner: owner, expression: condition, location: location(whenNode), path: path, typeName: ""))
      }
      if let severityNode = item["severity"] {
        switch severityNode.text {
        case "error": rule.severity = .error
        case "warning": rule.severity = .warning
        default:
          error("schema-bad-value", "severity must be error or warning", at: severityNode)
        }
      }
      if let pathNode = item["path"], let pathText = text(pathNode, "path") {
        if let fieldPath = FieldPath(parsing: pathText) {
          rule.path = fieldPath
          checks.append(
            PendingCheck(
              kind: .rulePath(fieldPath), owner: owner, expression: nil, location: location(pathNode), path: path,
              typeName: ""))
        } else {
          error(
            "schema-bad-value", "'\(pathText)' is not a field path", at: pathNode, hint: "e.g. status or contacts.phone"
          )
        }
      }
      checks.append(
        PendingCheck(
          kind: .rule, owner: owner, expression: check, location: location(checkNode), path: path, typeName: ""))
      rules.append(rule)
    }
    return rules
  }
}
