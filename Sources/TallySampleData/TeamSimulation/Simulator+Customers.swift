import TallySchema

/// Customer records: imports from the old spreadsheet, new leads, calls that move customers
/// through the pipeline, orders, complaints, handovers.
extension Simulator {
  // MARK: - Creating customers

  /// A new customer record (not yet committed), owned by `owner`; returns its index.
  func newCustomer(owner: String, source: String?, status: String) -> Int {
    var company = Vocabulary.company(number: companyNumber, suffix: rng.pick(Vocabulary.companySuffixes))
    companyNumber += 1
    while usedCustomerNames.contains(company.name) {
      company = Vocabulary.company(number: companyNumber, suffix: rng.pick(Vocabulary.companySuffixes))
      companyNumber += 1
    }
    usedCustomerNames.insert(company.name)
    let customer = CustomerFactory.newCustomer(
      id: Customer.id(number: customers.count + 1), company: company, owner: owner, status: status, source: source,
      contactCount: rng.weighted([(1, 50), (2, 35), (3, 15)]), rng: &rng)
    customers.append(customer)
    createdOn[customer.id] = today
    return customers.count - 1
  }

  /// Appends a follow-up by `by` today with `outcome`, and returns the day of the next call.
  @discardableResult
  func logCall(
    _ index: Int, by: String, outcome: String, status: String? = nil, reason: String = "", issue: String = "",
    amount: Int = 0, firstOrder: Bool = false, product: String? = nil, date: CivilDate? = nil
  ) -> CivilDate? {
    let day = date ?? today
    let followUp = CustomerFactory.followUp(
      on: day, by: by, status: status ?? customers[index].status, outcome: outcome,
      contacts: customers[index].contacts, product: product, reason: reason, issue: issue, amount: amount,
      firstOrder: firstOrder, rng: &rng)
    // Kept in date order (a late entry goes before later ones).
    let position = customers[index].followUps.lastIndex { $0.date <= day }.map { $0 + 1 } ?? 0
    customers[index].followUps.insert(followUp, at: position)
    return followUp.nextContact
  }

  /// Books an order today and records who sold it.
  func book(_ index: Int, by rep: String) -> Customer.Order {
    let order = CustomerFactory.order(on: today, rng: &rng)
    customers[index].orders.append(order)
    ledger.append((today, rep, customers[index].id, order.amount))
    return order
  }

  // MARK: - Importing the old spreadsheet

  /// A rep imports a batch of their existing customers. New records can only be leads or
  /// prospects, so customers who already buy are imported as prospects with their orders and
  /// made active in a second commit.
  func importCustomers(_ repID: String) {
    guard member(repID).isActive, today > firstDay, today < CivilDate(year: 2026, month: 5, day: 23) else { return }
    let left = toImport[repID] ?? 0
    guard left > 0 else { return }
    let count = min(left, rng.int(in: 2...4))
    toImport[repID] = left - count
    let isLead = member(repID).role == "team_lead"
    var batch: [Int] = []
    var buying: [Int] = []
    for _ in 0..<count {
      let kind = isLead ? "client" : rng.weighted([("lead", 35), ("prospect", 27), ("client", 38)])
      let source = rng.weighted([
        ("cold_call", 40), ("referral", 20), ("website", 12), ("exhibition", 12), ("inbound", 10), ("partner", 6),
      ])
      let index = newCustomer(
        owner: repID, source: rng.chance(90) ? source : nil, status: kind == "lead" ? "lead" : "prospect")
      if isLead { customers[index].tier = "A" }
      // Past calls, from February to April.
      var day = CivilDate(year: 2026, month: 2, day: 2).adding(days: rng.below(60)).skippingWeekend
      let calls = rng.int(in: 1...3)
      for call in 0..<calls {
        if day < member(repID).joined { day = member(repID).joined.adding(days: rng.below(10)).skippingWeekend }
        let last = call == calls - 1
        let outcome =
          kind == "client"
          ? (last ? "interested" : rng.pick(["callback", "interested"]))
          : kind == "prospect"
            ? rng.pick(["interested", "callback"]) : rng.pick(["callback", "no_answer", "interested"])
        let next = logCall(index, by: repID, outcome: outcome, status: kind == "lead" ? "lead" : "prospect", date: day)
        if last, next == nil || next! <= today {
          customers[index].followUps[customers[index].followUps.count - 1].nextContact =
            today.adding(days: rng.int(in: 1...15)).skippingWeekend
        }
        day = day.adding(days: rng.int(in: 5...25)).skippingWeekend
        if day >= today { day = workingDay(after: -1) }
      }
      if kind == "client" {
        var orderDay = CivilDate(year: 2025, month: 3, day: 3).adding(days: rng.below(380)).skippingWeekend
        for _ in 0..<rng.int(in: 1...3) {
          var order = CustomerFactory.order(on: orderDay, rng: &rng)
          order.date = min(orderDay, CivilDate(year: 2026, month: 4, day: 28))
          customers[index].orders.append(order)
          orderDay = orderDay.adding(days: rng.int(in: 30...120)).skippingWeekend
        }
        customers[index].orders.sort { $0.date < $1.date }
        if customers[index].loyalty == nil { customers[index].loyalty = rng.pick(["medium", "high"]) }
        buying.append(index)
      }
      batch.append(index)
    }
    let ids = batch.map { customers[$0].id }
    let round = (toImport[repID] ?? 0) > 0 ? "" : say(repID, "（完）", " (done)")
    commit(
      repID,
      say(
        repID, "从旧表格导入客户档案：\(list(ids, chinese: true))\(round)",
        "Import customers from the old spreadsheet: \(list(ids, chinese: false))\(round)"),
      batch.map { customers[$0].path })
    guard !buying.isEmpty else { return }
    for index in buying { customers[index].status = "active" }
    let buyingIDs = buying.map { customers[$0].id }
    commit(
      repID,
      say(
        repID, "\(list(buyingIDs, chinese: true)) 是老客户，状态改为成交客户",
        "Mark \(list(buyingIDs, chinese: false)) active (existing clients; new records must start as lead or prospect)"
      ),
      buying.map { customers[$0].path })
  }

  // MARK: - A rep's working session

  /// One commit's worth of work for a sales rep or team lead.
  func salesSession(_ repID: String) {
    guard member(repID).isActive else { return }
    let mine = owned(by: repID)
    let roll = rng.below(100)
    if mine.count < 4 || roll < 20 {
      newLeads(repID)
    } else if roll < 25, let referrer = rng.shuffled(mine).first(where: { customers[$0].status == "active" }) {
      referral(repID, from: referrer)
    } else if roll < 29 {
      updateContacts(repID, rng.pick(mine))
    } else {
      followUps(repID, mine)
    }
  }

  /// Cold calls, web enquiries and inbound calls that become new records.
  func newLeads(_ repID: String, count fixed: Int? = nil, source fixedSource: String? = nil) {
    let count = fixed ?? rng.weighted([(1, 50), (2, 35), (3, 15)])
    var batch: [Int] = []
    for _ in 0..<count {
      let source =
        fixedSource
        ?? rng.weighted([("cold_call", 50), ("website", 18), ("inbound", 16), ("partner", 10), ("referral", 6)])
      let warm = source == "inbound" || source == "exhibition" || source == "referral"
      let status = warm && rng.chance(40) ? "prospect" : "lead"
      let index = newCustomer(owner: repID, source: source, status: status)
      if rng.chance(85) || status == "prospect" {
        let outcome =
          status == "prospect" ? "interested" : rng.weighted([("interested", 45), ("callback", 35), ("no_answer", 20)])
        logCall(index, by: repID, outcome: outcome)
      }
      batch.append(index)
    }
    let ids = batch.map { customers[$0].id }
    let names = batch.map { customers[$0].shortName }
    let source = customers[batch[0]].source ?? "cold_call"
    let chinese: String
    let english: String
    switch source {
    case "exhibition":
      chinese = "录入展会线索：\(names.joined(separator: "、"))"
      english = "Add exhibition leads: \(list(ids, chinese: false))"
    case "website":
      chinese = "官网咨询新线索：\(names[0])\(count > 1 ? "等" : "")"
      english = "New web enquiry: \(ids[0])\(count > 1 ? " and \(count - 1) more" : "")"
    default:
      chinese = count == 1 ? "新增线索 \(ids[0]) \(names[0])" : "新增\(count)条线索：\(list(ids, chinese: true))"
      english = count == 1 ? "Add lead \(ids[0])" : "Add \(count) new leads"
    }
    commit(repID, say(repID, chinese, english), batch.map { customers[$0].path })
  }

  /// A happy customer recommends another company.
  func referral(_ repID: String, from referrer: Int) {
    let index = newCustomer(owner: repID, source: "referral", status: rng.chance(50) ? "prospect" : "lead")
    let next = today.adding(days: rng.int(in: 2...7)).skippingWeekend
    customers[index].followUps.append(
      Customer.FollowUp(
        date: today, by: repID, channel: "phone",
        summary:
          "由\(customers[referrer].shortName)推荐，\(customers[index].contacts[0].name)对\(CustomerFactory.pitch(rng: &rng))有兴趣，约\(Vocabulary.weekdaysChinese[next.weekday])详谈",
        outcome: "interested", nextContact: next))
    let id = customers[index].id
    commit(
      repID,
      say(
        repID, "新增转介绍客户 \(id)（\(customers[referrer].shortName)推荐）",
        "New referral \(id) via \(customers[referrer].id)"),
      [customers[index].path])
  }

  /// A new person to talk to at a customer, or a changed phone number.
  func updateContacts(_ repID: String, _ index: Int) {
    var customer = customers[index]
    let message = CustomerFactory.updateContacts(&customer, rng: &rng)
    if customer.needs.isEmpty || rng.chance(30) {
      let line = rng.pick(Vocabulary.needs)
      if !customer.needs.contains(line) { customer.needs.append(line) }
    }
    customers[index] = customer
    commit(repID, say(repID, message.0, message.1), [customer.path])
  }

  /// What one call changed.
  enum CallResult {
    case note
    case promoted
    case demoted
    case won(Customer.Order, first: Bool)
    case reactivated(Customer.Order)
    case churned(String)
    case wonBack
    case complaint(String)
  }

  /// A rep calls the customers that are due (and a few others) and commits what came of it.
  func followUps(_ repID: String, _ mine: [Int]) {
    let open = mine.filter { customers[$0].status != "churned" }
    let due = open.filter { (customers[$0].nextContact ?? lastDay.adding(days: 1)) <= today }
      .sorted { (customers[$0].nextContact!, $0) < (customers[$1].nextContact!, $1) }
    let count = rng.weighted([(1, 35), (2, 30), (3, 20), (4, 15)])
    var picked = Array(due.prefix(count))
    for index in rng.shuffled(open) where picked.count < count && !picked.contains(index) {
      if rng.chance(50) { picked.append(index) }
    }
    if rng.chance(8), let churned = mine.first(where: { customers[$0].status == "churned" && !picked.contains($0) }) {
      picked.append(churned)
    }
    guard !picked.isEmpty else {
      newLeads(repID)
      return
    }
    var results: [(Int, CallResult)] = []
    for index in picked { results.append((index, call(index, by: repID))) }
    commit(repID, followUpMessage(repID, results), picked.map { customers[$0].path })
  }

  /// One call and what follows from its outcome.
  func call(_ index: Int, by rep: String) -> CallResult {
    let status = customers[index].status
    let outcome = CustomerFactory.outcome(status: status, rng: &rng)
    switch (status, outcome) {
    case ("lead", "interested"):
      logCall(index, by: rep, outcome: outcome)
      if rng.chance(60) {
        customers[index].status = "prospect"
        return .promoted
      }
    case ("lead", "not_interested"), ("prospect", "not_interested"), ("dormant", "not_interested"),
      ("active", "not_interested"):
      let reason = rng.pick(Vocabulary.noInterestReasons)
      logCall(index, by: rep, outcome: outcome, reason: reason)
      let roll = rng.below(100)
      if status == "prospect" && roll < 55 {
        // The project is postponed: back to a lead, to be called again in a few weeks.
        customers[index].status = "lead"
        let last = customers[index].followUps.count - 1
        customers[index].followUps[last].nextContact = today.adding(days: rng.int(in: 20...40)).skippingWeekend
        return .demoted
      }
      if roll >= 70 || (status == "dormant" && roll >= 50) {
        let why = status == "lead" ? rng.pick(["多次联系无意向", reason]) : rng.pick(Vocabulary.churnReasons)
        customers[index].status = "churned"
        customers[index].churnReason = why
        if let last = customers[index].followUps.indices.last { customers[index].followUps[last].nextContact = nil }
        return .churned(why)
      }
    case ("prospect", "ordered"), ("active", "ordered"), ("dormant", "ordered"):
      let order = book(index, by: rep)
      logCall(
        index, by: rep, outcome: outcome, amount: order.amount, firstOrder: status == "prospect",
        product: order.product)
      if status == "active" { return .won(order, first: false) }
      customers[index].status = "active"
      return status == "prospect" ? .won(order, first: true) : .reactivated(order)
    case ("active", "complaint"):
      let issue = rng.pick(Vocabulary.complaintSummaries)
      logCall(index, by: rep, outcome: outcome, issue: issue)
      customers[index].complaints.append(
        Customer.Complaint(
          date: today, summary: issue, severity: rng.weighted([("low", 35), ("medium", 45), ("high", 20)])))
      return .complaint(issue)
    case ("churned", "interested"):
      logCall(index, by: rep, outcome: outcome)
      if rng.chance(65) {
        customers[index].status = "lead"
        customers[index].churnReason = nil
        return .wonBack
      }
    case ("churned", _), ("lead", _), ("prospect", _), ("active", _), ("dormant", _):
      logCall(index, by: rep, outcome: outcome == "ordered" || outcome == "complaint" ? "callback" : outcome)
    default:
      logCall(index, by: rep, outcome: "callback")
    }
    return .note
  }

  func followUpMessage(_ rep: String, _ results: [(Int, CallResult)]) -> String {
    let ids = results.map { customers[$0.0].id }
    if results.count == 1 {
      let (index, result) = results[0]
      let c = customers[index]
      switch result {
      case .note:
        if rng.chance(12) { return say(rep, "更新跟进记录", "follow-up") }
        return say(
          rep, rng.pick(["跟进 \(c.id) \(c.shortName)", "\(c.id) 跟进记录", "更新\(c.shortName)的跟进"]),
          rng.pick(["Follow-up \(c.id)", "Log call with \(c.id)", "\(c.id): follow-up"]))
      case .promoted:
        return say(rep, "\(c.id) \(c.shortName)：有意向，转为意向客户", "\(c.id): interested, now a prospect")
      case .demoted:
        return say(rep, "\(c.id) 项目暂缓，退回线索", "\(c.id) back to lead (project on hold)")
      case .won(let order, let first):
        return first
          ? say(
            rep, "\(c.id) 成交：\(order.product) \(moneyText(order.amount))", "\(c.id) closed: \(moneyText(order.amount))")
          : say(rep, "\(c.id) 续购\(order.product)", "\(c.id): repeat order \(moneyText(order.amount))")
      case .reactivated(let order):
        return say(
          rep, "\(c.id) 重新下单（\(order.product)），恢复为成交客户", "\(c.id) ordered again, back to active")
      case .churned(let reason):
        return say(rep, "\(c.id) 流失：\(reason)", "\(c.id) churned: \(reason)")
      case .wonBack:
        return say(rep, "\(c.id) 老客户有意向，重新作为线索跟进", "\(c.id): churned customer back as a lead")
      case .complaint:
        return say(rep, "\(c.id) 客户投诉，已登记", "\(c.id): log complaint")
      }
    }
    var chinese = "今日跟进：\(list(ids, chinese: true))"
    var english = "Follow-ups: \(list(ids, chinese: false))"
    for (index, result) in results {
      if case .won = result {
        chinese += "，\(customers[index].id) 成交"
        english += "; \(customers[index].id) closed"
      }
    }
    if rng.chance(10) { return say(rep, "跟进记录 \(today.short)", "follow-ups \(today.short)") }
    return say(rep, chinese, english)
  }

  // MARK: - Customer service

  /// A customer-service rep logs complaints, resolves them, or calls customers to ask how
  /// things are going.
  func serviceSession(_ csID: String) {
    guard member(csID).isActive, let code = member(csID).teamCode else { return }
    let teamCustomers = customers.indices.filter { !customers[$0].deleted && teamCode(ofCustomer: $0) == code }
    let unresolved = teamCustomers.filter {
      customers[$0].complaints.contains { $0.resolvedOn == nil && $0.date < today }
    }
    if !unresolved.isEmpty && rng.chance(65) {
      let picked = Array(unresolved.prefix(rng.int(in: 1...2)))
      for index in picked {
        var issue = ""
        for c in customers[index].complaints.indices where customers[index].complaints[c].resolvedOn == nil {
          customers[index].complaints[c].resolvedOn = today
          issue = customers[index].complaints[c].summary
        }
        let contact = rng.pick(customers[index].contacts).name
        let outcome = rng.weighted([("interested", 70), ("callback", 30)])
        let next = outcome == "callback" ? today.adding(days: rng.int(in: 5...14)).skippingWeekend : nil
        customers[index].followUps.append(
          Customer.FollowUp(
            date: today, by: csID, channel: "phone",
            summary: "投诉已处理（\(issue)），回访\(contact)，\(outcome == "callback" ? "客户要求过几天再确认一次" : "客户表示满意")",
            outcome: outcome, nextContact: next))
      }
      let ids = picked.map { customers[$0].id }
      commit(
        csID, say(csID, "投诉已解决：\(list(ids, chinese: true))", "Resolve complaints: \(list(ids, chinese: false))"),
        picked.map { customers[$0].path })
      return
    }
    let buying = teamCustomers.filter { ["active", "dormant"].contains(customers[$0].status) }
    guard !buying.isEmpty else { return }
    if rng.chance(55) {
      let index = rng.pick(buying)
      let issue = rng.pick(Vocabulary.complaintSummaries)
      let date = rng.chance(30) ? workingDay(after: -1) : today
      customers[index].complaints.append(
        Customer.Complaint(
          date: date, summary: issue, severity: rng.weighted([("low", 40), ("medium", 45), ("high", 15)])))
      logCall(index, by: csID, outcome: "complaint", issue: issue)
      let c = customers[index]
      commit(
        csID, say(csID, "登记投诉：\(c.id) \(issue)", "Log complaint for \(c.id)"), [c.path])
    } else {
      let picked = rng.distinct(rng.int(in: 1...3), of: buying)
      for index in picked {
        let contact = rng.pick(customers[index].contacts).name
        customers[index].followUps.append(
          Customer.FollowUp(
            date: today, by: csID, channel: rng.pick(["phone", "phone", "wechat", "sms"]),
            summary: rng.pick([
              "满意度回访，\(contact)对服务评价良好", "回访使用情况，\(contact)希望增加一次操作培训",
              "回访\(contact)，系统运行正常，无新问题",
            ]),
            outcome: "interested", nextContact: nil))
      }
      let ids = picked.map { customers[$0].id }
      commit(
        csID,
        say(csID, "满意度回访：\(list(ids, chinese: true))", "Customer satisfaction calls: \(list(ids, chinese: false))"),
        picked.map { customers[$0].path })
    }
  }

  // MARK: - Leads' housekeeping

  /// At the start of a month a lead marks customers with no order for three months dormant.
  func markDormant(_ team: Team) {
    let stale = customers.indices.filter {
      !customers[$0].deleted && teamCode(ofCustomer: $0) == team.code && customers[$0].status == "active"
        && (customers[$0].lastOrder ?? firstDay) < today.adding(days: -90)
    }
    .sorted { (customers[$0].lastOrder ?? firstDay, $0) < (customers[$1].lastOrder ?? firstDay, $1) }
    let picked = Array(stale.prefix(5))
    guard !picked.isEmpty else { return }
    for index in picked { customers[index].status = "dormant" }
    let ids = picked.map { customers[$0].id }
    commit(
      team.lead,
      say(
        team.lead, "超过 90 天未下单，标记为沉睡客户：\(list(ids, chinese: true))",
        "Mark dormant (no order for 90 days): \(list(ids, chinese: false))"),
      picked.map { customers[$0].path })
  }

  /// A lead gives a new rep some customers from the busiest colleagues.
  func assignToNewcomer(_ newcomer: String) {
    let code = member(newcomer).teamCode!
    let lead = team(code).lead
    let colleagues = sellers(of: code).filter { $0.id != newcomer && $0.role == "sales_rep" }
      .sorted { (owned(by: $0.id).count, $1.id) > (owned(by: $1.id).count, $0.id) }
    var picked: [Int] = []
    for colleague in colleagues.prefix(3) {
      if let index = owned(by: colleague.id).first(where: { ["lead", "prospect"].contains(customers[$0].status) }) {
        customers[index].owner = newcomer
        picked.append(index)
      }
    }
    guard !picked.isEmpty else { return }
    let ids = picked.map { customers[$0].id }
    let name = member(newcomer).name
    commit(
      lead,
      say(lead, "给新同事\(name)分配客户：\(list(ids, chinese: true))", "Assign \(list(ids, chinese: false)) to \(name)"),
      picked.map { customers[$0].path })
  }

  /// A customer changes hands: to the lead, or to another team.
  func moveCustomer(from code: String, to newOwner: String, by author: String, reason: (String, String)) {
    let candidates = customers.indices.filter {
      !customers[$0].deleted && teamCode(ofCustomer: $0) == code && customers[$0].status == "active"
        && customers[$0].owner != newOwner && member(customers[$0].owner).role == "sales_rep"
    }
    guard
      let index = candidates.max(by: {
        (customers[$0].tier == "A" ? 1 : 0, customers[$0].orders.count, $1)
          < (customers[$1].tier == "A" ? 1 : 0, customers[$1].orders.count, $0)
      })
    else { return }
    customers[index].owner = newOwner
    let c = customers[index]
    commit(
      author,
      say(
        author, "\(c.id) \(c.shortName)改由\(member(newOwner).name)负责：\(reason.0)",
        "Move \(c.id) to \(member(newOwner).name): \(reason.1)"),
      [c.path])
  }

  /// A rep enters a company that is already in the records under another spelling; the lead
  /// notices the next day, deletes the duplicate and keeps its call with the original.
  func addDuplicate(in code: String) -> (duplicate: Int, original: Int, rep: String)? {
    let reps = sellers(of: code).filter { $0.role == "sales_rep" }
    guard reps.count >= 2 else { return nil }
    let rep = reps[0].id
    guard
      let original = customers.indices.first(where: {
        !customers[$0].deleted && customers[$0].owner == reps[1].id && customers[$0].name.hasSuffix("有限公司")
      })
    else { return nil }
    let name = customers[original].name
    var variant = name
    for (city, _) in Vocabulary.cities where name.hasPrefix(city) {
      let rest = String(name.dropFirst(city.count).dropLast("有限公司".count))
      variant = rest + "（\(city)）有限公司"
      break
    }
    guard variant != name, !usedCustomerNames.contains(variant) else { return nil }
    let index = newCustomer(owner: rep, source: "cold_call", status: "lead")
    usedCustomerNames.remove(customers[index].name)
    usedCustomerNames.insert(variant)
    customers[index].name = variant
    customers[index].industry = customers[original].industry
    customers[index].brandPinyin = customers[original].brandPinyin
    logCall(index, by: rep, outcome: "interested")
    let c = customers[index]
    commit(rep, say(rep, "新增线索 \(c.id) \(c.shortName)", "Add lead \(c.id)"), [c.path])
    return (index, original, rep)
  }

  func removeDuplicate(_ duplicate: Int, original: Int, rep: String, lead: String) {
    let call = customers[duplicate].followUps.first
    customers[duplicate].deleted = true
    usedCustomerNames.remove(customers[duplicate].name)
    if let call {
      var merged = call
      merged.summary = "（由重复档案 \(customers[duplicate].id) 合并）" + call.summary
      let position = customers[original].followUps.lastIndex { $0.date <= call.date }.map { $0 + 1 } ?? 0
      customers[original].followUps.insert(merged, at: position)
    }
    commit(
      lead,
      say(
        lead, "删除重复客户 \(customers[duplicate].id)（与 \(customers[original].id) 是同一家），合并跟进记录",
        "Remove duplicate \(customers[duplicate].id) (same company as \(customers[original].id))"),
      [customers[duplicate].path, customers[original].path], via: .git)
  }
}
