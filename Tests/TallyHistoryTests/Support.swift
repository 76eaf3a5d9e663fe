import Foundation
import TallyRecords

/// A temporary directory for history tests (removed at the end).
final class TemporaryDirectoryForHistory {
  let path: String

  init() throws {
    path = NSTemporaryDirectory() + "tally-history-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }

  deinit { try? FileManager.default.removeItem(atPath: path) }
}

enum FileSystemBytes {
  static func read(_ path: String) throws -> [UInt8] { try FileSystem.read(path) }
  static func write(_ path: String, _ bytes: [UInt8]) throws { try FileSystem.writeAtomically(path, bytes) }
}
