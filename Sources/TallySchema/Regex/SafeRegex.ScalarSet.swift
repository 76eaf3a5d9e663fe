extension SafeRegex {
  /// A set of Unicode scalar values: sorted, disjoint, non-adjacent closed ranges, plus a bitmap
  /// that answers for ASCII without a search.
  ///
  /// Values are `UInt32` code points rather than `Unicode.Scalar`, so a pattern may name a lone
  /// surrogate (`\uD800`); such a value is simply never found in decoded text.
  struct ScalarSet: Hashable, Sendable {
    /// The largest Unicode code point.
    static let maxValue: UInt32 = 0x10_FFFF

    /// The ranges, sorted, disjoint and never adjacent (so equal sets have equal ranges).
    let ranges: [ClosedRange<UInt32>]
    private let asciiLow: UInt64
    private let asciiHigh: UInt64

    /// Creates the union of `ranges`, which may overlap and come in any order.
    init(_ ranges: [ClosedRange<UInt32>]) {
      var merged: [ClosedRange<UInt32>] = []
      for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
        if let last = merged.last, range.lowerBound <= last.upperBound + 1 {
          merged[merged.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
        } else {
          merged.append(range)
        }
      }
      var low: UInt64 = 0
      var high: UInt64 = 0
      for range in merged where range.lowerBound < 128 {
        for value in range.lowerBound...min(range.upperBound, 127) {
          if value < 64 { low |= 1 << UInt64(value) } else { high |= 1 << UInt64(value - 64) }
        }
      }
      self.ranges = merged
      asciiLow = low
      asciiHigh = high
    }

    /// Creates the set of one value.
    init(_ value: UInt32) {
      self.init([value...value])
    }

    /// Whether `value` is in the set.
    @inline(__always)
    func contains(_ value: UInt32) -> Bool {
      if value < 64 { return asciiLow & (1 << UInt64(value)) != 0 }
      if value < 128 { return asciiHigh & (1 << UInt64(value - 64)) != 0 }
      return containsBeyondASCII(value)
    }

    private func containsBeyondASCII(_ value: UInt32) -> Bool {
      // Binary search for the last range starting at or before `value`.
      var low = 0
      var high = ranges.count
      while low < high {
        let middle = (low + high) / 2
        if ranges[middle].lowerBound <= value { low = middle + 1 } else { high = middle }
      }
      return low > 0 && ranges[low - 1].upperBound >= value
    }

    /// Every code point that is not in this set.
    var inverted: ScalarSet {
      var result: [ClosedRange<UInt32>] = []
      var next: UInt32 = 0
      for range in ranges {
        if range.lowerBound > next { result.append(next...(range.lowerBound - 1)) }
        next = range.upperBound + 1
      }
      if next <= Self.maxValue { result.append(next...Self.maxValue) }
      return ScalarSet(result)
    }

    /// The values in either set.
    func union(_ other: ScalarSet) -> ScalarSet {
      ScalarSet(ranges + other.ranges)
    }

    /// Whether no value is in both sets.
    func isDisjoint(with other: ScalarSet) -> Bool {
      var i = 0
      var j = 0
      while i < ranges.count && j < other.ranges.count {
        if ranges[i].overlaps(other.ranges[j]) { return false }
        if ranges[i].upperBound < other.ranges[j].upperBound { i += 1 } else { j += 1 }
      }
      return true
    }

    /// The only value in the set, when it has exactly one.
    var singleValue: UInt32? {
      guard ranges.count == 1, ranges[0].lowerBound == ranges[0].upperBound else { return nil }
      return ranges[0].lowerBound
    }

    /// `\d`: the ASCII digits.
    static let digits = ScalarSet([0x30...0x39])

    /// `\w`: ASCII letters, digits and `_` (ECMAScript without the `i` flag).
    static let wordCharacters = ScalarSet([0x30...0x39, 0x41...0x5A, 0x5F...0x5F, 0x61...0x7A])

    /// `\s`: ECMAScript's WhiteSpace and LineTerminator: tab, vertical tab, form feed, space,
    /// U+00A0, U+FEFF, the other space separators (Zs), line feed, carriage return, U+2028, U+2029.
    static let whitespace = ScalarSet([
      0x09...0x0D, 0x20...0x20, 0xA0...0xA0, 0x1680...0x1680, 0x2000...0x200A,
      0x2028...0x2029, 0x202F...0x202F, 0x205F...0x205F, 0x3000...0x3000, 0xFEFF...0xFEFF,
    ])

    /// ECMAScript's line terminators: line feed, carriage return, U+2028, U+2029.
    static let lineTerminators = ScalarSet([0x0A...0x0A, 0x0D...0x0D, 0x2028...0x2029])

    /// `.`: every code point except the line terminators.
    static let dot = lineTerminators.inverted

    /// Every code point (`[^]`).
    static let all = ScalarSet([0...maxValue])
  }
}
