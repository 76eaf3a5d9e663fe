import Dispatch
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import TallyHistory
import TallyRecords
import TallyReports
import TallySchema
import TallyText

/// `tally serve`: the team's reports and calendar feeds over HTTP, read from a ref (never the
/// working tree, so it also runs beside a bare repository). View only: every request that is
/// not GET or HEAD is refused. Each page is computed from the commit the ref points to when
/// the request comes in, so a push shows on the next request.
public enum TallyServer {
  public struct Options: Sendable {
    public var host: String
    public var port: Int
    public var ref: String
    /// Today, in the repository's zone (the CLI's rule, `TALLY_TODAY` included).
    public var today: @Sendable () -> CivilDate

    public init(host: String, port: Int, ref: String, today: @escaping @Sendable () -> CivilDate) {
      self.host = host
      self.port = port
      self.ref = ref
      self.today = today
    }
  }

  public struct Failure: Error, CustomStringConvertible {
    public var description: String
  }

  /// Serves until the process is stopped; `running` is told the address once it listens.
  public static func run(history: History, options: Options, running: @escaping @Sendable (String) -> Void) throws {
    let site = Site(history: history, options: options)
    let router = Router(context: BasicRequestContext.self)
    router.add(middleware: Guard())
    // Each page answers GET and HEAD (the same headers, no body).
    for method in [HTTPRequest.Method.get, .head] {
      router.on("/", method: method) { request, _ in try await site.index(request) }
      router.on("/reports/{file}", method: method) { request, context in
        try await site.report(context.parameters.require("file"), request)
      }
      router.on("/calendar/{file}", method: method) { request, context in
        try await site.calendar(context.parameters.require("file"))
      }
    }
    // The server's own messages go to standard error, warnings and worse only: standard
    // output is the address line a script or a test reads.
    var logger = Logger(label: "tally.serve", factory: { label in StreamLogHandler.standardError(label: label) })
    logger.logLevel = Logger.Level.warning
    let app = Application(
      router: router,
      configuration: .init(address: .hostname(options.host, port: options.port), serverName: "tally"),
      onServerRunning: { channel in
        let port = channel.localAddress?.port ?? options.port
        running("http://\(options.host):\(port)/")
      },
      logger: logger)
    let done = DispatchSemaphore(value: 0)
    let outcome = Outcome()
    Task {
      do {
        try await app.runService()
      } catch {
        outcome.error = error
      }
      done.signal()
    }
    done.wait()
    if let error = outcome.error { throw Failure(description: "\(error)") }
  }

  private final class Outcome: @unchecked Sendable {
    var error: (any Error)?
  }

  /// Security headers on every response, and nothing but GET and HEAD (view only).
  struct Guard<Context: RequestContext>: RouterMiddleware {
    static var policy: String {
      "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; "
        + "base-uri 'none'; form-action 'none'"
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
      -> Response
    {
      var response: Response
      if request.method == .get || request.method == .head {
        response = try await next(request, context)
      } else {
        response = Page.text(.methodNotAllowed, "tally serve is view-only: \(request.method) is not allowed\n")
        response.headers[.allow] = "GET, HEAD"
      }
      response.headers[.contentSecurityPolicy] = Self.policy
      response.headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
      response.headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
      response.headers[.cacheControl] = "no-cache"
      return response
    }
  }
}

/// Responses.
enum Page {
  static func response(_ status: HTTPResponse.Status = .ok, type: String, _ body: String) -> Response {
    Response(status: status, headers: [.contentType: type], body: .init(byteBuffer: ByteBuffer(string: body)))
  }

  static func response(_ status: HTTPResponse.Status = .ok, type: String, bytes: [UInt8]) -> Response {
    Response(status: status, headers: [.contentType: type], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
  }

  static func html(_ body: String) -> Response { response(type: "text/html; charset=utf-8", body) }
  static func text(_ status: HTTPResponse.Status, _ body: String) -> Response {
    response(status, type: "text/plain; charset=utf-8", body)
  }
}

/// The repository's history, used by one request at a time.
actor Site {
  let history: History
  let options: TallyServer.Options
  /// The last context per options, for the commit it was made at.
  var contexts: [String: ReportContext] = [:]

  init(history: History, options: TallyServer.Options) {
    self.history = history
    self.options = options
  }

  func context(_ reportOptions: ReportOptions) throws -> ReportContext {
    let commit = try history.resolve(options.ref)
    let key = [
      commit.hex, reportOptions.period?.description ?? "", reportOptions.at?.description ?? "",
      reportOptions.team ?? "", reportOptions.owner ?? "", reportOptions.days.map(String.init) ?? "",
      reportOptions.today.description,
    ].joined(separator: "\u{1}")
    if let known = contexts[key] { return known }
    let context = try Reports.context(history: history, options: reportOptions)
    if contexts.count > 64 { contexts = [:] }
    contexts[key] = context
    return context
  }

  /// `/`: what is here, linked.
  func index(_ request: Request) throws -> Response {
    var options = ReportOptions(today: self.options.today())
    options.revision = self.options.ref
    let context = try self.context(options)
    let e = HTMLRenderer.escape
    var html = "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
    html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    html += "<title>Tally</title>\n</head>\n<body>\n<h1>Tally</h1>\n"
    html += "<p>\(e(self.options.ref)) at <code>\(e(String(context.commit.hex.prefix(7))))</code> "
    html += "(\(e(context.commitDate)))</p>\n<h2>Reports</h2>\n<ul>\n"
    for report in Reports.all {
      let name = e(report.name)
      html +=
        "<li><a href=\"/reports/\(name)\">\(name)</a> (<a href=\"/reports/\(name).json\">JSON</a>, "
        + "<a href=\"/reports/\(name).csv\">CSV</a>) — \(e(report.summary))</li>\n"
    }
    html += "</ul>\n<h2>Calendars</h2>\n<ul>\n"
    let staff = try context.current("staff")
    for id in staff.ids {
      let name = staff[id]?.string("name") ?? id
      html += "<li><a href=\"/calendar/\(e(id)).ics\">\(e(name)) (\(e(id)))</a></li>\n"
    }
    html += "</ul>\n</body>\n</html>\n"
    return Page.html(html)
  }

  /// `/reports/NAME[.json|.csv|.md|.html]?period=&at=&team=&owner=&days=`: the report as
  /// `tally report NAME --format …` prints it for the same ref and options.
  func report(_ file: String, _ request: Request) throws -> Response {
    let (name, format) = Self.split(
      file, formats: ["json": ReportFormat.json, "csv": .csv, "md": .md, "html": .html], default: .html)
    guard let format, let definition = Reports.named(name) else {
      return Page.text(
        .notFound, "no report '\(file)' (reports: \(Reports.all.map { $0.name }.joined(separator: ", ")))\n")
    }
    var options = ReportOptions(today: self.options.today())
    options.revision = self.options.ref
    let query = request.uri.queryParameters
    if let text = query.get("period") {
      guard let period = Period.parse(text) else {
        return Page.text(.badRequest, "period: '\(text)' is not a period\n")
      }
      options.period = period
    }
    if let text = query.get("at") {
      guard let day = CivilDate(text) else { return Page.text(.badRequest, "at: '\(text)' is not a date\n") }
      options.at = day
    }
    if let text = query.get("days") {
      guard let days = Int(text), days >= 0 else { return Page.text(.badRequest, "days: '\(text)' is not a number\n") }
      options.days = days
    }
    options.team = query.get("team")
    options.owner = query.get("owner")
    let context: ReportContext
    do {
      context = try self.context(options)
    } catch let error as ReportFilterError {
      return Page.text(.badRequest, "\(error.description)\n")
    }
    let report = try definition.compute(context)
    switch format {
    case .json: return Page.response(type: "application/json", bytes: ReportRenderer.render(report, as: .json))
    case .csv: return Page.response(type: "text/csv; charset=utf-8", bytes: ReportRenderer.render(report, as: .csv))
    case .md: return Page.response(type: "text/markdown; charset=utf-8", bytes: ReportRenderer.render(report, as: .md))
    default:
      let navigation =
        "<nav><a href=\"/\">Tally</a>"
        + Reports.all.map { "<a href=\"/reports/\($0.name)\">\(HTMLRenderer.escape($0.name))</a>" }.joined()
        + "</nav>\n"
      return Page.html(HTMLRenderer.page(report, navigation: navigation))
    }
  }

  /// `/calendar/STAFF-ID.ics` (and `.json`): ``CalendarFeed``, as `tally calendar` prints it.
  func calendar(_ file: String) throws -> Response {
    let (staff, format) = Self.split(file, formats: ["ics": "ics", "json": "json"], default: nil)
    var options = ReportOptions(today: self.options.today())
    options.revision = self.options.ref
    let context = try self.context(options)
    guard let format, let person = try context.current("staff")[staff] else {
      return Page.text(.notFound, "no calendar '\(file)'\n")
    }
    let events = try CalendarFeed.events(for: staff, context: context)
    if format == "json" {
      return Page.response(
        type: "application/json", bytes: CalendarFeed.json(events, staff: staff, commit: context.commit.hex))
    }
    let feed = CalendarFeed.render(
      events, name: (person.string("name") ?? staff) + " 的日程", stamp: Int(context.commits.last?.committer.time ?? 0))
    return Page.response(type: "text/calendar; charset=utf-8", feed)
  }

  /// `plan.json` → ("plan", .json); no extension → the default.
  static func split<Format>(_ file: String, formats: [String: Format], default fallback: Format? = nil) -> (
    String, Format?
  ) {
    guard let dot = file.lastIndex(of: ".") else { return (file, fallback) }
    return (String(file[..<dot]), formats[String(file[file.index(after: dot)...])])
  }
}
