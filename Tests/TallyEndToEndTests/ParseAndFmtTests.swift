import Foundation
import TallyTestSupport
import Testing

let customer = """
  # 客户档案
  id: C-0042
  name:   上海华信贸易有限公司   # 营业执照上的名称
  status: prospect
  phone: '13800138000'
  tags: [重点,   续约]
  follow_ups:
  - date: '2026-03-02'
    channel: phone
    summary: 客户对新报价感兴趣
  notes: |
    第一行
    第二行

  """

let canonicalCustomer = """
  # 客户档案
  id: C-0042
  name: 上海华信贸易有限公司 # 营业执照上的名称
  status: prospect
  phone: '13800138000'
  tags: [重点, 续约]
  follow_ups:
    - date: '2026-03-02'
      channel: phone
      summary: 客户对新报价感兴趣
  notes: |
    第一行
    第二行

  """

@Suite("tally parse (end to end)")
struct ParseCommandTests {
  @Test func printsOneFileAsJSON() throws {
    let dir = try TemporaryDirectory()
    try dir.write("C-0042.yaml", customer)
    let result = try TallyProcess.run(["parse", "--json", "C-0042.yaml"], in: dir.path)
    #expect(result.status == 0)
    #expect(result.stderr == "")
    let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
    #expect(json?["name"] as? String == "上海华信贸易有限公司")
    #expect(json?["phone"] as? String == "13800138000")
    #expect(json?["tags"] as? [String] == ["重点", "续约"])
    #expect((json?["follow_ups"] as? [[String: Any]])?.first?["channel"] as? String == "phone")
    #expect(json?["notes"] as? String == "第一行\n第二行\n")
    // Keys come out in file order.
    #expect(result.stdout.range(of: "\"id\"")!.lowerBound < result.stdout.range(of: "\"notes\"")!.lowerBound)
  }

  @Test func severalFilesAreJSONLinesAndBadFilesGoToStderr() throws {
    let dir = try TemporaryDirectory()
    try dir.write("a.yaml", "id: A\n")
    try dir.write("b.yaml", "id: B\nname: &x y\n")
    try dir.write("c.yaml", "id: C\nlist: []\nempty:\n")
    let result = try TallyProcess.run(["parse", "--format", "json", "a.yaml", "b.yaml", "c.yaml"], in: dir.path)
    #expect(result.status == 1)
    #expect(
      result.stdout == """
        {"path":"a.yaml","value":{"id":"A"}}
        {"path":"c.yaml","value":{"id":"C","list":[],"empty":null}}

        """)
    #expect(result.stderr.hasPrefix("b.yaml:2:7: error[anchor]: anchors are not supported: repeat the value\n"))
    #expect(result.stderr.contains("  2 | name: &x y\n    |       ^^ "))
  }

  @Test func textOutlineShowsPositionsAndStyles() throws {
    let dir = try TemporaryDirectory()
    try dir.write("c.yaml", customer)
    let result = try TallyProcess.run(["parse", "c.yaml"], in: dir.path)
    #expect(result.status == 0)
    #expect(result.stdout.contains("name = \"上海华信贸易有限公司\"  @3:9\n"))
    #expect(result.stdout.contains("phone = \"13800138000\"  @5:8 singleQuoted\n"))
    #expect(result.stdout.contains("follow_ups[0].channel = \"phone\"  @9:12\n"))
    #expect(result.stdout.contains("notes = \"第一行\\n第二行\\n\"  @11:8 literal\n"))
  }

  @Test func missingFileIsAFailureNotAFinding() throws {
    let dir = try TemporaryDirectory()
    let result = try TallyProcess.run(["parse", "nope.yaml"], in: dir.path)
    #expect(result.status == 2)
    #expect(result.stderr.contains("cannot read nope.yaml: No such file or directory"))
  }

  @Test func usageErrorsExit64() throws {
    let result = try TallyProcess.run(["parse"])
    #expect(result.status == 64)
    #expect(result.stderr.contains("Missing expected argument"))
    #expect(try TallyProcess.run(["parse", "--format", "xml", "x"]).status == 64)
  }
}

@Suite("tally fmt (end to end)")
struct FmtCommandTests {
  @Test func rewritesIntoCanonicalFormKeepingTheMode() throws {
    let dir = try TemporaryDirectory()
    let path = try dir.write("customers/C-0042.yaml", customer)
    try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: path)
    let result = try TallyProcess.run(["fmt", "customers/C-0042.yaml"], in: dir.path)
    #expect(result.status == 0)
    #expect(try dir.read("customers/C-0042.yaml") == canonicalCustomer)
    #expect(result.stderr.contains("formatted customers/C-0042.yaml"))
    let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
    #expect(mode == 0o640)
    // No temporary files are left behind.
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path + "/customers") == ["C-0042.yaml"])
    // Idempotent.
    let again = try TallyProcess.run(["fmt", "customers"], in: dir.path)
    #expect(again.status == 0)
    #expect(again.stderr.contains("0 files reformatted, 1 already canonical"))
  }

  @Test func invalidFilesAreLeftUntouchedAndReported() throws {
    let dir = try TemporaryDirectory()
    let bad = "id: C-1\nname:\tx\n"
    try dir.write("bad.yaml", bad)
    try dir.write("good.yaml", "id:   C-2\n")
    let result = try TallyProcess.run(["fmt", "."], in: dir.path)
    #expect(result.status == 1)
    #expect(try dir.read("bad.yaml") == bad)
    #expect(try dir.read("good.yaml") == "id: C-2\n")
    #expect(result.stderr.contains("bad.yaml:2:6: error[tab-separator]"))
    #expect(result.stderr.contains("1 not in the record format (left untouched)"))
  }

  @Test func checkChangesNothingAndListsFiles() throws {
    let dir = try TemporaryDirectory()
    try dir.write("a.yaml", customer)
    try dir.write("b.yaml", "id: B\n")
    let result = try TallyProcess.run(["fmt", "--check", "a.yaml", "b.yaml"], in: dir.path)
    #expect(result.status == 1)
    #expect(result.stdout == "a.yaml\n")
    #expect(try dir.read("a.yaml") == customer)
    let clean = try TallyProcess.run(["fmt", "--check", "b.yaml"], in: dir.path)
    #expect(clean.status == 0)
    #expect(clean.stdout == "")
  }

  @Test func diffPrintsAUnifiedDiff() throws {
    let dir = try TemporaryDirectory()
    try dir.write("a.yaml", "id: A\ntags: [x,   y]\nok: fine\n")
    let result = try TallyProcess.run(["fmt", "--diff", "a.yaml"], in: dir.path)
    #expect(result.status == 1)
    #expect(
      result.stdout == """
        --- a/a.yaml
        +++ b/a.yaml
        @@ -1,3 +1,3 @@
         id: A
        -tags: [x,   y]
        +tags: [x, 'y']
         ok: fine

        """)
    #expect(try dir.read("a.yaml") == "id: A\ntags: [x,   y]\nok: fine\n")
    // git apply accepts the diff.
    try dir.write("patch.diff", result.stdout)
    let applied = try TallyProcess.runProgram("git", ["apply", "--check", "patch.diff"], in: dir.path)
    #expect(applied.status == 0, "\(applied.stderr)")
  }

  @Test func withoutPathsFormatsTheRecordsRepository() throws {
    let dir = try TemporaryDirectory()
    try dir.write("tally.yaml", "name: demo\n")
    try dir.write("customers/C-1.yaml", "id:    C-1\n")
    try dir.write("staff/S-1.yaml", "id:    S-1\n")
    try dir.write(".hidden/x.yaml", "id:    x\n")
    let result = try TallyProcess.run(["fmt", "--check"], in: dir.path + "/customers")
    #expect(result.status == 1)
    #expect(result.stdout == "C-1.yaml\n../staff/S-1.yaml\n")
  }

  @Test func missingPathIsAUsageError() throws {
    let dir = try TemporaryDirectory()
    let result = try TallyProcess.run(["fmt", "nope"], in: dir.path)
    #expect(result.status == 64)
    #expect(result.stderr.contains("no such file or directory: nope"))
  }
}

@Suite("tally (end to end)")
struct CLITests {
  @Test func versionNamesLibgit2() throws {
    let result = try TallyProcess.run(["--version"])
    #expect(result.status == 0)
    #expect(result.stdout.hasPrefix("tally "))
    #expect(result.stdout.contains("(libgit2 1."))
  }

  @Test(arguments: ["bash", "zsh", "fish"])
  func completionScripts(shell: String) throws {
    let result = try TallyProcess.run(["--generate-completion-script", shell])
    #expect(result.status == 0)
    #expect(result.stdout.contains("fmt"))
    #expect(result.stdout.contains("parse"))
  }

  @Test(arguments: [[], ["parse"], ["fmt"], ["serve"]])
  func helpIsUpToDate(command: [String]) throws {
    let result = try TallyProcess.run(command + ["--help"])
    #expect(result.status == 0)
    let name = (["tally"] + command).joined(separator: "-")
    Golden.check(result.stdout, against: Golden.directory() + "/Golden/help/\(name).txt")
  }
}

@Suite("Many path arguments")
struct ManyPathsTests {
  /// Paths beyond the first few bypass swift-argument-parser (quadratic in their number);
  /// they must all arrive, in order, with options anywhere among them.
  @Test func thousandsOfPathsArriveInOrder() throws {
    let dir = try TemporaryDirectory()
    var names: [String] = []
    for index in 0..<2000 {
      let name = String(format: "f%04d.yaml", 1999 - index)
      try dir.write(name, "id: \(index)\n")
      names.append(name)
    }
    let arguments = ["parse"] + names[0..<10] + ["--format", "json"] + names[10...] + ["--color", "never"]
    let result = try TallyProcess.run(Array(arguments), in: dir.path)
    #expect(result.status == 0)
    let lines = result.stdout.split(separator: "\n")
    #expect(lines.count == 2000)
    #expect(lines.first == #"{"path":"f1999.yaml","value":{"id":"0"}}"#)
    #expect(lines.last == #"{"path":"f0000.yaml","value":{"id":"1999"}}"#)
  }
}
