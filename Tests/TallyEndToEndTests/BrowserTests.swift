import Foundation
import TallyTestSupport
import Testing

/// `tally serve` in a real browser: Debian's chromium driven by Selenium
/// (Scripts/browser.py). `make test` provides both (scripts/browser.sh, scripts/test-python.sh);
/// without them these tests are skipped, except under CI, where that is a failure. Every page
/// visited is saved as a PNG under .build/browser-screenshots/ for people to look at.
enum Browser {
  static var driver: String? {
    ProcessInfo.processInfo.environment["TALLY_CHROMEDRIVER"].flatMap { $0.isEmpty ? nil : $0 }
  }
  static var python: String? {
    ProcessInfo.processInfo.environment["TALLY_PYTHON"].flatMap { $0.isEmpty ? nil : $0 }
  }
  static var available: Bool { driver != nil && python != nil }

  static var screenshots: String {
    URL(fileURLWithPath: Golden.directory() + "/../../.build/browser-screenshots").standardized.path
  }

  /// Runs a scenario of browser.py against `url`; what it saw, as JSON.
  static func run(_ scenario: String, url: String, arguments: [String: String]) throws -> [String: Any] {
    let script = Golden.directory() + "/Scripts/browser.py"
    let json = String(decoding: try JSONSerialization.data(withJSONObject: arguments), as: UTF8.self)
    let result = try TallyProcess.runProgram(
      python ?? "python3", [script, scenario, url, screenshots + "/" + scenario, json],
      environment: ["CHROMEDRIVER": driver ?? "", "SE_OFFLINE": "true"])
    guard result.status == 0, let data = result.stdout.data(using: .utf8),
      let seen = try JSONSerialization.jsonObject(with: data) as? [String: Any]
    else {
      throw ServeCommandTests.Server.Failure(
        description: "browser.py \(scenario) failed (\(result.status)): \(result.stderr.suffix(3000))")
    }
    return seen
  }
}

@Suite(.serialized, .enabled(if: Browser.available, "needs TALLY_CHROMEDRIVER and TALLY_PYTHON (make test)"))
struct BrowserTests {
  let repo: ExampleRepository

  init() throws {
    // Committed before the test's today (2026-11-01), so the reports know the records.
    repo = try ExampleRepository(prefix: "tally-browser", date: "2026-10-20T10:00:00+08:00")
    // A customer whose text tries to run script in the page.
    let hostile = """
      name: 恶意<script>window.tallyPwned=1</script>公司
      industry: catering
      tier: C
      status: prospect
      owner: S-0022
      source: website
      contacts:
        - name: '"><img src=x onerror="window.tallyPwned=2">'
          phone: '13800000000'

      """
    try hostile.write(toFile: repo.root + "/customers/C-0999.yaml", atomically: true, encoding: .utf8)
    try repo.git(["add", "-A"])
    try repo.git(["commit", "-q", "-m", "a hostile customer"])
  }

  @Test func viewOnlyPagesInTheBrowser() throws {
    let server = try ServeCommandTests.Server(in: repo)
    let commit =
      "cd \(repo.root.shellQuoted) && GIT_CONFIG_GLOBAL=/dev/null git -c user.name=t -c user.email=t@x "
      + "commit -q --allow-empty -m live"
    let seen = try Browser.run(
      "browse", url: server.url,
      arguments: [
        "period": "2026-Q3", "search": "上海", "hostile": "C-0999", "rep": "S-0022", "customer": "C-0001",
        "commit_command": commit,
      ])
    // The dashboard links on to customers, and a click lands on the record page.
    #expect((seen["dashboard_customer_links"] as? Int ?? 0) > 0, "\(seen)")
    #expect((seen["customer_url"] as? String ?? "").contains("/customer/C-"), "\(seen)")
    // The period picker.
    #expect((seen["report_url"] as? String ?? "").contains("period=2026-Q3"))
    #expect((seen["report_h1"] as? String ?? "").contains("2026-Q3"))
    // Search finds Chinese text and links to records.
    #expect(!(seen["search_links"] as? [String] ?? []).isEmpty, "\(seen)")
    // Hostile text is shown as text and runs nothing.
    #expect(seen["hostile_alert"] as? Bool == false)
    #expect(seen["hostile_pwned"] is NSNull, "\(seen)")
    #expect((seen["hostile_text"] as? String ?? "").contains("<script>window.tallyPwned=1</script>"))
    #expect((seen["hostile_text"] as? String ?? "").contains("onerror="))
    // View only: a POST from the page is refused.
    #expect(seen["post_status"] as? Int == 405, "\(seen)")
    // At a phone's width nothing makes the page itself scroll sideways.
    #expect(seen["me_overflows"] as? Bool == false)
    #expect(seen["report_overflows"] as? Bool == false)
    #expect(seen["customer_overflows"] as? Bool == false)
    // A commit reloads the open page.
    #expect(seen["live_refreshed"] as? Bool == true)
    let head = try repo.git(["rev-parse", "HEAD"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(seen["commit_after_live"] as? String == head)
    // No page broke the Content-Security-Policy or threw.
    #expect((seen["console_errors"] as? [String] ?? ["?"]).isEmpty, "\(seen)")
  }
}

/// Under CI the browser tests must run, not be skipped.
@Test(.enabled(if: ProcessInfo.processInfo.environment["CI"] != nil))
func browserTestsRunUnderCI() {
  #expect(Browser.available, "CI must run the tests through make test, which provides chromium and chromedriver")
}

extension String {
  /// For a shell command line: in single quotes.
  var shellQuoted: String { "'" + replacingOccurrences(of: "'", with: "'\\''") + "'" }
}
