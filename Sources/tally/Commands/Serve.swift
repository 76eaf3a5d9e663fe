import ArgumentParser
import TallyHistory
import TallyRecords
import TallyServe
import TallyText

struct Serve: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "serve",
    abstract: "Serve the team's web app: dashboard, records, search, SQL, reports; with --allow, forms that commit.",
    discussion: """
      Reads --ref (default HEAD), never the working tree, so it also runs beside a bare \
      repository; each request is answered from the commit the ref points to then, so a push \
      shows on the next page (open pages refresh themselves). Pages (docs/serve.md), each also \
      as .json and, for tables, .csv: / (the dashboard), /reports/NAME with ?period=, at=, \
      team=, owner=, days= (the same bytes as tally report NAME --format …), /TYPE (a type's \
      records), /TYPE/ID (a record with its timeline and blame; ?at=DAY, ?from=DAY&to=DAY; the \
      JSON is tally show), /search?q=…, /sql?q=… and /sql/NAME (tally sql and tally query, \
      read-only, time-limited), /me (the signed-in person's call-backs, customers and action \
      items; ?staff=ID for anyone's), /calendar/STAFF-ID.ics (tally calendar). Pages carry a \
      Content-Security-Policy without inline scripts and may not be framed.

      --allow view (the default): any request but GET and HEAD is refused (405). \
      --allow commit: /TYPE/ID/edit and /TYPE/ID/add/LIST are forms made from the schema; a \
      save is checked like tally check, checked against policy.yaml as the signed-in \
      person, merged with what landed since the form was loaded (409 when the same field \
      changed), and committed on --ref (author: the person; committer: tally serve; a \
      Tally-Via: web trailer), never touching a working tree. --allow propose: saves go to \
      refs/tally/proposals/N instead. Editing needs to know who is signed in: \
      --user-header with --trusted-proxy behind a single-sign-on proxy, or --dev-user on a \
      loopback address to try it out. See docs/serve-editing.md.

        tally serve --bind 127.0.0.1:8080 --ref main
        tally serve --allow commit --user-header X-Remote-User --trusted-proxy 127.0.0.1
        tally serve --allow commit --ref main --dev-user S-0022

      Exit status: 0 when stopped, 2 when it cannot listen or read the history, 64 for usage \
      errors.
      """)

  @Option(help: ArgumentHelp("The address to listen on (port 0: any free port).", valueName: "host:port"))
  var bind = "127.0.0.1:8080"

  @Option(help: ArgumentHelp("The branch or ref to serve.", valueName: "ref"))
  var ref = "HEAD"

  @Option(
    help: ArgumentHelp(
      "The interface language, zh or en (default: the browser's Accept-Language, else zh).", valueName: "lang"))
  var lang: String?

  @Option(
    help: ArgumentHelp(
      "What people may do: view, propose (edits become proposals) or commit (edits are committed on --ref).",
      valueName: "access"))
  var allow = "view"

  @Option(
    name: .customLong("dev-user"),
    help: ArgumentHelp(
      "Treat every request as this person (a staff id or identity); only on a loopback address.",
      valueName: "staff-id"))
  var devUser: String?

  @Option(
    name: .customLong("user-header"),
    help: ArgumentHelp(
      "The header a single-sign-on reverse proxy sets to the signed-in person's login or e-mail.",
      valueName: "header"))
  var userHeader: String?

  @Option(
    name: .customLong("trusted-proxy"),
    help: ArgumentHelp(
      "The proxy addresses whose --user-header is believed (comma-separated CIDRs); from any other address a request is anonymous.",
      valueName: "cidr[,cidr]"))
  var trustedProxy: String?

  @OptionGroup var repository: RepositoryOptions
  @OptionGroup var global: GlobalOptions

  /// `host:port`, `[::1]:port`.
  static func address(_ text: String) -> (String, Int)? {
    guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
      (0...65535).contains(port)
    else { return nil }
    var host = String(text[..<colon])
    if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
    return host.isEmpty ? nil : (host, port)
  }

  func validate() throws {
    guard Serve.address(bind) != nil else {
      throw ValidationError("--bind takes host:port (e.g. 127.0.0.1:8080), not '\(bind)'")
    }
    if let lang, Language(rawValue: lang) == nil {
      throw ValidationError("--lang takes zh or en, not '\(lang)'")
    }
    _ = try identity()
  }

  /// The access and the identity options, checked together.
  func identity() throws -> (TallyServer.Access, TallyServer.Identity) {
    guard let access = TallyServer.Access(rawValue: allow) else {
      throw ValidationError("--allow takes view, propose or commit, not '\(allow)'")
    }
    var identity = TallyServer.Identity(devUser: devUser, userHeader: userHeader)
    if let trustedProxy {
      for text in trustedProxy.split(separator: ",", omittingEmptySubsequences: false) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let network = TallyServer.Network(trimmed) else {
          throw ValidationError("--trusted-proxy takes addresses or CIDRs (127.0.0.1/32,10.0.0.0/8), not '\(trimmed)'")
        }
        identity.trustedProxies.append(network)
      }
    }
    if devUser != nil && userHeader != nil {
      throw ValidationError("give --dev-user or --user-header, not both")
    }
    if userHeader != nil && trustedProxy == nil {
      throw ValidationError(
        "--user-header needs --trusted-proxy: the header is believed only from the proxy's address (anyone else could send it)"
      )
    }
    if trustedProxy != nil && userHeader == nil {
      throw ValidationError("--trusted-proxy needs --user-header: the header the proxy sets to the signed-in person")
    }
    if let userHeader, !TallyServer.Identity.isHeaderName(userHeader) {
      throw ValidationError("--user-header takes a header name (X-Remote-User), not '\(userHeader)'")
    }
    if devUser != nil, let (host, _) = Serve.address(bind), !TallyServer.Network.isLoopback(host) {
      throw ValidationError(
        "--dev-user makes every request that person, so it is only for a loopback address (--bind 127.0.0.1:PORT), not \(host)"
      )
    }
    if access != .view && !identity.isConfigured {
      throw ValidationError(
        "--allow \(allow) needs to know who is editing: give --user-header and --trusted-proxy (behind a single-sign-on proxy) or --dev-user STAFF-ID (to try it on this machine)"
      )
    }
    return (access, identity)
  }

  func run() throws {
    let (host, port) = Serve.address(bind)!
    let language = lang.flatMap(Language.init(rawValue:))
    let (access, identity) = try self.identity()
    let context = try HistoryContext.open(repository)
    try context.requireEveryType("serve")
    _ = try context.resolve(ref)
    if access != .view {
      do {
        _ = try RefEditor(history: context.history, ref: ref)
      } catch {
        Console.err("tally: --allow \(allow): \(error)\n")
        throw ExitCode.validationFailure
      }
    }
    let records = context.records
    do {
      var options = TallyServer.Options(host: host, port: port, ref: ref, today: { today(in: records) })
      options.language = language
      options.repositoryLanguage = records.config.language
      options.tallyVersion = TallyVersion.string
      options.access = access
      options.identity = identity
      let mode = access == .view ? "view only" : "allow \(access.rawValue)"
      try TallyServer.run(history: context.history, options: options) { url in
        Console.out("tally serve: \(url) (\(ref), \(mode))\n")
      }
    } catch {
      Console.err("tally: cannot serve on \(bind): \(error)\n")
      throw Exit.failure
    }
  }
}
