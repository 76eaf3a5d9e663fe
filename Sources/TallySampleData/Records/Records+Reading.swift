import TallySchema
import TallyText

/// Staff and customer records read back from their values, to continue a history from a
/// repository whatever made it (``HistoryCorpus/continuing(_:after:count:seed:)``). Fields the
/// continuation never writes (trainings, reviews) are left out.
extension StaffMember {
  /// Nil when a field the history needs is missing or malformed.
  init?(id: String, value: Value) {
    guard let name = value["name"]?.text, let role = value["role"]?.text, let team = value["team"]?.text,
      let email = value["email"]?.text, let joined = value["joined"]?.text.flatMap({ CivilDate($0) })
    else { return nil }
    self.init(
      id: id, name: name, pinyin: String(email.prefix { $0 != "@" }), role: role, team: team,
      reportsTo: value["reports_to"]?.text, email: email, phone: value["phone"]?.text, joined: joined,
      left: value["left"]?.text.flatMap { CivilDate($0) }, status: value["status"]?.text ?? "active",
      skills: (value["skills"]?.items ?? []).compactMap(\.text),
      gitIdentities: (value["git_identities"]?.items ?? []).compactMap(\.text))
  }
}

extension Customer {
  /// Nil when a field the history needs is missing or malformed.
  init?(id: String, value: Value) {
    func text(_ value: Value?, _ key: String) -> String? { value?[key]?.text }
    func date(_ value: Value?, _ key: String) -> CivilDate? { text(value, key).flatMap { CivilDate($0) } }
    guard let name = text(value, "name"), let industry = text(value, "industry"), let tier = text(value, "tier"),
      let status = text(value, "status"), let owner = text(value, "owner")
    else { return nil }
    let contacts = (value["contacts"]?.items ?? []).compactMap { item -> Contact? in
      guard let name = text(item, "name") else { return nil }
      return Contact(
        name: name, title: text(item, "title"), phone: text(item, "phone"), email: text(item, "email"),
        wechat: text(item, "wechat"))
    }
    self.init(
      id: id, name: name, industry: industry, scale: text(value, "scale"),
      purchasingPower: text(value, "purchasing_power"), loyalty: text(value, "loyalty"), tier: tier, status: status,
      churnReason: text(value, "churn_reason"), owner: owner, source: text(value, "source"), contacts: contacts,
      needs: (text(value, "needs") ?? "").split(separator: "\n").map(String.init))
    // New contacts' e-mail addresses use the domain of the others' (`name@brand.example`).
    if let domain = contacts.lazy.compactMap({ $0.email?.split(separator: "@").last }).first,
      domain.hasSuffix(".example")
    {
      brandPinyin = String(domain.dropLast(".example".count))
    }
    for item in value["follow_ups"]?.items ?? [] {
      guard let day = date(item, "date"), let by = text(item, "by"), let channel = text(item, "channel"),
        let summary = text(item, "summary")
      else { return nil }
      followUps.append(
        FollowUp(
          date: day, by: by, channel: channel, summary: summary, outcome: text(item, "outcome"),
          nextContact: date(item, "next_contact")))
    }
    for item in value["orders"]?.items ?? [] {
      guard let day = date(item, "date"), let product = text(item, "product"),
        let amount = text(item, "amount").flatMap(fen)
      else { return nil }
      orders.append(Order(date: day, product: product, amount: amount))
    }
    for item in value["complaints"]?.items ?? [] {
      guard let day = date(item, "date"), let summary = text(item, "summary"), let severity = text(item, "severity")
      else { return nil }
      complaints.append(
        Complaint(date: day, summary: summary, severity: severity, resolvedOn: date(item, "resolved_on")))
    }
  }
}

/// Fen from `12800.00`, `12800.5` or `12800`; nil for anything else (and for more than a
/// trillion yuan).
func fen(_ text: String) -> Int? {
  let parts = text.split(separator: ".", omittingEmptySubsequences: false)
  guard (1...2).contains(parts.count), (1...12).contains(parts[0].count),
    parts.count == 1 || (1...2).contains(parts[1].count),
    parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }), let yuan = Int(parts[0])
  else { return nil }
  guard parts.count == 2, let cents = Int(parts[1]) else { return yuan * 100 }
  return yuan * 100 + (parts[1].count == 1 ? cents * 10 : cents)
}
