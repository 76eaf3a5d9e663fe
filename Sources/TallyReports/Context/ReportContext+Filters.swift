import TallyHistory
import TallySchema
import TallyText

/// A `--team` or `--owner` that names nobody: a report filtered by it would be all zeros,
/// so it is refused, with the likely name.
public struct ReportFilterError: Error, CustomStringConvertible, Sendable {
  /// `--team` or `--owner`.
  public var option: String
  public var value: String
  public var suggestion: String?
  /// What is known, listed when there is no likely name.
  public var known: [String]

  public var description: String {
    let what = option == "--team" ? "no team" : "no staff member"
    var text = "\(option): \(what) '\(value)' in the staff records"
    if let suggestion {
      text += " (did you mean \(suggestion)?)"
    } else if !known.isEmpty {
      let shown = known.prefix(12).joined(separator: ", ") + (known.count > 12 ? ", …" : "")
      text += " (\(option == "--team" ? "teams" : "staff"): \(shown))"
    }
    return text
  }
}

extension ReportContext {
  /// The staff records a filter may name: at the report's commit, and as they stood on the
  /// report's day and at the end of its period (people and teams may be gone since).
  func filterStaff() throws -> [String: EncodedValue] {
    var staff: [String: EncodedValue] = [:]
    var sets = [try current("staff"), try records("staff", at: at)]
    if let period { sets.append(try records("staff", at: period.end)) }
    for set in sets {
      for (id, value) in set.records where staff[id] == nil { staff[id] = value }
    }
    return staff
  }

  /// The teams of the staff records, in natural order (华东一组, 华东二组, …).
  public func knownTeams() throws -> [String] {
    NaturalOrder.sorted(Set(try filterStaff().values.compactMap { $0.string("team") }))
  }

  /// Checks `--team` and `--owner` against the staff records.
  ///
  /// - Throws: ``ReportFilterError`` when one names nobody, with the likely team or person.
  public func checkFilters() throws {
    guard team != nil || owner != nil else { return }
    let staff = try filterStaff()
    if let team {
      let teams = NaturalOrder.sorted(Set(staff.values.compactMap { $0.string("team") }))
      if !teams.contains(team) {
        throw ReportFilterError(
          option: "--team", value: team, suggestion: Self.likelyTeam(team, among: teams), known: teams)
      }
    }
    if let owner, staff[owner] == nil {
      let ids = staff.keys.sorted()
      func named(_ id: String) -> String {
        staff[id]?.string("name").map { "\(id) (\($0))" } ?? id
      }
      // A name given for an id ("王芳"), else the closest id (S-012 → S-0012).
      let byName = ids.filter { staff[$0]?.string("name") == owner }
      let suggestion =
        byName.isEmpty
        ? Suggestions.closest(to: owner, among: ids).map(named) : byName.map(named).joined(separator: " or ")
      throw ReportFilterError(option: "--owner", value: owner, suggestion: suggestion, known: ids.map(named))
    }
  }

  /// The team a mistyped name most likely means: the same name with its numbers written the
  /// other way (华东2组 → 华东二组), the only team containing it (二组 → 华东二组), or the
  /// closest by edit distance.
  static func likelyTeam(_ text: String, among teams: [String]) -> String? {
    let key = NaturalOrder.tokens(text)
    if let same = teams.first(where: { NaturalOrder.tokens($0) == key }) { return same }
    let containing = teams.filter { $0.contains(text) }
    if containing.count == 1 { return containing[0] }
    return Suggestions.closest(to: text, among: teams)
  }
}
