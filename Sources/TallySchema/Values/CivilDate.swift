/// A calendar date without a time zone (`2026-03-02`), as record fields hold them.
public struct CivilDate: Hashable, Comparable, Sendable, CustomStringConvertible {
  public var year: Int
  public var month: Int
  public var day: Int

  public init(year: Int, month: Int, day: Int) {
    self.year = year
    self.month = month
    self.day = day
  }

  /// Parses `YYYY-MM-DD` (exactly that shape), checking that the day exists.
  public init?(_ text: String) {
    var copy = text
    guard let date = copy.withUTF8({ CivilDate(utf8: $0) }) else { return nil }
    self = date
  }

  /// Parses `YYYY-MM-DD` from UTF-8 bytes.
  public init?(utf8 s: UnsafeBufferPointer<UInt8>) {
    guard s.count == 10, s[4] == UInt8(ascii: "-"), s[7] == UInt8(ascii: "-") else { return nil }
    // Every date of every record is read here: eight digits, each checked and added without
    // overflow checks (they cannot overflow).
    let y0 = s[0] &- 48
    let y1 = s[1] &- 48
    let y2 = s[2] &- 48
    let y3 = s[3] &- 48
    let m0 = s[5] &- 48
    let m1 = s[6] &- 48
    let d0 = s[8] &- 48
    let d1 = s[9] &- 48
    guard y0 < 10, y1 < 10, y2 < 10, y3 < 10, m0 < 10, m1 < 10, d0 < 10, d1 < 10 else { return nil }
    let year = Int(y0) &* 1000 &+ Int(y1) &* 100 &+ Int(y2) &* 10 &+ Int(y3)
    let month = Int(m0) &* 10 &+ Int(m1)
    let day = Int(d0) &* 10 &+ Int(d1)
    guard year >= 1, month >= 1, month <= 12, day >= 1, day <= CivilDate.daysIn(month: month, year: year) else {
      return nil
    }
    self.init(year: year, month: month, day: day)
  }

  public static func isLeap(_ year: Int) -> Bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
  }

  public static func daysIn(month: Int, year: Int) -> Int {
    switch month {
    case 2: isLeap(year) ? 29 : 28
    case 4, 6, 9, 11: 30
    default: 31
    }
  }

  /// Days since 1970-01-01 (negative before).
  public var dayNumber: Int {
    // Howard Hinnant's days_from_civil.
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let mp = (month + 9) % 12
    let doy = (153 * mp + 2) / 5 + day - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146097 + doe - 719468
  }

  /// The date `dayNumber` days after 1970-01-01.
  public init(dayNumber: Int) {
    let z = dayNumber + 719468
    let era = (z >= 0 ? z : z - 146096) / 146097
    let doe = z - era * 146097
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
    let y = yoe + era * 400
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let d = doy - (153 * mp + 2) / 5 + 1
    let m = mp < 10 ? mp + 3 : mp - 9
    self.init(year: m <= 2 ? y + 1 : y, month: m, day: d)
  }

  /// The date at the moment `epochSeconds` (seconds since 1970-01-01T00:00:00Z) in a zone
  /// `offsetMinutes` east of UTC: the day a commit's time falls on there.
  public init(epochSeconds: Int, offsetMinutes: Int) {
    let local = epochSeconds + offsetMinutes * 60
    self.init(dayNumber: local >= 0 ? local / 86400 : (local - 86399) / 86400)
  }

  public func adding(days: Int) -> CivilDate { CivilDate(dayNumber: dayNumber + days) }

  /// 1 = Monday … 7 = Sunday.
  public var weekday: Int {
    let n = (dayNumber + 3) % 7  // 1970-01-01 was a Thursday
    return (n < 0 ? n + 7 : n) + 1
  }

  public static func < (lhs: CivilDate, rhs: CivilDate) -> Bool {
    (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
  }

  public var description: String {
    let y = String(year)
    let m = month < 10 ? "0\(month)" : "\(month)"
    let d = day < 10 ? "0\(day)" : "\(day)"
    return String(repeating: "0", count: max(0, 4 - y.count)) + y + "-" + m + "-" + d
  }
}

/// A point in time written in a record (`2026-03-02T10:30:00+08:00`, or without seconds or
/// zone: a zone-less time is local to the repository's time zone).
public struct CivilDateTime: Hashable, Comparable, Sendable, CustomStringConvertible {
  public var date: CivilDate
  public var hour: Int
  public var minute: Int
  public var second: Int
  /// Offset from UTC in minutes, or nil for a local time.
  public var offsetMinutes: Int?

  public init(date: CivilDate, hour: Int, minute: Int, second: Int = 0, offsetMinutes: Int? = nil) {
    self.date = date
    self.hour = hour
    self.minute = minute
    self.second = second
    self.offsetMinutes = offsetMinutes
  }

  /// Parses `YYYY-MM-DD[T ]HH:MM[:SS][Z|±HH:MM]`.
  public init?(_ text: String) {
    let chars = Array(text.utf8)
    guard chars.count >= 16 else { return nil }
    let date = chars.withUnsafeBufferPointer { CivilDate(utf8: UnsafeBufferPointer(rebasing: $0[0..<10])) }
    guard let date, chars[10] == UInt8(ascii: "T") || chars[10] == UInt8(ascii: " ") else { return nil }
    func two(_ i: Int) -> Int? {
      guard i + 1 < chars.count else { return nil }
      let a = Int(chars[i]) - 48
      let b = Int(chars[i + 1]) - 48
      guard (0...9).contains(a), (0...9).contains(b) else { return nil }
      return a * 10 + b
    }
    guard let hour = two(11), chars[13] == UInt8(ascii: ":"), let minute = two(14), hour < 24, minute < 60 else {
      return nil
    }
    var i = 16
    var second = 0
    if i < chars.count, chars[i] == UInt8(ascii: ":") {
      guard let s = two(i + 1), s < 60 else { return nil }
      second = s
      i += 3
    }
    var offset: Int?
    if i < chars.count {
      if chars[i] == UInt8(ascii: "Z"), i + 1 == chars.count {
        offset = 0
      } else if chars[i] == UInt8(ascii: "+") || chars[i] == UInt8(ascii: "-"), i + 6 == chars.count,
        let h = two(i + 1), chars[i + 3] == UInt8(ascii: ":"), let m = two(i + 4), h <= 14, m < 60
      {
        offset = (h * 60 + m) * (chars[i] == UInt8(ascii: "-") ? -1 : 1)
      } else {
        return nil
      }
    }
    self.init(date: date, hour: hour, minute: minute, second: second, offsetMinutes: offset)
  }

  /// Seconds since 1970-01-01T00:00:00Z, reading a local time in `localOffsetMinutes`.
  public func epochSeconds(localOffsetMinutes: Int = 0) -> Int {
    let offset = offsetMinutes ?? localOffsetMinutes
    return date.dayNumber * 86400 + hour * 3600 + minute * 60 + second - offset * 60
  }

  public static func < (lhs: CivilDateTime, rhs: CivilDateTime) -> Bool {
    lhs.epochSeconds() < rhs.epochSeconds()
  }

  public var description: String {
    func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
    var text = "\(date)T\(two(hour)):\(two(minute)):\(two(second))"
    if let offsetMinutes {
      if offsetMinutes == 0 {
        text += "Z"
      } else {
        let sign = offsetMinutes < 0 ? "-" : "+"
        text += "\(sign)\(two(abs(offsetMinutes) / 60)):\(two(abs(offsetMinutes) % 60))"
      }
    }
    return text
  }
}
