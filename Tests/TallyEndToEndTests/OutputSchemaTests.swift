import Foundation
import TallyTestSupport
import Testing

/// Every JSON output is what docs/outputs.md says it is: each command runs on a real
/// repository (a committed copy of example-repo with a few more commits, a refused change, a
/// rename), and its output is validated against the page's JSON Schema with Python's
/// jsonschema.
@Suite("docs/outputs.md describes every JSON output (end to end)")
struct OutputSchemaTests {
  @Test func everyOutputMatchesItsDocumentedSchema() throws {
    let dir = try makeCommittedExampleRepository(customers: 20)
    let env = tallyGitEnvironment
    func tally(_ arguments: [String], allowed: Set<Int32> = [0]) throws -> String {
      let result = try TallyProcess.run(arguments, in: dir.path, environment: env)
      #expect(allowed.contains(result.status), "tally \(arguments.joined(separator: " ")): \(result.stderr)")
      return result.stdout
    }
    var outputs: [(name: String, text: String)] = []
    // A history: a field change, an added follow-up, a rename.
    outputs.append(("edit", try tally(["set", "customer/C-0003", "tier=A", "--format", "json"])))
    try git(["commit", "-q", "-am", "tier"], in: dir.path)
    let followUp = [
      "add", "customer/C-0003", "follow_ups", "date=2026-03-09", "by=S-0012", "channel=phone", "summary=回访",
      "outcome=interested", "--format", "json",
    ]
    outputs.append(("edit", try tally(followUp + ["--dry-run"])))
    outputs.append(("edit", try tally(followUp)))
    try git(["commit", "-q", "-am", "follow-up"], in: dir.path)
    outputs.append(("edit", try tally(["set", "customer/C-0003", "status=churned", "--format", "json"], allowed: [1])))
    try git(["mv", "customers/C-0001.yaml", "customers/C-0099.yaml"], in: dir.path)
    try git(["commit", "-q", "-m", "rename"], in: dir.path)
    outputs.append(("check", try tally(["check", "--format", "json"])))
    outputs.append(("check", try tally(["check", "--staged", "--format", "json"])))
    outputs.append(("check-range", try tally(["check", "--range", "HEAD~2..HEAD", "--format", "json"])))
    try dir.write(
      "customers/C-0005.yaml", try dir.read("customers/C-0005.yaml").replacing("\ntier: ", with: "\ntier: Q\nx: "))
    outputs.append(("check", try tally(["check", "--format", "json"], allowed: [1])))
    outputs.append(("commit", try tally(["commit", "--all", "--format", "json"], allowed: [1])))
    try git(["checkout", "--", "customers/C-0005.yaml"], in: dir.path)
    try dir.write(
      "customers/C-0006.yaml", try dir.read("customers/C-0006.yaml").replacing("\ntier: ", with: "\ntier:   "))
    outputs.append(("commit", try tally(["commit", "--all", "--dry-run", "--format", "json"])))
    outputs.append(("log", try tally(["log", "customer/C-0003", "--format", "json"])))
    outputs.append(("log", try tally(["log", "customer/C-0099", "--format", "json"])))
    outputs.append(("blame", try tally(["blame", "customer/C-0003", "--format", "json"])))
    outputs.append(("show", try tally(["show", "customer/C-0003", "--rev", "HEAD~2", "--format", "json"])))
    outputs.append(("diff", try tally(["diff", "HEAD~2..HEAD", "--format", "json"])))
    outputs.append(("diff", try tally(["diff", "--format", "json"])))
    outputs.append(("parse", try tally(["parse", "--format", "json", "customers/C-0003.yaml"])))
    outputs.append(
      ("parse-line", try tally(["parse", "--format", "json", "customers/C-0002.yaml", "staff/S-0001.yaml"])))
    for name in ["roster", "pipeline", "plan", "followups", "complaints", "meetings", "activity"] {
      outputs.append(("report", try tally(["report", name, "--format", "json"])))
    }
    // The hooks and drivers: nothing installed (the hooks path is /dev/null), installed, and
    // a clone's state (the attribute committed, the driver not configured).
    outputs.append(("hook-status", try tally(["hook", "status", "--format", "json"], allowed: [1])))
    try git(["config", "--unset", "core.hooksPath"], in: dir.path)
    _ = try tally(["hook", "install"])
    outputs.append(("hook-status", try tally(["hook", "status", "--format", "json"])))
    try git(["config", "--unset", "merge.tally.driver"], in: dir.path)
    let clone = try tally(["hook", "status", "--format", "json"], allowed: [1])
    #expect(clone.contains(#""merge":{"state":"not_configured","key":"merge.tally.driver","command":null,"#))
    outputs.append(("hook-status", clone))

    let scratch = try TemporaryDirectory(prefix: "outputs")
    var arguments = [Golden.directory() + "/../../docs/outputs.md"]
    for (index, output) in outputs.enumerated() {
      let file = try scratch.write("\(index)-\(output.name).json", output.text)
      arguments.append("\(output.name)=\(file)")
    }
    let interpreter = ProcessInfo.processInfo.environment["TALLY_PYTHON"].flatMap { $0.isEmpty ? nil : $0 } ?? "python3"
    let check = try TallyProcess.runProgram(
      interpreter, [Golden.directory() + "/Scripts/output_schema_check.py"] + arguments)
    #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
    // Every output was a document the schemas judged (JSON Lines: one per file).
    #expect(check.stdout == "ok \(outputs.count + 1)\n", "\(check.stdout)")
  }

  /// A schema that says too little must fail: the check is not a formality.
  @Test func aDocumentThatBreaksItsSchemaIsReported() throws {
    let scratch = try TemporaryDirectory(prefix: "outputs")
    let file = try scratch.write(
      "bad.json", #"{"version":1,"from":"HEAD","to":"HEAD","summary":"x","records":[{"kind":"moved"}]}"#)
    let interpreter = ProcessInfo.processInfo.environment["TALLY_PYTHON"].flatMap { $0.isEmpty ? nil : $0 } ?? "python3"
    let check = try TallyProcess.runProgram(
      interpreter,
      [
        Golden.directory() + "/Scripts/output_schema_check.py", Golden.directory() + "/../../docs/outputs.md",
        "diff=\(file)",
      ])
    #expect(check.status == 1)
    #expect(check.stdout.contains("'moved' is not one of"))
  }
}
