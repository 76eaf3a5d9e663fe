import Foundation
import TallyTestSupport
import Testing

/// A copy of example-repo/ committed on `main` (450 records, several in every state). With
/// `customers`, only the staff and the first that many customers (quicker to copy and check).
func makeCommittedExampleRepository(customers: Int? = nil) throws -> TemporaryDirectory {
  let dir = try TemporaryDirectory(prefix: "example")
  try? FileManager.default.removeItem(atPath: dir.path)
  try FileManager.default.copyItem(atPath: Golden.directory() + "/../../example-repo", toPath: dir.path)
  if let customers {
    for folder in ["minutes", "plans"] { try FileManager.default.removeItem(atPath: dir.path + "/" + folder) }
    let all = try FileManager.default.contentsOfDirectory(atPath: dir.path + "/customers").sorted()
    for name in all.dropFirst(customers) { try FileManager.default.removeItem(atPath: dir.path + "/customers/" + name) }
  }
  try git(["init", "-q", "-b", "main"], in: dir.path)
  try git(["config", "core.hooksPath", "/dev/null"], in: dir.path)
  try git(["add", "-A"], in: dir.path)
  try git(["commit", "-q", "-m", "records"], in: dir.path)
  return dir
}

/// The tree of `HEAD` and the index as `git` lists them: what a commit recorded and what is
/// staged next.
func committedState(_ directory: String) throws -> (tree: String, index: String) {
  (
    try git(["rev-parse", "HEAD^{tree}"], in: directory).stdout,
    try git(["ls-files", "--stage"], in: directory).stdout
  )
}

/// Copies a repository (working tree and `.git`) to a new temporary directory.
func twin(of directory: String) throws -> TemporaryDirectory {
  let copy = try TemporaryDirectory(prefix: "twin")
  try? FileManager.default.removeItem(atPath: copy.path)
  try FileManager.default.copyItem(atPath: directory, toPath: copy.path)
  return copy
}

@Suite("tally commit records exactly what it checked (end to end)")
struct CommitContentTests {
  /// Issue 18, item 1: a staged version tally never checked must not reach the commit.
  @Test func namedPathsCommitTheirWorkingTreeVersionNotWhatElseIsStaged() throws {
    let dir = try makeCommittedExampleRepository()
    let churned = try dir.read("customers/C-0014.yaml")
    #expect(churned.contains("status: churned"))
    // A forbidden transition, staged; then the working-tree file is put back.
    try dir.write("customers/C-0014.yaml", churned.replacing("status: churned", with: "status: dormant"))
    try git(["add", "customers/C-0014.yaml"], in: dir.path)
    try dir.write("customers/C-0014.yaml", churned)
    let other = try dir.read("customers/C-0015.yaml")
    let tier = try #require(other.firstMatch(of: /\ntier: (.)\n/)?.1)
    let newTier = tier == "A" ? "B" : "A"
    try dir.write("customers/C-0015.yaml", other.replacing("\ntier: \(tier)\n", with: "\ntier: \(newTier)\n"))
    let gitTwin = try twin(of: dir.path)

    let result = try TallyProcess.run(
      ["commit", "-m", "tier", "customers/C-0014.yaml", "customers/C-0015.yaml"], in: dir.path,
      environment: tallyGitEnvironment)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.contains(" M customers/C-0015.yaml\n"))
    #expect(!result.stdout.contains("C-0014"))
    let files = try git(["show", "--name-only", "--format=", "HEAD"], in: dir.path).stdout
    #expect(files == "customers/C-0015.yaml\n")
    let check = try TallyProcess.run(["check", "--range", "HEAD~1..HEAD"], in: dir.path)
    #expect(check.status == 0, "\(check.stdout)")
    // What git commits for the same paths: the same tree, the same index afterwards.
    try git(["commit", "-q", "-m", "tier", "--", "customers/C-0014.yaml", "customers/C-0015.yaml"], in: gitTwin.path)
    let (tree, index) = try committedState(dir.path)
    let (gitTree, gitIndex) = try committedState(gitTwin.path)
    #expect(tree == gitTree)
    #expect(index == gitIndex)
  }

  /// For random mixes of staged, unstaged and named changes, `tally commit PATH...` records
  /// the tree `git commit -- PATH...` records, leaves the same index, and whatever it
  /// commits checks clean; a refused commit changes nothing.
  @Test func namedPathsMatchGitCommitOnlyForRandomChanges() throws {
    let seed = ProcessInfo.processInfo.environment["TALLY_SEED"].flatMap(UInt64.init) ?? 18_001
    var random = SeededRandom(seed: seed)
    let base = try makeCommittedExampleRepository(customers: 20)
    let customers = try FileManager.default.contentsOfDirectory(atPath: base.path + "/customers").sorted()
    let rounds = ProcessInfo.processInfo.environment["TALLY_PROPERTY_ROUNDS"].flatMap(Int.init) ?? 16
    var committed = 0
    var refused = 0
    for round in 0..<rounds {
      let dir = try twin(of: base.path)
      var touched: [String] = []
      for _ in 0..<(1 + random.below(4)) {
        let path = "customers/" + random.pick(customers)
        if touched.contains(path) { continue }
        let text = try dir.read(path)
        let edit = random.below(4)
        switch edit {
        case 0:  // a valid change of a field
          let tier = text.firstMatch(of: /\ntier: (.)\n/)?.1 ?? "A"
          try dir.write(path, text.replacing("\ntier: \(tier)\n", with: "\ntier: \(tier == "A" ? "C" : "A")\n"))
        case 1:  // a change the schema forbids from most states
          try dir.write(path, text.replacing(/\nstatus: \w+\n/, with: "\nstatus: churned\n"))
        case 2:
          try FileManager.default.removeItem(atPath: dir.path + "/" + path)
        default:  // a new version, then staged, then changed again in the working tree
          try dir.write(path, text.replacing("\nsource: ", with: "\nsource: referral\nx_source: "))
        }
        if random.chance(50) { try git(["add", "-A", "--", path], in: dir.path) }
        if edit == 3, random.chance(50) { try dir.write(path, text) }
        touched.append(path)
      }
      let named = Array(Set(touched.filter { _ in random.chance(70) } + [touched[0]])).sorted()
      let before = try gitState(dir.path)
      let gitTwin = try twin(of: dir.path)
      let result = try TallyProcess.run(
        ["commit", "-m", "round \(round)"] + named, in: dir.path, environment: tallyGitEnvironment)
      let gitResult = try TallyProcess.runProgram(
        "git", ["commit", "-q", "-m", "round \(round)", "--"] + named, in: gitTwin.path,
        environment: tallyGitEnvironment)
      if result.status == 0 {
        committed += 1
        #expect(gitResult.status == 0, "round \(round): git refused what tally committed: \(gitResult.stderr)")
        let (tree, index) = try committedState(dir.path)
        let (gitTree, gitIndex) = try committedState(gitTwin.path)
        #expect(tree == gitTree, "round \(round) (seed \(seed)): named \(named)")
        #expect(index == gitIndex, "round \(round) (seed \(seed)): named \(named)")
        let check = try TallyProcess.run(["check", "--range", "HEAD~1..HEAD"], in: dir.path)
        #expect(check.status == 0, "round \(round) (seed \(seed)): \(check.stdout)")
      } else {
        refused += 1
        #expect(result.status == 1, "round \(round): \(result.stderr)")
        #expect(try gitState(dir.path) == before, "round \(round) (seed \(seed)): a refused commit changed the state")
      }
    }
    // Both outcomes must have been compared, or the property proved little.
    #expect(committed >= rounds / 4, "only \(committed) of \(rounds) rounds committed")
    #expect(refused >= 2, "only \(refused) of \(rounds) rounds were refused")
  }

  @Test func stagedRecordsAreCommittedCanonicalAndTheIndexHoldsTheCommit() throws {
    let dir = try makeCommittedExampleRepository()
    let text = try dir.read("customers/C-0020.yaml")
    let tier = try #require(text.firstMatch(of: /\ntier: (.)\n/)?.1)
    let newTier = tier == "C" ? "A" : "C"
    try dir.write("customers/C-0020.yaml", text.replacing("\ntier: \(tier)\n", with: "\ntier:    \(newTier)\n"))
    try git(["add", "customers/C-0020.yaml"], in: dir.path)
    let result = try TallyProcess.run(["commit", "-m", "tier"], in: dir.path, environment: tallyGitEnvironment)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.contains(" M customers/C-0020.yaml  (formatted)"))
    // Committed canonical, and nothing is left staged or modified.
    #expect(try git(["show", "HEAD:customers/C-0020.yaml"], in: dir.path).stdout.contains("\ntier: \(newTier)\n"))
    #expect(try git(["status", "--porcelain"], in: dir.path).stdout == "")
  }
}

@Suite("Layout-only changes (end to end)")
struct LayoutOnlyTests {
  @Test func aNamedPathThatOnlyChangedLayoutIsMadeCanonicalAndNotCommitted() throws {
    let dir = try makeCommittedExampleRepository()
    let original = try dir.read("customers/C-0018.yaml")
    try dir.write("customers/C-0018.yaml", original.replacing("\ntier: ", with: "\ntier:     "))
    let head = try git(["rev-parse", "HEAD"], in: dir.path).stdout
    let result = try TallyProcess.run(
      ["commit", "-m", "x", "customers/C-0018.yaml"], in: dir.path, environment: tallyGitEnvironment)
    #expect(result.status == 0)
    #expect(result.stdout == "only layout changed in customers/C-0018.yaml; now canonical, nothing to commit\n")
    #expect(try git(["rev-parse", "HEAD"], in: dir.path).stdout == head)
    #expect(try dir.read("customers/C-0018.yaml") == original)
    #expect(try git(["status", "--porcelain"], in: dir.path).stdout == "")
  }

  @Test func commitAllLeavesNoFileModifiedOnlyBecauseItWasFormatted() throws {
    let dir = try makeCommittedExampleRepository()
    for id in ["C-0021", "C-0022", "C-0023"] {
      let text = try dir.read("customers/\(id).yaml")
      try dir.write("customers/\(id).yaml", text.replacing("\nowner: ", with: "\nowner:   "))
    }
    let text = try dir.read("customers/C-0024.yaml")
    let tier = try #require(text.firstMatch(of: /\ntier: (.)\n/)?.1)
    try dir.write(
      "customers/C-0024.yaml", text.replacing("\ntier: \(tier)\n", with: "\ntier:  \(tier == "A" ? "B" : "A")\n"))
    let result = try TallyProcess.run(["commit", "--all", "-m", "x"], in: dir.path, environment: tallyGitEnvironment)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(
      result.stdout.contains(
        "only layout changed in customers/C-0021.yaml, customers/C-0022.yaml, customers/C-0023.yaml: now canonical, not committed"
      ))
    #expect(try git(["show", "--name-only", "--format=", "HEAD"], in: dir.path).stdout == "customers/C-0024.yaml\n")
    #expect(try git(["status", "--porcelain"], in: dir.path).stdout == "")
  }
}

@Suite("tally commit during git operations (end to end)")
struct OperationInProgressTests {
  /// Two branches change C-0017's tier differently; `git merge` stops with a conflict.
  func conflictedMerge() throws -> TemporaryDirectory {
    let dir = try makeCommittedExampleRepository()
    let text = try dir.read("customers/C-0017.yaml")
    let tier = try #require(text.firstMatch(of: /\ntier: (.)\n/)?.1)
    let (mine, theirs) = tier == "A" ? ("B", "C") : tier == "B" ? ("A", "C") : ("A", "B")
    try git(["checkout", "-q", "-b", "feature"], in: dir.path)
    try dir.write("customers/C-0017.yaml", text.replacing("\ntier: \(tier)\n", with: "\ntier: \(theirs)\n"))
    try git(["commit", "-qam", "feature: tier"], in: dir.path)
    try git(["checkout", "-q", "main"], in: dir.path)
    try dir.write("customers/C-0017.yaml", text.replacing("\ntier: \(tier)\n", with: "\ntier: \(mine)\n"))
    try git(["commit", "-qam", "main: tier"], in: dir.path)
    let merge = try TallyProcess.runProgram(
      "git", ["merge", "feature"], in: dir.path, environment: tallyGitEnvironment)
    #expect(merge.status == 1)
    return dir
  }

  @Test func commitFinishesAMergeWithBothParentsAndGitsMessage() throws {
    let dir = try conflictedMerge()
    try git(["checkout", "--theirs", "customers/C-0017.yaml"], in: dir.path)
    try git(["add", "customers/C-0017.yaml"], in: dir.path)
    let feature = try git(["rev-parse", "feature"], in: dir.path).stdout.trimmingCharacters(in: .newlines)
    let main = try git(["rev-parse", "main"], in: dir.path).stdout.trimmingCharacters(in: .newlines)
    let result = try TallyProcess.run(["commit"], in: dir.path, environment: tallyGitEnvironment)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.hasPrefix("[main "))
    #expect(result.stdout.contains("] Merge branch 'feature'\n merged \(feature.prefix(7))\n"))
    #expect(try git(["log", "-1", "--format=%P"], in: dir.path).stdout == "\(main) \(feature)\n")
    #expect(try git(["log", "-1", "--format=%B"], in: dir.path).stdout == "Merge branch 'feature'\n\n")
    for file in ["MERGE_HEAD", "MERGE_MSG", "MERGE_MODE", "AUTO_MERGE"] {
      #expect(!FileManager.default.fileExists(atPath: dir.path + "/.git/" + file), "\(file) was left")
    }
    #expect(try git(["status", "--porcelain"], in: dir.path).stdout == "")
    #expect(try git(["merge-base", "--is-ancestor", "feature", "main"], in: dir.path).status == 0)
  }

  @Test func namedPathsDuringAMergeAreRefusedAndChangeNothing() throws {
    let dir = try conflictedMerge()
    try git(["checkout", "--theirs", "customers/C-0017.yaml"], in: dir.path)
    try git(["add", "customers/C-0017.yaml"], in: dir.path)
    let before = try gitState(dir.path)
    let result = try TallyProcess.run(
      ["commit", "-m", "x", "customers/C-0017.yaml"], in: dir.path, environment: tallyGitEnvironment)
    #expect(result.status == 2)
    #expect(result.stderr.contains("a merge is in progress: it is committed whole"))
    #expect(try gitState(dir.path) == before)
    #expect(FileManager.default.fileExists(atPath: dir.path + "/.git/MERGE_HEAD"))
  }

  @Test func aStateReachedStepByStepOnTheMergedBranchIsAllowed() throws {
    let dir = try makeCommittedExampleRepository()
    // C-0001 is a prospect; on a branch it becomes active, then dormant (two allowed steps).
    let text = try dir.read("customers/C-0001.yaml")
    #expect(text.contains("\nstatus: prospect\n"))
    try git(["checkout", "-q", "-b", "feature"], in: dir.path)
    let active =
      text.replacing("\nstatus: prospect\n", with: "\nstatus: active\n") + """
        orders:
          - date: 2026-10-20
            product: 智能客服系统标准版
            amount: 12000.00

        """
    try dir.write("customers/C-0001.yaml", active)
    let step = try TallyProcess.run(
      ["commit", "--all", "-m", "active"], in: dir.path, environment: tallyGitEnvironment)
    #expect(step.status == 0, "\(step.stdout)\(step.stderr)")
    try dir.write(
      "customers/C-0001.yaml",
      try dir.read("customers/C-0001.yaml").replacing("\nstatus: active\n", with: "\nstatus: dormant\n"))
    #expect(
      try TallyProcess.run(["commit", "--all", "-m", "dormant"], in: dir.path, environment: tallyGitEnvironment).status
        == 0)
    try git(["checkout", "-q", "main"], in: dir.path)
    try git(["commit", "-q", "--allow-empty", "-m", "main moves on"], in: dir.path)
    #expect(
      try TallyProcess.runProgram("git", ["merge", "--no-commit", "--no-ff", "feature"], in: dir.path).status == 0)
    // Against HEAD alone, prospect → dormant is not allowed; from the branch it is no change.
    let result = try TallyProcess.run(["commit"], in: dir.path, environment: tallyGitEnvironment)
    #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    #expect(try git(["log", "-1", "--format=%P"], in: dir.path).stdout.split(separator: " ").count == 2)
  }

  @Test func aStateNoParentAllowsIsRefusedWhenAMergeIsFinished() throws {
    let dir = try conflictedMerge()
    // C-0017 is active on both branches; the resolution also makes it a lead again, which
    // neither parent allows (the check against each parent names the other in its message).
    try git(["checkout", "--theirs", "customers/C-0017.yaml"], in: dir.path)
    let text = try dir.read("customers/C-0017.yaml")
    #expect(text.contains("\nstatus: active\n"))
    try dir.write("customers/C-0017.yaml", text.replacing("\nstatus: active\n", with: "\nstatus: lead\n"))
    try git(["add", "customers/C-0017.yaml"], in: dir.path)
    let before = try gitState(dir.path)
    let staged = try TallyProcess.run(["check", "--staged"], in: dir.path, environment: tallyGitEnvironment)
    #expect(staged.status == 1)
    #expect(
      staged.stdout.contains(
        "error[transition]: 'status' cannot change from 'active' to 'lead' (it was 'active' in HEAD)"))
    let result = try TallyProcess.run(["commit"], in: dir.path, environment: tallyGitEnvironment)
    #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
    #expect(result.stdout.contains("error[transition]: 'status' cannot change from 'active' to 'lead'"))
    #expect(try gitState(dir.path) == before)
    #expect(FileManager.default.fileExists(atPath: dir.path + "/.git/MERGE_HEAD"))
  }

  @Test func checkStagedJudgesAMergesStatesAgainstEveryParent() throws {
    let dir = try makeCommittedExampleRepository(customers: 20)
    // C-0001 is a prospect; on a branch it becomes active (with an order), then dormant.
    let text = try dir.read("customers/C-0001.yaml")
    try git(["checkout", "-q", "-b", "feature"], in: dir.path)
    let active =
      text.replacing("\nstatus: prospect\n", with: "\nstatus: active\n") + """
        orders:
          - date: 2026-10-20
            product: 智能客服系统标准版
            amount: 12000.00

        """
    try dir.write("customers/C-0001.yaml", active)
    try git(["commit", "-qam", "active"], in: dir.path)
    try dir.write("customers/C-0001.yaml", active.replacing("\nstatus: active\n", with: "\nstatus: dormant\n"))
    try git(["commit", "-qam", "dormant"], in: dir.path)
    try git(["checkout", "-q", "main"], in: dir.path)
    try git(["commit", "-q", "--allow-empty", "-m", "main moves on"], in: dir.path)
    // The branch's result staged on main with no merge: prospect → dormant is refused...
    try git(["checkout", "feature", "--", "customers/C-0001.yaml"], in: dir.path)
    let alone = try TallyProcess.run(["check", "--staged"], in: dir.path, environment: tallyGitEnvironment)
    #expect(alone.status == 1)
    #expect(alone.stdout.contains("'status' cannot change from 'prospect' to 'dormant' (it was 'prospect' in HEAD)"))
    // ...but not when the commit it comes from is being merged in: named (as the
    // pre-merge-commit hook names it)...
    let named = try TallyProcess.run(
      ["check", "--staged", "--merging", "feature"], in: dir.path, environment: tallyGitEnvironment)
    #expect(named.status == 0, "\(named.stdout)")
    // ...or in MERGE_HEAD.
    try git(["reset", "-q", "--hard"], in: dir.path)
    #expect(
      try TallyProcess.runProgram("git", ["merge", "--no-commit", "--no-ff", "feature"], in: dir.path).status == 0)
    let merging = try TallyProcess.run(["check", "--staged"], in: dir.path, environment: tallyGitEnvironment)
    #expect(merging.status == 0, "\(merging.stdout)")

    let misuse = try TallyProcess.run(["check", "--merging", "feature"], in: dir.path)
    #expect(misuse.status == 64)
    #expect(misuse.stderr.contains("--merging only applies to --staged"))
  }

  @Test func aCherryPickInProgressIsRefusedWithAdvice() throws {
    let dir = try conflictedMerge()
    try git(["merge", "--abort"], in: dir.path)
    let pick = try TallyProcess.runProgram(
      "git", ["cherry-pick", "feature"], in: dir.path, environment: tallyGitEnvironment)
    #expect(pick.status != 0)
    try git(["checkout", "--theirs", "customers/C-0017.yaml"], in: dir.path)
    try git(["add", "customers/C-0017.yaml"], in: dir.path)
    let before = try gitState(dir.path)
    let result = try TallyProcess.run(["commit", "-m", "x"], in: dir.path, environment: tallyGitEnvironment)
    #expect(result.status == 2)
    #expect(
      result.stderr
        == "tally: a cherry-pick is in progress; tally commit does not finish it: finish it with 'git cherry-pick --continue', or abandon it with 'git cherry-pick --abort'\n"
    )
    #expect(try gitState(dir.path) == before)
  }
}

/// Issue 18, item 10: `--commit` on an edit that cannot be committed says the edit was kept.
@Suite("Edits whose commit does not happen (end to end)")
struct EditCommitFailureTests {
  @Test func aRefusedCommitSaysTheEditWasKept() throws {
    let dir = try makeCommittedExampleRepository(customers: 20)
    let result = try TallyProcess.run(
      ["set", "customer/C-0014", "status=dormant", "--commit"], in: dir.path, environment: tallyGitEnvironment)
    #expect(result.status == 1)
    #expect(
      result.stderr.hasSuffix(
        "tally: commit refused: checked 56 records: 1 error; the edit was kept in the working tree (not committed)\n"))
    #expect(try dir.read("customers/C-0014.yaml").contains("\nstatus: dormant\n"))
    #expect(try git(["status", "--porcelain"], in: dir.path).stdout == " M customers/C-0014.yaml\n")
  }

  @Test func aFailedCommitSaysTheEditWasKept() throws {
    let dir = try makeCommittedExampleRepository(customers: 20)
    #expect(FileManager.default.createFile(atPath: dir.path + "/.git/index.lock", contents: Data()))
    let locked = try TallyProcess.run(
      ["set", "customer/C-0015", "tier=A", "--commit", "-m", "tier"], in: dir.path,
      environment: tallyGitEnvironment.merging(["TALLY_LOCK_TIMEOUT": "0.2"]) { $1 })
    #expect(locked.status == 2)
    #expect(locked.stderr.hasPrefix("set tier: "))
    #expect(locked.stderr.hasSuffix("; the edit was kept in the working tree\n"))
    #expect(try dir.read("customers/C-0015.yaml").contains("\ntier: A\n"))

    let plain = try TemporaryDirectory(prefix: "no-git")
    try? FileManager.default.removeItem(atPath: plain.path)
    try FileManager.default.copyItem(atPath: Golden.directory() + "/../../example-repo", toPath: plain.path)
    let outside = try TallyProcess.run(["set", "customer/C-0015", "tier=A", "--commit"], in: plain.path)
    #expect(outside.status == 2)
    #expect(outside.stderr.contains("tally: cannot commit: "))
    #expect(outside.stderr.hasSuffix("; the edit was kept in the working tree\n"))
  }
}
