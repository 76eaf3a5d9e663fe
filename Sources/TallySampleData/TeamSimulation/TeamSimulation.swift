import TallySchema

/// A deterministic simulation of the East China telesales centre (华东销售中心) from
/// 2026-05-04 to 2026-10-30: the commits its people make to their records repository, and
/// the records at the end.
///
/// Everything follows from the seed (SplitMix64; never the system generator or the clock),
/// and every record is valid against `schema/*.yaml` after every commit: required fields,
/// enum values, date rules, status transitions, reporting lines, customer owners who are
/// active sales reps or team leads.
public struct TeamSimulation: Sendable {
  public static let defaultSeed: UInt64 = 20_260_504
  /// The first and the last day of the simulation (weekdays only, holidays excepted).
  public static let firstDay = "2026-05-04"
  public static let lastDay = "2026-10-30"

  public let seed: UInt64
  /// The history, oldest first.
  public let events: [SampleEvent]
  /// Path (relative to the records root) → content of every record after the last event.
  public let finalState: [String: [UInt8]]

  public init(seed: UInt64 = TeamSimulation.defaultSeed) {
    let simulator = Simulator(seed: seed)
    simulator.run()
    self.seed = seed
    events = simulator.events
    finalState = simulator.files
  }
}

/// One team of the centre.
struct Team {
  var code: String
  var name: String
  var supervisor: String
  var lead: String
}

/// The simulation's state and its day-by-day loop. The `Simulator+*.swift` files hold what
/// each kind of person does.
final class Simulator {
  var rng: SplitMix64
  var staff: [StaffMember] = []
  var customers: [Customer] = []
  var plans: [Plan] = []
  var minutes: [Minutes] = []
  var planIndex: [String: Int] = [:]
  var minutesIndex: [String: Int] = [:]
  var teams: [Team] = []

  var events: [SampleEvent] = []
  /// The repository as of the last commit.
  var files: [String: [UInt8]] = [:]

  var today = CivilDate(year: 2026, month: 5, day: 4)
  let firstDay = CivilDate(year: 2026, month: 5, day: 4)
  let lastDay = CivilDate(year: 2026, month: 10, day: 30)
  var workingDays: [CivilDate] = []
  var hiring = Hiring()
  var usedCustomerNames: Set<String> = []
  var companyNumber: Int

  /// Customer id → the day its record was created.
  var createdOn: [String: CivilDate] = [:]
  /// Every order the simulation records: who sold it, when, how much.
  var ledger: [(day: CivilDate, rep: String, customer: String, amount: Int)] = []
  /// Staff id → customers still to import from the old spreadsheet.
  var toImport: [String: Int] = [:]

  /// The people the script needs: who leaves, who goes on leave.
  var firstLeaver = ""
  var secondLeaver = ""
  var onLeave = ""
  /// People who joined, in order.
  var newcomers: [String] = []
  /// Reps who have entered their exhibition leads.
  var exhibitionDone: Set<String> = []
  /// The duplicate customer record entered on 2026-05-20.
  var duplicate: (duplicate: Int, original: Int, rep: String)?

  init(seed: UInt64) {
    rng = SplitMix64(seed: seed)
    _ = rng.next()
    companyNumber = rng.below(Vocabulary.companyCombinations)
    var day = firstDay
    while day <= lastDay {
      if !day.isWeekend && !Self.holidays.contains(day.description) { workingDays.append(day) }
      day = day.adding(days: 1)
    }
  }

  /// Public holidays that fall on weekdays: Dragon Boat, Mid-Autumn, National Day.
  static let holidays: Set<String> = [
    "2026-06-19", "2026-09-25", "2026-10-01", "2026-10-02", "2026-10-05", "2026-10-06", "2026-10-07",
  ]

  // MARK: - The loop

  func run() {
    setUpTeam()
    for (index, day) in workingDays.enumerated() {
      today = day
      let previous = index > 0 ? workingDays[index - 1] : nil
      let next = index + 1 < workingDays.count ? workingDays[index + 1] : nil
      let firstOfWeek = previous.map { $0.dayNumber < day.dayNumber - (day.weekday - 1) } ?? true
      let firstOfMonth = previous.map { $0.month != day.month } ?? true
      let lastOfMonth = next.map { $0.month != day.month } ?? true

      var morning: [() -> Void] = []
      var daytime: [() -> Void] = []
      var evening: [() -> Void] = []
      scripted(&morning, &daytime, &evening)
      if firstOfWeek && day > firstDay {
        for team in teams { morning.append { self.weeklyMeeting(team) } }
      }
      if firstOfMonth && day.month >= 7 {
        for team in teams { daytime.append { self.markDormant(team) } }
      }
      if lastOfMonth { evening.append { self.monthlyReview() } }
      daytime += routineWork()
      evening.append { self.closeActionItems() }
      evening.append { self.updatePlans() }

      let first = events.count
      for action in morning + rng.shuffled(daytime) + evening { action() }
      stampDay(events: first..<events.count)
    }
  }

  /// Gives the day's commits times of day, in order: mostly office hours, a few at lunch
  /// or in the evening.
  func stampDay(events range: Range<Int>) {
    var minutes: Set<Int> = []
    while minutes.count < range.count {
      let window = rng.weighted([
        ((9 * 60 + 5)...(12 * 60), 40), ((13 * 60 + 30)...(18 * 60 + 30), 50),
        ((12 * 60)...(13 * 60 + 30), 5), ((18 * 60 + 30)...(20 * 60 + 45), 5),
      ])
      minutes.insert(rng.int(in: window))
    }
    for (index, minute) in zip(range, minutes.sorted()) {
      events[index].timestamp = today.timestamp(minutes: minute)
    }
  }

  /// What people do on an ordinary day: calls, new leads, complaints.
  func routineWork() -> [() -> Void] {
    var work: [() -> Void] = []
    for member in staff where member.isActive && member.joined <= today {
      switch member.role {
      case "sales_rep":
        let importing = (toImport[member.id] ?? 0) > 0
        if importing && rng.chance(55) {
          work.append { self.importCustomers(member.id) }
        } else if rng.chance(13) {
          work.append { self.salesSession(member.id) }
        }
      case "team_lead":
        if (toImport[member.id] ?? 0) > 0 && rng.chance(40) {
          work.append { self.importCustomers(member.id) }
        } else if rng.chance(7) {
          work.append { self.salesSession(member.id) }
        }
      case "cs_rep":
        if rng.chance(18) { work.append { self.serviceSession(member.id) } }
      default:
        break
      }
    }
    return work
  }

  // MARK: - Lookups

  static func number(_ id: String) -> Int {
    Int(id.dropFirst(2))!
  }

  func member(_ id: String) -> StaffMember {
    staff[Self.number(id) - 1]
  }

  func updateMember(_ id: String, _ body: (inout StaffMember) -> Void) {
    body(&staff[Self.number(id) - 1])
  }

  func team(_ code: String) -> Team {
    teams.first { $0.code == code }!
  }

  /// The team members (sales and service reps) of a team, in id order.
  func members(of code: String, roles: Set<String> = ["sales_rep", "cs_rep"], activeOnly: Bool = true)
    -> [StaffMember]
  {
    staff.filter {
      $0.teamCode == code && roles.contains($0.role) && (!activeOnly || $0.isActive) && $0.joined <= today
    }
  }

  /// The people who can own customers in a team today (active sales reps and the lead).
  func sellers(of code: String) -> [StaffMember] {
    staff.filter {
      $0.teamCode == code && ($0.role == "sales_rep" || $0.role == "team_lead") && $0.isActive
    }
  }

  func customerIndex(_ id: String) -> Int {
    Self.number(id) - 1
  }

  /// Indices of the customers a person owns.
  func owned(by id: String) -> [Int] {
    customers.indices.filter { !customers[$0].deleted && customers[$0].owner == id }
  }

  func teamCode(ofCustomer index: Int) -> String? {
    member(customers[index].owner).teamCode
  }

  func plan(_ id: String) -> Plan { plans[planIndex[id]!] }

  // MARK: - Committing

  /// Writes the records at `paths` as they are now and records a commit of the ones that
  /// changed. Nothing is recorded when nothing changed.
  func commit(_ authorID: String, _ message: String, _ paths: [String], via forced: SampleEvent.Via? = nil) {
    var changes: [SampleChange] = []
    for path in paths where !changes.contains(where: { $0.path == path }) {
      let content = render(path)
      if files[path] == content { continue }
      if let content { files[path] = content } else { files[path] = nil }
      changes.append(SampleChange(path: path, content: content))
    }
    guard !changes.isEmpty else { return }
    precondition(changes.count <= 5, "a commit touches at most five files: \(message)")
    let author = member(authorID)
    let via = forced ?? (rng.below(100) < author.tallyPercent ? .tally : .git)
    events.append(
      SampleEvent(
        timestamp: today.description, authorName: author.name, authorEmail: author.email,
        message: message, via: via, changes: changes))
  }

  /// The current text of the record at `path`, nil when it does not exist.
  func render(_ path: String) -> [UInt8]? {
    let id = String(path.split(separator: "/").last!.dropLast(5))
    switch SampleRecordType(path: path)! {
    case .staff:
      return SampleRecordType.staff.render(member(id).value)
    case .customer:
      let customer = customers[customerIndex(id)]
      return customer.deleted ? nil : SampleRecordType.customer.render(customer.value)
    case .plan:
      return SampleRecordType.plan.render(plan(id).value)
    case .minutes:
      return SampleRecordType.minutes.render(minutes[minutesIndex[id]!].value)
    }
  }

  /// The message the author would write: Chinese, English, or either.
  func say(_ authorID: String, _ chinese: String, _ english: String) -> String {
    switch member(authorID).language {
    case .chinese: chinese
    case .english: english
    case .mixed: rng.chance(50) ? chinese : english
    }
  }

  /// `C-0012、C-0031` / `C-0012, C-0031`.
  func list(_ ids: [String], chinese: Bool) -> String {
    ids.joined(separator: chinese ? "、" : ", ")
  }

  /// The day `n` working days after (or before) today.
  func workingDay(after n: Int) -> CivilDate {
    let index = workingDays.firstIndex(of: today)!
    return workingDays[min(max(index + n, 0), workingDays.count - 1)]
  }

  func quarterText(_ day: CivilDate) -> String { "\(day.year)-Q\(day.quarter)" }
}
