import TallySchema
import TallyText

/// A long history of the team's records, for benchmarks (`make bench-history`, `make
/// bench-reports`): the set-up commit (tally.yaml, the schemas, the staff), the import of
/// every customer from the old CRM in batches of 200, then working commits over two years
/// (2025-01-01 to 2026-12-31, +08:00, times increasing, on weekdays, mostly in office hours)
/// with a few deletions, re-creations, renames and layout-only commits spread over them.
///
/// Every commit leaves the records valid under the shipped schemas (see ``HistoryTeam``). The
/// authors are the staff, and the IT administrator who imports and formats the data and is
/// not on the staff. The commits are made one at a time (``next()``), so a history of 20,000
/// commits over 10,000 customers holds only the records of the moment.
public final class HistoryCorpus {
  public struct Options: Sendable {
    /// The customers imported at the start (more are never added; renames give new ids).
    public var customers: Int
    /// The commits, the set-up and the import included.
    public var commits: Int
    /// The staff, who with the IT administrator are the authors.
    public var authors: Int
    public var seed: UInt64
    /// `schema/*.yaml` as file name → content, for the set-up commit.
    public var schemaFiles: [(name: String, content: [UInt8])]

    public init(
      customers: Int, commits: Int, authors: Int, seed: UInt64, schemaFiles: [(name: String, content: [UInt8])]
    ) {
      self.customers = customers
      self.commits = commits
      self.authors = authors
      self.seed = seed
      self.schemaFiles = schemaFiles
    }
  }

  /// Why options make no history.
  public struct InvalidOptions: Error, CustomStringConvertible {
    public var description: String
  }

  enum Special {
    case delete
    case recreate
    case rename
    case reformat
  }

  public static let importBatch = 200
  static let firstDay = CivilDate(year: 2025, month: 1, day: 1)
  static let lastDay = CivilDate(year: 2026, month: 12, day: 31)
  /// The authors of a history: a manager, supervisors, team leads and sales reps.
  public static let authorRange = 4...9999

  /// The most customers a history can have: every customer has a company name of its own,
  /// and renames give new ids.
  public static var maximumCustomers: Int { Vocabulary.companyCombinations / 2 - 1 }

  /// The repository configuration, as in example-repo/tally.yaml.
  static let configuration = """
    # 华东销售中心 (East China telesales centre): the team's records.
    version: 1
    schema_dir: schema
    time_zone: Asia/Shanghai
    currency: CNY
    # Days between contacts per customer tier (the call-back report).
    follow_up_intervals:
      A: 14
      B: 30
      C: 60

    """

  let options: Options
  let team: HistoryTeam
  /// The commits' times, seconds since 1970 (UTC).
  let times: [Int]
  let importCommits: Int
  private var specials: [Int: Special] = [:]
  /// The rare commits made so far, by kind (one may fall back to a working commit when its
  /// kind finds nothing to do).
  private(set) var made: [Special: Int] = [:]
  private var index = 0
  private let ownerWeights: [(String, Int)]
  private let companyOffset: Int

  /// The number of commits the import needs: a history has at least one more (the set-up).
  public static func importCommits(customers: Int) -> Int { (customers + importBatch - 1) / importBatch }

  /// The fewest commits a history of `customers` customers can have: the set-up, the import
  /// and one working commit.
  public static func minimumCommits(customers: Int) -> Int { importCommits(customers: customers) + 2 }

  public init(_ options: Options) throws(InvalidOptions) {
    guard Self.authorRange.contains(options.authors) else {
      throw InvalidOptions(description: "a history has \(Self.authorRange) authors, not \(options.authors)")
    }
    guard (1...Self.maximumCustomers).contains(options.customers) else {
      throw InvalidOptions(
        description: "a history has 1...\(Self.maximumCustomers) customers, not \(options.customers)")
    }
    let minimum = Self.minimumCommits(customers: options.customers)
    guard options.commits >= minimum else {
      throw InvalidOptions(
        description:
          "a history of \(options.customers) customers has at least \(minimum) commits (set-up and import)")
    }
    self.options = options
    var rng = SplitMix64(seed: options.seed, index: 0x5747_AFF)
    let staff = HistoryTeam.roster(count: options.authors, rng: &rng)
    let team = HistoryTeam(
      staff: staff, rng: SplitMix64(seed: options.seed, index: 0xED17), nextNumber: options.customers + 1)
    self.team = team
    importCommits = Self.importCommits(customers: options.customers)
    times = Self.timestamps(count: options.commits, rng: &rng)
    ownerWeights = team.owners.map { ($0, team.member($0).role == "sales_rep" ? 3 : 1) }
    companyOffset = rng.below(Vocabulary.companyCombinations)

    // The rare commits, at random places among the working ones (deletions before the
    // re-creations that need them, as far as the order allows).
    let firstWorking = 1 + importCommits
    let working = options.commits - firstWorking
    let deletes = max(1, options.commits / 1000)
    var plan: [Special] = Array(repeating: .delete, count: deletes)
    plan += Array(repeating: .recreate, count: max(1, deletes / 2))
    plan += Array(repeating: .rename, count: max(1, options.commits / 2000))
    plan += Array(repeating: .reformat, count: max(2, options.commits / 1000))
    var positions: Set<Int> = []
    while positions.count < min(plan.count, working) { positions.insert(firstWorking + rng.below(working)) }
    let sorted = positions.sorted()
    // Spread each kind over the history: shuffle, then move re-creations after deletions.
    var kinds = rng.shuffled(Array(plan.prefix(sorted.count)))
    var available = 0
    for k in kinds.indices {
      if kinds[k] == .recreate, available == 0,
        let j = kinds.indices.first(where: { $0 > k && kinds[$0] == .delete })
      {
        kinds.swapAt(k, j)
      }
      if kinds[k] == .delete { available += 1 }
      if kinds[k] == .recreate { available -= 1 }
    }
    for (position, kind) in zip(sorted, kinds) { specials[position] = kind }
  }

  /// Commit times: the days from 2025-01-01 to 2026-12-31 without weekends, the commits
  /// spread evenly over them, each day's at random moments of the working day, always
  /// increasing.
  static func timestamps(count: Int, rng: inout SplitMix64) -> [Int] {
    var days: [CivilDate] = []
    var day = firstDay
    while day <= lastDay {
      if !day.isWeekend { days.append(day) }
      day = day.adding(days: 1)
    }
    var times: [Int] = []
    times.reserveCapacity(count)
    var start = 0
    while start < count {
      let dayIndex = start * days.count / count
      var end = start + 1
      while end < count && end * days.count / count == dayIndex { end += 1 }
      var seconds: [Int] = []
      for _ in start..<end {
        let window = rng.weighted([
          ((9 * 3600)...(12 * 3600), 40), ((13 * 3600 + 1800)...(18 * 3600 + 1800), 50),
          ((12 * 3600)...(13 * 3600 + 1800), 5), ((18 * 3600 + 1800)...(21 * 3600), 5),
        ])
        seconds.append(rng.int(in: window))
      }
      seconds.sort()
      for second in seconds {
        let time = HistoryTeam.midnight(of: days[dayIndex]) + second
        times.append(max(time, (times.last ?? time - 1) + 1))
      }
      start = end
    }
    return times
  }

  /// The customers in the records after the commits made so far.
  public var customerCount: Int { team.customerCount }
  /// The staff records.
  public var staffCount: Int { team.staff.count }

  /// `2 deletions, 1 re-creations, 1 renames, 2 layout-only`: the rare commits made so far.
  public var rareCommits: String {
    "\(made[.delete] ?? 0) deletions, \(made[.recreate] ?? 0) re-creations, \(made[.rename] ?? 0) renames, "
      + "\(made[.reformat] ?? 0) layout-only"
  }

  /// The next commit, or nil after the last.
  public func next() -> SampleEvent? {
    guard index < options.commits else { return nil }
    defer { index += 1 }
    let time = times[index]
    if index == 0 { return setUp(time: time) }
    if index <= importCommits { return importBatch(index, time: time) }
    if let special = specials[index] {
      let commit: SampleEvent? =
        switch special {
        case .delete: team.deleteCommit(time: time)
        case .recreate: team.recreateCommit(time: time)
        case .rename: team.renameCommit(time: time)
        case .reformat: team.reformatCommit(time: time)
        }
      if let commit {
        made[special, default: 0] += 1
        return commit
      }
    }
    return team.regularCommit(time: time)
  }

  private func setUp(time: Int) -> SampleEvent {
    var changes = [SampleChange(path: "tally.yaml", content: Array(Self.configuration.utf8))]
    for file in options.schemaFiles {
      changes.append(SampleChange(path: "schema/" + file.name, content: file.content))
    }
    for member in team.staff { changes.append(SampleChange(path: member.path, content: member.text)) }
    let manager = team.staff[0]
    return HistoryTeam.event(
      author: (manager.name, manager.email), time: time,
      message: "初始化记录仓库：配置、客户和员工档案的数据结构、\(team.staff.count)名员工的档案", changes: changes)
  }

  private func importBatch(_ batch: Int, time: Int) -> SampleEvent {
    let first = (batch - 1) * Self.importBatch + 1
    let last = min(options.customers, batch * Self.importBatch)
    var changes: [SampleChange] = []
    changes.reserveCapacity(last - first + 1)
    for number in first...last {
      let customer = HistoryTeam.importedCustomer(
        number: number, seed: options.seed, owners: ownerWeights, companyOffset: companyOffset)
      team.add(customer)
      changes.append(SampleChange(path: customer.path, content: customer.text))
    }
    let message =
      "从旧 CRM 导入客户档案（\(batch)/\(importCommits)）：\(Customer.id(number: first)) … \(Customer.id(number: last))"
    return HistoryTeam.event(author: HistoryTeam.outsider, time: time, message: message, changes: changes)
  }
}

extension HistoryCorpus {
  /// A record a history cannot be continued from.
  public struct UnreadableRecord: Error, CustomStringConvertible {
    public var description: String
  }

  /// `count` more working commits on top of the staff and customer records of a repository
  /// (`staff/…` and `customers/…` files, path → content, in any order), whatever made them:
  /// the records are read back, so the new commits continue the history validly. The commits
  /// follow `time` (the last commit's, seconds since 1970), a few minutes apart in working
  /// hours.
  public static func continuing(
    _ files: [(path: String, content: [UInt8])], after time: Int, count: Int, seed: UInt64
  ) throws(UnreadableRecord) -> [SampleEvent] {
    var staff: [StaffMember] = []
    var customers: [Customer] = []
    // In path order, so that the same records make the same commits however they are listed.
    for (path, content) in files.sorted(by: { $0.path < $1.path }) {
      guard let type = SampleRecordType(path: path), path.hasSuffix(".yaml"),
        let value = Document.parse(content, path: path).document?.value
      else { throw UnreadableRecord(description: "\(path) is not a record") }
      let id = String(path.split(separator: "/").last!.dropLast(5))
      switch type {
      case .staff:
        guard var member = StaffMember(id: id, value: value) else {
          throw UnreadableRecord(description: "\(path): a staff record without name, role, team, email or joined")
        }
        member.language = HistoryTeam.language(of: id)
        staff.append(member)
      case .customer:
        guard let customer = Customer(id: id, value: value) else {
          throw UnreadableRecord(description: "\(path): a customer record without a field the history needs")
        }
        customers.append(customer)
      case .plan, .minutes:
        continue
      }
    }
    let largest = customers.compactMap { Int($0.id.dropFirst(2)) }.max() ?? 0
    let team = HistoryTeam(staff: staff, rng: SplitMix64(seed: seed, index: 0xA99E), nextNumber: largest + 1)
    guard !team.owners.isEmpty, !customers.isEmpty else {
      throw UnreadableRecord(description: "no customers, or no one who can own them")
    }
    for customer in customers { team.add(customer) }
    var rng = SplitMix64(seed: seed, index: 0x71AE)
    var time = time
    var events: [SampleEvent] = []
    for _ in 0..<count {
      time = nextWorkingMoment(after: time, rng: &rng)
      events.append(team.regularCommit(time: time))
    }
    return events
  }

  /// A few minutes after `time`, moved to 09:00–12:00 of the next weekday after 21:00.
  static func nextWorkingMoment(after time: Int, rng: inout SplitMix64) -> Int {
    let next = time + rng.int(in: 120...1800)
    let day = HistoryTeam.day(of: next)
    let sinceMidnight = next - HistoryTeam.midnight(of: day)
    if !day.isWeekend && sinceMidnight < 21 * 3600 && sinceMidnight >= 9 * 3600 { return next }
    var morning = day.adding(days: sinceMidnight >= 9 * 3600 ? 1 : 0)
    while morning.isWeekend { morning = morning.adding(days: 1) }
    return max(time + 1, HistoryTeam.midnight(of: morning) + 9 * 3600 + rng.below(3 * 3600))
  }
}
