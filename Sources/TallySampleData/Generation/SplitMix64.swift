/// SplitMix64: a small seeded generator, so every sample is the same bytes on every machine
/// and every run (`SystemRandomNumberGenerator` is never used here). The sample data and the
/// benchmark corpora draw every choice from it.
public struct SplitMix64: RandomNumberGenerator, Sendable {
  private var state: UInt64

  public init(seed: UInt64) {
    state = seed
  }

  /// A generator for item `index` of a stream seeded with `seed`: independent of the items
  /// before it, so items can be generated in any order (or in parallel).
  public init(seed: UInt64, index: UInt64) {
    state = seed ^ (index &* 0xD1B5_4A32_D192_ED03) ^ 0x5851_F42D_4C95_7F2D
    _ = next()
  }

  /// The next 64 random bits.
  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// A number in `0..<bound` (the modulo bias is irrelevant for sample data).
  public mutating func below(_ bound: Int) -> Int {
    Int(next() % UInt64(max(bound, 1)))
  }

  /// A number in `range`.
  public mutating func int(in range: ClosedRange<Int>) -> Int {
    range.lowerBound + below(range.count)
  }

  /// True with probability `percent`/100.
  public mutating func chance(_ percent: Int) -> Bool {
    below(100) < percent
  }

  /// One of `items`, which must not be empty.
  public mutating func pick<T>(_ items: [T]) -> T {
    items[below(items.count)]
  }

  /// An item drawn with the given weights.
  public mutating func weighted<T>(_ items: [(T, Int)]) -> T {
    let total = items.reduce(0) { $0 + $1.1 }
    var roll = below(total)
    for (item, weight) in items {
      if roll < weight { return item }
      roll -= weight
    }
    return items[items.count - 1].0
  }

  /// `count` distinct items of `items`, in the order they were drawn.
  public mutating func distinct<T>(_ count: Int, of items: [T]) -> [T] {
    var pool = items
    var chosen: [T] = []
    for _ in 0..<min(count, pool.count) {
      chosen.append(pool.remove(at: below(pool.count)))
    }
    return chosen
  }

  /// `items` in a random order.
  public mutating func shuffled<T>(_ items: [T]) -> [T] {
    var copy = items
    if copy.count > 1 {
      for i in stride(from: copy.count - 1, to: 0, by: -1) {
        copy.swapAt(i, below(i + 1))
      }
    }
    return copy
  }

  /// `count` decimal digits.
  public mutating func digits(_ count: Int) -> String {
    var text = ""
    for _ in 0..<count { text.append(Character(Unicode.Scalar(UInt8(48 + below(10))))) }
    return text
  }
}
