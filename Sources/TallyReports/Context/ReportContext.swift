import Foundation
import TallyHistory
import TallyRecords
import TallySchema
import TallyText

/// The records of one type in a snapshot, by id, with their values (read in place: only the
/// fields a report reads are decoded).
public struct RecordSet: Sendable {
  public var records: [String: EncodedValue] = [:]

  public init(records: [String: EncodedValue] = [:]) { self.records = records }

  /// Ids in order: sorted each time (a second at a million records), so a report that
  /// sorts what it finds, or only counts, reads ``records`` instead.
  public var ids: [String] { records.keys.sorted() }
  public subscript(id: String) -> EncodedValue? { records[id] }
  public var count: Int { records.count }
}

/// What reports read from a record's value, the same way whether it is decoded (``Value``,
/// from the history) or read in place (``EncodedValue``, from the records as of a day).
public protocol RecordFields {
  /// The value of a top-level key of a mapping.
  subscript(key: String) -> Self? { get }
  /// The scalar's text (nil for anything else).
  var text: String? { get }
  /// A list's items (nil for anything else).
  var items: [Self]? { get }
}

extension Value: RecordFields {}
extension EncodedValue: RecordFields {}

extension RecordFields {
  /// The text of a top-level scalar field (nil when absent or null).
  public func string(_ key: String) -> String? { self[key]?.text }

  /// A date field.
  public func date(_ key: String) -> CivilDate? { string(key).flatMap(CivilDate.init) }

  /// A number field as an exact decimal.
  public func decimal(_ key: String) -> ExactDecimal? { string(key).flatMap(ExactDecimal.init) }

  /// The items of a list field (empty when absent).
  public func items(_ key: String) -> [Self] { self[key]?.items ?? [] }

  /// The texts of a list of scalars.
  public func strings(_ key: String) -> [String] { items(key).compactMap(\.text) }
}

/// What a report is computed from: the records at the report's commit, their history
/// (first-parent, as data), snapshots as of any day, and the options given.
public final class ReportContext: @unchecked Sendable {
  public let records: RecordsRepository
  public let history: History
  public let text: ChangeText
  /// The commit the report is computed at, and its history (oldest first).
  public let commit: CommitID
  public let commits: [CommitChanges]
  /// The same commits with their days: what "as of a day" means (see ``Timeline``).
  public let timeline: Timeline
  public let today: CivilDate
  /// Options: the period (nil when the report is "at" a day), the day for point-in-time
  /// reports, and filters.
  public var period: Period?
  public var at: CivilDate
  public var team: String?
  public var owner: String?
  /// For reports with a "not updated / not contacted in N days" threshold.
  public var days: Int?
  /// The language reports computed from this context are written in (keys stay the same).
  public var language: ReportLanguage = .en

  private var snapshotCache: [CommitID: [String: RecordSet]] = [:]
  private let lock = NSLock()
  /// Commit days (repository time zone), parallel to `commits`.
  public var commitDays: [CivilDate] { timeline.days }

  /// A context for reports at `commit`, whose first-parent history is `commits`.
  public init(history: History, text: ChangeText, commit: CommitID, commits: [CommitChanges], today: CivilDate) {
    self.records = history.records
    self.history = history
    self.text = text
    self.commit = commit
    self.commits = commits
    self.timeline = Timeline(commits, text: text)
    self.today = today
    self.at = today
  }

  /// The commit in force at the end of `day` (nil before the history starts), as
  /// ``Timeline`` defines it.
  public func commit(atEndOf day: CivilDate) -> CommitID? { timeline.commit(atEndOf: day) }

  /// The records of `type` as they stood at the end of `day` (empty before the history).
  public func records(_ type: String, at day: CivilDate) throws -> RecordSet {
    guard let commit = commit(atEndOf: day) else { return RecordSet() }
    return try records(type, atCommit: commit)
  }

  /// The records of `type` at the report's commit.
  public func current(_ type: String) throws -> RecordSet { try records(type, atCommit: commit) }

  /// One record at the report's commit: from the records of its type when they are read
  /// already, else found at its path (a report naming fifty records of a million need not
  /// read the million); when the path has no file, from the records of its type.
  public func currentRecord(_ type: String, _ id: String) throws -> EncodedValue? {
    lock.lock()
    let cached = snapshotCache[commit]?[type]
    lock.unlock()
    if let cached { return cached[id] }
    switch try history.records(at: commit).value(of: RecordKey(type: type, id: id)) {
    case .found(let value): return value
    case .notAtItsPaths: return try current(type)[id]
    }
  }

  public func records(_ type: String, atCommit commit: CommitID) throws -> RecordSet {
    lock.lock()
    if let cached = snapshotCache[commit]?[type] {
      lock.unlock()
      return cached
    }
    lock.unlock()
    let set = RecordSet(records: try history.records(at: commit).records(of: type))
    lock.lock()
    snapshotCache[commit, default: [:]][type] = set
    lock.unlock()
    return set
  }

  /// The day a commit was made (repository time zone).
  public func day(of commit: CommitChanges) -> CivilDate { text.day(commit.author) }

  /// The staff member of a commit's author, if any.
  public func staffID(of commit: CommitChanges) -> String? { text.people.author(commit.author).staff }

  /// A staff member's name, for showing ids ("王芳").
  public func name(_ type: String, _ id: String) -> String { text.people.names["\(type)/\(id)"] ?? id }

  /// "Computed at" stamp.
  public var commitDate: String {
    commits.last.map { text.date($0.author) } ?? ""
  }
}

/// A report's definition: its name, what it is for, and how it is computed.
public protocol ReportDefinition: Sendable {
  static var name: String { get }
  static var summary: String { get }
  /// Whether it reads a period (`--period`), else a day (`--at`).
  static var usesPeriod: Bool { get }
  static func compute(_ context: ReportContext) throws -> Report
}

/// Every report, in the order `tally report --list` shows them.
public enum Reports {
  public static let all: [any ReportDefinition.Type] = [
    RosterReport.self,
    PipelineReport.self, PlanReport.self, FollowUpsReport.self,
    ComplaintsReport.self,
    MeetingsReport.self,
    ActivityReport.self,
  ]

  public static func named(_ name: String) -> (any ReportDefinition.Type)? {
    all.first { $0.name == name }
  }
}

/// The values of an enum field, in schema order, with their labels (a Chinese display name).
struct EnumLabels {
  var values: [String] = []
  var labels: [String: String] = [:]

  func label(_ value: String) -> String { labels[value] ?? value }
}

extension ReportContext {
  /// The values and labels of the enum field at `path` (`complaints.severity`) of `type`;
  /// none when the schema has no such enum.
  func enumLabels(_ type: String, _ path: String) -> EnumLabels {
    guard let path = FieldPath(parsing: path),
      case .enumeration(let spec)? = records.schema.type(named: type)?.object.field(at: path)?.type
    else { return EnumLabels() }
    return EnumLabels(values: spec.values, labels: spec.labels)
  }
}

extension ReportContext {
  /// The day of the history's first commit. The records in that commit are the starting
  /// state (a repository often starts with an import of the records a team already had): not
  /// new business, and what stood before it is not known.
  public var historyStart: CivilDate? { timeline.start }

  /// Whether the records as they stood at the end of `day` are known: the history had begun.
  public func isKnown(atEndOf day: CivilDate) -> Bool {
    guard let historyStart else { return false }
    return day >= historyStart
  }

  /// Whether every change from the start of `day` on is in the history: the history began on
  /// or before it (changes on the first commit's day are the starting state).
  public func knowsChanges(from day: CivilDate) -> Bool {
    guard let historyStart else { return false }
    return day >= historyStart
  }

  /// "the history begins on 2026-07-15: WHAT is not known" — for the section that cannot
  /// show it.
  func notKnown(_ what: String) -> String {
    let w = language
    guard let historyStart else {
      return w("the repository has no history: \(what) is not known", "仓库没有历史：\(what)无从得知")
    }
    return w(
      "the history begins on \(historyStart) (its first commit is the starting state): \(what) is not known",
      "历史始于 \(historyStart)（首个提交为初始状态）：\(what)无从得知")
  }
}
