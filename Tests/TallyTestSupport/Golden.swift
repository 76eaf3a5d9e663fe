import Foundation
import Testing

/// Golden files: expected output kept next to the tests, re-recorded by running the tests
/// with `TALLY_RECORD_GOLDEN=1`.
public enum Golden {
  public static var recording: Bool {
    ProcessInfo.processInfo.environment["TALLY_RECORD_GOLDEN"] == "1"
  }

  /// Compares `actual` with the file at `path`; records it instead when recording.
  public static func check(
    _ actual: String, against path: String, sourceLocation: SourceLocation = #_sourceLocation
  ) {
    let url = URL(fileURLWithPath: path)
    if recording {
      try? FileManager.default.createDirectory(
        at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
      try? actual.write(to: url, atomically: true, encoding: .utf8)
      // A recording run never passes: it compared nothing.
      Issue.record(
        "recorded \(url.lastPathComponent); run the tests again without TALLY_RECORD_GOLDEN to compare",
        sourceLocation: sourceLocation)
      return
    }
    guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
      Issue.record(
        "missing golden file \(path); run the tests with TALLY_RECORD_GOLDEN=1 to create it",
        sourceLocation: sourceLocation)
      return
    }
    if expected != actual {
      let diff = unifiedDiff(expected: expected, actual: actual)
      Issue.record(
        "output differs from \(url.lastPathComponent) (re-record with TALLY_RECORD_GOLDEN=1):\n\(diff)",
        sourceLocation: sourceLocation)
    }
  }

  /// Compares `actual` with the bytes of the file at `path`, exactly (line breaks and a
  /// byte order mark included); records it instead when recording.
  public static func check(
    bytes actual: [UInt8], against path: String, sourceLocation: SourceLocation = #_sourceLocation
  ) {
    let url = URL(fileURLWithPath: path)
    if recording {
      try? FileManager.default.createDirectory(
        at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
      try? Data(actual).write(to: url, options: .atomic)
      Issue.record(
        "recorded \(url.lastPathComponent); run the tests again without TALLY_RECORD_GOLDEN to compare",
        sourceLocation: sourceLocation)
      return
    }
    guard let expected = try? Data(contentsOf: url) else {
      Issue.record(
        "missing golden file \(path); run the tests with TALLY_RECORD_GOLDEN=1 to create it",
        sourceLocation: sourceLocation)
      return
    }
    if [UInt8](expected) != actual {
      let show = { (bytes: [UInt8]) in
        String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "\r", with: "\\r")
          .replacingOccurrences(of: "\u{FEFF}", with: "<BOM>")
      }
      let diff = unifiedDiff(expected: show([UInt8](expected)), actual: show(actual))
      Issue.record(
        "output differs from \(url.lastPathComponent) (re-record with TALLY_RECORD_GOLDEN=1):\n\(diff)",
        sourceLocation: sourceLocation)
    }
  }

  static func unifiedDiff(expected: String, actual: String) -> String {
    let a = expected.split(separator: "\n", omittingEmptySubsequences: false)
    let b = actual.split(separator: "\n", omittingEmptySubsequences: false)
    var out = ""
    let n = max(a.count, b.count)
    for i in 0..<n {
      let x = i < a.count ? String(a[i]) : nil
      let y = i < b.count ? String(b[i]) : nil
      if x != y {
        if let x { out += "-\(i + 1): \(x)\n" }
        if let y { out += "+\(i + 1): \(y)\n" }
      }
    }
    return out
  }

  /// The directory of the test file that calls this (for fixtures next to tests).
  public static func directory(of file: String = #filePath) -> String {
    URL(fileURLWithPath: file).deletingLastPathComponent().path
  }
}
