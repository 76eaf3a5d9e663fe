import ArgumentParser
import TallyHistory
import TallyRecords
import TallyServe
import TallyText

struct Serve: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "serve",
    abstract: "Serve the team's web app: dashboard, records, search, SQL, reports.",
    discussion: """
      Reads --ref (default HEAD), never the working tree, so it also runs beside a bare \
      repository; each request is answered from the commit the ref points to then, so a push \
      shows on the next page. Pages (docs/serve.md), each also as .json and, for tables, \
      .csv: / (the dashboard), /reports/NAME with ?period=, at=, team=, owner=, days= (the \
      same bytes as tally report NAME --format …), /TYPE (a type's records), /TYPE/ID (a \
      record with its timeline and blame; ?at=DAY, ?from=DAY&to=DAY; the JSON is tally show), \
      /search?q=…, /sql?q=… and /sql/NAME (tally sql and tally query, read-only, \
      time-limited), /me?staff=ID (a person's call-backs, customers and action items), \
      /calendar/STAFF-ID.ics (tally calendar). View only: any request but GET and HEAD is \
      refused (405); pages carry a Content-Security-Policy without inline scripts and may \
      not be framed.

        tally serve --bind 127.0.0.1:8080 --ref main

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
  }

  func run() throws {
    let (host, port) = Serve.address(bind)!
    let language = lang.flatMap(Language.init(rawValue:))
    let context = try HistoryContext.open(repository)
    try context.requireEveryType("serve")
    _ = try context.resolve(ref)
    let records = context.records
    do {
      var options = TallyServer.Options(host: host, port: port, ref: ref, today: { today(in: records) })
      options.language = language
      options.tallyVersion = TallyVersion.string
      try TallyServer.run(history: context.history, options: options) { url in
        Console.out("tally serve: \(url) (\(ref), view only)\n")
      }
    } catch {
      Console.err("tally: cannot serve on \(bind): \(error)\n")
      throw Exit.failure
    }
  }
}
