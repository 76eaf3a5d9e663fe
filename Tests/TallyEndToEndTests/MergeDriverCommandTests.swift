import Foundation
import TallyTestSupport
import Testing

/// `tally merge-driver %O %A %B %L %P` as git runs it: the exit status, what it writes over
/// ours, what it says on standard error.
@Suite("tally merge-driver (end to end)")
struct MergeDriverCommandTests {
  /// The team repository with three versions of C-0042 in git's temporary files.
  func versions(ours: (String) -> String, theirs: (String) -> String) throws -> TemporaryDirectory {
    let dir = try makeTeamRepository()
    let original = try dir.read("customers/C-0042.yaml")
    try dir.write(".merge_file_O", original)
    try dir.write(".merge_file_A", ours(original))
    try dir.write(".merge_file_B", theirs(original))
    return dir
  }

  func driver(_ dir: TemporaryDirectory, markerSize: String = "7") throws -> ProcessResult {
    try TallyProcess.run(
      ["merge-driver", ".merge_file_O", ".merge_file_A", ".merge_file_B", markerSize, "customers/C-0042.yaml"],
      in: dir.path)
  }

  @Test func aCleanMergeExitsZeroWithBothChanges() throws {
    let dir = try versions(
      ours: { $0.replacingOccurrences(of: "tier: A", with: "tier: B") },
      theirs: { $0.replacingOccurrences(of: "source: referral", with: "source: exhibition") })
    let result = try driver(dir)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stderr.isEmpty)
    let merged = try dir.read(".merge_file_A")
    #expect(merged.contains("tier: B\n") && merged.contains("source: exhibition\n"))
  }

  @Test func aConflictExitsOneAndNamesTheField() throws {
    let dir = try versions(
      ours: { $0.replacingOccurrences(of: "tier: A", with: "tier: B") },
      theirs: { $0.replacingOccurrences(of: "tier: A", with: "tier: C") })
    let result = try driver(dir, markerSize: "9")
    #expect(result.status == 1)
    #expect(
      result.stderr == "tally: conflict in customers/C-0042.yaml: tier: changed differently on both sides\n")
    #expect(
      try dir.read(".merge_file_A").contains(
        "<<<<<<<<< ours\ntier: B\n||||||||| base\ntier: A\n=========\ntier: C\n>>>>>>>>> theirs\nstatus: prospect\n"))
  }

  @Test func aFileThatIsNotARecordIsMergedAsLinesAndSaysWhy() throws {
    let dir = try versions(
      ours: { $0.replacingOccurrences(of: "tier: A", with: "tier: B\ntier: C") },
      theirs: { $0.replacingOccurrences(of: "source: referral", with: "source: exhibition") })
    let result = try driver(dir)
    #expect(result.status == 0)
    #expect(
      result.stderr
        == "tally: customers/C-0042.yaml merged line by line: ours is not a record file (line 4: duplicate key 'tier')\n"
    )
    #expect(try dir.read(".merge_file_A").contains("tier: C\nstatus: prospect\nowner: S-0012\nsource: exhibition\n"))
  }

  @Test func aMissingVersionExitsTwoAndLeavesOurs() throws {
    let dir = try versions(ours: { $0 + "# ours\n" }, theirs: { $0 })
    try FileManager.default.removeItem(atPath: dir.path + "/.merge_file_B")
    let result = try driver(dir)
    #expect(result.status == 2)
    #expect(result.stderr.hasPrefix("tally merge-driver: customers/C-0042.yaml: "))
    #expect(try dir.read(".merge_file_A").hasSuffix("# ours\n"))
  }

  /// git's call is read without the argument parser; anything else still goes through it.
  @Test func optionsAndBadOperandsGoThroughTheParser() throws {
    let dir = try makeTeamRepository()
    let help = try TallyProcess.run(["merge-driver", "--help"], in: dir.path)
    #expect(help.status == 0 && help.stdout.contains("USAGE: tally merge-driver <base> <ours> <theirs>"))
    let bad = try TallyProcess.run(["merge-driver", "a", "b", "c", "seven", "p"], in: dir.path)
    #expect(bad.status == 64, "\(bad.stderr)")
  }

  /// With the real git: two branches that change different fields of a customer and each
  /// append a follow-up merge with no conflict, and the result checks clean.
  @Test func gitMergeUsesTheDriver() throws {
    let dir = try makeTeamRepository()
    try git(["init", "-q", "-b", "main"], in: dir.path)
    try git(["config", "core.hooksPath", "/dev/null"], in: dir.path)
    try git(["config", "merge.tally.driver", "\(TallyProcess.binary) merge-driver %O %A %B %L %P"], in: dir.path)
    try dir.write(".gitattributes", "customers/** merge=tally\n")
    try git(["add", "."], in: dir.path)
    try git(["commit", "-q", "-m", "team"], in: dir.path)
    let original = try dir.read("customers/C-0042.yaml")
    func followUp(_ day: String, _ summary: String) -> String {
      "  - date: 2026-03-\(day)\n    by: S-0012\n    channel: phone\n    summary: \(summary)\n    outcome: callback\n"
    }
    try git(["checkout", "-q", "-b", "feature"], in: dir.path)
    try dir.write(
      "customers/C-0042.yaml",
      original.replacingOccurrences(of: "tier: A", with: "tier: B") + followUp("12", "客户要求发送报价"))
    try git(["commit", "-q", "-am", "tier B, a call"], in: dir.path)
    try git(["checkout", "-q", "main"], in: dir.path)
    try dir.write(
      "customers/C-0042.yaml",
      original.replacingOccurrences(of: "source: referral", with: "source: exhibition") + followUp("10", "约了演示"))
    try git(["commit", "-q", "-am", "source, a call"], in: dir.path)
    try git(["merge", "-q", "--no-edit", "feature"], in: dir.path)
    let merged = try dir.read("customers/C-0042.yaml")
    #expect(merged.contains("tier: B\n") && merged.contains("source: exhibition\n"))
    let tenth = try #require(merged.range(of: "date: 2026-03-10"))
    let twelfth = try #require(merged.range(of: "date: 2026-03-12"))
    #expect(tenth.lowerBound < twelfth.lowerBound)
    let check = try TallyProcess.run(["check"], in: dir.path)
    #expect(check.status == 0, "\(check.stdout)")
  }
}
