import Dispatch
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import TallyHistory
import TallyRecords
import TallyReports
import TallySchema
import TallyText

/// `tally serve`: the team's web app, read from a ref (never the working tree, so it also runs
/// beside a bare repository). Each page is computed from the commit the ref points to when the
/// request comes in, so a push shows on the next request, and open pages learn of it through
/// server-sent events (`/events`).
public enum TallyServer {
  /// What the server lets people do.
  public enum Access: String, Sendable, CaseIterable {
    /// Pages only: every request but GET and HEAD is refused.
    case view
    /// Edits are kept as proposals for a team lead to apply.
    case propose
    /// Edits are committed on the ref.
    case commit
  }

  public struct Options: Sendable {
    public var host: String
    public var port: Int
    public var ref: String
    public var access: Access = .view
    /// Who a request is, for editing (`--dev-user`, `--user-header`, `--trusted-proxy`).
    public var identity = Identity()
    /// The interface language; nil: the browser's Accept-Language, else `repositoryLanguage`.
    public var language: Language?
    /// `language:` in tally.yaml, if it says.
    public var repositoryLanguage: Language?
    /// Today, in the repository's zone (the CLI's rule, `TALLY_TODAY` included).
    public var today: @Sendable () -> CivilDate
    /// How often the ref is looked at for the live refresh.
    public var refPollInterval: Duration = .milliseconds(200)
    /// Tally's version, recorded in the SQL database the search and SQL pages read.
    public var tallyVersion = "unknown"
    /// How long a query of the SQL page may run, in seconds (`tally sql`'s default).
    public var sqlTimeout = 10.0

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
    let site = try Site(history: history, options: options)
    let router = Router(context: ServeContext.self)
    routes(router, site: site, cache: ResponseCache())
    // The server's own messages go to standard error, warnings and worse only: standard
    // output is the address line a script or a test reads.
    var logger = Logger(label: "tally.serve", factory: { label in StreamLogHandler.standardError(label: label) })
    logger.logLevel = Logger.Level.warning
    let app = Application(
      responder: Guarded(inner: router.buildResponder(), access: options.access),
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

  /// Every route of the app (docs/serve.md lists them). Each page answers GET and HEAD (the
  /// same headers, no body).
  static func routes(_ router: Router<ServeContext>, site: Site, cache: ResponseCache) {
    for method in [HTTPRequest.Method.get, .head] {
      router.on("/", method: method) { request, _ in
        try await page(request, site, cache: cache) { try await site.dashboard(request) }
      }
      router.on("/reports", method: method) { request, _ in
        try await page(request, site, cache: cache) { try await site.reports(request) }
      }
      router.on("/reports/{file}", method: method) { request, context in
        let file = try context.parameters.require("file")
        return try await page(request, site, cache: cache) { try await site.report(file, request, context) }
      }
      router.on("/calendar/{file}", method: method) { request, context in
        let file = try context.parameters.require("file")
        return try await page(request, site, cache: cache) { try await site.calendar(file) }
      }
      router.on("/assets/{file}", method: method) { _, context in
        try Assets.response(context.parameters.require("file"))
      }
      router.on("/.json", method: method) { request, _ in
        try await page(request, site, cache: cache) { try await site.dashboardJSON(request) }
      }
      for file in ["search", "search.json", "search.csv"] {
        router.on(RouterPath(file), method: method) { request, _ in
          try await page(request, site, cache: cache) { try await site.search(file, request) }
        }
      }
      for file in ["sql", "sql.json", "sql.csv"] {
        router.on(RouterPath(file), method: method) { request, _ in
          try await page(request, site, cache: cache) { try await site.sql(file, nil, request) }
        }
      }
      router.on("/sql/{file}", method: method) { request, context in
        let name = try Site.decoded(context.parameters.require("file"))
        return try await page(request, site, cache: cache) { try await site.sql("sql", name, request) }
      }
      for file in ["me", "me.json"] {
        router.on(RouterPath(file), method: method) { request, context in
          let person = await site.signedInStaff(request, context)
          return try await page(request, site, cache: cache, person: person) {
            try await site.me(file, request, signedIn: person)
          }
        }
      }
      // A record type's list and a record's page: after every fixed path above (the router
      // prefers a fixed segment to a parameter).
      router.on("/{type}", method: method) { request, context in
        let type = try Site.decoded(context.parameters.require("type"))
        return try await page(request, site, cache: cache) { try await site.recordList(type, request) }
      }
      router.on("/{type}/{id}", method: method) { request, context in
        let type = try Site.decoded(context.parameters.require("type"))
        let id = try Site.decoded(context.parameters.require("id"))
        return try await page(request, site, cache: cache) { try await site.record(type, id, request) }
      }
    }
    router.get("/events") { request, _ in site.events(request) }
    editRoutes(router, site: site)
    // Anything else: the router's bare 404, which ``Guarded`` turns into one that says what
    // was asked for (a `**` route cannot sit beside the `/{type}/{id}/…` routes in the trie).
  }

  private final class Outcome: @unchecked Sendable {
    var error: (any Error)?
  }

  /// Around every response, the unmatched ones too: the security headers, and in view-only
  /// mode nothing but GET and HEAD.
  struct Guarded<Inner: HTTPResponder>: HTTPResponder where Inner.Context == ServeContext {
    let inner: Inner
    let access: Access

    static var policy: String {
      "default-src 'none'; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; "
        + "img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    }

    func respond(to request: Request, context: ServeContext) async throws -> Response {
      var response: Response
      if access == .view && request.method != .get && request.method != .head {
        response = Page.text(.methodNotAllowed, "tally serve is view-only: \(request.method) is not allowed\n")
        response.headers[.allow] = "GET, HEAD"
      } else {
        do {
          response = try await inner.respond(to: request, context: context)
          // The router's own 404 (no route matched) is bare: say what was asked for.
          if response.status == .notFound && response.headers[.contentType] == nil {
            response = Page.text(.notFound, "no page at \(request.uri.path) (the pages: docs/serve.md)\n")
          }
        } catch let error as HTTPError {
          response = Page.text(error.status, (error.body ?? error.status.reasonPhrase) + "\n")
        }
        // No route: the router's bare 404 becomes one that says what was asked for.
        if response.status == .notFound && response.headers[.contentType] == nil {
          response = Page.text(.notFound, "no page at \(request.uri.path) (the pages: docs/serve.md)\n")
        }
      }
      response.headers[.contentSecurityPolicy] = Self.policy
      response.headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
      response.headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
      response.headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
      if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-cache" }
      return response
    }
  }
}

/// What a request carries besides itself: the connection's remote address (for
/// `--trusted-proxy`) and a request size limit.
public struct ServeContext: RequestContext, RemoteAddressRequestContext {
  public var coreContext: CoreRequestContextStorage
  public let remoteAddress: SocketAddress?

  public init(source: ApplicationRequestContextSource) {
    self.coreContext = .init(source: source)
    self.remoteAddress = source.channel.remoteAddress
  }

  /// Forms are small: a request body over 256 KiB is refused (413).
  public var maxUploadSize: Int { 256 * 1024 }
}
