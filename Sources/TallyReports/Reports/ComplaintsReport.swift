import TallyHistory
import TallySchema
import TallyText

/// `complaints`: how often customers complain and how fast complaints are resolved — rate per
/// industry and tier, per owner (the customer's owner when the complaint was made, from the
/// history), open against resolved at the period's end, days to resolve, by severity.
///
/// Complaints are read from the customer records at the report's commit (so a complaint
/// written down late still counts on its date); segments and the customer base from the
/// customer records at the end of the period; owners over time from the history of each
/// customer's `owner` field.
public enum ComplaintsReport: ReportDefinition {
  public static let name = "complaints"
  public static let summary =
    "complaint rate per industry, tier and owner (at the time), open vs resolved, days to resolve, by severity"
  public static let usesPeriod = true

  /// One complaint of one customer.
  struct Complaint {
    var customer: String
    var date: CivilDate
    var summary: String
    var severity: String
    var resolved: CivilDate?
    /// The customer's owner at the end of the complaint's day.
    var owner: String
    /// Where it is in the customer's list: the order of two on one day.
    var position = 0

    func isOpen(at day: CivilDate) -> Bool { date <= day && !(resolved.map { $0 <= day } ?? false) }
    var daysToResolve: Int? { resolved.map { $0.dayNumber - date.dayNumber } }
  }

  public static func compute(_ context: ReportContext) throws -> Report {
    let w = context.language
    let period =
      context.period ?? Period.parse(String(context.today.description.prefix(7)))!
    let end = period.end
    // Open complaints and their days open are counted as of the period's end, or as of
    // today while the period has not ended: not projected to a day still to come.
    let cutoff = min(end, context.today)
    let owners = ownerHistory(context)
    let atEnd = try context.records("customer", at: end)
    let current = try context.current("customer")
    let staffAtEnd = try context.records("staff", at: end)
    let staffNow = try context.current("staff")
    func team(of staff: String) -> String? {
      (staffAtEnd[staff] ?? staffNow[staff])?.string("team")
    }
    func kept(_ owner: String) -> Bool {
      if let wanted = context.owner, owner != wanted { return false }
      if let wanted = context.team, team(of: owner) != wanted { return false }
      return true
    }
    /// The customer as the segments read it: at the period's end, else as it is now.
    func customer(_ id: String) -> EncodedValue? { atEnd[id] ?? current[id] }
    func owner(of id: String, at day: CivilDate) -> String {
      if let history = owners[id], !history.isEmpty {
        return history.last(where: { $0.day <= day })?.owner ?? history[0].owner
      }
      return customer(id)?.string("owner") ?? ""
    }

    // Every complaint on record (customers removed since the period's end included), as the
    // records are now; in no particular order until sorted (sorting a million ids, three
    // times, to visit them in order took seconds at a million customers).
    var complaints: [Complaint] = []
    func gather(_ id: String, _ value: EncodedValue) {
      for (position, item) in value.items("complaints").enumerated() {
        guard let date = item.date("date") else { continue }
        let complaint = Complaint(
          customer: id, date: date, summary: item.string("summary") ?? "", severity: item.string("severity") ?? "",
          resolved: item.date("resolved_on"), owner: owner(of: id, at: date), position: position)
        if kept(complaint.owner) { complaints.append(complaint) }
      }
    }
    for (id, value) in current.records { gather(id, value) }
    for (id, value) in atEnd.records where current[id] == nil { gather(id, value) }
    complaints.sort { ($0.date, $0.customer, $0.position) < ($1.date, $1.customer, $1.position) }
    let received = complaints.filter { period.contains($0.date) }
    let resolved = complaints.filter { $0.resolved.map(period.contains) ?? false }
    let open = complaints.filter { $0.isOpen(at: cutoff) }

    // The customer base: customers on record at the period's end, plus any customer with a
    // complaint in the period whose record was written later.
    var base = Set(atEnd.records.keys.filter { kept(owner(of: $0, at: end)) })
    for complaint in received { base.insert(complaint.customer) }
    // Each base customer's owner at the end, read once (not once per owner and customer).
    var ownedAtEnd: [String: Int] = [:]
    for id in base { ownedAtEnd[owner(of: id, at: end), default: 0] += 1 }

    let severities = context.enumLabels("customer", "complaints.severity")
    let industries = context.enumLabels("customer", "industry")
    let tiers = context.enumLabels("customer", "tier")

    var bySeverity = ReportTable(columns: [
      .init("severity", w("Severity", "严重程度")), .init("received", w("Received", "收到"), numeric: true),
      .init("resolved", w("Resolved", "已解决"), numeric: true),
      .init("open_at_end", w("Open at end", "期末未结"), numeric: true),
      .init("avg_days_to_resolve", w("Avg days to resolve", "平均解决天数"), numeric: true),
      .init("max_days_to_resolve", w("Max days to resolve", "最长解决天数"), numeric: true),
    ])
    let extraSeverities = Set(complaints.map(\.severity)).subtracting(severities.values).sorted()
    for severity in severities.values + extraSeverities {
      bySeverity.rows.append(
        [.text(severities.label(severity))]
          + counts(
            received: received.filter { $0.severity == severity },
            resolved: resolved.filter { $0.severity == severity },
            open: open.filter { $0.severity == severity }))
    }
    bySeverity.rows.append([.text(w("All", "全部"))] + counts(received: received, resolved: resolved, open: open))

    func segments(_ field: String, _ spec: EnumLabels, show: (String) -> String) -> ReportTable {
      var table = ReportTable(columns: [
        .init(field, field == "tier" ? w("Tier", "等级") : w("Industry", "行业")),
        .init("customers", w("Customers", "客户数"), numeric: true),
        .init("complaints", w("Complaints", "投诉数"), numeric: true),
        .init("rate", w("Complaint rate", "投诉率"), numeric: true),
      ])
      let segmentOf = { (id: String) in customer(id)?.string(field) ?? "" }
      // Each customer's segment, read once (not once per segment and customer).
      var customersIn: [String: Int] = [:]
      for id in base { customersIn[segmentOf(id), default: 0] += 1 }
      var receivedIn: [String: Int] = [:]
      for complaint in received { receivedIn[segmentOf(complaint.customer), default: 0] += 1 }
      let extra = Set(customersIn.keys).union(receivedIn.keys).subtracting(spec.values)
      for value in spec.values + extra.sorted() {
        let customers = customersIn[value] ?? 0
        let count = receivedIn[value] ?? 0
        guard customers > 0 || count > 0 else { continue }
        table.rows.append([
          .text(show(value)), .int(customers), .int(count),
          .percent(customers == 0 ? nil : Double(count) / Double(customers)),
        ])
      }
      return table
    }
    // The customers of a day before the history began are not known: no rate against them.
    let baseKnown = context.isKnown(atEndOf: end)
    func unknownBase(_ table: ReportTable, customerColumns: Set<String>, rateColumns: Set<String>) -> ReportTable {
      guard !baseKnown else { return table }
      var table = table
      for (index, column) in table.columns.enumerated()
      where customerColumns.contains(column.key) || rateColumns.contains(column.key) {
        for row in table.rows.indices { table.rows[row][index] = .unknown }
      }
      return table
    }
    let byIndustry = segments("industry", industries) { industries.label($0) }
    let byTier = segments("tier", tiers) { value in tiers.labels[value].map { "\(value) \($0)" } ?? value }

    var byOwner = ReportTable(columns: [
      .init("owner", w("Owner", "负责人")), .init("customers", w("Customers", "客户数"), numeric: true),
      .init("complaints", w("Complaints", "投诉数"), numeric: true),
      .init("rate", w("Complaint rate", "投诉率"), numeric: true),
      .init("resolved", w("Resolved", "已解决"), numeric: true),
      .init("open_at_end", w("Open at end", "期末未结"), numeric: true),
      .init("avg_days_to_resolve", w("Avg days to resolve", "平均解决天数"), numeric: true),
    ])
    var ownerIDs = Set(ownedAtEnd.keys)
    ownerIDs.formUnion(received.map(\.owner))
    ownerIDs.formUnion(open.map(\.owner))
    ownerIDs.formUnion(resolved.map(\.owner))
    let ownerRows = ownerIDs.map { id in
      (id: id, customers: ownedAtEnd[id] ?? 0, received: received.filter { $0.owner == id })
    }.sorted { ($1.received.count, $0.id) < ($0.received.count, $1.id) }
    for row in ownerRows {
      let mine = resolved.filter { $0.owner == row.id }
      byOwner.rows.append([
        .text(context.name("staff", row.id)), .int(row.customers), .int(row.received.count),
        .percent(row.customers == 0 ? nil : Double(row.received.count) / Double(row.customers)),
        .int(mine.count), .int(open.filter { $0.owner == row.id }.count), average(mine),
      ])
    }

    let unknownColumns = (customers: Set(["customers"]), rates: Set(["rate"]))
    var ownerUnknowns: [String] = []
    if let historyStart = context.historyStart, received.contains(where: { $0.date < historyStart }) {
      ownerUnknowns.append(
        context.notKnown(w("who owned a customer before it", "此前客户由谁负责"))
          + w(
            ": a complaint dated earlier is credited to the owner in that commit", "：更早日期的投诉计入该提交中的负责人"))
    }
    var baseUnknowns: [String] = []
    if !baseKnown {
      baseUnknowns.append(
        context.notKnown(w("which customers stood at the end of \(end)", "\(end) 日终有哪些客户"))
          + w(": the customers and complaint rates are not known", "：客户数与投诉率无从得知"))
    }

    func customerName(_ id: String) -> String { customer(id)?.string("name") ?? id }
    var list = ReportTable(columns: [
      .init("date", w("Date", "日期")), .init("customer", w("Customer", "客户")), .init("severity", w("Severity", "严重程度")),
      .init("owner", w("Owner at the time", "当时负责人")), .init("resolved_on", w("Resolved on", "解决日期")),
      .init("days_to_resolve", w("Days to resolve", "解决天数"), numeric: true), .init("summary", w("Summary", "摘要")),
    ])
    for complaint in received {
      // As the period's end (or today) saw it: a later resolution is not shown, as in the
      // open list.
      let resolvedByEnd = !complaint.isOpen(at: cutoff)
      list.rows.append([
        .date(complaint.date), .text(customerName(complaint.customer)), .text(severities.label(complaint.severity)),
        .text(context.name("staff", complaint.owner)),
        resolvedByEnd ? complaint.resolved.map(Cell.date) ?? .empty : .empty,
        resolvedByEnd ? complaint.daysToResolve.map(Cell.int) ?? .empty : .empty, .text(complaint.summary),
      ])
    }
    var openList = ReportTable(columns: [
      .init("date", w("Date", "日期")), .init("customer", w("Customer", "客户")), .init("severity", w("Severity", "严重程度")),
      .init("owner", w("Owner at the time", "当时负责人")), .init("days_open", w("Days open", "未结天数"), numeric: true),
      .init("summary", w("Summary", "摘要")),
    ])
    for complaint in open {
      openList.rows.append([
        .date(complaint.date), .text(customerName(complaint.customer)), .text(severities.label(complaint.severity)),
        .text(context.name("staff", complaint.owner)), .int(cutoff.dayNumber - complaint.date.dayNumber),
        .text(complaint.summary),
      ])
    }

    let rateNote = w(
      "complaint rate = complaints dated in \(period.label) ÷ customers in the segment at the end of \(end) (as the customer records stood then)",
      "投诉率 = \(period.label) 内的投诉数 ÷ \(end) 日终该分组的客户数（按当时的客户记录）")
    let openDay =
      cutoff == end
      ? w("the end of \(end)", "\(end) 日终")
      : w("\(cutoff) (today; the period ends on \(end))", "\(cutoff)（今天；期间截至 \(end)）")
    let filters = [context.team, context.owner.map { context.name("staff", $0) }].compactMap { $0 }
    return Report(
      name: name,
      title: w("Complaints", "客户投诉") + " \(period.label)"
        + (filters.isEmpty ? "" : " (\(filters.joined(separator: ", ")))"),
      commit: context.commit.hex, commitDate: context.commitDate, scope: period.label,
      sections: [
        ReportSection(
          key: "by_severity", title: w("Complaints by severity", "按严重程度的投诉"), table: bySeverity,
          notes: [
            w(
              "received: dated in \(period.label); resolved: resolved_on in \(period.label), whenever received; open at end: dated on or before \(openDay) and not resolved by then",
              "收到：日期在 \(period.label) 内；已解决：resolved_on 在 \(period.label) 内（不论何时收到）；期末未结：截至 \(openDay)已收到且尚未解决"
            ),
            w(
              "days to resolve: resolved_on − date, over the complaints resolved in \(period.label)",
              "解决天数：resolved_on − 投诉日期，按 \(period.label) 内解决的投诉计算"),
          ]),
        ReportSection(
          key: "by_industry", title: w("Complaint rate by industry", "各行业投诉率"),
          table: unknownBase(byIndustry, customerColumns: unknownColumns.customers, rateColumns: unknownColumns.rates),
          notes: [rateNote], unknowns: baseUnknowns),
        ReportSection(
          key: "by_tier", title: w("Complaint rate by tier", "各等级投诉率"),
          table: unknownBase(byTier, customerColumns: unknownColumns.customers, rateColumns: unknownColumns.rates),
          notes: [rateNote], unknowns: baseUnknowns),
        ReportSection(
          key: "by_owner", title: w("Complaints by owner", "各负责人的投诉"),
          table: unknownBase(byOwner, customerColumns: unknownColumns.customers, rateColumns: unknownColumns.rates),
          notes: [
            w(
              "a complaint is credited to the customer's owner at the end of the complaint's day (from the history of the owner field); customers: owned at the end of \(end)",
              "投诉计入投诉当天日终的客户负责人（依据 owner 字段的历史）；客户数：\(end) 日终所负责的客户")
          ], unknowns: baseUnknowns + ownerUnknowns),
        ReportSection(
          key: "received", title: w("Complaints received \(period.label)", "收到的投诉 \(period.label)"), table: list,
          notes: [
            w(
              "resolved on: when resolved by \(openDay); later resolutions belong to later periods",
              "解决日期：截至 \(openDay)已解决的才显示；之后的解决归入之后的期间")
          ]),
        ReportSection(
          key: "open", title: w("Open complaints at \(openDay)", "截至 \(openDay)的未结投诉"), table: openList,
          notes: [w("days open: from the complaint's date to \(openDay)", "未结天数：从投诉日期到 \(openDay)")]),
      ], language: context.language)
  }

  /// Received, resolved, open, average and maximum days to resolve.
  static func counts(received: [Complaint], resolved: [Complaint], open: [Complaint]) -> [Cell] {
    let days = resolved.compactMap(\.daysToResolve)
    return [
      .int(received.count), .int(resolved.count), .int(open.count), average(resolved),
      days.max().map(Cell.int) ?? .empty,
    ]
  }

  /// The average days to resolve, to one decimal; empty when nothing was resolved.
  static func average(_ resolved: [Complaint]) -> Cell {
    let days = resolved.compactMap(\.daysToResolve)
    guard !days.isEmpty, let mean = ExactDecimal(days.reduce(0, +)).divided(by: ExactDecimal(days.count), scale: 1)
    else { return .empty }
    return .decimal(mean)
  }

  /// Each customer's owners over the history, in commit order: the owner it was created with
  /// and every change of the field, on the day of the commit (renames carry the history).
  static func ownerHistory(_ context: ReportContext) -> [String: [(day: CivilDate, owner: String)]] {
    var result: [String: [(day: CivilDate, owner: String)]] = [:]
    let ownerPath = FieldPath([.key("owner")])
    for (index, commit) in context.commits.enumerated() {
      let day = context.commitDays[index]
      for change in commit.records where change.type == "customer" {
        switch change.kind {
        case .added:
          if let owner = change.encodedValue?.string("owner") { result[change.id, default: []].append((day, owner)) }
        case .renamed:
          if change.oldType == "customer", let oldID = change.oldID, let moved = result.removeValue(forKey: oldID) {
            result[change.id] = moved
          }
        case .modified, .removed:
          break
        }
        for field in change.fields where field.path == ownerPath {
          if let owner = field.new?.text { result[change.id, default: []].append((day, owner)) }
        }
      }
    }
    return result
  }
}
