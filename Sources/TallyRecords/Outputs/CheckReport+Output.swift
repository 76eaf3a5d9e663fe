import TallyText

/// How `tally check` prints: people read text, programs JSON (docs/outputs.md), CI systems
/// GitHub annotations.
public enum CheckFormat: String, Sendable, CaseIterable {
  case text
  case json
  case github
}

extension CheckReport {
  /// "checked 449 records: 3 errors, 1 warning", or "... : no problems".
  public var summary: String {
    let records = Wording.count(recordCount, "record")
    if errorCount == 0 && warningCount == 0 { return "checked \(records): no problems" }
    var parts: [String] = []
    if errorCount > 0 { parts.append(Wording.count(errorCount, "error")) }
    if warningCount > 0 { parts.append(Wording.count(warningCount, "warning")) }
    return "checked \(records): " + parts.joined(separator: ", ")
  }

  /// Every problem rendered like a compiler's (with the source line and an underline), then
  /// the summary.
  public func text(color: Bool) -> String {
    let renderer = DiagnosticRenderer(color: color)
    var cache: [String: SourceFile?] = [:]
    var out = ""
    for diagnostic in diagnostics {
      out += renderer.render(diagnostic) { path in
        if let cached = cache[path] { return cached }
        let file = source(path)
        cache[path] = file
        return file
      }
    }
    return out + summary + "\n"
  }

  /// `{"version":1,"records","files","errors","warnings","diagnostics":[...]}`.
  public func json() -> [UInt8] {
    var out = JSONWriter()
    out.raw("{\"version\":1,\"records\":\(recordCount),\"files\":\(fileCount),")
    out.raw("\"errors\":\(errorCount),\"warnings\":\(warningCount),\"diagnostics\":[")
    for diagnostic in diagnostics {
      out.separate()
      out.raw("\n")
      out.diagnostic(diagnostic)
    }
    out.raw("\n]}\n")
    return out.bytes
  }

  /// One GitHub Actions annotation per problem, then the summary.
  public func github() -> String {
    diagnostics.map { $0.githubAnnotation + "\n" }.joined() + summary + "\n"
  }

  /// The report in `format`.
  public func rendered(_ format: CheckFormat, color: Bool) -> [UInt8] {
    switch format {
    case .text: Array(text(color: color).utf8)
    case .json: json()
    case .github: Array(github().utf8)
    }
  }

  /// Whether the check failed: errors, or with `strict` warnings too.
  public func failed(strict: Bool) -> Bool { errorCount > 0 || (strict && warningCount > 0) }
}
