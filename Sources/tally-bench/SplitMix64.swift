/// SplitMix64: a small seeded generator, so the corpus is the same bytes on every machine
/// and every run (`SystemRandomNumberGenerator` is never used here).
struct SplitMix64: RandomNumberGenerator {
  private var state: UInt64

  init(seed: UInt64) {
    state = seed
  }

  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// A number in `0..<bound` (the modulo bias is irrelevant for test data).
  mutating func below(_ bound: Int) -> Int {
    Int(next() % UInt64(max(bound, 1)))
  }

  /// A number in `range`.
  mutating func int(in range: ClosedRange<Int>) -> Int {
    range.lowerBound + below(range.count)
  }

  /// True with probability `percent`/100.
  mutating func chance(_ percent: Int) -> Bool {
    below(100) < percent
  }

  mutating func pick<T>(_ items: [T]) -> T {
    items[below(items.count)]
  }

  /// `count` distinct items of `items`, in the order they were drawn.
  mutating func distinct<T>(_ count: Int, of items: [T]) -> [T] {
    var pool = items
    var chosen: [T] = []
    for _ in 0..<min(count, pool.count) {
      chosen.append(pool.remove(at: below(pool.count)))
    }
    return chosen
  }

  /// `count` decimal digits.
  mutating func digits(_ count: Int) -> String {
    var text = ""
    for _ in 0..<count { text.append(Character(Unicode.Scalar(UInt8(48 + below(10))))) }
    return text
  }
}
