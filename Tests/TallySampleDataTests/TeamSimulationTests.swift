import Foundation
import TallySampleData
import TallyText
import Testing

@Suite("Team simulation")
struct TeamSimulationTests {
  @Test func isDeterministic() {
    let again = TeamSimulation()
    #expect(again.events == simulation.events)
    #expect(again.finalState == simulation.finalState)
    let other = TeamSimulation(seed: 7)
    #expect(other.events != simulation.events)
    let otherAgain = TeamSimulation(seed: 7)
    #expect(other.events == otherAgain.events)
    #expect(other.finalState == otherAgain.finalState)
  }

  @Test func historyHasTheRightShape() throws {
    let events = simulation.events
    #expect(events.count >= 320)
    #expect(Set(events.map(\.authorEmail)).count >= 10)
    let viaTally = events.filter { $0.via == .tally }.count
    #expect(Double(viaTally) / Double(events.count) > 0.35)
    #expect(Double(viaTally) / Double(events.count) < 0.65)
    let stamp = try Regex("^2026-(0[5-9]|10)-[0-3][0-9]T([01][0-9]|2[0-3]):[0-5][0-9]:00\\+08:00$")
    var previous = ""
    for event in events {
      #expect((1...5).contains(event.changes.count), "\(event.message)")
      #expect(Set(event.changes.map(\.path)).count == event.changes.count)
      #expect(event.timestamp.wholeMatch(of: stamp) != nil, "\(event.timestamp)")
      #expect(event.timestamp > previous, "\(event.timestamp) after \(previous)")
      previous = event.timestamp
      #expect(!event.message.isEmpty)
      #expect(event.timestamp >= TeamSimulation.firstDay && event.timestamp <= TeamSimulation.lastDay + "T99")
    }
    // Commits are made on weekdays.
    for event in events {
      let parts = event.timestamp.prefix(10).split(separator: "-").map { Int($0)! }
      var y = parts[0]
      var m = parts[1]
      if m < 3 {
        m += 12
        y -= 1
      }
      let weekday = (parts[2] + 13 * (m + 1) / 5 + y + y / 4 - y / 100 + y / 400) % 7  // 0 = Saturday
      #expect(weekday >= 2, "\(event.timestamp) is on a weekend")
    }
  }

  /// The whole history, replayed and checked commit by commit by Tally's own checks.
  @Test func everyCommitLeavesAValidRepository() throws {
    let checker = HistoryReplay(checks: ShippedChecks(repository: try shippedSchemaRepository()))
    for event in simulation.events { checker.apply(event) }
    #expect(checker.commit == simulation.events.count)
    #expect(checker.problems.isEmpty, "\(checker.problems.prefix(30).joined(separator: "\n"))")
    #expect(checker.contents == simulation.finalState)

    // The stories the simulation tells.
    let seen = checker.transitionsSeen
    for transition in [
      "customer lead -> prospect", "customer prospect -> active", "customer prospect -> lead",
      "customer active -> dormant", "customer dormant -> active", "customer churned -> lead",
      "staff active -> left", "staff active -> on_leave", "staff on_leave -> active",
      "action_item open -> done", "action_item open -> cancelled", "action_item done -> open",
    ] {
      #expect(seen.contains(transition), "never happens: \(transition)")
    }
    #expect(seen.contains { $0.hasPrefix("customer") && $0.hasSuffix("-> churned") })
    let backAndForth = checker.statusHistory.values.contains { statuses in
      var compact: [String] = []
      for status in statuses where compact.last != status { compact.append(status) }
      return zip(compact, zip(compact.dropFirst(), compact.dropFirst(2))).contains {
        $0.0 == "prospect" && $0.1.0 == "lead" && $0.1.1 == "prospect"
      }
    }
    #expect(backAndForth, "no customer goes prospect -> lead -> prospect")
    // A customer changes owner while the old owner stays: a move, not a handover.
    let staffStatus = Dictionary(
      uniqueKeysWithValues: records(simulation.finalState, under: "staff/").map {
        (String($0.path.dropFirst(6).dropLast(5)), $0.value["status"]?.text ?? "")
      })
    let moved = checker.ownerHistory.values.contains { owners in
      zip(owners, owners.dropFirst()).contains { $0.owner != $1.owner && staffStatus[$0.owner] != "left" }
    }
    #expect(moved)
    #expect(simulation.events.contains { $0.changes.contains { $0.content == nil } }, "no record is ever deleted")
  }

  @Test func finalTeamAndRecords() {
    let state = simulation.finalState
    let staff = records(state, under: "staff/")
    func active(_ role: String) -> Int {
      staff.filter { $0.value["role"]?.text == role && $0.value["status"]?.text == "active" }.count
    }
    #expect(active("manager") >= 1)
    #expect(active("supervisor") >= 2)
    #expect(active("team_lead") >= 4)
    #expect(active("sales_rep") >= 20)
    #expect(active("cs_rep") >= 4)
    #expect(staff.filter { $0.value["status"]?.text == "left" && $0.value["left"] != nil }.count >= 1)
    #expect(staff.contains { ($0.value["joined"]?.text ?? "") >= TeamSimulation.firstDay })

    let customers = records(state, under: "customers/")
    #expect(customers.count >= 150)
    let industries = Set(customers.compactMap { $0.value["industry"]?.text })
    #expect(industries.count == 10)
    let tiers = Set(customers.compactMap { $0.value["tier"]?.text })
    #expect(tiers == ["A", "B", "C"])
    let statuses = Set(customers.compactMap { $0.value["status"]?.text })
    #expect(statuses == ["lead", "prospect", "active", "dormant", "churned"])

    let plans = records(state, under: "plans/")
    for team in ["华东一组", "华东二组", "华东三组", "华东四组"] {
      for kind in ["sales", "expansion"] {
        #expect(
          plans.contains {
            $0.value["period"]?.text == "2026-Q3" && $0.value["kind"]?.text == kind
              && $0.value["scope"]?["team"]?.text == team
          }, "no \(kind) plan for \(team) in 2026-Q3")
      }
    }
    let periods = Set(plans.compactMap { $0.value["period"]?.text })
    #expect(periods.isSuperset(of: ["2026-Q2", "2026-Q3", "2026-Q4"]))
    #expect(plans.contains { $0.value["scope"]?["person"] != nil })
    let minutes = records(state, under: "minutes/")
    #expect(minutes.count >= 30)
    let kinds = Set(minutes.compactMap { $0.value["kind"]?.text })
    #expect(kinds.isSuperset(of: ["weekly", "monthly_review", "training"]))
    #expect(state.keys.contains { $0.hasPrefix("minutes/") && $0.hasSuffix("-weekly-east4.yaml") })
  }

  @Test func plansAppearWhenTheyShould() {
    func firstCommit(of prefix: String) -> String? {
      simulation.events.first { $0.changes.contains { $0.path.hasPrefix(prefix) } }?.timestamp
    }
    #expect(firstCommit(of: "plans/P-2026Q2-")?.hasPrefix(TeamSimulation.firstDay) == true)
    #expect(firstCommit(of: "plans/P-2026Q3-")?.hasPrefix("2026-07-0") == true)
    #expect(firstCommit(of: "plans/P-2026Q4-")?.hasPrefix("2026-10") == true)
    #expect(simulation.events.first?.changes.allSatisfy { $0.path.hasPrefix("staff/") } == true)
  }

  @Test func finalStateIsValidAndCanonical() throws {
    let problems = ShippedChecks(repository: try shippedSchemaRepository()).problems(in: simulation.finalState)
    #expect(problems.isEmpty, "\(problems.prefix(20).joined(separator: "\n"))")
    for (path, content) in simulation.finalState.sorted(by: { $0.key < $1.key }) {
      let text = String(decoding: content, as: UTF8.self)
      #expect(!text.contains(": ''") && !text.contains(": []"), "\(path) has an empty value")
      // Typed values are plain: `date: 2026-05-06`, `amount: 12800.00`, `phone: '13800138000'`.
      for key in ["date", "joined", "due", "done_on", "next_contact", "amount", "target", "hours"] {
        #expect(!text.contains("\(key): '"), "\(path): \(key) is quoted")
      }
      #expect(!text.contains("phone: 1"), "\(path): a phone is not quoted")
    }
  }

  @Test func jsonLinesRoundTrip() throws {
    for event in simulation.events.prefix(60) + simulation.events.filter({ $0.changes.contains { $0.content == nil } })
    {
      let line = event.jsonLine
      #expect(!line.contains("\n"))
      let object = try #require(
        try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
      #expect(object["timestamp"] as? String == event.timestamp)
      #expect(object["author_name"] as? String == event.authorName)
      #expect(object["author_email"] as? String == event.authorEmail)
      #expect(object["message"] as? String == event.message)
      #expect(object["via"] as? String == event.via.rawValue)
      let changes = try #require(object["changes"] as? [[String: Any]])
      #expect(changes.count == event.changes.count)
      for (json, change) in zip(changes, event.changes) {
        #expect(json["path"] as? String == change.path)
        if let content = change.content {
          #expect(json["content"] as? String == String(decoding: content, as: UTF8.self))
        } else {
          #expect(json["content"] is NSNull)
        }
      }
    }
  }
}
