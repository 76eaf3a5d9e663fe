import TallySampleData
import TallySchema
import TallyText

/// A staff record of `schema/staff.yaml`: the people who author the generated history.
struct HistoryStaff {
  var id: String
  var name: String
  var role: String
  var team: String
  var reportsTo: String?
  var email: String
  var phone: String?
  var joined: CivilDate
  var status = "active"
  var skills: [String] = []

  /// The commit author: the record's name and e-mail.
  var author: HistoryCommit.Author { HistoryCommit.Author(name: name, email: email) }
  /// Whether the person writes commit messages in English (one in four, by id, so that
  /// `--append` agrees with the first run).
  var writesEnglish: Bool { (Int(id.dropFirst(2)) ?? 0) % 4 == 3 }
  var canOwnCustomers: Bool { (role == "sales_rep" || role == "team_lead") && status != "left" }

  var path: String { "staff/\(id).yaml" }

  var text: [UInt8] {
    var pairs: [Value.Pair] = []
    func add(_ key: String, _ text: String?) {
      if let text { pairs.append(Value.Pair(key: key, value: .text(text))) }
    }
    add("name", name)
    add("role", role)
    add("team", team)
    add("reports_to", reportsTo)
    add("email", email)
    add("phone", phone)
    add("joined", joined.description)
    add("status", status)
    if !skills.isEmpty { pairs.append(Value.Pair(key: "skills", value: .sequence(skills.map { .text($0) }))) }
    return SampleRecordType.staff.render(.mapping(pairs))
  }

  static let centre = "华东销售中心"

  /// A team of `count` people (at least 4): a manager, one or two supervisors, team leads
  /// (one per four people or so) and sales reps, each with a unique name, e-mail and phone.
  static func roster(count: Int, rng: inout SplitMix64) -> [HistoryStaff] {
    let supervisors = count >= 12 ? 2 : 1
    let leads = max(1, (count - 1 - supervisors) / 4)
    var names: Set<String> = []
    var emails: Set<String> = []
    var phones: Set<String> = []
    var staff: [HistoryStaff] = []
    func hire(_ role: String, team: String, reportsTo: String?, joined: CivilDate) -> String {
      var person = HistoryWords.person(&rng)
      while names.contains(person.name) { person = HistoryWords.person(&rng) }
      names.insert(person.name)
      var email = "\(person.pinyin)@huadong.example"
      var suffix = 2
      while emails.contains(email) {
        email = "\(person.pinyin)\(suffix)@huadong.example"
        suffix += 1
      }
      emails.insert(email)
      var phone = HistoryWords.mobile(&rng)
      while phones.contains(phone) { phone = HistoryWords.mobile(&rng) }
      phones.insert(phone)
      let number = String(staff.count + 1)
      let id = "S-" + String(repeating: "0", count: 4 - number.count) + number
      let pool = HistoryWords.skills[role] ?? []
      staff.append(
        HistoryStaff(
          id: id, name: person.name, role: role, team: team, reportsTo: reportsTo, email: email, phone: phone,
          joined: joined, skills: rng.distinct(rng.int(in: 1...2), of: pool)))
      return id
    }
    let manager = hire("manager", team: centre, reportsTo: nil, joined: CivilDate(year: 2018, month: 3, day: 12))
    var supervisorIDs: [String] = []
    for _ in 0..<supervisors {
      let joined = CivilDate(year: 2019, month: 7, day: 1).adding(days: rng.below(400)).skippingWeekend
      supervisorIDs.append(hire("supervisor", team: centre, reportsTo: manager, joined: joined))
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
}

extension HistoryStaff {
  /// Reads a staff record's value back (for `--append`); nil when a field it needs is missing.
  init?(id: String, value: Value) {
    guard let name = value["name"]?.text, let role = value["role"]?.text, let team = value["team"]?.text,
      let email = value["email"]?.text, let joined = value["joined"]?.text.flatMap({ CivilDate($0) })
    else { return nil }
    self.init(
      id: id, name: name, role: role, team: team, reportsTo: value["reports_to"]?.text, email: email,
      phone: value["phone"]?.text, joined: joined, status: value["status"]?.text ?? "active",
      skills: (value["skills"]?.items ?? []).compactMap(\.text))
  }
}
