import TallySampleData
import TallyText
import Testing

/// The checker the other tests rely on finds what it should.
@Suite("Schema checker")
struct SchemaCheckerTests {
  func file(_ type: SampleRecordType, _ text: String) -> [UInt8] {
    let value = Document.parse(text).document!.value
    return type.render(value)
  }

  @Test func findsBrokenRecordsAndTransitions() throws {
    let checker = RepositoryChecker(checker: try makeChecker())
    let manager = file(
      .staff,
      """
      name: 陈建国
      role: manager
      team: 华东销售中心
      email: chenjianguo@huadong.example
      joined: 2019-04-01
      status: active
      """)
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
    checker.apply(
      SampleEvent(
        timestamp: "", authorName: "陈建国", authorEmail: "chenjianguo@huadong.example", message: "", via: .git,
        changes: [
          SampleChange(path: "staff/S-0001.yaml", content: manager),
          SampleChange(path: "staff/S-0002.yaml", content: rep),
          SampleChange(path: "customers/C-0042.yaml", content: customer),
        ]))
    let found = checker.problems.joined(separator: "\n")
    #expect(found.contains("贸易 is not one of"))
    #expect(found.contains("new record with status dormant"))
    #expect(found.contains("next_contact 2026-03-02 not after 2026-03-09"))
    #expect(found.contains("left without a left date"))
    #expect(found.contains("a sales_rep reports to a manager"))
    #expect(found.contains("refers to S-0009, which does not exist"))
    #expect(found.contains("owner S-0002 is a sales_rep with status left"))

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
    checker.apply(
      SampleEvent(
        timestamp: "", authorName: "王芳", authorEmail: "nobody@huadong.example", message: "", via: .git,
        changes: [SampleChange(path: "customers/C-0042.yaml", content: churned)]))
    checker.apply(
      SampleEvent(
        timestamp: "", authorName: "陈建国", authorEmail: "chenjianguo@huadong.example", message: "", via: .git,
        changes: [SampleChange(path: "customers/C-0042.yaml", content: dormant)]))
    let later = checker.problems.joined(separator: "\n")
    #expect(later.contains("churned without churn_reason"))
    #expect(later.contains("status churned -> dormant is not an allowed transition"))
    #expect(later.contains("is not a staff record"))
  }
}
