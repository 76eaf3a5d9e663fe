import Dispatch
import TallySchema

/// Corpora for benchmarks.
public enum SampleCorpus {
  /// A records repository for `tally check` benchmarks: the simulated team's staff (~36
  /// records), its sales and expansion plans for 2026-Q3 and Q4 (16), its last 50 meeting
  /// minutes, and `customers` customer records of 0.8–3 KB with a few contacts, follow-ups,
  /// orders and complaints each. Every owner is an active sales rep or team lead, every
  /// follow-up is by an existing person of the owner's team.
  ///
  /// Each customer is generated from the seed and its number alone, so customers can be
  /// generated in any order or in parallel, and customer 42 is the same `C-0042.yaml` in a
  /// corpus of any size. Ids have at least four digits: `C-0042`, `C-9999`, `C-10000`,
  /// `C-100000` (the schema's `^C-[0-9]{4}$` only allows the first 9,999).
  ///
  /// - Returns: path relative to the records root → content.
  public static func checkRepository(customers count: Int, seed: UInt64) -> [String: [UInt8]] {
    let simulator = Simulator(seed: seed)
    simulator.run()
    var files: [String: [UInt8]] = [:]
    for member in simulator.staff { files[member.path] = simulator.files[member.path] }
    for plan in simulator.plans
    where (plan.period == "2026-Q3" || plan.period == "2026-Q4") && plan.kind != "training" {
      files[plan.path] = simulator.files[plan.path]
    }
    for record in simulator.minutes.sorted(by: { $0.id < $1.id }).suffix(50) {
      files[record.path] = simulator.files[record.path]
    }
    let roster = Roster(simulator: simulator, seed: seed)
    files.reserveCapacity(files.count + count)
    for (path, content) in customers(count: count, seed: seed, roster: roster) {
      files[path] = content
    }
    return files
  }

  /// Customers `0..<count`, generated on all cores (each depends only on its number).
  static func customers(count: Int, seed: UInt64, roster: Roster) -> [(String, [UInt8])] {
    guard count > 0 else { return [] }
    let results = UnsafeMutableBufferPointer<(String, [UInt8])>.allocate(capacity: count)
    let chunk = 512
    let chunks = (count + chunk - 1) / chunk
    nonisolated(unsafe) let output = results
    DispatchQueue.concurrentPerform(iterations: chunks) { part in
      for index in (part * chunk)..<min(count, (part + 1) * chunk) {
        (output.baseAddress! + index).initialize(
          to: customer(index: index, seed: seed, roster: roster))
      }
    }
    let array = Array(results)
    _ = results.deinitialize()
    results.deallocate()
    return array
  }

  /// The people customers can refer to.
  struct Roster: Sendable {
    /// Active sales reps and team leads, with their team.
    var owners: [(id: String, team: String)] = []
    /// Team → its customer-service reps and its lead.
    var service: [String: [String]] = [:]
    var leads: [String: String] = [:]
    var companyOffset: Int

    init(simulator: Simulator, seed: UInt64) {
      for member in simulator.staff where member.canOwnCustomers && member.isActive {
        owners.append((member.id, member.teamCode!))
      }
      for member in simulator.staff where member.role == "cs_rep" && member.status != "left" {
        service[member.teamCode!, default: []].append(member.id)
      }
      for team in simulator.teams { leads[team.code] = team.lead }
      var rng = SplitMix64(seed: seed, index: 0xC0DE)
      companyOffset = rng.below(Vocabulary.companyCombinations)
    }
  }

  static let corpusStart = CivilDate(year: 2025, month: 6, day: 2)
  /// Customer records are at least this many bytes.
  static let minimumSize = 820
  static let corpusEnd = CivilDate(year: 2026, month: 10, day: 30)

  /// Customer `index` (0-based) of the corpus: its path and content.
  static func customer(index: Int, seed: UInt64, roster: Roster) -> (String, [UInt8]) {
    var rng = SplitMix64(seed: seed, index: UInt64(index))
    let owner = roster.owners[rng.below(roster.owners.count)]
    let company = Vocabulary.company(
      number: (index + roster.companyOffset) % Vocabulary.companyCombinations,
      suffix: rng.pick(Vocabulary.companySuffixes))
    let status = rng.weighted([("lead", 20), ("prospect", 25), ("active", 35), ("dormant", 10), ("churned", 10)])
    var c = CustomerFactory.newCustomer(
      id: Customer.id(number: index + 1), company: company, owner: owner.id, status: status,
      source: CustomerFactory.importedSource(rng: &rng), contactCount: rng.weighted([(1, 45), (2, 35), (3, 20)]),
      rng: &rng)

    // A timeline of calls from when the customer was created; orders for those who buy.
    let buys = status == "active" || status == "dormant" || (status == "churned" && rng.chance(60))
    let service = roster.service[owner.team] ?? []
    var day = corpusStart.adding(days: rng.below(330)).skippingWeekend
    func call(last: Bool, rng: inout SplitMix64) {
      var outcome =
        buys && !c.followUps.isEmpty && rng.chance(25)
        ? "ordered" : rng.weighted([("interested", 35), ("callback", 30), ("no_answer", 20), ("not_interested", 15)])
      if last && status == "churned" { outcome = "not_interested" }
      let by =
        rng.chance(82) || service.isEmpty ? owner.id : rng.chance(75) ? rng.pick(service) : roster.leads[owner.team]!
      var next = CustomerFactory.nextContact(outcome: outcome, rng: &rng).map { day.adding(days: $0).skippingWeekend }
      if last && status == "churned" { next = nil }
      var amount = 0
      var product = CustomerFactory.pitch(rng: &rng)
      if outcome == "ordered" {
        let order = CustomerFactory.order(on: day, rng: &rng)
        c.orders.append(order)
        amount = order.amount
        product = order.product
      }
      let stage = buys && !c.orders.isEmpty ? "active" : (status == "churned" ? "lead" : status)
      let channel = CustomerFactory.channel(status: stage, outcome: outcome, rng: &rng)
      let summary = CustomerFactory.summary(
        status: stage, outcome: outcome, channel: channel, contact: rng.pick(c.contacts).name, product: product,
        next: next, reason: rng.pick(Vocabulary.noInterestReasons), issue: rng.pick(Vocabulary.complaintSummaries),
        amount: amount, firstOrder: c.orders.count == 1, rng: &rng)
      c.followUps.append(
        Customer.FollowUp(
          date: day, by: by, channel: channel, summary: summary, outcome: outcome, nextContact: next))
      day = day.adding(days: rng.int(in: 3...40)).skippingWeekend
      if day > corpusEnd { day = corpusEnd }
    }
    let calls = rng.int(in: 3...8)
    for index in 0..<calls { call(last: index == calls - 1 && status == "churned", rng: &rng) }
    if buys && c.orders.isEmpty {
      c.orders.append(
        CustomerFactory.order(on: c.followUps[0].date.adding(days: rng.int(in: 1...20)).skippingWeekend, rng: &rng))
    }
    if buys && rng.chance(30) {
      for _ in 0..<rng.int(in: 1...2) {
        let date = c.orders[0].date.adding(days: rng.int(in: 5...200)).skippingWeekend
        guard date <= corpusEnd else { break }
        let resolved = rng.chance(80) ? min(date.adding(days: rng.int(in: 0...10)), corpusEnd) : nil
        c.complaints.append(
          Customer.Complaint(
            date: date, summary: rng.pick(Vocabulary.complaintSummaries),
            severity: rng.weighted([("low", 40), ("medium", 45), ("high", 15)]), resolvedOn: resolved))
      }
      c.complaints.sort { $0.date < $1.date }
    }
    if status == "churned" { c.churnReason = rng.pick(Vocabulary.churnReasons) }
    var content = SampleRecordType.customer.render(c.value)
    while content.count < minimumSize {
      // Too short: a few more calls (before the last one of a churned customer).
      let last = status == "churned" ? c.followUps.popLast() : nil
      call(last: false, rng: &rng)
      if var last {
        last.date = max(last.date, day)
        c.followUps.append(last)
      }
      content = SampleRecordType.customer.render(c.value)
    }
    return (c.path, content)
  }
}
