import Foundation
import Testing

@testable import TallyGit

/// Large buffers asked to be backed by huge pages hold exactly what they were given; the
/// request never touches memory outside the buffer (small, empty or unaligned ones alike).
@Suite struct LargeMemoryTests {
  @Test func arraysHoldTheirValuesWhateverTheirSize() {
    for count in [0, 1, 1000, (LargeMemory.threshold / 8) - 1, LargeMemory.threshold / 8 + 12_345] {
      let positions = LargeMemory.array(repeating: -1, count: count)
      #expect(positions.count == count)
      #expect(positions.allSatisfy { $0 == -1 })
      let lengths = LargeMemory.array(repeating: Int32(7), count: count)
      #expect(lengths.count == count && lengths.allSatisfy { $0 == 7 })
    }
  }

  @Test func adviceOnAnyRangeLeavesItsBytesAlone() {
    LargeMemory.advise(nil, count: 1 << 30)
    for (size, offset) in [(LargeMemory.threshold + 3, 1), (3 << 20, 0), (64 << 20, 4093)] {
      var bytes = [UInt8](repeating: 0xA5, count: size + offset)
      bytes.withUnsafeMutableBytes { LargeMemory.advise($0.baseAddress! + offset, count: size) }
      #expect(bytes.allSatisfy { $0 == 0xA5 })
      bytes[size + offset - 1] = 1
      #expect(bytes.last == 1)
    }
  }
}
