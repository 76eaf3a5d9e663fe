import Foundation
import TallyTestSupport
import Testing

/// A sparse checkout (`git sparse-checkout`) of one shard folder: the records outside it are
/// in the index and HEAD, not on disk — tally reads them from there instead of taking them for
/// deleted, so checks stay complete and commits never delete them.
@Suite struct SparseCheckoutTests {
  /// The sharded example with only `customers/42/` of the customers checked out.
  static func sparse(_ prefix: String) throws -> ExampleRepository {
    let (repo, _) = try ShardedLayoutTests.shardedExample(prefix)
    try repo.git(["sparse-checkout", "set", "--no-cone", "/*", "!/customers/", "/customers/42/"])
    #expect(!FileManager.default.fileExists(atPath: repo.root + "/customers/43"))
    #expect(FileManager.default.fileExists(atPath: repo.root + "/customers/42/C-0042.yaml"))
    return repo
  }

  static func customersAtHead(_ repo: ExampleRepository) throws -> Int {
    try repo.git(["ls-tree", "-r", "--name-only", "HEAD", "customers/"]).stdout.split(separator: "\n").count
  }

  @Test func checkSeesTheWholeRepository() throws {
    let repo = try Self.sparse("tally-sparse-check")
    let result = try repo.tally(["check"])
    #expect(result.status == 0, "\(result.stdout)")
    #expect(result.stdout.hasSuffix("checked 449 records: no problems\n"), "\(result.stdout)")
    // A broken reference is still found, and one into a shard that is not checked out is not.
    let path = repo.root + "/customers/42/C-0042.yaml"
    let text = try String(contentsOfFile: path, encoding: .utf8)
    try text.replacingOccurrences(of: "owner: S-0022\n", with: "owner: S-0999\n")
      .write(toFile: path, atomically: true, encoding: .utf8)
    let broken = try repo.tally(["check"])
    #expect(broken.status == 1)
    #expect(broken.stdout.contains("customers/42/C-0042.yaml:"), "\(broken.stdout)")
    #expect(broken.stdout.contains("[broken-ref]"), "\(broken.stdout)")
    #expect(broken.stdout.hasSuffix("checked 449 records: 1 error\n"), "\(broken.stdout)")
  }

  @Test func commitsNeverDeleteWhatIsNotCheckedOut() throws {
    let repo = try Self.sparse("tally-sparse-commit")
    #expect(try Self.customersAtHead(repo) == 280)
    #expect(try repo.tally(["set", "customer/C-0042", "tier=A"]).status == 0)
    let diff = try repo.tally(["diff", "--format", "json"])
    #expect(diff.stdout.contains("C-0042") && !diff.stdout.contains("C-0043"), "\(diff.stdout.prefix(400))")
    let all = try repo.tally(["commit", "--all", "-m", "C-0042 to tier A"])
    #expect(all.status == 0, "\(all.stdout)\(all.stderr)")
    #expect(try repo.git(["show", "--format=", "--name-status", "HEAD"]).stdout == "M\tcustomers/42/C-0042.yaml\n")
    #expect(try Self.customersAtHead(repo) == 280)
    // Naming the folder of every customer commits the one change and nothing of the others.
    #expect(try repo.tally(["set", "customer/C-0142", "tier=C"]).status == 0)
    let named = try repo.tally(["commit", "customers", "-m", "C-0142 to tier C"])
    #expect(named.status == 0, "\(named.stdout)\(named.stderr)")
    #expect(try repo.git(["show", "--format=", "--name-status", "HEAD"]).stdout == "M\tcustomers/42/C-0142.yaml\n")
    #expect(try Self.customersAtHead(repo) == 280)
    // git agrees: nothing is left to commit, and the sparse files are still skip-worktree.
    #expect(try repo.git(["status", "--porcelain"]).stdout == "")
    #expect(try repo.git(["ls-files", "-t", "customers/43/C-0043.yaml"]).stdout == "S customers/43/C-0043.yaml\n")
  }

  @Test func thePreCommitHookChecksTheWholeSnapshot() throws {
    let repo = try Self.sparse("tally-sparse-hook")
    #expect(try repo.tally(["hook", "install"]).status == 0)
    #expect(try repo.tally(["set", "customer/C-0042", "loyalty=medium"]).status == 0)
    try repo.git(["add", "customers/42/C-0042.yaml", ".gitattributes"])
    let committed = try TallyProcess.runProgram(
      "git", ["commit", "-q", "-m", "loyalty"], in: repo.root, environment: repo.environment)
    #expect(committed.status == 0, "\(committed.stderr)")
    #expect(try Self.customersAtHead(repo) == 280)
  }

  @Test func editsReferToRecordsNotCheckedOutAndRefuseToEditThem() throws {
    let repo = try Self.sparse("tally-sparse-edit")
    // Also leave out the staff record the edit will name (its `where` is checked on it).
    try repo.git(["sparse-checkout", "set", "--no-cone", "/*", "!/customers/", "/customers/42/", "!/staff/S-0022.yaml"])
    #expect(!FileManager.default.fileExists(atPath: repo.root + "/staff/S-0022.yaml"))
    let set = try repo.tally(["set", "customer/C-0242", "owner=S-0022"])
    #expect(set.status == 0, "\(set.stdout)\(set.stderr)")
    #expect(
      try String(contentsOfFile: repo.root + "/customers/42/C-0242.yaml", encoding: .utf8).contains("owner: S-0022\n"))
    #expect(try repo.tally(["check"]).stdout.hasSuffix("checked 449 records: no problems\n"))
    // A record that is not checked out is not written into the working tree, where git
    // would ignore it: the edit is refused, naming the folder to add.
    let refused = try repo.tally(["set", "customer/C-0107", "tier=A"])
    #expect(refused.status == 64)
    #expect(refused.stderr.contains("not in this sparse checkout"), "\(refused.stderr)")
    #expect(refused.stderr.contains("git sparse-checkout add customers/07"), "\(refused.stderr)")
    #expect(!FileManager.default.fileExists(atPath: repo.root + "/customers/07"))
  }

  @Test func aLayoutMigrationIsRefusedInASparseCheckout() throws {
    let repo = try Self.sparse("tally-sparse-migrate")
    let head = try repo.git(["rev-parse", "HEAD"]).stdout
    let result = try repo.tally(["migrate", "layout", "customer", "--flat"])
    #expect(result.status == 1)
    #expect(result.stderr.contains("sparse checkout"), "\(result.stderr)")
    #expect(try repo.git(["rev-parse", "HEAD"]).stdout == head)
    #expect(try repo.git(["status", "--porcelain"]).stdout == "")
  }
}
