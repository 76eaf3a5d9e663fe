import TallySampleData
import TallySchema
import TallyText

/// The records of a telesales team as its history is generated: the staff, the customers
/// and who owns which, and the commits people make. Every commit leaves each record valid
/// under `schema/customer.yaml` and `schema/staff.yaml`: statuses only move along the
/// schema's transitions, new and re-created records start in an initial status, owners are
/// sales reps or team leads, follow-ups are by staff.
///
/// The kinds of commit: a working session (`regularCommit`: follow-ups, orders, complaints,
/// status changes, handovers, tier reviews on one to five customers), and the rare ones a
/// history engine has to get right: a customer deleted, re-created later with the same id
/// and content, renamed (the same content under a new id), or re-laid-out without a field
/// changing.
final class HistoryTeam {
  /// A note on one record for the commit message, in Chinese and in English.
  typealias Phrase = (chinese: String, english: String)

  var rng: SplitMix64
  let staff: [HistoryStaff]
  private let staffIndex: [String: Int]
  /// The author who is not in staff/: the IT administrator who imports and formats data.
  let outsider = HistoryCommit.Author(name: "周海（IT）", email: "it-support@huadong.example")

  /// Customers by slot; a slot keeps its customer through renames.
  private(set) var customers: [HistoryCustomer] = []
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

  init(staff: [HistoryStaff], rng: SplitMix64, nextNumber: Int) {
    self.staff = staff
    self.rng = rng
    self.nextNumber = nextNumber
    var index: [String: Int] = [:]
    for (position, member) in staff.enumerated() { index[member.id] = position }
    staffIndex = index
    let active = staff.filter { $0.status == "active" }
    owners = active.filter(\.canOwnCustomers).map(\.id)
    reps = active.filter { $0.role == "sales_rep" }.map(\.id)
    leads = active.filter { $0.role == "team_lead" }.map(\.id)
    supervisors = active.filter { $0.role == "supervisor" }.map(\.id)
    managers = active.filter { $0.role == "manager" }.map(\.id)
  }

  func member(_ id: String) -> HistoryStaff { staff[staffIndex[id]!] }

  var customerCount: Int { exists.filter { $0 }.count }

  // MARK: - Bookkeeping

  /// Adds a customer and returns its slot.
  @discardableResult
  func add(_ customer: HistoryCustomer) -> Int {
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
  func update(_ slot: Int, _ customer: HistoryCustomer) {
    customers[slot] = customer
  }

  /// The file's bytes as they are now.
  func bytes(_ slot: Int) -> [UInt8] { variants[slot] ?? customers[slot].text }

  /// The change that writes the customer in canonical form.
  private func write(_ slot: Int) -> HistoryCommit.FileChange {
    variants[slot] = nil
    return HistoryCommit.FileChange(path: customers[slot].path, content: customers[slot].text)
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
    _ author: HistoryCommit.Author, english: Bool, time: Int, _ phrases: [Phrase], _ changes: [HistoryCommit.FileChange]
  ) -> HistoryCommit {
    let message =
      english
      ? phrases.map(\.english).joined(separator: "; ")
      : phrases.map(\.chinese).joined(separator: "；")
    return HistoryCommit(author: author, time: time, message: message, changes: changes)
  }

  private func commit(by id: String, time: Int, _ phrases: [Phrase], _ slots: [Int]) -> HistoryCommit {
    let person = member(id)
    return commit(person.author, english: person.writesEnglish, time: time, phrases, slots.map(write))
  }

  // MARK: - Working sessions

  /// A commit of everyday work on one to five customers, by a rep (mostly), a lead, a
  /// supervisor, the manager or the IT administrator.
  func regularCommit(time: Int) -> HistoryCommit {
    let day = CivilDate(time: time)
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
    case "manager": return tierReview(by: member(rng.pick(managers)).author, time: time)
    default:
      return rng.chance(60) ? tierReview(by: outsider, time: time) : contactCleanup(time: time)
    }
  }

  /// A seller works through some of their own customers.
  private func ownWork(_ id: String, time: Int, day: CivilDate) -> HistoryCommit {
    let slots = pick(editCount(), from: owned(by: id))
    guard !slots.isEmpty else { return tierReview(by: outsider, time: time) }
    let phrases = slots.map { edit($0, by: id, day: day) }
    return commit(by: id, time: time, phrases, slots)
  }

  /// A lead works their own customers, hands customers over inside the team, or closes
  /// complaints.
  private func leadWork(_ lead: String, time: Int, day: CivilDate) -> HistoryCommit {
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
  private func supervisorWork(_ id: String, time: Int) -> HistoryCommit {
    guard rng.chance(40), owners.count >= 2 else { return tierReview(by: member(id).author, time: time) }
    let from = rng.pick(owners)
    let slots = pick(rng.int(in: 1...2), from: owned(by: from))
    guard !slots.isEmpty else { return tierReview(by: member(id).author, time: time) }
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

  /// New tiers for a few customers, by what they buy.
  private func tierReview(by author: HistoryCommit.Author, time: Int) -> HistoryCommit {
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
    let english = staff.first { $0.email == author.email }?.writesEnglish ?? false
    let prefix: Phrase = author == outsider ? ("按年度采购额调整客户等级：", "Tiers by yearly purchases: ") : ("", "")
    phrases[0] = (prefix.chinese + phrases[0].chinese, prefix.english + phrases[0].english)
    return commit(author, english: english, time: time, phrases, slots.map(write))
  }

  /// The IT administrator corrects contacts' phone numbers from the call system.
  private func contactCleanup(time: Int) -> HistoryCommit {
    let slots = someCustomers(rng.int(in: 1...3))
    for slot in slots {
      let index = rng.below(customers[slot].contacts.count)
      customers[slot].contacts[index].phone = HistoryWords.mobile(&rng)
    }
    let ids = slots.map { customers[$0].id }.joined(separator: "、")
    return commit(
      outsider, english: false, time: time, [("按呼叫系统数据更正联系人电话：\(ids)", "")], slots.map(write))
  }

  // MARK: - Rare commits

  /// Deletes a customer that was entered twice (one that could be entered again as it is:
  /// its status is an initial one).
  func deleteCommit(time: Int) -> HistoryCommit? {
    guard customerCount > 1, let slot = randomCustomer(where: { HistoryCustomer.initialStatuses.contains($0.status) })
    else { return nil }
    let c = customers[slot]
    let content = bytes(slot)
    deleted.append((slot, content))
    disown(slot)
    exists[slot] = false
    variants[slot] = nil
    let lead = staff.first { $0.role == "team_lead" && $0.team == member(c.owner).team }?.id ?? c.owner
    return commit(
      member(lead).author, english: member(lead).writesEnglish, time: time,
      [("删除重复录入的客户 \(c.id)（\(c.name)）", "Remove duplicate customer \(c.id)")],
      [HistoryCommit.FileChange(path: c.path, content: nil)])
  }

  /// Puts back the oldest deleted customer, byte for byte, under its old id.
  func recreateCommit(time: Int) -> HistoryCommit? {
    guard !deleted.isEmpty else { return nil }
    let (slot, content) = deleted.removeFirst()
    exists[slot] = true
    own(slot)
    if content != customers[slot].text { variants[slot] = content }
    let c = customers[slot]
    return commit(
      member(c.owner).author, english: member(c.owner).writesEnglish, time: time,
      [("恢复误删的客户档案 \(c.id)", "Restore \(c.id), deleted by mistake")],
      [HistoryCommit.FileChange(path: c.path, content: content)])
  }

  /// Moves a customer to a new id, content unchanged.
  func renameCommit(time: Int) -> HistoryCommit? {
    guard let slot = randomCustomer(where: { HistoryCustomer.initialStatuses.contains($0.status) }) else { return nil }
    let old = customers[slot].id
    let content = bytes(slot)
    customers[slot].id = HistoryCustomer.id(nextNumber)
    nextNumber += 1
    let new = customers[slot].id
    return commit(
      outsider, english: false, time: time, [("客户编号更正：\(old) 改为 \(new)", "")],
      [
        HistoryCommit.FileChange(path: "customers/\(old).yaml", content: nil),
        HistoryCommit.FileChange(path: customers[slot].path, content: content),
      ])
  }

  /// Changes only the layout of some records: a rep's editor moved a key and re-quoted
  /// values, or `tally fmt` put records in canonical form again.
  func reformatCommit(time: Int) -> HistoryCommit? {
    let pending = variants.keys.sorted()
    if !pending.isEmpty {
      let slots = Array(pending.prefix(5))
      let ids = slots.map { customers[$0].id }.joined(separator: "、")
      return commit(outsider, english: false, time: time, [("tally fmt：统一档案格式（\(ids)）", "")], slots.map(write))
    }
    let owner = rng.pick(owners)
    var changes: [HistoryCommit.FileChange] = []
    var ids: [String] = []
    for slot in pick(rng.int(in: 1...3), from: owned(by: owner)) {
      guard let text = Self.handEdited(customers[slot]) else { continue }
      variants[slot] = text
      changes.append(HistoryCommit.FileChange(path: customers[slot].path, content: text))
      ids.append(customers[slot].id)
    }
    guard !changes.isEmpty else { return nil }
    let person = member(owner)
    return commit(
      person.author, english: person.writesEnglish, time: time,
      [
        (
          "整理 \(ids.joined(separator: "、")) 的档案格式（内容不变）",
          "Tidy up \(ids.joined(separator: ", ")) (layout only)"
        )
      ], changes)
  }

  private func randomCustomer(where condition: (HistoryCustomer) -> Bool) -> Int? {
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
  static func handEdited(_ customer: HistoryCustomer) -> [UInt8]? {
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
