import Foundation
import TallyTestSupport
import Testing

/// example-repo copied into a temporary folder and committed once, with a fixed author (何杰)
/// and day: tests commit in it and run tally and git there.
struct ExampleRepository {
  let dir: TemporaryDirectory
  var root: String { dir.path + "/r" }

  /// When the commits are dated (`GIT_AUTHOR_DATE` and `GIT_COMMITTER_DATE`); nil: now.
  let date: String?

  init(prefix: String, date: String? = nil) throws {
    self.date = date
    dir = try TemporaryDirectory(prefix: prefix)
    try FileManager.default.copyItem(atPath: Golden.directory() + "/../../example-repo", toPath: root)
    try git(["init", "-q", "-b", "main"])
    try git(["add", "-A"])
    try git(["commit", "-q", "-m", "records"])
  }

  var environment: [String: String] {
    [
      "HOME": dir.path, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_AUTHOR_NAME": "何杰",
      "GIT_AUTHOR_EMAIL": "hejie@huadong.example", "GIT_COMMITTER_NAME": "何杰",
      "GIT_COMMITTER_EMAIL": "hejie@huadong.example", "TALLY_TODAY": "2026-11-01",
    ].merging(date.map { ["GIT_AUTHOR_DATE": $0, "GIT_COMMITTER_DATE": $0] } ?? [:]) { $1 }
  }

  /// Runs git; a failure is a test failure.
  @discardableResult
  func git(_ arguments: [String]) throws -> ProcessResult {
    let result = try TallyProcess.runProgram("git", arguments, in: root, environment: environment)
    #expect(result.status == 0, "git \(arguments): \(result.stderr)")
    return result
  }

  func tally(_ arguments: [String]) throws -> ProcessResult {
    try TallyProcess.run(arguments, in: root, environment: environment)
  }
}
