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

  private func edit(_ c: inout Customer, by id: String, day: CivilDate) -> Phrase {
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
        &c, by: id, day: day, outcome: "not_interested", reason: rng.pick(Vocabulary.noInterestReasons), rng: &rng)
      c.followUps[c.followUps.count - 1].nextContact = day.adding(days: rng.int(in: 20...40)).skippingWeekend
      c.status = "lead"
      return ("\(cid) 项目延后，转回线索", "\(cid): project postponed, back to lead")
    case "order":
      let order = CustomerFactory.order(on: day, rng: &rng)
      c.orders.append(order)
      Self.logCall(
        &c, by: id, day: day, outcome: "ordered", product: order.product, amount: order.amount,
        firstOrder: c.orders.count == 1, rng: &rng)
      let money = moneyText(order.amount)
      if c.status != "active" {
        c.status = "active"
        return ("\(cid) 签单：\(order.product) \(money) 元，转为成交客户", "\(cid): won, \(order.product) \(money) CNY")
      }
      return ("\(cid) 新订单：\(order.product) \(money) 元", "\(cid): order \(order.product) \(money) CNY")
    case "complaint":
      let issue = rng.pick(Vocabulary.complaintSummaries)
      Self.logCall(&c, by: id, day: day, outcome: "complaint", issue: issue, rng: &rng)
      c.complaints.append(
        Customer.Complaint(
          date: day, summary: issue, severity: rng.weighted([("low", 35), ("medium", 45), ("high", 20)])))
      return ("\(cid) 登记投诉：\(issue)", "\(cid): complaint logged")
    case "resolve":
      return resolveComplaint(&c, day: day)
    case "dormant":
      Self.logCall(&c, by: id, day: day, outcome: "callback", stage: "dormant", rng: &rng)
      c.status = "dormant"
      return ("\(cid) 长期未下单，转为沉睡客户", "\(cid): no orders for months, now dormant")
    case "churn":
      let reason = rng.pick(Vocabulary.churnReasons)
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
      return CustomerFactory.updateContacts(&c, rng: &rng)
    case "needs":
      let line = rng.pick(Vocabulary.needs)
      if !c.needs.contains(line) {
        c.needs.append(line)
        return ("\(cid) 补充客户需求", "\(cid): note the customer's needs")
      }
      fallthrough
    default:
      // A call like any other; what would be an order or a complaint is an edit of its own.
      var outcome = CustomerFactory.outcome(status: c.status, rng: &rng)
      if outcome == "ordered" || outcome == "complaint" { outcome = "callback" }
      Self.logCall(&c, by: id, day: day, outcome: outcome, reason: rng.pick(Vocabulary.noInterestReasons), rng: &rng)
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

  private func resolveComplaint(_ c: inout Customer, day: CivilDate) -> Phrase {
    guard let index = c.complaints.firstIndex(where: { $0.resolvedOn == nil }) else {
      return ("\(c.id) 复核投诉记录", "\(c.id): complaints reviewed")
    }
    c.complaints[index].resolvedOn = max(day, c.complaints[index].date)
    return ("\(c.id) 投诉已处理：\(c.complaints[index].summary)", "\(c.id): complaint resolved")
  }

  /// Appends a follow-up on `day` with `outcome`, as the customer's status (or `stage`)
  /// calls for; `next: false` for a call after which no one means to call again.
  static func logCall(
    _ c: inout Customer, by: String, day: CivilDate, outcome: String, stage: String? = nil, reason: String = "",
    issue: String = "", product: String? = nil, amount: Int = 0, firstOrder: Bool = false, next: Bool = true,
    rng: inout SplitMix64
  ) {
    var followUp = CustomerFactory.followUp(
      on: day, by: by, status: stage ?? c.status, outcome: outcome, contacts: c.contacts, product: product,
      reason: reason, issue: issue, amount: amount, firstOrder: firstOrder, rng: &rng)
    if !next { followUp.nextContact = nil }
    c.followUps.append(followUp)
  }

  // MARK: - The import from the old CRM

  /// Customer `number` as imported from the old CRM on the first day, with the calls and
  /// orders of 2024. It depends only on the seed and the number.
  static func importedCustomer(
    number: Int, seed: UInt64, owners: [(String, Int)], companyOffset: Int
  ) -> Customer {
    var rng = SplitMix64(seed: seed, index: UInt64(number))
    let owner = rng.weighted(owners)
    let company = Vocabulary.company(
      number: number + companyOffset, suffix: rng.pick(Vocabulary.companySuffixes))
    // New records start in an initial status: no one is imported dormant or churned.
    let status = rng.weighted([("lead", 40), ("prospect", 30), ("active", 30)])
    var c = CustomerFactory.newCustomer(
      id: Customer.id(number: number), company: company, owner: owner, status: status,
      source: CustomerFactory.importedSource(rng: &rng), contactCount: rng.weighted([(1, 50), (2, 35), (3, 15)]),
      rng: &rng)
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
        let order = CustomerFactory.order(on: day, rng: &rng)
        c.orders.append(order)
        logCall(
          &c, by: owner, day: day, outcome: "ordered", product: order.product, amount: order.amount,
          firstOrder: true, rng: &rng)
      } else {
        let outcome = rng.weighted([("interested", 45), ("callback", 35), ("no_answer", 20)])
        logCall(&c, by: owner, day: day, outcome: outcome, stage: stage, rng: &rng)
      }
      day = day.adding(days: rng.int(in: 5...40)).skippingWeekend
    }
    return c
  }
}
