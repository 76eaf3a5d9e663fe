import Foundation
import TallyTestSupport
import Testing

@testable import TallyRecords

/// Whole files read into memory: every byte, whatever size `fstat` gave (a regular file, an
/// empty one, a `/proc` file that says it is empty and is not), and a clear error otherwise.
@Suite struct FileReadTests {
  @Test func aFileIsReadWholeWhateverItsSize() throws {
    let directory = try TemporaryDirectory()
    var generator = SeededRandom(seed: 7)
    for size in [0, 1, 4095, 4096, 4097, 1 << 20, (1 << 20) + 3] {
      let bytes = (0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) }
      let path = directory.path + "/file-\(size)"
      try FileSystem.writeAtomically(path, bytes)
      #expect(try FileSystem.read(path) == bytes, "size \(size)")
    }
  }

  @Test func aFileLargerThanItsStatedSizeIsReadToItsEnd() throws {
    // The kernel gives /proc files a size of 0.
    let status = try FileSystem.read("/proc/self/status")
    #expect(status.count > 100)
    #expect(String(decoding: status, as: UTF8.self).contains("VmRSS:"))
    #expect(String(decoding: status, as: UTF8.self).hasSuffix("\n"))
  }

  @Test func aMissingFileOrAFolderIsAClearError() throws {
    let directory = try TemporaryDirectory()
    #expect(throws: FileError.self) { try FileSystem.read(directory.path + "/missing") }
    let error = try #require(throws: FileError.self) { try FileSystem.read(directory.path) }
    #expect(String(describing: error).contains("directory"))
  }
}
