import Foundation
import TallySchema
import TallyTestSupport
import Testing

/// For each diagnostic code the telesales schemas can produce, an "invalid twin": a file of
/// example-repo/ changed so that `tally check` reports that code (made by
/// scripts/make-twins.py). The output is compared with the twin's expected.txt.
@Suite("Invalid twins of example-repo")
struct TwinTests {
  static let twins = Golden.directory() + "/Twins"
  static let example = Golden.directory() + "/../../example-repo"

  static var codes: [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: twins)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
  }

  /// Codes reproduced elsewhere: by the unit twins in ValidatorTests (types the telesales
  /// schemas do not use), with git in CheckCommandTests (transitions), by a failing source
  /// in RepositoryCheckerTests, by a link made at test time in SymlinkTests, or on a sharded
  /// example-repo in ShardedLayoutTests (the shipped schemas are flat).
  static let reproducedElsewhere: Set<String> = [
    "not-a-bool", "not-a-datetime", "not-a-url", "too-short", "too-many-items", "transition", "initial-state",
    "unreadable", "symlink", "wrong-shard",
  ]

  @Test func everyCodeHasATwin() {
    let all = Set((CheckDiagnosticCodes.schema + CheckDiagnosticCodes.records).map(\.code))
    let covered = Set(Self.codes).union(Self.reproducedElsewhere)
    #expect(all.subtracting(covered).isEmpty, "no twin for \(all.subtracting(covered).sorted())")
    #expect(covered.subtracting(all).isEmpty, "twins for unknown codes \(covered.subtracting(all).sorted())")
  }

  @Test(arguments: codes)
  func twin(code: String) throws {
    let dir = try TemporaryDirectory(prefix: "twin")
    let repo = dir.path + "/repo"
    try FileManager.default.copyItem(atPath: Self.example, toPath: repo)
    let overlay = "\(Self.twins)/\(code)/files"
    let enumerator = FileManager.default.enumerator(atPath: overlay)
    while let relative = enumerator?.nextObject() as? String {
      var isDirectory: ObjCBool = false
      _ = FileManager.default.fileExists(atPath: "\(overlay)/\(relative)", isDirectory: &isDirectory)
      if isDirectory.boolValue { continue }
      let target = "\(repo)/\(relative)"
      try FileManager.default.createDirectory(
        atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
      try? FileManager.default.removeItem(atPath: target)
      try FileManager.default.copyItem(atPath: "\(overlay)/\(relative)", toPath: target)
    }
    let result = try TallyProcess.run(["check"], in: repo)
    #expect(result.stdout.contains("[\(code)]"), "\(result.stdout)")
    let warningOnly = ["stray-file", "unassigned-file"].contains(code)
    #expect(result.status == (warningOnly ? 0 : 1))
    Golden.check(result.stdout, against: "\(Self.twins)/\(code)/expected.txt")
  }
}

@Suite struct CheckCodeDocsTests {
  @Test func everyCodeIsDocumented() throws {
    let docs = try String(contentsOfFile: Golden.directory() + "/../../docs/diagnostics.md", encoding: .utf8)
    for (code, _) in CheckDiagnosticCodes.schema + CheckDiagnosticCodes.records {
      #expect(docs.contains("| `\(code)` |"), "docs/diagnostics.md does not list \(code)")
    }
    for (code, _) in CheckDiagnosticCodes.policy {
      #expect(docs.contains("| `\(code)` |"), "docs/diagnostics.md does not list \(code)")
    }
  }
}
