import TallyGit
import TallySchema
import TallyText

/// What `tally commit` did: the plan (the changes, the check, the message), the commit made
/// (nil when refused, for a dry run, or when only layout changed) and the branch.
public struct CommitOutcome: Sendable {
  public var plan: Committer.Plan
  public var commit: CommitID?
  public var branch: String?
  public var dryRun: Bool

  /// The problems (all when refused, else the warnings), then the new commit and its files,
  /// or what a dry run would commit, or why nothing was committed. Paths are shown by
  /// `display`.
  public func text(color: Bool, display: (String) -> String) -> String {
    var out = ""
    if plan.isRefused || plan.report.warningCount > 0 {
      let renderer = DiagnosticRenderer(color: color)
      for diagnostic in plan.report.diagnostics {
        out += renderer.render(diagnostic) { plan.report.source($0) }
      }
    }
    if plan.isRefused {
      return out + "tally: commit refused: \(plan.report.summary); nothing was changed\n"
    }
    let canonical = dryRun ? "would be made canonical" : "now canonical"
    if let commit {
      out += "[\(branch ?? "HEAD") \(commit.short())] \(plan.message.split(separator: "\n").first ?? "")\n"
      if !plan.mergeHeads.isEmpty {
        out += " merged \(plan.mergeHeads.map { $0.short() }.joined(separator: ", "))\n"
      }
    } else if plan.isEmpty {
      return out
        + "only layout changed in \(Self.list(plan.layoutOnly.map(display))); \(canonical), nothing to commit\n"
    } else {
      out += "would commit (dry run):\n\n" + plan.message + "\n\n"
    }
    for change in plan.changes {
      out += " \(change.kind.rawValue) \(display(change.path))"
      out += change.reformatted ? "  (formatted)\n" : "\n"
    }
    if !plan.layoutOnly.isEmpty {
      out += "only layout changed in \(Self.list(plan.layoutOnly.map(display))): \(canonical), not committed\n"
    }
    return out
  }

  /// Paths for one line: all of a few, the first few and how many more of many.
  static func list(_ paths: [String], most: Int = 5) -> String {
    if paths.count <= most { return paths.joined(separator: ", ") }
    return "\(paths.count) files (" + paths.prefix(3).joined(separator: ", ") + ", …)"
  }

  /// `{"version":1,"committed","dry_run","commit","branch","merge_parents","layout_only",
  /// "message","changes":[{"path","kind","formatted"}],"errors","warnings","diagnostics"}`.
  public func json() -> [UInt8] {
    var out = JSONWriter()
    out.raw("{\"version\":1,\"committed\":\(commit != nil),\"dry_run\":\(dryRun),")
    out.raw("\"commit\":")
    out.string(orNull: commit?.hex)
    out.raw(",\"branch\":")
    out.string(orNull: branch)
    out.raw(",\"merge_parents\":[")
    for parent in plan.mergeHeads {
      out.separate()
      out.string(parent.hex)
    }
    out.raw("],\"layout_only\":[")
    for path in plan.layoutOnly {
      out.separate()
      out.string(path)
    }
    out.raw("],\"message\":")
    out.string(plan.message)
    out.raw(",\"changes\":[")
    for change in plan.changes {
      out.separate()
      out.raw("{\"path\":")
      out.string(change.path)
      out.raw(",\"kind\":\"\(change.kind.rawValue)\",\"formatted\":\(change.reformatted)}")
    }
    out.raw("],\"errors\":\(plan.report.errorCount),\"warnings\":\(plan.report.warningCount),\"diagnostics\":[")
    for diagnostic in plan.report.diagnostics {
      out.separate()
      out.diagnostic(diagnostic)
    }
    out.raw("]}\n")
    return out.bytes
  }
}

extension Committer {
  /// A committer for the records of `records`, in the git repository they are in.
  public convenience init(records: RecordsRepository, today: CivilDate) throws {
    let (git, prefix) = try records.gitRepository()
    self.init(records: records, git: git, prefix: prefix, today: today)
  }

  /// `tally commit`: makes the commit of `selection` (see ``commit(_:message:)``), or with
  /// `dryRun` only works it out. Throws ``CommitError/nothingToCommit`` when there is
  /// nothing to commit and nothing to make canonical.
  public func run(_ selection: Selection, message: String?, dryRun: Bool) throws -> CommitOutcome {
    let plan: Plan
    var commit: CommitID?
    if dryRun {
      plan = try self.plan(selection, message: message, staged: StagedIndex.read(git))
      if plan.isEmpty && plan.layoutOnly.isEmpty { throw CommitError.nothingToCommit }
    } else {
      (plan, commit) = try self.commit(selection, message: message)
    }
    return CommitOutcome(plan: plan, commit: commit, branch: try? git.headState().branch, dryRun: dryRun)
  }
}
