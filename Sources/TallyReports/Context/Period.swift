import TallySchema

/// A span of days, inclusive: `2026-Q1`, `2026-03`, `2026-W10` (ISO week), `FROM..TO`, or
/// one day.
public struct Period: Sendable, Equatable, CustomStringConvertible {
  public var start: CivilDate
  public var end: CivilDate
  /// How it was written, for titles.
  public var label: String

  public init(start: CivilDate, end: CivilDate, label: String) {
    self.start = start
    self.end = end
    self.label = label
  }

  public var description: String { label }
  public var days: Int { end.dayNumber - start.dayNumber + 1 }

  public func contains(_ day: CivilDate) -> Bool { day >= start && day <= end }

  /// Parses a period; nil with no reason when it is not one (the caller says what to write).
  public static func parse(_ text: String) -> Period? {
    if let range = text.range(of: "..") {
      guard let from = CivilDate(String(text[..<range.lowerBound])),
        let to = CivilDate(String(text[range.upperBound...])), from <= to
      else { return nil }
      return Period(start: from, end: to, label: text)
    }
    if let day = CivilDate(text) { return Period(start: day, end: day, label: text) }
    let parts = text.split(separator: "-", omittingEmptySubsequences: false)
    guard parts.count == 2, parts[0].count == 4, let year = Int(parts[0]), year >= 1900, year <= 9999 else {
      return nil
    }
    let rest = String(parts[1])
    if rest.hasPrefix("Q"), let quarter = Int(rest.dropFirst()), (1...4).contains(quarter), rest.count == 2 {
      let start = CivilDate(year: year, month: quarter * 3 - 2, day: 1)
      let end = monthEnd(year, quarter * 3)
      return Period(start: start, end: end, label: text)
    }
    if rest.hasPrefix("W"), let week = Int(rest.dropFirst()), (1...53).contains(week), rest.count == 3 {
      // ISO week: week 1 holds the year's first Thursday.
      let jan4 = CivilDate(year: year, month: 1, day: 4)
      let weekday = (jan4.dayNumber + 3) % 7  // Monday = 0 (1970-01-01 was a Thursday)
      let monday = jan4.dayNumber - (weekday < 0 ? weekday + 7 : weekday) + (week - 1) * 7
      if week == 53 {
        let nextJan4 = CivilDate(year: year + 1, month: 1, day: 4)
        let nextWeekday = (nextJan4.dayNumber + 3) % 7
        guard monday + 7 <= nextJan4.dayNumber - nextWeekday else { return nil }
      }
      return Period(start: CivilDate(dayNumber: monday), end: CivilDate(dayNumber: monday + 6), label: text)
    }
    if rest.count == 2, let month = Int(rest), (1...12).contains(month) {
      return Period(start: CivilDate(year: year, month: month, day: 1), end: monthEnd(year, month), label: text)
    }
    return nil
  }

  static func monthEnd(_ year: Int, _ month: Int) -> CivilDate {
    let next =
      month == 12 ? CivilDate(year: year + 1, month: 1, day: 1) : CivilDate(year: year, month: month + 1, day: 1)
    return CivilDate(dayNumber: next.dayNumber - 1)
  }

  /// The months the period touches, as `YYYY-MM`.
  public var months: [String] {
    var result: [String] = []
    var day = start
    while day <= end {
      let label = String(day.description.prefix(7))
      if result.last != label { result.append(label) }
      day = CivilDate(dayNumber: day.dayNumber + 1)
    }
    return result
  }

  /// ISO week label (`2026-W10`) of a day.
  public static func weekLabel(_ day: CivilDate) -> String {
    let weekday = ((day.dayNumber + 3) % 7 + 7) % 7
    let thursday = CivilDate(dayNumber: day.dayNumber - weekday + 3)
    let year = thursday.year
    let jan1 = CivilDate(year: year, month: 1, day: 1)
    let week = (thursday.dayNumber - jan1.dayNumber) / 7 + 1
    return "\(year)-W\(week < 10 ? "0" : "")\(week)"
  }
}
