/// Weighted and repeatable choices for the history generator.
extension SplitMix64 {
  /// A generator for item `index` of a stream seeded with `seed`, independent of the items
  /// before it.
  init(seed: UInt64, index: UInt64) {
    self.init(seed: seed ^ (index &* 0xD1B5_4A32_D192_ED03) ^ 0x5851_F42D_4C95_7F2D)
    _ = next()
  }

  /// An item drawn with the given weights.
  mutating func weighted<T>(_ items: [(T, Int)]) -> T {
    let total = items.reduce(0) { $0 + $1.1 }
    var roll = below(total)
    for (item, weight) in items {
      if roll < weight { return item }
      roll -= weight
    }
    return items[items.count - 1].0
  }
}
