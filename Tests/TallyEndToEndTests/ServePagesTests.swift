import Foundation
import TallyTestSupport
import Testing

/// The read-only pages of `tally serve` (docs/serve.md) on example-repo, over real HTTP
/// (curl): record pages, type lists, search, the SQL page, the dashboard and my day, each
/// format, the CLI's bytes where a page stands for a command, 404 and 400 that say why, and
/// record text rendered inert.
@Suite(.serialized) struct ServePagesTests {
  let repo: ExampleRepository

  init() throws { repo = try ExampleRepository(prefix: "tally-serve-pages") }

  /// `curl -si -G URL --data-urlencode name=value …`: status, headers, body — as the team's
  /// browser asks, in Chinese (`Accept-Language: zh-CN`; example-repo's tally.yaml names no
  /// language, so without it the pages would be English).
  func get(
    _ server: ServeCommandTests.Server, _ path: String, _ query: [(String, String)] = [], method: String = "GET",
    language: String = "zh-CN"
  ) throws -> (status: Int, headers: String, body: String) {
    // HEAD with -I (curl would wait for the body -X HEAD announces); other methods with -X.
    var arguments = method == "HEAD" ? ["-sI"] : ["-si", "-X", method]
    arguments += ["-H", "Accept-Language: \(language)"]
    if !query.isEmpty { arguments.append("-G") }
    arguments.append(server.url + path)
    for (name, value) in query { arguments += ["--data-urlencode", "\(name)=\(value)"] }
    let result = try TallyProcess.runProgram("curl", arguments)
    let parts = result.stdout.components(separatedBy: "\r\n\r\n")
    let head = parts.first ?? ""
    let status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0
    return (status, head, parts.dropFirst().joined(separator: "\r\n\r\n"))
  }

  /// Runs tally with the author and committer dated `date` (ISO 8601), for histories whose
  /// days matter.
  func tally(_ arguments: [String], dated date: String) throws -> ProcessResult {
    var environment = repo.environment
    environment["GIT_AUTHOR_DATE"] = date
    environment["GIT_COMMITTER_DATE"] = date
    let result = try TallyProcess.run(arguments, in: repo.root, environment: environment)
    #expect(result.status == 0, "tally \(arguments): \(result.stderr)")
    return result
  }

  func json(_ text: String) throws -> Any { try JSONSerialization.jsonObject(with: Data(text.utf8)) }

  /// The rows of a report-shaped JSON document's section.
  func rows(_ text: String, section key: String) throws -> [[String: Any]]? {
    let document = try #require(try json(text) as? [String: Any])
    let sections = try #require(document["sections"] as? [[String: Any]])
    let section = try #require(sections.first { $0["key"] as? String == key }, "no section \(key)")
    return section["rows"] as? [[String: Any]]
  }

  @Test func everyRouteAnswersInEachFormat() throws {
    let server = try ServeCommandTests.Server(in: repo)
    let pages: [(String, [(String, String)], String, String)] = [
      ("", [], "text/html", "href=\"/reports/plan\""),
      (".json", [], "application/json", "\"report\":\"dashboard\""),
      ("customer", [], "text/html", "href=\"/customer/C-0042\""),
      ("customer.json", [], "application/json", "\"C-0042\""),
      ("customer.csv", [], "text/csv", "C-0042,扬州海汇教育咨询有限公司"),
      ("staff", [], "text/html", "href=\"/staff/S-0022\""),
      ("customer/C-0042", [], "text/html", "扬州海汇教育咨询有限公司"),
      ("customer/C-0042.json", [], "application/json", "\"record\":\"customer/C-0042\""),
      ("staff/S-0022", [], "text/html", "梁嘉欣"),
      ("staff/S-0022.json", [], "application/json", "\"record\":\"staff/S-0022\""),
      ("search", [("q", "报价单")], "text/html", "href=\"/customer/C-0042\""),
      ("search.json", [("q", "报价单")], "application/json", "\"id\":\"C-0042\""),
      ("search.csv", [("q", "报价单")], "text/csv", "customer,C-0042"),
      ("sql", [], "text/html", "href=\"/sql/stale-a-customers\""),
      ("sql", [("q", "SELECT id FROM customer WHERE id = 'C-0042'")], "text/html", "<td>C-0042</td>"),
      ("sql.json", [("q", "SELECT id FROM customer WHERE id = 'C-0042'")], "application/json", "\"id\":\"C-0042\""),
      ("sql.csv", [("q", "SELECT id FROM customer WHERE id = 'C-0042'")], "text/csv", "id\r\nC-0042\r\n"),
      ("sql/stale-a-customers", [], "text/html", "<textarea",),
      ("sql/revenue-per-owner.json", [], "application/json", "["),
      ("sql/revenue-per-owner.csv", [], "text/csv", "staff,name,team"),
      ("me", [], "text/html", "href=\"/me?staff=S-0022\""),
      ("me.json", [], "application/json", "\"S-0022\""),
      ("me", [("staff", "S-0022")], "text/html", "梁嘉欣"),
      ("me.json", [("staff", "S-0022")], "application/json", "\"key\":\"overdue_callbacks\""),
    ]
    for (path, query, type, expected) in pages {
      let page = try get(server, path, query)
      #expect(page.status == 200, "\(path) \(query): \(page.body.prefix(300))")
      #expect(page.headers.lowercased().contains("content-type: \(type)"), "\(path): \(page.headers)")
      if path == "sql/stale-a-customers" {
        // A saved query's page: its parameters as a form, its SQL, the rows.
        #expect(page.body.contains("name=\"team\""), "\(path)")
        #expect(page.body.contains("<pre>"), "\(path)")
      } else {
        #expect(page.body.contains(expected), "\(path) \(query): no \(expected)")
      }
      #expect(page.headers.contains("frame-ancestors 'none'"), "\(path)")
    }
    // HEAD: the status and headers of the page, no body.
    for path in ["customer/C-0042", "customer", "search?q=abc", "sql", "me", ""] {
      let head = try get(server, path, method: "HEAD")
      #expect(head.status == 200, "HEAD \(path)")
      #expect(head.body.isEmpty, "HEAD \(path)")
    }
    // Everything but GET and HEAD is refused in view-only mode.
    #expect(try get(server, "customer/C-0042", method: "POST").status == 405)
  }

  @Test func aRecordPageHasTitlesLabelsLinksTimelineAndBlame() throws {
    let server = try ServeCommandTests.Server(in: repo)
    let page = try get(server, "customer/C-0042").body
    // The schema's titles and enum labels, references as links with the name.
    #expect(page.contains("<td>客户等级</td><td>普通客户 <span class=\"meta\">(B)</span></td>"))
    #expect(page.contains("<td>负责人</td><td><a href=\"/staff/S-0022\">梁嘉欣 (S-0022)</a></td>"))
    // List fields as tables under their titles.
    #expect(page.contains("<h2 id=\"follow_ups\">跟进记录 (8)</h2>"))
    #expect(page.contains("<td>发送正式报价单（智能外呼机器人），等待对方审批</td>"))
    // The timeline and the blame.
    #expect(page.contains("<h2 id=\"timeline\">"))
    #expect(page.contains("created (扬州海汇教育咨询有限公司)"))
    #expect(page.contains("<h2 id=\"blame\">"))
    #expect(page.contains("<td>orders[1].product</td><td>上门实施培训服务</td>"))
    // View only: no edit links.
    #expect(!page.contains("/customer/C-0042/edit"))
    #expect(!page.contains("/customer/C-0042/add/"))
    // The English interface.
    let english = try TallyProcess.runProgram(
      "curl", ["-s", "-H", "Accept-Language: en", server.url + "customer/C-0042"]
    ).stdout
    #expect(english.contains("<th>Field</th><th>Value</th>"))
  }

  @Test func aRecordsJSONIsTallyShowAndItsHistoryIsThere() throws {
    // Two changes, on days after the first commit.
    _ = try tally(
      ["set", "customer/C-0042", "status=dormant", "--commit", "-m", "C-0042 goes quiet"],
      dated: "2027-01-10T10:00:00+08:00")
    _ = try tally(
      ["set", "customer/C-0042", "tier=A", "--commit", "-m", "C-0042 is a key account"],
      dated: "2027-02-10T10:00:00+08:00")
    let server = try ServeCommandTests.Server(in: repo)
    for (path, arguments) in [
      ("customer/C-0042.json", ["show", "customer/C-0042", "--format", "json"]),
      ("staff/S-0022.json", ["show", "staff/S-0022", "--format", "json"]),
      ("customer/C-0042.json?at=2027-01-15", ["show", "customer/C-0042", "--at", "2027-01-15", "--format", "json"]),
    ] {
      let page = try get(server, path)
      #expect(page.status == 200, "\(path)")
      #expect(page.body == (try repo.tally(arguments)).stdout, "\(path)")
    }
    // As of a day: the version then, with its commit.
    let asOf = try get(server, "customer/C-0042", [("at", "2027-01-15")]).body
    #expect(asOf.contains("<td>状态</td><td>沉睡客户 <span class=\"meta\">(dormant)</span></td>"))
    #expect(asOf.contains("<td>客户等级</td><td>普通客户 <span class=\"meta\">(B)</span></td>"))
    // The diff between two days, old values deleted, new ones inserted.
    let diff = try get(server, "customer/C-0042", [("from", "2027-01-01"), ("to", "2027-02-28")]).body
    #expect(diff.contains("<td>status</td><td><del>active</del></td><td><ins>dormant</ins></td>"))
    #expect(diff.contains("<td>tier</td><td><del>B</del></td><td><ins>A</ins></td>"))
    let same = try get(server, "customer/C-0042", [("from", "2027-01-15"), ("to", "2027-01-20")]).body
    #expect(same.contains("没有字段变化。"))
    // The timeline (as tally log) and the blame (as tally blame) name the commits.
    let page = try get(server, "customer/C-0042").body
    #expect(page.contains("<td>C-0042 goes quiet</td><td>status: active → dormant</td>"))
    #expect(page.contains("<td>C-0042 is a key account</td><td>tier: B → A</td>"))
    let tierCommit = try repo.git(["rev-parse", "--short=7", "HEAD"]).stdout.trimmingCharacters(in: .newlines)
    #expect(page.contains("<td>tier</td><td>A</td><td><code>\(tierCommit)</code></td>"))
    // Before the history began.
    let before = try get(server, "customer/C-0042", [("at", "2020-01-01")])
    #expect(before.status == 404)
    #expect(before.body == "the history starts after 2020-01-01\n")
  }

  @Test func unknownRecordsAndBadDatesSayWhy() throws {
    let server = try ServeCommandTests.Server(in: repo)
    let typo = try get(server, "customer/C-042")
    #expect(typo.status == 404)
    #expect(typo.body.contains("<a href=\"/customer/C-0042\">C-0042</a>"))
    let typoJSON = try get(server, "customer/C-042.json")
    #expect(typoJSON.status == 404)
    #expect(typoJSON.body == "HEAD 中没有客户 'C-042'。 是不是 C-0042？\n")
    let type = try get(server, "custmer")
    #expect(type.status == 404)
    #expect(type.body.contains("<a href=\"/customer\">customer</a>?"))
    #expect(try get(server, "custmer/C-0042").status == 404)
    let date = try get(server, "customer/C-0042", [("at", "2026-13-01")])
    #expect(date.status == 400)
    #expect(date.body == "at: '2026-13-01' is not a date (write YYYY-MM-DD)\n")
    let half = try get(server, "customer/C-0042", [("from", "2026-10-01")])
    #expect(half.status == 400)
    #expect(half.body.hasPrefix("from and to go together"))
    let nobody = try get(server, "me", [("staff", "S-0222")])
    #expect(nobody.status == 404)
    #expect(nobody.body.contains("did you mean S-0022?"))
    let nowhere = try get(server, "a/b/c")
    #expect(nowhere.status == 404)
    #expect(nowhere.body == "no page at /a/b/c (the pages: docs/serve.md)\n")
  }

  @Test func theSQLPageIsTallySQL() throws {
    let server = try ServeCommandTests.Server(in: repo)
    let query = "SELECT owner, tier, count(*) AS n FROM customer GROUP BY owner, tier ORDER BY owner, tier"
    for format in ["json", "csv"] {
      let page = try get(server, "sql.\(format)", [("q", query)])
      #expect(page.status == 200)
      #expect(page.body == (try repo.tally(["sql", query, "--format", format])).stdout, "\(format)")
    }
    // A parameter of an ad-hoc query, and a saved query with one.
    let owner = try get(
      server, "sql.json", [("q", "SELECT id FROM customer WHERE owner = :owner ORDER BY id"), ("owner", "S-0022")])
    #expect(
      owner.body
        == (try repo.tally([
          "sql", "SELECT id FROM customer WHERE owner = :owner ORDER BY id", "--param", "owner=S-0022", "--format",
          "json",
        ]))
        .stdout)
    let saved = try get(server, "sql/stale-a-customers.json", [("team", "华东一组"), ("days", "10")])
    #expect(saved.status == 200)
    #expect(
      saved.body
        == (try repo.tally([
          "query", "stale-a-customers", "--param", "team=华东一组", "--param", "days=10", "--format", "json",
        ])).stdout)
    // The saved queries are listed with their titles.
    let list = try get(server, "sql").body
    #expect(list.contains("<a href=\"/sql/revenue-per-owner\">revenue-per-owner</a> — "))
    // Refused as tally sql refuses them, with its message.
    let write = try get(server, "sql", [("q", "DELETE FROM customer")])
    #expect(write.status == 400)
    #expect(write.body.contains("tally sql only reads: DELETE is not allowed"))
    let attach = try get(server, "sql.json", [("q", "ATTACH DATABASE '/tmp/x.db' AS x")])
    #expect(attach.status == 400)
    let two = try get(server, "sql.csv", [("q", "SELECT 1; SELECT 2")])
    #expect(two.status == 400)
    #expect(two.body == "one statement at a time: the query has text after its first ';'\n")
    #expect(try get(server, "sql/no-such-query").status == 404)
    // The saved queries are the ref's: one only in the working tree is not there, one
    // committed is, on the next request.
    try "-- title: 未提交的查询\nSELECT 1 AS one\n".write(
      toFile: repo.root + "/queries/draft.sql", atomically: true, encoding: .utf8)
    #expect(try get(server, "sql/draft").status == 404)
    #expect(!(try get(server, "sql").body.contains("未提交的查询")))
    try repo.git(["add", "queries/draft.sql"])
    try repo.git(["commit", "-q", "-m", "a saved query"])
    #expect(try get(server, "sql").body.contains("<a href=\"/sql/draft\">draft</a> — 未提交的查询"))
    #expect(try get(server, "sql/draft.csv").body == "one\r\n1\r\n")
    let unknown = try get(server, "sql/stale-a-customers.json", [("colour", "red")])
    #expect(unknown.status == 400)
    #expect(unknown.body.hasPrefix("stale-a-customers has no parameter 'colour'"))
  }

  @Test func searchFindsChineseAtTheServedCommitOnly() throws {
    let server = try ServeCommandTests.Server(in: repo)
    // Three characters and more: the trigram index; fewer: the scan.
    for word in ["报价单", "报价", "价"] {
      let page = try get(server, "search", [("q", word)])
      #expect(page.status == 200)
      #expect(page.body.contains("<a href=\"/customer/C-0042\">C-0042</a>"), "\(word)")
      #expect(page.body.contains("<mark>\(word)</mark>"), "\(word)")
    }
    let csv = try get(server, "search.csv", [("q", "报价单")]).body
    #expect(csv.contains("customer,C-0042,扬州海汇教育咨询有限公司,follow_ups[3].summary,"))
    // An id finds its record.
    #expect(try get(server, "search.json", [("q", "S-0022")]).body.contains("\"field\":\"id\""))
    // A word committed is found on the next request; one only in the working tree is not.
    _ = try repo.tally(["set", "customer/C-0042", "needs=需要独角兽级别的外呼方案", "--commit", "-m", "needs"])
    #expect(try get(server, "search.json", [("q", "独角兽")]).body.contains("\"id\":\"C-0042\""))
    _ = try repo.tally(["set", "customer/C-0043", "needs=另一个麒麟计划"])
    #expect(!(try get(server, "search.json", [("q", "麒麟计划")]).body.contains("C-0043")))
  }

  @Test func recordTextIsEscapedOnEveryPage() throws {
    let script = "<script>alert(1)</script>"
    let image = "\"><img src=x onerror=alert(1)>"
    let set = try repo.tally(["set", "customer/C-0042", "name=\(script)", "needs=\(image)", "--commit", "-m", "xss"])
    #expect(set.status == 0, "\(set.stderr)")
    let server = try ServeCommandTests.Server(in: repo)
    let pages = [
      try get(server, "customer/C-0042"), try get(server, "customer"), try get(server, "search", [("q", "alert(1)")]),
      try get(server, "search", [("q", script)]), try get(server, "me", [("staff", "S-0022")]),
      try get(server, "sql", [("q", "SELECT name, needs FROM customer WHERE id = 'C-0042'")]),
    ]
    for (index, page) in pages.enumerated() {
      #expect(page.status == 200, "page \(index)")
      #expect(!page.body.contains("<script>alert"), "page \(index)")
      #expect(!page.body.contains("<img"), "page \(index)")
    }
    #expect(pages[0].body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
    #expect(pages[0].body.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"))
    #expect(pages[1].body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
    #expect(pages[2].body.contains("&quot;&gt;&lt;img src=x onerror=<mark>alert(1)</mark>&gt;"))
    #expect(pages[3].body.contains("value=\"&lt;script&gt;alert(1)&lt;/script&gt;\""))
  }

  @Test func theDashboardIsTheReportsFigures() throws {
    let server = try ServeCommandTests.Server(in: repo)
    let page = try get(server, "").body
    for report in ["plan", "pipeline", "followups", "meetings", "complaints"] {
      #expect(page.contains("<h2><a href=\"/reports/\(report)\">"), "\(report)")
    }
    #expect(page.contains("<li>湖州易泰商贸有限公司 · 一般 · 3 天</li>"))
    let dashboard = try get(server, ".json").body
    // Each figure is its report's, as tally report computes it.
    for (key, report, section) in [
      ("plan", "plan", "totals"), ("pipeline", "pipeline", "by_status"), ("open_complaints", "complaints", "open"),
    ] {
      let cli = try repo.tally(["report", report, "--format", "json", "--lang", "zh"]).stdout
      let mine = try #require(try rows(dashboard, section: key))
      let theirs = try #require(try rows(cli, section: section))
      #expect(!mine.isEmpty, "\(key)")
      #expect(NSArray(array: mine).isEqual(to: theirs), "\(key)")
    }
    // Open and overdue action items per owner: the meetings report's counts.
    let meetings = try #require(
      try rows(
        try repo.tally(["report", "meetings", "--format", "json", "--lang", "zh"]).stdout,
        section: "action_items_by_owner"))
    let items = try #require(try rows(dashboard, section: "action_items"))
    let open = meetings.reduce(0) { $0 + ($1["open"] as? Int ?? 0) }
    #expect(open > 0)
    #expect(items.reduce(0) { $0 + ($1["open"] as? Int ?? 0) } == open)
  }

  @Test func myDayIsThePersonsCallBacksCustomersAndActionItems() throws {
    let server = try ServeCommandTests.Server(in: repo)
    let day = try get(server, "me.json", [("staff", "S-0022")]).body
    // Overdue call-backs: the calendar feed's call-backs before today.
    let calendar = try #require(try json(try get(server, "calendar/S-0022.json").body) as? [String: Any])
    let events = try #require(calendar["events"] as? [[String: Any]])
    let overdueDays = events.compactMap { event -> String? in
      guard let record = event["record"] as? String, record.hasPrefix("customer/"), let date = event["date"] as? String,
        date < "2026-11-01"
      else { return nil }
      return date
    }
    let overdue = try #require(try rows(day, section: "overdue_callbacks"))
    #expect(overdue.count == overdueDays.count)
    #expect(overdue.count > 0)
    #expect(overdue.first?["customer"] as? String == "C-0059")
    // Customers by tier and status: as many as SQL counts.
    let count = try repo.tally(["sql", "SELECT count(*) FROM customer WHERE owner = 'S-0022'", "--format", "csv"])
    let customers = try #require(try rows(day, section: "customers"))
    #expect("count(*)\r\n\(customers.reduce(0) { $0 + ($1["total"] as? Int ?? 0) })\r\n" == count.stdout)
    let page = try get(server, "me", [("staff", "S-0022")]).body
    #expect(page.contains("<a href=\"/customer/C-0059\">C-0059</a>"))
    #expect(page.contains("<a href=\"/calendar/S-0022.ics\">"))
  }
}
