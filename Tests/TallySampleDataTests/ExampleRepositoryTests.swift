import Foundation
import Testing

@testable import TallySampleData

/// example-repo/ is the simulation's final state: regenerate it with
/// `swift run tally-bench write-example example-repo` when the simulation changes.
@Suite struct ExampleRepositoryTests {
  @Test func exampleRepositoryIsUpToDate() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("example-repo")
    let simulation = TeamSimulation()
    var onDisk: [String: [UInt8]] = [:]
    for directory in ["staff", "customers", "plans", "minutes"] {
      let folder = root.appendingPathComponent(directory)
      for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) where name.hasSuffix(".yaml") {
        onDisk["\(directory)/\(name)"] = [UInt8](try Data(contentsOf: folder.appendingPathComponent(name)))
      }
    }
    #expect(Set(onDisk.keys) == Set(simulation.finalState.keys))
    let different = onDisk.keys.filter { onDisk[$0] != simulation.finalState[$0] }.sorted()
    #expect(different.isEmpty, "out of date: \(different.prefix(5)); run tally-bench write-example example-repo")
  }

  @Test func theExampleSchemasAreTheShippedOnes() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
    for name in ["staff", "customer", "plan", "minutes"] {
      let shipped = try Data(contentsOf: root.appendingPathComponent("schema/\(name).yaml"))
      let copy = try Data(contentsOf: root.appendingPathComponent("example-repo/schema/\(name).yaml"))
      #expect(shipped == copy, "example-repo/schema/\(name).yaml differs from schema/\(name).yaml")
    }
  }
}
