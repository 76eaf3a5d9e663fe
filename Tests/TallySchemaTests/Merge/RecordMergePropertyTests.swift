import Foundation
import TallySampleData
import TallyTestSupport
import TallyText
import Testing

@testable import TallySchema

/// Customers of the sample corpus, with the shipped schemas, and random edits of them of
/// the kinds a team makes: profile fields changed, follow-ups and orders appended, removed
/// and edited, contacts added, removed and edited.
struct CustomerEdits {
  static let schema: SchemaSet = {
    let directory = Golden.directory() + "/../../../schema"
    let files = ["staff", "customer", "plan", "minutes"].map { name in
      (path: "schema/\(name).yaml", bytes: [UInt8](FileManager.default.contents(atPath: "\(directory)/\(name).yaml")!))
    }
    return SchemaLoader.load(files: files).0
  }()
  static let type = schema.type(named: "customer")!
  static let today = CivilDate(year: 2026, month: 11, day: 1)

  /// The corpus' customers, as values.
  static let customers: [Value] = {
    let files = SampleCorpus.checkRepository(customers: 48, seed: 11)
    return files.keys.filter { $0.hasPrefix("customers/") }.sorted().compactMap {
      Document.parse(files[$0]!).document?.value
    }
  }()

  static let staff = ["S-0021", "S-0036", "S-0012", "S-0040", "S-0007"]
  static let names = ["王磊", "赵敏", "周杰", "孙丽", "陈晨", "刘洋", "何静"]
  static let titles = ["采购经理", "IT负责人", "运营总监", "客服主管", "财务经理"]
  static let summaries = [
    "客户要求发送最新报价", "约了下周二上门演示", "对方在比价，周一再沟通报价", "确认合同条款，等待盖章", "客户暂无预算，三个月后再联系",
  ]
  static let outcomes = ["interested", "callback", "no_answer", "not_interested", "ordered"]
  static let days = (0..<40).map { CivilDate(year: 2026, month: 7, day: 1).adding(days: $0 * 3).description }

  var random: SeededRandom

  /// The canonical bytes of a customer value.
  static func render(_ value: Value) -> [UInt8] {
    type.printer.printBytes(type.ordering(Document(value: value)!))
  }

  /// `value` with one to three random edits.
  mutating func edit(_ value: Value) -> Value {
    var pairs = value.pairs ?? []
    for _ in 0...random.below(3) { edit(&pairs) }
    return .mapping(pairs)
  }

  mutating func edit(_ pairs: inout [Value.Pair]) {
    switch random.below(15) {
    case 0: set(&pairs, "tier", .text(random.pick(["A", "B", "C"])))
    case 1: set(&pairs, "loyalty", random.chance(20) ? nil : .text(random.pick(["low", "medium", "high"])))
    case 2: set(&pairs, "scale", .text(random.pick(["micro", "small", "medium", "large"])))
    case 3: set(&pairs, "owner", .text(random.pick(Self.staff)))
    case 4:
      set(
        &pairs, "needs",
        .scalar(random.pick(Self.summaries) + "\n" + random.pick(Self.summaries) + "\n", style: .literal))
    case 5, 6: list(&pairs, "follow_ups") { $0.append(followUp()) }
    case 7:
      list(&pairs, "follow_ups") { items in
        if !items.isEmpty { items.remove(at: random.below(items.count)) }
      }
    case 8:
      list(&pairs, "follow_ups") { items in
        guard !items.isEmpty else { return }
        let index = random.below(items.count)
        guard var fields = items[index].pairs else { return }
        set(
          &fields, random.chance(50) ? "outcome" : "summary",
          .text(random.chance(50) ? random.pick(Self.outcomes) : random.pick(Self.summaries)))
        items[index] = .mapping(fields)
      }
    case 9:
      list(&pairs, "contacts") { items in
        guard !items.isEmpty else { return }
        let index = random.below(items.count)
        guard var fields = items[index].pairs else { return }
        if random.chance(50) {
          set(&fields, "phone", .scalar("13\(100_000_000 + random.below(900_000_000))", style: .singleQuoted))
        } else {
          set(&fields, "title", .text(random.pick(Self.titles)))
        }
        items[index] = .mapping(fields)
      }
    case 10:
      list(&pairs, "contacts") { items in
        if items.count > 1, random.chance(40) {
          items.remove(at: random.below(items.count))
        } else {
          let name = random.pick(Self.names)
          guard !items.contains(where: { $0["name"]?.text == name }) else { return }
          items.append(
            .mapping([
              Value.Pair(key: "name", value: .text(name)),
              Value.Pair(key: "title", value: .text(random.pick(Self.titles))),
            ]))
        }
      }
    case 12:
      // A churned customer needs a reason (a rule of the record).
      set(&pairs, "status", .text("churned"))
      set(&pairs, "churn_reason", .text(random.pick(["预算削减", "选择了竞品", "业务调整"])))
    case 13:
      if pairs.first(where: { $0.key == "status" })?.value.text != "churned" { set(&pairs, "churn_reason", nil) }
    case 14:
      list(&pairs, "contacts") { items in
        if items.count > 1 { items.remove(at: random.below(items.count)) }
      }
    default:
      list(&pairs, "orders") { items in
        items.append(
          .mapping([
            Value.Pair(key: "date", value: .text(random.pick(Self.days))),
            Value.Pair(key: "product", value: .text(random.pick(["智能客服系统标准版", "短信套餐", "坐席扩容包"]))),
            Value.Pair(key: "amount", value: .text("\(1 + random.below(50))00")),
          ]))
      }
    }
  }

  /// `value` with only its contact at `index` (counted from the end when negative) left.
  func keepingOneContact(_ value: Value, _ index: Int) -> Value {
    var pairs = value.pairs ?? []
    list(&pairs, "contacts") { items in
      guard !items.isEmpty else { return }
      items = [items[(index + items.count) % items.count]]
    }
    return .mapping(pairs)
  }

  mutating func followUp() -> Value {
    let date = random.pick(Self.days)
    var pairs = [
      Value.Pair(key: "date", value: .text(date)),
      Value.Pair(key: "by", value: .text(random.pick(Self.staff))),
      Value.Pair(key: "channel", value: .text(random.pick(["phone", "wechat", "email", "visit"]))),
      Value.Pair(key: "summary", value: .text(random.pick(Self.summaries))),
      Value.Pair(key: "outcome", value: .text(random.pick(Self.outcomes))),
    ]
    if random.chance(60), let day = CivilDate(date) {
      pairs.append(Value.Pair(key: "next_contact", value: .text(day.adding(days: 1 + random.below(14)).description)))
    }
    return .mapping(pairs)
  }

  func set(_ pairs: inout [Value.Pair], _ key: String, _ value: Value?) {
    if let index = pairs.firstIndex(where: { $0.key == key }) {
      if let value { pairs[index].value = value } else { pairs.remove(at: index) }
    } else if let value {
      pairs.append(Value.Pair(key: key, value: value))
    }
  }

  func list(_ pairs: inout [Value.Pair], _ key: String, _ change: (inout [Value]) -> Void) {
    var items = pairs.first { $0.key == key }?.value.items ?? []
    change(&items)
    set(&pairs, key, items.isEmpty ? nil : .sequence(items))
  }

  /// `value` written another way, with the same meaning: a comment on top, the top-level
  /// keys and each contact's keys in another order, no schema order.
  mutating func rewritten(_ value: Value) -> [UInt8] {
    guard case .mapping(var pairs) = value else { return Self.render(value) }
    pairs.shuffle(using: &random)
    for index in pairs.indices where pairs[index].key == "contacts" {
      pairs[index].value = .sequence(
        (pairs[index].value.items ?? []).map { item in .mapping((item.pairs ?? []).shuffled(using: &random)) })
    }
    var document = Document(value: .mapping(pairs))!
    document.headerComments = Document.parse("# 已核对\nx: 1\n").document!.headerComments
    return CanonicalPrinter().printBytes(document)
  }

  /// Errors of the record's own checks (the id, the same in every version, left out).
  static func errors(_ bytes: [UInt8]) -> [Diagnostic]? {
    guard let tree = SyntaxTree.parse(bytes, path: "").tree else { return nil }
    return RecordValidator(schema: schema, today: today).validate(tree, type: type, id: "", path: "").1.filter {
      $0.severity == .error && $0.code != "bad-id"
    }
  }
}

/// The properties of ``RecordMerge`` over random customers and random edits. The seed is
/// `TALLY_SEED`; the number of rounds `TALLY_MERGE_ROUNDS` (`make stress` runs many more).
@Suite("Record merge properties")
struct RecordMergePropertyTests {
  static let seed: UInt64 = ProcessInfo.processInfo.environment["TALLY_SEED"].flatMap { UInt64($0) } ?? 0x3E76_5EED
  static let rounds = ProcessInfo.processInfo.environment["TALLY_MERGE_ROUNDS"].flatMap { Int($0) } ?? 150

  var merge: RecordMerge {
    RecordMerge(type: CustomerEdits.type, schema: CustomerEdits.schema, today: CustomerEdits.today)
  }

  func equivalent(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard let x = Document.parse(a).document?.value, let y = Document.parse(b).document?.value else { return false }
    return FieldDiff.equivalent(x, y, type: .object(CustomerEdits.type.object), lists: .byContent)
  }

  /// Merging a change with itself gives it back: the same bytes on both sides give those
  /// bytes; the same change written another way on the other side gives the same values,
  /// with no conflict.
  @Test func aChangeMergedWithItselfIsThatChange() throws {
    var edits = CustomerEdits(random: SeededRandom(seed: Self.seed))
    var compared = 0
    for round in 0..<Self.rounds {
      let base = edits.random.pick(CustomerEdits.customers)
      let changed = edits.edit(base)
      let baseBytes = CustomerEdits.render(base)
      let x = CustomerEdits.render(changed)
      let same = try merge.merge(base: baseBytes, ours: x, theirs: x)
      #expect(same.bytes == x && same.isClean, "seed \(Self.seed), round \(round)")
      let rewritten = edits.rewritten(changed)
      let alike = try merge.merge(base: baseBytes, ours: x, theirs: rewritten)
      #expect(alike.isClean, "seed \(Self.seed), round \(round): \(alike.conflicts)")
      #expect(
        equivalent(alike.bytes, x),
        "seed \(Self.seed), round \(round):\n\(String(decoding: alike.bytes, as: UTF8.self))")
      compared += 1
    }
    #expect(compared == Self.rounds)
  }

  /// Merging with an unchanged side gives the other side byte for byte, however that side
  /// is written.
  @Test func anUnchangedSideGivesTheOtherSideExactly() throws {
    var edits = CustomerEdits(random: SeededRandom(seed: Self.seed &+ 1))
    var compared = 0
    for _ in 0..<Self.rounds {
      let base = edits.random.pick(CustomerEdits.customers)
      let baseBytes = CustomerEdits.render(base)
      let changed = edits.edit(base)
      for other in [CustomerEdits.render(changed), edits.rewritten(changed)] where other != baseBytes {
        let theirsOnly = try merge.merge(base: baseBytes, ours: baseBytes, theirs: other)
        #expect(theirsOnly.bytes == other && theirsOnly.isClean && theirsOnly.takenWhole == .theirs)
        let oursOnly = try merge.merge(base: baseBytes, ours: other, theirs: baseBytes)
        #expect(oursOnly.bytes == other && oursOnly.isClean && oursOnly.takenWhole == .ours)
        compared += 1
      }
    }
    #expect(compared >= Self.rounds * 3 / 2, "\(compared) compared")
  }

  /// Swapping ours and theirs gives the same values and the same conflicts (by identity).
  @Test func swappingTheSidesGivesTheSameMerge() throws {
    var edits = CustomerEdits(random: SeededRandom(seed: Self.seed &+ 2))
    var clean = 0
    var conflicted = 0
    for round in 0..<Self.rounds {
      let base = edits.random.pick(CustomerEdits.customers)
      let baseBytes = CustomerEdits.render(base)
      let ours = CustomerEdits.render(edits.edit(base))
      let theirs = CustomerEdits.render(edits.edit(base))
      let forward = try merge.merge(base: baseBytes, ours: ours, theirs: theirs)
      let backward = try merge.merge(base: baseBytes, ours: theirs, theirs: ours)
      let context = "seed \(Self.seed), round \(round)"
      #expect(
        Set(forward.conflicts.map(\.identity)) == Set(backward.conflicts.map(\.identity)),
        "\(context): \(forward.conflicts) vs \(backward.conflicts)")
      if forward.isClean && backward.isClean {
        #expect(
          equivalent(forward.bytes, backward.bytes),
          "\(context):\n\(String(decoding: forward.bytes, as: UTF8.self))\n---\n\(String(decoding: backward.bytes, as: UTF8.self))"
        )
        clean += 1
      } else {
        conflicted += 1
      }
    }
    #expect(clean >= Self.rounds / 3 && conflicted >= Self.rounds / 20, "\(clean) clean, \(conflicted) conflicted")
  }

  /// A clean merge of two sides that pass the record's own checks passes them too.
  @Test func aCleanMergeOfValidSidesIsValid() throws {
    var edits = CustomerEdits(random: SeededRandom(seed: Self.seed &+ 3))
    var checked = 0
    var forced = 0
    for round in 0..<Self.rounds {
      let base = edits.random.pick(CustomerEdits.customers)
      let baseBytes = CustomerEdits.render(base)
      var oursValue = edits.edit(base)
      var theirsValue = edits.edit(base)
      if edits.random.chance(20) {
        // Each side keeps another one of the contacts: each valid, none left together.
        oursValue = edits.keepingOneContact(oursValue, 0)
        theirsValue = edits.keepingOneContact(theirsValue, -1)
      }
      let ours = CustomerEdits.render(oursValue)
      let theirs = CustomerEdits.render(theirsValue)
      guard CustomerEdits.errors(ours)?.isEmpty == true, CustomerEdits.errors(theirs)?.isEmpty == true else {
        continue
      }
      let result = try merge.merge(base: baseBytes, ours: ours, theirs: theirs)
      // Merged without the check, for counting the merges the check had to stop.
      let unchecked = try RecordMerge(type: CustomerEdits.type).merge(base: baseBytes, ours: ours, theirs: theirs)
      if unchecked.isClean, CustomerEdits.errors(unchecked.bytes)?.isEmpty == false {
        let stopped = !result.isClean
        #expect(stopped, "seed \(Self.seed), round \(round): an invalid merge passed as clean")
        forced += 1
      }
      if result.isClean {
        let errors = CustomerEdits.errors(result.bytes)
        #expect(
          errors?.isEmpty == true,
          "seed \(Self.seed), round \(round): \(errors ?? [])\n\(String(decoding: result.bytes, as: UTF8.self))")
        checked += 1
      }
    }
    #expect(
      checked >= Self.rounds / 3 && forced >= Self.rounds / 50,
      "\(checked) clean merges of valid sides checked, \(forced) stopped by the check")
  }
}
