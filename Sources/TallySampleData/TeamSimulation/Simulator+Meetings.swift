import TallySchema

/// Meeting minutes: weekly team meetings, monthly reviews, trainings; action items that are
/// closed in later commits.
extension Simulator {
  /// Adds minutes (not yet committed).
  func addMinutes(_ record: Minutes) {
    minutesIndex[record.id] = minutes.count
    minutes.append(record)
  }

  /// A team's weekly meeting on the first working day of the week; the lead (sometimes a
  /// rep taking notes) commits the minutes, often closing last week's action items with them.
  func weeklyMeeting(_ team: Team) {
    guard rng.chance(92) else { return }
    let lead = team.lead
    let everyone = staff.filter {
      $0.teamCode == team.code && $0.role != "team_lead" && $0.status != "left" && $0.joined <= today
    }
    var absentees = everyone.filter { $0.status == "on_leave" }.map(\.id)
    var attendees = [lead]
    for person in everyone where person.status == "active" {
      if rng.chance(6) { absentees.append(person.id) } else { attendees.append(person.id) }
    }
    if rng.chance(15) { attendees.insert(team.supervisor, at: 1) }
    let id = "\(today.description)-weekly-\(team.code)"
    var record = Minutes(
      id: id, date: today, kind: "weekly", title: "\(team.name)周会", chair: lead, attendees: attendees,
      absentees: absentees)
    record.agenda = ["上周业绩回顾"] + rng.distinct(rng.int(in: 1...3), of: Array(Vocabulary.weeklyAgenda.dropFirst()))

    // What happened last week, from the records.
    let from = today.adding(days: -7)
    let teamCustomers = customers.indices.filter { !customers[$0].deleted && teamCode(ofCustomer: $0) == team.code }
    var calls = 0
    var sold = 0
    var orders = 0
    var fresh = 0
    for index in teamCustomers {
      calls += customers[index].followUps.filter { $0.date >= from && $0.date < today }.count
      for order in customers[index].orders where order.date >= from && order.date < today {
        orders += 1
        sold += order.amount
      }
      if let created = createdOn[customers[index].id], created >= from, created < today { fresh += 1 }
    }
    let prospects = teamCustomers.filter { customers[$0].status == "prospect" }
    var notes = ["上周跟进客户 \(calls) 次，新增客户档案 \(fresh) 个。"]
    notes.append(
      orders > 0
        ? "成交 \(orders) 单，金额约 \(yuanText(sold)) 元。" : "上周没有成交，意向客户 \(prospects.count) 个在推进。")
    let demo = prospects.filter { (customers[$0].nextContact ?? firstDay) >= today }.first
    if let demo { notes.append("\(customers[demo].shortName)约了本周演示，\(member(customers[demo].owner).name)负责。") }
    let complaints = teamCustomers.filter { customers[$0].complaints.contains { $0.resolvedOn == nil } }
    if !complaints.isEmpty { notes.append("还有 \(complaints.count) 个客户的投诉没有处理完。") }
    for absent in absentees {
      notes.append("\(member(absent).name)\(member(absent).status == "on_leave" ? "休假中" : "请假")。")
    }
    record.notes = notes

    var decisions = rng.distinct(rng.int(in: 1...2), of: Vocabulary.genericDecisions)
    if let demo {
      decisions.insert(
        "\(customers[demo].shortName)的演示由\(member(customers[demo].owner).name)负责，\(member(lead).name)支持", at: 0)
    }
    record.decisions = decisions

    let reps = attendees.filter { member($0).role == "sales_rep" }
    var items: [Minutes.ActionItem] = []
    if let demo, member(customers[demo].owner).isActive {
      items.append(
        Minutes.ActionItem(
          task: "准备\(customers[demo].shortName)的演示材料", owner: customers[demo].owner,
          due: today.adding(days: rng.int(in: 1...3)).skippingWeekend))
    }
    if let service = attendees.first(where: { member($0).role == "cs_rep" }), let c = complaints.first {
      items.append(
        Minutes.ActionItem(
          task: "回访\(customers[c].shortName)的投诉处理进度", owner: service, due: today.adding(days: 2).skippingWeekend))
    }
    if items.count < 3, !reps.isEmpty {
      let owner = rng.pick(reps)
      items.append(
        Minutes.ActionItem(
          task: rng.pick(["整理本周新线索并分配", "更新意向客户报价单", "完成本周沉睡客户回访", "整理本月成交客户清单"]),
          owner: rng.chance(30) ? lead : owner, due: today.adding(days: rng.int(in: 2...4)).skippingWeekend))
    }
    record.actionItems = items
    addMinutes(record)

    // Last week's items that are done by now are closed in the same commit.
    var paths = [record.path]
    let earlier = minutes.indices.filter { minutes[$0].id.hasSuffix(team.code) && minutes[$0].date < today }
    for m in earlier.suffix(4) {
      var changed = false
      for a in minutes[m].actionItems.indices where minutes[m].actionItems[a].status == "open" {
        if rng.chance(75) {
          minutes[m].actionItems[a].status = "done"
          minutes[m].actionItems[a].doneOn = max(
            minutes[m].actionItems[a].due.adding(days: -rng.below(2)).rollingBackFromWeekend, minutes[m].date)
          if minutes[m].actionItems[a].doneOn! > today { minutes[m].actionItems[a].doneOn = today }
          changed = true
        }
      }
      if changed { paths.append(minutes[m].path) }
    }
    let author = rng.chance(85) || reps.isEmpty ? lead : rng.pick(reps)
    let closing = paths.count > 1
    commit(
      author,
      say(
        author, "\(team.name)周会纪要 \(today.chinese)\(closing ? "，关闭上周待办" : "")",
        "Weekly minutes \(team.code) \(today.description)\(closing ? ", close last week's items" : "")"),
      paths)
  }

  /// Open action items whose due day has come are closed (sometimes cancelled) by their owner
  /// or the lead.
  func closeActionItems() {
    var byAuthor: [(String, [Int])] = []
    for m in minutes.indices {
      let due = minutes[m].actionItems.contains { $0.status == "open" && $0.due <= today.adding(days: 1) }
      guard due, rng.chance(20) else { continue }
      let item = minutes[m].actionItems.first { $0.status == "open" && $0.due <= today.adding(days: 1) }!
      let author = member(item.owner).isActive ? item.owner : minutes[m].chair
      guard member(author).isActive else { continue }
      for a in minutes[m].actionItems.indices
      where minutes[m].actionItems[a].status == "open" && minutes[m].actionItems[a].due <= today.adding(days: 1)
        && (minutes[m].actionItems[a].owner == author || author == minutes[m].chair)
      {
        if rng.chance(88) {
          minutes[m].actionItems[a].status = "done"
          minutes[m].actionItems[a].doneOn = today
        } else {
          minutes[m].actionItems[a].status = "cancelled"
        }
      }
      if let k = byAuthor.firstIndex(where: { $0.0 == author }) {
        byAuthor[k].1.append(m)
      } else {
        byAuthor.append((author, [m]))
      }
    }
    for (author, records) in byAuthor {
      for chunk in stride(from: 0, to: records.count, by: 5) {
        let part = Array(records[chunk..<min(chunk + 5, records.count)])
        let tasks = part.flatMap { m in minutes[m].actionItems.filter { $0.doneOn == today }.map(\.task) }
        commit(
          author,
          say(
            author, tasks.count == 1 ? "完成待办：\(tasks[0])" : "更新会议待办状态",
            tasks.count == 1 ? "Close action item: \(tasks[0])" : "Update action items"),
          part.map { minutes[$0].path })
      }
    }
  }

  /// A done item turns out not to be done after all.
  func reopenActionItem(in code: String) {
    guard
      let m = minutes.indices.last(where: {
        minutes[$0].id.hasSuffix(code) && minutes[$0].actionItems.contains { $0.status == "done" }
      })
    else { return }
    let a = minutes[m].actionItems.firstIndex { $0.status == "done" }!
    minutes[m].actionItems[a].status = "open"
    minutes[m].actionItems[a].doneOn = nil
    minutes[m].actionItems[a].due = today.adding(days: 3).skippingWeekend
    let lead = team(code).lead
    commit(
      lead,
      say(
        lead, "重新打开待办：\(minutes[m].actionItems[a].task)（客户要求修改）",
        "Reopen action item: \(minutes[m].actionItems[a].task)"),
      [minutes[m].path])
  }

  /// The monthly review of the centre, chaired by the manager and written by a supervisor.
  func monthlyReview() {
    let month = today.month
    let leads = teams.map(\.lead)
    let supervisors = ["S-0002", "S-0003"]
    var record = Minutes(
      id: "\(today.description)-monthly-review", date: today, kind: "monthly_review", title: "\(month)月业绩复盘会",
      chair: "S-0001", attendees: ["S-0001"] + supervisors + leads)
    record.agenda = ["各组业绩完成情况", "重点客户进展", "投诉和服务质量", "下月工作安排"]
    var notes: [String] = []
    var best = (name: "", amount: -1)
    for team in teams {
      let sold = ledger.filter { $0.day.month == month && member($0.rep).teamCode == team.code }
      let amount = sold.reduce(0) { $0 + $1.amount }
      notes.append("\(team.name)：成交 \(sold.count) 单，约 \(yuanText(amount)) 元。")
      if amount > best.amount { best = (team.name, amount) }
    }
    notes.append("本月\(best.name)业绩最好。")
    record.notes = notes
    record.decisions = rng.distinct(2, of: Vocabulary.monthlyDecisions)
    record.actionItems = [
      Minutes.ActionItem(
        task: "汇总各组下月重点客户名单", owner: rng.pick(supervisors), due: today.adding(days: 5).skippingWeekend),
      Minutes.ActionItem(task: "梳理本组沉睡客户并制定回访计划", owner: rng.pick(leads), due: today.adding(days: 7).skippingWeekend),
    ]
    addMinutes(record)
    let author = month % 2 == 0 ? "S-0002" : "S-0003"
    commit(
      author, say(author, "\(month)月业绩复盘会纪要", "Minutes of the \(month)/\(today.year) monthly review"),
      [record.path])
  }

  /// A training session: its minutes, then the attendees' staff records.
  func training(
    slug: String, title: String, topic: String, hours: String, chair: String, people: [String],
    recordedBy: [String: String]
  ) {
    let attendees = [chair] + people.filter { member($0).isActive && $0 != chair }
    let absentees = people.filter { member($0).status == "on_leave" }
    var record = Minutes(
      id: "\(today.description)-training-\(slug)", date: today, kind: "training", title: title, chair: chair,
      attendees: attendees, absentees: absentees)
    record.agenda = ["\(topic)讲解", "实际操作演练", "考核说明"]
    record.notes = ["培训时长 \(hours) 小时，共 \(attendees.count) 人参加。", "考核在培训后一周内完成，由组长登记结果。"]
    record.decisions = ["考核未通过的同事下周补考"]
    addMinutes(record)
    commit(chair, say(chair, "\(title)会议纪要", "Training minutes: \(title)"), [record.path])
    // Leads record the results for their teams.
    var byLead: [(String, [String])] = []
    for id in attendees where id != chair {
      let lead = recordedBy[member(id).teamCode ?? ""] ?? chair
      if let k = byLead.firstIndex(where: { $0.0 == lead }) {
        byLead[k].1.append(id)
      } else {
        byLead.append((lead, [id]))
      }
    }
    for (lead, ids) in byLead {
      recordTraining(record.id, topic: topic, hours: hours, by: lead, people: ids)
    }
  }
}
