import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Pages already made, per commit: a page is a function of the commit, the URL, the language,
/// the day and (for a few) the person, so once made it is served again without touching the
/// history until the ref moves. Shared by every connection under a lock (not in the Site actor,
/// so that a page being computed does not hold up pages already made). Bounded: entries of
/// other commits are dropped first, then everything.
///
/// When the ref moves, a page of the new commit is made once however many requests ask for it
/// meanwhile. A request waits for it up to ``patience``; a page that takes longer (the
/// dashboard of a large repository takes seconds) is answered meanwhile with the newest page
/// made for the same URL — a whole page of an earlier commit, which says so — instead of
/// queueing every request behind the computation. A page never made before is waited for.
final class ResponseCache: @unchecked Sendable {
  struct Entry {
    var status: HTTPResponse.Status
    var headers: HTTPFields
    var body: ByteBuffer
  }

  /// What a request is answered with.
  enum Answer {
    /// The page of the commit asked for.
    case ready(Entry)
    /// A page being made (of the commit asked for, or of an earlier one still being made when
    /// the ref moved again; `key` says which), and the newest page made before for the same
    /// URL, if any, to answer with when it takes longer than the patience.
    case making(Flight, key: String, previous: (entry: Entry, key: String)?)
  }

  private let lock = NSLock()
  private var entries: [String: (commit: String, entry: Entry)] = [:]
  /// The key of the newest page made for each URL, language, day and person (the key without
  /// its commit).
  private var latest: [String: String] = [:]
  /// The page being made for each URL, language, day and person, and its key.
  private var making: [String: (key: String, flight: Flight)] = [:]
  private var bytes = 0
  let limit: Int
  /// How long a request waits for a page being made when there is an earlier one to serve.
  let patience: Duration

  init(limit: Int = 64 << 20, patience: Duration = .seconds(1)) {
    self.limit = limit
    self.patience = patience
  }

  func entry(_ key: String) -> Entry? {
    lock.lock()
    defer { lock.unlock() }
    return entries[key]?.entry
  }

  /// The answer for `key` (the page `page` of `commit`): made before, else the computation
  /// `make`, started here unless it already runs. While a page of an earlier commit is still
  /// being made, a second one is not started: under a stream of pushes each page is made for
  /// one commit at a time, skipping those passed meanwhile.
  func answer(
    key: String, page: String, commit: String, make: @escaping @Sendable () async throws -> Entry
  ) -> Answer {
    lock.lock()
    defer { lock.unlock() }
    if let known = entries[key] { return .ready(known.entry) }
    let previous = latest[page].flatMap { old in entries[old].map { (entry: $0.entry, key: old) } }
    if let running = making[page] {
      return .making(running.flight, key: running.key, previous: previous)
    }
    let flight = Flight()
    making[page] = (key, flight)
    Task {
      let result: Result<Entry, any Error>
      do { result = .success(try await make()) } catch { result = .failure(error) }
      if case .success(let entry) = result, entry.status == .ok {
        store(entry, key: key, page: page, commit: commit)
      }
      lock.withLock { making[page] = nil }
      flight.complete(result)
    }
    return .making(flight, key: key, previous: previous)
  }

  /// The page to answer `key` with, and its key: the page of `commit`, or (when that takes
  /// longer than the patience and an earlier page of the URL was made) the earlier page.
  func respond(
    key: String, page: String, commit: String, make: @escaping @Sendable () async throws -> Entry
  ) async throws -> (entry: Entry, key: String) {
    while true {
      switch answer(key: key, page: page, commit: commit, make: make) {
      case .ready(let known):
        return (known, key)
      case .making(let flight, let makingKey, let previous?):
        if let fresh = try await flight.value(within: patience) { return (fresh, makingKey) }
        return previous
      case .making(let flight, let makingKey, nil):
        // Nothing to show meanwhile: wait for it; when it was an earlier commit's page, ask
        // again for this one's.
        let fresh = try await flight.value()
        if makingKey == key { return (fresh, key) }
      }
    }
  }

  func store(_ entry: Entry, key: String, page: String, commit: String) {
    lock.lock()
    defer { lock.unlock() }
    if bytes + entry.body.readableBytes > limit {
      entries = entries.filter { $0.value.commit == commit }
      bytes = entries.values.reduce(0) { $0 + $1.entry.body.readableBytes }
      if bytes + entry.body.readableBytes > limit {
        entries = [:]
        bytes = 0
      }
      latest = latest.filter { entries[$0.value] != nil }
    }
    if let old = entries[key] { bytes -= old.entry.body.readableBytes }
    entries[key] = (commit, entry)
    bytes += entry.body.readableBytes
    latest[page] = key
  }

  /// One computation of a page, waited for by any number of requests, each with its own
  /// patience.
  final class Flight: @unchecked Sendable {
    private let lock = NSLock()
    private var result: Result<Entry, any Error>?
    private var waiters: [Int: CheckedContinuation<Entry?, any Error>] = [:]
    private var nextWaiter = 0

    func complete(_ result: Result<Entry, any Error>) {
      lock.lock()
      self.result = result
      let waiting = waiters
      waiters = [:]
      lock.unlock()
      for waiter in waiting.values { waiter.resume(with: result.map { Optional($0) }) }
    }

    /// The page, when it is made.
    func value() async throws -> Entry {
      guard let entry = try await value(within: nil) else { throw CancellationError() }
      return entry
    }

    /// The page, or nil when it is not made within `patience` (nil: wait as long as it takes).
    func value(within patience: Duration?) async throws -> Entry? {
      try await withCheckedThrowingContinuation { continuation in
        lock.lock()
        if let result {
          lock.unlock()
          continuation.resume(with: result.map { Optional($0) })
          return
        }
        let number = nextWaiter
        nextWaiter += 1
        waiters[number] = continuation
        lock.unlock()
        guard let patience else { return }
        Task {
          try? await Task.sleep(for: patience)
          let waiter = lock.withLock { waiters.removeValue(forKey: number) }
          waiter?.resume(returning: nil)
        }
      }
    }
  }

  /// The bytes of a response made in memory (every page but `/events`).
  static func collect(_ response: Response) async throws -> Entry {
    let collector = Collector()
    try await response.body.write(collector)
    return Entry(status: response.status, headers: response.headers, body: collector.box.buffer)
  }

  private struct Collector: ResponseBodyWriter {
    final class Box: @unchecked Sendable { var buffer = ByteBuffer() }
    let box = Box()
    mutating func write(_ buffer: ByteBuffer) async throws {
      var buffer = buffer
      box.buffer.writeBuffer(&buffer)
    }
    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
  }
}

extension Site {
  /// The commit the current request reads, fixed once when it comes in (see
  /// ``TallyServer/page(_:_:_:cache:make:)``), so that no page mixes two states of the ref.
  @TaskLocal static var pinned: String?
  /// The language of the current request's page, so that its reports are made in it.
  @TaskLocal static var pageLanguage: Language?
}

extension TallyServer {
  /// Answers a page: the ref resolved once and pinned for the whole request; a page made
  /// before for the same commit, URL, language and day served from the cache (`ETag` the
  /// commit and key, `If-None-Match` answered 304); else made once, and kept when it is a 200
  /// — while it is being made, the newest earlier page of the URL is served, marked with a
  /// `Tally-Pending` header naming the commit whose page is coming (see ``ResponseCache``).
  /// `person` is part of the key for pages that depend on who asks.
  static func page(
    _ request: Request, _ site: Site, cache: ResponseCache, person: String? = nil,
    make: @escaping @Sendable () async throws -> Response
  ) async throws -> Response {
    let commit = try site.resolveHead()
    let language = site.language(request)
    let page = [
      request.uri.path, request.uri.query ?? "", language.rawValue, site.options.today().description, person ?? "",
    ].joined(separator: "\u{1}")
    let key = commit + "\u{1}" + page
    if request.headers[.ifNoneMatch] == tag(key) {
      return Response(status: .notModified, headers: [.eTag: tag(key)])
    }
    let made: @Sendable () async throws -> ResponseCache.Entry = {
      try await ResponseCache.collect(
        try await Site.$pinned.withValue(commit) {
          try await Site.$pageLanguage.withValue(language) { try await make() }
        })
    }
    let (entry, servedKey) = try await cache.respond(key: key, page: page, commit: commit, make: made)
    if servedKey != key, request.headers[.ifNoneMatch] == tag(servedKey) {
      return Response(status: .notModified, headers: [.eTag: tag(servedKey), .tallyPending: commit])
    }
    var headers = entry.headers
    if entry.status == .ok { headers[.eTag] = tag(servedKey) }
    if servedKey != key { headers[.tallyPending] = commit }
    return Response(status: entry.status, headers: headers, body: .init(byteBuffer: entry.body))
  }

  /// The entity tag of a page: its commit and a hash of the rest of its key.
  private static func tag(_ key: String) -> String {
    "\"" + String(key.prefix(16)) + "-" + String(UInt64(bitPattern: Int64(key.hashValue)), radix: 36) + "\""
  }
}

extension HTTPField.Name {
  /// On a page of an earlier commit served while the current commit's is being made: the
  /// current commit.
  static let tallyPending = HTTPField.Name("Tally-Pending")!
}
