/// The `ignore:` list of `tally.yaml`: files in the records repository that are not records
/// and should draw no warning (`unassigned-file`, `stray-file`) — CI configuration, a
/// pre-commit configuration, documentation. Patterns are written as in `.gitignore`:
/// `*` and `?` match within one path component, `**` across components, a trailing `/`
/// matches a directory and everything in it, and a pattern without a `/` (other than a
/// trailing one) matches a file or directory of that name at any depth.
///
/// Hidden files and directories (a component starting with `.`: `.pre-commit-config.yaml`,
/// `.github/`, `.gitlab-ci.yml`) are always ignored. An ignore pattern never hides a record:
/// a file where a record belongs is checked whatever the list says.
public struct IgnorePatterns: Sendable, Equatable {
  /// The patterns as written.
  public let patterns: [String]
  /// Each pattern split into components; `directoryOnly` when it ended in `/`.
  private let compiled: [(components: [Substring], anchored: Bool, directoryOnly: Bool)]

  /// What is always ignored, before the list.
  public static let builtIn = [".*"]

  public init(_ patterns: [String]) {
    self.patterns = patterns
    compiled = (Self.builtIn + patterns).map { pattern in
      var text = Substring(pattern)
      let directoryOnly = text.hasSuffix("/")
      while text.hasSuffix("/") { text = text.dropLast() }
      let anchored = text.contains("/")
      while text.hasPrefix("/") { text = text.dropFirst() }
      return (text.split(separator: "/", omittingEmptySubsequences: true), anchored, directoryOnly)
    }
  }

  public static func == (a: IgnorePatterns, b: IgnorePatterns) -> Bool { a.patterns == b.patterns }

  /// Whether `path` (relative to the records root, `/`-separated) is ignored: a pattern
  /// matches the file or one of the directories it is in.
  public func matches(_ path: String) -> Bool {
    let parts = path.split(separator: "/", omittingEmptySubsequences: true)
    for (components, anchored, directoryOnly) in compiled where !components.isEmpty {
      if anchored {
        // From the root: the pattern matches the path or a directory it is in.
        for end in stride(from: parts.count, through: 1, by: -1) {
          if directoryOnly && end == parts.count { continue }
          if Self.match(components[...], parts[..<end]) { return true }
        }
      } else {
        // By name at any depth: the file's name, or a directory's.
        for (index, part) in parts.enumerated() {
          if directoryOnly && index == parts.count - 1 { continue }
          if Self.glob(components[0], part) { return true }
        }
      }
    }
    return false
  }

  /// Whether the pattern's components match the path's, `**` standing for any number.
  static func match(_ pattern: ArraySlice<Substring>, _ path: ArraySlice<Substring>) -> Bool {
    guard let first = pattern.first else { return path.isEmpty }
    if first == "**" {
      let rest = pattern.dropFirst()
      for start in path.startIndex...path.endIndex where match(rest, path[start...]) { return true }
      return false
    }
    guard let head = path.first, glob(first, head) else { return false }
    return match(pattern.dropFirst(), path.dropFirst())
  }

  /// Whether one component matches a glob of `*` and `?`.
  static func glob(_ pattern: Substring, _ name: Substring) -> Bool {
    let p = Array(pattern.unicodeScalars)
    let n = Array(name.unicodeScalars)
    var (i, j) = (0, 0)
    var star = -1
    var mark = 0
    while j < n.count {
      if i < p.count, p[i] == "?" || p[i] == n[j] {
        i += 1
        j += 1
      } else if i < p.count, p[i] == "*" {
        star = i
        mark = j
        i += 1
      } else if star >= 0 {
        i = star + 1
        mark += 1
        j = mark
      } else {
        return false
      }
    }
    while i < p.count, p[i] == "*" { i += 1 }
    return i == p.count
  }
}
