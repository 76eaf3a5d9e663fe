import TallySchema

/// Staff records: the team at the start, people joining, leaving and going on leave,
/// trainings and quarterly reviews.
extension Simulator {
  static let pastTrainings: [(topic: String, hours: String)] = [
    ("新员工入职培训", "16"), ("电话销售技巧", "8"), ("新产品培训：智能客服系统", "4"),
    ("客户投诉处理规范", "3"), ("大客户谈判技巧", "6"), ("信息安全与合规", "2"), ("CRM 系统操作", "2.5"),
  ]

  /// The forge logins and private addresses a few people commit with besides their work
  /// e-mail, by name (people of the default seed): what tally's policy maps to them. Taken
  /// from no random numbers, so the rest of the simulation is the same with or without them.
  static let gitIdentities: [String: [String]] = [
    "何杰": ["hejie", "jie.he@mail.example"],
    "黄少华": ["huangsh"],
    "潘洋": ["pany"],
    "梁嘉欣": ["liangjx", "jiaxin.liang@mail.example"],
    "谢国栋": ["xiegd"],
    "张超": ["zhangchao-cs"],
  ]

  // MARK: - The team at the start

  func setUpTeam() {
    teams = [
      Team(code: "east1", name: "华东一组", supervisor: "S-0002", lead: "S-0004"),
      Team(code: "east2", name: "华东二组", supervisor: "S-0002", lead: "S-0005"),
      Team(code: "east3", name: "华东三组", supervisor: "S-0003", lead: "S-0006"),
      Team(code: "east4", name: "华东四组", supervisor: "S-0003", lead: "S-0007"),
    ]
    hire(
      "manager", team: Vocabulary.centre, code: nil, reportsTo: nil, joined: CivilDate(year: 2018, month: 3, day: 12))
    hire(
      "supervisor", team: Vocabulary.centre, code: nil, reportsTo: "S-0001",
      joined: CivilDate(year: 2019, month: 7, day: 1))
    hire(
      "supervisor", team: Vocabulary.centre, code: nil, reportsTo: "S-0001",
      joined: CivilDate(year: 2020, month: 2, day: 17))
    staff[0].language = .chinese
    for team in teams {
      hire(
        "team_lead", team: team.name, code: team.code, reportsTo: team.supervisor,
        joined: CivilDate(year: 2020, month: 3, day: 2).adding(days: rng.below(1100)).skippingWeekend)
    }
    let sizes = ["east1": 5, "east2": 6, "east3": 5, "east4": 5]
    for team in teams {
      for _ in 0..<sizes[team.code]! {
        hire(
          "sales_rep", team: team.name, code: team.code, reportsTo: team.lead,
          joined: CivilDate(year: 2021, month: 9, day: 1).adding(days: rng.below(1640)).skippingWeekend)
      }
      hire(
        "cs_rep", team: team.name, code: team.code, reportsTo: team.lead,
        joined: CivilDate(year: 2022, month: 3, day: 1).adding(days: rng.below(1300)).skippingWeekend)
    }
    firstLeaver = members(of: "east1", roles: ["sales_rep"])[1].id
    secondLeaver = members(of: "east3", roles: ["sales_rep"])[3].id
    onLeave = members(of: "east4", roles: ["sales_rep"])[2].id
    for member in staff where member.role == "sales_rep" { toImport[member.id] = rng.int(in: 2...5) }
    for team in teams { toImport[team.lead] = 2 }
  }

  /// Adds a person to `staff` (not yet committed) and returns their id.
  @discardableResult
  func hire(_ role: String, team: String, code: String?, reportsTo: String?, joined: CivilDate) -> String {
    var member = hiring.newMember(
      number: staff.count + 1, role: role, team: team, reportsTo: reportsTo, joined: joined, rng: &rng)
    member.teamCode = code
    member.language = rng.weighted([(.chinese, 60), (.english, 25), (.mixed, 15)])
    member.tallyPercent = rng.int(in: 15...85)
    member.gitIdentities = Self.gitIdentities[member.name] ?? []
    // What the record already held before the simulation starts.
    if joined < firstDay {
      var dates: [CivilDate] = []
      for _ in 0..<rng.int(in: 0...2) {
        let from = max(joined, CivilDate(year: 2025, month: 1, day: 6))
        let span = max(1, CivilDate(year: 2026, month: 4, day: 24).dayNumber - from.dayNumber)
        dates.append(from.adding(days: rng.below(span)).skippingWeekend)
      }
      for (date, course) in zip(dates.sorted(), rng.distinct(dates.count, of: Self.pastTrainings)) {
        member.trainings.append(
          StaffMember.Training(
            date: date, topic: course.topic, hours: course.hours,
            result: rng.weighted([("passed", 50), ("attended", 35), ("failed", 5), (nil, 10)])))
      }
      if role != "manager" {
        if joined < CivilDate(year: 2025, month: 10, day: 1) && rng.chance(60) {
          member.reviews.append(review(for: member, period: "2025-Q4", revenue: nil))
        }
        if joined < CivilDate(year: 2026, month: 1, day: 1) {
          member.reviews.append(review(for: member, period: "2026-Q1", revenue: nil))
        }
      }
    } else {
      member.trainings.append(
        StaffMember.Training(date: joined, topic: "新员工入职培训", hours: "16", result: "attended"))
    }
    staff.append(member)
    return member.id
  }

  /// A quarterly review; `revenue` (in fen) is what a sales rep sold in the quarter.
  func review(for member: StaffMember, period: String, revenue: Int?) -> StaffMember.Review {
    var scores: [Int] = []
    func score() -> Int {
      let s = min(100, max(40, rng.int(in: 62...98) - (rng.chance(10) ? 15 : 0)))
      scores.append(s)
      return s
    }
    var review = StaffMember.Review(period: period, rating: "B")
    switch member.role {
    case "sales_rep":
      review.planScore = score()
      review.customerFeedback = score()
      review.teamwork = score()
    case "cs_rep":
      review.customerFeedback = score()
      review.serviceQuality = score()
      review.teamwork = score()
    default:
      review.planScore = score()
      review.teamwork = score()
    }
    let average = scores.reduce(0, +) / scores.count
    review.rating =
      average >= 92 ? "S" : average >= 85 ? "A" : average >= 75 ? "B" : average >= 65 ? "C" : "D"
    let base = ["S": 5000, "A": 3200, "B": 1800, "C": 800, "D": 0][review.rating]!
    if base > 0 { review.bonus = (base + rng.below(6) * 100) * 100 }
    if member.role == "sales_rep" {
      let sold = revenue ?? rng.int(in: 40...300) * 100_000
      if sold > 0 { review.commission = sold * 3 / 100 }
    }
    return review
  }

  /// The manager's first commits: the initial team, at most five records at a time.
  func commitInitialTeam() {
    let manager = "S-0001"
    commit(
      manager, say(manager, "初始化员工档案：经理和两位主管", "Set up staff records: manager and supervisors"),
      ["S-0001", "S-0002", "S-0003"].map { member($0).path })
    commit(
      manager, say(manager, "添加四个组的组长", "Add the four team leads"), teams.map { member($0.lead).path })
    for team in teams {
      let people = members(of: team.code)
      let parts =
        people.count > 5
        ? [Array(people.prefix((people.count + 1) / 2)), Array(people.dropFirst((people.count + 1) / 2))] : [people]
      for (index, part) in parts.enumerated() {
        let count = parts.count > 1 ? "（\(index + 1)/\(parts.count)）" : ""
        let countEnglish = parts.count > 1 ? " (\(index + 1)/\(parts.count))" : ""
        commit(
          manager, say(manager, "添加\(team.name)成员\(count)", "Add \(team.code) team members\(countEnglish)"),
          part.map(\.path))
      }
    }
  }

  // MARK: - Joining, leaving, leave

  /// A new person starts: the manager adds the record.
  func join(_ role: String, teamCode code: String) {
    let team = team(code)
    let id = hire(role, team: team.name, code: code, reportsTo: team.lead, joined: today)
    let name = member(id).name
    commit(
      "S-0001", say("S-0001", "新员工入职：\(name)（\(team.name)）", "New hire: \(name) joins \(code)"),
      [member(id).path])
  }

  /// The leaving person's customers go to their teammates, a batch at a time; on the last
  /// batch the manager marks them as left (their customers are all reassigned by then).
  func handOver(_ leaverID: String, final: Bool) {
    let leaver = member(leaverID)
    let code = leaver.teamCode!
    let lead = team(code).lead
    var customersLeft = owned(by: leaverID)
    let takers = sellers(of: code).filter { $0.id != leaverID }
    if !final { customersLeft = Array(customersLeft.prefix((customersLeft.count + 1) / 2)) }
    var batch: [Int] = []
    func flush() {
      guard !batch.isEmpty else { return }
      let ids = batch.map { customers[$0].id }
      commit(
        lead,
        say(
          lead, "\(leaver.name)离职交接：\(list(ids, chinese: true)) 转给组内同事",
          "Handover from \(leaver.name): reassign \(list(ids, chinese: false))"),
        batch.map { customers[$0].path })
      batch = []
    }
    for index in customersLeft {
      let taker = takers.min { owned(by: $0.id).count < owned(by: $1.id).count }!
      customers[index].owner = taker.id
      batch.append(index)
      if batch.count == 5 { flush() }
    }
    flush()
    guard final else { return }
    // Open action items of the leaver are cancelled by the lead.
    var touched: [String] = []
    for m in minutes.indices {
      for a in minutes[m].actionItems.indices
      where minutes[m].actionItems[a].owner == leaverID && minutes[m].actionItems[a].status == "open" {
        minutes[m].actionItems[a].status = "cancelled"
        if !touched.contains(minutes[m].path) { touched.append(minutes[m].path) }
      }
    }
    for chunk in stride(from: 0, to: touched.count, by: 5) {
      commit(
        lead, say(lead, "取消\(leaver.name)未完成的待办", "Cancel open action items of \(leaver.name)"),
        Array(touched[chunk..<min(chunk + 5, touched.count)]))
    }
    updateMember(leaverID) {
      $0.status = "left"
      $0.left = today
    }
    commit(
      "S-0001", say("S-0001", "\(leaver.name)离职，更新员工档案", "\(leaver.name) has left"), [leaver.path])
    reassignPlanWork(from: leaverID, to: takers.first { $0.role == "sales_rep" }?.id ?? lead)
  }

  func startLeave(_ id: String) {
    updateMember(id) { $0.status = "on_leave" }
    let name = member(id).name
    commit("S-0001", say("S-0001", "\(name)休假，状态改为休假", "\(name) is on leave"), [member(id).path])
  }

  func endLeave(_ id: String) {
    updateMember(id) { $0.status = "active" }
    let name = member(id).name
    commit("S-0001", say("S-0001", "\(name)休假结束，恢复在职", "\(name) is back from leave"), [member(id).path])
  }

  // MARK: - Reviews and trainings

  /// Quarterly reviews: leads review their team, supervisors their leads, the manager the
  /// supervisors; five records a commit.
  func writeReviews(period: String, reviewer: String) {
    let subjects: [StaffMember]
    if reviewer == "S-0001" {
      subjects = staff.filter { $0.role == "supervisor" && $0.isActive }
    } else if member(reviewer).role == "supervisor" {
      subjects = teams.filter { $0.supervisor == reviewer }.map { member($0.lead) }
    } else {
      let code = member(reviewer).teamCode!
      subjects = staff.filter {
        $0.teamCode == code && $0.role != "team_lead" && $0.status != "left"
          && $0.joined < CivilDate(year: 2026, month: 9, day: 1)
      }
    }
    let quarterStart =
      period.hasSuffix("Q2") ? CivilDate(year: 2026, month: 4, day: 1) : CivilDate(year: 2026, month: 7, day: 1)
    let quarterEnd =
      period.hasSuffix("Q2") ? CivilDate(year: 2026, month: 6, day: 30) : CivilDate(year: 2026, month: 9, day: 30)
    var paths: [String] = []
    for subject in subjects where subject.joined < quarterEnd.adding(days: -30) {
      guard !subject.reviews.contains(where: { $0.period == period }) else { continue }
      let sold = ledger.filter { $0.rep == subject.id && $0.day >= quarterStart && $0.day <= quarterEnd }
        .reduce(0) { $0 + $1.amount }
      let review = review(for: subject, period: period, revenue: subject.role == "sales_rep" ? sold : nil)
      updateMember(subject.id) { $0.reviews.append(review) }
      paths.append(subject.path)
    }
    let chunks = stride(from: 0, to: paths.count, by: 5).map { Array(paths[$0..<min($0 + 5, paths.count)]) }
    for (index, chunk) in chunks.enumerated() {
      let part = chunks.count > 1 ? "（\(index + 1)/\(chunks.count)）" : ""
      let partEnglish = chunks.count > 1 ? " (\(index + 1)/\(chunks.count))" : ""
      commit(
        reviewer, say(reviewer, "\(period) 绩效考核\(part)", "\(period) performance reviews\(partEnglish)"), chunk)
    }
  }

  /// Adds a training to the records of the people who attended, five records a commit.
  func recordTraining(_ minutesID: String, topic: String, hours: String, by author: String, people: [String]) {
    var paths: [String] = []
    for id in people where member(id).status != "left" {
      let result = rng.weighted([("passed", 75), ("attended", 20), ("failed", 5)])
      let date = minutes[minutesIndex[minutesID]!].date
      updateMember(id) {
        $0.trainings.append(StaffMember.Training(date: date, topic: topic, hours: hours, result: result))
        if result == "passed", $0.role != "cs_rep", !$0.skills.contains("智能客服系统2.0"),
          topic.contains("2.0")
        {
          $0.skills.append("智能客服系统2.0")
        }
      }
      paths.append(member(id).path)
    }
    for chunk in stride(from: 0, to: paths.count, by: 5) {
      commit(
        author, say(author, "登记培训记录：\(topic)", "Record training: \(topic)"),
        Array(paths[chunk..<min(chunk + 5, paths.count)]))
    }
  }
}
