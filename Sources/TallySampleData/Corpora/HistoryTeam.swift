import TallySchema
import TallyText

/// The records of a telesales team as ``HistoryCorpus`` makes its history: the staff, the
/// customers and who owns which, and the commits people make. Every commit leaves each record
/// valid under the shipped schemas: statuses only move along the schema's transitions, new
/// and re-created records start in an initial status, owners are sales reps or team leads,
/// follow-ups are by staff.
///
/// The kinds of commit: a working session (`regularCommit`: follow-ups, orders, complaints,
/// status changes, handovers, tier reviews on one to five customers), and the rare ones a
/// history engine has to get right: a customer deleted, re-created later with the same id
/// and content, renamed (the same content under a new id), or re-laid-out without a field
/// changing.
///
/// Unlike ``TeamSimulation``, which lets its people look over all the records every day,
/// every commit here costs the same whatever the number of customers.
final class HistoryTeam {
  /// A note on one record for the commit message, in Chinese and in English.
  typealias Phrase = (chinese: String, english: String)

  var rng: SplitMix64
  let staff: [StaffMember]
  private let staffIndex: [String: Int]
  /// The author who is not in staff/: the IT administrator who imports and formats data.
  static let outsider = (name: "周海（IT）", email: "it-support@huadong.example")

  /// Customers by slot; a slot keeps its customer through renames.
  private(set) var customers: [Customer] = []
  private var exists: [Bool] = []
  private var owned: [String: [Int]] = [:]
  private var ownedPosition: [Int] = []
  /// Slots whose file has a hand-edited layout (not canonical), with the file's bytes.
  private var variants: [Int: [UInt8]] = [:]
  /// Deleted customers that may be re-created, oldest first, with the bytes they had.
  private var deleted: [(slot: Int, bytes: [UInt8])] = []
  /// The number of the next id a rename may use.
  var nextNumber: Int

  let owners: [String]
  let reps: [String]
  let leads: [String]
  let supervisors: [String]
  let managers: [String]

  init(staff: [StaffMember], rng: SplitMix64, nextNumber: Int) {
    self.staff = staff
    self.rng = rng
    self.nextNumber = nextNumber
    var index: [String: Int] = [:]
    for (position, member) in staff.enumerated() { index[member.id] = position }
    staffIndex = index
    let active = staff.filter(\.isActive)
    owners = active.filter(\.canOwnCustomers).map(\.id)
    reps = active.filter { $0.role == "sales_rep" }.map(\.id)
    leads = active.filter { $0.role == "team_lead" }.map(\.id)
    supervisors = active.filter { $0.role == "supervisor" }.map(\.id)
    managers = active.filter { $0.role == "manager" }.map(\.id)
  }

  func member(_ id: String) -> StaffMember { staff[staffIndex[id]!] }

  var customerCount: Int { exists.filter { $0 }.count }

  // MARK: - The staff

  /// A team of `count` people (at least 4): a manager, one or two supervisors, team leads
  /// (one per four people or so) and sales reps.
  static func roster(count: Int, rng: inout SplitMix64) -> [StaffMember] {
    let supervisors = count >= 12 ? 2 : 1
    let leads = max(1, (count - 1 - supervisors) / 4)
    var hiring = Hiring()
    var staff: [StaffMember] = []
    func hire(_ role: String, team: String, reportsTo: String?, joined: CivilDate) -> String {
      var member = hiring.newMember(
        number: staff.count + 1, role: role, team: team, reportsTo: reportsTo, joined: joined, rng: &rng)
      member.language = language(of: member.id)
      staff.append(member)
      return member.id
    }
    let manager = hire(
      "manager", team: Vocabulary.centre, reportsTo: nil, joined: CivilDate(year: 2018, month: 3, day: 12))
    var supervisorIDs: [String] = []
    for _ in 0..<supervisors {
      let joined = CivilDate(year: 2019, month: 7, day: 1).adding(days: rng.below(400)).skippingWeekend
      supervisorIDs.append(hire("supervisor", team: Vocabulary.centre, reportsTo: manager, joined: joined))
    }
    var teams: [(name: String, lead: String)] = []
    for index in 0..<leads {
      let name = teamName(index + 1)
      let joined = CivilDate(year: 2020, month: 3, day: 2).adding(days: rng.below(900)).skippingWeekend
      teams.append(
        (name, hire("team_lead", team: name, reportsTo: supervisorIDs[index % supervisors], joined: joined)))
    }
    for index in 0..<(count - 1 - supervisors - leads) {
      let team = teams[index % teams.count]
      let joined = CivilDate(year: 2021, month: 9, day: 1).adding(days: rng.below(1100)).skippingWeekend
      _ = hire("sales_rep", team: team.name, reportsTo: team.lead, joined: joined)
    }
    return staff
  }

  /// `华东一组` ... `华东十组`, then `华东11组`.
  static func teamName(_ number: Int) -> String {
    let numerals = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"]
    return "华东" + (number <= 10 ? numerals[number - 1] : String(number)) + "组"
  }

  /// How the person writes commit messages: one in four in English, by id, so that a
  /// history continued from its records agrees with the one that made them.
  static func language(of id: String) -> StaffMember.Language {
    (Int(id.dropFirst(2)) ?? 0) % 4 == 3 ? .english : .chinese
  }

  // MARK: - Time

  /// The day in the team's time zone (+08:00) of `time` (seconds since 1970).
  static func day(of time: Int) -> CivilDate {
    CivilDate(epochSeconds: time, offsetMinutes: CivilDate.chinaOffsetMinutes)
  }

  /// The start of `day` in the team's time zone, as seconds since 1970.
  static func midnight(of day: CivilDate) -> Int {
    CivilDateTime(date: day, hour: 0, minute: 0, offsetMinutes: CivilDate.chinaOffsetMinutes).epochSeconds()
  }

  /// A commit at `time`, written as its moment in the team's time zone.
  static func event(
    author: (name: String, email: String), time: Int, message: String, changes: [SampleChange]
  ) -> SampleEvent {
    let seconds = time - midnight(of: day(of: time))
    let moment = CivilDateTime(
      date: day(of: time), hour: seconds / 3600, minute: seconds % 3600 / 60, second: seconds % 60,
      offsetMinutes: CivilDate.chinaOffsetMinutes)
    return SampleEvent(
      timestamp: moment.description, authorName: author.name, authorEmail: author.email, message: message,
      via: .git, changes: changes)
  }

  // MARK: - Bookkeeping

  /// Adds a customer and returns its slot.
  @discardableResult
  func add(_ customer: Customer) -> Int {
    let slot = customers.count
    customers.append(customer)
    exists.append(true)
    ownedPosition.append(0)
    own(slot)
    return slot
  }

  private func own(_ slot: Int) {
    let owner = customers[slot].owner
    ownedPosition[slot] = owned[owner, default: []].count
    owned[owner, default: []].append(slot)
  }

  private func disown(_ slot: Int) {
    let owner = customers[slot].owner
    let position = ownedPosition[slot]
    let last = owned[owner]!.removeLast()
    if last != slot {
      owned[owner]![position] = last
      ownedPosition[last] = position
    }
  }

  private func setOwner(_ slot: Int, _ owner: String) {
    disown(slot)
    customers[slot].owner = owner
    own(slot)
  }

  func owned(by id: String) -> [Int] { owned[id] ?? [] }

  /// Replaces the customer in `slot` (same owner).
  func update(_ slot: Int, _ customer: Customer) {
    customers[slot] = customer
  }

  /// The file's bytes as they are now.
  func bytes(_ slot: Int) -> [UInt8] { variants[slot] ?? customers[slot].text }

  /// The change that writes the customer in canonical form.
  private func write(_ slot: Int) -> SampleChange {
    variants[slot] = nil
    return SampleChange(path: customers[slot].path, content: customers[slot].text)
  }

  /// Up to `count` different slots of `pool`, preferring open customers to churned ones.
  private func pick(_ count: Int, from pool: [Int]) -> [Int] {
    var picked: [Int] = []
    var tries = 0
    while picked.count < min(count, pool.count) && tries < count * 8 {
      tries += 1
      var slot = rng.pick(pool)
      if customers[slot].status == "churned" && rng.chance(60) { slot = rng.pick(pool) }
      if !picked.contains(slot) { picked.append(slot) }
    }
    return picked
  }

  /// Up to `count` customers of one owner who has any.
  private func someCustomers(_ count: Int) -> [Int] {
    let holders = owners.filter { !owned(by: $0).isEmpty }
    guard !holders.isEmpty else { return [] }
    return pick(count, from: owned(by: rng.pick(holders)))
  }

  private func editCount() -> Int { rng.weighted([(1, 40), (2, 25), (3, 17), (4, 10), (5, 8)]) }

  private func commit(
    _ author: (name: String, email: String), english: Bool, time: Int, _ phrases: [Phrase], _ changes: [SampleChange]
  ) -> SampleEvent {
    let message =
      english
      ? phrases.map(\.english).joined(separator: "; ")
      : phrases.map(\.chinese).joined(separator: "；")
    return Self.event(author: author, time: time, message: message, changes: changes)
  }

  private func commit(by id: String, time: Int, _ phrases: [Phrase], _ slots: [Int]) -> SampleEvent {
    let person = member(id)
    return commit(
      (person.name, person.email), english: person.language == .english, time: time, phrases, slots.map(write))
  }

  // MARK: - Working sessions

  /// A commit of everyday work on one to five customers, by a rep (mostly), a lead, a
  /// supervisor, the manager or the IT administrator.
  func regularCommit(time: Int) -> SampleEvent {
    let day = Self.day(of: time)
    var roles: [(String, Int)] = [("rep", 78), ("lead", 12), ("supervisor", 4), ("manager", 2), ("outsider", 4)]
    roles = roles.filter { role, _ in
      switch role {
      case "rep": !reps.isEmpty
      case "lead": !leads.isEmpty
      case "supervisor": !supervisors.isEmpty
      case "manager": !managers.isEmpty
      default: true
      }
    }
    switch rng.weighted(roles) {
    case "rep": return ownWork(rng.pick(reps), time: time, day: day)
    case "lead": return leadWork(rng.pick(leads), time: time, day: day)
    case "supervisor": return supervisorWork(rng.pick(supervisors), time: time)
    case "manager": return tierReview(by: rng.pick(managers), time: time)
    default:
      return rng.chance(60) ? tierReview(by: nil, time: time) : contactCleanup(time: time)
    }
  }

  /// A seller works through some of their own customers.
  private func ownWork(_ id: String, time: Int, day: CivilDate) -> SampleEvent {
    let slots = pick(editCount(), from: owned(by: id))
    guard !slots.isEmpty else { return tierReview(by: nil, time: time) }
    let phrases = slots.map { edit($0, by: id, day: day) }
    return commit(by: id, time: time, phrases, slots)
  }

  /// A lead works their own customers, hands customers over inside the team, or closes
  /// complaints.
  private func leadWork(_ lead: String, time: Int, day: CivilDate) -> SampleEvent {
    let team = member(lead).team
    let sellers = owners.filter { member($0).team == team }
    let roll = rng.below(100)
    if roll < 30, sellers.count >= 2 {
      let from = rng.pick(sellers)
      let slots = pick(editCount(), from: owned(by: from))
      if !slots.isEmpty {
        let phrases = slots.map { slot -> Phrase in
          var to = rng.pick(sellers)
          while to == from { to = rng.pick(sellers) }
          setOwner(slot, to)
          let id = customers[slot].id
          return ("\(id) 转给\(member(to).name)", "reassign \(id) to \(member(to).name)")
        }
        return commit(by: lead, time: time, phrases, slots)
      }
    } else if roll < 45 {
      var open: [Int] = []
      let wanted = editCount()
      for _ in 0..<200 where open.count < wanted {
        guard let seller = sellers.randomElement(using: &rng), let slot = owned(by: seller).randomElement(using: &rng)
        else { break }
        if !open.contains(slot), customers[slot].complaints.contains(where: { $0.resolvedOn == nil }) {
          open.append(slot)
        }
      }
      if !open.isEmpty {
        let phrases = open.map { resolveComplaint($0, day: day) }
        return commit(by: lead, time: time, phrases, open)
      }
    }
    return ownWork(lead, time: time, day: day)
  }

  /// A supervisor reviews tiers or moves a customer to another team.
  private func supervisorWork(_ id: String, time: Int) -> SampleEvent {
    guard rng.chance(40), owners.count >= 2 else { return tierReview(by: id, time: time) }
    let from = rng.pick(owners)
    let slots = pick(rng.int(in: 1...2), from: owned(by: from))
    guard !slots.isEmpty else { return tierReview(by: id, time: time) }
    let phrases = slots.map { slot -> Phrase in
      var to = rng.pick(reps.isEmpty ? owners : reps)
      while to == from && owners.count > 1 { to = rng.pick(owners) }
      setOwner(slot, to)
      let c = customers[slot]
      return (
        "\(c.id) 调整负责人：\(member(from).name) → \(member(to).name)",
        "move \(c.id) from \(member(from).name) to \(member(to).name)"
      )
    }
    return commit(by: id, time: time, phrases, slots)
  }

  /// New tiers for a few customers, by what they buy: by a member of staff, or by the IT
  /// administrator (`author` nil) from the yearly purchases.
  private func tierReview(by author: String?, time: Int) -> SampleEvent {
    let slots = someCustomers(editCount())
    var phrases: [Phrase] = []
    for slot in slots {
      let old = customers[slot].tier
      let spent = customers[slot].orders.reduce(0) { $0 + $1.amount }
      var tier = spent >= 3_000_000 ? "A" : spent >= 1_000_000 ? "B" : rng.pick(["B", "C"])
      if tier == old { tier = old == "A" ? "B" : old == "B" ? rng.pick(["A", "C"]) : "B" }
      customers[slot].tier = tier
      let id = customers[slot].id
      phrases.append(("\(id) 客户等级 \(old) → \(tier)", "\(id): tier \(old) -> \(tier)"))
    }
    precondition(!phrases.isEmpty, "a history without customers")
    guard let author else {
      phrases[0].chinese = "按年度采购额调整客户等级：" + phrases[0].chinese
      return commit(Self.outsider, english: false, time: time, phrases, slots.map(write))
    }
    return commit(by: author, time: time, phrases, slots)
  }

  /// The IT administrator corrects contacts' phone numbers from the call system.
  private func contactCleanup(time: Int) -> SampleEvent {
    let slots = someCustomers(rng.int(in: 1...3))
    for slot in slots {
      let index = rng.below(customers[slot].contacts.count)
      customers[slot].contacts[index].phone = Vocabulary.mobile(&rng)
    }
    let ids = slots.map { customers[$0].id }.joined(separator: "、")
    return commit(
      Self.outsider, english: false, time: time, [("按呼叫系统数据更正联系人电话：\(ids)", "")], slots.map(write))
  }

  // MARK: - Rare commits

  /// Deletes a customer that was entered twice (one that could be entered again as it is:
  /// its status is an initial one).
  func deleteCommit(time: Int) -> SampleEvent? {
    guard customerCount > 1, let slot = randomCustomer(where: { Self.initialStatuses.contains($0.status) })
    else { return nil }
    let c = customers[slot]
    let content = bytes(slot)
    deleted.append((slot, content))
    disown(slot)
    exists[slot] = false
    variants[slot] = nil
    let lead = staff.first { $0.role == "team_lead" && $0.team == member(c.owner).team } ?? member(c.owner)
    return commit(
      (lead.name, lead.email), english: lead.language == .english, time: time,
      [("删除重复录入的客户 \(c.id)（\(c.name)）", "Remove duplicate customer \(c.id)")],
      [SampleChange(path: c.path, content: nil)])
  }

  /// Puts back the oldest deleted customer, byte for byte, under its old id.
  func recreateCommit(time: Int) -> SampleEvent? {
    guard !deleted.isEmpty else { return nil }
    let (slot, content) = deleted.removeFirst()
    exists[slot] = true
    own(slot)
    if content != customers[slot].text { variants[slot] = content }
    let c = customers[slot]
    let owner = member(c.owner)
    return commit(
      (owner.name, owner.email), english: owner.language == .english, time: time,
      [("恢复误删的客户档案 \(c.id)", "Restore \(c.id), deleted by mistake")],
      [SampleChange(path: c.path, content: content)])
  }

  /// Moves a customer to a new id, content unchanged.
  func renameCommit(time: Int) -> SampleEvent? {
    guard let slot = randomCustomer(where: { Self.initialStatuses.contains($0.status) }) else { return nil }
    let old = customers[slot].id
    let content = bytes(slot)
    customers[slot].id = Customer.id(number: nextNumber)
    nextNumber += 1
    let new = customers[slot].id
    return commit(
      Self.outsider, english: false, time: time, [("客户编号更正：\(old) 改为 \(new)", "")],
      [
        SampleChange(path: "customers/\(old).yaml", content: nil),
        SampleChange(path: customers[slot].path, content: content),
      ])
  }

  /// Changes only the layout of some records: a rep's editor moved a key and re-quoted
  /// values, or `tally fmt` put records in canonical form again.
  func reformatCommit(time: Int) -> SampleEvent? {
    let pending = variants.keys.sorted()
    if !pending.isEmpty {
      let slots = Array(pending.prefix(5))
      let ids = slots.map { customers[$0].id }.joined(separator: "、")
      return commit(
        Self.outsider, english: false, time: time, [("tally fmt：统一档案格式（\(ids)）", "")], slots.map(write))
    }
    let slots = someCustomers(rng.int(in: 1...3))
    var changes: [SampleChange] = []
    var ids: [String] = []
    for slot in slots {
      guard let text = Self.handEdited(customers[slot]) else { continue }
      variants[slot] = text
      changes.append(SampleChange(path: customers[slot].path, content: text))
      ids.append(customers[slot].id)
    }
    guard !changes.isEmpty else { return nil }
    let person = member(customers[slots[0]].owner)
    return commit(
      (person.name, person.email), english: person.language == .english, time: time,
      [
        (
          "整理 \(ids.joined(separator: "、")) 的档案格式（内容不变）",
          "Tidy up \(ids.joined(separator: ", ")) (layout only)"
        )
      ], changes)
  }

  /// The statuses a new record may start in (`initial` in the schema).
  static let initialStatuses: Set<String> = ["lead", "prospect", "active"]

  private func randomCustomer(where condition: (Customer) -> Bool) -> Int? {
    for _ in 0..<200 {
      let slots = owned(by: rng.pick(owners))
      guard let slot = slots.randomElement(using: &rng) else { continue }
      if condition(customers[slot]) { return slot }
    }
    return nil
  }

  /// The record with `owner` moved up under `name`, the name single-quoted and contacts'
  /// phone numbers double-quoted: the same fields in another layout. Nil when the record
  /// does not allow it (checked by parsing the result).
  static func handEdited(_ customer: Customer) -> [UInt8]? {
    let canonical = customer.text
    var lines = String(decoding: canonical, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
      .map(String.init)
    guard lines.first?.hasPrefix("name: ") == true, let ownerLine = lines.firstIndex(where: { $0.hasPrefix("owner: ") })
    else { return nil }
    let owner = lines.remove(at: ownerLine)
    let name = lines[0].dropFirst(6)
    if !name.contains("'") && !name.hasPrefix("\"") { lines[0] = "name: '\(name)'" }
    lines.insert(owner, at: 1)
    for index in lines.indices where lines[index].hasPrefix("    phone: '") && lines[index].hasSuffix("'") {
      lines[index] = "    phone: \"" + lines[index].dropFirst(12).dropLast() + "\""
    }
    let text = Array(lines.joined(separator: "\n").utf8)
    let result = Document.parse(text)
    guard result.diagnostics.isEmpty, let value = result.document?.value,
      sorted(value) == sorted(customer.value), text != canonical
    else { return nil }
    return text
  }

  /// A mapping's pairs in key order, for comparing fields regardless of layout.
  private static func sorted(_ value: Value) -> [Value.Pair] {
    (value.pairs ?? []).sorted { $0.key < $1.key }
  }
}
