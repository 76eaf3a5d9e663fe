import TallySampleData
import TallySchema
import TallyText

/// A customer record of `schema/customer.yaml` as the history generator edits it: every
/// field of the schema, printed in canonical form by TallySampleData's printer and read back
/// from a record's value (for `--append`).
struct HistoryCustomer {
  struct Contact {
    var name: String
    var title: String?
    var phone: String?
    var email: String?
    var wechat: String?
  }

  struct FollowUp {
    var date: CivilDate
    var by: String
    var channel: String
    var summary: String
    var outcome: String?
    var nextContact: CivilDate?
  }

  struct Order {
    var date: CivilDate
    var product: String
    /// In fen.
    var amount: Int
  }

  struct Complaint {
    var date: CivilDate
    var summary: String
    var severity: String
    var resolvedOn: CivilDate?
  }

  var id: String
  var name: String
  var industry: String
  var scale: String?
  var purchasingPower: String?
  var loyalty: String?
  var tier: String
  var status: String
  var churnReason: String?
  var owner: String
  var source: String?
  var contacts: [Contact]
  var needs: [String] = []
  var followUps: [FollowUp] = []
  var orders: [Order] = []
  var complaints: [Complaint] = []

  /// The statuses a new record may start in (`initial` in the schema).
  static let initialStatuses: Set<String> = ["lead", "prospect", "active"]

  var path: String { "customers/\(id).yaml" }

  /// `C-0042`; four digits at least, as the schema's id pattern wants.
  static func id(_ number: Int) -> String {
    let digits = String(number)
    return "C-" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
  }

  /// The record's canonical text.
  var text: [UInt8] { SampleRecordType.customer.render(value) }

  var value: Value {
    var pairs: [Value.Pair] = []
    func add(_ key: String, _ text: String?, to pairs: inout [Value.Pair]) {
      if let text { pairs.append(Value.Pair(key: key, value: .text(text))) }
    }
    func list(_ key: String, _ items: [Value]) {
      if !items.isEmpty { pairs.append(Value.Pair(key: key, value: .sequence(items))) }
    }
    func mapping(_ build: (inout [Value.Pair]) -> Void) -> Value {
      var fields: [Value.Pair] = []
      build(&fields)
      return .mapping(fields)
    }
    add("name", name, to: &pairs)
    add("industry", industry, to: &pairs)
    add("scale", scale, to: &pairs)
    add("purchasing_power", purchasingPower, to: &pairs)
    add("loyalty", loyalty, to: &pairs)
    add("tier", tier, to: &pairs)
    add("status", status, to: &pairs)
    add("churn_reason", churnReason, to: &pairs)
    add("owner", owner, to: &pairs)
    add("source", source, to: &pairs)
    list(
      "contacts",
      contacts.map { c in
        mapping {
          add("name", c.name, to: &$0)
          add("title", c.title, to: &$0)
          add("phone", c.phone, to: &$0)
          add("email", c.email, to: &$0)
          add("wechat", c.wechat, to: &$0)
        }
      })
    if !needs.isEmpty { add("needs", needs.joined(separator: "\n") + "\n", to: &pairs) }
    list(
      "follow_ups",
      followUps.map { u in
        mapping {
          add("date", u.date.description, to: &$0)
          add("by", u.by, to: &$0)
          add("channel", u.channel, to: &$0)
          add("summary", u.summary, to: &$0)
          add("outcome", u.outcome, to: &$0)
          add("next_contact", u.nextContact?.description, to: &$0)
        }
      })
    list(
      "orders",
      orders.map { o in
        mapping {
          add("date", o.date.description, to: &$0)
          add("product", o.product, to: &$0)
          add("amount", Self.moneyText(o.amount), to: &$0)
        }
      })
    list(
      "complaints",
      complaints.map { c in
        mapping {
          add("date", c.date.description, to: &$0)
          add("summary", c.summary, to: &$0)
          add("severity", c.severity, to: &$0)
          add("resolved_on", c.resolvedOn?.description, to: &$0)
        }
      })
    return .mapping(pairs)
  }

  /// `12800.00` for 1,280,000 fen.
  static func moneyText(_ fen: Int) -> String {
    let cents = fen % 100
    return "\(fen / 100).\(cents < 10 ? "0" : "")\(cents)"
  }

  /// Fen from `12800.00`, `12800.5` or `12800`.
  static func fen(_ text: String) -> Int? {
    let parts = text.split(separator: ".", omittingEmptySubsequences: false)
    guard (1...2).contains(parts.count), let yuan = Int(parts[0]) else { return nil }
    guard parts.count == 2 else { return yuan * 100 }
    let fraction = String(parts[1])
    guard (1...2).contains(fraction.count), let cents = Int(fraction) else { return nil }
    return yuan * 100 + (fraction.count == 1 ? cents * 10 : cents)
  }
}

extension HistoryCustomer {
  /// Reads a customer record's value back (a record this generator wrote, or any record the
  /// schema accepts); nil when a required field is missing or malformed.
  init?(id: String, value: Value) {
    func text(_ value: Value?, _ key: String) -> String? { value?[key]?.text }
    func date(_ value: Value?, _ key: String) -> CivilDate? { text(value, key).flatMap { CivilDate($0) } }
    guard let name = text(value, "name"), let industry = text(value, "industry"), let tier = text(value, "tier"),
      let status = text(value, "status"), let owner = text(value, "owner")
    else { return nil }
    self.id = id
    self.name = name
    self.industry = industry
    self.tier = tier
    self.status = status
    self.owner = owner
    scale = text(value, "scale")
    purchasingPower = text(value, "purchasing_power")
    loyalty = text(value, "loyalty")
    churnReason = text(value, "churn_reason")
    source = text(value, "source")
    contacts = (value["contacts"]?.items ?? []).compactMap { item in
      guard let name = text(item, "name") else { return nil }
      return Contact(
        name: name, title: text(item, "title"), phone: text(item, "phone"), email: text(item, "email"),
        wechat: text(item, "wechat"))
    }
    needs = (text(value, "needs") ?? "").split(separator: "\n").map(String.init)
    var followUps: [FollowUp] = []
    for item in value["follow_ups"]?.items ?? [] {
      guard let day = date(item, "date"), let by = text(item, "by"), let channel = text(item, "channel"),
        let summary = text(item, "summary")
      else { return nil }
      followUps.append(
        FollowUp(
          date: day, by: by, channel: channel, summary: summary, outcome: text(item, "outcome"),
          nextContact: date(item, "next_contact")))
    }
    self.followUps = followUps
    var orders: [Order] = []
    for item in value["orders"]?.items ?? [] {
      guard let day = date(item, "date"), let product = text(item, "product"),
        let amount = text(item, "amount").flatMap(Self.fen)
      else { return nil }
      orders.append(Order(date: day, product: product, amount: amount))
    }
    self.orders = orders
    var complaints: [Complaint] = []
    for item in value["complaints"]?.items ?? [] {
      guard let day = date(item, "date"), let summary = text(item, "summary"),
        let severity = text(item, "severity")
      else { return nil }
      complaints.append(
        Complaint(date: day, summary: summary, severity: severity, resolvedOn: date(item, "resolved_on")))
    }
    self.complaints = complaints
  }
}
