import TallySchema
import TallyText

/// The dated facts a plan's targets are measured against, gathered once per report: orders
/// with the owner they are credited to, customers becoming active, follow-ups and trainings.
struct PlanResults {
  struct Order {
    var day: CivilDate
    var amount: ExactDecimal
    var owner: String?
  }

  private(set) var orders: [Order] = []
  private(set) var newActive: [(customer: String, day: CivilDate, owner: String?)] = []
  private(set) var followUps: [(day: CivilDate, by: String)] = []
  private(set) var trainings: [(staff: String, day: CivilDate, hours: ExactDecimal)] = []

  init(_ context: ReportContext, people: PipelineStaff) throws {
    let timeline = PipelineTimeline(context)
    let customers = try context.current("customer")
    // In no particular order: what is gathered is summed and counted.
    for (id, customer) in customers.records {
      for order in customer.items("orders") {
        guard let day = order.date("date"), let amount = order.decimal("amount") else { continue }
        orders.append(Order(day: day, amount: amount, owner: timeline.creditedOwner(of: id, on: day)))
      }
      for item in customer.items("follow_ups") {
        guard let day = item.date("date"), let by = item.string("by") else { continue }
        followUps.append((day, by))
      }
    }
    for event in timeline.events where PipelineReport.isNewActive(event) {
      newActive.append((event.customer, event.day, event.owner))
    }
    for id in people.staff.ids {
      for training in people.staff[id]?.items("trainings") ?? [] {
        guard let day = training.date("date"), let hours = training.decimal("hours") else { continue }
        trainings.append((id, day, hours))
      }
    }
  }

  /// The result of `metric` for the staff in `members` over `period`; zero for a metric
  /// Tally does not know.
  func actual(_ metric: String, for members: Set<String>, in period: Period) -> ExactDecimal {
    switch metric {
    case "revenue":
      return PlanReport.sum(
        orders.filter { period.contains($0.day) && $0.owner.map(members.contains) == true }.map(\.amount))
    case "new_customers":
      let customers = Set(
        newActive.filter { period.contains($0.day) && $0.owner.map(members.contains) == true }.map(\.customer))
      return ExactDecimal(customers.count)
    case "follow_ups":
      return ExactDecimal(followUps.filter { period.contains($0.day) && members.contains($0.by) }.count)
    case "training_hours":
      return PlanReport.sum(
        trainings.filter { period.contains($0.day) && members.contains($0.staff) }.map(\.hours))
    default:
      return .zero
    }
  }
}
