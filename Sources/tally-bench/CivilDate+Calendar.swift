import TallySampleData
import TallySchema

/// What the history generator needs of dates in the team's time zone (+08:00).
extension CivilDate {
  /// The day in +08:00 of `time` (seconds since 1970, UTC).
  init(time: Int) {
    self.init(epochSeconds: time, offsetMinutes: Self.chinaOffsetMinutes)
  }

  /// Midnight of the day in +08:00, as seconds since 1970 (UTC).
  var midnight: Int {
    CivilDateTime(date: self, hour: 0, minute: 0, offsetMinutes: Self.chinaOffsetMinutes).epochSeconds()
  }

  /// `周三`.
  var weekdayChinese: String { ["周一", "周二", "周三", "周四", "周五", "周六", "周日"][weekday - 1] }
}
