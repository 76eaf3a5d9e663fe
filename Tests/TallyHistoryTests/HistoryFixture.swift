import Foundation
import TallyGit
import TallyRecords
import TallyTestSupport
import Testing

@testable import TallyHistory

/// A records repository whose history a test writes with the real `git`: a small schema of
/// its own (customers with a keyed list of contacts and a plain list of follow-ups, staff),
/// commits at fixed times by fixed people. The history engine then reads it as `tally log`
/// and `tally blame` do.
///
///     let f = try HistoryFixture()
///     let c1 = try f.commit("add", ["customers/C-0001.yaml": "name: 甲\nstatus: lead\n"])
///     let changes = try f.changes()
final class HistoryFixture {
  let dir: TemporaryDirectory
  let home: TemporaryDirectory
  var path: String { dir.path }
  /// The next commit's time: 2026-03-02 10:00 +08:00, then an hour apart.
  var clock: Int64 = 1_772_416_800

  static let customerSchema = """
    version: 1
    type: customer
    directory: customers
    id:
      pattern: ^C-[0-9]{4}$
    fields:
      name:
        type: text
        required: true
      status:
        type: enum
        values: [lead, prospect, active, churned]
      amount:
        type: text
      contacts:
        type: list
        unique_by: name
        items:
          type: object
          fields:
            name:
              type: text
              required: true
            phone:
              type: text
      follow_ups:
        type: list
        items:
          type: object
          fields:
            date:
              type: date
            outcome:
              type: text

    """

  static let staffSchema = """
    version: 1
    type: staff
    directory: staff
    id:
      pattern: ^S-[0-9]{4}$
    fields:
      name:
        type: text
        required: true
      email:
        type: email

    """

  static let config = "version: 1\nschema_dir: schema\ntime_zone: Asia/Shanghai\n"

  init() throws {
    dir = try TemporaryDirectory(prefix: "tally-history")
    home = try TemporaryDirectory(prefix: "tally-history-home")
    try dir.write("tally.yaml", Self.config)
    try dir.write("schema/customer.yaml", Self.customerSchema)
    try dir.write("schema/staff.yaml", Self.staffSchema)
    try git(["init", "-q", "-b", "main"])
  }

  /// Runs git in the repository; a failure is recorded unless `allowFailure`.
  @discardableResult
  func git(
    _ arguments: [String], environment extra: [String: String] = [:], allowFailure: Bool = false,
    sourceLocation: SourceLocation = #_sourceLocation
  ) throws -> ProcessResult {
    let environment = [
      "HOME": home.path, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null",
      "GIT_AUTHOR_NAME": "王芳", "GIT_AUTHOR_EMAIL": "wang@example.cn", "GIT_COMMITTER_NAME": "王芳",
      "GIT_COMMITTER_EMAIL": "wang@example.cn",
    ]
    let result = try TallyProcess.runProgram(
      "git", arguments, in: path, environment: environment.merging(extra) { $1 })
    if result.status != 0 && !allowFailure {
      Issue.record("git \(arguments.joined(separator: " ")) failed: \(result.stderr)", sourceLocation: sourceLocation)
    }
    return result
  }

  func id(_ revision: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> ObjectID {
    let hex = try git(["rev-parse", "--verify", "-q", revision], sourceLocation: sourceLocation).stdout
    return try #require(ObjectID(hex: hex.trimmingCharacters(in: .whitespacesAndNewlines)))
  }

  /// The environment that dates the next commit (and moves the clock an hour on).
  func nextDate(_ explicit: String? = nil) -> [String: String] {
    clock += 3600
    let date = explicit ?? "\(clock) +0800"
    return ["GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date]
  }

  /// Writes (or, for nil, deletes) `files`, stages everything and commits; `date` is a
  /// `GIT_*_DATE` text (default: an hour after the last commit).
  @discardableResult
  func commit(
    _ message: String, _ files: [String: String?] = [:], author: (name: String, email: String)? = nil,
    date: String? = nil, sourceLocation: SourceLocation = #_sourceLocation
  ) throws -> ObjectID {
    try write(files)
    try git(["add", "-A"], sourceLocation: sourceLocation)
    var environment = nextDate(date)
    if let author {
      environment["GIT_AUTHOR_NAME"] = author.name
      environment["GIT_AUTHOR_EMAIL"] = author.email
    }
    try git(
      ["commit", "-q", "--allow-empty", "-m", message], environment: environment, sourceLocation: sourceLocation)
    return try id("HEAD", sourceLocation: sourceLocation)
  }

  func write(_ files: [String: String?]) throws {
    for (relative, content) in files.sorted(by: { $0.key < $1.key }) {
      if let content {
        try dir.write(relative, content)
      } else {
        try? FileManager.default.removeItem(atPath: path + "/" + relative)
      }
    }
  }

  /// The records repository as a command opens it (schemas read from the working tree).
  func records() throws -> RecordsRepository {
    try RecordsRepository.open(root: path, from: path, displayBase: path)
  }

  /// A history engine over the repository; not persistent unless asked.
  func history(persistent: Bool = false) throws -> History {
    let history = History(records: try records(), git: try Repository.discover(from: path), prefix: "")
    history.persistent = persistent
    return history
  }

  /// The change data of `revision`'s history, oldest first.
  func changes(_ revision: String = "HEAD", firstParent: Bool = true) throws -> [CommitChanges] {
    let history = try history()
    return try history.changes(try history.commits(revision, firstParent: firstParent))
  }
}

/// A customer's text. `contacts`: (name, phone); `followUps`: (date, outcome).
func customer(
  _ name: String, status: String? = nil, amount: String? = nil, contacts: [(String, String)] = [],
  followUps: [(String, String)] = []
) -> String {
  var text = "name: \(name)\n"
  if let status { text += "status: \(status)\n" }
  if let amount { text += "amount: \(amount)\n" }
  if !contacts.isEmpty {
    text += "contacts:\n" + contacts.map { "  - name: \($0.0)\n    phone: '\($0.1)'\n" }.joined()
  }
  if !followUps.isEmpty {
    text += "follow_ups:\n" + followUps.map { "  - date: \($0.0)\n    outcome: \($0.1)\n" }.joined()
  }
  return text
}

extension RecordChange {
  /// `modified customer/C-0001: status changed prospect → active`, for comparing in tests.
  var summaryForTest: String {
    var text = "\(kind) \(key)"
    if kind == .renamed { text += " from \(oldType ?? "")/\(oldID ?? "")" }
    if !fields.isEmpty {
      text += ": " + fields.map(\.summaryForTest).joined(separator: "; ")
    }
    return text
  }
}

extension FieldChange {
  /// `status changed prospect → active`, `contacts[1] added`.
  var summaryForTest: String {
    var text = "\(path) \(kind)"
    if kind == .changed { text += " \(old?.text ?? "?") → \(new?.text ?? "?")" }
    return text
  }
}
