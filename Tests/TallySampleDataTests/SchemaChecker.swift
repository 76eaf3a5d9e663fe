import TallySampleData
import TallyText

/// A small validator for the sample data, driven by `schema/*.yaml` (read with TallyText):
/// fields, types, enum values, patterns, lengths, ranges, lists, uniqueness and references
/// from the schema; the `rules` and `where` clauses written out by hand. It checks what the
/// sample data needs; the real validator lives in TallySchema.
final class SchemaChecker {
  final class Field {
    var type = "text"
    var required = false
    var values: [String] = []
    var maxLength: Int?
    var pattern: String?
    var min: Double?
    var max: Double?
    var to: String?
    var minItems: Int?
    var uniqueItems = false
    var uniqueBy: String?
    var unique = false
    var items: Field?
    var fields: [(String, Field)] = []
    var transitions: [String: [String]] = [:]
    var initial: [String] = []

    init(_ value: Value) {
      type = value["type"]?.text ?? "text"
      required = value["required"]?.text == "true"
      if let pairs = value["values"]?.pairs {
        values = pairs.map(\.key)
      } else if let items = value["values"]?.items {
        values = items.compactMap(\.text)
      }
      maxLength = value["max_length"]?.text.flatMap { Int($0) }
      pattern = value["pattern"]?.text
      min = value["min"]?.text.flatMap { Double($0) }
      max = value["max"]?.text.flatMap { Double($0) }
      to = value["to"]?.text
      minItems = value["min_items"]?.text.flatMap { Int($0) }
      uniqueItems = value["unique_items"]?.text == "true"
      uniqueBy = value["unique_by"]?.text
      unique = value["unique"]?.text == "true"
      if let items = value["items"] { self.items = Field(items) }
      for pair in value["fields"]?.pairs ?? [] { fields.append((pair.key, Field(pair.value))) }
      for pair in value["transitions"]?.pairs ?? [] {
        transitions[pair.key] = pair.value.items?.compactMap(\.text) ?? []
      }
      initial = value["initial"]?.items?.compactMap(\.text) ?? []
    }
  }

  struct Schema {
    var type: String
    var directory: String
    var idPattern: String
    var root: Field
  }

  let schemas: [String: Schema]
  private var regexes: [String: Regex<AnyRegexOutput>] = [:]

  /// Reads `schema/*.yaml` of the repository.
  init(schemaDirectory: String) throws {
    var schemas: [String: Schema] = [:]
    for name in ["staff", "customer", "plan", "minutes"] {
      let bytes = try readFile(schemaDirectory + "/" + name + ".yaml")
      guard let value = Document.parse(bytes).document?.value else { throw CheckError("\(name).yaml does not parse") }
      let directory = value["directory"]!.text!
      schemas[directory] = Schema(
        type: name, directory: directory, idPattern: value["id"]!["pattern"]!.text!, root: Field(value))
    }
    self.schemas = schemas
  }

  func schema(ofPath path: String) -> Schema? {
    schemas[String(path.prefix { $0 != "/" })]
  }

  func matches(_ text: String, _ pattern: String) -> Bool {
    if regexes[pattern] == nil { regexes[pattern] = try! Regex(pattern) }
    return text.firstMatch(of: regexes[pattern]!) != nil
  }

  // MARK: - One record

  /// The problems of one record, on its own (references are checked by `Repository`).
  func problems(path: String, value: Value) -> [String] {
    guard let schema = schema(ofPath: path) else { return ["\(path): not in a record directory"] }
    var out: [String] = []
    let id = String(path.split(separator: "/").last!.dropLast(5))
    if !matches(id, schema.idPattern) { out.append("\(path): id \(id) does not match \(schema.idPattern)") }
    check(value, field: schema.root, at: "", path: path, into: &out)
    rules(schema.type, id: id, value: value, path: path, into: &out)
    return out
  }

  private func check(_ value: Value, field: Field, at location: String, path: String, into out: inout [String]) {
    func problem(_ text: String) { out.append("\(path): \(location.isEmpty ? "(record)" : location): \(text)") }
    let isObject = field.type == "object" || (!field.fields.isEmpty && field.type != "list")
    switch isObject ? "object" : field.type {
    case "object":
      guard let pairs = value.pairs else { return problem("not a mapping") }
      var seen: Set<String> = []
      for pair in pairs {
        guard let sub = field.fields.first(where: { $0.0 == pair.key })?.1 else {
          problem("unknown field \(pair.key)")
          continue
        }
        seen.insert(pair.key)
        if pair.value.isNull {
          problem("\(pair.key) is empty")
          continue
        }
        check(
          pair.value, field: sub, at: location.isEmpty ? pair.key : "\(location).\(pair.key)", path: path, into: &out)
      }
      for (name, sub) in field.fields where sub.required && !seen.contains(name) {
        problem("required field \(name) missing")
      }
    case "list":
      guard let items = value.items else { return problem("not a list") }
      if let min = field.minItems, items.count < min { problem("fewer than \(min) items") }
      if field.uniqueItems, Set(items.compactMap(\.text)).count != items.count { problem("items not unique") }
      if let key = field.uniqueBy {
        let keys = items.compactMap { $0[key]?.text }
        if Set(keys).count != keys.count { problem("\(key) not unique") }
      }
      if let itemField = field.items {
        for (index, item) in items.enumerated() {
          check(item, field: itemField, at: "\(location)[\(index)]", path: path, into: &out)
        }
      }
    default:
      guard let text = value.text else { return problem("not a scalar") }
      switch field.type {
      case "text", "multiline":
        if let max = field.maxLength, text.count > max { problem("longer than \(max)") }
        if let pattern = field.pattern, !matches(text, pattern) { problem("\(text) does not match \(pattern)") }
        if field.type == "text" && text.contains("\n") { problem("line break in text") }
      case "enum":
        if !field.values.contains(text) { problem("\(text) is not one of \(field.values)") }
      case "ref":
        if !matches(text, "^S-[0-9]{4}$") { problem("\(text) is not a staff id") }
      case "date":
        if !isDate(text) { problem("\(text) is not a date") }
      case "money":
        if !matches(text, "^[0-9]+\\.[0-9]{2}$") { problem("\(text) is not money") }
        range(text)
      case "decimal":
        if !matches(text, "^[0-9]+(\\.[0-9]+)?$") { problem("\(text) is not a decimal") }
        range(text)
      case "int":
        if !matches(text, "^-?[0-9]+$") { problem("\(text) is not an int") }
        range(text)
      case "phone":
        if !matches(text, "^1[3-9][0-9]{9}$") { problem("\(text) is not a mobile number") }
      case "email":
        if !matches(text, "^[a-z0-9._-]+@[a-z0-9.-]+\\.[a-z]+$") { problem("\(text) is not an email") }
      default:
        problem("unknown type \(field.type)")
      }
      func range(_ text: String) {
        guard let number = Double(text) else { return }
        if let min = field.min, number < min { problem("\(text) < \(min)") }
        if let max = field.max, number > max { problem("\(text) > \(max)") }
      }
    }
  }

  func isDate(_ text: String) -> Bool {
    guard matches(text, "^[0-9]{4}-[0-9]{2}-[0-9]{2}$") else { return false }
    let parts = text.split(separator: "-").map { Int($0)! }
    let days = [31, parts[0] % 4 == 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    return (1...12).contains(parts[1]) && (1...days[parts[1] - 1]).contains(parts[2])
  }

  /// The schemas' `rules`, by hand.
  private func rules(_ type: String, id: String, value: Value, path: String, into out: inout [String]) {
    func problem(_ text: String) { out.append("\(path): \(text)") }
    func text(_ key: String, in v: Value = value) -> String? { v[key]?.text }
    switch type {
    case "customer":
      if text("status") == "churned" && text("churn_reason") == nil { problem("churned without churn_reason") }
      if text("status") == "active" && (value["orders"]?.items ?? []).isEmpty { problem("active without orders") }
      for item in value["follow_ups"]?.items ?? [] {
        if let next = text("next_contact", in: item), let date = text("date", in: item), next <= date {
          problem("next_contact \(next) not after \(date)")
        }
      }
      for item in value["complaints"]?.items ?? [] {
        if let resolved = text("resolved_on", in: item), let date = text("date", in: item), resolved < date {
          problem("resolved_on \(resolved) before \(date)")
        }
      }
    case "staff":
      if text("status") == "left" && text("left") == nil { problem("left without a left date") }
      if let left = text("left"), let joined = text("joined"), left < joined { problem("left before joined") }
      if text("role") == "manager" && text("reports_to") != nil { problem("manager reports to someone") }
      if text("role") != "manager" && text("reports_to") == nil { problem("no reports_to") }
    case "plan":
      let scope = value["scope"]
      if (scope?["team"] == nil) == (scope?["person"] == nil) { problem("scope needs exactly one of team, person") }
      for step in value["steps"]?.items ?? []
      where text("status", in: step) == "done" && text("done_on", in: step) == nil {
        problem("done step without done_on")
      }
    case "minutes":
      guard let date = text("date") else { return }
      if !id.hasPrefix(date) { problem("id does not start with the date") }
      let attendees = value["attendees"]?.items?.compactMap(\.text) ?? []
      let absentees = value["absentees"]?.items?.compactMap(\.text) ?? []
      if let chair = text("chair"), !attendees.contains(chair) { problem("chair not among attendees") }
      if absentees.contains(where: attendees.contains) { problem("someone both attended and was absent") }
      for item in value["action_items"]?.items ?? [] {
        if text("status", in: item) == "done" && text("done_on", in: item) == nil {
          problem("done item without done_on")
        }
        if let done = text("done_on", in: item), done < date { problem("done_on before the meeting") }
      }
    default:
      break
    }
  }
}

struct CheckError: Error, CustomStringConvertible {
  var description: String
  init(_ description: String) { self.description = description }
}

func readFile(_ path: String) throws -> [UInt8] {
  guard let file = fopen(path, "rb") else { throw CheckError("cannot open \(path)") }
  defer { fclose(file) }
  var bytes: [UInt8] = []
  var buffer = [UInt8](repeating: 0, count: 65_536)
  while true {
    let n = fread(&buffer, 1, buffer.count, file)
    if n <= 0 { break }
    bytes.append(contentsOf: buffer[0..<n])
  }
  return bytes
}

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
