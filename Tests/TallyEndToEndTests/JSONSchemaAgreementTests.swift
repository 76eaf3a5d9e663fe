import Foundation
import TallyTestSupport
import Testing

/// `tally schema export` and `tally check` agree on the field errors JSON Schema can express,
/// checked with Python's jsonschema (draft 2020-12, formats on) reading records as a YAML 1.2
/// editor does.
@Suite("JSON Schema export agrees with tally check")
struct JSONSchemaAgreementTests {
  /// Codes of errors a JSON Schema can express.
  static let fieldCodes: Set<String> = [
    "unknown-field", "missing-field", "empty-field", "wrong-kind", "line-break", "not-an-integer", "not-a-number",
    "not-a-bool", "not-a-date", "not-in-enum", "pattern-mismatch", "too-short", "too-long", "too-small",
    "too-large", "too-few-items", "too-many-items",
  ]

  /// Records with one field error each (and one that is fine).
  static let twins: [String: String] = [
    "customers/C-0101.yaml": "name: 甲\nindustry: trade\ntier: A\nstatus: lead\nowner: S-0012\ncontacts:\n  - name: 赵\n",
    "customers/C-0102.yaml": "name: 乙\nindustry: steel\ntier: A\nstatus: lead\nowner: S-0012\ncontacts:\n  - name: 赵\n",
    "customers/C-0103.yaml": "name: 丙\nindustry: trade\nstatus: lead\nowner: S-0012\ncontacts:\n  - name: 赵\n",
    "customers/C-0104.yaml": "name: 丁\nindustry: trade\ntier: A\nstatus: lead\nowner: S-0012\ncontacts: []\n",
    "customers/C-0105.yaml":
      "name: 戊\nindustry: trade\ntier: A\nstatus: lead\nowner: S-0012\ncolour: red\ncontacts:\n  - name: 赵\n",
    "customers/C-0106.yaml":
      "name: 己\nindustry: trade\ntier: A\nstatus: lead\nowner: S-0012\ncontacts:\n  - name: 赵\norders:\n  - date: 2026-02-30\n    product: x\n    amount: 1\n",
    "customers/C-0107.yaml":
      "name: 庚\nindustry: trade\ntier: A\nstatus: lead\nowner: S-0012\ncontacts:\n  - name: 赵\norders:\n  - date: 2026-02-03\n    product: x\n    amount: -5\n",
    "customers/C-0108.yaml":
      "name: \(String(repeating: "长", count: 81))\nindustry: trade\ntier: A\nstatus: lead\nowner: S-0012\ncontacts:\n  - name: 赵\n",
    "customers/C-0109.yaml": "name: 辛\nindustry: trade\ntier: A\nstatus: lead\nowner: S-0012\ncontacts: 赵\n",
    "staff/S-0101.yaml":
      "name: 孙\nrole: cs_rep\nteam: 华东一组\nreports_to: S-0003\nemail: sun@example.cn\njoined: 2024-01-01\nstatus: active\nreviews:\n  - period: 2025Q4\n    rating: A\n",
    "staff/S-0102.yaml":
      "name: 周\nrole: cs_rep\nteam: 华东一组\nreports_to: S-0003\nemail: zhou@example.cn\njoined: 2024-01-01\nstatus: active\ntrainings:\n  - date: 2026-01-10\n    topic: 培训\n    hours: many\n",
    "plans/P-2026Q1-01.yaml":
      "title: 计划\nkind: sales\nperiod: 2026-Q1\nowner: S-0003\nscope:\n  team: 华东一组\ntargets:\n  - metric: revenue\n    target: -5\n    assignee: S-0012\n",
  ]

  @Test func theyAgree() throws {
    let dir = try makeTeamRepository()
    for (path, text) in Self.twins { try dir.write(path, text) }
    let export = try TallyProcess.run(["schema", "export", "--json-schema", ".json-schema"], in: dir.path)
    #expect(export.status == 0)

    let check = try TallyProcess.run(["check", "--format", "json"], in: dir.path)
    let json = try #require(try JSONSerialization.jsonObject(with: Data(check.stdout.utf8)) as? [String: Any])
    var tally: [String: Set<String>] = [:]
    for diagnostic in json["diagnostics"] as? [[String: Any]] ?? [] {
      guard let code = diagnostic["code"] as? String, Self.fieldCodes.contains(code),
        let file = diagnostic["file"] as? String, let field = diagnostic["field"] as? String
      else { continue }
      let top = String(field.prefix { $0 != "." && $0 != "[" })
      tally[file, default: []].insert(top)
    }

    let script = Golden.directory() + "/Scripts/jsonschema_check.py"
    let interpreter = ProcessInfo.processInfo.environment["TALLY_PYTHON"].flatMap { $0.isEmpty ? nil : $0 } ?? "python3"
    let python = try TallyProcess.runProgram(
      interpreter, [script, dir.path + "/.json-schema", dir.path, "customer=customers", "staff=staff", "plan=plans"])
    #expect(python.status == 0, "python3 with jsonschema and PyYAML is needed: \(python.stderr)")
    var jsonSchema: [String: Set<String>] = [:]
    for line in python.stdout.split(separator: "\n") {
      let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
      let fields = object["fields"] as? [String] ?? []
      if !fields.isEmpty { jsonSchema[object["file"] as! String] = Set(fields) }
    }
    #expect(tally == jsonSchema)
    // Every twin but the valid one is caught by both.
    #expect(tally.count == Self.twins.count - 1)
    #expect(tally["customers/C-0101.yaml"] == nil)
  }
}
