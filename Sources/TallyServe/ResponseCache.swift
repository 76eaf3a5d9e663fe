import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Pages already made, per commit: a page is a function of the commit, the URL, the language,
/// the day and (for a few) the person, so once made it is served again without touching the
/// history until the ref moves. Shared by every connection under a lock (not in the Site actor,
/// so that a page being computed does not hold up pages already made). Bounded: entries of
/// other commits are dropped first, then everything.
final class ResponseCache: @unchecked Sendable {
  struct Entry {
    var status: HTTPResponse.Status
    var headers: HTTPFields
    var body: ByteBuffer
  }

  private let lock = NSLock()
  private var entries: [String: (commit: String, entry: Entry)] = [:]
  private var bytes = 0
  let limit: Int

  init(limit: Int = 64 << 20) { self.limit = limit }

  func entry(_ key: String) -> Entry? {
    lock.lock()
    defer { lock.unlock() }
    return entries[key]?.entry
  }

  func store(_ entry: Entry, key: String, commit: String) {
    lock.lock()
    defer { lock.unlock() }
    if bytes + entry.body.readableBytes > limit {
      entries = entries.filter { $0.value.commit == commit }
      bytes = entries.values.reduce(0) { $0 + $1.entry.body.readableBytes }
      if bytes + entry.body.readableBytes > limit {
        entries = [:]
        bytes = 0
      }
    }
    if let old = entries[key] { bytes -= old.entry.body.readableBytes }
    entries[key] = (commit, entry)
    bytes += entry.body.readableBytes
  }

  /// The bytes of a response made in memory (every page but `/events`).
  static func collect(_ response: Response) async throws -> Entry {
    var collector = Collector()
    try await response.body.write(collector)
    _ = collector
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
  /// commit and key, `If-None-Match` answered 304); else made, and kept when it is a 200.
  /// `person` is part of the key for pages that depend on who asks.
  static func page(
    _ request: Request, _ site: Site, cache: ResponseCache, person: String? = nil,
    make: @escaping @Sendable () async throws -> Response
  ) async throws -> Response {
    let commit = try await site.resolveHead()
    let language = site.language(request)
    let key = [
      commit, request.uri.path, request.uri.query ?? "", language.rawValue, site.options.today().description,
      person ?? "",
    ].joined(separator: "\u{1}")
    let tag =
      "\"" + String(commit.prefix(16)) + "-" + String(UInt64(bitPattern: Int64(key.hashValue)), radix: 36)
      + "\""
    if request.headers[.ifNoneMatch] == tag {
      return Response(status: .notModified, headers: [.eTag: tag])
    }
    let entry: ResponseCache.Entry
    if let known = cache.entry(key) {
      entry = known
    } else {
      entry = try await ResponseCache.collect(
        try await Site.$pinned.withValue(commit) {
          try await Site.$pageLanguage.withValue(language) { try await make() }
        })
      if entry.status == .ok { cache.store(entry, key: key, commit: commit) }
    }
    var headers = entry.headers
    if entry.status == .ok { headers[.eTag] = tag }
    return Response(status: entry.status, headers: headers, body: .init(byteBuffer: entry.body))
  }
}
