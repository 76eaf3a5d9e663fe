import TallySampleData
import TallyText

/// The simulation with the default seed, computed once for all tests.
let simulation = TeamSimulation()

/// The repository's `schema/` directory.
let schemaDirectory: String = {
  var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
  parts.removeLast(3)  // Tests/TallySampleDataTests/Support.swift
  return parts.joined(separator: "/") + "/schema"
}()

/// The checker, reading the schemas (fails the test when they cannot be read).
func makeChecker() throws -> SchemaChecker {
  try SchemaChecker(schemaDirectory: schemaDirectory)
}

/// The final records of a path prefix, parsed.
func records(_ files: [String: [UInt8]], under prefix: String) -> [(path: String, value: Value)] {
  files.keys.filter { $0.hasPrefix(prefix) }.sorted().compactMap { path in
    Document.parse(files[path]!).document.map { (path, $0.value) }
  }
}
