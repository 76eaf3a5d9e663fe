import TallyGit
import TallyRecords
import TallySchema
import TallyText

/// What ``PolicyChecker`` found: per commit, who acted and each operation the policy does
/// not allow, as diagnostics (`commit 1a2b3c4 customers/C-0042.yaml:8:8: error[policy]: …`).
public struct PolicyReport: Sendable {
  public struct CommitResult: Sendable {
    public var commit: ObjectID
    public var summary: String
    public var actor: Person?
    public var diagnostics: [Diagnostic] = []
    /// The files the diagnostics point into, as the commit (or, for policy.yaml, the
    /// policy it was judged by) has them: shown as excerpts.
    public var sources: [String: [UInt8]] = [:]

    public init(commit: ObjectID, summary: String, actor: Person?) {
      self.commit = commit
      self.summary = summary
      self.actor = actor
    }
  }

  public var results: [CommitResult]

  public init(results: [CommitResult]) { self.results = results }

  public var violations: Int { results.reduce(0) { $0 + $1.diagnostics.count } }
  public var refused: Bool { violations > 0 }

  /// Each violation as a diagnostic led by its commit, then a summary line.
  public func text(color: Bool) -> String {
    let renderer = DiagnosticRenderer(color: color)
    var out = ""
    for result in results {
      for diagnostic in result.diagnostics {
        out +=
          "commit \(result.commit.short()) "
          + renderer.render(diagnostic) { path in result.sources[path].map { SourceFile(path: path, bytes: $0) } }
      }
    }
    return out + summary + "\n"
  }

  /// "policy: 3 commits checked, 2 violations in 1 commit".
  public var summary: String {
    let bad = results.filter { !$0.diagnostics.isEmpty }.count
    var out = "policy: checked \(Wording.count(results.count, "commit"))"
    if bad == 0 {
      out += ", every change allowed"
    } else {
      out += ", \(Wording.count(violations, "violation")) in \(Wording.count(bad, "commit"))"
    }
    return out
  }

  /// `{"version":1,"commits":[{"commit","summary","actor","violations":[diagnostic…]}],"violations":N}`.
  public func json() -> [UInt8] {
    var out = JSONWriter()
    out.raw("{\"version\":1,\"commits\":[")
    for result in results {
      out.separate()
      out.raw("\n{\"commit\":\"\(result.commit.hex)\",\"summary\":")
      out.string(result.summary)
      out.raw(",\"actor\":")
      if let actor = result.actor {
        out.raw("{\"id\":")
        out.string(actor.id)
        out.raw(",\"name\":")
        out.string(orNull: actor.name)
        out.raw("}")
      } else {
        out.null()
      }
      out.raw(",\"violations\":[")
      for diagnostic in result.diagnostics {
        out.separate()
        out.diagnostic(diagnostic)
      }
      out.raw("]}")
    }
    out.raw("\n],\"violations\":\(violations)}\n")
    return out.bytes
  }
}
