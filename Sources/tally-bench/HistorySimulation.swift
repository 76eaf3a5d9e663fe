import TallySampleData
import TallySchema

/// The commits of a generated history, in order: the set-up commit (tally.yaml, the schemas,
/// the staff), the import of every customer in batches of 200, then working commits over two
/// years (2025-01-01 to 2026-12-31, +08:00, times increasing, on weekdays, mostly in office
/// hours) with a few deletions, re-creations, renames and layout-only commits spread over
/// them.
final class HistorySimulation {
  struct Options {
    var customers: Int
    var commits: Int
    var authors: Int
    var seed: UInt64
    /// `schema/*.yaml` as file name → content.
    var schemaFiles: [(name: String, content: [UInt8])]
  }

  enum Special {
    case delete
    case recreate
    case rename
    case reformat
  }

  static let importBatch = 200
  static let firstDay = CivilDate(year: 2025, month: 1, day: 1)
  static let lastDay = CivilDate(year: 2026, month: 12, day: 31)

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
  let times: [Int]
  let importCommits: Int
  private var specials: [Int: Special] = [:]
  /// The rare commits made so far, by kind (one may fall back to a working commit when its
  /// kind finds nothing to do).
  private(set) var made: [Special: Int] = [:]
  private var index = 0
  private let ownerWeights: [(String, Int)]
  private let companyOffset: Int

  /// The number of commits the import needs: the smallest history is one more.
  static func importCommits(customers: Int) -> Int { (customers + importBatch - 1) / importBatch }

  init(options: Options) {
    self.options = options
    var rng = SplitMix64(seed: options.seed, index: 0x5747_AFF)
    let staff = HistoryStaff.roster(count: options.authors, rng: &rng)
    let team = HistoryTeam(
      staff: staff, rng: SplitMix64(seed: options.seed, index: 0xED17), nextNumber: options.customers + 1)
    self.team = team
    importCommits = Self.importCommits(customers: options.customers)
    times = Self.timestamps(count: options.commits, rng: &rng)
    ownerWeights = team.owners.map { ($0, team.member($0).role == "sales_rep" ? 3 : 1) }
    companyOffset = rng.below(HistoryWords.companyCount)

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
    var kinds = plan.prefix(sorted.count).map { $0 }
    for i in stride(from: kinds.count - 1, to: 0, by: -1) { kinds.swapAt(i, rng.below(i + 1)) }
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
        let time = days[dayIndex].midnight + second
        times.append(max(time, (times.last ?? time - 1) + 1))
      }
      start = end
    }
    return times
  }

  /// `2 deletions, 1 re-creation, 1 rename, 2 layout-only`.
  var rareCommits: String {
    "\(made[.delete] ?? 0) deletions, \(made[.recreate] ?? 0) re-creations, \(made[.rename] ?? 0) renames, "
      + "\(made[.reformat] ?? 0) layout-only"
  }

  /// The next commit, or nil after the last.
  func next() -> HistoryCommit? {
    guard index < options.commits else { return nil }
    defer { index += 1 }
    let time = times[index]
    if index == 0 { return setUp(time: time) }
    if index <= importCommits { return importBatch(index, time: time) }
    if let special = specials[index] {
      let commit: HistoryCommit? =
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

  private func setUp(time: Int) -> HistoryCommit {
    var changes = [HistoryCommit.FileChange(path: "tally.yaml", content: Array(Self.configuration.utf8))]
    for file in options.schemaFiles {
      changes.append(HistoryCommit.FileChange(path: "schema/" + file.name, content: file.content))
    }
    for member in team.staff { changes.append(HistoryCommit.FileChange(path: member.path, content: member.text)) }
    let manager = team.staff[0]
    return HistoryCommit(
      author: manager.author, time: time,
      message: "初始化记录仓库：配置、客户和员工档案的数据结构、\(team.staff.count)名员工的档案", changes: changes)
  }

  private func importBatch(_ batch: Int, time: Int) -> HistoryCommit {
    let first = (batch - 1) * Self.importBatch + 1
    let last = min(options.customers, batch * Self.importBatch)
    var changes: [HistoryCommit.FileChange] = []
    changes.reserveCapacity(last - first + 1)
    for number in first...last {
      let customer = HistoryTeam.importedCustomer(
        number: number, seed: options.seed, owners: ownerWeights, companyOffset: companyOffset)
      team.add(customer)
      changes.append(HistoryCommit.FileChange(path: customer.path, content: customer.text))
    }
    let message =
      "从旧 CRM 导入客户档案（\(batch)/\(importCommits)）：\(HistoryCustomer.id(first)) … \(HistoryCustomer.id(last))"
    return HistoryCommit(author: team.outsider, time: time, message: message, changes: changes)
  }
}
