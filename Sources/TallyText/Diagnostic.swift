/// How serious a diagnostic is.
public enum Severity: String, Sendable, Hashable, Comparable, CaseIterable, Codable {
  case error
  case warning
  case note

  private var rank: Int {
    switch self {
    case .error: 0
    case .warning: 1
    case .note: 2
    }
  }

  public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
}

/// One problem found in the input: a value that is collected, never thrown.
///
/// Every diagnostic has a stable `code` (documented in `docs/diagnostics.md`), a message
/// that says what is wrong, and usually a `hint` that says what to write instead.
public struct Diagnostic: Sendable, Hashable {
  /// A secondary position that helps explain the problem ("first defined here").
  public struct Note: Sendable, Hashable {
    public var message: String
    public var path: String?
    public var range: SourceRange?

    public init(message: String, path: String? = nil, range: SourceRange? = nil) {
      self.message = message
      self.path = path
      self.range = range
    }
  }

  public var severity: Severity
  public var code: String
  public var message: String
  /// The file the diagnostic is about, relative to where the user ran the command.
  public var path: String
  /// Where in the file; `nil` for problems with the file as a whole.
  public var range: SourceRange?
  public var hint: String?
  public var notes: [Note]
  /// The field of the record the diagnostic is about (`follow_ups[2].date`), when it is
  /// about one.
  public var field: String?

  public init(
    _ severity: Severity, code: String, message: String, path: String = "",
    range: SourceRange? = nil, hint: String? = nil, notes: [Note] = [], field: String? = nil
  ) {
    self.severity = severity
    self.code = code
    self.message = message
    self.path = path
    self.range = range
    self.hint = hint
    self.notes = notes
    self.field = field
  }

  /// Orders diagnostics by file, then position, then severity and code.
  public static func sortOrder(_ lhs: Diagnostic, _ rhs: Diagnostic) -> Bool {
    if lhs.path != rhs.path { return lhs.path < rhs.path }
    let l = lhs.range?.start.offset ?? -1
    let r = rhs.range?.start.offset ?? -1
    if l != r { return l < r }
    if lhs.severity != rhs.severity { return lhs.severity < rhs.severity }
    if lhs.code != rhs.code { return lhs.code < rhs.code }
    return lhs.message < rhs.message
  }
}

extension Array where Element == Diagnostic {
  public var hasErrors: Bool { contains { $0.severity == .error } }
  public var errorCount: Int { reduce(0) { $0 + ($1.severity == .error ? 1 : 0) } }
  public var warningCount: Int { reduce(0) { $0 + ($1.severity == .warning ? 1 : 0) } }
}
