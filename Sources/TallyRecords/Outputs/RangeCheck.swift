import TallyText

/// `tally check --range A..B`: every commit against its parent, the problems each one
/// introduced, and the first bad commit.
public struct RangeCheck: Sendable {
  public var results: [GitChecker.CommitResult]
  /// Warnings make a commit bad too.
  public var strict: Bool

  public init(results: [GitChecker.CommitResult], strict: Bool) {
    self.results = results
    self.strict = strict
  }

  /// The one verdict: a commit is bad when it introduced an error (or, `strict`, a warning).
  public func isBad(_ result: GitChecker.CommitResult) -> Bool {
    result.introduced.contains { $0.severity == .error || (strict && $0.severity == .warning) }
  }

  public var firstBad: GitChecker.CommitResult? { results.first(where: isBad) }
  public var failed: Bool { firstBad != nil }

  /// The commits that introduced problems, each with its problems, then a summary that
  /// names the first bad commit.
  public func text(color: Bool) -> String {
    let renderer = DiagnosticRenderer(color: color)
    var out = ""
    for result in results where !result.introduced.isEmpty {
      out += "commit \(result.commit.id.short()) \(result.commit.summary)\n"
      for diagnostic in result.introduced {
        out += renderer.render(diagnostic) { result.report.source($0) }
      }
      out += "\n"
    }
    return out + summary + "\n"
  }

  /// "checked 3 commits: 1 with problems; first bad commit abce037 (tier Z)".
  public var summary: String {
    let problems = results.filter { !$0.introduced.isEmpty }.count
    var out = "checked \(Wording.count(results.count, "commit"))"
    if let firstBad {
      out += ": \(problems) with problems; first bad commit \(firstBad.commit.id.short()) (\(firstBad.commit.summary))"
    } else if problems > 0 {
      out += ": \(problems) with warnings"
    } else {
      out += ": no problems"
    }
    return out
  }

  /// One GitHub Actions annotation per problem introduced, then the summary.
  public func github() -> String {
    results.flatMap(\.introduced).map { $0.githubAnnotation + "\n" }.joined() + summary + "\n"
  }

  /// `{"version":1,"commits":[{"commit","summary","errors","warnings","diagnostics"}],"first_bad"}`.
  public func json() -> [UInt8] {
    var out = JSONWriter()
    out.raw("{\"version\":1,\"commits\":[")
    for result in results {
      out.separate()
      out.raw("\n{\"commit\":\"\(result.commit.id.hex)\",\"summary\":")
      out.string(result.commit.summary)
      out.raw(",\"errors\":\(result.introduced.errorCount),\"warnings\":\(result.introduced.warningCount),")
      out.raw("\"diagnostics\":[")
      for diagnostic in result.introduced {
        out.separate()
        out.diagnostic(diagnostic)
      }
      out.raw("]}")
    }
    out.raw("\n],\"first_bad\":")
    out.string(orNull: firstBad?.commit.id.hex)
    out.raw("}\n")
    return out.bytes
  }

  public func rendered(_ format: CheckFormat, color: Bool) -> [UInt8] {
    switch format {
    case .text: Array(text(color: color).utf8)
    case .json: json()
    case .github: Array(github().utf8)
    }
  }
}
