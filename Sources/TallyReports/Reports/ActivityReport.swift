import TallyHistory
import TallySchema
import TallyText

/// `activity`: who maintains the records — changes per author per week, records touched,
/// and records nobody has updated in a while.
public enum ActivityReport: ReportDefinition {
  public static let name = "activity"
  public static let summary =
    "who maintains the records: commits and changes per author and per week, records not updated in N days (--days, default 90)"
  public static let usesPeriod = true

  public static func compute(_ context: ReportContext) throws -> Report {
    let period = context.period ?? Period(start: context.today, end: context.today, label: context.today.description)
    struct Tally {
      var commits = 0
      var records = Set<String>()
      var created = 0
      var fieldChanges = 0
      var weeks: [String: Int] = [:]
    }
    var byAuthor: [String: Tally] = [:]
    var lastChange: [String: CivilDate] = [:]
    var weeks: [String] = []
    var day = period.start
    while day <= period.end {
      let week = Period.weekLabel(day)
      if weeks.last != week { weeks.append(week) }
      day = CivilDate(dayNumber: day.dayNumber + 7 - ((day.dayNumber + 3) % 7 + 7) % 7)
    }
    for (index, commit) in context.commits.enumerated() {
      let commitDay = context.commitDays[index]
      for change in commit.records where commitDay <= period.end {
        let key = "\(change.type)/\(change.id)"
        if change.kind == .removed {
          lastChange[key] = nil
        } else if change.kind != .modified || !change.fields.isEmpty {
          lastChange[key] = commitDay
        }
      }
      guard period.contains(commitDay), !commit.records.isEmpty else { continue }
      let author = context.text.author(commit.author)
      if let team = context.team, let staff = context.staffID(of: commit),
        (try? context.current("staff"))?[staff]?.string("team") != team
      {
        continue
      }
      var tally = byAuthor[author] ?? Tally()
      tally.commits += 1
      tally.weeks[Period.weekLabel(commitDay), default: 0] += 1
      for change in commit.records {
        tally.records.insert("\(change.type)/\(change.id)")
        if change.kind == .added { tally.created += 1 }
        tally.fieldChanges += change.fields.count
      }
      byAuthor[author] = tally
    }
    let authors = byAuthor.keys.sorted { (byAuthor[$0]!.commits, $1) > (byAuthor[$1]!.commits, $0) }
    var people = ReportTable(columns: [
      .init("author", "Author"), .init("commits", "Commits", numeric: true),
      .init("records", "Records touched", numeric: true), .init("created", "Records created", numeric: true),
      .init("field_changes", "Field changes", numeric: true),
    ])
    for author in authors {
      let tally = byAuthor[author]!
      people.rows.append([
        .text(author), .int(tally.commits), .int(tally.records.count), .int(tally.created), .int(tally.fieldChanges),
      ])
    }
    var weekly = ReportTable(columns: [.init("author", "Author")] + weeks.map { .init($0, $0, numeric: true) })
    for author in authors {
      weekly.rows.append([.text(author)] + weeks.map { .int(byAuthor[author]!.weeks[$0] ?? 0) })
    }
    let heat = Chart(
      kind: .heat, labels: weeks,
      series: authors.map { author in (author, weeks.map { Double(byAuthor[author]!.weeks[$0] ?? 0) }) })

    let threshold = context.days ?? 90
    var stale = ReportTable(columns: [
      .init("record", "Record"), .init("name", "Name"), .init("last_changed", "Last changed"),
      .init("days", "Days", numeric: true),
    ])
    var staleCount: [String: Int] = [:]
    var staleRows: [(CivilDate, String)] = []
    for (key, last) in lastChange where period.end.dayNumber - last.dayNumber >= threshold {
      staleRows.append((last, key))
      staleCount[String(key.prefix { $0 != "/" }), default: 0] += 1
    }
    staleRows.sort { ($0.0, $0.1) < ($1.0, $1.1) }
    for (last, key) in staleRows.prefix(50) {
      let parts = key.split(separator: "/", maxSplits: 1).map(String.init)
      let name = (try? context.current(parts[0]))?[parts[1]]?.string("name") ?? ""
      stale.rows.append([.text(key), .text(name), .date(last), .int(period.end.dayNumber - last.dayNumber)])
    }
    var notes: [String] = []
    if staleRows.isEmpty {
      notes.append("every record was updated in the \(threshold) days before \(period.end)")
    } else {
      let counts = staleCount.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
      notes.append("\(staleRows.count) records not updated in \(threshold) days before \(period.end): \(counts)")
      if staleRows.count > 50 { notes.append("the 50 least recently updated are listed") }
    }
    return Report(
      name: name, title: "Record activity \(period.label)", commit: context.commit.hex,
      commitDate: context.commitDate, scope: period.label,
      sections: [
        ReportSection(key: "by_author", title: "Changes by author", table: people),
        ReportSection(key: "by_week", title: "Commits per author per week", table: weekly, chart: heat),
        ReportSection(key: "stale", title: "Records not updated in \(threshold) days", table: stale, notes: notes),
      ])
  }
}
