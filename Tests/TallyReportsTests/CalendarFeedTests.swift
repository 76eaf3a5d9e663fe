import TallySchema
import TallyTestSupport
import Testing

@testable import TallyReports

@Suite("Calendar feed (RFC 5545)") struct CalendarFeedTests {
  static let events = [
    CalendarFeed.Event(
      uid: "callback-C-0042@tally.invalid", day: CivilDate(year: 2026, month: 11, day: 3),
      summary: "回访 杭州云栖科技有限公司", description: "上次联系 2026-10-27：客户说\"可以\"; 报价单, 周一\\再谈\n带上合同",
      record: "customer/C-0042"),
    CalendarFeed.Event(
      uid: "action-2026-10-12-weekly-0@tally.invalid", day: CivilDate(year: 2026, month: 12, day: 31),
      summary: "待办：" + String(repeating: "整理华东二组的续约名单并逐一回访，", count: 4),
      description: "来自会议 周例会（2026-10-12）", record: "minutes/2026-10-12-weekly"),
  ]

  @Test func theFeedIsTheGoldenFile() {
    let feed = CalendarFeed.render(Self.events, name: "梁嘉欣 的日程", stamp: 1_793_346_480)
    Golden.check(bytes: Array(feed.utf8), against: Golden.directory() + "/Golden/calendar/two-events.ics")
  }

  @Test func linesAreFoldedAt75OctetsWithoutSplittingACharacter() {
    let feed = CalendarFeed.render(Self.events, name: "x", stamp: 0)
    #expect(feed.hasSuffix("END:VCALENDAR\r\n"))
    let lines = feed.components(separatedBy: "\r\n").dropLast()
    #expect(lines.allSatisfy { $0.utf8.count <= 75 })
    #expect(!feed.replacingOccurrences(of: "\r\n", with: "").contains("\n"), "bare line feeds")
    #expect(lines.contains { $0.hasPrefix(" ") }, "the long summary is folded")
    // Unfolding gives back the escaped summary, whole.
    let unfolded = feed.replacingOccurrences(of: "\r\n ", with: "")
    #expect(unfolded.contains("SUMMARY:" + CalendarFeed.escape(Self.events[1].summary) + "\r\n"))
  }

  @Test func textIsEscaped() {
    #expect(CalendarFeed.escape("a;b,c\\d\ne\r\nf") == "a\\;b\\,c\\\\d\\ne\\nf")
  }

  @Test func allDayEventsEndTheNextDay() {
    let feed = CalendarFeed.render([Self.events[1]], name: "x", stamp: 0)
    #expect(feed.contains("DTSTART;VALUE=DATE:20261231\r\nDTEND;VALUE=DATE:20270101\r\n"))
    #expect(feed.contains("DTSTAMP:19700101T000000Z\r\n"))
  }
}
