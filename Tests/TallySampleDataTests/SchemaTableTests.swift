import TallySchema
import TallyText
import Testing

@testable import TallySampleData

/// The printing table of `SampleRecordType` against `schema/*.yaml`, as TallySchema reads it.
@Suite("Schema table")
struct SchemaTableTests {
  /// Field paths in schema order, and those whose values are typed scalars (numbers, dates,
  /// booleans, or lists of them).
  func walk(_ object: ObjectSpec, prefix: String, order: inout [String], typed: inout Set<String>) {
    for field in object.fields {
      let path = prefix.isEmpty ? field.name : "\(prefix).\(field.name)"
      order.append(path)
      if field.type.isTypedScalar { typed.insert(path) }
      switch field.type {
      case .list(let list):
        if list.items.type.isTypedScalar { typed.insert(path) }
        if case .object(let items) = list.items.type { walk(items, prefix: path, order: &order, typed: &typed) }
      case .object(let nested):
        walk(nested, prefix: path, order: &order, typed: &typed)
      default:
        break
      }
    }
  }

  @Test(arguments: SampleRecordType.allCases)
  func matchesTheSchema(_ type: SampleRecordType) throws {
    let repository = try shippedSchemaRepository()
    let schema = try #require(repository.schema.type(forDirectory: type.directory))
    var order: [String] = []
    var typed: Set<String> = []
    walk(schema.object, prefix: "", order: &order, typed: &typed)
    #expect(order.count > 10)
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
