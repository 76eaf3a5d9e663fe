import TallySchema

/// What sample data needs of dates beyond TallySchema's `CivilDate`: working days, and the
/// ways the team writes a day. Dates are days in China Standard Time (+08:00, no daylight
/// saving time), so no time zone arithmetic is ever needed.
extension CivilDate {
  /// The team's offset from UTC, in minutes.
  public static let chinaOffsetMinutes = 8 * 60

  /// Saturday or Sunday.
  public var isWeekend: Bool { weekday >= 6 }

  /// The day itself, or the Monday after it when it falls on a weekend.
  public var skippingWeekend: CivilDate {
    switch weekday {
    case 6: adding(days: 2)
    case 7: adding(days: 1)
    default: self
    }
  }

  /// The day itself, or the Friday before it when it falls on a weekend.
  var rollingBackFromWeekend: CivilDate {
    switch weekday {
    case 6: adding(days: -1)
    case 7: adding(days: -2)
    default: self
    }
  }

  /// The quarter, 1...4.
  var quarter: Int { (month - 1) / 3 + 1 }

  /// `5月11日`.
  var chinese: String { "\(month)月\(day)日" }

  /// `05-11`.
  var short: String { "\(twoDigits(month))-\(twoDigits(day))" }

  /// `2026-05-06T10:23:00+08:00` for `minutes` after midnight.
  func timestamp(minutes: Int) -> String {
    "\(self)T\(twoDigits(minutes / 60)):\(twoDigits(minutes % 60)):00+08:00"
  }
}

/// `n` with at least two digits: `05`, `12`.
func twoDigits(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
