import Foundation
import TallyTestSupport
import Testing

/// `tally calendar`: the feed read back by Python's icalendar (a real parser), its events
/// those of the records, stable from one run to the next.
@Suite struct CalendarCommandTests {
  let repo: ExampleRepository

  init() throws { repo = try ExampleRepository(prefix: "tally-calendar") }

  /// The events as tally's JSON gives them.
  func events(_ staff: String) throws -> [[String: Any]] {
    let result = try repo.tally(["calendar", staff, "--format", "json"])
    #expect(result.status == 0, "\(result.stderr)")
    let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
    return object?["events"] as? [[String: Any]] ?? []
  }

  /// The feed parsed by icalendar: one line per event, `uid|date|summary|description`.
  func parsed(_ feed: String) throws -> [String] {
    let python = ProcessInfo.processInfo.environment["TALLY_PYTHON"].flatMap { $0.isEmpty ? nil : $0 } ?? "python3"
    let script = """
      import sys, icalendar
      calendar = icalendar.Calendar.from_ical(sys.stdin.buffer.read())
      for event in calendar.walk('VEVENT'):
          print('|'.join([str(event['UID']), event['DTSTART'].dt.isoformat(), str(event['SUMMARY']),
                          str(event['DESCRIPTION']).replace('\\n', '⏎')]))
      """
    let result = try TallyProcess.runProgram(python, ["-c", script], stdin: feed)
    #expect(result.status == 0, "icalendar: \(result.stderr)")
    return result.stdout.split(separator: "\n").map(String.init)
  }

  /// Who owns the customers whose latest follow-up plans a call-back.
  func busiestOwner() throws -> String {
    let result = try repo.tally([
      "sql",
      """
      SELECT c.owner FROM customer c JOIN customer_follow_ups f ON f.customer_id = c.id
      WHERE f.next_contact IS NOT NULL AND c.status != 'churned'
      GROUP BY c.owner ORDER BY count(*) DESC, c.owner LIMIT 1
      """, "--format", "csv",
    ])
    return String(result.stdout.split(separator: "\r\n").last ?? "")
  }

  @Test func theFeedHoldsThePersonsCallBacksAndActionItems() throws {
    let staff = try busiestOwner()
    let feed = try repo.tally(["calendar", staff])
    #expect(feed.status == 0, "\(feed.stderr)")
    #expect(feed.stdout.hasPrefix("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"))
    let expected = try events(staff)
    #expect(!expected.isEmpty)
    let lines = try parsed(feed.stdout)
    #expect(lines.count == expected.count)
    for (line, event) in zip(lines, expected) {
      let description = (event["description"] as? String ?? "").replacingOccurrences(of: "\n", with: "⏎")
      #expect(
        line == "\(event["uid"]!)|\(event["date"]!)|\(event["summary"]!)|\(description)", "icalendar read \(line)")
    }
    // Each call-back is the latest follow-up's next contact of a customer the person owns.
    for event in expected where (event["uid"] as? String)?.hasPrefix("callback-") == true {
      let id = String((event["record"] as! String).dropFirst("customer/".count))
      let row = try repo.tally([
        "sql",
        "SELECT c.owner, f.next_contact FROM customer c JOIN customer_follow_ups f ON f.customer_id = c.id WHERE c.id = '\(id)' ORDER BY f.date DESC, f.idx DESC LIMIT 1",
        "--format", "csv",
      ])
      #expect(row.stdout.split(separator: "\r\n").last.map(String.init) == "\(staff),\(event["date"]!)")
    }
    // The same commit, the same bytes.
    #expect(try repo.tally(["calendar", staff]).stdout == feed.stdout)
  }

  /// Text a calendar would misread — separators and a backslash — comes back whole (line breaks:
  /// CalendarFeedTests; a summary is one line).
  @Test func textWithSeparatorsRoundTrips() throws {
    let staff = try busiestOwner()
    let customers = try repo.tally([
      "sql", "SELECT id FROM customer WHERE owner = '\(staff)' AND status != 'churned' ORDER BY id LIMIT 1",
      "--format", "csv",
    ])
    let id = String(customers.stdout.split(separator: "\r\n").last ?? "")
    let note = "报价单; 价格, 折扣\\备注"
    let added = try repo.tally([
      "add", "customer/\(id)", "follow_ups", "date=2026-11-01", "by=\(staff)", "channel=phone",
      "summary=\(note)", "outcome=callback", "next_contact=2026-11-05", "--commit", "-m", "call",
    ])
    #expect(added.status == 0, "\(added.stderr)")
    let feed = try repo.tally(["calendar", staff])
    let line = try parsed(feed.stdout).first { $0.hasPrefix("callback-\(id)@") }
    #expect(
      line?.hasSuffix("|上次联系 2026-11-01：" + note.replacingOccurrences(of: "\n", with: "⏎")) == true, "\(line ?? "")")
    #expect(line?.contains("|2026-11-05|") == true)
  }

  @Test func anUnknownPersonIsAUsageError() throws {
    let result = try repo.tally(["calendar", "S-022"])
    #expect(result.status == 64)
    #expect(result.stderr.contains("no staff record 'S-022'"))
    #expect(result.stderr.contains("did you mean S-0022?"), "\(result.stderr)")
  }
}
