import TallyText

/// The four record types of `schema/*.yaml`, as far as printing them needs: where their
/// files live, their fields in schema order, and which paths the schema types (int, decimal,
/// money, percent, bool, date, datetime), so that the canonical printer writes those plain.
public enum SampleRecordType: String, CaseIterable, Sendable {
  case staff
  case customer
  case plan
  case minutes

  /// The directory of the records, relative to the records root.
  public var directory: String {
    switch self {
    case .staff: "staff"
    case .customer: "customers"
    case .plan: "plans"
    case .minutes: "minutes"
    }
  }

  /// The type of the record at `path` (`customers/C-0042.yaml`), from its directory.
  public init?(path: String) {
    guard let slash = path.firstIndex(of: "/") else { return nil }
    let directory = path[..<slash]
    guard let type = Self.allCases.first(where: { $0.directory == directory }) else { return nil }
    self = type
  }

  /// The fields in schema order, nested fields as `list.field` / `object.field`.
  public var fieldOrder: [String] {
    switch self {
    case .staff:
      [
        "name", "role", "team", "reports_to", "email", "git_identities", "phone", "joined", "left", "status",
        "skills", "trainings", "trainings.date", "trainings.topic", "trainings.hours", "trainings.result",
        "reviews", "reviews.period", "reviews.plan_score", "reviews.customer_feedback",
        "reviews.service_quality", "reviews.teamwork", "reviews.rating", "reviews.bonus",
        "reviews.commission",
      ]
    case .customer:
      [
        "name", "industry", "scale", "purchasing_power", "loyalty", "tier", "status", "churn_reason",
        "owner", "source", "contacts", "contacts.name", "contacts.title", "contacts.phone",
        "contacts.email", "contacts.wechat", "needs", "follow_ups", "follow_ups.date",
        "follow_ups.by", "follow_ups.channel", "follow_ups.summary", "follow_ups.outcome",
        "follow_ups.next_contact", "orders", "orders.date", "orders.product", "orders.amount",
        "complaints", "complaints.date", "complaints.summary", "complaints.severity",
        "complaints.resolved_on",
      ]
    case .plan:
      [
        "title", "kind", "period", "owner", "scope", "scope.team", "scope.person", "targets",
        "targets.metric", "targets.target", "targets.assignee", "strategy", "steps", "steps.what",
        "steps.who", "steps.due", "steps.status", "steps.done_on",
      ]
    case .minutes:
      [
        "date", "kind", "title", "chair", "attendees", "absentees", "agenda", "notes", "decisions",
        "action_items", "action_items.task", "action_items.owner", "action_items.due",
        "action_items.status", "action_items.done_on",
      ]
    }
  }

  /// The schema paths (without list indices) whose type is int, decimal, money, percent, bool,
  /// date or datetime.
  public var typedPaths: Set<String> {
    switch self {
    case .staff:
      [
        "joined", "left", "trainings.date", "trainings.hours", "reviews.plan_score",
        "reviews.customer_feedback", "reviews.service_quality", "reviews.teamwork", "reviews.bonus",
        "reviews.commission",
      ]
    case .customer:
      [
        "follow_ups.date", "follow_ups.next_contact", "orders.date", "orders.amount", "complaints.date",
        "complaints.resolved_on",
      ]
    case .plan:
      ["targets.target", "steps.due", "steps.done_on"]
    case .minutes:
      ["date", "action_items.due", "action_items.done_on"]
    }
  }

  /// Top-level lists of short scalars that are written in flow style (`[S-0003, S-0012]`),
  /// as people write them.
  var flowLists: Set<String> {
    switch self {
    case .staff: ["skills"]
    case .minutes: ["attendees", "absentees"]
    case .customer, .plan: []
    }
  }

  /// The canonical printer for records of this type.
  public var printer: CanonicalPrinter {
    switch self {
    case .staff: Self.printers.staff
    case .customer: Self.printers.customer
    case .plan: Self.printers.plan
    case .minutes: Self.printers.minutes
    }
  }

  private static let printers = (
    staff: makePrinter(.staff), customer: makePrinter(.customer), plan: makePrinter(.plan),
    minutes: makePrinter(.minutes)
  )

  private static func makePrinter(_ type: SampleRecordType) -> CanonicalPrinter {
    let typed = type.typedPaths
    var lastKeys: Set<String> = []
    for path in typed { lastKeys.insert(String(path.split(separator: ".").last!)) }
    let keys = lastKeys
    return CanonicalPrinter(isTyped: { path in
      guard case .key(let last)? = path.last, keys.contains(last) else { return false }
      return typed.contains(path.withoutIndices.description)
    })
  }

  /// The canonical text of a record that means `value` (a mapping), with flow lists where
  /// people write them.
  public func render(_ value: Value) -> [UInt8] {
    guard var document = Document(value: value) else {
      preconditionFailure("a record is a mapping")
    }
    let flow = flowLists
    if !flow.isEmpty {
      for index in document.root.entries.indices
      where flow.contains(document.root.entries[index].key.text) {
        if case .sequence(var sequence) = document.root.entries[index].value {
          sequence.isFlow = true
          document.root.entries[index].value = .sequence(sequence)
        }
      }
    }
    return printer.printBytes(document)
  }
}
