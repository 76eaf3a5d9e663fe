import Foundation
import TallySchema
import TallyText
import Testing

@testable import TallyQuery

private enum Fixture {
  static let schema: SchemaSet = {
    let customer = """
      version: 1
      type: customer
      directory: customers
      id:
        pattern: ^C-[0-9]+$
      fields:
        name: text
        size: int
        share: percent
        vip: bool
        since: date
        owner:
          type: ref
          to: customer
        address:
          type: object
          fields:
            city: text
            zip: text
        tags:
          type: list
          items:
            type: text
        orders:
          type: list
          items:
            type: object
            fields:
              date: date
              amount: money
              lines:
                type: list
                items:
                  type: text

      """
    let (set, problems) = SchemaLoader.load(files: [("schema/customer.yaml", Array(customer.utf8))])
    precondition(!problems.hasErrors, "\(problems)")
    return set
  }()

  static func value(_ text: String) -> Value { SyntaxTree.parse(Array(text.utf8)).tree!.value }
}

@Suite("The SQL layout")
struct SQLLayoutTests {
  let layout = SQLLayout(schema: Fixture.schema)

  @Test func tablesAndColumnsFollowTheSchema() throws {
    let customer = try #require(layout.types.first)
    #expect(customer.main.name == "customer")
    #expect(
      customer.main.columns.map(\.name) == [
        "name", "size", "share", "vip", "since", "owner", "address_city", "address_zip",
      ])
    #expect(customer.lists.map(\.name) == ["customer_tags", "customer_orders"])
    #expect(customer.lists[0].scalarItems && customer.lists[0].columns.map(\.name) == ["value"])
    #expect(customer.lists[1].columns.map(\.name) == ["date", "amount", "amount_cents", "lines"])
    #expect(customer.lists[1].columns.map(\.type) == [.date, .money, .cents, .json])
  }

  @Test func valuesAreTypedAndMoneyIsExact() throws {
    let customer = try #require(layout.types.first)
    let value = Fixture.value(
      """
      name: "上海'华信\\"贸易"
      size: 120
      share: 12.5%
      vip: true
      since: 2026-03-09
      address:
        city: 上海
      tags: [a, b]
      orders:
        - date: 2026-03-10
          amount: 25600.1
          lines: [x, y]
        - date: 2026-03-11
          amount: '0.07'

      """)
    let (main, lists) = layout.rows(of: customer, id: "C-0042", value: value)
    #expect(main[0] == .text("C-0042"))
    #expect(main[1] == .text("上海'华信\"贸易"), "quotes and CJK text round-trip")
    #expect(main[2] == .integer(120))
    #expect(main[3] == .real(12.5))
    #expect(main[4] == .integer(1))
    #expect(main[5] == .text("2026-03-09"))
    #expect(main[6] == .null, "an absent reference is NULL")
    #expect(main[7] == .text("上海") && main[8] == .null)
    #expect(lists[0] == [[.text("C-0042"), .integer(0), .text("a")], [.text("C-0042"), .integer(1), .text("b")]])
    #expect(
      lists[1][0] == [
        .text("C-0042"), .integer(0), .text("2026-03-10"), .text("25600.1"), .integer(2_560_010),
        .text("[\"x\",\"y\"]"),
      ])
    #expect(lists[1][1][4] == .integer(7))
  }
}

@Suite("Read-only queries")
struct ReadOnlyQueryTests {
  func database() throws -> (SQLiteDatabase, String) {
    let path = NSTemporaryDirectory() + "tally-query-\(UUID().uuidString).sqlite"
    let writable = try SQLiteDatabase(path: path)
    try writable.execute("CREATE TABLE t (a INTEGER, b TEXT); INSERT INTO t VALUES (1, '一'), (2, '二');")
    return (try SQLiteDatabase(path: path, mode: .readOnly), path)
  }

  @Test func parametersAndComments() throws {
    let (db, path) = try database()
    defer { try? FileManager.default.removeItem(atPath: path) }
    let result = try db.query(
      "SELECT b FROM t WHERE a = :n; -- the second\n/* done */", parameters: ["n": .integer(2)], timeout: 5)
    #expect(result.rows == [[.text("二")]])
    #expect(throws: QueryError.self) { try db.query("SELECT b FROM t WHERE a = :n", timeout: 5) }
  }

  @Test(arguments: [
    "INSERT INTO t VALUES (3, 'x')", "SELECT 1; SELECT 2", "ATTACH ':memory:' AS m", "PRAGMA user_version = 3", "",
    "  ",
  ])
  func refused(sql: String) throws {
    let (db, path) = try database()
    defer { try? FileManager.default.removeItem(atPath: path) }
    #expect(throws: QueryError.self) { try db.query(sql, timeout: 5) }
    #expect(try db.query("SELECT count(*) FROM t", timeout: 5).rows == [[.integer(2)]])
  }

  @Test func outputsEscapeWhatTheyMust() {
    let result = QueryResult(columns: ["a", "b"], rows: [[.text("x,\"y\"\n|"), .null], [.integer(1), .real(2.5)]])
    #expect(result.csv() == "a,b\r\n\"x,\"\"y\"\"\n|\",\r\n1,2.5\r\n")
    #expect(result.markdown().contains("x,\"y\"<br>\\|"))
    let json = String(decoding: result.json(), as: UTF8.self)
    #expect(json.contains("\"a\":\"x,\\\"y\\\"\\n|\",\"b\":null"))
    #expect(json.contains("\"a\":1,\"b\":2.5"))
  }
}

@Suite("Saved queries")
struct SavedQueryTests {
  @Test func headerParametersAndDefaults() throws {
    let query = try SavedQuery.parse(
      "-- title: 报表\n-- param: team = 华东二组\n-- param: days\nSELECT :team, :days", name: "q", path: "queries/q.sql")
    #expect(query.title == "报表")
    #expect(query.parameters.map(\.name) == ["team", "days"])
    #expect(try query.values(["days": .integer(3)]) == ["team": .text("华东二组"), "days": .integer(3)])
    #expect(throws: SavedQuery.Problem.self) { try query.values([:]) }
    #expect(throws: SavedQuery.Problem.self) { try query.values(["days": .integer(1), "colour": .text("red")]) }
    #expect(throws: SavedQuery.Problem.self) {
      try SavedQuery.parse("-- param: bad name\nSELECT 1", name: "q", path: "queries/q.sql")
    }
  }
}
