import TallyRecords
import TallySchema
import TallyText

/// A person's calendar as an iCalendar feed (RFC 5545), for the phone's calendar app: the
/// call-backs they planned — the `next_contact` of the latest follow-up of each customer they
/// own (churned customers left out) — and the open action items of meetings assigned to them,
/// each an all-day event on its day.
///
/// The feed is a function of the commit: `DTSTAMP` is the commit's time, and each event's `UID`
/// is stable (`callback-C-0042@…`, `action-2026-10-12-weekly-3@…`), so a calendar app that
/// fetches it again updates events instead of adding copies. Text is escaped (`\`, `;`, `,`,
/// line breaks) and lines are folded at 75 octets without splitting a character; lines end
/// with CRLF.
public enum CalendarFeed {
  public struct Event: Sendable, Equatable {
    public var uid: String
    public var day: CivilDate
    public var summary: String
    public var description: String
    /// What it is about: `customer/C-0042`, `minutes/2026-10-12-weekly`.
    public var record: String
  }

  /// The domain part of every UID.
  static let uidDomain = "tally.invalid"

  /// The person's events at the context's commit, by day, then UID.
  public static func events(for staff: String, context: ReportContext) throws -> [Event] {
    var events: [Event] = []
    let customers = try context.current("customer")
    for id in customers.ids {
      guard let customer = customers[id], customer.string("owner") == staff,
        customer.string("status") != "churned"
      else { continue }
      guard let last = FollowUpsReport.lastContact(customer, onOrBefore: CivilDate(year: 9999, month: 12, day: 31)),
        let day = last.date("next_contact")
      else { continue }
      let name = customer.string("name") ?? id
      var description = "上次联系 \(last.string("date") ?? "")"
      if let summary = last.string("summary") { description += "：\(summary)" }
      events.append(
        Event(
          uid: "callback-\(id)@\(uidDomain)", day: day, summary: "回访 \(name)", description: description,
          record: "customer/\(id)"))
    }
    let minutes = try context.current("minutes")
    for id in minutes.ids {
      guard let meeting = minutes[id] else { continue }
      for (index, item) in meeting.items("action_items").enumerated() {
        guard item.string("owner") == staff, item.string("status") ?? "open" == "open", let due = item.date("due")
        else { continue }
        let title = meeting.string("title") ?? id
        events.append(
          Event(
            uid: "action-\(id)-\(index)@\(uidDomain)", day: due, summary: "待办：\(item.string("task") ?? "")",
            description: "来自会议 \(title)（\(meeting.string("date") ?? id)）", record: "minutes/\(id)"))
      }
    }
    return events.sorted { ($0.day, $0.uid) < ($1.day, $1.uid) }
  }

  /// The feed: `VCALENDAR` with one all-day `VEVENT` per event. `stamp` is the commit's time
  /// in seconds since 1970 (UTC), `name` the calendar's title.
  public static func render(_ events: [Event], name: String, stamp: Int) -> String {
    var lines = [
      "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Tally//Tally calendar//ZH", "CALSCALE:GREGORIAN",
      "METHOD:PUBLISH", "X-WR-CALNAME:" + escape(name),
    ]
    let dtstamp = utc(stamp)
    for event in events {
      lines += [
        "BEGIN:VEVENT",
        "UID:" + escape(event.uid),
        "DTSTAMP:" + dtstamp,
        "DTSTART;VALUE=DATE:" + compact(event.day),
        "DTEND;VALUE=DATE:" + compact(event.day.adding(days: 1)),
        "SUMMARY:" + escape(event.summary),
        "DESCRIPTION:" + escape(event.description),
        "X-TALLY-RECORD:" + escape(event.record),
        "TRANSP:TRANSPARENT",
        "END:VEVENT",
      ]
    }
    lines.append("END:VCALENDAR")
    return lines.map(fold).joined()
  }

  /// `{"version":1,"staff","commit","events":[{"uid","date","summary","description","record"}]}`.
  public static func json(_ events: [Event], staff: String, commit: String) -> [UInt8] {
    var out = JSONWriter()
    out.raw("{\"version\":1")
    out.key("staff")
    out.string(staff)
    out.key("commit")
    out.string(commit)
    out.key("events")
    out.raw("[")
    for event in events {
      out.separate()
      out.raw("\n{\"uid\":")
      out.string(event.uid)
      out.raw(",\"date\":")
      out.string(event.day.description)
      out.raw(",\"summary\":")
      out.string(event.summary)
      out.raw(",\"description\":")
      out.string(event.description)
      out.raw(",\"record\":")
      out.string(event.record)
      out.raw("}")
    }
    out.raw("\n]}\n")
    return out.bytes
  }

  /// TEXT escaping (RFC 5545 §3.3.11): backslash, semicolon, comma, line breaks.
  static func escape(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    var previousCR = false
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\\": out += "\\\\"
      case ";": out += "\\;"
      case ",": out += "\\,"
      case "\r": out += "\\n"
      case "\n": if !previousCR { out += "\\n" }
      default: out.unicodeScalars.append(scalar)
      }
      previousCR = scalar == "\r"
    }
    return out
  }

  /// One content line, folded (§3.1): at most 75 octets a line, continuation lines starting
  /// with a space, never inside a UTF-8 sequence; CRLF after each.
  static func fold(_ line: String) -> String {
    var out: [UInt8] = []
    var width = 0
    for scalar in line.unicodeScalars {
      let bytes = Array(String(scalar).utf8)
      if width + bytes.count > 75 {
        out += [13, 10, 32]
        width = 1
      }
      out += bytes
      width += bytes.count
    }
    out += [13, 10]
    return String(decoding: out, as: UTF8.self)
  }

  static func compact(_ day: CivilDate) -> String {
    String(day.description.filter { $0 != "-" })
  }

  /// `20261030T094800Z`.
  static func utc(_ seconds: Int) -> String {
    let day = CivilDate(epochSeconds: seconds, offsetMinutes: 0)
    let ofDay = ((seconds % 86400) + 86400) % 86400
    func two(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }
    return compact(day) + "T" + two(ofDay / 3600) + two(ofDay % 3600 / 60) + two(ofDay % 60) + "Z"
  }
}
