import TallySampleData
import TallyText
import Testing

/// The replay the other tests rely on reports what Tally's checks find, and what only the
/// replay can see.
@Suite("History replay")
struct HistoryReplayTests {
  func file(_ type: SampleRecordType, _ text: String) -> [UInt8] {
    type.render(Document.parse(text).document!.value)
  }

  func event(_ author: (name: String, email: String), _ changes: [(String, [UInt8]?)]) -> SampleEvent {
    SampleEvent(
      timestamp: "2026-03-09T10:00:00+08:00", authorName: author.name, authorEmail: author.email, message: "",
      via: .git, changes: changes.map { SampleChange(path: $0.0, content: $0.1) })
  }

  /// The manager's staff record, and the manager as an author.
  var managerRecord: [UInt8] {
    file(
      .staff,
      """
      name: 陈建国
      role: manager
      team: 华东销售中心
      email: chenjianguo@huadong.example
      joined: 2019-04-01
      status: active
      """)
  }
  let manager = (name: "陈建国", email: "chenjianguo@huadong.example")

  @Test func reportsBrokenRecordsAndTransitions() throws {
    let replay = HistoryReplay(checks: ShippedChecks(repository: try shippedSchemaRepository()))
    let rep = file(
      .staff,
      """
      name: 王芳
      role: sales_rep
      team: 华东一组
      reports_to: S-0001
      email: wangfang@huadong.example
      joined: 2024-07-15
      status: left
      """)
    let customer = file(
      .customer,
      """
      name: 上海华信贸易有限公司
      industry: 贸易
      tier: A
      status: dormant
      owner: S-0002
      contacts:
        - name: 李强
      follow_ups:
        - date: 2026-03-09
          by: S-0009
          channel: phone
          summary: 上门演示
          next_contact: 2026-03-02
      """)
    replay.apply(
      event(
        manager,
        [
          ("staff/S-0001.yaml", managerRecord), ("staff/S-0002.yaml", rep), ("customers/C-0042.yaml", customer),
        ]))
    let found = replay.problems.joined(separator: "\n")
    #expect(found.contains("customers/C-0042.yaml:2:11: error[not-in-enum]"), "\(found)")
    #expect(found.contains("error[initial-state]: a new customer cannot start with 'status: dormant'"))
    #expect(found.contains("error[rule]: 下次联系日期必须晚于本次跟进日期"))
    #expect(found.contains("staff/S-0002.yaml:7:9: error[rule]: 离职员工必须填写离职日期"))
    #expect(found.contains("error[rule]: 销售代表和客服代表应向组长汇报"))
    #expect(found.contains("warning[rule]: 应与直属组长在同一个团队"))
    #expect(found.contains("error[broken-ref]") && found.contains("S-0009"))
    #expect(found.contains("error[ref-condition]") && found.contains("客户负责人必须是在职的销售代表或组长"))
    #expect(!found.contains("is not a staff record"))

    // A churned customer without a reason, by someone who is not on the staff; then back
    // to dormant, which the transitions do not allow.
    let churned = file(
      .customer,
      """
      name: 上海华信贸易有限公司
      industry: trade
      tier: A
      status: churned
      owner: S-0002
      contacts:
        - name: 李强
      """)
    let dormant = file(.customer, String(decoding: churned, as: UTF8.self).replacing("churned", with: "dormant"))
    replay.apply(event((name: "王芳", email: "nobody@huadong.example"), [("customers/C-0042.yaml", churned)]))
    replay.apply(event(manager, [("customers/C-0042.yaml", dormant)]))
    let later = replay.problems.joined(separator: "\n")
    #expect(later.contains("commit 2: customers/C-0042.yaml:4:9: error[rule]: 流失客户必须写明流失原因"))
    #expect(later.contains("commit 2: author 王芳 <nobody@huadong.example> is not a staff record"))
    #expect(!later.contains("commit 2: customers/C-0042.yaml:4:9: error[transition]"))
    #expect(
      later.contains(
        "commit 3: customers/C-0042.yaml:4:9: error[transition]: 'status' cannot change from 'churned' to 'dormant' (it was 'churned' in commit 2)"
      ))
    #expect(replay.transitionsSeen == ["customer dormant -> churned", "customer churned -> dormant"])
  }

  @Test func reportsWhatOnlyTheCommitsShow() throws {
    let replay = HistoryReplay(checks: ShippedChecks(repository: try shippedSchemaRepository()))
    func minutes(_ status: String) -> [UInt8] {
      file(
        .minutes,
        """
        date: 2026-03-02
        kind: weekly
        title: 周会
        chair: S-0001
        attendees: [S-0001]
        action_items:
          - task: 整理客户名单
            owner: S-0001
            due: 2026-03-06
            status: \(status)
        """)
    }
    let path = "minutes/2026-03-02-weekly-east1.yaml"
    replay.apply(event(manager, [("staff/S-0001.yaml", managerRecord), (path, minutes("cancelled"))]))
    #expect(replay.problems.isEmpty, "\(replay.problems)")
    // Reopened and done in one step: cancelled -> done is not a transition of action items.
    replay.apply(event(manager, [(path, minutes("done"))]))
    // The same bytes again, a file that does not exist, and a file out of canonical form
    // (the key order of the schema is name, role, ...).
    var lines = String(decoding: managerRecord, as: UTF8.self).split(separator: "\n").map(String.init)
    lines.swapAt(0, 1)
    let shuffled = Array((lines.joined(separator: "\n") + "\n").utf8)
    replay.apply(
      event(
        manager,
        [(path, minutes("done")), ("customers/C-0001.yaml", nil), ("staff/S-0001.yaml", shuffled)]))
    let found = replay.problems.joined(separator: "\n")
    #expect(
      found.contains(
        "commit 2: \(path): an action item's status changes from cancelled to done, which its transitions do not allow")
    )
    #expect(found.contains("error[rule]: 已完成的待办事项要写完成日期"))
    #expect(found.contains("commit 3: \(path) is in the commit but did not change"))
    #expect(found.contains("commit 3: customers/C-0001.yaml is deleted but does not exist"))
    #expect(found.contains("commit 3: staff/S-0001.yaml is not in canonical form"))
    #expect(replay.transitionsSeen == ["action_item cancelled -> done"])
  }
}
