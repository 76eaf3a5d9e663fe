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

  /// How many stale records are listed.
  static let staleListed = 50

  public static func compute(_ context: ReportContext) throws -> Report {
    let w = context.language
    let period = context.period ?? Period(start: context.today, end: context.today, label: context.today.description)
    struct Tally {
      var commits = 0
      var records = Set<String>()
      var created = 0
      var fieldChanges = 0
      var weeks: [String: Int] = [:]
    }
    var byAuthor: [String: Tally] = [:]
    // Keyed by type and id: a "type/id" string made for each of a million changes was a
    // large part of the report's time.
    var lastChange: [RecordKey: CivilDate] = [:]
    // Room for every record ever added, made once: grown as it filled, the table was
    // rehashed a dozen times on the way to a million records, a quarter of the report's time.
    var additions = 0
    for commit in context.commits {
      for change in commit.records where change.kind == .added || change.kind == .renamed { additions += 1 }
    }
    lastChange.reserveCapacity(additions)
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
        let key = RecordKey(type: change.type, id: change.id)
        if change.kind == .removed {
          lastChange[key] = nil
        } else if change.kind == .renamed, let oldType = change.oldType, let oldID = change.oldID {
          // Under its new name from here on: the old one is no record left to update.
          lastChange[RecordKey(type: oldType, id: oldID)] = nil
          lastChange[key] = commitDay
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
      .init("author", w("Author", "提交人")), .init("commits", w("Commits", "提交数"), numeric: true),
      .init("records", w("Records touched", "涉及记录"), numeric: true),
      .init("created", w("Records created", "新建记录"), numeric: true),
      .init("field_changes", w("Field changes", "字段变更"), numeric: true),
    ])
    for author in authors {
      let tally = byAuthor[author]!
      people.rows.append([
        .text(author), .int(tally.commits), .int(tally.records.count), .int(tally.created), .int(tally.fieldChanges),
      ])
    }
    var weekly = ReportTable(
      columns: [.init("author", w("Author", "提交人"))] + weeks.map { .init($0, $0, numeric: true) })
    for author in authors {
      weekly.rows.append([.text(author)] + weeks.map { .int(byAuthor[author]!.weeks[$0] ?? 0) })
    }
    let heat = Chart(
      kind: .heat, labels: weeks,
      series: authors.map { author in (author, weeks.map { Double(byAuthor[author]!.weeks[$0] ?? 0) }) })

    let threshold = context.days ?? 90
    var stale = ReportTable(columns: [
      .init("record", w("Record", "记录")), .init("name", w("Name", "名称")),
      .init("last_changed", w("Last changed", "最后修改")),
      .init("days", w("Days", "天数"), numeric: true),
    ])
    var staleCount: [String: Int] = [:]
    var staleTotal = 0
    // The 50 least recently updated (by day, then "type/id"), picked in one pass: at a
    // million records most are stale, and sorting them all took seconds.
    var leastRecent: [(day: CivilDate, key: String)] = []
    for (key, last) in lastChange where period.end.dayNumber - last.dayNumber >= threshold {
      staleTotal += 1
      staleCount[key.type, default: 0] += 1
      if leastRecent.count == Self.staleListed, let worst = leastRecent.last, last > worst.day { continue }
      let candidate = (day: last, key: key.description)
      if leastRecent.count == Self.staleListed, let worst = leastRecent.last,
        !((candidate.day, candidate.key) < (worst.day, worst.key))
      {
        continue
      }
      let position =
        leastRecent.firstIndex { (candidate.day, candidate.key) < ($0.day, $0.key) } ?? leastRecent.endIndex
      leastRecent.insert(candidate, at: position)
      if leastRecent.count > Self.staleListed { leastRecent.removeLast() }
    }
    for (last, key) in leastRecent {
      let parts = key.split(separator: "/", maxSplits: 1).map(String.init)
      let name = (try? context.currentRecord(parts[0], parts[1]))??.string("name") ?? ""
      stale.rows.append([.text(key), .text(name), .date(last), .int(period.end.dayNumber - last.dayNumber)])
    }
    // A record type by its schema's title (客户) in Chinese.
    func typeTitle(_ type: String) -> String { context.records.schema.type(named: type)?.title ?? type }
    var notes: [String] = []
    if staleTotal == 0 {
      notes.append(
        w(
          "every record was updated in the \(threshold) days before \(period.end)",
          "\(period.end) 前 \(threshold) 天内每条记录都有更新"))
    } else {
      let counts = staleCount.sorted { $0.key < $1.key }.map {
        w("\($0.value) \($0.key)", "\(typeTitle($0.key)) \($0.value) 条")
      }
      .joined(separator: w(", ", "，"))
      notes.append(
        w(
          "\(staleTotal) records not updated in \(threshold) days before \(period.end): \(counts)",
          "\(staleTotal) 条记录在 \(period.end) 前 \(threshold) 天内未更新：\(counts)"))
      if staleTotal > Self.staleListed { notes.append(w("the 50 least recently updated are listed", "列出最久未更新的 50 条")) }
    }
    return Report(
      name: name, title: w("Record activity \(period.label)", "记录维护 \(period.label)"), commit: context.commit.hex,
      commitDate: context.commitDate, scope: period.label,
      sections: [
        ReportSection(key: "by_author", title: w("Changes by author", "各提交人的修改"), table: people),
        ReportSection(key: "by_week", title: w("Commits per author per week", "各提交人每周提交数"), table: weekly, chart: heat),
        ReportSection(
          key: "stale", title: w("Records not updated in \(threshold) days", "\(threshold) 天未更新的记录"), table: stale,
          notes: notes),
      ], language: context.language)
  }
}
