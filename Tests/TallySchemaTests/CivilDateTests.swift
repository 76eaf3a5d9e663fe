import Testing

@testable import TallySchema

@Suite struct CivilDateTests {
  @Test func dayNumbersRoundTrip() {
    #expect(CivilDate(year: 1970, month: 1, day: 1).dayNumber == 0)
    #expect(CivilDate(year: 1969, month: 12, day: 31).dayNumber == -1)
    #expect(CivilDate(year: 2026, month: 3, day: 2).dayNumber == 20514)
    for number in [-800_000, -1, 0, 59, 60, 11_016, 20_514, 2_932_896] {
      #expect(CivilDate(dayNumber: number).dayNumber == number)
    }
    #expect(CivilDate(dayNumber: 20514) == CivilDate(year: 2026, month: 3, day: 2))
    #expect(CivilDate(year: 2024, month: 2, day: 28).adding(days: 1) == CivilDate(year: 2024, month: 2, day: 29))
    #expect(CivilDate(year: 2026, month: 3, day: 2).weekday == 1)
  }

  /// The day of a moment depends on the zone: 2026-03-01T17:30:00Z is already 2 March in
  /// Shanghai (+08:00) and still 1 March in New York (-05:00).
  @Test func dayOfAMomentInAZone() {
    let moment = CivilDateTime(date: CivilDate(year: 2026, month: 3, day: 1), hour: 17, minute: 30, offsetMinutes: 0)
      .epochSeconds()
    #expect(CivilDate(epochSeconds: moment, offsetMinutes: 0) == CivilDate(year: 2026, month: 3, day: 1))
    #expect(CivilDate(epochSeconds: moment, offsetMinutes: 480) == CivilDate(year: 2026, month: 3, day: 2))
    #expect(CivilDate(epochSeconds: moment, offsetMinutes: -300) == CivilDate(year: 2026, month: 3, day: 1))
    // Midnight belongs to the day it starts, the second before it to the day before.
    let midnight = CivilDateTime(date: CivilDate(year: 2026, month: 3, day: 2), hour: 0, minute: 0, offsetMinutes: 480)
      .epochSeconds()
    #expect(CivilDate(epochSeconds: midnight, offsetMinutes: 480) == CivilDate(year: 2026, month: 3, day: 2))
    #expect(CivilDate(epochSeconds: midnight - 1, offsetMinutes: 480) == CivilDate(year: 2026, month: 3, day: 1))
    // Before 1970 the division still rounds down.
    #expect(CivilDate(epochSeconds: -1, offsetMinutes: 0) == CivilDate(year: 1969, month: 12, day: 31))
    #expect(CivilDate(epochSeconds: -86_400, offsetMinutes: 0) == CivilDate(year: 1969, month: 12, day: 31))
    #expect(CivilDate(epochSeconds: -86_401, offsetMinutes: 0) == CivilDate(year: 1969, month: 12, day: 30))
  }
}
