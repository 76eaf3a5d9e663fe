import Foundation
import TallyTestSupport
import Testing

/// A merge that stops at conflicts, made by the real `git` with tally's merge driver.
struct MergeScenario {
  let dir: TemporaryDirectory

  /// The team repository in git with the driver set up (`merge=tally`, `merge.tally.driver`).
  init(driver: Bool = true) throws {
    dir = try makeTeamRepository()
    try git(["init", "-q", "-b", "main"])
    try git(["config", "core.hooksPath", "/dev/null"])
    if driver {
      try git(["config", "merge.tally.driver", "'\(TallyProcess.binary)' merge-driver %O %A %B %L %P"])
      try dir.write(".gitattributes", "customers/*.yaml merge=tally\nstaff/*.yaml merge=tally\n")
    }
    try git(["add", "-A"])
    try git(["commit", "-q", "-m", "team"])
  }

  var path: String { dir.path }

  @discardableResult
  func git(_ arguments: [String], allowFailure: Bool = false) throws -> ProcessResult {
    if allowFailure {
      return try TallyProcess.runProgram(
        "git", arguments, in: dir.path,
        environment: [
          "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.cn", "GIT_COMMITTER_NAME": "Test",
          "GIT_COMMITTER_EMAIL": "test@example.cn", "GIT_EDITOR": "true",
        ])
    }
    return try TallyEndToEndTests.git(arguments, in: dir.path)
  }

  func tally(_ arguments: [String]) throws -> ProcessResult {
    try TallyProcess.run(arguments, in: dir.path, environment: tallyGitEnvironment)
  }

  /// Commits `edit` of customers/C-0042.yaml on a new branch `feature`, then `mainEdit` on
  /// `main`, and merges `feature` into `main`: git stops when the two conflict.
  func merge(feature: (String) -> String?, main: (String) -> String?, file: String = "customers/C-0042.yaml") throws
    -> ProcessResult
  {
    let original = try dir.read(file)
    try git(["checkout", "-q", "-b", "feature"])
    try apply(feature(original), to: file)
    try git(["commit", "-q", "-am", "feature"])
    try git(["checkout", "-q", "main"])
    try apply(main(original), to: file)
    try git(["commit", "-q", "-am", "main"])
    return try git(["merge", "-q", "feature"], allowFailure: true)
  }

  func apply(_ text: String?, to file: String) throws {
    if let text {
      try dir.write(file, text)
    } else {
      try FileManager.default.removeItem(atPath: dir.path + "/" + file)
    }
  }

  func json(_ result: ProcessResult) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
  }
}

@Suite("tally conflicts / tally resolve (end to end)")
struct ResolveCommandTests {
  /// `tier: A` in the base, B on main, C on the feature branch.
  func tierConflict() throws -> MergeScenario {
    let scenario = try MergeScenario()
    let merge = try scenario.merge(
      feature: { $0.replacing("tier: A", with: "tier: C") }, main: { $0.replacing("tier: A", with: "tier: B") })
    #expect(merge.status != 0, "the merge should stop: \(merge.stdout)\(merge.stderr)")
    return scenario
  }

  @Test func aSameFieldEditStopsWithOneConflictedFieldAndResolveFinishesIt() throws {
    let scenario = try tierConflict()
    let file = try scenario.dir.read("customers/C-0042.yaml")
    #expect(
      file.contains("<<<<<<< ours\ntier: B\n||||||| base\ntier: A\n=======\ntier: C\n>>>>>>> theirs\n"), "\(file)")

    let listed = try scenario.tally(["conflicts", "--format", "json"])
    #expect(listed.status == 1, "\(listed.stderr)")
    let json = try scenario.json(listed)
    #expect(json["operation"] as? String == "merge")
    #expect(json["conflicts"] as? Int == 1)
    let files = try #require(json["files"] as? [[String: Any]])
    #expect(files.count == 1)
    #expect(files[0]["path"] as? String == "customers/C-0042.yaml")
    #expect(files[0]["type"] as? String == "customer")
    #expect(files[0]["id"] as? String == "C-0042")
    #expect(files[0]["state"] as? String == "both-modified")
    let conflicts = try #require(files[0]["conflicts"] as? [[String: Any]])
    #expect(conflicts.count == 1)
    #expect(conflicts[0]["field"] as? String == "tier")
    #expect(conflicts[0]["field_type"] as? String == "enum")
    #expect(conflicts[0]["base"] as? String == "A")
    #expect(conflicts[0]["ours"] as? String == "B")
    #expect(conflicts[0]["theirs"] as? String == "C")
    #expect(conflicts[0]["base_known"] as? Bool == true)
    let lines = try #require(conflicts[0]["lines"] as? [String: Int])
    #expect(lines == ["start": 3, "end": 9])

    let table = try scenario.tally(["conflicts"])
    #expect(table.status == 1)
    #expect(
      table.stdout == """
        Record           Field  Lines  Base  Ours  Theirs
        ───────────────  ─────  ─────  ────  ────  ──────
        customer/C-0042  tier     3-9  A     B     C
        1 conflict in 1 file (merge in progress)
        resolve a field:  tally resolve customer/C-0042 tier --ours | --theirs | --base | --value VALUE
        resolve a file:   tally resolve customer/C-0042 --all --ours | --theirs

        """, "\(table.stdout)")

    // tally check reports the driver's markers with their own code and the field.
    let check = try scenario.tally(["check", "--format", "json"])
    #expect(check.status == 1)
    let diagnostics = try #require(try scenario.json(check)["diagnostics"] as? [[String: Any]])
    #expect(diagnostics.count == 1, "\(check.stdout)")
    #expect(diagnostics.first?["code"] as? String == "merge-conflict")
    #expect(diagnostics.first?["field"] as? String == "tier")
    #expect(diagnostics.first?["line"] as? Int == 3)

    let resolved = try scenario.tally(["resolve", "customer/C-0042", "tier", "--theirs"])
    #expect(resolved.status == 0, "\(resolved.stderr)")
    #expect(
      resolved.stdout == """
        customers/C-0042.yaml: tier ← theirs: C
        customers/C-0042.yaml: resolved and staged
        no conflicts left: finish the merge with 'tally commit'

        """)
    let after = try scenario.dir.read("customers/C-0042.yaml")
    #expect(!after.contains("<<<<<<<") && !after.contains(">>>>>>>") && after.contains("\ntier: C\n"))
    #expect(try scenario.git(["ls-files", "-u"]).stdout == "")
    let staged = try scenario.git(["diff", "--cached", "-U0", "HEAD", "--", "customers/C-0042.yaml"]).stdout
    #expect(staged.contains("\n-tier: B\n+tier: C\n"), "\(staged)")
    #expect(
      try scenario.git(["diff", "--", "customers/C-0042.yaml"]).stdout == "", "the working tree is what is staged")

    let none = try scenario.tally(["conflicts"])
    #expect(none.status == 0)
    #expect(none.stdout == "no conflicts left: finish the merge with 'tally commit'\n")
    #expect(try scenario.tally(["check"]).status == 0)

    let commit = try scenario.tally(["commit"])
    #expect(commit.status == 0, "\(commit.stdout)\(commit.stderr)")
    let parents = try scenario.git(["rev-list", "--parents", "-1", "HEAD"]).stdout.split(separator: " ")
    #expect(parents.count == 3, "a merge commit has two parents")
    #expect(try scenario.git(["show", "HEAD:customers/C-0042.yaml"]).stdout.contains("\ntier: C\n"))
    #expect(try scenario.git(["status", "--porcelain"]).stdout == "")
    let outside = try scenario.tally(["conflicts"])
    #expect(outside.status == 0)
    #expect(outside.stdout == "there is no merge in progress, and no conflict left\n")
  }

  @Test func badInputIsRefusedAndNothingChanges() throws {
    let scenario = try tierConflict()
    let before = try gitState(scenario.path)
    let file = try scenario.dir.bytes("customers/C-0042.yaml")
    func refused(
      _ arguments: [String], status: Int32, _ message: String, sourceLocation: SourceLocation = #_sourceLocation
    )
      throws
    {
      let result = try scenario.tally(arguments)
      #expect(result.status == status, "\(result.stderr)", sourceLocation: sourceLocation)
      #expect(result.stderr.contains(message), "\(result.stderr)", sourceLocation: sourceLocation)
      #expect(result.stdout == "", sourceLocation: sourceLocation)
      #expect(try gitState(scenario.path) == before, sourceLocation: sourceLocation)
      #expect(try scenario.dir.bytes("customers/C-0042.yaml") == file, sourceLocation: sourceLocation)
    }
    try refused(
      ["resolve", "customer/C-0042", "tier", "--value", "Z"], status: 64,
      "tally: 'tier': 'Z' is not one of the allowed values\n  allowed: A (重点客户), B (普通客户), C (一般客户)\n")
    try refused(
      ["resolve", "customer/C-0042", "status", "--theirs"], status: 64,
      "tally: 'status' is not in conflict in customer/C-0042\n  in conflict: 'tier'\n")
    try refused(
      ["resolve", "customer/C-0042", "teir", "--ours"], status: 64, "did you mean 'tier'? in conflict: 'tier'")
    try refused(
      ["resolve", "customer/C-9999", "tier", "--ours"], status: 64,
      "tally: customers/C-9999.yaml has no conflict to resolve\n  in conflict: customer/C-0042; see 'tally conflicts'\n"
    )
    try refused(["resolve", "client/C-0042", "tier", "--ours"], status: 64, "there is no record type 'client'")
    try refused(
      ["resolve", "customer/C-0042", "--theirs"], status: 64, "name the fields to resolve in customer/C-0042")
    try refused(
      ["resolve", "customer/C-0042", "tier", "--ours", "--theirs"], status: 64,
      "choose one of --ours, --theirs, --base and --value")
    try refused(["resolve", "customer/C-0042", "tier"], status: 64, "choose --ours, --theirs, --base or --value V")
    try refused(
      ["resolve", "customer/C-0042", "--all", "--value", "A"], status: 64, "--value sets one field")

    // A value of the right type is set, through the editing of `tally set`, and staged.
    let set = try scenario.tally(["resolve", "customers/C-0042.yaml", "tier", "--value", "A"])
    #expect(set.status == 0, "\(set.stderr)")
    #expect(set.stdout.hasPrefix("customers/C-0042.yaml: tier ← the value 'A': A\n"), "\(set.stdout)")
    #expect(try scenario.git(["show", ":customers/C-0042.yaml"]).stdout.contains("\ntier: A\nstatus: prospect\n"))
    #expect(try scenario.git(["ls-files", "-u"]).stdout == "")
  }

  @Test func anEmptyValueRemovesTheFieldUnlessItIsRequired() throws {
    let scenario = try MergeScenario()
    let merge = try scenario.merge(
      feature: { $0.replacing("source: referral", with: "source: website").replacing("tier: A", with: "tier: C") },
      main: { $0.replacing("source: referral", with: "source: inbound").replacing("tier: A", with: "tier: B") })
    #expect(merge.status != 0)
    let required = try scenario.tally(["resolve", "customer/C-0042", "tier", "--value", ""])
    #expect(required.status == 1, "\(required.stderr)")
    #expect(required.stderr.contains("nothing was written"), "\(required.stderr)")
    let removed = try scenario.tally(["resolve", "customer/C-0042", "source", "--value", ""])
    #expect(removed.status == 0, "\(removed.stderr)")
    #expect(removed.stdout.hasPrefix("customers/C-0042.yaml: source removed\n"), "\(removed.stdout)")
    #expect(!(try scenario.dir.read("customers/C-0042.yaml")).contains("source:"))
  }

  @Test func anIndexHeldByAnotherProcessLeavesEverythingAsItWas() throws {
    let scenario = try tierConflict()
    let before = try gitState(scenario.path)
    let file = try scenario.dir.bytes("customers/C-0042.yaml")
    // git's own lock (no tally process in it): waited for, then given up.
    try scenario.dir.write(".git/index.lock", "")
    let result = try TallyProcess.run(
      ["resolve", "customer/C-0042", "tier", "--theirs"], in: scenario.path,
      environment: tallyGitEnvironment.merging(["TALLY_LOCK_TIMEOUT": "0"]) { $1 })
    #expect(result.status == 2, "\(result.stderr)")
    #expect(result.stderr.contains("index.lock"), "\(result.stderr)")
    #expect(try scenario.dir.bytes("customers/C-0042.yaml") == file)
    try FileManager.default.removeItem(atPath: scenario.path + "/.git/index.lock")
    #expect(try gitState(scenario.path) == before)
  }

  @Test func aValueThatBreaksARuleOfTheRecordIsRefused() throws {
    let scenario = try MergeScenario()
    let merge = try scenario.merge(
      feature: { $0.replacing("status: prospect", with: "status: active") },
      main: { $0.replacing("status: prospect", with: "status: lead") })
    #expect(merge.status != 0)
    let before = try gitState(scenario.path)
    let result = try scenario.tally(["resolve", "customer/C-0042", "status", "--value", "churned"])
    #expect(result.status == 1, "\(result.stderr)")
    #expect(result.stderr.contains("流失客户必须写明流失原因"), "\(result.stderr)")
    #expect(result.stderr.contains("nothing was written"), "\(result.stderr)")
    #expect(try gitState(scenario.path) == before)
    // Its base is a side like the others.
    let base = try scenario.tally(["resolve", "customer/C-0042", "status", "--base"])
    #expect(base.status == 0, "\(base.stderr)")
    #expect(try scenario.git(["show", ":customers/C-0042.yaml"]).stdout.contains("\nstatus: prospect\n"))
  }

  @Test func aRecordDeletedOnOneSideAndChangedOnTheOther() throws {
    // Deleted by us (main), changed by them: kept with --theirs.
    let scenario = try MergeScenario()
    let merge = try scenario.merge(feature: { $0.replacing("tier: A", with: "tier: C") }, main: { _ in nil })
    #expect(merge.status != 0)
    let json = try scenario.json(try scenario.tally(["conflicts", "--format", "json"]))
    let files = try #require(json["files"] as? [[String: Any]])
    #expect(files.count == 1)
    #expect(files[0]["state"] as? String == "deleted-by-us")
    let conflict = try #require((files[0]["conflicts"] as? [[String: Any]])?.first)
    #expect(conflict["field"] is NSNull)
    #expect(conflict["lines"] is NSNull)
    #expect(conflict["ours"] is NSNull)
    #expect((conflict["theirs"] as? [String: Any])?["tier"] as? String == "C")
    #expect((conflict["base"] as? [String: Any])?["tier"] as? String == "A")
    let table = try scenario.tally(["conflicts"])
    #expect(table.stdout.contains("customer/C-0042  (deleted by us, changed by them)"), "\(table.stdout)")
    #expect(table.stdout.contains("(record)  (deleted)  changed tier"), "\(table.stdout)")
    #expect(table.stdout.contains("keep or delete a record: tally resolve customer/C-0042 --ours | --theirs"))

    let field = try scenario.tally(["resolve", "customer/C-0042", "tier", "--theirs"])
    #expect(field.status == 64)
    #expect(field.stderr.contains("the conflict is on the whole record, not on a field"))
    let kept = try scenario.tally(["resolve", "customer/C-0042", "--theirs"])
    #expect(kept.status == 0, "\(kept.stderr)")
    #expect(kept.stdout.hasPrefix("customers/C-0042.yaml: kept (theirs of customer/C-0042"), "\(kept.stdout)")
    #expect(try scenario.git(["status", "--porcelain"]).stdout == "A  customers/C-0042.yaml\n")
    #expect(try scenario.tally(["commit"]).status == 0)
    #expect(try scenario.git(["show", "HEAD:customers/C-0042.yaml"]).stdout.contains("\ntier: C\n"))

    // Deleted by them, changed by us: deleted with --theirs.
    let other = try MergeScenario()
    let second = try other.merge(feature: { _ in nil }, main: { $0.replacing("tier: A", with: "tier: B") })
    #expect(second.status != 0)
    let listed = try other.json(try other.tally(["conflicts", "--format", "json"]))
    #expect((listed["files"] as? [[String: Any]])?.first?["state"] as? String == "deleted-by-them")
    let deleted = try other.tally(["resolve", "customer/C-0042", "--all", "--theirs"])
    #expect(deleted.status == 0, "\(deleted.stderr)")
    #expect(deleted.stdout.hasPrefix("customers/C-0042.yaml: deleted (theirs of customer/C-0042"), "\(deleted.stdout)")
    #expect(!FileManager.default.fileExists(atPath: other.path + "/customers/C-0042.yaml"))
    #expect(try other.git(["status", "--porcelain"]).stdout == "D  customers/C-0042.yaml\n")
    #expect(try other.tally(["commit"]).status == 0)
    #expect(try other.git(["ls-tree", "HEAD", "customers/"]).stdout == "")
  }

  @Test func gitsOwnTextMergeOfTwoAdjacentFields() throws {
    // No driver, git's default conflict style: one hunk holds tier and status, no base.
    let scenario = try MergeScenario(driver: false)
    let merge = try scenario.merge(
      feature: { $0.replacing("tier: A\nstatus: prospect", with: "tier: C\nstatus: active") },
      main: { $0.replacing("tier: A\nstatus: prospect", with: "tier: B\nstatus: lead") })
    #expect(merge.status != 0)
    let json = try scenario.json(try scenario.tally(["conflicts", "--format", "json"]))
    let conflicts = try #require((json["files"] as? [[String: Any]])?.first?["conflicts"] as? [[String: Any]])
    #expect(conflicts.map { $0["field"] as? String } == ["tier", "status"])
    // The base comes from the index, as the markers hold none.
    #expect(conflicts.map { $0["base"] as? String } == ["A", "prospect"])
    #expect(conflicts.map { $0["theirs"] as? String } == ["C", "active"])

    let one = try scenario.tally(["resolve", "customer/C-0042", "tier", "--theirs"])
    #expect(one.status == 64)
    #expect(one.stderr.contains("also hold 'status', in one conflict"), "\(one.stderr)")
    #expect(one.stderr.contains("tally resolve customer/C-0042 tier status --theirs"), "\(one.stderr)")
    let noBase = try scenario.tally(["resolve", "customer/C-0042", "tier", "status", "--base"])
    #expect(noBase.status == 64)
    #expect(noBase.stderr.contains("holds no base version"), "\(noBase.stderr)")
    let both = try scenario.tally(["resolve", "customer/C-0042", "tier", "status", "--theirs"])
    #expect(both.status == 0, "\(both.stderr)")
    #expect(try scenario.git(["show", ":customers/C-0042.yaml"]).stdout.contains("\ntier: C\nstatus: active\n"))
  }

  @Test func crlfFilesStayCRLFAndOneOfTwoConflictsIsLeft() throws {
    let scenario = try MergeScenario()
    let crlf = try scenario.dir.read("customers/C-0042.yaml").replacing("\n", with: "\r\n")
    try scenario.dir.write("customers/C-0042.yaml", crlf)
    try scenario.git(["commit", "-q", "-am", "crlf"])
    let merge = try scenario.merge(
      feature: { $0.replacing("tier: A", with: "tier: C").replacing("source: referral", with: "source: website") },
      main: { $0.replacing("tier: A", with: "tier: B").replacing("source: referral", with: "source: inbound") })
    #expect(merge.status != 0)
    let resolved = try scenario.tally(["resolve", "customer/C-0042", "tier", "--value", "A"])
    #expect(resolved.status == 0, "\(resolved.stderr)")
    #expect(resolved.stdout.hasSuffix("customers/C-0042.yaml: 1 conflict left: 'source'\n"), "\(resolved.stdout)")
    let bytes = try scenario.dir.bytes("customers/C-0042.yaml")
    let text = String(decoding: bytes, as: UTF8.self)
    #expect(text.contains("\r\ntier: A\r\nstatus: prospect\r\n"), "\(text)")
    #expect(!text.replacing("\r\n", with: "").contains("\n"), "every line still ends in CRLF")
    #expect(try scenario.git(["ls-files", "-u"]).stdout != "", "not staged while a conflict is left")
    let rest = try scenario.tally(["resolve", "customer/C-0042", "--all", "--ours"])
    #expect(rest.status == 0, "\(rest.stderr)")
    #expect(try scenario.git(["ls-files", "-u"]).stdout == "")
    let staged = try scenario.git(["show", ":customers/C-0042.yaml"]).stdout
    #expect(staged.contains("\r\ntier: A\r\n") && staged.contains("\r\nsource: inbound\r\n"), "\(staged)")
  }

  @Test func everyFileAtOnceAndARebase() throws {
    let scenario = try MergeScenario()
    try scenario.git(["checkout", "-q", "-b", "feature"])
    for (file, from, to) in [
      ("customers/C-0042.yaml", "tier: A", "tier: C"), ("staff/S-0012.yaml", "team: 华东一组", "team: 华东二组"),
    ] {
      try scenario.dir.write(file, try scenario.dir.read(file).replacing(from, with: to))
    }
    try scenario.git(["commit", "-q", "-am", "feature"])
    try scenario.git(["checkout", "-q", "main"])
    for (file, from, to) in [
      ("customers/C-0042.yaml", "tier: A", "tier: B"), ("staff/S-0012.yaml", "team: 华东一组", "team: 华东三组"),
    ] {
      try scenario.dir.write(file, try scenario.dir.read(file).replacing(from, with: to))
    }
    try scenario.git(["commit", "-q", "-am", "main"])
    // Rebasing the feature onto main: ours is main, theirs the feature's commit.
    try scenario.git(["checkout", "-q", "feature"])
    let rebase = try scenario.git(["rebase", "main"], allowFailure: true)
    #expect(rebase.status != 0)
    let json = try scenario.json(try scenario.tally(["conflicts", "--format", "json"]))
    #expect(json["operation"] as? String == "rebase")
    #expect(json["conflicts"] as? Int == 2)
    let all = try scenario.tally(["resolve", "--all", "--theirs"])
    #expect(all.status == 0, "\(all.stderr)")
    #expect(
      all.stdout == """
        customers/C-0042.yaml: tier ← theirs: C
        customers/C-0042.yaml: resolved and staged
        staff/S-0012.yaml: team ← theirs: 华东二组
        staff/S-0012.yaml: resolved and staged
        no conflicts left: go on with 'git rebase --continue'

        """, "\(all.stdout)")
    let next = try scenario.git(["rebase", "--continue"], allowFailure: true)
    #expect(next.status == 0, "\(next.stderr)")
    #expect(try scenario.git(["show", "HEAD:staff/S-0012.yaml"]).stdout.contains("team: 华东二组"))
    #expect(try scenario.git(["rev-parse", "HEAD~1"]).stdout == (try scenario.git(["rev-parse", "main"]).stdout))
  }

  @Test func theJSONIsTypedAndMatchesItsDocumentedSchema() throws {
    let scenario = try MergeScenario()
    let review = "reviews:\n  - period: 2026-Q1\n    plan_score: 80\n    rating: B\n"
    try scenario.dir.write("staff/S-0012.yaml", try scenario.dir.read("staff/S-0012.yaml") + review)
    try scenario.dir.write("README.md", "# 华东销售中心\n\n客户档案\n")
    try scenario.git(["add", "-A"])
    try scenario.git(["commit", "-q", "-m", "reviews"])
    func edit(_ edits: [(String, String?, String)]) throws {
      for (file, from, to) in edits {
        if let from {
          try scenario.dir.write(file, try scenario.dir.read(file).replacing(from, with: to))
        } else {
          try FileManager.default.removeItem(atPath: scenario.path + "/" + file)
        }
      }
    }
    try scenario.git(["checkout", "-q", "-b", "feature"])
    try edit([
      ("customers/C-0042.yaml", "tier: A", "tier: C"), ("staff/S-0012.yaml", "plan_score: 80", "plan_score: 90"),
      ("staff/S-0003.yaml", "team: 华东一组", "team: 华东二组"), ("README.md", "客户档案", "客户与员工档案"),
    ])
    try scenario.git(["commit", "-q", "-am", "feature"])
    try scenario.git(["checkout", "-q", "main"])
    try edit([
      ("customers/C-0042.yaml", "tier: A", "tier: B"), ("staff/S-0012.yaml", "plan_score: 80", "plan_score: 85"),
      ("staff/S-0003.yaml", nil, ""), ("README.md", "客户档案", "客户记录"),
    ])
    try scenario.git(["commit", "-q", "-am", "main"])
    #expect(try scenario.git(["merge", "-q", "feature"], allowFailure: true).status != 0)

    let result = try scenario.tally(["conflicts", "--format", "json"])
    #expect(result.status == 1, "\(result.stderr)")
    let json = try scenario.json(result)
    let files = try #require(json["files"] as? [[String: Any]])
    #expect(
      files.map { $0["path"] as? String } == [
        "README.md", "customers/C-0042.yaml", "staff/S-0003.yaml", "staff/S-0012.yaml",
      ])
    #expect(
      files.map { $0["state"] as? String } == ["both-modified", "both-modified", "deleted-by-us", "both-modified"])
    #expect(json["conflicts"] as? Int == 4)
    let lines = try #require((files[0]["conflicts"] as? [[String: Any]])?.first)
    #expect(files[0]["type"] is NSNull)
    #expect(lines["field"] is NSNull)
    #expect(lines["ours"] as? String == "客户记录\n")
    #expect(lines["theirs"] as? String == "客户与员工档案\n")
    #expect(lines["base_known"] as? Bool == false)
    #expect(lines["note"] as? String == "not a record file")
    let score = try #require((files[3]["conflicts"] as? [[String: Any]])?.first)
    #expect(score["field"] as? String == "reviews[0].plan_score")
    #expect(score["field_type"] as? String == "int")
    // Numbers as numbers.
    #expect(score["base"] as? Int == 80 && score["ours"] as? Int == 85 && score["theirs"] as? Int == 90)
    #expect(!(score["ours"] is String))
    let deleted = try #require((files[2]["conflicts"] as? [[String: Any]])?.first)
    #expect((deleted["theirs"] as? [String: Any])?["team"] as? String == "华东二组")

    let scratch = try TemporaryDirectory(prefix: "outputs")
    let file = try scratch.write("conflicts.json", result.stdout)
    let empty = try scratch.write("none.json", try MergeScenario().tally(["conflicts", "--format", "json"]).stdout)
    let interpreter = ProcessInfo.processInfo.environment["TALLY_PYTHON"].flatMap { $0.isEmpty ? nil : $0 } ?? "python3"
    let check = try TallyProcess.runProgram(
      interpreter,
      [
        Golden.directory() + "/Scripts/output_schema_check.py", Golden.directory() + "/../../docs/outputs.md",
        "conflicts=\(file)", "conflicts=\(empty)",
      ])
    #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
    #expect(check.stdout == "ok 2\n", "\(check.stdout)")

    // The table: one row per conflict, Chinese text aligned by display width.
    let table = try scenario.tally(["conflicts"])
    #expect(
      table.stdout == """
        Record           Field                             Lines  Base      Ours       Theirs
        ───────────────  ────────────────────────────────  ─────  ────────  ─────────  ──────────────
        README.md        (not a record file)                 3-7  ?         客户记录   客户与员工档案
        customer/C-0042  tier                                3-9  A         B          C
        staff/S-0003     (deleted by us, changed by them)         (record)  (deleted)  changed team
        staff/S-0012     reviews[0].plan_score             11-17  80        85         90
        4 conflicts in 4 files (merge in progress)
        resolve a field:  tally resolve customer/C-0042 tier --ours | --theirs | --base | --value VALUE
        resolve a file:   tally resolve customer/C-0042 --all --ours | --theirs
        keep or delete a record: tally resolve staff/S-0003 --ours | --theirs

        """, "\(table.stdout)")
    // Files that are not records are resolved by their path, whole.
    let readme = try scenario.tally(["resolve", "README.md", "--all", "--theirs"])
    #expect(readme.status == 0, "\(readme.stderr)")
    #expect(readme.stdout == "README.md: lines 3-7 ← theirs\nREADME.md: resolved and staged\n", "\(readme.stdout)")
    #expect(try scenario.dir.read("README.md") == "# 华东销售中心\n\n客户与员工档案\n")
  }

  @Test func outsideAMergeThereIsNothingToResolve() throws {
    let scenario = try MergeScenario()
    let listed = try scenario.tally(["conflicts", "--format", "json"])
    #expect(listed.status == 0)
    #expect(listed.stdout == "{\"version\":1,\"operation\":null,\"conflicts\":0,\"files\":[]}\n")
    let resolve = try scenario.tally(["resolve", "customer/C-0042", "tier", "--ours"])
    #expect(resolve.status == 64)
    #expect(
      resolve.stderr
        == "tally: customers/C-0042.yaml has no conflict to resolve\n  there is no merge in progress, and no conflict left\n"
    )
    let all = try scenario.tally(["resolve", "--all", "--ours"])
    #expect(all.status == 64)
    #expect(all.stderr == "tally: there is no merge in progress, and no conflict left\n")
  }
}
