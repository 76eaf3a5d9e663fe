import TallySchema

/// The parts of customer records that need nothing but a generator: new customers, profiles,
/// contacts, orders, follow-ups and what people write in them. Shared by every sample: the
/// team simulation and the benchmark corpora.
enum CustomerFactory {
  /// A new customer of `company` (not yet with follow-ups or orders): its contacts, profile
  /// and needs.
  static func newCustomer(
    id: String, company: Vocabulary.Company, owner: String, status: String, source: String?, contactCount: Int,
    rng: inout SplitMix64
  ) -> Customer {
    var customer = Customer(
      id: id, name: company.name, industry: company.industry, tier: "C", status: status, owner: owner,
      source: source, contacts: contacts(brand: company.brandPinyin, count: contactCount, rng: &rng))
    customer.brandPinyin = company.brandPinyin
    profile(&customer, rng: &rng)
    customer.needs = needs(rng: &rng)
    return customer
  }

  /// Where a customer in the old CRM came from, when it says (nine in ten).
  static func importedSource(rng: inout SplitMix64) -> String? {
    guard rng.chance(90) else { return nil }
    return rng.weighted([
      ("cold_call", 40), ("referral", 18), ("website", 14), ("exhibition", 12), ("inbound", 10), ("partner", 6),
    ])
  }

  /// The customer's profile fields, the tier following the size.
  static func profile(_ c: inout Customer, rng: inout SplitMix64) {
    let scale = rng.weighted([("micro", 15), ("small", 35), ("medium", 35), ("large", 15)])
    if rng.chance(90) { c.scale = scale }
    if rng.chance(75) {
      c.purchasingPower =
        switch scale {
        case "large": rng.weighted([("high", 60), ("medium", 35), ("low", 5)])
        case "medium": rng.weighted([("high", 25), ("medium", 55), ("low", 20)])
        default: rng.weighted([("high", 5), ("medium", 40), ("low", 55)])
        }
    }
    if rng.chance(60) { c.loyalty = rng.weighted([("high", 25), ("medium", 50), ("low", 25)]) }
    c.tier =
      switch scale {
      case "large": rng.weighted([("A", 60), ("B", 35), ("C", 5)])
      case "medium": rng.weighted([("A", 25), ("B", 50), ("C", 25)])
      case "small": rng.weighted([("A", 5), ("B", 40), ("C", 55)])
      default: rng.weighted([("B", 15), ("C", 85)])
      }
  }

  static func contacts(brand: String, count: Int, rng: inout SplitMix64) -> [Customer.Contact] {
    var contacts: [Customer.Contact] = []
    var names: [String] = []
    while contacts.count < count {
      let person = Vocabulary.person(&rng)
      if names.contains(person.name) { continue }
      names.append(person.name)
      contacts.append(contact(person, brand: brand, rng: &rng))
    }
    return contacts
  }

  static func contact(_ person: (name: String, pinyin: String), brand: String, rng: inout SplitMix64)
    -> Customer.Contact
  {
    var contact = Customer.Contact(name: person.name)
    if rng.chance(90) { contact.title = rng.pick(Vocabulary.contactTitles) }
    if rng.chance(90) { contact.phone = Vocabulary.mobile(&rng) }
    // Without a brand (a customer read back from a repository without e-mail addresses)
    // there is no domain to write.
    if !brand.isEmpty && rng.chance(40) { contact.email = "\(person.pinyin)@\(brand).example" }
    if rng.chance(30) {
      contact.wechat = rng.chance(50) ? "\(person.pinyin)_\(rng.digits(rng.int(in: 2...4)))" : "wx\(rng.digits(9))"
    }
    return contact
  }

  /// A new person to talk to at the customer (while there are fewer than four), or a new
  /// mobile number for one. Returns the note for the commit message, in Chinese and English.
  static func updateContacts(_ customer: inout Customer, rng: inout SplitMix64) -> (String, String) {
    if customer.contacts.count < 4 && rng.chance(60) {
      var person = Vocabulary.person(&rng)
      while customer.contacts.contains(where: { $0.name == person.name }) { person = Vocabulary.person(&rng) }
      var contact = Self.contact(person, brand: customer.brandPinyin, rng: &rng)
      contact.title = rng.pick(["采购经理", "IT负责人", "运营总监", "客服主管", "财务经理"])
      customer.contacts.append(contact)
      return ("\(customer.id) 新增联系人\(person.name)", "\(customer.id): add contact \(person.name)")
    }
    let c = rng.below(customer.contacts.count)
    customer.contacts[c].phone = Vocabulary.mobile(&rng)
    return (
      "\(customer.id) 更新\(customer.contacts[c].name)的手机号",
      "\(customer.id): update phone of \(customer.contacts[c].name)"
    )
  }

  static func needs(rng: inout SplitMix64) -> [String] {
    rng.chance(60) ? rng.distinct(rng.int(in: 1...3), of: Vocabulary.needs) : []
  }

  /// An order of a product at a discount: `amount` in fen.
  static func order(on date: CivilDate, rng: inout SplitMix64) -> Customer.Order {
    let product = rng.weighted(
      Vocabulary.products.enumerated().map { ($0.element, [18, 8, 16, 10, 9, 10, 6, 8, 7, 8][$0.offset]) })
    let quantity = product.price < 2000 ? rng.int(in: 5...40) : (rng.chance(85) ? 1 : rng.int(in: 2...3))
    let discount = rng.pick([100, 100, 100, 95, 90, 88, 85])
    return Customer.Order(date: date, product: product.name, amount: product.price * quantity * discount)
  }

  /// What comes of a call, by the customer's status.
  static func outcome(status: String, rng: inout SplitMix64) -> String {
    switch status {
    case "lead":
      rng.weighted([("no_answer", 25), ("callback", 20), ("interested", 38), ("not_interested", 17)])
    case "prospect":
      rng.weighted([
        ("interested", 32), ("callback", 26), ("ordered", 20), ("not_interested", 12), ("no_answer", 10),
      ])
    case "active":
      rng.weighted([
        ("interested", 30), ("callback", 30), ("ordered", 20), ("not_interested", 6), ("no_answer", 8),
        ("complaint", 6),
      ])
    case "dormant":
      rng.weighted([
        ("no_answer", 30), ("callback", 28), ("interested", 20), ("ordered", 16), ("not_interested", 6),
      ])
    default:
      rng.weighted([("no_answer", 35), ("not_interested", 30), ("interested", 35)])
    }
  }

  static func channel(status: String, outcome: String, rng: inout SplitMix64) -> String {
    if outcome == "no_answer" { return rng.weighted([("phone", 80), ("sms", 10), ("wechat", 10)]) }
    if outcome == "complaint" { return rng.weighted([("phone", 85), ("wechat", 15)]) }
    if status == "lead" {
      return rng.weighted([("phone", 70), ("wechat", 15), ("sms", 5), ("email", 10)])
    }
    return rng.weighted([("phone", 45), ("wechat", 25), ("visit", 15), ("email", 15)])
  }

  /// When to call next after an outcome, in days; nil for no next call.
  static func nextContact(outcome: String, rng: inout SplitMix64) -> Int? {
    switch outcome {
    case "no_answer": rng.int(in: 1...3)
    case "callback": rng.int(in: 3...10)
    case "interested": rng.int(in: 3...14)
    case "ordered": rng.int(in: 20...45)
    case "complaint": rng.int(in: 2...5)
    default: rng.chance(40) ? rng.int(in: 60...120) : nil
    }
  }

  // MARK: - Follow-up summaries

  static let noAnswer = [
    "电话无人接听，已发短信说明来意", "{c}未接电话，{d}再打", "拨打两次均未接通，稍后再联系",
    "对方一直占线，改天再打", "总机转接后无人接听",
  ]
  static let leadInterested = [
    "首次电话联系{c}，介绍{p}，对方有兴趣，约了{d}线上演示", "{c}对{p}比较感兴趣，已发送产品资料",
    "加了{c}的微信，发送同行业案例，对方说会和老板商量", "{c}主动询问{p}的价格，已发报价区间",
  ]
  static let leadCallback = [
    "{c}在开会，约定{d}再联系", "{c}说要先问问IT部门，{d}回复", "对方让先发资料，{d}再电话沟通",
  ]
  static let notInterested = [
    "{c}表示{r}，暂不考虑", "{c}说{r}，半年后再联系", "对方明确拒绝：{r}",
  ]
  static let prospectInterested = [
    "线上演示{p}，{c}和IT负责人参加，反馈良好", "发送正式报价单（{p}），等待对方审批",
    "{c}希望价格再优惠一些，答应申请九五折", "{c}要求试用两周，已开通试用账号",
  ]
  static let prospectCallback = [
    "{c}说预算还在审批，{d}再跟进", "对方在比价，{d}再沟通报价", "{c}出差，约{d}回来再谈",
  ]
  static let firstOrder = [
    "合同已签，{c}确认采购{p}，金额{a}元", "{c}确认下单{p}，财务已付款，安排实施",
    "报价审批通过，签订{p}合同，金额{a}元",
  ]
  static let repeatOrder = [
    "{c}续购{p}，金额{a}元", "客户增加坐席，追加采购{p}", "续费{p}，已发合同",
  ]
  static let activeInterested = [
    "回访使用情况，{c}反馈系统稳定，计划增加坐席", "了解续费意向，{c}对{p}有兴趣",
    "{c}反馈客服效率提升明显，愿意做案例",
  ]
  static let activeCallback = [
    "季度回访，{c}说下月讨论续费，{d}再联系", "{c}让把新版本资料发过去，{d}再沟通",
  ]
  static let dormantCall = [
    "近三个月没有新订单，电话了解情况，{c}说业务量下降", "沉睡客户回访，{c}说下季度可能有新需求",
    "给{c}发了新版本介绍，对方说{d}再看",
  ]
  static let winBack = [
    "老客户回访，{c}说对现在的供应商不满意，愿意重新了解", "流失客户回访，{c}有兴趣了解新版本",
  ]
  static let visit = [
    "上门拜访{c}，演示了{p}的外呼和录音质检功能", "拜访{c}，当面沟通报价细节，对方{d}给答复",
    "上门拜访，{c}和IT负责人一起听了方案，反馈不错",
  ]
  static let complaint = ["{c}来电反映{i}，已登记投诉并转技术支持", "{c}在微信上投诉{i}，已登记并安排处理"]

  /// A follow-up on `day` with `outcome`: the channel, a summary about one of `contacts` and
  /// `product` (or a product someone would pitch), and the day of the next call.
  static func followUp(
    on day: CivilDate, by: String, status: String, outcome: String, contacts: [Customer.Contact],
    product: String? = nil, reason: String = "", issue: String = "", amount: Int = 0, firstOrder: Bool = false,
    rng: inout SplitMix64
  ) -> Customer.FollowUp {
    let next = Self.nextContact(outcome: outcome, rng: &rng).map { day.adding(days: $0).skippingWeekend }
    let channel = Self.channel(status: status, outcome: outcome, rng: &rng)
    let contact = rng.pick(contacts).name
    let product = product ?? Self.pitch(rng: &rng)
    let summary = Self.summary(
      status: status, outcome: outcome, channel: channel, contact: contact, product: product, next: next,
      reason: reason, issue: issue, amount: amount, firstOrder: firstOrder, rng: &rng)
    return Customer.FollowUp(
      date: day, by: by, channel: channel, summary: summary, outcome: outcome, nextContact: next)
  }

  /// The summary of a follow-up.
  static func summary(
    status: String, outcome: String, channel: String, contact: String, product: String, next: CivilDate?,
    reason: String = "", issue: String = "", amount: Int = 0, firstOrder isFirst: Bool = false,
    rng: inout SplitMix64
  ) -> String {
    var pool: [String]
    switch outcome {
    case "no_answer": pool = noAnswer
    case "not_interested": pool = notInterested
    case "ordered": pool = isFirst ? firstOrder : repeatOrder
    case "complaint": pool = complaint
    case "interested":
      pool =
        switch status {
        case "lead": leadInterested
        case "prospect": prospectInterested
        case "churned": winBack
        case "dormant": dormantCall
        default: activeInterested
        }
    default:
      pool =
        switch status {
        case "lead", "churned": leadCallback
        case "prospect": prospectCallback
        case "dormant": dormantCall
        default: activeCallback
        }
    }
    if channel == "visit" && (outcome == "interested" || outcome == "callback") && status != "churned" {
      pool = visit
    }
    if channel != "phone" && outcome == "no_answer" {
      pool = ["消息未回复，{d}再电话联系", "发了资料，对方未回复"]
    }
    let template = rng.pick(pool)
    let when = next.map { Vocabulary.weekdaysChinese[$0.weekday] } ?? "下周"
    return fill(template) { key in
      switch key {
      case UInt8(ascii: "c"): contact
      case UInt8(ascii: "p"): product
      case UInt8(ascii: "d"): when
      case UInt8(ascii: "r"): reason
      case UInt8(ascii: "i"): issue
      default: moneyText(amount)
      }
    }
  }

  /// `template` with every `{x}` replaced by `value(x)` (much faster than `replacing`).
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

  /// A product someone would pitch to this customer.
  static func pitch(rng: inout SplitMix64) -> String {
    rng.weighted([
      ("智能客服系统标准版", 30), ("智能客服系统专业版", 15), ("云呼叫中心", 20), ("智能外呼机器人", 15),
      ("录音质检模块", 10), ("CRM企业版", 10),
    ])
  }
}
