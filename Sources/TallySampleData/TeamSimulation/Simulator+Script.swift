import TallySchema

/// The things that happen on particular days: the start, plans, people joining and leaving,
/// trainings, exhibitions, reviews.
extension Simulator {
  func scripted(_ morning: inout [() -> Void], _ daytime: inout [() -> Void], _ evening: inout [() -> Void]) {
    switch today.description {
    case "2026-05-04":
      morning.append { self.commitInitialTeam() }
      daytime.append { self.writeQuarterPlans(quarter: 2, supervisor: "S-0002") }
      daytime.append { self.writeQuarterPlans(quarter: 2, supervisor: "S-0003") }
      evening.append { self.writeTrainingPlan(quarter: 2) }
    case "2026-05-20":
      daytime.append { self.duplicate = self.addDuplicate(in: "east2") }
    case "2026-05-21":
      morning.append {
        if let d = self.duplicate {
          self.removeDuplicate(d.duplicate, original: d.original, rep: d.rep, lead: self.team("east2").lead)
        }
      }
    case "2026-06-01":
      morning.append { self.newcomers.append(self.joinAndReturn("sales_rep", "east2")) }
    case "2026-06-03":
      daytime.append { self.onboardingPlan(self.newcomers[0]) }
    case "2026-06-10":
      daytime.append { self.assignToNewcomer(self.newcomers[0]) }
    case "2026-06-15", "2026-06-16":
      // Leads met at the Shanghai customer-service expo (June 10-12).
      for code in ["east1", "east2"] {
        for rep in sellers(of: code) where rep.role == "sales_rep" && !exhibitionDone.contains(rep.id) {
          if today.description == "2026-06-16" || rng.chance(50) {
            exhibitionDone.insert(rep.id)
            daytime.append { self.newLeads(rep.id, count: self.rng.int(in: 1...3), source: "exhibition") }
          }
        }
      }
    case "2026-06-29":
      morning.append { self.handOver(self.firstLeaver, final: false) }
    case "2026-06-30":
      morning.append { self.handOver(self.firstLeaver, final: true) }
    case "2026-07-01":
      daytime.append { self.writeQuarterPlans(quarter: 3, supervisor: "S-0002") }
    case "2026-07-02":
      daytime.append { self.writeQuarterPlans(quarter: 3, supervisor: "S-0003") }
      evening.append { self.writeTrainingPlan(quarter: 3) }
    case "2026-07-06":
      morning.append { self.newcomers.append(self.joinAndReturn("sales_rep", "east1")) }
    case "2026-07-07":
      for team in teams.prefix(2) { daytime.append { self.writeReviews(period: "2026-Q2", reviewer: team.lead) } }
      daytime.append { self.onboardingPlan(self.newcomers[1]) }
    case "2026-07-08":
      for team in teams.suffix(2) { daytime.append { self.writeReviews(period: "2026-Q2", reviewer: team.lead) } }
      daytime.append { self.writeReviews(period: "2026-Q2", reviewer: "S-0002") }
      daytime.append { self.writeReviews(period: "2026-Q2", reviewer: "S-0003") }
    case "2026-07-09":
      daytime.append { self.writeReviews(period: "2026-Q2", reviewer: "S-0001") }
    case "2026-07-14":
      daytime.append { self.assignToNewcomer(self.newcomers[1]) }
    case "2026-07-15", "2026-07-16":
      let codes = today.description == "2026-07-15" ? ["east1", "east2"] : ["east3", "east4"]
      let chair = today.description == "2026-07-15" ? "S-0002" : "S-0003"
      morning.append {
        let people = self.staff.filter {
          codes.contains($0.teamCode ?? "") && ($0.role == "sales_rep" || $0.role == "team_lead")
            && $0.status != "left"
        }.map(\.id)
        var recorders: [String: String] = [:]
        for code in codes { recorders[code] = self.team(code).lead }
        self.training(
          slug: "product-v2", title: "智能客服系统2.0新功能培训", topic: "智能客服系统2.0新功能", hours: "4",
          chair: chair, people: people, recordedBy: recorders)
      }
    case "2026-07-20":
      morning.append { self.newcomers.append(self.joinAndReturn("cs_rep", "east3")) }
    case "2026-07-22":
      daytime.append { self.reopenActionItem(in: "east2") }
    case "2026-07-23":
      daytime.append { self.onboardingPlan(self.newcomers[2]) }
    case "2026-08-03":
      morning.append { self.startLeave(self.onLeave) }
    case "2026-08-12":
      daytime.append {
        let lead = self.team("east2").lead
        self.moveCustomer(from: "east2", to: lead, by: lead, reason: ("重点客户，组长亲自跟进", "key account, the lead takes it"))
      }
    case "2026-09-07":
      morning.append { self.endLeave(self.onLeave) }
    case "2026-09-09":
      morning.append {
        let people = self.staff.filter { $0.role == "cs_rep" && $0.status != "left" }.map(\.id)
        var recorders: [String: String] = [:]
        for team in self.teams { recorders[team.code] = team.lead }
        self.training(
          slug: "service", title: "投诉处理与服务规范培训", topic: "投诉处理与服务规范", hours: "3", chair: "S-0003",
          people: people, recordedBy: recorders)
      }
    case "2026-09-17":
      morning.append { self.handOver(self.secondLeaver, final: false) }
    case "2026-09-18":
      morning.append { self.handOver(self.secondLeaver, final: true) }
    case "2026-09-21", "2026-09-22":
      if today.description == "2026-09-21" {
        morning.append { self.newcomers.append(self.joinAndReturn("sales_rep", "east3")) }
      }
      // Leads met at the Hangzhou digital economy expo (September 16).
      for code in ["east3", "east4"] {
        for rep in sellers(of: code) where rep.role == "sales_rep" && !exhibitionDone.contains(rep.id) {
          if today.description == "2026-09-22" || rng.chance(50) {
            exhibitionDone.insert(rep.id)
            daytime.append { self.newLeads(rep.id, count: self.rng.int(in: 1...3), source: "exhibition") }
          }
        }
      }
      if today.description == "2026-09-22" {
        daytime.append {
          let taker = self.sellers(of: "east3").first { $0.role == "sales_rep" }!.id
          self.moveCustomer(
            from: "east1", to: taker, by: "S-0002", reason: ("客户总部迁到杭州，转华东三组跟进", "moved its head office to Hangzhou"))
        }
      }
    case "2026-09-24":
      daytime.append { self.onboardingPlan(self.newcomers[3]) }
    case "2026-09-29":
      daytime.append { self.assignToNewcomer(self.newcomers[3]) }
    case "2026-10-08":
      daytime.append { self.writeQuarterPlans(quarter: 4, supervisor: "S-0002") }
      for team in teams.prefix(2) { daytime.append { self.writeReviews(period: "2026-Q3", reviewer: team.lead) } }
    case "2026-10-09":
      daytime.append { self.writeQuarterPlans(quarter: 4, supervisor: "S-0003") }
      for team in teams.suffix(2) { daytime.append { self.writeReviews(period: "2026-Q3", reviewer: team.lead) } }
    case "2026-10-12":
      daytime.append { self.writeReviews(period: "2026-Q3", reviewer: "S-0002") }
      daytime.append { self.writeReviews(period: "2026-Q3", reviewer: "S-0003") }
      evening.append { self.writeTrainingPlan(quarter: 4) }
    case "2026-10-13":
      daytime.append { self.writeReviews(period: "2026-Q3", reviewer: "S-0001") }
    default:
      break
    }
  }

  func joinAndReturn(_ role: String, _ code: String) -> String {
    join(role, teamCode: code)
    return staff[staff.count - 1].id
  }
}
