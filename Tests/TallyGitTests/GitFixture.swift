import Foundation
import TallyTestSupport
import Testing

@testable import TallyGit

/// A git repository written by a test with the real `git`: a script of commits with fixed
/// authors and dates, no global or system configuration. The library under test opens it;
/// its results are checked with `git` again.
///
///     let f = try GitFixture()
///     let first = try f.commit("team", ["staff/S-0001.yaml": "name: 陈建国\n"])
///     try f.commit("gone", ["staff/S-0001.yaml": nil])   // delete
final class GitFixture {
  let dir: TemporaryDirectory
  let home: TemporaryDirectory
  /// The working directory (or, for a bare repository, the repository itself).
  var path: String { dir.path }
  /// Commits are made a minute apart, from 2026-03-02 10:00 +08:00.
  private var clock: Int64 = 1_772_416_800

  init(bare: Bool = false) throws {
    dir = try TemporaryDirectory(prefix: "tally-git")
    home = try TemporaryDirectory(prefix: "tally-git-home")
    try git(["init", "-q", "-b", "main"] + (bare ? ["--bare"] : []))
  }

  var environment: [String: String] {
    [
      "HOME": home.path, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null",
      "GIT_AUTHOR_NAME": "王芳", "GIT_AUTHOR_EMAIL": "wang@example.cn", "GIT_COMMITTER_NAME": "王芳",
      "GIT_COMMITTER_EMAIL": "wang@example.cn",
      // Paths with Chinese names printed as they are, not quoted with octal escapes.
      "GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "core.quotePath", "GIT_CONFIG_VALUE_0": "false",
    ]
  }

  /// Runs git in the repository; a failure is recorded unless `allowFailure`.
  @discardableResult
  func git(
    _ arguments: [String], environment extra: [String: String] = [:], stdin: String? = nil,
    allowFailure: Bool = false, sourceLocation: SourceLocation = #_sourceLocation
  ) throws -> ProcessResult {
    let result = try TallyProcess.runProgram(
      "git", arguments, in: path, environment: environment.merging(extra) { $1 }, stdin: stdin)
    if result.status != 0 && !allowFailure {
      Issue.record(
        "git \(arguments.joined(separator: " ")) failed: \(result.stderr)", sourceLocation: sourceLocation)
    }
    return result
  }

  /// git's output with the final line break removed.
  func out(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
    var text = try git(arguments, sourceLocation: sourceLocation).stdout
    if text.hasSuffix("\n") { text.removeLast() }
    return text
  }

  /// The object `revision` names, as git reads it.
  func id(_ revision: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> ObjectID {
    let hex = try out(["rev-parse", "--verify", "-q", revision], sourceLocation: sourceLocation)
    return try #require(ObjectID(hex: hex), "git rev-parse \(revision): '\(hex)'", sourceLocation: sourceLocation)
  }

  /// The date of the next commit, in a form git takes for `GIT_*_DATE`.
  func nextDate() -> String {
    clock += 60
    return "\(clock) +0800"
  }

  /// Writes (or, for nil, deletes) `files`, stages everything and commits with `git`.
  @discardableResult
  func commit(
    _ message: String, _ files: [String: String?] = [:], sourceLocation: SourceLocation = #_sourceLocation
  ) throws -> ObjectID {
    try write(files)
    try git(["add", "-A"], sourceLocation: sourceLocation)
    let date = nextDate()
    try git(
      ["commit", "-q", "--allow-empty", "--no-verify", "-m", message],
      environment: ["GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date], sourceLocation: sourceLocation)
    return try id("HEAD", sourceLocation: sourceLocation)
  }

  /// Writes (or, for nil, deletes) files of the working tree.
  func write(_ files: [String: String?]) throws {
    for (relative, content) in files.sorted(by: { $0.key < $1.key }) {
      if let content {
        try dir.write(relative, content)
      } else {
        try? FileManager.default.removeItem(atPath: path + "/" + relative)
        // Directories left empty go too, as git leaves none (a file may take their name).
        var parent = Self.parent(of: relative)
        while let directory = parent, rmdir(path + "/" + directory) == 0 { parent = Self.parent(of: directory) }
      }
    }
  }

  /// `a/b` for `a/b/c`; nil for a name at the top.
  static func parent(of relative: String) -> String? {
    relative.lastIndex(of: "/").map { String(relative[..<$0]) }
  }

  func repository() throws -> Repository { try Repository.open(at: path) }

  /// The bytes of a file in the git directory, or nil when it does not exist.
  func gitFile(_ name: String) -> [UInt8]? {
    FileManager.default.contents(atPath: path + "/.git/" + name).map { [UInt8]($0) }
  }

  func exists(_ relative: String) -> Bool { FileManager.default.fileExists(atPath: path + "/" + relative) }

  /// What a commit or an index write may change: the index file's bytes, `HEAD` and every
  /// reference, and the working tree's status as git sees it.
  struct State: Equatable, CustomStringConvertible {
    var index: [UInt8]?
    var head: String
    var refs: String
    var status: String

    var description: String {
      "index \(index.map { "\($0.count) bytes" } ?? "none"), HEAD \(head), refs [\(refs)], status [\(status)]"
    }
  }

  func state() throws -> State {
    State(
      index: gitFile("index"), head: String(decoding: gitFile("HEAD") ?? [], as: UTF8.self),
      refs: try out(["for-each-ref", "--format=%(refname) %(objectname)"]),
      // Without optional locks, git status does not refresh (rewrite) the index it reads.
      status: try out(["--no-optional-locks", "status", "--porcelain=v1", "--untracked-files=all"]))
  }

  /// `git fsck --strict` finds nothing wrong (dangling objects are not wrong).
  func expectSound(sourceLocation: SourceLocation = #_sourceLocation) throws {
    let fsck = try git(["fsck", "--strict", "--no-dangling"], allowFailure: true)
    #expect(fsck.status == 0, "git fsck: \(fsck.stdout)\(fsck.stderr)", sourceLocation: sourceLocation)
  }

  /// `git ls-files --stage`: "mode id stage\tpath" lines.
  func stagedEntries() throws -> [String] {
    try out(["ls-files", "--stage"]).split(separator: "\n").map(String.init)
  }

  /// The id `git hash-object` gives `text` (written to the object database with `write`).
  func blobID(_ text: String, write: Bool = false) throws -> ObjectID {
    let hex = try git(["hash-object", "--stdin"] + (write ? ["-w"] : []), stdin: text).stdout
    return try #require(ObjectID(hex: hex.trimmingCharacters(in: .whitespacesAndNewlines)))
  }
}

/// The index lines `git ls-files --stage` prints for entries read by the library.
func stagedLines(_ entries: [IndexEntry]) -> [String] {
  entries.map { "\(String($0.mode, radix: 8)) \($0.id.hex) \($0.stage)\t\($0.path)" }
}
