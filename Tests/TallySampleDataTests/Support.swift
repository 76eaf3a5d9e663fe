import TallyRecords
import TallySampleData
import TallySchema
import TallyText
import Testing

/// The simulation with the default seed, computed once for all tests.
let simulation = TeamSimulation()

/// The repository's `schema/` directory.
let schemaDirectory: String = {
  var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
  parts.removeLast(3)  // Tests/TallySampleDataTests/Support.swift
  return parts.joined(separator: "/") + "/schema"
}()

/// A records repository in memory at `/records` with the shipped schemas (`schema/*.yaml`),
/// read by TallySchema's loader: what the real checks run on. Problems in the schemas fail
/// the test.
func shippedSchemaRepository(sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> RecordsRepository {
  var files: [(path: String, bytes: [UInt8])] = []
  for name in ["staff", "customer", "plan", "minutes"] {
    files.append(("schema/\(name).yaml", try FileSystem.read(schemaDirectory + "/\(name).yaml")))
  }
  let (schema, problems) = SchemaLoader.load(files: files)
  #expect(problems.isEmpty, "\(problems.map(\.message))", sourceLocation: sourceLocation)
  return RecordsRepository(
    root: "/records", config: RepositoryConfig(), schema: schema, setupDiagnostics: problems, displayPath: { $0 })
}

/// The final records of a path prefix, parsed.
func records(_ files: [String: [UInt8]], under prefix: String) -> [(path: String, value: Value)] {
  files.keys.filter { $0.hasPrefix(prefix) }.sorted().compactMap { path in
    Document.parse(files[path]!).document.map { (path, $0.value) }
  }
}
