import TallyHistory
import TallySchema
import TallyText

/// Every customer's status and owner through the first-parent history, replayed from the
/// field-level changes: additions, status changes, owner changes, removals and renames.
///
/// Events are dated by the day of their commit (repository time zone) and kept in commit
/// order. The customers of the history's first commit are its starting state: their
/// additions are marked ``Event/isInitial`` (not new customers), and when they entered the
/// status they had then is not known. A commit that changes both the status and the owner is one status event whose
/// `owner` is the owner in the new version: the transition belongs to the owner of the
/// record it was made in. Renamed customers keep their past under the new id.
struct PipelineTimeline {
  enum Kind: Equatable {
    case added
    case status
    case owner
    case removed
  }

  /// One event in a customer's life.
  struct Event {
    var customer: String
    var kind: Kind
    var day: CivilDate
    /// Position of the commit in the history (events of one day keep their order).
    var commit: Int
    /// The status before and after: nil before an addition and after a removal.
    var from: String?
    var to: String?
    /// The owner after the event (before it, for a removal).
    var owner: String?
    /// The customer's name after the event.
    var name: String
    /// `churn_reason` in the version the event produced.
    var churnReason: String?
    /// The day the customer entered `from` (nil for additions).
    var since: CivilDate?
    /// False when `from` was the customer's status in the history's first commit: when it
    /// entered that status is not known (`since` is only the first commit's day).
    var sinceKnown = true

    /// Whether the status changed (an addition, a status change or a removal).
    var isTransition: Bool { kind != .owner }
    /// An addition in the history's first commit: the starting state, not a new customer.
    var isInitial: Bool { kind == .added && commit == 0 }
  }

  private struct State {
    var status: String
    var owner: String?
    var name: String
    var churnReason: String?
    var since: CivilDate
    /// False while the status is the one the history's first commit had.
    var sinceKnown: Bool
  }

  /// All events, in commit order.
  private(set) var events: [Event] = []
  /// Per customer: its owner from the end of each day on (nil while it did not exist).
  private(set) var owners: [String: [(day: CivilDate, owner: String?)]] = [:]
  /// Per customer: the day it was first added.
  private(set) var addedOn: [String: CivilDate] = [:]
  /// The customers of the history's first commit (under their current ids): when they were
  /// added is not known, ``addedOn`` is only the day of that commit.
  private(set) var initialCustomers = Set<String>()
  /// The status a customer starts with when its record does not say (the schema default).
  let defaultStatus: String

  /// What a replay follows.
  enum Following {
    /// Events, owners and additions.
    case everything
    /// Only when each customer was added (``addedOn``, ``initialCustomers``): no values are
    /// read, no events or owners kept — what `followups` needs, at a fraction of the cost
    /// on a large history.
    case additions
  }

  init(_ context: ReportContext, following: Following = .everything) {
    switch following {
    case .everything: self.init(everythingOf: context)
    case .additions: self.init(additionsOf: context)
    }
  }

  static func defaultStatus(_ context: ReportContext) -> String {
    context.records.schema.type(named: "customer")?.object["status"]?.defaultValue ?? "lead"
  }

  private init(everythingOf context: ReportContext) {
    defaultStatus = Self.defaultStatus(context)
    var states: [String: State] = [:]
    for (index, commit) in context.commits.enumerated() {
      let day = context.commitDays[index]
      for change in commit.records where change.type == "customer" || change.oldType == "customer" {
        switch change.kind {
        case .added:
          guard change.type == "customer" else { continue }
          let value = change.encodedValue
          let state = State(
            status: value?.string("status") ?? defaultStatus, owner: value?.string("owner"),
            name: value?.string("name") ?? change.id, churnReason: value?.string("churn_reason"), since: day,
            sinceKnown: index != 0)
          states[change.id] = state
          if addedOn[change.id] == nil { addedOn[change.id] = day }
          if index == 0 { initialCustomers.insert(change.id) }
          owners[change.id, default: []].append((day, state.owner))
          events.append(
            Event(
              customer: change.id, kind: .added, day: day, commit: index, from: nil, to: state.status,
              owner: state.owner, name: state.name, churnReason: state.churnReason, since: nil))
        case .removed:
          guard let state = states.removeValue(forKey: change.id) else { continue }
          owners[change.id, default: []].append((day, nil))
          events.append(
            Event(
              customer: change.id, kind: .removed, day: day, commit: index, from: state.status, to: nil,
              owner: state.owner, name: state.name, churnReason: state.churnReason, since: state.since,
              sinceKnown: state.sinceKnown))
        case .renamed:
          guard let oldID = change.oldID, change.oldType == "customer" else { continue }
          let state = states.removeValue(forKey: oldID)
          if change.type == "customer", let state {
            states[change.id] = state
            owners[change.id] = (owners.removeValue(forKey: oldID) ?? []) + (owners[change.id] ?? [])
            if let first = addedOn.removeValue(forKey: oldID) { addedOn[change.id] = first }
            if initialCustomers.remove(oldID) != nil { initialCustomers.insert(change.id) }
            for position in events.indices where events[position].customer == oldID {
              events[position].customer = change.id
            }
          } else if let state {
            owners[oldID, default: []].append((day, nil))
            events.append(
              Event(
                customer: oldID, kind: .removed, day: day, commit: index, from: state.status, to: nil,
                owner: state.owner, name: state.name, churnReason: state.churnReason, since: state.since,
                sinceKnown: state.sinceKnown))
          }
        case .modified:
          // Most changes touch none of the fields followed here: the state stays as it is.
          guard change.fields.contains(where: { Self.followedKey($0.path) != nil }), var state = states[change.id]
          else { continue }
          let before = state
          for field in change.fields {
            guard let key = Self.followedKey(field.path) else { continue }
            switch key {
            case "status": state.status = field.new?.text ?? defaultStatus
            case "owner": state.owner = field.new?.text
            case "name": state.name = field.new?.text ?? change.id
            case "churn_reason": state.churnReason = field.new?.text
            default: break
            }
          }
          if state.owner != before.owner { owners[change.id, default: []].append((day, state.owner)) }
          if state.status != before.status {
            state.since = day
            state.sinceKnown = true
            events.append(
              Event(
                customer: change.id, kind: .status, day: day, commit: index, from: before.status, to: state.status,
                owner: state.owner, name: state.name, churnReason: state.churnReason, since: before.since,
                sinceKnown: before.sinceKnown))
          } else if state.owner != before.owner {
            events.append(
              Event(
                customer: change.id, kind: .owner, day: day, commit: index, from: state.status, to: state.status,
                owner: state.owner, name: state.name, churnReason: state.churnReason, since: state.since,
                sinceKnown: state.sinceKnown))
          }
          states[change.id] = state
        }
      }
    }
  }

  /// ``addedOn`` and ``initialCustomers`` as the full replay finds them: a customer renamed
  /// while it exists keeps its first addition under the new id.
  private init(additionsOf context: ReportContext) {
    defaultStatus = Self.defaultStatus(context)
    var present = Set<String>()
    for (index, commit) in context.commits.enumerated() {
      let day = context.commitDays[index]
      for change in commit.records where change.type == "customer" || change.oldType == "customer" {
        switch change.kind {
        case .added:
          guard change.type == "customer" else { continue }
          present.insert(change.id)
          if addedOn[change.id] == nil { addedOn[change.id] = day }
          if index == 0 { initialCustomers.insert(change.id) }
        case .removed:
          present.remove(change.id)
        case .renamed:
          guard let oldID = change.oldID, change.oldType == "customer", present.remove(oldID) != nil else { continue }
          guard change.type == "customer" else { continue }
          present.insert(change.id)
          if let first = addedOn.removeValue(forKey: oldID) { addedOn[change.id] = first }
          if initialCustomers.remove(oldID) != nil { initialCustomers.insert(change.id) }
        case .modified:
          continue
        }
      }
    }
  }

  /// The top-level field a path names, when it is one the timeline follows.
  static func followedKey(_ path: FieldPath) -> String? {
    guard path.components.count == 1, case .key(let key) = path.components[0] else { return nil }
    return key == "status" || key == "owner" || key == "name" || key == "churn_reason" ? key : nil
  }

  /// The customer's owner at the end of `day`: nil when it did not exist then.
  func owner(of customer: String, atEndOf day: CivilDate) -> String? {
    guard let spans = owners[customer] else { return nil }
    var found: String?
    for span in spans where span.day <= day { found = span.owner }
    return found
  }

  /// The owner a dated item (an order) of the customer is credited to: the owner at the end
  /// of the item's day, or, when the record did not exist that day (an item entered later
  /// with an earlier date), the first owner it had afterwards.
  func creditedOwner(of customer: String, on day: CivilDate) -> String? {
    if let owner = owner(of: customer, atEndOf: day) { return owner }
    return owners[customer]?.first(where: { $0.day > day && $0.owner != nil })?.owner
  }

  /// The positions in ``events`` of each customer's events, in commit order.
  var eventsByCustomer: [String: [Int]] {
    var result: [String: [Int]] = [:]
    for (index, event) in events.enumerated() { result[event.customer, default: []].append(index) }
    return result
  }
}
