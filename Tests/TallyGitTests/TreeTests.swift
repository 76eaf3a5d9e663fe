import Foundation
import TallyTestSupport
import Testing

@testable import TallyGit

/// Trees made by ``Repository/tree(_:applying:)`` and compared by
/// ``Repository/changedFiles(from:to:only:)``, checked against the trees and diffs `git`
/// itself makes.
@Suite("Trees")
struct TreeTests {
  /// The tree git writes for `base` with `changes`: `read-tree`, `update-index`, `write-tree`
  /// in an index of its own.
  func gitTree(_ f: GitFixture, _ base: ObjectID?, _ changes: [StagedChange]) throws -> ObjectID {
    let index = f.home.path + "/oracle-index-\(UUID().uuidString)"
    let environment = ["GIT_INDEX_FILE": index]
    if let base {
      try f.git(["read-tree", base.hex], environment: environment)
    } else {
      try f.git(["read-tree", "--empty"], environment: environment)
    }
    for change in changes {
      switch change {
      case .write(let path, let bytes, let executable):
        let blob = try f.blobID(String(decoding: bytes, as: UTF8.self), write: true)
        let mode = executable ? "100755" : "100644"
        try f.git(["update-index", "--add", "--cacheinfo", "\(mode),\(blob.hex),\(path)"], environment: environment)
      case .link(let path, let target):
        let blob = try f.blobID(String(decoding: target, as: UTF8.self), write: true)
        try f.git(["update-index", "--add", "--cacheinfo", "120000,\(blob.hex),\(path)"], environment: environment)
      case .remove(let path):
        try f.git(["update-index", "--force-remove", path], environment: environment)
      }
    }
    let hex = try f.git(["write-tree"], environment: environment).stdout
    return try #require(ObjectID(hex: hex.trimmingCharacters(in: .whitespacesAndNewlines)))
  }

  @Test func aTreeWithChangesAppliedIsTheTreeGitWrites() throws {
    let f = try GitFixture()
    let head = try f.commit(
      "records",
      [
        "customers/C-0001.yaml": "name: 上海华信\n", "customers/C-0002.yaml": "name: 南京远达\n",
        "staff/S-0001.yaml": "name: 陈建国\n", "archive/old/C-0000.yaml": "name: 旧\n", "README.md": "r\n",
      ])
    let repository = try f.repository()
    let base = try repository.tree(ofCommit: head)
    let cases: [[StagedChange]] = [
      [],
      [.write(path: "customers/C-0001.yaml", bytes: Array("name: 上海华信\nstatus: active\n".utf8), executable: false)],
      [.write(path: "customers/C-0003.yaml", bytes: Array("name: 新\n".utf8), executable: false)],
      [.remove(path: "customers/C-0002.yaml")],
      // The last file of a directory: the directory goes too.
      [.remove(path: "archive/old/C-0000.yaml")],
      // New nested directories, an executable, a link, a Chinese name, several at once.
      [
        .write(path: "plans/2026/P-2026Q1-01.yaml", bytes: Array("title: 一季度\n".utf8), executable: false),
        .write(path: "scripts/check.sh", bytes: Array("#!/bin/sh\n".utf8), executable: true),
        .link(path: "latest", target: Array("customers/C-0001.yaml".utf8)),
        .write(path: "会议/纪要.yaml", bytes: Array("date: 2026-03-02\n".utf8), executable: false),
        .remove(path: "README.md"),
      ],
    ]
    for changes in cases {
      let made = try repository.tree(base, applying: changes)
      #expect(made == (try gitTree(f, base, changes)), "\(changes.map(\.path))")
    }
    #expect(try repository.tree(base, applying: []) == base)
    // Removing what is not there is an error (libgit2's), not a tree.
    #expect(throws: GitError.self) { try repository.tree(base, applying: [.remove(path: "customers/C-9999.yaml")]) }
    let removed = try repository.tree(base, applying: [.remove(path: "archive/old/C-0000.yaml")])
    #expect(try repository.subtree(removed, at: "archive") == nil)

    // From nothing: the empty tree, and a tree of only the changes.
    #expect(try repository.tree(nil, applying: []) == ObjectID.emptyTree)
    #expect(try f.out(["hash-object", "-t", "tree", "/dev/null"]) == ObjectID.emptyTree.hex)
    let fresh: [StagedChange] = [.write(path: "staff/S-0001.yaml", bytes: Array("name: 陈建国\n".utf8), executable: false)]
    #expect(try repository.tree(nil, applying: fresh) == (try gitTree(f, nil, fresh)))
    try f.expectSound()
    // Every object the trees need is in the object database.
    #expect(try f.git(["ls-tree", "-r", repository.tree(base, applying: cases[5]).hex]).status == 0)
  }

  // MARK: Tree diffs

  /// What `git diff-tree -r --no-renames` lists between two trees (nil: the empty tree).
  func gitChanges(_ f: GitFixture, _ old: ObjectID?, _ new: ObjectID?, only: [String]? = nil) throws -> [TreeDelta] {
    let zero = String(repeating: "0", count: 40)
    var arguments = [
      "diff-tree", "-r", "--no-renames", "--raw", "--abbrev=40", (old ?? .emptyTree).hex, (new ?? .emptyTree).hex,
    ]
    if let only { arguments += ["--"] + only }
    return try f.out(arguments).split(separator: "\n").map { line in
      // :100644 100644 <old> <new> M\tpath
      let parts = line.split(separator: "\t", maxSplits: 1)
      let fields = parts[0].split(separator: " ")
      let before = String(fields[2])
      let after = String(fields[3])
      return TreeDelta(
        path: String(parts[1]), old: before == zero ? nil : ObjectID(hex: before),
        new: after == zero ? nil : ObjectID(hex: after))
    }
  }

  func sorted(_ deltas: [TreeDelta]) -> [TreeDelta] {
    deltas.sorted { ($0.path, $0.old?.hex ?? "", $0.new?.hex ?? "") < ($1.path, $1.old?.hex ?? "", $1.new?.hex ?? "") }
  }

  @Test func treeDiffsListWhatGitDiffTreeLists() throws {
    let f = try GitFixture()
    // Names chosen to meet where byte order and tree order differ ("a" as a tree sorts as
    // "a/"), non-ASCII names, and paths that turn from a file into a directory and back.
    let paths = [
      "a/x.yaml", "a/y/z.yaml", "a-b", "a.b", "a0", "customers/C-0001.yaml", "customers/C-0002.yaml",
      "customers/archive/C-0000.yaml", "客户/甲.yaml", "客户/乙.yaml", "staff/S-0001.yaml",
    ]
    let alternates = ["b", "b/inner.yaml", "customers/C-0003", "customers/C-0003/x"]
    var random = SeededRandom(seed: 0x7A11_7EE5)
    var present: [String: String] = [:]
    var commits: [ObjectID?] = [nil]
    for round in 0..<24 {
      var files: [String: String?] = [:]
      for path in paths where random.chance(30) {
        if present[path] != nil && random.chance(40) {
          files[path] = String?.none
        } else {
          files[path] = "\(path) v\(round) \(random.below(3))\n"
        }
      }
      // A file and a directory of the same name take turns.
      let fileOrDirectory = round % 4 < 2 ? [alternates[0], alternates[2]] : [alternates[1], alternates[3]]
      for path in alternates where !fileOrDirectory.contains(path) && present[path] != nil {
        files[path] = String?.none
      }
      for path in fileOrDirectory where random.chance(60) { files[path] = "\(path) \(round)\n" }
      for (path, content) in files {
        if let content { present[path] = content } else { present[path] = nil }
      }
      // Deleting the file before the directory of the same name is written, and back.
      try f.write(files.filter { $0.value == nil })
      try f.write(files.filter { $0.value != nil })
      commits.append(try f.commit("round \(round)"))
    }
    let repository = try f.repository()
    let trees = try commits.map { commit throws -> ObjectID? in try commit.map { try repository.tree(ofCommit: $0) } }
    var compared = 0
    var nonEmpty = 0
    var pairs = zip(trees.dropLast(), trees.dropFirst()).map { ($0, $1) }
    for _ in 0..<12 { pairs.append((random.pick(trees), random.pick(trees))) }
    for (old, new) in pairs {
      let expected = try gitChanges(f, old, new)
      #expect(
        sorted(try repository.changedFiles(from: old, to: new)) == sorted(expected),
        "\(old?.short() ?? "empty")..\(new?.short() ?? "empty")")
      let only: Set<String> = ["customers", "客户", "a0"]
      #expect(
        sorted(try repository.changedFiles(from: old, to: new, only: only))
          == sorted(try gitChanges(f, old, new, only: only.sorted())),
        "only \(only.sorted()): \(old?.short() ?? "empty")..\(new?.short() ?? "empty")")
      compared += 1
      if !expected.isEmpty { nonEmpty += 1 }
    }
    #expect(compared == pairs.count)
    #expect(nonEmpty >= 30, "only \(nonEmpty) of \(compared) pairs differed")
  }

  @Test func equalTreesHaveNoChangesAndNilIsTheEmptyTree() throws {
    let f = try GitFixture()
    let head = try f.commit("one", ["customers/C-0001.yaml": "name: 甲\n", "x.txt": "x\n"])
    let repository = try f.repository()
    let tree = try repository.tree(ofCommit: head)
    #expect(try repository.changedFiles(from: tree, to: tree).isEmpty)
    #expect(try repository.changedFiles(from: nil, to: nil).isEmpty)
    let added = try repository.changedFiles(from: nil, to: tree)
    #expect(added.map(\.path) == ["customers/C-0001.yaml", "x.txt"])
    #expect(added.allSatisfy { $0.old == nil && $0.new != nil })
    #expect(try repository.changedFiles(from: tree, to: nil).allSatisfy { $0.new == nil && $0.old != nil })
    #expect(try repository.changedFiles(from: ObjectID.emptyTree, to: tree) == added)
  }
}
