import TallySampleData
import TallySchema

/// What people write into customer records: calls, orders, complaints and status changes
/// along the schema's transitions (lead → prospect → active → dormant → active, prospect →
/// lead, anything → churned with a reason, churned → lead), and the customers imported from
/// the old CRM at the start.
extension HistoryTeam {
  static let outcomeNames: [String: Phrase] = [
    "no_answer": ("未接通", "no answer"), "not_interested": ("无意向", "not interested"),
    "interested": ("有意向", "interested"), "callback": ("约定回访", "call back"),
  ]

  /// One edit of the customer in `slot` by `id` on `day`; returns the note for the commit
  /// message.
  func edit(_ slot: Int, by id: String, day: CivilDate) -> Phrase {
    var c = customers[slot]
    let phrase = edit(&c, by: id, day: day)
    update(slot, c)
    return phrase
  }

  private func edit(_ c: inout HistoryCustomer, by id: String, day: CivilDate) -> Phrase {
    let cid = c.id
    let openComplaint = c.complaints.contains { $0.resolvedOn == nil }
    var operations: [(String, Int)]
    switch c.status {
    case "lead":
      operations = [("call", 65), ("promote", 15), ("churn", 4), ("contact", 8), ("needs", 8)]
    case "prospect":
      operations = [("call", 50), ("order", 18), ("demote", 8), ("churn", 5), ("contact", 7)]
    case "active":
      operations = [("call", 40), ("order", 25), ("complaint", 8), ("dormant", 7), ("churn", 3), ("contact", 5)]
      if openComplaint { operations.append(("resolve", 15)) }
    case "dormant":
      operations = [("call", 45), ("order", 20), ("churn", 10), ("contact", 5)]
      if openComplaint { operations.append(("resolve", 10)) }
    default:
      operations = [("call", 60), ("winback", 40)]
    }
    var operation = rng.weighted(operations)
    if operation == "complaint" && c.orders.isEmpty { operation = "call" }
    switch operation {
    case "promote":
      Self.logCall(&c, by: id, day: day, outcome: "interested", rng: &rng)
      c.status = "prospect"
      return ("\(cid) 转为意向客户", "\(cid): lead -> prospect")
    case "demote":
      Self.logCall(
        &c, by: id, day: day, outcome: "not_interested", reason: rng.pick(HistoryWords.noInterestReasons), rng: &rng)
      c.followUps[c.followUps.count - 1].nextContact = day.adding(days: rng.int(in: 20...40)).skippingWeekend
      c.status = "lead"
      return ("\(cid) 项目延后，转回线索", "\(cid): project postponed, back to lead")
    case "order":
      let product = rng.pick(HistoryWords.products)
      let quantity = product.price < 2000 ? rng.int(in: 5...40) : (rng.chance(85) ? 1 : rng.int(in: 2...3))
      let amount = product.price * quantity * rng.pick([100, 100, 100, 95, 90, 88, 85])
      c.orders.append(HistoryCustomer.Order(date: day, product: product.name, amount: amount))
      Self.logCall(&c, by: id, day: day, outcome: "ordered", product: product.name, amount: amount, rng: &rng)
      let money = HistoryCustomer.moneyText(amount)
      if c.status != "active" {
        c.status = "active"
        return ("\(cid) 签单：\(product.name) \(money) 元，转为成交客户", "\(cid): won, \(product.name) \(money) CNY")
      }
      return ("\(cid) 新订单：\(product.name) \(money) 元", "\(cid): order \(product.name) \(money) CNY")
    case "complaint":
      let issue = rng.pick(HistoryWords.complaints)
      Self.logCall(&c, by: id, day: day, outcome: "complaint", issue: issue, rng: &rng)
      c.complaints.append(
        HistoryCustomer.Complaint(
          date: day, summary: issue, severity: rng.weighted([("low", 35), ("medium", 45), ("high", 20)])))
      return ("\(cid) 登记投诉：\(issue)", "\(cid): complaint logged")
    case "resolve":
      return resolveComplaint(&c, day: day)
    case "dormant":
      Self.logCall(&c, by: id, day: day, outcome: "callback", stage: "dormant", rng: &rng)
      c.status = "dormant"
      return ("\(cid) 长期未下单，转为沉睡客户", "\(cid): no orders for months, now dormant")
    case "churn":
      let reason = rng.pick(HistoryWords.churnReasons)
      Self.logCall(&c, by: id, day: day, outcome: "not_interested", reason: reason, next: false, rng: &rng)
      c.status = "churned"
      c.churnReason = reason
      return ("\(cid) 客户流失：\(reason)", "\(cid): churned")
    case "winback":
      Self.logCall(&c, by: id, day: day, outcome: "interested", stage: "churned", rng: &rng)
      c.status = "lead"
      c.churnReason = nil
      return ("\(cid) 老客户重新有意向，转为线索", "\(cid): churned -> lead (win-back)")
    case "contact":
      if c.contacts.count < 4 && rng.chance(60) {
        var person = HistoryWords.person(&rng)
        while c.contacts.contains(where: { $0.name == person.name }) { person = HistoryWords.person(&rng) }
        let domain = c.contacts.lazy.compactMap { $0.email?.split(separator: "@").last }.first
        var contact = Self.contact(person, brand: domain.map { String($0.dropLast(8)) } ?? "", rng: &rng)
        if domain == nil { contact.email = nil }
        contact.title = rng.pick(["采购经理", "IT负责人", "运营总监", "客服主管", "财务经理"])
        c.contacts.append(contact)
        return ("\(cid) 新增联系人\(person.name)", "\(cid): add contact \(person.pinyin)")
      }
      let index = rng.below(c.contacts.count)
      c.contacts[index].phone = HistoryWords.mobile(&rng)
      return ("\(cid) 更新\(c.contacts[index].name)的手机号", "\(cid): new phone number for a contact")
    case "needs":
      let line = rng.pick(HistoryWords.needs)
      if !c.needs.contains(line) {
        c.needs.append(line)
        return ("\(cid) 补充客户需求", "\(cid): note the customer's needs")
      }
      fallthrough
    default:
      let outcome = Self.outcome(status: c.status, rng: &rng)
      let reason = rng.pick(HistoryWords.noInterestReasons)
      Self.logCall(&c, by: id, day: day, outcome: outcome, reason: reason, rng: &rng)
      let name = Self.outcomeNames[outcome]!
      return ("\(cid) 跟进：\(name.chinese)", "\(cid): follow-up, \(name.english)")
    }
  }

  /// Closes the customer's oldest open complaint.
  func resolveComplaint(_ slot: Int, day: CivilDate) -> Phrase {
    var c = customers[slot]
    let phrase = resolveComplaint(&c, day: day)
    update(slot, c)
    return phrase
  }

  private func resolveComplaint(_ c: inout HistoryCustomer, day: CivilDate) -> Phrase {
    guard let index = c.complaints.firstIndex(where: { $0.resolvedOn == nil }) else {
      return ("\(c.id) 复核投诉记录", "\(c.id): complaints reviewed")
    }
    c.complaints[index].resolvedOn = max(day, c.complaints[index].date)
    return ("\(c.id) 投诉已处理：\(c.complaints[index].summary)", "\(c.id): complaint resolved")
  }

  // MARK: - Calls

  /// What comes of a call, by the customer's status (orders and complaints are their own
  /// edits).
  static func outcome(status: String, rng: inout SplitMix64) -> String {
    switch status {
    case "lead": rng.weighted([("no_answer", 25), ("callback", 20), ("interested", 38), ("not_interested", 17)])
    case "prospect": rng.weighted([("interested", 40), ("callback", 32), ("not_interested", 14), ("no_answer", 14)])
    case "active": rng.weighted([("interested", 40), ("callback", 40), ("not_interested", 8), ("no_answer", 12)])
    case "dormant": rng.weighted([("no_answer", 35), ("callback", 35), ("interested", 22), ("not_interested", 8)])
    default: rng.weighted([("no_answer", 35), ("not_interested", 30), ("interested", 35)])
    }
  }

  /// Appends a follow-up on `day` with `outcome` and a summary in Chinese.
  static func logCall(
    _ c: inout HistoryCustomer, by: String, day: CivilDate, outcome: String, stage: String? = nil,
    reason: String = "", issue: String = "", product: String? = nil, amount: Int = 0, next: Bool = true,
    rng: inout SplitMix64
  ) {
    let days: Int? =
      switch outcome {
      case "no_answer": rng.int(in: 1...3)
      case "callback": rng.int(in: 3...10)
      case "interested": rng.int(in: 3...14)
      case "ordered": rng.int(in: 20...45)
      case "complaint": rng.int(in: 2...5)
      default: rng.chance(40) ? rng.int(in: 60...120) : nil
      }
    let nextContact = next ? days.map { day.adding(days: $0).skippingWeekend } : nil
    let status = stage ?? c.status
    let channel: String =
      switch outcome {
      case "no_answer": rng.weighted([("phone", 80), ("sms", 10), ("wechat", 10)])
      case "complaint": rng.weighted([("phone", 85), ("wechat", 15)])
      default:
        status == "lead"
          ? rng.weighted([("phone", 70), ("wechat", 15), ("sms", 5), ("email", 10)])
          : rng.weighted([("phone", 45), ("wechat", 25), ("visit", 15), ("email", 15)])
      }
    var pool: [String]
    switch outcome {
    case "no_answer": pool = channel == "phone" ? HistoryWords.noAnswer : ["消息未回复，{d}再电话联系", "发了资料，对方未回复"]
    case "interested": pool = HistoryWords.interested[status] ?? HistoryWords.interested["lead"]!
    case "callback": pool = HistoryWords.callback[status] ?? HistoryWords.callback["lead"]!
    case "ordered": pool = HistoryWords.ordered
    case "complaint": pool = HistoryWords.complaint
    default: pool = HistoryWords.notInterested
    }
    let contact = rng.pick(c.contacts).name
    let pitch = product ?? rng.pick(HistoryWords.pitches)
    let when = nextContact?.weekdayChinese ?? "下周"
    let summary = fill(rng.pick(pool)) { key in
      switch key {
      case UInt8(ascii: "c"): contact
      case UInt8(ascii: "p"): pitch
      case UInt8(ascii: "d"): when
      case UInt8(ascii: "r"): reason
      case UInt8(ascii: "i"): issue
      default: HistoryCustomer.moneyText(amount)
      }
    }
    c.followUps.append(
      HistoryCustomer.FollowUp(
        date: day, by: by, channel: channel, summary: summary, outcome: outcome, nextContact: nextContact))
  }

  /// `template` with every `{x}` replaced by `value(x)`.
  static func fill(_ template: String, _ value: (UInt8) -> String) -> String {
    var out: [UInt8] = []
    out.reserveCapacity(template.utf8.count + 48)
    let bytes = Array(template.utf8)
    var i = 0
    while i < bytes.count {
      if bytes[i] == UInt8(ascii: "{"), i + 2 < bytes.count, bytes[i + 2] == UInt8(ascii: "}") {
        out.append(contentsOf: value(bytes[i + 1]).utf8)
        i += 3
      } else {
        out.append(bytes[i])
        i += 1
      }
    }
    return String(decoding: out, as: UTF8.self)
  }

  static func contact(_ person: (name: String, pinyin: String), brand: String, rng: inout SplitMix64)
    -> HistoryCustomer.Contact
  {
    var contact = HistoryCustomer.Contact(name: person.name)
    if rng.chance(90) { contact.title = rng.pick(HistoryWords.contactTitles) }
    if rng.chance(90) { contact.phone = HistoryWords.mobile(&rng) }
    if rng.chance(40) { contact.email = "\(person.pinyin)@\(brand).example" }
    if rng.chance(30) {
      contact.wechat = rng.chance(50) ? "\(person.pinyin)_\(rng.digits(rng.int(in: 2...4)))" : "wx\(rng.digits(9))"
    }
    return contact
  }

  // MARK: - The import from the old CRM

  /// Customer `number` as imported from the old CRM on the first day, with the calls and
  /// orders of 2024. It depends only on the seed and the number.
  static func importedCustomer(
    number: Int, seed: UInt64, owners: [(String, Int)], companyOffset: Int
  ) -> HistoryCustomer {
    var rng = SplitMix64(seed: seed, index: UInt64(number))
    let owner = rng.weighted(owners)
    let company = HistoryWords.company(
      number: number + companyOffset, suffix: rng.pick(HistoryWords.companySuffixes))
    let status = rng.weighted([("lead", 40), ("prospect", 30), ("active", 30)])
    var contacts: [HistoryCustomer.Contact] = []
    for _ in 0..<rng.weighted([(1, 50), (2, 35), (3, 15)]) {
      var person = HistoryWords.person(&rng)
      while contacts.contains(where: { $0.name == person.name }) { person = HistoryWords.person(&rng) }
      contacts.append(contact(person, brand: company.pinyin, rng: &rng))
    }
    var c = HistoryCustomer(
      id: HistoryCustomer.id(number), name: company.name, industry: company.industry, tier: "C", status: status,
      owner: owner,
      source: rng.chance(90)
        ? rng.weighted([
          ("cold_call", 40), ("referral", 18), ("website", 14), ("exhibition", 12), ("inbound", 10), ("partner", 6),
        ]) : nil,
      contacts: contacts)
    let scale = rng.weighted([("micro", 15), ("small", 35), ("medium", 35), ("large", 15)])
    if rng.chance(90) { c.scale = scale }
    if rng.chance(75) {
      c.purchasingPower =
        scale == "large"
        ? rng.weighted([("high", 60), ("medium", 35), ("low", 5)])
        : rng.weighted([("high", 15), ("medium", 50), ("low", 35)])
    }
    if rng.chance(60) { c.loyalty = rng.weighted([("high", 25), ("medium", 50), ("low", 25)]) }
    c.tier =
      switch scale {
      case "large": rng.weighted([("A", 60), ("B", 35), ("C", 5)])
      case "medium": rng.weighted([("A", 25), ("B", 50), ("C", 25)])
      case "small": rng.weighted([("A", 5), ("B", 40), ("C", 55)])
      default: rng.weighted([("B", 15), ("C", 85)])
      }
    if rng.chance(60) { c.needs = rng.distinct(rng.int(in: 1...3), of: HistoryWords.needs) }
    var day = CivilDate(year: 2024, month: 3, day: 1).adding(days: rng.below(200)).skippingWeekend
    let calls =
      switch status {
      case "lead": rng.int(in: 0...2)
      case "prospect": rng.int(in: 1...3)
      default: rng.int(in: 2...4)
      }
    for call in 0..<calls {
      let stage = status == "active" && call < calls - 1 ? "prospect" : status
      if status == "active" && call == calls - 1 {
        let product = rng.pick(HistoryWords.products)
        let amount = product.price * (product.price < 2000 ? rng.int(in: 5...40) : 1) * 100
        c.orders.append(HistoryCustomer.Order(date: day, product: product.name, amount: amount))
        logCall(&c, by: owner, day: day, outcome: "ordered", product: product.name, amount: amount, rng: &rng)
      } else {
        let outcome = rng.weighted([("interested", 45), ("callback", 35), ("no_answer", 20)])
        logCall(&c, by: owner, day: day, outcome: outcome, stage: stage, rng: &rng)
      }
      day = day.adding(days: rng.int(in: 5...40)).skippingWeekend
    }
    return c
  }
}
