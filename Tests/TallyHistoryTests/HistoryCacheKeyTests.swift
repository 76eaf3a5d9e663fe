import Foundation
import TallyRecords
import Testing

@testable import TallyHistory

@Suite("History cache keys and stale files")
struct HistoryCacheKeyTests {
  /// A records repository at `root` with one schema.
  func repository(at root: String) throws -> RecordsRepository {
    try FileManager.default.createDirectory(atPath: root + "/schema", withIntermediateDirectories: true)
    try FileSystemBytes.write(root + "/tally.yaml", Array("version: 1\nschema_dir: schema\n".utf8))
    let schema = "version: 1\ntype: person\ndirectory: people\nid:\n  pattern: ^P-[0-9]+$\nfields:\n  name: text\n"
    try FileSystemBytes.write(root + "/schema/person.yaml", Array(schema.utf8))
    return try RecordsRepository.open(root: root, from: root, displayBase: root)
  }

  @Test func theKeyDoesNotDependOnWhereTheRepositoryIs() throws {
    let first = try TemporaryDirectoryForHistory()
    let second = try TemporaryDirectoryForHistory()
    let here = try repository(at: first.path + "/records")
    let there = try repository(at: second.path + "/elsewhere")
    #expect(History.schemaKey(here) == History.schemaKey(there))
    // A different schema is a different key.
    try FileSystemBytes.write(
      second.path + "/elsewhere/schema/person.yaml",
      Array(
        "version: 1\ntype: person\ndirectory: people\nid:\n  pattern: ^P-[0-9]+$\nfields:\n  name: multiline\n".utf8))
    #expect(History.schemaKey(here) != History.schemaKey(there))
  }

  @Test func cachesForOtherSchemasAreRemovedOnlyWhenLongUnused() throws {
    let directory = try TemporaryDirectoryForHistory()
    let current = directory.path + "/history-current"
    let fresh = directory.path + "/history-fresh"
    let old = directory.path + "/history-old"
    let unrelated = directory.path + "/check-cache"
    for file in [current, fresh, old, unrelated] { try FileSystemBytes.write(file, [1, 2, 3]) }
    let longAgo = Date(timeIntervalSinceNow: -(HistoryCache.staleAfter + 3600))
    for file in [current, old, unrelated] {
      try FileManager.default.setAttributes([.modificationDate: longAgo], ofItemAtPath: file)
    }
    HistoryCache.removeStale(besides: current)
    #expect(FileSystem.exists(current))
    #expect(FileSystem.exists(fresh))
    #expect(!FileSystem.exists(old))
    #expect(FileSystem.exists(unrelated))
  }
}
