import Foundation
import TallyTestSupport
import Testing

@testable import TallyGit

/// Tally's own reader of the index file: its entries are what `git ls-files --stage` lists,
/// in every index version git writes; the paths it finds staged differently from a tree are
/// what `git diff --cached --name-only` lists; indexes it does not read (split, sparse,
/// damaged) are left to libgit2, never misread.
@Suite("The index file read by Tally")
struct IndexFileTests {
  func records() throws -> GitFixture {
    let f = try GitFixture()
    var files: [String: String?] = [
      "customers-old/C-0000.yaml": "name: 旧\n", "staff/S-0001.yaml": "name: 陈建国\n", "README.md": "r\n",
      "客户/说明.yaml": "x: 1\n", "tally.yaml": "version: 1\n",
    ]
    for shard in ["01", "02", "03"] {
      for number in 1...3 { files["customers/\(shard)/C-\(number)\(shard).yaml"] = "name: 客户\(number)\(shard)\n" }
    }
    try f.commit("records", files)
    return f
  }

  func read(_ f: GitFixture) throws -> IndexFile {
    try #require(try IndexFile.read(f.path + "/.git/index"))
  }

  func lines(_ index: IndexFile) -> [String] {
    stagedLines((0..<index.count).map(index.entry))
  }

  @Test func entriesAreWhatGitLsFilesListsInEveryVersion() throws {
    let f = try records()
    try f.write(["customers/04/C-104.yaml": "name: 新\n", "staff/S-0001.yaml": "name: 陈建国\nrole: lead\n"])
    try f.git(["add", "-A"])
    try f.git(["update-index", "--chmod=+x", "README.md"])
    for version in ["2", "3", "4"] {
      try f.git(["update-index", "--index-version", version])
      let index = try read(f)
      // Git writes version 2 when asked for 3 and no entry needs its extended flags.
      #expect(index.version == (version == "3" ? 2 : UInt32(version)!))
      #expect(lines(index) == (try f.stagedEntries()), "version \(version)")
      #expect(lines(index) == stagedLines(try f.repository().indexEntries()), "version \(version)")
    }
  }

  @Test func skipWorktreeEntriesAreSeenAsGitSetsThem() throws {
    let f = try records()
    try f.git(["sparse-checkout", "set", "--no-cone", "staff", "customers/01", "tally.yaml"])
    let index = try read(f)
    let skipped = Set((0..<index.count).filter(index.skipsWorktree).map { index.path($0) })
    let expected = try f.out(["ls-files", "-t"]).split(separator: "\n").filter { $0.hasPrefix("S ") }
      .map { String($0.dropFirst(2)) }
    #expect(skipped == Set(expected))
    #expect(skipped.contains("customers/02/C-102.yaml") && !skipped.contains("staff/S-0001.yaml"))
    #expect(try f.repository().sparsePaths() == skipped)
  }

  @Test func conflictedPathsHaveAnEntryPerStage() throws {
    let f = try records()
    try f.git(["checkout", "-q", "-b", "other"])
    try f.commit("theirs", ["staff/S-0001.yaml": "name: 陈建国\nrole: a\n"])
    try f.git(["checkout", "-q", "main"])
    try f.commit("ours", ["staff/S-0001.yaml": "name: 陈建国\nrole: b\n"])
    try f.git(["merge", "-q", "other"], allowFailure: true)
    let index = try read(f)
    #expect(lines(index) == (try f.stagedEntries()))
    #expect((0..<index.count).filter { index.path($0) == "staff/S-0001.yaml" }.map(index.stage) == [1, 2, 3])
    #expect(index.position(of: "staff/S-0001.yaml") == nil)
    let head = try f.id("HEAD^{tree}")
    let changed = try f.repository().stagedChanges(in: index, comparedWith: head, under: "")
    #expect(changed == ["staff/S-0001.yaml"])
  }

  @Test func stagedChangesAreWhatGitDiffCachedLists() throws {
    let f = try records()
    let head = try f.id("HEAD^{tree}")
    try f.write([
      "customers/01/C-101.yaml": "name: 改\n",  // changed
      "customers/02/C-102.yaml": nil,  // removed
      "customers/04/C-104.yaml": "name: 新\n",  // a new folder
      "customers-old/C-0000.yaml": nil,  // a folder emptied
      "staff/S-0001.yaml": nil, "staff/S-0001.yaml/x.yaml": "x: 1\n",  // a file becomes a folder
      "README.md": "s\n",
    ])
    try f.git(["add", "-A"])
    try f.git(["update-index", "--chmod=+x", "customers/03/C-103.yaml"])  // mode only
    let repository = try f.repository()
    for version in ["2", "4"] {
      try f.git(["update-index", "--index-version", version])
      let index = try read(f)
      for prefix in ["", "customers", "customers/01", "staff", "客户", "nowhere"] {
        let tree = try repository.subtree(head, at: prefix)
        let changed = try repository.stagedChanges(in: index, comparedWith: tree, under: prefix)
        let expected = try f.out(
          ["diff", "--cached", "--name-only", head.hex, "--"] + (prefix.isEmpty ? [] : [prefix]))
        #expect(changed == expected.split(separator: "\n").map(String.init), "prefix '\(prefix)', version \(version)")
      }
    }
    // Against no tree, everything under the prefix is new.
    let index = try read(f)
    #expect(try repository.stagedChanges(in: index, comparedWith: nil, under: "staff") == ["staff/S-0001.yaml/x.yaml"])
  }

  @Test func theCacheTreeIsReadAndSparesTheFoldersItVouchesFor() throws {
    let f = try records()
    var index = try read(f)
    // `git commit` left the cache-tree whole: every folder's tree id is HEAD's.
    #expect(index.cacheTree.first?.id == (try f.id("HEAD^{tree}")))
    let shard = try #require(index.cacheTreeNode(at: Array("customers/02".utf8)))
    #expect(index.cacheTree[shard].id == (try f.id("HEAD:customers/02")))
    #expect(index.cacheTree[shard].entryCount == 3)
    // A staged change invalidates its folder and those above it, not its siblings.
    try f.write(["customers/01/C-101.yaml": "name: 改\n"])
    try f.git(["add", "customers/01/C-101.yaml"])
    index = try read(f)
    #expect(index.cacheTree.first?.entryCount == -1)
    #expect(index.cacheTree[try #require(index.cacheTreeNode(at: Array("customers/01".utf8)))].id == nil)
    #expect(index.cacheTree[try #require(index.cacheTreeNode(at: Array("customers/02".utf8)))].id != nil)
    // The folders it vouches for are not looked into. Shown with an index whose entry in
    // `customers/02` was changed behind the cache-tree's back (which git never writes): the
    // folder's cached id is HEAD's, so the comparison does not see the change — the skip
    // that makes a one-record change cost one folder. Through libgit2, which reads every
    // entry, it shows.
    try f.git(["read-tree", "HEAD"])
    var bytes = try #require(f.gitFile("index"))
    index = try #require(IndexFile.parse(bytes))
    let target = try #require(index.position(of: "customers/02/C-202.yaml"))
    let idOffset = try #require(
      bytes.indices.first { offset in
        offset + 20 <= bytes.count && Array(bytes[offset..<(offset + 20)]) == index.id(target).bytes
      })
    bytes[idOffset] ^= 0xFF
    // With its checksum made again, as libgit2 verifies it.
    let body = f.home.path + "/index-body"
    try Data(bytes.dropLast(20)).write(to: URL(fileURLWithPath: body))
    let sum = try TallyProcess.runProgram("sha1sum", [body], in: f.home.path, environment: [:], stdin: nil).stdout
    let checksum = try #require(ObjectID(hex: String(sum.prefix(40))))
    try Data(bytes.dropLast(20) + checksum.bytes).write(to: URL(fileURLWithPath: f.path + "/.git/index"))
    index = try read(f)
    let head = try f.id("HEAD^{tree}")
    let repository = try f.repository()
    #expect(try repository.stagedChanges(in: index, comparedWith: head, under: "").isEmpty)
    let shardTree = try repository.subtree(head, at: "customers/02")
    #expect(try repository.stagedChanges(in: index, comparedWith: shardTree, under: "customers/02").isEmpty)
    let (_, seen) = try repository.indexEntries(comparedWith: head, under: "")
    #expect(seen == ["customers/02/C-202.yaml"])
  }

  @Test func positionsAndRangesFindEntriesByPath() throws {
    let f = try records()
    let index = try read(f)
    let all = (0..<index.count).map { index.path($0) }
    for (position, path) in all.enumerated() { #expect(index.position(of: path) == position) }
    #expect(index.position(of: "customers/01") == nil)
    #expect(index.position(of: "zzz") == nil)
    for prefix in ["customers/", "customers/02/", "customers-old/", "staff/", "客户/", "nothing/", ""] {
      let range = index.range(under: Array(prefix.utf8))
      #expect(all[range] == all.filter { $0.hasPrefix(prefix) }[...], "prefix '\(prefix)'")
    }
  }

  @Test func indexesItDoesNotReadAreLeftToLibgit2() throws {
    let f = try records()
    try f.git(["update-index", "--split-index"])
    #expect(try IndexFile.read(f.path + "/.git/index") == nil)
    try f.git(["update-index", "--no-split-index"])
    #expect(try IndexFile.read(f.path + "/.git/index") != nil)
    // A sparse index keeps folders as entries.
    try f.git(["sparse-checkout", "set", "--cone", "--sparse-index", "staff"])
    #expect(try IndexFile.read(f.path + "/.git/index") == nil)
    // No index at all is an empty one.
    #expect(try IndexFile.read(f.path + "/.git/no-such-index")?.count == 0)
  }

  @Test func aDamagedIndexIsNeverMisreadOrReadPastItsEnd() throws {
    let f = try records()
    try f.write(["customers/04/C-104.yaml": "name: 新\n"])
    try f.git(["add", "-A"])
    let bytes = try #require(f.gitFile("index"))
    let whole = try #require(IndexFile.parse(bytes))
    let expected = lines(whole)
    // Cut short anywhere: refused — or, cut right where 20 bytes of the extensions pass for
    // the checksum, read without them (the entries are whole: their number is in the header).
    for length in 0..<(bytes.count - 20) {
      if let cut = IndexFile.parse(Array(bytes.prefix(length))) {
        #expect(lines(cut) == expected, "cut at \(length)")
        #expect(cut.cacheTree.isEmpty)
      }
    }
    // Any byte changed: refused, or read without crashing into entries of the same number.
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<2000 {
      var damaged = bytes
      let position = Int.random(in: 0..<bytes.count, using: &generator)
      damaged[position] ^= UInt8.random(in: 1...255, using: &generator)
      if let index = IndexFile.parse(damaged) {
        #expect(index.count == whole.count)
        _ = lines(index)
      }
    }
    #expect(lines(try #require(IndexFile.parse(bytes))) == expected)
  }
}
