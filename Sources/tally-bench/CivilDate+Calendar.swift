/// What the history generator needs of dates: weekdays, parsing, and the +08:00 day of a
/// moment.
extension CivilDate {
  /// Seconds in the team's UTC offset (Asia/Shanghai has no daylight saving time).
  static let utcOffset = 8 * 3600

  /// The day in +08:00 of `time` (seconds since 1970, UTC).
  init(time: Int) {
    self.init(day: (time + Self.utcOffset).quotient(dividingBy: 86_400))
  }

  /// Parses `YYYY-MM-DD`.
  init?(text: some StringProtocol) {
    let parts = text.split(separator: "-")
    guard parts.count == 3, let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
      (1...12).contains(month), (1...31).contains(day)
    else { return nil }
    self.init(year: year, month: month, day: day)
  }

  /// Midnight of the day in +08:00, as seconds since 1970 (UTC).
  var midnight: Int { day * 86_400 - Self.utcOffset }

  /// 1 = Monday ... 7 = Sunday (1970-01-01 was a Thursday).
  var weekday: Int {
    let w = (day + 3) % 7
    return (w < 0 ? w + 7 : w) + 1
  }

  var isWeekend: Bool { weekday >= 6 }

  /// The day itself, or the Monday after it when it falls on a weekend.
  var skippingWeekend: CivilDate {
    switch weekday {
    case 6: adding(days: 2)
    case 7: adding(days: 1)
    default: self
    }
  }

  /// `周三`.
  var weekdayChinese: String { ["周一", "周二", "周三", "周四", "周五", "周六", "周日"][weekday - 1] }
}

extension Int {
  /// Division rounding towards minus infinity.
  func quotient(dividingBy divisor: Int) -> Int {
    let q = self / divisor
    return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? q - 1 : q
  }
}
