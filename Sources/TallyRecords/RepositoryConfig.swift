import TallySchema
import TallyText

/// `tally.yaml`: what marks a records repository and how it is set up.
public struct RepositoryConfig: Sendable {
  /// The format version of the repository.
  public var version: Int = 1
  /// The directory (relative to the records root) that holds the schema files.
  public var schemaDirectory: String = "schema"
  /// The time zone dates from commits are read in (an IANA name such as Asia/Shanghai).
  public var timeZone: String = "UTC"
  /// The currency of money fields that do not name one.
  public var currency: String = "CNY"
  /// The language reports are written in when the command does not choose one (`--lang`).
  public var language: ReportLanguage = .en
  /// Days between contacts per customer tier, for the call-back report (`A: 14`).
  public var followUpIntervals: [(tier: String, days: Int)] = []
  /// Other report settings, kept as written.
  public var reports: Value?
  /// Files that are not records and draw no warning (``IgnorePatterns``).
  public var ignore = IgnorePatterns([])

  public init() {}

  public static let supportedVersions = 1...1
  static let keys = [
    "version", "schema_dir", "time_zone", "currency", "language", "follow_up_intervals", "reports", "ignore",
  ]

  /// Reads `tally.yaml`; every problem is a diagnostic, and the defaults stand in for what is
  /// missing or wrong.
  public static func load(_ bytes: [UInt8], path: String) -> (RepositoryConfig, [Diagnostic]) {
    var config = RepositoryConfig()
    let result = SyntaxTree.parse(bytes, path: path)
    var diagnostics = result.diagnostics
    guard let tree = result.tree else { return (config, diagnostics) }
    let root = tree.root
    func report(_ code: String, _ message: String, _ node: SyntaxNode?, hint: String? = nil) {
      diagnostics.append(
        Diagnostic(
          .error, code: code, message: message, path: path, range: node?.range ?? SourceRange(at: .start), hint: hint))
    }
    for entry in root.entries {
      guard let key = entry.key.text, !keys.contains(key) else { continue }
      var hint = "settings: " + keys.joined(separator: ", ")
      if let suggestion = Suggestions.closest(to: key, among: keys) { hint = "did you mean '\(suggestion)'?" }
      diagnostics.append(
        Diagnostic(
          .error, code: "config-unknown-key", message: "unknown setting '\(key)' in tally.yaml", path: path,
          range: entry.key.range, hint: hint))
    }
    if let node = root["version"] {
      if let text = node.text, let version = Int(text), supportedVersions.contains(version) {
        config.version = version
      } else {
        report(
          "config-version", "tally.yaml version '\(node.text ?? "")' is not supported", node,
          hint: "this Tally reads version \(supportedVersions.upperBound)")
      }
    } else {
      report("config-missing", "tally.yaml has no 'version'", nil, hint: "add 'version: 1'")
    }
    if let node = root["schema_dir"] {
      if let text = node.text, !text.isEmpty, !text.hasPrefix("/"), !text.contains("..") {
        config.schemaDirectory = text.hasSuffix("/") ? String(text.dropLast()) : text
      } else {
        report("config-bad-value", "schema_dir must be a directory inside the records repository", node)
      }
    }
    if let node = root["time_zone"] {
      if let text = node.text, TimeZones.offsetMinutes(text) != nil {
        config.timeZone = text
      } else {
        report(
          "config-bad-value", "'\(node.text ?? "")' is not a time zone Tally knows", node,
          hint: "use an IANA name such as Asia/Shanghai, or UTC, or an offset like +08:00")
      }
    }
    if let node = root["currency"] {
      if let text = node.text, text.count == 3, text.allSatisfy({ $0.isASCII && $0.isUppercase }) {
        config.currency = text
      } else {
        report("config-bad-value", "currency must be a three-letter code such as CNY", node)
      }
    }
    if let node = root["language"] {
      if let text = node.text, let language = ReportLanguage(rawValue: text) {
        config.language = language
      } else {
        report(
          "config-bad-value", "'\(node.text ?? "")' is not a language Tally's reports are written in", node,
          hint: "use zh (Chinese) or en (English)")
      }
    }
    if let node = root["follow_up_intervals"] {
      if node.isMapping {
        for entry in node.entries {
          guard let tier = entry.key.text else { continue }
          if let text = entry.value.text, let days = Int(text), days > 0 {
            config.followUpIntervals.append((tier, days))
          } else {
            report("config-bad-value", "the interval for tier '\(tier)' must be a number of days", entry.value)
          }
        }
      } else {
        report("config-bad-value", "follow_up_intervals maps each tier to a number of days (A: 14)", node)
      }
    }
    if let node = root["ignore"] {
      let items = node.items.map { $0.text }
      if node.isSequence, items.allSatisfy({ $0 != nil && !$0!.isEmpty }) {
        config.ignore = IgnorePatterns(items.map { $0! })
      } else {
        report(
          "config-bad-value", "ignore is a list of file patterns, as in .gitignore", node,
          hint: "for example: ignore: [docs/, mkdocs.yaml]")
      }
    }
    config.reports = root["reports"]?.value
    return (config, diagnostics)
  }
}
