import TallyHistory
import TallySchema
import TallyText

/// `roster`: the organisation at a day — who reports to whom (manager → supervisors → team
/// leads → reps), headcount by role and by team — and, month by month over the period, who
/// joined, who left and the turnover rate.
///
/// The tree is read from the staff records as they stood at the end of `context.at`; the
/// movement from the joined and left dates of every staff record (at the report's commit,
/// plus any removed since the period's end).
public enum RosterReport: ReportDefinition {
  public static let name = "roster"
  public static let summary =
    "the organisation tree at a day (--at), headcount by role and team; joins, leaves and turnover per month of --period"
  public static let usesPeriod = false

  /// One staff record, as the roster reads it.
  struct Person {
    var id: String
    var name: String
    var role: String
    var team: String
    var reportsTo: String?
    var joined: CivilDate?
    var left: CivilDate?
    var status: String

    init(id: String, value: EncodedValue, fallbackName: String) {
      self.id = id
      name = value.string("name") ?? fallbackName
      role = value.string("role") ?? ""
      team = value.string("team") ?? ""
      reportsTo = value.string("reports_to")
      joined = value.date("joined")
      left = value.date("left")
      status = value.string("status") ?? "active"
    }

    /// On the roster at the end of `day`: joined by then, not left by then (a person whose
    /// left date is the day is gone that day), and not marked as left.
    func isOnRoster(at day: CivilDate) -> Bool {
      if let joined, joined > day { return false }
      if let left, left <= day { return false }
      return status != "left"
    }

    /// Counted in the headcount at the end of `day`, by the dates alone (for the movement
    /// over months, so that end = start + joins − leaves). A person marked as left without
    /// a left date is never counted.
    func isCounted(at day: CivilDate) -> Bool {
      if let joined, joined > day { return false }
      if let left { return left > day }
      return status != "left"
    }
  }

  public static func compute(_ context: ReportContext) throws -> Report {
    let w = context.language
    let at = context.at
    let roles = context.enumLabels("staff", "role")
    let statuses = context.enumLabels("staff", "status")
    let roleOrder = roles.values

    let snapshot = try context.records("staff", at: at)
    var everyone: [String: Person] = [:]
    for id in snapshot.ids {
      guard let value = snapshot[id] else { continue }
      everyone[id] = Person(id: id, value: value, fallbackName: context.name("staff", id))
    }
    let present = select(everyone.values.filter { $0.isOnRoster(at: at) }, context: context, all: everyone)

    // The tree: each person under their boss; people whose boss is not shown are roots.
    // Siblings by role, then team in natural order (华东一组 before 华东二组), then id.
    func precedes(_ a: Person, _ b: Person) -> Bool {
      let (roleA, roleB) = (
        roleOrder.firstIndex(of: a.role) ?? roleOrder.count, roleOrder.firstIndex(of: b.role) ?? roleOrder.count
      )
      if roleA != roleB { return roleA < roleB }
      if a.team != b.team { return NaturalOrder.precedes(a.team, b.team) }
      return a.id < b.id
    }
    var children: [String: [Person]] = [:]
    var roots: [Person] = []
    for person in present.values {
      if let boss = person.reportsTo, present[boss] != nil, boss != person.id {
        children[boss, default: []].append(person)
      } else {
        roots.append(person)
      }
    }
    roots.sort(by: precedes)
    var tree = ReportTable(columns: [
      .init("name", w("Name", "姓名")), .init("id", w("ID", "编号")), .init("role", w("Role", "职位")),
      .init("team", w("Team", "团队")),
      .init("joined", w("Joined", "入职日期")), .init("status", w("Status", "状态")),
    ])
    var teams: [String] = []
    var visited = Set<String>()
    func add(_ person: Person, level: Int) {
      guard visited.insert(person.id).inserted else { return }
      // U+3000 (an ideographic space) indents: two columns wide like the names, and kept
      // by HTML and Markdown, which collapse ordinary spaces.
      let indent = level == 0 ? "" : String(repeating: "\u{3000}", count: level - 1) + "└ "
      tree.rows.append([
        .text(indent + person.name), .text(person.id), .text(roles.label(person.role)), .text(person.team),
        person.joined.map(Cell.date) ?? .empty, .text(statuses.label(person.status)),
      ])
      if !teams.contains(person.team) { teams.append(person.team) }
      for child in (children[person.id] ?? []).sorted(by: precedes) { add(child, level: level + 1) }
    }
    for root in roots { add(root, level: 0) }

    // Before the history begins nobody is known to have been on staff: not "0 on staff".
    let known = context.isKnown(atEndOf: at)
    var treeNotes: [String] = []
    var unknowns: [String] = []
    let onLeave = present.values.filter { $0.status == "on_leave" }.count
    if known {
      let leave = statuses.label("on_leave")
      treeNotes.append(
        w(
          "\(present.count) on staff at the end of \(at)" + (onLeave > 0 ? " (\(onLeave) \(leave))" : "")
            + "; people whose left date is on or before \(at), or marked as left, are not listed",
          "\(at) 日终在职 \(present.count) 人" + (onLeave > 0 ? "（\(leave) \(onLeave) 人）" : "")
            + "；离职日期在 \(at) 或之前、或标记为离职的人员不列出"))
    } else {
      tree.known = false
      unknowns.append(context.notKnown(w("who was on staff at the end of \(at)", "\(at) 日终的在职人员")))
    }
    if known && context.team == nil && context.owner == nil {
      let detached = roots.filter { $0.reportsTo != nil }.map { person in
        w(
          "\(person.name) (\(person.id)) reports to \(person.reportsTo!), who is not on staff at \(at)",
          "\(person.name)（\(person.id)）的上级 \(person.reportsTo!) 在 \(at) 不在职")
      }
      treeNotes += detached
    }

    var byRole = ReportTable(columns: [
      .init("role", w("Role", "职位")), .init("people", w("People", "人数"), numeric: true),
    ])
    let extraRoles = Set(present.values.map(\.role)).subtracting(roleOrder).sorted()
    for role in roleOrder + extraRoles {
      byRole.rows.append([
        .text(roles.label(role)), known ? .int(present.values.filter { $0.role == role }.count) : .unknown,
      ])
    }

    let shownRoles = roleOrder + extraRoles
    var byTeam = ReportTable(
      columns: [.init("team", w("Team", "团队")), .init("people", w("People", "人数"), numeric: true)]
        + shownRoles.map { .init($0, roles.label($0), numeric: true) })
    // Teams by the highest role in them (the manager's first), then in natural order
    // (华东一组, 华东二组, 华东三组, 华东四组), whoever their supervisors are.
    var topRole: [String: Int] = [:]
    for person in present.values {
      let rank = roleOrder.firstIndex(of: person.role) ?? roleOrder.count
      topRole[person.team] = min(topRole[person.team] ?? rank, rank)
    }
    let orderedTeams = teams.sorted { a, b in
      topRole[a] != topRole[b] ? topRole[a, default: 0] < topRole[b, default: 0] : NaturalOrder.precedes(a, b)
    }
    for team in orderedTeams {
      let members = present.values.filter { $0.team == team }
      byTeam.rows.append(
        [.text(team), .int(members.count)] + shownRoles.map { role in .int(members.filter { $0.role == role }.count) })
    }

    byTeam.known = known
    var sections = [
      ReportSection(
        key: "tree", title: w("Organisation at \(at)", "\(at) 组织架构"), table: tree, notes: treeNotes, unknowns: unknowns),
      ReportSection(key: "by_role", title: w("Headcount by role", "各职位人数"), table: byRole, unknowns: unknowns),
      ReportSection(key: "by_team", title: w("Headcount by team", "各团队人数"), table: byTeam, unknowns: unknowns),
    ]
    var scope = at.description
    if let period = context.period {
      sections += try movement(context, period: period, roles: roles)
      scope += w("; movement \(period.label)", "；人员变动 \(period.label)")
    }
    let suffix = [context.team, context.owner.map { context.name("staff", $0) }].compactMap { $0 }
    return Report(
      name: name,
      title: w("Roster \(at)", "人员名册 \(at)") + (suffix.isEmpty ? "" : " (\(suffix.joined(separator: ", ")))"),
      commit: context.commit.hex, commitDate: context.commitDate, scope: scope, sections: sections,
      language: context.language)
  }

  /// Joins, leaves and turnover for each month of the period (cut to the period), and the
  /// people who joined or left.
  static func movement(_ context: ReportContext, period: Period, roles: EnumLabels) throws -> [ReportSection] {
    let w = context.language
    var everyone: [String: Person] = [:]
    let atEnd = try context.records("staff", at: period.end)
    for id in atEnd.ids {
      everyone[id] = Person(id: id, value: atEnd[id]!, fallbackName: context.name("staff", id))
    }
    let current = try context.current("staff")
    for id in current.ids {
      everyone[id] = Person(id: id, value: current[id]!, fallbackName: context.name("staff", id))
    }
    let people = select(Array(everyone.values), context: context, all: everyone).values.sorted { $0.id < $1.id }

    var table = ReportTable(columns: [
      .init("month", w("Month", "月份")), .init("start", w("Headcount at start", "期初人数"), numeric: true),
      .init("joins", w("Joins", "入职"), numeric: true), .init("leaves", w("Leaves", "离职"), numeric: true),
      .init("end", w("Headcount at end", "期末人数"), numeric: true),
      .init("turnover", w("Turnover", "离职率"), numeric: true),
    ])
    for month in period.months {
      let first = CivilDate(month + "-01")!
      let from = max(first, period.start)
      let to = min(Period.monthEnd(first.year, first.month), period.end)
      let before = CivilDate(dayNumber: from.dayNumber - 1)
      let start = people.filter { $0.isCounted(at: before) }.count
      let end = people.filter { $0.isCounted(at: to) }.count
      let joins = people.filter { $0.joined.map { $0 >= from && $0 <= to } ?? false }.count
      let leaves = people.filter { $0.left.map { $0 >= from && $0 <= to } ?? false }.count
      table.rows.append([
        .text(month), .int(start), .int(joins), .int(leaves), .int(end),
        .percent(turnover(leaves: leaves, start: start, end: end)),
      ])
    }
    let before = CivilDate(dayNumber: period.start.dayNumber - 1)
    let start = people.filter { $0.isCounted(at: before) }.count
    let end = people.filter { $0.isCounted(at: period.end) }.count
    let leaves = people.filter { $0.left.map(period.contains) ?? false }.count
    let overall = Cell.percent(turnover(leaves: leaves, start: start, end: end)).text
    let notes = [
      w(
        "headcount at start: on staff at the end of the day before the month (or the period) begins; at end: on its last day",
        "期初人数：该月（或期间）开始前一天日终在职的人数；期末人数：最后一天在职的人数"),
      w(
        "turnover = leaves ÷ ((headcount at start + headcount at end) ÷ 2); someone whose left date is in the month counts as a leave",
        "离职率 = 离职人数 ÷ ((期初人数 + 期末人数) ÷ 2)；离职日期在该月内的人员计为离职"),
      w(
        "over \(period.label): headcount \(start) → \(end), leaves \(leaves), turnover \(overall)",
        "\(period.label) 合计：人数 \(start) → \(end)，离职 \(leaves) 人，离职率 \(overall)"),
    ]

    var changes = ReportTable(columns: [
      .init("date", w("Date", "日期")), .init("event", w("Event", "事件")), .init("name", w("Name", "姓名")),
      .init("id", w("ID", "编号")),
      .init("role", w("Role", "职位")), .init("team", w("Team", "团队")),
    ])
    var events: [(CivilDate, Int, Person)] = []
    for person in people {
      if let joined = person.joined, period.contains(joined) { events.append((joined, 0, person)) }
      if let left = person.left, period.contains(left) { events.append((left, 1, person)) }
    }
    events.sort { ($0.0, $0.1, $0.2.id) < ($1.0, $1.1, $1.2.id) }
    for (day, kind, person) in events {
      changes.rows.append([
        .date(day), .text(kind == 0 ? w("joined", "入职") : w("left", "离职")), .text(person.name), .text(person.id),
        .text(roles.label(person.role)), .text(person.team),
      ])
    }
    return [
      ReportSection(
        key: "movement", title: w("Joins, leaves and turnover \(period.label)", "入职、离职与离职率 \(period.label)"),
        table: table, notes: notes),
      ReportSection(
        key: "joined_left", title: w("Who joined and left \(period.label)", "入职与离职人员 \(period.label)"), table: changes),
    ]
  }

  /// Leaves over the average of the headcount at the start and the end; nil when both are 0.
  static func turnover(leaves: Int, start: Int, end: Int) -> Double? {
    start + end == 0 ? nil : Double(leaves) * 2 / Double(start + end)
  }

  /// The people the filters keep: `--team` by their team, `--owner` the person and everyone
  /// who reports to them, directly or not (followed through `all`).
  static func select(_ people: [Person], context: ReportContext, all: [String: Person]) -> [String: Person] {
    var result: [String: Person] = [:]
    for person in people {
      if let team = context.team, person.team != team { continue }
      if let owner = context.owner {
        var cursor: String? = person.id
        var seen = Set<String>()
        while let id = cursor, id != owner, seen.insert(id).inserted { cursor = all[id]?.reportsTo }
        if cursor != owner { continue }
      }
      result[person.id] = person
    }
    return result
  }
}
