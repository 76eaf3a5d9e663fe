import Foundation
import TallyTestSupport
import Testing

@testable import TallySchema

@Suite("Record layouts")
struct RecordLayoutTests {
  static let seed: UInt64 = ProcessInfo.processInfo.environment["TALLY_SEED"].flatMap { UInt64($0) } ?? 0x5_4A4D

  @Test func aShardFolderIsTheOneItsIdNames() {
    let three = RecordLayout.lastDigits(3)
    #expect(three.isShard("042", of: "C-1000042"))
    #expect(three.isShard("007", of: "C-7"))
    #expect(three.isShard("042", of: "C-42"))
    #expect(!three.isShard("42", of: "C-42"))
    #expect(!three.isShard("0042", of: "C-42"))
    #expect(!three.isShard("043", of: "C-1000042"))
    #expect(!three.isShard("000", of: "C-A"))
    #expect(!three.isShard("", of: "C-A"))
    #expect(!RecordLayout.flat.isShard("042", of: "C-42"))
    #expect(three.isShard(utf8: Array("042".utf8), of: "C-1000042"))
  }

  /// In place, it answers what comparing with the shard's name answers, for random ids and
  /// folder names (digits, zeros, letters, lengths around the layout's).
  @Test func comparingInPlaceAgreesWithTheShardsName() {
    var random = SeededRandom(seed: Self.seed)
    let idAlphabet: [Character] = ["C", "-", "0", "0", "1", "2", "9", "a", "é"]
    let folderAlphabet: [Character] = ["0", "0", "0", "1", "2", "9", "a"]
    var agreed = 0
    var shards = 0
    for _ in 0..<20_000 {
      let layout = random.below(5) == 0 ? RecordLayout.flat : .lastDigits(1 + random.below(4))
      let id = String((0..<random.below(8)).map { _ in random.pick(idAlphabet) })
      var folder = String((0..<random.below(6)).map { _ in random.pick(folderAlphabet) })
      // Often the right shard, or one near it, so that both answers are exercised.
      if random.below(2) == 0, let shard = layout.shard(of: id) {
        folder = random.below(3) == 0 ? "0" + shard : shard
      }
      let expected = layout.shard(of: id) == folder
      #expect(layout.isShard(folder, of: id) == expected, "\(layout) \(id) \(folder)")
      #expect(layout.isShard(utf8: Array(folder.utf8), of: id) == expected)
      agreed += 1
      if expected { shards += 1 }
    }
    #expect(agreed == 20_000)
    #expect(shards > 2_000)
  }
}
