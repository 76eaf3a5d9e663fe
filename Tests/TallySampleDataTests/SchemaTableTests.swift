import TallyText
import Testing

@testable import TallySampleData

/// The printing table of `SampleRecordType` against `schema/*.yaml`.
@Suite("Schema table")
struct SchemaTableTests {
  static let typedTypes: Set<String> = ["int", "decimal", "money", "percent", "bool", "date", "datetime"]

  /// Field paths in schema order, and the typed ones.
  func walk(_ field: SchemaChecker.Field, prefix: String, order: inout [String], typed: inout Set<String>) {
    for (name, sub) in field.fields {
      let path = prefix.isEmpty ? name : "\(prefix).\(name)"
      order.append(path)
      if Self.typedTypes.contains(sub.type) { typed.insert(path) }
      if sub.type == "list", let items = sub.items {
        if Self.typedTypes.contains(items.type) { typed.insert(path) }
        walk(items, prefix: path, order: &order, typed: &typed)
      } else if sub.type == "object" {
        walk(sub, prefix: path, order: &order, typed: &typed)
      }
    }
  }

  @Test(arguments: SampleRecordType.allCases)
  func matchesTheSchema(_ type: SampleRecordType) throws {
    let checker = try makeChecker()
    let schema = try #require(checker.schemas[type.directory])
    var order: [String] = []
    var typed: Set<String> = []
    walk(schema.root, prefix: "", order: &order, typed: &typed)
    #expect(type.fieldOrder == order)
    #expect(type.typedPaths == typed)
  }

  @Test func typedPathsArePrintedPlain() {
    let printer = SampleRecordType.customer.printer
    let typed = printer.isTyped!
    #expect(typed(FieldPath(parsing: "follow_ups[3].date")!))
    #expect(typed(FieldPath(parsing: "orders[0].amount")!))
    #expect(!typed(FieldPath(parsing: "contacts[0].phone")!))
    #expect(!typed(FieldPath(parsing: "name")!))
  }
}
