import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import TallyHistory
import TallyRecords
import TallyReports
import TallySchema
import TallyText

/// The repository's history, used by one request at a time, and what was computed from it per
/// commit. Every request resolves the ref once and reads everything from that one commit, so
/// no page mixes two states of the ref.
actor Site {
  let history: History
  let options: TallyServer.Options
  /// The last contexts, per commit and report options.
  var contexts: [String: ReportContext] = [:]
  /// The commit of the newest context made.
  var contextsCommit: String?
  /// Where the served ref points, asked without waiting for the actor.
  nonisolated let served: ServedRef
  /// Where each record changed in the latest history served (``recordCommits(_:_:)``).
  var recordIndex: RecordChangeIndex?
  /// Pages computed from several reports (the dashboard, my day), per commit and day.
  var pages: [String: Report] = [:]
  /// The commit the SQL database of the served ref was last brought up to (``database(at:)``).
  var databaseHead: String?

  init(history: History, options: TallyServer.Options) throws {
    self.history = history
    self.options = options
    self.served = ServedRef(options.ref, resolver: try history.revisionResolver())
  }

  /// The report options a page starts from: the commit the request reads (the served ref's,
  /// fixed when the request came in), today.
  func reportOptions() -> ReportOptions {
    var options = ReportOptions(today: self.options.today())
    options.revision = Site.pinned ?? self.options.ref
    options.language = Site.pageLanguage
    return options
  }

  /// The served ref's commit now (never waits for a page being made).
  nonisolated func resolveHead() throws -> String { try served.resolve() }

  func context(_ reportOptions: ReportOptions) throws -> ReportContext {
    let commit = try history.resolve(reportOptions.revision)
    let key = [
      commit.hex, reportOptions.period?.description ?? "", reportOptions.at?.description ?? "",
      reportOptions.team ?? "", reportOptions.owner ?? "", reportOptions.days.map(String.init) ?? "",
      reportOptions.today.description, reportOptions.language?.rawValue ?? "",
    ].joined(separator: "\u{1}")
    if let known = contexts[key] { return known }
    // A new commit: what was made for the old ones is let go (memory stays flat however many
    // pushes come in); a request still reading an old commit makes its own again.
    if commit.hex != contextsCommit {
      contexts = [:]
      pages = [:]
      contextsCommit = commit.hex
    }
    var resolved = reportOptions
    resolved.revision = commit.hex
    let context = try Reports.context(history: history, options: resolved)
    if contexts.count > 64 { contexts = [:] }
    contexts[key] = context
    return context
  }

  /// Keeps a computed page for the next request of the same commit (the last 64).
  func remember(_ report: Report, as key: String) {
    if pages.count > 64 { pages = [:] }
    pages[key] = report
  }

  /// The language of a page: `--lang`, else the browser's (when it asks for Chinese or
  /// English), else the repository's (`language:` in tally.yaml; English when it says nothing).
  nonisolated func language(_ request: Request) -> Language {
    options.language ?? Language.preferred(by: request.headers[.acceptLanguage]) ?? options.repositoryLanguage ?? .zh
  }

  nonisolated func layout(_ context: ReportContext, _ request: Request) -> Layout {
    Layout(language: language(request), commit: context.commit.hex, ref: options.ref, access: options.access)
  }

  /// A path parameter percent-decoded (`C%2D0042` → `C-0042`; text that is not valid
  /// percent-encoding is taken as it is).
  static func decoded(_ text: String) -> String { text.removingPercentEncoding ?? text }

  /// The ref's commit, looked at no more often than the poll interval however many pages
  /// listen.
  nonisolated func currentHead() -> String { served.current(within: options.refPollInterval) }

  /// `/events`: server-sent events, `event: ref` with the commit the ref points to, sent at
  /// once and whenever it moves; a comment every 5 s keeps proxies from closing the stream
  /// and finds a connection the page closed.
  nonisolated func events(_ request: Request) -> Response {
    let interval = options.refPollInterval
    let body = ResponseBody { writer in
      var sent: String?
      var quiet = Duration.zero
      while !Task.isCancelled {
        let hex = self.currentHead()
        if hex != sent {
          try await writer.write(ByteBuffer(string: "event: ref\ndata: \(hex)\n\n"))
          sent = hex
          quiet = .zero
        } else if quiet >= .seconds(5) {
          try await writer.write(ByteBuffer(string: ": still here\n\n"))
          quiet = .zero
        }
        try await Task.sleep(for: interval)
        quiet += interval
      }
      try await writer.finish(nil)
    }
    return Response(
      status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: body)
  }

  /// `plan.json` → ("plan", .json); no extension → the default.
  static func split<Format>(_ file: String, formats: [String: Format], default fallback: Format? = nil) -> (
    String, Format?
  ) {
    guard let dot = file.lastIndex(of: ".") else { return (file, fallback) }
    return (String(file[..<dot]), formats[String(file[file.index(after: dot)...])])
  }
}

/// The served ref: resolved on a repository handle of its own, so that every request learns
/// the commit it reads, and `/events` the tip, while the Site actor is busy making a page.
final class ServedRef: @unchecked Sendable {
  let name: String
  private let resolver: RevisionResolver
  private let lock = NSLock()
  private var last: (hex: String, at: ContinuousClock.Instant)?

  init(_ name: String, resolver: RevisionResolver) {
    self.name = name
    self.resolver = resolver
  }

  /// The ref's commit now.
  func resolve() throws -> String {
    let hex = try resolver.resolve(name).hex
    lock.lock()
    last = (hex, ContinuousClock.now)
    lock.unlock()
    return hex
  }

  /// The ref's commit as looked at within `interval` (by a request or an earlier call), else
  /// now; empty when it cannot be resolved.
  func current(within interval: Duration) -> String {
    lock.lock()
    let known = last
    lock.unlock()
    if let known, ContinuousClock.now - known.at < interval { return known.hex }
    return (try? resolve()) ?? ""
  }
}
