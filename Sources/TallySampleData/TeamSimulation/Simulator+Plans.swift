import TallySchema

/// Plans: quarterly sales, expansion and training plans, onboarding plans for newcomers,
/// and the progress of their steps.
extension Simulator {
  static let quarterNames = ["", "第一季度", "第二季度", "第三季度", "第四季度"]

  func addPlan(_ plan: Plan) {
    planIndex[plan.id] = plans.count
    plans.append(plan)
  }

  static func quarterRange(_ quarter: Int) -> (CivilDate, CivilDate) {
    let start = CivilDate(year: 2026, month: quarter * 3 - 2, day: 1)
    let end =
      quarter == 4
      ? CivilDate(year: 2026, month: 12, day: 31)
      : CivilDate(year: 2026, month: quarter * 3 + 1, day: 1).adding(days: -1)
    return (start, end)
  }

  /// The days a plan's period covers: `2026-Q3` or `2026-07`.
  static func periodRange(_ period: String) -> (CivilDate, CivilDate) {
    let parts = period.split(separator: "-")
    if parts[1].hasPrefix("Q") { return quarterRange(Int(parts[1].dropFirst())!) }
    let month = Int(parts[1])!
    return (
      CivilDate(year: 2026, month: month, day: 1),
      (month == 12 ? CivilDate(year: 2027, month: 1, day: 1) : CivilDate(year: 2026, month: month + 1, day: 1)).adding(
        days: -1)
    )
  }

  func nextPlanID(_ periodCode: String) -> String {
    let count = plans.filter { $0.id.hasPrefix("P-\(periodCode)-") }.count + 1
    return "P-\(periodCode)-\(twoDigits(count))"
  }

  /// Steps due before today are done already; the rest are still to do.
  func step(_ what: String, who: String, due: CivilDate) -> Plan.Step {
    let due = due.skippingWeekend
    var step = Plan.Step(what: what, who: who, due: due)
    if due < today {
      step.status = "done"
      step.doneOn = due.adding(days: -rng.below(3)).rollingBackFromWeekend
    } else if due <= today.adding(days: 7) && rng.chance(50) {
      step.status = "doing"
    }
    return step
  }

  /// A supervisor writes the sales and expansion plans of their two teams.
  func writeQuarterPlans(quarter: Int, supervisor: String) {
    var paths: [String] = []
    for team in teams where team.supervisor == supervisor {
      let sales = salesPlan(team, quarter: quarter)
      addPlan(sales)
      let expansion = expansionPlan(team, quarter: quarter)
      addPlan(expansion)
      paths += [sales.path, expansion.path]
    }
    let names = teams.filter { $0.supervisor == supervisor }.map(\.name)
    commit(
      supervisor,
      say(
        supervisor, "2026年\(Self.quarterNames[quarter])销售计划和客户拓展计划（\(names.joined(separator: "、"))）",
        "Q\(quarter) 2026 sales and expansion plans for \(teams.filter { $0.supervisor == supervisor }.map(\.code).joined(separator: ", "))"
      ),
      paths)
  }

  func salesPlan(_ team: Team, quarter: Int) -> Plan {
    let (start, _) = Self.quarterRange(quarter)
    let reps = sellers(of: team.code).filter { $0.role == "sales_rep" }
    var targets: [Plan.Target] = []
    for rep in reps {
      let newcomer = rep.joined > today.adding(days: -60)
      let amount = newcomer ? rng.int(in: 6...10) * 10_000 : rng.int(in: 12...30) * 10_000
      targets.append(Plan.Target(metric: "revenue", target: String(amount), assignee: rep.id))
    }
    targets.append(Plan.Target(metric: "new_customers", target: String(reps.count * 2), assignee: team.lead))
    let candidates: [(String, String, Int)] = [
      ("整理 A 类客户名单并分配", team.lead, 9), ("完成新版话术培训", team.lead, 20),
      ("A 类客户续费谈判", reps.first?.id ?? team.lead, 40), ("季度中期业绩复盘", team.lead, 45),
      ("意向客户逐一回访，推动签约", reps.last?.id ?? team.lead, 70),
      ("季度末冲刺：跟进全部报价中的客户", team.lead, 84),
    ]
    let steps = rng.distinct(rng.int(in: 4...5), of: candidates).sorted { $0.2 < $1.2 }
      .map { step($0.0, who: $0.1, due: start.adding(days: $0.2)) }
    return Plan(
      id: nextPlanID("2026Q\(quarter)"), title: "2026年\(Self.quarterNames[quarter])\(team.name)销售计划", kind: "sales",
      period: "2026-Q\(quarter)", owner: team.lead, scopeTeam: team.name, targets: targets,
      strategy: rng.distinct(
        rng.int(in: 2...3),
        of: [
          "重点跟进 A 类客户的续约和增购。", "每周二、四集中外呼新线索。", "报价超过九折需组长审批。",
          "新客户首单以标准版为主，降低决策门槛。", "用老客户案例带动转介绍。", "沉睡客户每月至少回访一次。",
        ]), steps: steps)
  }

  func expansionPlan(_ team: Team, quarter: Int) -> Plan {
    let (start, _) = Self.quarterRange(quarter)
    let reps = sellers(of: team.code).filter { $0.role == "sales_rep" }
    var targets: [Plan.Target] = []
    for rep in reps {
      targets.append(Plan.Target(metric: "new_customers", target: String(rng.int(in: 3...6)), assignee: rep.id))
    }
    for rep in reps {
      targets.append(Plan.Target(metric: "follow_ups", target: String(rng.int(in: 8...15) * 10), assignee: rep.id))
    }
    var candidates: [(String, String, Int)] = [
      ("整理老客户转介绍名单", reps.first?.id ?? team.lead, 15), ("沉睡客户唤醒专项", team.lead, 35),
      ("官网线索 24 小时内回访机制", reps.last?.id ?? team.lead, 25), ("梳理重点行业客户名单", team.lead, 10),
      ("季度新客户复盘", team.lead, 80),
    ]
    if quarter == 2 && (team.code == "east1" || team.code == "east2") {
      candidates.append(("参加上海国际客户服务产业展（6月10日—12日）", team.supervisor, 72))
    }
    if quarter == 3 && (team.code == "east3" || team.code == "east4") {
      candidates.append(("参加杭州数字经济博览会（9月16日）", team.supervisor, 77))
    }
    let steps = rng.distinct(rng.int(in: 3...5), of: candidates).sorted { $0.2 < $1.2 }
      .map { step($0.0, who: $0.1, due: start.adding(days: $0.2)) }
    let cities = rng.distinct(2, of: Vocabulary.cities.map(\.0))
    let industries = rng.distinct(2, of: ["零售", "制造", "教育", "医疗", "物流", "餐饮", "贸易"])
    return Plan(
      id: nextPlanID("2026Q\(quarter)"), title: "2026年\(Self.quarterNames[quarter])\(team.name)客户拓展计划",
      kind: "expansion", period: "2026-Q\(quarter)", owner: team.supervisor, scopeTeam: team.name, targets: targets,
      strategy: [
        "重点开发\(cities.joined(separator: "、"))的\(industries.joined(separator: "、"))行业客户。",
        "每人每周至少新增 3 条有效线索，展会线索一周内全部回访。",
      ], steps: steps)
  }

  /// The centre's training plan for a quarter, written by the manager.
  func writeTrainingPlan(quarter: Int) {
    let (start, _) = Self.quarterRange(quarter)
    let topics: [(String, String, CivilDate)]
    switch quarter {
    case 2:
      topics = [
        ("CRM 系统操作复训", "S-0002", CivilDate(year: 2026, month: 4, day: 20)),
        ("大客户谈判技巧分享", "S-0003", CivilDate(year: 2026, month: 5, day: 28)),
        ("新人带教安排", teams[0].lead, CivilDate(year: 2026, month: 6, day: 10)),
      ]
    case 3:
      topics = [
        ("智能客服系统2.0新功能培训（一组、二组）", "S-0002", CivilDate(year: 2026, month: 7, day: 15)),
        ("智能客服系统2.0新功能培训（三组、四组）", "S-0003", CivilDate(year: 2026, month: 7, day: 16)),
        ("培训考核结果登记", teams[2].lead, CivilDate(year: 2026, month: 7, day: 24)),
        ("投诉处理与服务规范培训", "S-0003", CivilDate(year: 2026, month: 9, day: 9)),
      ]
    default:
      topics = [
        ("年底冲刺话术培训", "S-0002", CivilDate(year: 2026, month: 11, day: 10)),
        ("续费谈判案例分享", "S-0003", CivilDate(year: 2026, month: 12, day: 1)),
      ]
    }
    let plan = Plan(
      id: nextPlanID("2026Q\(quarter)"), title: "2026年\(Self.quarterNames[quarter])培训计划", kind: "training",
      period: "2026-Q\(quarter)", owner: "S-0001", scopeTeam: Vocabulary.centre,
      targets: teams.map {
        Plan.Target(metric: "training_hours", target: rng.pick(["6", "8", "12"]), assignee: $0.lead)
      },
      strategy: ["每月至少一次集中培训，培训后一周内考核。"],
      steps: topics.map { step($0.0, who: $0.1, due: max($0.2, start)) })
    addPlan(plan)
    commit(
      "S-0001", say("S-0001", "2026年\(Self.quarterNames[quarter])培训计划", "Q\(quarter) 2026 training plan"),
      [plan.path])
  }

  /// A lead writes a newcomer's first-month plan: a plan for one person.
  func onboardingPlan(_ newcomer: String) {
    let person = member(newcomer)
    let code = person.teamCode!
    let lead = team(code).lead
    let period = "2026-\(twoDigits(person.joined.month))"
    let joined = person.joined
    var targets = [Plan.Target(metric: "training_hours", target: "24", assignee: newcomer)]
    if person.role == "sales_rep" {
      targets.append(Plan.Target(metric: "follow_ups", target: "60", assignee: newcomer))
    }
    let plan = Plan(
      id: nextPlanID("2026M\(twoDigits(person.joined.month))"), title: "新员工入职计划（\(person.name)）", kind: "training",
      period: period, owner: lead, scopePerson: newcomer, targets: targets,
      strategy: ["第一个月以熟悉产品和跟听为主，第三周开始独立联系客户。"],
      steps: [
        step("熟悉产品和报价体系", who: newcomer, due: joined.adding(days: 5)),
        step(person.role == "sales_rep" ? "跟听老员工电话 10 通" : "跟听投诉处理电话 10 通", who: newcomer, due: joined.adding(days: 8)),
        step(person.role == "sales_rep" ? "独立完成首次客户演示" : "独立处理首个投诉", who: newcomer, due: joined.adding(days: 20)),
        step("入职一个月评估", who: lead, due: joined.adding(days: 28)),
      ])
    addPlan(plan)
    commit(
      lead, say(lead, "\(person.name)的入职计划", "Onboarding plan for \(person.name)"), [plan.path])
  }

  /// Owners review their plans now and then: steps start, get done, and when the period is
  /// over the rest are closed.
  func updatePlans() {
    var byOwner: [(String, [Int])] = []
    for p in plans.indices {
      let (start, end) = Self.periodRange(plans[p].period)
      guard today >= start.adding(days: 7), today <= end.adding(days: 14) else { continue }
      let owner = plans[p].owner
      guard member(owner).isActive else { continue }
      let closing = today > end
      let open = plans[p].steps.contains { $0.status == "todo" || $0.status == "doing" }
      guard open else { continue }
      let dueSoon = plans[p].steps.contains {
        ($0.status == "todo" || $0.status == "doing") && $0.due <= today.adding(days: 1)
      }
      let looks = closing ? rng.chance(50) || today >= end.adding(days: 9) : rng.chance(dueSoon ? 35 : 4)
      guard looks else { continue }
      var changed = false
      for s in plans[p].steps.indices where ["todo", "doing"].contains(plans[p].steps[s].status) {
        let due = plans[p].steps[s].due
        if closing {
          if rng.chance(85) {
            plans[p].steps[s].status = "done"
            plans[p].steps[s].doneOn = min(today, max(due, end.adding(days: -rng.below(5)).rollingBackFromWeekend))
          } else {
            plans[p].steps[s].status = "cancelled"
          }
          changed = true
        } else if due <= today.adding(days: 2) && (rng.chance(60) || due < today.adding(days: -7)) {
          plans[p].steps[s].status = "done"
          plans[p].steps[s].doneOn = today
          changed = true
        } else if plans[p].steps[s].status == "todo" && due <= today.adding(days: 10) && rng.chance(50) {
          plans[p].steps[s].status = "doing"
          changed = true
        }
      }
      guard changed else { continue }
      if let k = byOwner.firstIndex(where: { $0.0 == owner }) {
        byOwner[k].1.append(p)
      } else {
        byOwner.append((owner, [p]))
      }
    }
    for (owner, indices) in byOwner {
      for chunk in stride(from: 0, to: indices.count, by: 5) {
        let part = Array(indices[chunk..<min(chunk + 5, indices.count)])
        let ids = part.map { plans[$0].id }
        let closing = part.allSatisfy { today > Self.periodRange(plans[$0].period).1 }
        commit(
          owner,
          closing
            ? say(
              owner, "关闭计划剩余步骤：\(list(ids, chinese: true))", "Close remaining plan steps: \(list(ids, chinese: false))")
            : say(owner, "更新计划进度：\(list(ids, chinese: true))", "Update plan progress: \(list(ids, chinese: false))"),
          part.map { plans[$0].path })
      }
    }
  }

  /// When someone leaves, their targets and open steps in current plans go to a colleague.
  func reassignPlanWork(from leaver: String, to taker: String) {
    var byOwner: [(String, [Int])] = []
    for p in plans.indices where Self.periodRange(plans[p].period).1 >= today.adding(days: 7) {
      var changed = false
      var targets = plans[p].targets
      for i in targets.indices where targets[i].assignee == leaver {
        changed = true
        if let k = targets.firstIndex(where: { $0.assignee == taker && $0.metric == targets[i].metric }) {
          // The taker has a target of the same kind: it grows by the leaver's.
          targets[k].target = String(Int(targets[k].target)! + Int(targets[i].target)!)
          targets[i].assignee = ""
        } else {
          targets[i].assignee = taker
        }
      }
      targets.removeAll { $0.assignee.isEmpty }
      plans[p].targets = targets
      for s in plans[p].steps.indices
      where plans[p].steps[s].who == leaver && ["todo", "doing"].contains(plans[p].steps[s].status) {
        plans[p].steps[s].who = taker
        changed = true
      }
      guard changed else { continue }
      let owner = plans[p].owner
      if let k = byOwner.firstIndex(where: { $0.0 == owner }) {
        byOwner[k].1.append(p)
      } else {
        byOwner.append((owner, [p]))
      }
    }
    let leaverName = member(leaver).name
    let takerName = member(taker).name
    for (owner, indices) in byOwner {
      commit(
        owner,
        say(owner, "\(leaverName)离职，计划目标和步骤转给\(takerName)", "Move \(leaverName)'s targets and steps to \(takerName)"),
        indices.prefix(5).map { plans[$0].path })
    }
  }
}
