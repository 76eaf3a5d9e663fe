import Foundation
import TallyTestSupport
import Testing

@testable import TallyRecords

/// A git working tree in a temporary directory, with git run the way a user would, but with
/// no global or system configuration and fixed identities and dates.
private struct Sandbox {
  let dir: TemporaryDirectory
  let home: TemporaryDirectory

  init() throws {
    dir = try TemporaryDirectory()
    home = try TemporaryDirectory()
    try git("init", "-q", "-b", "main")
  }

  var path: String { dir.path }

  var environment: [String: String] {
    [
      "HOME": home.path, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null",
      "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.cn", "GIT_COMMITTER_NAME": "Test",
      "GIT_COMMITTER_EMAIL": "test@example.cn", "GIT_AUTHOR_DATE": "2026-03-02T10:00:00+08:00",
      "GIT_COMMITTER_DATE": "2026-03-02T10:00:00+08:00",
    ]
  }

  /// Runs git in the sandbox; a failure is recorded unless `allowFailure`.
  @discardableResult
  func git(
    _ arguments: String..., environment extra: [String: String] = [:], allowFailure: Bool = false,
    sourceLocation: SourceLocation = #_sourceLocation
  ) throws -> ProcessResult {
    let result = try TallyProcess.runProgram(
      "git", arguments, in: dir.path, environment: environment.merging(extra) { $1 })
    if result.status != 0 && !allowFailure {
      Issue.record("git \(arguments.joined(separator: " ")) failed: \(result.stderr)", sourceLocation: sourceLocation)
    }
    return result
  }

  func head() throws -> String {
    try git("rev-parse", "--verify", "-q", "HEAD", allowFailure: true).stdout
  }

  /// A stand-in for `tally` that logs its arguments, one `[argument]` each, a line per run,
  /// and exits with $STUB_CHECK or $STUB_FMT (default 0).
  func writeStub(at relative: String, log: String) throws -> String {
    let path = try dir.write(
      relative,
      """
      #!/bin/sh
      for argument do printf '[%s]' "$argument"; done >>'\(log)'
      echo >>'\(log)'
      case $1 in
        check) exit "${STUB_CHECK:-0}" ;;
        fmt) exit "${STUB_FMT:-0}" ;;
      esac

      """)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
    return path
  }
}

private func permissions(_ path: String) throws -> Int {
  try (FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? -1
}

private func inode(_ path: String) throws -> UInt64 {
  try (FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? UInt64) ?? 0
}

@Suite struct HookInstallerTests {
  // MARK: Installing and removing

  @Test func theScriptQuotesWhatItRecordsAndIsValidShell() throws {
    let box = try Sandbox()
    try FileManager.default.createDirectory(atPath: box.path + "/team's records", withIntermediateDirectories: true)
    let installer = try HookInstaller(
      recordsRoot: box.path + "/team's records", executable: "/opt/tally's tools/bin/tally")
    #expect(installer.prefix == "team's records")
    let script = installer.script
    #expect(script.hasPrefix("#!/bin/sh\n"))
    #expect(script.contains(#"tally_bin='/opt/tally'\''s tools/bin/tally'"#))
    #expect(HookInstaller.assignment("tally_bin", in: script) == "/opt/tally's tools/bin/tally")
    #expect(HookInstaller.assignment("records_dir", in: script) == "team's records")
    #expect(script.contains(#"':(top,literal)team'\''s records'"#))
    let syntax = try TallyProcess.runProgram("sh", ["-n", "-c", script])
    #expect(syntax.status == 0, "\(syntax.stderr)")
  }

  @Test func installWritesAnExecutableHookAndASecondInstallChangesNothing() throws {
    let box = try Sandbox()
    let installer = try HookInstaller(recordsRoot: box.path, executable: "/usr/local/bin/tally")
    #expect(installer.prefix == "")
    #expect(try installer.install().hook == .installed(chained: nil))
    let hook = box.path + "/.git/hooks/pre-commit"
    #expect(try permissions(hook) & 0o111 == 0o111)
    let first = try box.dir.bytes(".git/hooks/pre-commit")
    #expect(String(decoding: first, as: UTF8.self) == installer.script)
    let node = try inode(hook)
    #expect(try installer.install().hook == .alreadyInstalled)
    #expect(try box.dir.bytes(".git/hooks/pre-commit") == first)
    #expect(try inode(hook) == node, "an idempotent install does not even rewrite the file")
    let status = try installer.status().preCommit
    #expect(status.state == .installed(current: true))
    #expect(status.executable == "/usr/local/bin/tally")
    #expect(status.recordsDirectory == ".")
    #expect(status.chained == nil)
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: box.path + "/.git/hooks")
      .filter { $0.contains("tally-new") }
    #expect(leftovers.isEmpty)
  }

  @Test func aForeignHookIsChainedAndUninstallRestoresItByteForByte() throws {
    let box = try Sandbox()
    let original = "#!/bin/sh\n# the team's own checks\nexit 0\n"
    let hook = try box.dir.write(".git/hooks/pre-commit", original)
    try FileManager.default.setAttributes([.posixPermissions: 0o750], ofItemAtPath: hook)
    let installer = try HookInstaller(recordsRoot: box.path, executable: "/usr/local/bin/tally")
    let chained = box.path + "/.git/hooks/pre-commit.tally-chained"
    #expect(try installer.install().hook == .installed(chained: chained))
    #expect(try box.dir.read(".git/hooks/pre-commit.tally-chained") == original)
    #expect(try box.dir.read(".git/hooks/pre-commit") == installer.script)
    #expect(try installer.status().preCommit.chained == chained)
    #expect(try installer.install().hook == .alreadyInstalled)
    #expect(try box.dir.read(".git/hooks/pre-commit.tally-chained") == original)

    #expect(try installer.uninstall().hook == .removed(restored: hook))
    #expect(try box.dir.read(".git/hooks/pre-commit") == original)
    #expect(try permissions(hook) == 0o750)
    #expect(!FileManager.default.fileExists(atPath: chained))
    #expect(try installer.uninstall().hook == .notInstalled)
    #expect(try box.dir.read(".git/hooks/pre-commit") == original)
    #expect(try installer.status().preCommit.state == .foreign)
  }

  @Test func uninstallWithoutAChainedHookRemovesTheHook() throws {
    let box = try Sandbox()
    let installer = try HookInstaller(recordsRoot: box.path, executable: nil)
    try installer.install()
    #expect(try installer.uninstall().hook == .removed(restored: nil))
    #expect(!FileManager.default.fileExists(atPath: box.path + "/.git/hooks/pre-commit"))
    #expect(try installer.status().preCommit.state == .notInstalled)
  }

  @Test func whenTheChainedNameIsTakenInstallRefusesAndChangesNothing() throws {
    let box = try Sandbox()
    try box.dir.write(".git/hooks/pre-commit", "#!/bin/sh\necho mine\n")
    try box.dir.write(".git/hooks/pre-commit.tally-chained", "#!/bin/sh\necho older\n")
    let installer = try HookInstaller(recordsRoot: box.path, executable: nil)
    #expect {
      try installer.install()
    } throws: { error in
      guard case .cannotChain(_, let reason) = error as? HookInstaller.HookError else { return false }
      return reason.contains("pre-commit.tally-chained is taken")
    }
    #expect(try box.dir.read(".git/hooks/pre-commit") == "#!/bin/sh\necho mine\n")
    #expect(try box.dir.read(".git/hooks/pre-commit.tally-chained") == "#!/bin/sh\necho older\n")
  }

  @Test func aDirectoryInTheWayCannotBeChained() throws {
    let box = try Sandbox()
    try FileManager.default.createDirectory(
      atPath: box.path + "/.git/hooks/pre-commit", withIntermediateDirectories: true)
    let installer = try HookInstaller(recordsRoot: box.path, executable: nil)
    #expect(throws: HookInstaller.HookError.self) { try installer.install() }
    #expect(!FileManager.default.fileExists(atPath: box.path + "/.git/hooks/pre-commit.tally-chained"))
  }

  @Test func coreHooksPathIsRespected() throws {
    let box = try Sandbox()
    try box.git("config", "core.hooksPath", "ci/git hooks")
    let installer = try HookInstaller(recordsRoot: box.path, executable: nil)
    #expect(try installer.hooksDirectory() == box.path + "/ci/git hooks")
    try installer.install()
    #expect(try box.dir.read("ci/git hooks/pre-commit") == installer.script)
    #expect(!FileManager.default.fileExists(atPath: box.path + "/.git/hooks/pre-commit"))
  }

  @Test func aNewBinaryUpdatesTheHookButAnotherRecordsRootIsRefused() throws {
    let box = try Sandbox()
    for name in ["east", "west"] {
      try FileManager.default.createDirectory(atPath: box.path + "/" + name, withIntermediateDirectories: true)
    }
    try HookInstaller(recordsRoot: box.path + "/east", executable: "/old/tally").install()
    let moved = try HookInstaller(recordsRoot: box.path + "/east", executable: "/new/tally")
    #expect(try moved.status().preCommit.state == .installed(current: false))
    #expect(try moved.install().hook == .updated)
    #expect(try moved.status().preCommit.executable == "/new/tally")
    let west = try HookInstaller(recordsRoot: box.path + "/west", executable: "/new/tally")
    #expect {
      try west.install()
    } throws: { error in
      guard case .otherRecordsRoot(_, let installed, let requested) = error as? HookInstaller.HookError else {
        return false
      }
      return installed == "east" && requested == "west"
    }
    #expect(try moved.status().preCommit.recordsDirectory == "east")
  }

  @Test func outsideAWorkTreeThereIsNothingToInstallInto() throws {
    let dir = try TemporaryDirectory()
    try TallyProcess.runProgram("git", ["init", "-q", "--bare", dir.path + "/server.git"])
    #expect(throws: HookInstaller.HookError.self) {
      try HookInstaller(recordsRoot: dir.path + "/server.git", executable: nil)
    }
  }

  // MARK: The diff driver

  @Test func theDiffDriverCoversTheRecordDirectoriesAndUninstallRemovesItExactly() throws {
    let box = try Sandbox()
    let original = "*.png binary\n# our own\n"
    try box.dir.write(".gitattributes", original)
    let installer = try HookInstaller(
      recordsRoot: box.path, executable: "/opt/tally/bin/tally", recordDirectories: ["customers", "staff"])
    let first = try installer.install()
    #expect(first.hook == .installed(chained: nil))
    #expect(first.drivers == HookInstaller.DriversChange(attributes: true, configuration: true))
    #expect(
      try box.dir.read(".gitattributes")
        == original + HookInstaller.attributesMarker
        + "\ncustomers/*.yaml diff=tally merge=tally\nstaff/*.yaml diff=tally merge=tally\n")
    let textconv = try box.git("config", "--get", "diff.tally.textconv").stdout
    #expect(textconv == "'/opt/tally/bin/tally' diff --git-textconv\n")
    let attributes = try box.git(
      "check-attr", "diff", "--", "customers/C-0001.yaml", "customers/old/C-0001.yaml", "notes.yaml"
    ).stdout
    #expect(
      attributes
        == "customers/C-0001.yaml: diff: tally\ncustomers/old/C-0001.yaml: diff: unspecified\nnotes.yaml: diff: unspecified\n"
    )
    #expect(try installer.status().diffDriver.state == .installed)
    #expect(try installer.status().mergeDriver.state == .installed)
    #expect(try installer.install().changedNothing)

    let mergeDriver = try box.git("config", "--get", "merge.tally.driver").stdout
    #expect(mergeDriver == "'/opt/tally/bin/tally' merge-driver %O %A %B %L %P\n")
    #expect(try box.git("config", "--get", "merge.tally.name").stdout == "tally: records merged field by field\n")
    let merge = try box.git("check-attr", "merge", "--", "customers/C-0001.yaml", "notes.yaml").stdout
    #expect(merge == "customers/C-0001.yaml: merge: tally\nnotes.yaml: merge: unspecified\n")

    let removed = try installer.uninstall()
    #expect(removed.driversRemoved)
    #expect(try box.dir.read(".gitattributes") == original)
    for key in ["diff.tally.textconv", "merge.tally.driver", "merge.tally.name"] {
      #expect(try box.git("config", "--get", key, allowFailure: true).status == 1, "\(key) is left")
    }
  }

  @Test func theDiffDriverQuotesDirectoryNamesAndWorksFromASubdirectory() throws {
    let box = try Sandbox()
    let root = box.path + "/team records"
    try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    let installer = try HookInstaller(recordsRoot: root, executable: nil, recordDirectories: ["客户 资料", "plans[old]"])
    #expect(try installer.install().drivers.attributes)
    #expect(try box.git("config", "--get", "diff.tally.textconv").stdout == "tally diff --git-textconv\n")
    let attributes = try box.git(
      "check-attr", "-z", "diff", "--", "team records/客户 资料/C-0001.yaml", "team records/plans[old]/P-1.yaml",
      "team records/plansx/P-1.yaml"
    ).stdout.split(separator: "\0").map(String.init)
    #expect(
      attributes == [
        "team records/客户 资料/C-0001.yaml", "diff", "tally", "team records/plans[old]/P-1.yaml", "diff", "tally",
        "team records/plansx/P-1.yaml", "diff", "unspecified",
      ])
    // libgit2 reads the quoted and escaped patterns as git does.
    let status = try installer.status()
    #expect(status.mergeDriver.attributedDirectories == ["客户 资料", "plans[old]"])
    #expect(status.mergeDriver.state == .installed)
    // Without other attributes, uninstalling removes the file it created.
    try installer.uninstall()
    #expect(!FileManager.default.fileExists(atPath: root + "/.gitattributes"))
  }

  // MARK: The merge driver

  @Test func anOlderDiffOnlyBlockIsUpgradedWhereItStandsAndRemovedByUninstall() throws {
    let box = try Sandbox()
    let older =
      "# tally: git diff shows records field by field (tally diff --git-textconv); 'tally hook uninstall' removes these lines\n"
      + "customers/*.yaml diff=tally\nstaff/*.yaml diff=tally\n"
    try box.dir.write(".gitattributes", "*.png binary\n" + older + "*.pdf -diff\n")
    // An older tally removes its block with nothing installed by this version.
    let remover = try HookInstaller(recordsRoot: box.path, executable: nil)
    #expect(try remover.uninstallDrivers())
    #expect(try box.dir.read(".gitattributes") == "*.png binary\n*.pdf -diff\n")

    try box.dir.write(".gitattributes", "*.png binary\n" + older + "*.pdf -diff\n")
    try box.git("config", "diff.tally.textconv", "'/old/tally' diff --git-textconv")
    let installer = try HookInstaller(
      recordsRoot: box.path, executable: "/opt/tally/bin/tally", recordDirectories: ["customers", "staff"])
    let before = try installer.status()
    #expect(before.diffDriver.state == .outOfDate)
    #expect(before.mergeDriver.state == .notInstalled)
    #expect(try installer.install().drivers == HookInstaller.DriversChange(attributes: true, configuration: true))
    #expect(
      try box.dir.read(".gitattributes")
        == "*.png binary\n" + HookInstaller.attributesMarker
        + "\ncustomers/*.yaml diff=tally merge=tally\nstaff/*.yaml diff=tally merge=tally\n*.pdf -diff\n")
    #expect(try installer.status().mergeDriver.state == .installed)
    try installer.uninstall()
    #expect(try box.dir.read(".gitattributes") == "*.png binary\n*.pdf -diff\n")
  }

  @Test func aMergeDriverThatIsNotTallysIsLeftByUninstall() throws {
    let box = try Sandbox()
    let installer = try HookInstaller(recordsRoot: box.path, executable: nil, recordDirectories: ["customers"])
    try installer.install()
    try box.git("config", "merge.tally.driver", "my-own-merge %O %A %B")
    try box.git("config", "merge.tally.name", "ours")
    #expect(try installer.status().mergeDriver.state == .outOfDate)
    try installer.uninstall()
    #expect(try box.git("config", "--get", "merge.tally.driver").stdout == "my-own-merge %O %A %B\n")
    #expect(try box.git("config", "--get", "merge.tally.name").stdout == "ours\n")
    #expect(try box.git("config", "--get", "diff.tally.textconv", allowFailure: true).status == 1)
  }

  @Test func statusSeesTheAttributeWithoutTheDriverAsGitDoes() throws {
    let box = try Sandbox()
    try box.dir.write("records/customers/C-0001.yaml", "name: a\n")
    let root = box.path + "/records"
    let installer = try HookInstaller(
      recordsRoot: root, executable: "/opt/tally/bin/tally", recordDirectories: ["customers", "staff"])
    #expect(try installer.status().mergeDriver.state == .notInstalled)
    // Set by hand, with a pattern of its own, in another attributes file than tally's.
    try box.dir.write(".gitattributes", "records/customers/C-*.yaml merge=tally\n")
    var merge = try installer.status().mergeDriver
    #expect(merge.state == .notConfigured)
    #expect(merge.attributedDirectories == ["customers"])
    #expect(merge.command == nil)
    #expect(try installer.status().diffDriver.state == .notInstalled)
    #expect(try !installer.status().isHealthy)
    // Configured by hand too: it works, but is not what install writes.
    try box.git("config", "merge.tally.driver", "tally merge-driver %O %A %B %L %P")
    merge = try installer.status().mergeDriver
    #expect(merge.state == .outOfDate)
    #expect(merge.executable == nil)
    #expect(merge.executableExists)
    try installer.install()
    merge = try installer.status().mergeDriver
    #expect(merge.state == .installed)
    #expect(merge.attributedDirectories == ["customers", "staff"])
    #expect(merge.executable == "/opt/tally/bin/tally")
    #expect(!merge.executableExists)
    #expect(!merge.isHealthy)
  }

  // MARK: The pre-merge-commit hook

  @Test func bothHooksAreInstalledChainedAndRestored() throws {
    let box = try Sandbox()
    let original = "#!/bin/sh\n# the team's merge check\nexit 0\n"
    let hook = try box.dir.write(".git/hooks/pre-merge-commit", original)
    try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: hook)
    let installer = try HookInstaller(recordsRoot: box.path, executable: "/usr/local/bin/tally")
    let result = try installer.install()
    #expect(result.hook == .installed(chained: nil))
    #expect(result.mergeHook == .installed(chained: box.path + "/.git/hooks/pre-merge-commit.tally-chained"))
    let script = try box.dir.read(".git/hooks/pre-merge-commit")
    #expect(script == installer.script(for: .preMergeCommit))
    #expect(script.contains("\n# tally-hook: pre-merge-commit 1\n"))
    #expect(script.contains(#"set -- "$@" --merging "$id""#))
    #expect(try permissions(hook) & 0o111 == 0o111)
    let syntax = try TallyProcess.runProgram("sh", ["-n", "-c", script])
    #expect(syntax.status == 0, "\(syntax.stderr)")
    let status = try installer.status().preMergeCommit
    #expect(status.state == .installed(current: true))
    #expect(status.chained == box.path + "/.git/hooks/pre-merge-commit.tally-chained")
    #expect(try installer.install().changedNothing)

    let removed = try installer.uninstall()
    #expect(removed.hook == .removed(restored: nil))
    #expect(removed.mergeHook == .removed(restored: hook))
    #expect(try box.dir.read(".git/hooks/pre-merge-commit") == original)
    #expect(try permissions(hook) == 0o700)
    #expect(!FileManager.default.fileExists(atPath: box.path + "/.git/hooks/pre-commit"))
  }

  @Test func aPreMergeCommitHookInTheWayStopsTheWholeInstall() throws {
    let box = try Sandbox()
    try box.dir.write(".git/hooks/pre-merge-commit", "#!/bin/sh\necho mine\n")
    try box.dir.write(".git/hooks/pre-merge-commit.tally-chained", "#!/bin/sh\necho older\n")
    let installer = try HookInstaller(recordsRoot: box.path, executable: nil, recordDirectories: ["customers"])
    #expect {
      try installer.install()
    } throws: { error in
      guard case .cannotChain(let hook, _) = error as? HookInstaller.HookError else { return false }
      return hook.hasSuffix("/pre-merge-commit")
    }
    #expect(!FileManager.default.fileExists(atPath: box.path + "/.git/hooks/pre-commit"))
    #expect(!FileManager.default.fileExists(atPath: box.path + "/.gitattributes"))
    #expect(try box.dir.read(".git/hooks/pre-merge-commit") == "#!/bin/sh\necho mine\n")
  }

  @Test func thePreMergeCommitHookChecksTheMergeWithTheCommitsMergedIn() throws {
    let box = try Sandbox()
    let log = box.path + "/../\(UUID().uuidString).log"
    defer { try? FileManager.default.removeItem(atPath: log) }
    let stub = try box.writeStub(at: "tools/tally", log: log)
    try box.dir.write("customers/C-0001.yaml", "name: a\ntier: A\n")
    try box.git("add", "-A")
    try box.git("commit", "-q", "-m", "base")
    try box.git("checkout", "-q", "-b", "feature")
    try box.dir.write("customers/C-0002.yaml", "name: b\n")
    try box.git("add", "-A")
    try box.git("commit", "-q", "-m", "feature")
    let feature = try box.git("rev-parse", "HEAD").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    try box.git("checkout", "-q", "main")
    try box.dir.write("customers/C-0003.yaml", "name: c\n")
    try box.git("add", "-A")
    try box.git("commit", "-q", "-m", "main")
    let main = try box.head()
    try HookInstaller(recordsRoot: box.path, executable: stub).install()

    let refused = try box.git(
      "merge", "--no-edit", "feature", environment: ["STUB_CHECK": "1"], allowFailure: true)
    #expect(refused.status != 0)
    #expect(refused.stderr.contains("tally: merge refused"))
    #expect(try String(contentsOfFile: log, encoding: .utf8) == "[check][--staged][--merging][\(feature)][--repo][.]\n")
    #expect(try box.head() == main)
    #expect(FileManager.default.fileExists(atPath: box.path + "/.git/MERGE_HEAD"))
    try box.git("merge", "--abort")

    try FileManager.default.removeItem(atPath: log)
    try box.git("merge", "--no-edit", "feature")
    let runs = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
    #expect(
      runs == ["[check][--staged][--merging][\(feature)][--repo][.]", "[fmt][--check][--][customers/C-0002.yaml]"])
    #expect(try box.git("rev-parse", "HEAD^2").stdout.trimmingCharacters(in: .whitespacesAndNewlines) == feature)
  }

  // MARK: What the hook does (with a stand-in for tally)

  @Test func theHookRunsCheckThenFmtOnTheStagedYAMLFilesUnderTheRecords() throws {
    let box = try Sandbox()
    let log = box.path + "/../\(UUID().uuidString).log"
    defer { try? FileManager.default.removeItem(atPath: log) }
    let stub = try box.writeStub(at: "tools/tally", log: log)
    let root = box.path + "/team records"
    try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    try HookInstaller(recordsRoot: root, executable: stub).install()
    try box.dir.write("team records/customers/C-0001.yaml", "name: a\n")
    try box.dir.write("team records/客户 资料/甲 乙.yaml", "name: b\n")
    try box.dir.write("team records/notes.txt", "not yaml\n")
    try box.dir.write("team records/.hidden/x.yaml", "name: c\n")
    try box.dir.write("team records/gone.yaml", "name: d\n")
    try box.dir.write("elsewhere/config.yaml", "x: 1\n")
    try box.git("add", "-A")
    try FileManager.default.removeItem(atPath: root + "/gone.yaml")
    try box.git("commit", "-q", "-m", "records")
    let runs = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
    #expect(
      runs == [
        "[check][--staged][--repo][team records]",
        "[fmt][--check][--][team records/customers/C-0001.yaml][team records/客户 资料/甲 乙.yaml]",
      ])
    #expect(try box.head().count == 41)
  }

  @Test func aFailedCheckRefusesTheCommitAndSkipsFmt() throws {
    let box = try Sandbox()
    let log = box.path + "/../\(UUID().uuidString).log"
    defer { try? FileManager.default.removeItem(atPath: log) }
    let stub = try box.writeStub(at: "tools/tally", log: log)
    try HookInstaller(recordsRoot: box.path, executable: stub).install()
    try box.dir.write("customers/C-0001.yaml", "name: a\n")
    try box.git("add", "-A")
    let refused = try box.git("commit", "-q", "-m", "x", environment: ["STUB_CHECK": "1"], allowFailure: true)
    #expect(refused.status != 0)
    #expect(refused.stderr.contains("tally: commit refused"))
    #expect(try box.head().isEmpty)
    #expect(try String(contentsOfFile: log, encoding: .utf8) == "[check][--staged][--repo][.]\n")

    let unformatted = try box.git("commit", "-q", "-m", "x", environment: ["STUB_FMT": "1"], allowFailure: true)
    #expect(unformatted.status != 0)
    #expect(unformatted.stderr.contains("not in canonical form"))
    #expect(try box.head().isEmpty)
  }

  @Test func nothingStagedUnderTheRecordsMeansNothingToCheck() throws {
    let box = try Sandbox()
    let log = box.path + "/../\(UUID().uuidString).log"
    defer { try? FileManager.default.removeItem(atPath: log) }
    let stub = try box.writeStub(at: "tools/tally", log: log)
    try box.git("add", "-A")
    try box.git("commit", "-q", "-m", "tools")
    try FileManager.default.createDirectory(atPath: box.path + "/records", withIntermediateDirectories: true)
    try HookInstaller(recordsRoot: box.path + "/records", executable: stub).install()
    try box.dir.write("src/main.c", "int main(void) { return 0; }\n")
    try box.git("add", "-A")
    try box.git("commit", "-q", "-m", "code", environment: ["STUB_CHECK": "1"])
    #expect(!FileManager.default.fileExists(atPath: log))
  }

  @Test func aFailingChainedHookStopsTheCommitWithItsExitStatus() throws {
    let box = try Sandbox()
    let log = box.path + "/../\(UUID().uuidString).log"
    defer { try? FileManager.default.removeItem(atPath: log) }
    let stub = try box.writeStub(at: "tools/tally", log: log)
    let hook = try box.dir.write(".git/hooks/pre-commit", "#!/bin/sh\necho 'team check failed' >&2\nexit 3\n")
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: hook)
    try HookInstaller(recordsRoot: box.path, executable: stub).install()
    try box.dir.write("customers/C-0001.yaml", "name: a\n")
    try box.git("add", "-A")
    let direct = try TallyProcess.runProgram(hook, [], in: box.path, environment: box.environment)
    #expect(direct.status == 3)
    #expect(direct.stderr.contains("team check failed"))
    #expect(!FileManager.default.fileExists(atPath: log), "tally does not run after the chained hook failed")
    let commit = try box.git("commit", "-q", "-m", "x", allowFailure: true)
    #expect(commit.status != 0)
    #expect(commit.stderr.contains("team check failed"))
  }

  @Test func theHookFallsBackToTallyOnPathAndSaysSoWhenThereIsNone() throws {
    let box = try Sandbox()
    let log = box.path + "/../\(UUID().uuidString).log"
    defer { try? FileManager.default.removeItem(atPath: log) }
    _ = try box.writeStub(at: "bin/tally", log: log)
    try HookInstaller(recordsRoot: box.path, executable: box.path + "/gone/tally").install()
    try box.dir.write("customers/C-0001.yaml", "name: a\n")
    try box.git("add", "-A")
    let missing = try box.git("commit", "-q", "-m", "x", environment: ["PATH": "/usr/bin:/bin"], allowFailure: true)
    #expect(missing.status != 0)
    #expect(missing.stderr.contains("cannot find tally: not at '\(box.path)/gone/tally', and not on PATH"))
    try box.git("commit", "-q", "-m", "x", environment: ["PATH": box.path + "/bin:/usr/bin:/bin"])
    #expect(try String(contentsOfFile: log, encoding: .utf8).hasPrefix("[check][--staged]"))
  }
}
