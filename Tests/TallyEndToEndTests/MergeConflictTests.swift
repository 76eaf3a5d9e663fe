import Foundation
import TallyTestSupport
import Testing

/// A records repository in which `git merge` left a conflict in customers/C-0042.yaml:
/// `main` changed the tier to B and `feature/vip` to C.
func makeConflictedRepository(style: String) throws -> TemporaryDirectory {
  let dir = try makeTeamRepository()
  try git(["init", "-q", "-b", "main"], in: dir.path)
  try git(["config", "merge.conflictStyle", style], in: dir.path)
  try git(["add", "."], in: dir.path)
  try git(["commit", "-q", "-m", "team"], in: dir.path)
  let original = try dir.read("customers/C-0042.yaml")
  try git(["checkout", "-q", "-b", "feature/vip"], in: dir.path)
  try dir.write("customers/C-0042.yaml", original.replacingOccurrences(of: "tier: A", with: "tier: C"))
  try git(["commit", "-q", "-am", "tier C"], in: dir.path)
  try git(["checkout", "-q", "main"], in: dir.path)
  try dir.write("customers/C-0042.yaml", original.replacingOccurrences(of: "tier: A", with: "tier: B"))
  try git(["commit", "-q", "-am", "tier B"], in: dir.path)
  let merge = try TallyProcess.runProgram("git", ["merge", "-q", "feature/vip"], in: dir.path)
  #expect(merge.status != 0, "the merge should stop at a conflict")
  return dir
}

@Suite("Merge conflicts (end to end)")
struct MergeConflictCheckTests {
  @Test func checkReportsOneErrorPerConflictWithItsField() throws {
    let dir = try makeConflictedRepository(style: "merge")
    #expect(
      try dir.read("customers/C-0042.yaml").contains("<<<<<<< HEAD\ntier: B\n=======\ntier: C\n>>>>>>> feature/vip\n"))
    let result = try TallyProcess.run(["check"], in: dir.path)
    #expect(result.status == 1)
    #expect(
      result.stdout.hasPrefix(
        """
        customers/C-0042.yaml:3:1: error[merge-conflict]: unresolved merge conflict in 'tier'
          3 | <<<<<<< HEAD
            | ^^^^^^^^^^^^ lines 3-7: keep 'HEAD' (line 4) or 'feature/vip' (line 6), or combine them; then delete the marker lines

        """), "\(result.stdout)")
    // Nothing else about the file: no errors from the marker lines.
    #expect(result.stdout.components(separatedBy: "customers/C-0042.yaml:").count == 2, "\(result.stdout)")
  }

  @Test func jsonNamesTheCodeAndTheField() throws {
    let dir = try makeConflictedRepository(style: "diff3")
    let result = try TallyProcess.run(["check", "--format", "json"], in: dir.path)
    #expect(result.status == 1)
    let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    let diagnostics = try #require(json["diagnostics"] as? [[String: Any]])
    let conflicts = diagnostics.filter { $0["file"] as? String == "customers/C-0042.yaml" }
    #expect(conflicts.count == 1, "\(result.stdout)")
    let conflict = try #require(conflicts.first)
    #expect(conflict["code"] as? String == "merge-conflict")
    #expect(conflict["field"] as? String == "tier")
    #expect(conflict["line"] as? Int == 3)
    #expect(conflict["column"] as? Int == 1)
    let hint = try #require(conflict["hint"] as? String)
    #expect(
      hint
        == "lines 3-9: keep 'HEAD' (line 4) or 'feature/vip' (line 8), or combine them; then delete the marker lines, and the common ancestor's lines (line 6)"
    )
  }
}
