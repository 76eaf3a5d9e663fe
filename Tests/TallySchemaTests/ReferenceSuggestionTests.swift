import Foundation
import TallyTestSupport
import TallyText
import Testing

@testable import TallySchema

/// "Did you mean" for a broken reference proposes only records the reference may name: a
/// deal's owner must be a rep (`where: role == "rep"`), so a boss is never proposed.
@Suite struct ReferenceSuggestionTests {
  let today = CivilDate(year: 2026, month: 11, day: 29)

  /// P-01 is a boss, P-02 and P-13 are reps.
  let people = [
    ("people/P-01.yaml", "name: Boss\nrole: boss\nemail: b@x.cn\njoined: 2020-01-01\n"),
    ("people/P-02.yaml", "name: Rep\nrole: rep\nemail: r@x.cn\nboss: P-01\njoined: 2021-01-01\n"),
    ("people/P-13.yaml", "name: Rep2\nrole: rep\nemail: s@x.cn\nboss: P-01\njoined: 2021-01-01\n"),
  ]

  func summaries(_ records: [(String, String)]) throws -> (SchemaSet, [RecordSummary]) {
    let (schema, problems) = SchemaLoader.load(files: testSchemas.map { ($0.key, Array($0.value.utf8)) })
    #expect(problems.isEmpty, "\(problems.map(\.message))")
    let validator = RecordValidator(schema: schema, today: today)
    var summaries: [RecordSummary] = []
    for (path, text) in records {
      let tree = try #require(SyntaxTree.parse(Array(text.utf8), path: path).tree)
      let (type, id) = try #require(schema.classify(path))
      summaries.append(validator.validate(tree, type: type, id: id, path: path).0)
    }
    return (schema, summaries)
  }

  func deal(owner: String) -> (String, String) {
    ("deals/D-01.yaml", "title: Big\nowner: \(owner)\namount: 10.50\nstage: open\ntags: [a]\n")
  }

  /// The hint of the broken reference, from a check of every record.
  func hint(owner: String) throws -> String? {
    let (schema, all) = try summaries(people + [deal(owner: owner)])
    let found = SetValidator(schema: schema, today: today).validate(all).filter { $0.code == "broken-ref" }
    try #require(found.count == 1, "\(found.map(\.message))")
    return found[0].hint
  }

  @Test func theClosestAllowedRecordIsProposed() throws {
    // P-01 and P-02 are both one edit from P-03; P-01 sorts first but is a boss.
    #expect(try hint(owner: "P-03") == "did you mean P-02?")
    // P-01 (a boss) is the only record one edit from P-91.
    #expect(try hint(owner: "P-91") == "create people/P-91.yaml, or correct the id")
    // Without a condition in the way, the closest is still proposed.
    #expect(try hint(owner: "P-14") == "did you mean P-13?")
  }

  /// An incremental check holds the summaries of only some records: the candidates are read
  /// through `knownIDs` and `knownRecord`, with the same answer as a full check.
  @Test func anIncrementalCheckGivesTheSameHint() throws {
    let (schema, all) = try summaries(people + [deal(owner: "P-03")])
    let peopleSummaries = all.filter { $0.type == "person" }
    var validator = SetValidator(schema: schema, today: today)
    validator.knownIDs = { type in type == "person" ? peopleSummaries.map(\.id) : [] }
    let asked = Asked()
    validator.knownRecord = { type, id in
      asked.append("\(type)/\(id)")
      return peopleSummaries.first { $0.type == type && $0.id == id }
    }
    let found = validator.validate(all.filter { $0.type == "deal" })
    #expect(found.map(\.hint) == ["did you mean P-02?"])
    // Only the records close enough were read, closest first, until one was allowed.
    #expect(asked.names == ["person/P-01", "person/P-02"])
  }

  func reference(_ schema: SchemaSet, _ type: String, _ field: String) throws -> ReferenceSpec {
    let fieldType = try #require(schema.type(named: type)?.object[field]?.type)
    guard case .reference(let spec) = fieldType else {
      Issue.record("\(type).\(field) is not a reference")
      return ReferenceSpec(target: "")
    }
    return spec
  }

  @Test func admitsAnswersForARecordByItsValue() throws {
    let (schema, _) = try summaries([])
    let owner = try reference(schema, "deal", "owner")
    let boss = try #require(SyntaxTree.parse(Array(people[0].1.utf8)).tree?.value)
    let rep = try #require(SyntaxTree.parse(Array(people[1].1.utf8)).tree?.value)
    let validator = SetValidator(schema: schema, today: today)
    #expect(!validator.admits(owner, target: boss, id: "P-01"))
    #expect(validator.admits(owner, target: rep, id: "P-02"))
    let bossSpec = try reference(schema, "person", "boss")
    #expect(validator.admits(bossSpec, target: boss, id: "P-01"))
  }

  @Test func suggestionsAreOfferedClosestFirstUntilOneIsTaken() {
    var asked: [String] = []
    let found = Suggestions.closest(to: "S-0099", among: ["S-0019", "S-0009", "S-0090", "S-0100"], maxDistance: 1) {
      asked.append($0)
      return $0 != "S-0009"
    }
    #expect(found == "S-0019")
    #expect(asked == ["S-0009", "S-0019"])
    #expect(Suggestions.closest(to: "S-0099", among: ["S-0009"], maxDistance: 1) { _ in false } == nil)
    #expect(Suggestions.closest(to: "S-0099", among: ["S-0019", "S-0009"], maxDistance: 1) == "S-0009")
  }
}

/// What a `@Sendable` closure was asked for.
final class Asked: @unchecked Sendable {
  private let lock = NSLock()
  private var list: [String] = []

  func append(_ name: String) { lock.withLock { list.append(name) } }
  var names: [String] { lock.withLock { list } }
}
