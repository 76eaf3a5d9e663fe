import TallyRecords
import TallySchema
import TallyText
import Testing

@testable import TallySampleData

/// The long history of `tally-bench gen-history` (`make bench-history`).
@Suite("History corpus")
struct HistoryCorpusTests {
  static let schemaFiles: [(name: String, content: [UInt8])] = ["customer", "minutes", "plan", "staff"].map {
    ("\($0).yaml", (try? FileSystem.read(schemaDirectory + "/\($0).yaml")) ?? [])
  }

  func corpus(customers: Int = 200, commits: Int = 450, authors: Int = 14, seed: UInt64 = 7) throws -> HistoryCorpus {
    try HistoryCorpus(
      HistoryCorpus.Options(
        customers: customers, commits: commits, authors: authors, seed: seed, schemaFiles: Self.schemaFiles))
  }

  func events(_ history: HistoryCorpus) -> [SampleEvent] {
    var events: [SampleEvent] = []
    while let event = history.next() { events.append(event) }
    return events
  }

  /// A layout-only commit, or a re-creation (which puts a file back as it was).
  static func mayWriteHandEditedLayout(_ event: SampleEvent) -> Bool {
    event.message.contains("（内容不变）") || event.message.contains("(layout only)")
      || event.message.hasPrefix("恢复误删的客户档案") || event.message.hasPrefix("Restore ")
  }

  /// The whole history, replayed and checked commit by commit by Tally's own checks.
  @Test func everyCommitLeavesAValidRepository() throws {
    let history = try corpus()
    let events = events(history)
    #expect(events.count == 450)
    let replay = HistoryReplay(checks: ShippedChecks(repository: try shippedSchemaRepository()))
    replay.outsiders = [HistoryTeam.outsider.email]
    replay.acceptsHandEditedLayout = true
    var layoutOnly = 0
    for event in events {
      if event.message.contains("（内容不变）") || event.message.contains("(layout only)") {
        // Only the layout changes: every field keeps its value.
        layoutOnly += 1
        for change in event.changes {
          let before = try #require(replay.values[change.path]?.pairs)
          let after = try #require(Document.parse(change.content ?? []).document?.value.pairs)
          #expect(Set(before) == Set(after) && before != after, "\(change.path): \(event.message)")
        }
      }
      replay.apply(event)
    }
    #expect(replay.problems.isEmpty, "\(replay.problems.prefix(30).joined(separator: "\n"))")
    #expect(layoutOnly >= 1)
    #expect(!replay.nonCanonicalWrites.isEmpty)
    for (commit, path) in replay.nonCanonicalWrites {
      #expect(Self.mayWriteHandEditedLayout(events[commit - 1]), "\(path) in \(events[commit - 1].message)")
    }
    #expect(history.customerCount == replay.contents.keys.filter { $0.hasPrefix("customers/") }.count)
    #expect(history.rareCommits == "1 deletions, 1 re-creations, 1 renames, 2 layout-only")
    #expect(Set(events.map(\.authorEmail)).count == 15)
    for transition in [
      "customer lead -> prospect", "customer prospect -> active", "customer prospect -> lead",
      "customer active -> dormant", "customer dormant -> active", "customer churned -> lead",
    ] {
      #expect(replay.transitionsSeen.contains(transition), "never happens: \(transition)")
    }
    #expect(replay.transitionsSeen.contains { $0.hasPrefix("customer") && $0.hasSuffix("-> churned") })
  }

  @Test func commitsAreOnWeekdaysInOrder() throws {
    let events = events(try corpus(customers: 450, commits: 400))
    let setUp = try #require(events.first)
    #expect(Array(setUp.changes.map(\.path).prefix(5)) == ["tally.yaml"] + Self.schemaFiles.map { "schema/\($0.name)" })
    #expect(setUp.changes.dropFirst(5).allSatisfy { $0.path.hasPrefix("staff/") })
    // 450 customers are imported in three commits of at most 200, in order.
    #expect(events[1...3].map(\.changes.count) == [200, 200, 50])
    #expect(events[3].changes.last?.path == "customers/C-0450.yaml")
    var previous = Int.min
    for event in events {
      let time = try #require(event.epochSeconds, "\(event.timestamp)")
      #expect(time > previous, "\(event.timestamp)")
      previous = time
      #expect(event.timestamp.hasSuffix("+08:00"))
      let day = try #require(CivilDate(String(event.timestamp.prefix(10))))
      #expect(!day.isWeekend, "\(event.timestamp)")
      #expect(day >= CivilDate(year: 2025, month: 1, day: 1) && day <= CivilDate(year: 2026, month: 12, day: 31))
      #expect(event.via == .git)
    }
  }

  @Test func isDeterministicAndImportsDependOnTheNumber() throws {
    let first = events(try corpus(customers: 200, commits: 300))
    #expect(first == events(try corpus(customers: 200, commits: 300)))
    #expect(first != events(try corpus(customers: 200, commits: 300, seed: 8)))
    // Customer 42 is the same file in a corpus of 400 customers as in one of 200.
    let larger = events(try corpus(customers: 400, commits: 300))
    #expect(first[1].changes == larger[1].changes)
  }

  /// `gen-history --append`: more commits on top of records read back from a repository.
  @Test func continuesFromItsRecords() throws {
    let events = events(try corpus(customers: 200, commits: 300))
    let replay = HistoryReplay(checks: ShippedChecks(repository: try shippedSchemaRepository()))
    replay.outsiders = [HistoryTeam.outsider.email]
    replay.acceptsHandEditedLayout = true
    for event in events { replay.apply(event) }
    let records = replay.contents.filter { $0.key.hasPrefix("staff/") || $0.key.hasPrefix("customers/") }
      .map { (path: $0.key, content: $0.value) }
    let last = try #require(events.last?.epochSeconds)
    let more = try HistoryCorpus.continuing(records, after: last, count: 60, seed: 7001)
    #expect(more.count == 60)
    #expect(more == (try HistoryCorpus.continuing(records.reversed(), after: last, count: 60, seed: 7001)))
    #expect(more != (try HistoryCorpus.continuing(records, after: last, count: 60, seed: 7002)))
    var previous = last
    for event in more {
      let time = try #require(event.epochSeconds)
      #expect(time > previous)
      previous = time
      replay.apply(event)
    }
    #expect(replay.problems.isEmpty, "\(replay.problems.prefix(30).joined(separator: "\n"))")
  }

  @Test func refusesWhatMakesNoHistory() throws {
    #expect(throws: HistoryCorpus.InvalidOptions.self) { try corpus(authors: 3) }
    #expect(throws: HistoryCorpus.InvalidOptions.self) { try corpus(customers: 0) }
    #expect(throws: HistoryCorpus.InvalidOptions.self) { try corpus(customers: HistoryCorpus.maximumCustomers + 1) }
    #expect(HistoryCorpus.minimumCommits(customers: 450) == 5)
    #expect(throws: HistoryCorpus.InvalidOptions.self) { try corpus(customers: 450, commits: 4) }
    #expect(try corpus(customers: 450, commits: 5).options.commits == 5)
    do {
      _ = try HistoryCorpus.continuing(
        [(path: "customers/C-0001.yaml", content: Array("name: [\n".utf8))], after: 0, count: 1, seed: 1)
      Issue.record("a file that does not parse was read as a record")
    } catch {
      #expect(error.description == "customers/C-0001.yaml is not a record")
    }
    do {
      _ = try HistoryCorpus.continuing([], after: 0, count: 1, seed: 1)
      Issue.record("a history was continued from nothing")
    } catch {
      #expect(error.description == "no customers, or no one who can own them")
    }
  }

  /// Records read back from their text are the records that wrote it.
  @Test func recordsReadBackAsWritten() throws {
    let history = try corpus(customers: 200, commits: 300)
    let events = events(history)
    var files: [String: [UInt8]] = [:]
    for event in events { for change in event.changes { files[change.path] = change.content } }
    let checks = ShippedChecks(repository: try shippedSchemaRepository())
    let records = files.keys.filter { $0.hasPrefix("customers/") || $0.hasPrefix("staff/") }.sorted()
    #expect(records.count == history.staffCount + history.customerCount)
    for path in records {
      let content = files[path]!
      let value = try #require(Document.parse(content).document?.value)
      let id = String(path.split(separator: "/")[1].dropLast(5))
      let text = try #require(
        path.hasPrefix("staff/") ? StaffMember(id: id, value: value)?.text : Customer(id: id, value: value)?.text,
        "\(path)")
      if checks.formProblem(path: path, content: content) == nil {
        #expect(text == content, "\(path)")
      } else {
        // A hand-edited layout reads back to the same fields, written in canonical form.
        #expect(Set(Document.parse(text).document?.value.pairs ?? []) == Set(value.pairs ?? []), "\(path)")
        #expect(checks.formProblem(path: path, content: text) == nil)
      }
    }
    #expect(fen("12800.00") == 1_280_000 && fen("12800.5") == 1_280_050 && fen("12800") == 1_280_000)
    for bad in ["", ".5", "12.345", "1e3", "-5.00", "+5", "12,800.00", "9999999999999.00", "１２.00"] {
      #expect(fen(bad) == nil, "\(bad)")
    }
  }
}
