import TallySchema
import TallyText

/// Builds a mapping in the order fields are added, leaving out absent ones.
struct Fields {
  var pairs: [Value.Pair] = []

  mutating func add(_ key: String, _ text: String?) {
    if let text { pairs.append(Value.Pair(key: key, value: .text(text))) }
  }

  mutating func add(_ key: String, _ day: CivilDate?) {
    if let day { pairs.append(Value.Pair(key: key, value: .text(day.description))) }
  }

  /// Multi-line text: the lines, each ending in a line break (a literal block).
  mutating func add(_ key: String, lines: [String]) {
    if !lines.isEmpty {
      pairs.append(Value.Pair(key: key, value: .text(lines.joined(separator: "\n") + "\n")))
    }
  }

  /// A list, left out when empty.
  mutating func add(_ key: String, list: [Value]) {
    if !list.isEmpty { pairs.append(Value.Pair(key: key, value: .sequence(list))) }
  }

  mutating func add(_ key: String, texts: [String]) {
    add(key, list: texts.map { .text($0) })
  }

  mutating func add(_ key: String, mapping: Fields) {
    pairs.append(Value.Pair(key: key, value: mapping.value))
  }

  var value: Value { .mapping(pairs) }
}

/// An amount of money in fen, written `12800.00`.
func moneyText(_ fen: Int) -> String {
  "\(fen / 100).\(twoDigits(fen % 100))"
}

/// A roughly rounded yuan amount, for notes: `12.8万` or `9800`.
func yuanText(_ fen: Int) -> String {
  let yuan = fen / 100
  if yuan >= 10_000 {
    let tenths = (yuan + 500) / 1000
    return tenths % 10 == 0 ? "\(tenths / 10)万" : "\(tenths / 10).\(tenths % 10)万"
  }
  return "\(yuan)"
}

// MARK: - Staff

struct StaffMember {
  enum Language { case chinese, english, mixed }

  var id: String
  var name: String
  var pinyin: String
  var role: String
  var team: String
  var reportsTo: String?
  var email: String
  var phone: String?
  var joined: CivilDate
  var left: CivilDate?
  var status = "active"
  var skills: [String] = []
  /// Forge logins and other e-mail addresses the person commits with (`git_identities`).
  var gitIdentities: [String] = []
  var trainings: [Training] = []
  var reviews: [Review] = []

  /// The team code (`east1`) for team members and leads; nil for the centre's management.
  var teamCode: String?
  /// How the person writes commit messages, and how often they commit through tally.
  var language: Language = .chinese
  var tallyPercent = 50

  struct Training {
    var date: CivilDate
    var topic: String
    var hours: String
    var result: String?
  }

  struct Review {
    var period: String
    var planScore: Int?
    var customerFeedback: Int?
    var serviceQuality: Int?
    var teamwork: Int?
    var rating: String
    var bonus: Int?
    var commission: Int?
  }

  var path: String { "staff/\(id).yaml" }

  /// The record's canonical text.
  var text: [UInt8] { SampleRecordType.staff.render(value) }

  /// The id of staff member `number`: `S-0012`.
  static func id(number: Int) -> String {
    let digits = String(number)
    return "S-" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
  }
  var isActive: Bool { status == "active" }
  var canOwnCustomers: Bool { (role == "sales_rep" || role == "team_lead") && status != "left" }

  var value: Value {
    var f = Fields()
    f.add("name", name)
    f.add("role", role)
    f.add("team", team)
    f.add("reports_to", reportsTo)
    f.add("email", email)
    f.add("git_identities", texts: gitIdentities)
    f.add("phone", phone)
    f.add("joined", joined)
    f.add("left", left)
    f.add("status", status)
    f.add("skills", texts: skills)
    f.add(
      "trainings",
      list: trainings.map { t in
        var m = Fields()
        m.add("date", t.date)
        m.add("topic", t.topic)
        m.add("hours", t.hours)
        m.add("result", t.result)
        return m.value
      })
    f.add(
      "reviews",
      list: reviews.map { r in
        var m = Fields()
        m.add("period", r.period)
        m.add("plan_score", r.planScore.map(String.init))
        m.add("customer_feedback", r.customerFeedback.map(String.init))
        m.add("service_quality", r.serviceQuality.map(String.init))
        m.add("teamwork", r.teamwork.map(String.init))
        m.add("rating", r.rating)
        m.add("bonus", r.bonus.map(moneyText))
        m.add("commission", r.commission.map(moneyText))
        return m.value
      })
    return f.value
  }
}

// MARK: - Customers

struct Customer {
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

  /// For e-mail addresses of contacts.
  var brandPinyin = ""
  /// Removed from the repository (a duplicate).
  var deleted = false

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

  var path: String { "customers/\(id).yaml" }

  /// The record's canonical text.
  var text: [UInt8] { SampleRecordType.customer.render(value) }

  /// The id of customer `number`: `C-0042`, at least four digits as the schema wants.
  static func id(number: Int) -> String {
    let digits = String(number)
    return "C-" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
  }

  /// The company name without the city and the legal form: `华信贸易`.
  var shortName: String {
    var text = Substring(name)
    for (city, _) in Vocabulary.cities where text.hasPrefix(city) {
      text = text.dropFirst(city.count)
      break
    }
    for suffix in ["股份有限公司", "有限责任公司", "有限公司", "公司"] where text.hasSuffix(suffix) {
      text = text.dropLast(suffix.count)
      break
    }
    return String(text)
  }

  /// When the owner means to call next: the last follow-up's next contact.
  var nextContact: CivilDate? { followUps.last?.nextContact }
  var lastFollowUp: CivilDate? { followUps.last?.date }
  var lastOrder: CivilDate? { orders.map(\.date).max() }

  var value: Value {
    var f = Fields()
    f.add("name", name)
    f.add("industry", industry)
    f.add("scale", scale)
    f.add("purchasing_power", purchasingPower)
    f.add("loyalty", loyalty)
    f.add("tier", tier)
    f.add("status", status)
    f.add("churn_reason", churnReason)
    f.add("owner", owner)
    f.add("source", source)
    f.add(
      "contacts",
      list: contacts.map { c in
        var m = Fields()
        m.add("name", c.name)
        m.add("title", c.title)
        m.add("phone", c.phone)
        m.add("email", c.email)
        m.add("wechat", c.wechat)
        return m.value
      })
    f.add("needs", lines: needs)
    f.add(
      "follow_ups",
      list: followUps.map { u in
        var m = Fields()
        m.add("date", u.date)
        m.add("by", u.by)
        m.add("channel", u.channel)
        m.add("summary", u.summary)
        m.add("outcome", u.outcome)
        m.add("next_contact", u.nextContact)
        return m.value
      })
    f.add(
      "orders",
      list: orders.map { o in
        var m = Fields()
        m.add("date", o.date)
        m.add("product", o.product)
        m.add("amount", moneyText(o.amount))
        return m.value
      })
    f.add(
      "complaints",
      list: complaints.map { c in
        var m = Fields()
        m.add("date", c.date)
        m.add("summary", c.summary)
        m.add("severity", c.severity)
        m.add("resolved_on", c.resolvedOn)
        return m.value
      })
    return f.value
  }
}

// MARK: - Plans

struct Plan {
  var id: String
  var title: String
  var kind: String
  var period: String
  var owner: String
  var scopeTeam: String?
  var scopePerson: String?
  var targets: [Target]
  var strategy: [String] = []
  var steps: [Step] = []

  struct Target {
    var metric: String
    var target: String
    var assignee: String
  }

  struct Step {
    var what: String
    var who: String
    var due: CivilDate
    var status = "todo"
    var doneOn: CivilDate?
  }

  var path: String { "plans/\(id).yaml" }

  var value: Value {
    var f = Fields()
    f.add("title", title)
    f.add("kind", kind)
    f.add("period", period)
    f.add("owner", owner)
    var scope = Fields()
    scope.add("team", scopeTeam)
    scope.add("person", scopePerson)
    f.add("scope", mapping: scope)
    f.add(
      "targets",
      list: targets.map { t in
        var m = Fields()
        m.add("metric", t.metric)
        m.add("target", t.target)
        m.add("assignee", t.assignee)
        return m.value
      })
    f.add("strategy", lines: strategy)
    f.add(
      "steps",
      list: steps.map { s in
        var m = Fields()
        m.add("what", s.what)
        m.add("who", s.who)
        m.add("due", s.due)
        m.add("status", s.status)
        m.add("done_on", s.doneOn)
        return m.value
      })
    return f.value
  }
}

// MARK: - Minutes

struct Minutes {
  var id: String
  var date: CivilDate
  var kind: String
  var title: String
  var chair: String
  var attendees: [String]
  var absentees: [String] = []
  var agenda: [String] = []
  var notes: [String] = []
  var decisions: [String] = []
  var actionItems: [ActionItem] = []

  struct ActionItem {
    var task: String
    var owner: String
    var due: CivilDate
    var status = "open"
    var doneOn: CivilDate?
  }

  var path: String { "minutes/\(id).yaml" }

  var value: Value {
    var f = Fields()
    f.add("date", date)
    f.add("kind", kind)
    f.add("title", title)
    f.add("chair", chair)
    f.add("attendees", texts: attendees)
    f.add("absentees", texts: absentees)
    f.add("agenda", texts: agenda)
    f.add("notes", lines: notes)
    f.add("decisions", texts: decisions)
    f.add(
      "action_items",
      list: actionItems.map { a in
        var m = Fields()
        m.add("task", a.task)
        m.add("owner", a.owner)
        m.add("due", a.due)
        m.add("status", a.status)
        m.add("done_on", a.doneOn)
        return m.value
      })
    return f.value
  }
}
