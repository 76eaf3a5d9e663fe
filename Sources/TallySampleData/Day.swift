/// A calendar day in China Standard Time (no time zone arithmetic is ever needed).
struct Day: Comparable, Hashable, Sendable, Strideable {
  /// Days since 1970-01-01.
  var number: Int

  init(number: Int) {
    self.number = number
  }

  init(_ year: Int, _ month: Int, _ day: Int) {
    // Howard Hinnant's days_from_civil.
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let mp = (month + 9) % 12
    let doy = (153 * mp + 2) / 5 + day - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    number = era * 146_097 + doe - 719_468
  }

  /// Year, month and day.
  var civil: (year: Int, month: Int, day: Int) {
    // Howard Hinnant's civil_from_days.
    let z = number + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let doe = z - era * 146_097
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let d = doy - (153 * mp + 2) / 5 + 1
    let m = mp < 10 ? mp + 3 : mp - 9
    return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
  }

  var year: Int { civil.year }
  var month: Int { civil.month }
  var dayOfMonth: Int { civil.day }

  /// 1 = Monday ... 7 = Sunday (1970-01-01 was a Thursday).
  var weekday: Int {
    let w = (number + 3) % 7
    return (w < 0 ? w + 7 : w) + 1
  }

  var isWeekend: Bool { weekday >= 6 }

  /// The day itself, or the Friday before it when it falls on a weekend.
  var rollingBackFromWeekend: Day {
    switch weekday {
    case 6: adding(-1)
    case 7: adding(-2)
    default: self
    }
  }

  /// The day itself, or the Monday after it when it falls on a weekend.
  var skippingWeekend: Day {
    switch weekday {
    case 6: adding(2)
    case 7: adding(1)
    default: self
    }
  }

  /// The quarter, 1...4.
  var quarter: Int { (month - 1) / 3 + 1 }

  /// `YYYY-MM-DD`.
  var text: String {
    let (y, m, d) = civil
    return "\(y)-\(Self.two(m))-\(Self.two(d))"
  }

  /// `5月11日`.
  var chinese: String {
    let (_, m, d) = civil
    return "\(m)月\(d)日"
  }

  /// `05-11`.
  var short: String {
    let (_, m, d) = civil
    return "\(Self.two(m))-\(Self.two(d))"
  }

  static func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

  func adding(_ days: Int) -> Day { Day(number: number + days) }

  func distance(to other: Day) -> Int { other.number - number }
  func advanced(by n: Int) -> Day { Day(number: number + n) }

  static func < (lhs: Day, rhs: Day) -> Bool { lhs.number < rhs.number }

  /// `2026-05-06T10:23:00+08:00` for `minutes` after midnight.
  func timestamp(minutes: Int) -> String {
    "\(text)T\(Self.two(minutes / 60)):\(Self.two(minutes % 60)):00+08:00"
  }
}
