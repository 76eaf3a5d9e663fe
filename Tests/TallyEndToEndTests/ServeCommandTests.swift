import Foundation
import TallyTestSupport
import Testing

/// `tally serve` on example-repo, over real HTTP (curl): each page the same bytes as the
/// command it stands for, security headers, view only, a commit shown on the next request.
@Suite(.serialized) struct ServeCommandTests {
  let repo: ExampleRepository

  init() throws { repo = try ExampleRepository(prefix: "tally-serve") }

  /// A running server and its base URL.
  final class Server {
    let process = Process()
    var url = ""

    init(in repo: ExampleRepository, arguments: [String] = []) throws {
      process.executableURL = URL(fileURLWithPath: TallyProcess.binary)
      process.arguments = ["serve", "--bind", "127.0.0.1:0"] + arguments
      process.currentDirectoryURL = URL(fileURLWithPath: repo.root)
      var environment = ProcessInfo.processInfo.environment
      for (key, value) in repo.environment { environment[key] = value }
      process.environment = environment
      let out = Pipe()
      process.standardOutput = out
      process.standardError = FileHandle.nullDevice
      try process.run()
      var text = ""
      let deadline = Date().addingTimeInterval(60)
      while !text.contains("\n") && Date() < deadline && process.isRunning {
        text += String(decoding: out.fileHandleForReading.availableData, as: UTF8.self)
      }
      guard let range = text.range(of: "http://[^ ]+/", options: .regularExpression) else {
        throw Failure(description: "tally serve did not say where it listens: \(text)")
      }
      url = String(text[range])
    }

    deinit {
      process.terminate()
      process.waitUntilExit()
    }

    struct Failure: Error, CustomStringConvertible { var description: String }

    /// `curl -si`: status line and headers, then the body.
    func get(_ path: String, method: String = "GET") throws -> (status: Int, headers: String, body: String) {
      let result = try TallyProcess.runProgram("curl", ["-si", "-X", method, url + path])
      let parts = result.stdout.components(separatedBy: "\r\n\r\n")
      let head = parts.first ?? ""
      let status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0
      return (status, head, parts.dropFirst().joined(separator: "\r\n\r\n"))
    }
  }

  @Test func pagesAreTheCommandsOutputAndViewOnly() throws {
    let server = try Server(in: repo)
    let index = try server.get("")
    #expect(index.status == 200)
    #expect(index.body.contains("<a href=\"/reports/plan\">plan</a>"))
    #expect(index.body.contains("/calendar/S-0022.ics"))
    #expect(index.headers.contains("frame-ancestors 'none'"))
    #expect(index.headers.lowercased().contains("x-content-type-options: nosniff"))
    // A report's JSON and CSV are the command's bytes.
    for (path, arguments) in [
      ("reports/plan.json?period=2026-Q3", ["report", "plan", "--period", "2026-Q3", "--format", "json"]),
      ("reports/roster.csv", ["report", "roster", "--format", "csv"]),
      ("calendar/S-0022.ics", ["calendar", "S-0022"]),
    ] {
      let page = try server.get(path)
      #expect(page.status == 200, "\(path)")
      #expect(page.body == (try repo.tally(arguments)).stdout, "\(path)")
    }
    // Bad requests say why.
    #expect(try server.get("reports/nope").status == 404)
    #expect(try server.get("reports/plan?period=soon").status == 400)
    #expect(try server.get("calendar/S-9999.ics").status == 404)
    // HEAD: the page's status and headers, no body.
    let head = try TallyProcess.runProgram("curl", ["-sI", server.url + "reports/plan"])
    #expect(head.stdout.hasPrefix("HTTP/1.1 200"), "\(head.stdout)")
    #expect(head.stdout.contains("Content-Security-Policy"))
    // View only.
    let post = try server.get("reports/plan", method: "POST")
    #expect(post.status == 405)
    #expect(post.headers.lowercased().contains("allow: get, head"))
  }

  @Test func aCommitShowsOnTheNextRequestAndTextIsEscaped() throws {
    let server = try Server(in: repo)
    #expect(try server.get("reports/roster.json").status == 200)
    let set = try repo.tally(["set", "staff/S-0022", "name=<script>alert(1)</script>", "--commit", "-m", "name"])
    #expect(set.status == 0, "\(set.stderr)")
    let roster = try server.get("reports/roster.json")
    #expect(roster.body == (try repo.tally(["report", "roster", "--format", "json"])).stdout)
    let index = try server.get("")
    #expect(index.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
    #expect(!index.body.contains("<script>"))
  }

  @Test func everyResponseIsGuardedCachedPerCommitAndLive() throws {
    let server = try Server(in: repo)
    // Unknown pages: a 404 that says what was asked for, with the security headers too.
    let missing = try server.get("no/such/page")
    #expect(missing.status == 404)
    #expect(missing.body.contains("/no/such/page"))
    #expect(missing.headers.contains("frame-ancestors 'none'"))
    // The one script is a file of the app; the policy allows no inline script.
    let script = try server.get("assets/live.js")
    #expect(script.status == 200)
    #expect(script.headers.lowercased().contains("content-type: text/javascript"))
    #expect(script.body.contains("EventSource('/events')"))
    #expect(missing.headers.contains("script-src 'self';"))
    #expect(!missing.headers.contains("script-src 'self' 'unsafe-inline'"))
    // A page made once is answered by its ETag until the ref moves.
    let first = try server.get("reports/plan.json")
    let tag = first.headers.split(separator: "\r\n").first { $0.lowercased().hasPrefix("etag:") }
      .map { String($0.dropFirst(5)).trimmingCharacters(in: .whitespaces) }
    let etag = try #require(tag)
    let again = try TallyProcess.runProgram(
      "curl", ["-si", "-H", "If-None-Match: \(etag)", server.url + "reports/plan.json"])
    #expect(again.stdout.hasPrefix("HTTP/1.1 304"), "\(again.stdout)")
    #expect(try server.get("reports/plan.json").body == first.body)
    try repo.git(["commit", "-q", "--allow-empty", "-m", "moved"])
    let moved = try TallyProcess.runProgram(
      "curl", ["-si", "-H", "If-None-Match: \(etag)", server.url + "reports/plan.json"])
    #expect(moved.stdout.hasPrefix("HTTP/1.1 200"), "\(moved.stdout.prefix(300))")
    // The live refresh names the ref's commit at once.
    let head = try repo.git(["rev-parse", "HEAD"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    let events = try TallyProcess.runProgram("curl", ["-sN", "--max-time", "1", server.url + "events"])
    #expect(events.stdout.hasPrefix("event: ref\ndata: \(head)\n\n"), "\(events.stdout)")
    // The language: the browser's, Chinese when it names neither.
    let english = try TallyProcess.runProgram("curl", ["-s", "-H", "Accept-Language: en-GB,en;q=0.8", server.url])
    #expect(english.stdout.contains(">Reports</a>"))
    let chinese = try TallyProcess.runProgram("curl", ["-s", "-H", "Accept-Language: fr, zh-CN;q=0.5", server.url])
    #expect(chinese.stdout.contains(">报表</a>"))
  }
}
