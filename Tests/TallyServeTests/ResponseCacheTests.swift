import HTTPTypes
import NIOCore
import Testing

@testable import TallyServe

/// The page cache of `tally serve` when the ref moves: each page made once however many ask,
/// an earlier commit's whole page served while a slow one is made, one computation per page at
/// a time under a stream of pushes.
///
/// The time limit catches a cache that never answers. It is generous: in the full parallel
/// run on two cores, tests that block their thread (browser, processes) can hold the whole
/// cooperative pool for minutes, and these tests, which pass in 0.2 s alone, then waited past
/// a one-minute limit without anything being wrong.
@Suite(.timeLimit(.minutes(10))) struct ResponseCacheTests {
  static func page(_ text: String, _ status: HTTPResponse.Status = .ok) -> ResponseCache.Entry {
    ResponseCache.Entry(status: status, headers: [:], body: ByteBuffer(string: text))
  }

  static func text(_ entry: ResponseCache.Entry) -> String { String(buffer: entry.body) }

  /// A computation that counts its calls and, when gated, waits until it is let go.
  final class Maker: Sendable {
    let calls = Counter()
    let gate: AsyncStream<Void>
    let open: AsyncStream<Void>.Continuation
    let text: String
    let status: HTTPResponse.Status

    init(_ text: String, gated: Bool = false, status: HTTPResponse.Status = .ok) {
      (gate, open) = AsyncStream<Void>.makeStream()
      self.text = text
      self.status = status
      if !gated { open.finish() }
    }

    var make: @Sendable () async throws -> ResponseCache.Entry {
      {
        await self.calls.add()
        for await _ in self.gate { break }
        return ResponseCacheTests.page(self.text, self.status)
      }
    }

    func release() { open.finish() }
  }

  actor Counter {
    private(set) var value = 0
    func add() { value += 1 }
  }

  static let page = "/customer/C-0001\u{1}\u{1}zh\u{1}2026-12-06\u{1}"
  static func key(_ commit: String) -> String { commit + "\u{1}" + page }

  func respond(_ cache: ResponseCache, _ commit: String, _ maker: Maker) async throws -> (text: String, key: String) {
    let (entry, key) = try await cache.respond(
      key: Self.key(commit), page: Self.page, commit: commit, make: maker.make)
    return (Self.text(entry), key)
  }

  @Test func aPageIsMadeOnceHoweverManyAskWhileItIsMade() async throws {
    let cache = ResponseCache(patience: .seconds(60))
    let maker = Maker("one", gated: true)
    let answers = try await withThrowingTaskGroup(of: String.self) { group in
      for _ in 0..<20 { group.addTask { try await respond(cache, "c1", maker).text } }
      try await Task.sleep(for: .milliseconds(100))
      maker.release()
      return try await group.reduce(into: []) { $0.append($1) }
    }
    #expect(answers == Array(repeating: "one", count: 20))
    #expect(await maker.calls.value == 1)
    // Made: served again without a computation.
    #expect(try await respond(cache, "c1", Maker("again")).text == "one")
  }

  @Test func aSlowPageOfANewCommitIsAnsweredWithTheEarlierPageUntilItIsMade() async throws {
    let cache = ResponseCache(patience: .milliseconds(50))
    #expect(try await respond(cache, "c1", Maker("one")).text == "one")
    let slow = Maker("two", gated: true)
    let clock = ContinuousClock()
    let start = clock.now
    let meanwhile = try await respond(cache, "c2", slow)
    #expect(meanwhile.text == "one" && meanwhile.key == Self.key("c1"))
    #expect(clock.now - start >= .milliseconds(50))
    #expect(try await respond(cache, "c2", slow).text == "one")
    #expect(await slow.calls.value == 1)
    slow.release()
    let unused = Maker("never")
    var answer = try await respond(cache, "c2", unused)
    for _ in 0..<100 where answer.key != Self.key("c2") {
      try await Task.sleep(for: .milliseconds(10))
      answer = try await respond(cache, "c2", unused)
    }
    #expect(answer.text == "two" && answer.key == Self.key("c2"))
    #expect(await unused.calls.value == 0)
  }

  @Test func aPageNeverMadeBeforeIsWaitedFor() async throws {
    let cache = ResponseCache(patience: .milliseconds(10))
    let slow = Maker("one", gated: true)
    let answer = Task { try await respond(cache, "c1", slow) }
    try await Task.sleep(for: .milliseconds(200))
    slow.release()
    let (text, key) = try await answer.value
    #expect(text == "one" && key == Self.key("c1"))
  }

  @Test func underAStreamOfPushesAPageIsMadeForOneCommitAtATime() async throws {
    let cache = ResponseCache(patience: .milliseconds(20))
    #expect(try await respond(cache, "c1", Maker("one")).text == "one")
    let second = Maker("two", gated: true)
    #expect(try await respond(cache, "c2", second).text == "one")
    // The ref moved again while c2's page is being made: c3's is not started beside it.
    let third = Maker("three")
    #expect(try await respond(cache, "c3", third).text == "one")
    #expect(await third.calls.value == 0)
    second.release()
    var answer = try await respond(cache, "c3", third)
    for _ in 0..<100 where answer.key != Self.key("c3") {
      try await Task.sleep(for: .milliseconds(10))
      answer = try await respond(cache, "c3", third)
    }
    #expect(answer.text == "three")
    #expect(await third.calls.value == 1)
  }

  @Test func anErrorPageIsNotKeptNorServedInPlaceOfALaterOne() async throws {
    let cache = ResponseCache(patience: .milliseconds(20))
    let missing = Maker("no such record", status: .notFound)
    #expect(try await respond(cache, "c1", missing).text == "no such record")
    #expect(try await respond(cache, "c1", missing).text == "no such record")
    #expect(await missing.calls.value == 2)
    // No 200 page of the URL was made, so the new commit's page is waited for.
    let found = Maker("found", gated: true)
    let answer = Task { try await respond(cache, "c2", found) }
    try await Task.sleep(for: .milliseconds(100))
    found.release()
    #expect(try await answer.value.text == "found")
  }
}
