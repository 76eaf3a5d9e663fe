import Foundation
import TallyTestSupport
import Testing

@testable import TallyGit

/// Opening repositories, reading objects, commits and configuration: each answer of the
/// wrapper compared with what the real `git` says about the same repository.
@Suite("Repository")
struct RepositoryTests {
  // MARK: Opening

  @Test func discoverFindsTheRepositoryFromASubdirectoryAndOpenDoesNot() throws {
    let f = try GitFixture()
    try f.commit("team", ["staff/S-0001.yaml": "name: 陈建国\n"])
    let found = try Repository.discover(from: f.path + "/staff")
    #expect(found.workingDirectory == f.path)
    #expect(found.gitDirectory == f.path + "/.git")
    #expect(!found.isBare)
    #expect(found.relativePath(f.path + "/staff/S-0001.yaml") == "staff/S-0001.yaml")
    #expect(found.relativePath(f.path) == "")
    // A sibling whose name starts with the working directory's is outside it.
    #expect(found.relativePath(f.path + "-other/x") == nil)

    #expect(throws: GitError.self) { try Repository.open(at: f.path + "/staff") }
    let outside = try TemporaryDirectory()
    let error = try #require(throws: GitError.self) { try Repository.discover(from: outside.path) }
    #expect(error.code == .notFound)
  }

  @Test func createMakesWhatGitInitMakes() throws {
    let dir = try TemporaryDirectory()
    let made = try Repository.create(at: dir.path + "/new/records", initialBranch: "trunk")
    #expect(made.workingDirectory == dir.path + "/new/records")
    #expect(try made.headState().reference == "refs/heads/trunk")
    #expect(try made.headState().commit == nil)
    let head = try TallyProcess.runProgram("git", ["symbolic-ref", "HEAD"], in: dir.path + "/new/records")
    #expect(head.stdout == "refs/heads/trunk\n")

    let bare = try Repository.create(at: dir.path + "/server.git", bare: true)
    #expect(bare.isBare)
    #expect(bare.workingDirectory == nil)
    #expect(bare.relativePath(dir.path + "/server.git/x") == nil)
    let isBare = try TallyProcess.runProgram(
      "git", ["rev-parse", "--is-bare-repository"], in: dir.path + "/server.git")
    #expect(isBare.stdout == "true\n")
    let error = try #require(throws: GitError.self) { try bare.beginIndexTransaction() }
    #expect(error.code == .bareRepository)
  }

  // MARK: Objects

  @Test func objectsReadAsGitReadsThem() throws {
    let f = try GitFixture()
    try f.commit(
      "records",
      [
        "customers/C-0001.yaml": "name: 上海华信\nstatus: lead\n",
        "customers/C-0002.yaml": "name: 南京远达\n",
        "staff/S-0001.yaml": "name: 陈建国\n",
        "README.md": "records\n",
        "客户/说明.txt": "中文路径\n",
        "empty.txt": "",
      ])
    let repository = try f.repository()
    let head = try repository.commit("HEAD")
    #expect(head == (try f.id("HEAD")))
    let tree = try repository.tree(ofCommit: head)
    #expect(tree == (try f.id("HEAD^{tree}")))

    #expect(try repository.blobID(in: tree, at: "customers/C-0001.yaml") == (try f.id("HEAD:customers/C-0001.yaml")))
    #expect(try repository.blobID(in: tree, at: "客户/说明.txt") == (try f.id("HEAD:客户/说明.txt")))
    #expect(try repository.blobID(in: tree, at: "customers") == nil, "a directory is not a blob")
    #expect(try repository.blobID(in: tree, at: "customers/C-9999.yaml") == nil)
    #expect(try repository.subtree(tree, at: "customers") == (try f.id("HEAD:customers")))
    #expect(try repository.subtree(tree, at: "README.md") == nil, "a file is not a tree")
    #expect(try repository.subtree(tree, at: "") == tree)

    let blob = try #require(try repository.blobID(in: tree, at: "customers/C-0001.yaml"))
    #expect(try repository.blob(blob) == Array("name: 上海华信\nstatus: lead\n".utf8))
    #expect(try repository.blob(f.id("HEAD:empty.txt")) == [])
    #expect(Repository.blobID(of: Array("name: 南京远达\n".utf8)) == (try f.id("HEAD:customers/C-0002.yaml")))

    let listed = try repository.entries(ofTree: tree).map { "\($0.isTree ? "tree" : "blob") \($0.id.hex)\t\($0.name)" }
    let lsTree = try f.out(["ls-tree", "HEAD"]).split(separator: "\n").map { line in
      String(line.drop { $0 != " " }.dropFirst())
    }
    #expect(listed == lsTree)
  }

  @Test func filesInATreeAreListedInGitsOrderWithTheirModes() throws {
    let f = try GitFixture()
    // Names that sort differently as bytes and as trees: "a" is a tree, so it sorts as "a/",
    // after "a-b" and "a.b" and before "a0".
    try f.write([
      "a/x.yaml": "x\n", "a-b": "1\n", "a.b": "2\n", "a0": "3\n", "b/c/d.txt": "d\n", "执行.sh": "#!/bin/sh\n",
    ])
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: f.path + "/执行.sh")
    try FileManager.default.createSymbolicLink(atPath: f.path + "/link", withDestinationPath: "a/x.yaml")
    let head = try f.commit("tree")
    let repository = try f.repository()
    let files = try repository.files(inTree: repository.tree(ofCommit: head))
    let expected = try f.out(["ls-tree", "-r", "HEAD"]).split(separator: "\n").map(String.init)
    #expect(files.map { "\(String($0.mode, radix: 8)) blob \($0.id.hex)\t\($0.path)" } == expected)
    #expect(files.map(\.path) == ["a-b", "a.b", "a/x.yaml", "a0", "b/c/d.txt", "link", "执行.sh"])
    #expect(files.first { $0.path == "执行.sh" }?.isExecutable == true)
    #expect(files.first { $0.path == "link" }?.isSymlink == true)
    #expect(files.first { $0.path == "a0" }.map { $0.isExecutable || $0.isSymlink } == false)
  }

  @Test func writeBlobStoresWhatGitReadsBack() throws {
    let f = try GitFixture()
    let repository = try f.repository()
    let bytes = Array("name: 上海华信\nnotes: |\n  第一行\n".utf8) + [0, 0xFF]
    let id = try repository.writeBlob(bytes)
    #expect(id == Repository.blobID(of: bytes))
    #expect(try f.out(["cat-file", "-t", id.hex]) == "blob")
    #expect(try f.git(["cat-file", "blob", id.hex]).stdoutBytes == bytes)
    #expect(try f.out(["cat-file", "-s", id.hex]) == String(bytes.count))
  }

  @Test func unknownRevisionsAndObjectsAreTypedErrors() throws {
    let f = try GitFixture()
    let first = try f.commit("one", ["a.txt": "a\n"])
    let repository = try f.repository()
    #expect(try #require(throws: GitError.self) { try repository.commit("no-such-branch") }.code == .notFound)
    let missing = try #require(ObjectID(hex: String(repeating: "ab", count: 20)))
    #expect(try #require(throws: GitError.self) { try repository.commitInfo(missing) }.code == .notFound)
    #expect(try #require(throws: GitError.self) { try repository.blob(missing) }.code == .notFound)
    // A tree is not a commit.
    #expect(throws: GitError.self) { try repository.commitInfo(repository.tree(ofCommit: first)) }
  }

  // MARK: Ids

  @Test func objectIDsRoundTripThroughHexAndBytes() throws {
    let hex = "0123456789abcdef00ff10e0d0c0b0a090807060"
    let id = try #require(ObjectID(hex: hex))
    #expect(id.hex == hex)
    #expect(ObjectID(hex: hex.uppercased()) == id)
    #expect(ObjectID(bytes: id.bytes) == id)
    #expect(id.bytes.count == 20)
    #expect(id.bytes.first == 0x01 && id.bytes.last == 0x60)
    #expect(id.short() == "0123456")
    #expect(ObjectID(hex: String(hex.dropLast())) == nil)
    #expect(ObjectID(hex: String(hex.dropLast()) + "g") == nil)
    // Ordered as their bytes are.
    let ids = ["ff", "00", "0f", "f0"].map { ObjectID(hex: $0 + String(repeating: "0", count: 38))! }
    #expect(ids.sorted().map { $0.short(2) } == ["00", "0f", "f0", "ff"])
    #expect(ObjectID(hex: String(repeating: "0", count: 39) + "1")! > ObjectID(hex: String(repeating: "0", count: 40))!)
  }

  @Test func storedHexKeysAreComparedWithIdBytesInPlace() throws {
    let id = try #require(ObjectID(hex: "0123456789abcdef00ff10e0d0c0b0a090807060"))
    let raw = id.bytes
    func spells(_ text: String) -> Bool {
      Array(text.utf8).withUnsafeBufferPointer { hex in
        raw.withUnsafeBytes { ObjectID.hex(hex, spells: $0.baseAddress!) }
      }
    }
    #expect(spells(id.hex))
    #expect(!spells(id.hex.uppercased()))  // stored keys are git's lowercase form
    #expect(!spells(String(id.hex.dropLast()) + "1"))
    #expect(!spells(String(id.hex.dropLast())))
    #expect(!spells(""))
  }

  // MARK: Commits

  @Test func commitInfoReadsAuthorCommitterParentsAndMessage() throws {
    let f = try GitFixture()
    let first = try f.commit("team", ["a.txt": "a\n"])
    try f.write(["a.txt": "b\n"])
    try f.git(["add", "-A"])
    try f.git(
      ["commit", "-q", "-m", "状态: 线索 → 意向\n\n正文第二段\n"],
      environment: [
        "GIT_AUTHOR_NAME": "李强", "GIT_AUTHOR_EMAIL": "li@example.cn", "GIT_AUTHOR_DATE": "1772420400 -0530",
        "GIT_COMMITTER_DATE": "1772424000 +0800",
      ])
    let repository = try f.repository()
    let info = try repository.commitInfo(try repository.commit("HEAD"))
    #expect(info.id == (try f.id("HEAD")))
    #expect(info.tree == (try f.id("HEAD^{tree}")))
    #expect(info.parents == [first])
    #expect(info.author == Signature(name: "李强", email: "li@example.cn", time: 1_772_420_400, offsetMinutes: -330))
    #expect(info.committer == Signature(name: "王芳", email: "wang@example.cn", time: 1_772_424_000, offsetMinutes: 480))
    let raw = try f.git(["cat-file", "commit", "HEAD"]).stdout
    let body = try #require(raw.range(of: "\n\n"))
    #expect(info.message == String(raw[body.upperBound...]))
    #expect(info.message == "状态: 线索 → 意向\n\n正文第二段\n")
    #expect(info.summary == "状态: 线索 → 意向")
    #expect(try repository.commitInfo(first).parents.isEmpty)
  }

  @Test func headStateOnABranchDetachedAndUnborn() throws {
    let f = try GitFixture()
    let repository = try f.repository()
    let unborn = try repository.headState()
    #expect(unborn.reference == "refs/heads/main")
    #expect(unborn.commit == nil)
    #expect(unborn.branch == "main")

    let first = try f.commit("one", ["a.txt": "a\n"])
    let second = try f.commit("two", ["a.txt": "b\n"])
    #expect(try repository.headState().commit == second)
    try f.git(["checkout", "-q", "--detach", first.hex])
    let detached = try repository.headState()
    #expect(detached.reference == "HEAD")
    #expect(detached.commit == first)
    #expect(detached.branch == nil)
  }

  // MARK: Revision walks

  /// main: m1 — m2 ——— M (merge of side) — m4
  ///                \— s1 — s2 —/
  func mergedHistory() throws -> (GitFixture, [String: ObjectID]) {
    let f = try GitFixture()
    var ids: [String: ObjectID] = [:]
    ids["m1"] = try f.commit("m1", ["main.txt": "1\n"])
    ids["m2"] = try f.commit("m2", ["main.txt": "2\n"])
    try f.git(["checkout", "-q", "-b", "side"])
    ids["s1"] = try f.commit("s1", ["side.txt": "1\n"])
    ids["s2"] = try f.commit("s2", ["side.txt": "2\n"])
    try f.git(["checkout", "-q", "main"])
    ids["m3"] = try f.commit("m3", ["main.txt": "3\n"])
    let date = f.nextDate()
    try f.git(
      ["merge", "-q", "--no-ff", "-m", "merge side", "side"],
      environment: ["GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date])
    ids["M"] = try f.id("HEAD")
    ids["m4"] = try f.commit("m4", ["main.txt": "4\n"])
    return (f, ids)
  }

  func revList(_ f: GitFixture, _ arguments: [String]) throws -> [ObjectID] {
    try f.out(["rev-list", "--reverse"] + arguments).split(separator: "\n").map {
      try #require(ObjectID(hex: String($0)))
    }
  }

  @Test func firstParentWalksAreTheBranchesOwnTimeline() throws {
    let (f, ids) = try mergedHistory()
    let repository = try f.repository()
    let walked = try repository.commits(inRange: "HEAD", firstParent: true)
    #expect(walked == (try revList(f, ["--first-parent", "HEAD"])))
    #expect(walked == ["m1", "m2", "m3", "M", "m4"].map { ids[$0]! })
    #expect(try repository.commits(inRange: "side", firstParent: true) == ["m1", "m2", "s1", "s2"].map { ids[$0]! })
  }

  @Test func fullWalksHoldEveryCommitAfterItsParents() throws {
    let (f, ids) = try mergedHistory()
    let repository = try f.repository()
    let walked = try repository.commits(inRange: "HEAD")
    #expect(Set(walked) == Set(try revList(f, ["HEAD"])))
    #expect(walked.count == 7)
    for (position, id) in walked.enumerated() {
      for parent in try repository.commitInfo(id).parents {
        let before = try #require(walked.firstIndex(of: parent))
        #expect(before < position, "\(id.short()) comes before its parent \(parent.short())")
      }
    }
    // A range: what the merge brought in, and a range by ids.
    #expect(Set(try repository.commits(inRange: "m3..M".replacingIds(ids))) == [ids["s1"]!, ids["s2"]!, ids["M"]!])
    #expect(try repository.commits(inRange: "\(ids["M"]!.hex)..HEAD") == [ids["m4"]!])
    #expect(try repository.commits(inRange: "HEAD..HEAD").isEmpty)
    let error = try #require(throws: GitError.self) { try repository.commits(inRange: "nothing..HEAD") }
    #expect(error.code == .notFound)
  }

  // MARK: Configuration

  @Test func configurationIsReadAndWrittenAsGitDoes() throws {
    let f = try GitFixture()
    let repository = try f.repository()
    #expect(try repository.configString("tally.never-set-anywhere") == nil)
    #expect(try repository.configBool("tally.never-set-anywhere") == nil)

    try repository.setConfig("diff.tally.textconv", to: "tally diff --git-textconv")
    #expect(try f.out(["config", "--local", "diff.tally.textconv"]) == "tally diff --git-textconv")
    #expect(try repository.configString("diff.tally.textconv") == "tally diff --git-textconv")
    // The local file wins over the global one (the machine's may set user.name).
    try repository.setConfig("user.name", to: "赵敏")
    #expect(try repository.configString("user.name") == "赵敏")

    for (text, value) in [("yes", true), ("on", true), ("1", true), ("false", false), ("off", false)] {
      try f.git(["config", "--local", "tally.flag", text])
      #expect(try repository.configBool("tally.flag") == value, "\(text)")
    }
    try f.git(["config", "--local", "tally.flag", "maybe"])
    #expect(throws: GitError.self) { try repository.configBool("tally.flag") }

    try repository.unsetConfig("diff.tally.textconv")
    #expect(try f.git(["config", "--local", "diff.tally.textconv"], allowFailure: true).status == 1)
    #expect(try repository.configString("diff.tally.textconv") == nil)
    // Unsetting what is not set is not an error.
    try repository.unsetConfig("diff.tally.textconv")
    #expect(try f.git(["config", "--local", "user.name"]).stdout == "赵敏\n")
  }

  @Test func hooksDirectoryFollowsCoreHooksPath() throws {
    let f = try GitFixture()
    let repository = try f.repository()
    #expect(try repository.hooksDirectory() == f.path + "/.git/hooks")
    try f.git(["config", "core.hooksPath", ".githooks/"])
    #expect(try repository.hooksDirectory() == f.path + "/.githooks")
    try f.git(["config", "core.hooksPath", "/srv/hooks"])
    #expect(try repository.hooksDirectory() == "/srv/hooks")
  }

  // MARK: Attributes

  @Test func attributesAreReadAsGitCheckAttrReadsThem() throws {
    let f = try GitFixture()
    try f.commit("attributes", [".gitattributes": "customers/*.yaml diff=tally merge=tally\n*.pdf -merge\n"])
    try f.dir.write("records/.gitattributes", "staff/S-*.yaml merge\n")
    let repository = try Repository.open(at: f.path)
    let paths = ["customers/C-0001.yaml", "customers/old/C-0001.yaml", "a.pdf", "records/staff/S-0001.yaml"]
    let expected: [AttributeValue] = [.value("tally"), .unspecified, .unset, .set]
    #expect(try repository.attributes("merge", of: paths) == expected)
    // The same answers from git.
    let answers = try f.out(["check-attr", "merge", "--"] + paths).split(separator: "\n")
    #expect(
      answers == [
        "customers/C-0001.yaml: merge: tally", "customers/old/C-0001.yaml: merge: unspecified", "a.pdf: merge: unset",
        "records/staff/S-0001.yaml: merge: set",
      ])
    // The files as they are now, not as they are staged or committed: git check-attr reads
    // the working tree's (libgit2 alone would read the index's too).
    try f.dir.write(".gitattributes", "customers/*.yaml diff=tally\n")
    try f.dir.write("records/.gitattributes", "staff/S-*.yaml merge=tally\n")
    #expect(
      try repository.attributes("merge", of: ["customers/C-0001.yaml", "records/staff/S-0001.yaml"]) == [
        .unspecified, .value("tally"),
      ])
    #expect(
      try f.out(["check-attr", "merge", "--", "customers/C-0001.yaml"]) == "customers/C-0001.yaml: merge: unspecified")
  }

  // MARK: Signatures

  @Test func datesAreParsedAsGitReadsThem() {
    // 2026-05-04 10:00:00 +08:00 is 1777860000.
    let expected: (Int64, Int) = (1_777_860_000, 480)
    for text in [
      "@1777860000 +0800", "1777860000 +0800", "2026-05-04T10:00:00+08:00", "2026-05-04 10:00:00 +0800",
      "2026-05-04T02:00:00Z", " 2026-05-04T10:00:00+08:00 ",
    ] {
      let parsed = Signature.parseDate(text)
      if text.hasSuffix("Z") {
        #expect(parsed?.time == expected.0 && parsed?.offsetMinutes == 0, "\(text)")
      } else {
        #expect(parsed?.time == expected.0 && parsed?.offsetMinutes == expected.1, "\(text)")
      }
    }
    #expect(Signature.parseDate("1777860000 -0530")?.offsetMinutes == -330)
    #expect(Signature.parseDate("2026-05-04T10:00:00")?.time == 1_777_888_800)
    for bad in ["", "yesterday", "2026-13-01T00:00:00Z", "2026-05-04T10:00:00+2500", "1777860000 +08", "2026-05-04"] {
      #expect(Signature.parseDate(bad) == nil, "\(bad)")
    }
    // The epoch, and a leap day.
    #expect(Signature.parseDate("1970-01-01T00:00:00Z")?.time == 0)
    #expect(Signature.parseDate("2024-02-29T00:00:00Z")?.time == 1_709_164_800)
  }

  @Test func errorsSayWhatToDo() {
    let locked = GitError(code: .locked, message: "failed to lock", function: "git_index_write")
    #expect(locked.description.contains("locked by another git process (failed to lock)"))
    let ownLock = GitError(code: .locked, message: "'x' is held by tally", function: "lock")
    #expect(ownLock.description == "'x' is held by tally")
    let owner = GitError(code: .owner, message: "repository path is not owned by current user", function: "open")
    #expect(owner.description.contains("safe.directory"))
    #expect(GitError(code: .other(-1), message: "", function: "git_x").description == "git_x failed")
    #expect(GitError.Code(-3) == .notFound && GitError.Code(-14) == .locked && GitError.Code(-15) == .modified)
    #expect(GitError.Code(-99) == .other(-99))
  }
}

extension String {
  /// `m3..M` with the names replaced by the ids in `ids`.
  fileprivate func replacingIds(_ ids: [String: ObjectID]) -> String {
    split(separator: ".", omittingEmptySubsequences: true).map { ids[String($0)]!.hex }.joined(separator: "..")
  }
}
