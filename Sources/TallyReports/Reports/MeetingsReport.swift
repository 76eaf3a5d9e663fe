import TallyHistory
import TallySchema
import TallyText

/// `meetings`: who comes to meetings, who does what was agreed, and what was decided —
/// attendance rate per person, action items open, overdue and done per owner, the decisions
/// log.
///
/// Minutes are read at the report's commit. When an action item was closed comes from its
/// `done_on` date, or, when that is missing, from the history: the day of the commit that set
/// its status to done (cancellations, which have no date field, always from the history).
public enum MeetingsReport: ReportDefinition {
  public static let name = "meetings"
  public static let summary =
    "attendance rate per person, action items open, overdue and done per owner (closing day from done_on or the history), decisions log"
  public static let usesPeriod = true

  /// One version of an action item in the history: its status and `done_on` from the day
  /// of the commit that wrote them.
  struct ItemVersion {
    var status: String
    var doneOn: CivilDate?
    var since: CivilDate
  }

  /// One action item, with the spans in which it stood closed.
  struct ActionItem {
    var minutes: String
    var meetingDate: CivilDate
    var meetingTitle: String
    var index: Int
    var task: String
    var owner: String
    var due: CivilDate
    /// The item's versions in the first-parent history, oldest first (at least one: the
    /// item as it is at the report's commit).
    var versions: [ItemVersion]

    enum State { case notYet, open, done, cancelled }

    /// A span in which the item stood closed: from its closing day (`done_on`, else the day
    /// of the commit that set it done; for a cancellation, that commit's day) until the day
    /// of the commit that set it back to open (nil: still closed). `recorded` is the day of
    /// the commit that closed it.
    struct Closing {
      var state: State
      var closed: CivilDate
      var recorded: CivilDate
      var until: CivilDate?
    }

    /// Every span in which the item stood closed, in history order: an item done, set back
    /// to open and done again has two.
    var closings: [Closing] {
      var result: [Closing] = []
      var index = 0
      while index < versions.count {
        let status = versions[index].status
        guard status == "done" || status == "cancelled" else {
          index += 1
          continue
        }
        // Versions in a row with the same closing status are one span; a corrected done_on
        // (the latest) is the closing day.
        var last = index
        while last + 1 < versions.count, versions[last + 1].status == status { last += 1 }
        let closed = status == "done" ? (versions[last].doneOn ?? versions[index].since) : versions[index].since
        result.append(
          Closing(
            state: status == "done" ? .done : .cancelled, closed: closed, recorded: versions[index].since,
            until: last + 1 < versions.count ? versions[last + 1].since : nil))
        index = last + 1
      }
      return result
    }

    /// Where the item stood at the end of `day` — by the version of it that held then, not by
    /// its status now — and, when closed, when it was closed and when that was recorded.
    func standing(at day: CivilDate) -> (state: State, closed: CivilDate?, recorded: CivilDate?) {
      if meetingDate > day { return (.notYet, nil, nil) }
      for closing in closings where closing.closed <= day && (closing.until.map { day < $0 } ?? true) {
        return (closing.state, closing.state == .done ? closing.closed : nil, closing.recorded)
      }
      return (.open, nil, nil)
    }
  }

  public static func compute(_ context: ReportContext) throws -> Report {
    let w = context.language
    let period = context.period ?? Period.parse(String(context.today.description.prefix(7)))!
    let cutoff = min(period.end, context.today)
    let minutes = try context.current("minutes")
    let staffAtEnd = try context.records("staff", at: period.end)
    let staffNow = try context.current("staff")
    func kept(_ person: String) -> Bool {
      if let wanted = context.owner, person != wanted { return false }
      if let wanted = context.team, (staffAtEnd[person] ?? staffNow[person])?.string("team") != wanted { return false }
      return true
    }
    let kinds = context.enumLabels("minutes", "kind")

    // Attendance over the minutes dated in the period.
    let meetings = minutes.ids.filter { id in minutes[id]!.date("date").map(period.contains) ?? false }
      .sorted { (minutes[$0]!.date("date")!, $0) < (minutes[$1]!.date("date")!, $1) }
    var attended: [String: Int] = [:]
    var absent: [String: Int] = [:]
    for id in meetings {
      let value = minutes[id]!
      for person in Set(value.strings("attendees")) { attended[person, default: 0] += 1 }
      for person in Set(value.strings("absentees")) { absent[person, default: 0] += 1 }
    }
    var attendance = ReportTable(columns: [
      .init("person", w("Person", "人员")), .init("meetings", w("Meetings", "会议数"), numeric: true),
      .init("attended", w("Attended", "出席"), numeric: true), .init("absent", w("Absent", "缺席"), numeric: true),
      .init("rate", w("Attendance rate", "出勤率"), numeric: true),
    ])
    var chartLabels: [String] = []
    var chartValues: [Double] = []
    for person in Set(attended.keys).union(absent.keys).filter(kept).sorted() {
      let yes = attended[person] ?? 0
      let no = absent[person] ?? 0
      let rate = Double(yes) / Double(yes + no)
      attendance.rows.append([
        .text(context.name("staff", person)), .int(yes + no), .int(yes), .int(no), .percent(rate),
      ])
      chartLabels.append(context.name("staff", person))
      chartValues.append((rate * 1000).rounded() / 10)
    }
    let chart =
      chartLabels.isEmpty
      ? nil
      : Chart(kind: .bars, labels: chartLabels, series: [(w("Attendance %", "出勤率 %"), chartValues)], reference: 100)

    // Action items: every item of a meeting held by the period's end.
    let timelines = try statusTimelines(context)
    var items: [ActionItem] = []
    for id in minutes.ids {
      let value = minutes[id]!
      guard let meetingDate = value.date("date"), meetingDate <= period.end else { continue }
      for (index, entry) in value.items("action_items").enumerated() {
        guard let owner = entry.string("owner"), kept(owner), let due = entry.date("due") else { continue }
        let status = entry.string("status") ?? "open"
        // The history's versions; when it has none of this item (it lists items by position),
        // the item as it is now, since its meeting.
        var versions = timelines[id]?[index] ?? []
        if versions.last?.status != status || versions.last?.doneOn != entry.date("done_on") {
          versions = [ItemVersion(status: status, doneOn: entry.date("done_on"), since: meetingDate)]
        }
        items.append(
          ActionItem(
            minutes: id, meetingDate: meetingDate, meetingTitle: value.string("title") ?? id, index: index,
            task: entry.string("task") ?? "", owner: owner, due: due, versions: versions))
      }
    }
    items.sort { ($0.due, $0.minutes, $0.index) < ($1.due, $1.minutes, $1.index) }
    struct Counts {
      var open = 0
      var overdue = 0
      var done = 0
      var late = 0
    }
    var byOwner: [String: Counts] = [:]
    var list = ReportTable(columns: [
      .init("meeting", w("Meeting", "会议")), .init("task", w("Task", "任务")), .init("owner", w("Owner", "负责人")),
      .init("due", w("Due", "截止日期")),
      .init("state", w("State", "状态")), .init("closed", w("Closed on", "关闭日期")),
      .init("recorded", w("Recorded on", "记录日期")),
      .init("days_late", w("Days late", "延迟天数"), numeric: true),
    ])
    for item in items {
      let stateWords = [
        "open": w("open", "未完成"), "overdue": w("overdue", "逾期"), "done": w("done", "已完成"),
        "done late": w("done late", "逾期完成"),
      ]
      var counts = byOwner[item.owner] ?? Counts()
      var state: String?
      var late: Int?
      let standing = item.standing(at: cutoff)
      if standing.state == .open {
        counts.open += 1
        state = "open"
        if item.due < cutoff {
          counts.overdue += 1
          state = "overdue"
          late = cutoff.dayNumber - item.due.dayNumber
        }
      } else if standing.state == .done, let closed = standing.closed, period.contains(closed) {
        counts.done += 1
        state = "done"
        if closed > item.due {
          counts.late += 1
          state = "done late"
          late = closed.dayNumber - item.due.dayNumber
        }
      }
      guard let state else { continue }
      byOwner[item.owner] = counts
      list.rows.append([
        .text("\(item.meetingDate) \(item.meetingTitle)"), .text(item.task), .text(context.name("staff", item.owner)),
        .date(item.due), .text(stateWords[state] ?? state),
        state.hasPrefix("done") ? standing.closed.map(Cell.date) ?? .empty : .empty,
        state.hasPrefix("done") ? standing.recorded.map(Cell.date) ?? .empty : .empty, late.map(Cell.int) ?? .empty,
      ])
    }
    var owners = ReportTable(columns: [
      .init("owner", w("Owner", "负责人")), .init("open", w("Open", "未完成"), numeric: true),
      .init("overdue", w("Overdue", "逾期"), numeric: true),
      .init("done", w("Done", "已完成"), numeric: true), .init("done_late", w("Done late", "逾期完成"), numeric: true),
    ])
    for owner in byOwner.keys.sorted() {
      let counts = byOwner[owner]!
      owners.rows.append([
        .text(context.name("staff", owner)), .int(counts.open), .int(counts.overdue), .int(counts.done),
        .int(counts.late),
      ])
    }

    // The meetings and their decisions; with a filter, the meetings the people were at or
    // were expected at.
    var held = ReportTable(columns: [
      .init("date", w("Date", "日期")), .init("kind", w("Kind", "类型")), .init("title", w("Title", "标题")),
      .init("chair", w("Chair", "主持人")),
      .init("attended", w("Attended", "出席"), numeric: true), .init("absent", w("Absent", "缺席"), numeric: true),
    ])
    var decisions = ReportTable(columns: [
      .init("date", w("Date", "日期")), .init("kind", w("Kind", "类型")), .init("meeting", w("Meeting", "会议")),
      .init("decision", w("Decision", "决议")),
    ])
    for id in meetings {
      let value = minutes[id]!
      let people = [value.string("chair")].compactMap { $0 } + value.strings("attendees") + value.strings("absentees")
      if (context.team != nil || context.owner != nil) && !people.contains(where: kept) { continue }
      let date = value.date("date")!
      let kind = kinds.label(value.string("kind") ?? "")
      let title = value.string("title") ?? id
      held.rows.append([
        .date(date), .text(kind), .text(title), .text(value.string("chair").map { context.name("staff", $0) } ?? ""),
        .int(Set(value.strings("attendees")).count), .int(Set(value.strings("absentees")).count),
      ])
      for decision in value.strings("decisions") {
        decisions.rows.append([.date(date), .text(kind), .text(title), .text(decision)])
      }
    }

    let filters = [context.team, context.owner.map { context.name("staff", $0) }].compactMap { $0 }
    return Report(
      name: name,
      title: w("Meetings", "会议") + " \(period.label)"
        + (filters.isEmpty ? "" : " (\(filters.joined(separator: ", ")))"),
      commit: context.commit.hex, commitDate: context.commitDate, scope: period.label,
      sections: [
        ReportSection(
          key: "attendance", title: w("Attendance \(period.label)", "出勤 \(period.label)"), table: attendance,
          chart: chart,
          notes: [
            w(
              "attendance rate = attended ÷ (attended + absent), over the \(meetings.count) meetings dated in \(period.label)",
              "出勤率 = 出席 ÷ (出席 + 缺席)，按 \(period.label) 内的 \(meetings.count) 次会议统计")
          ]),
        ReportSection(
          key: "action_items_by_owner", title: w("Action items by owner", "各负责人的行动项"), table: owners,
          notes: [
            w(
              "open: not done or cancelled by the end of \(cutoff); overdue: open and due before \(cutoff) (the period's end, or today if earlier); done: closed in \(period.label), late when after its due day",
              "未完成：截至 \(cutoff) 日终既未完成也未取消；逾期：未完成且截止日期早于 \(cutoff)（期间结束日，或更早的今天）；已完成：在 \(period.label) 内关闭，晚于截止日期则为逾期完成"
            ),
            w(
              "an item is closed on its done_on day, else on the day of the commit that set it to done; an item set back to open counts as open from the day it was, and as closed before",
              "行动项在 done_on 当天关闭，否则在将其设为完成的提交当天关闭；重新打开的行动项从重新打开当天起算未完成，此前算已关闭"
            ),
          ]),
        ReportSection(
          key: "action_items",
          title: w("Action items open, overdue or closed in \(period.label)", "\(period.label) 未完成、逾期或已关闭的行动项"),
          table: list),
        ReportSection(key: "meetings", title: w("Meetings \(period.label)", "会议 \(period.label)"), table: held),
        ReportSection(key: "decisions", title: w("Decisions \(period.label)", "决议 \(period.label)"), table: decisions),
      ], language: context.language)
  }

  /// For each minutes record and action item (by position, as the history diffs lists
  /// without keys), the item's versions in the first-parent history: its status and
  /// `done_on`, each with the day of the commit that set them.
  static func statusTimelines(_ context: ReportContext) throws -> [String: [Int: [ItemVersion]]] {
    var timelines: [String: [[ItemVersion]]] = [:]
    let itemsPath = FieldPath([.key("action_items")])
    for (index, commit) in context.commits.enumerated() {
      let day = context.commitDays[index]
      for change in commit.records where change.type == "minutes" {
        var value: Value?
        switch change.kind {
        case .removed:
          timelines[change.id] = nil
          continue
        case .added:
          value = change.value
        case .renamed:
          if change.oldType == "minutes", let oldID = change.oldID {
            timelines[change.id] = timelines.removeValue(forKey: oldID)
          }
          if change.fields.isEmpty { continue }
        case .modified:
          break
        }
        if value == nil {
          guard change.fields.contains(where: { $0.path.components.first == itemsPath.components.first }) else {
            continue
          }
          value = try context.history.value(after: change)
        }
        let before = timelines[change.id] ?? []
        timelines[change.id] = (value?.items("action_items") ?? []).enumerated().map { position, item in
          let version = ItemVersion(
            status: item.string("status") ?? "open", doneOn: item.date("done_on"), since: day)
          var versions = position < before.count ? before[position] : []
          if versions.last?.status != version.status || versions.last?.doneOn != version.doneOn {
            versions.append(version)
          }
          return versions
        }
      }
    }
    var result: [String: [Int: [ItemVersion]]] = [:]
    for (id, items) in timelines {
      for (position, versions) in items.enumerated() { result[id, default: [:]][position] = versions }
    }
    return result
  }
}
