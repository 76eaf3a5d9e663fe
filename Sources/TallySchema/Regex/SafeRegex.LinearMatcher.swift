extension SafeRegex {
  /// A fast path for the most common shape of schema pattern: an anchored sequence of literals
  /// and classes, each repeated a fixed or bounded number of times, such as `^S-[0-9]{4}$` or
  /// `^[0-9]{4}-[a-z0-9-]+$`.
  ///
  /// It matches greedily in one pass without thread lists. Greedy is exact here because the
  /// initializer accepts a sequence only when every item of variable length is last, or is
  /// followed by a required item whose set shares no code point with its own: in any match that
  /// item stops exactly where its run of matching code points stops, which is where greedy stops.
  struct LinearMatcher: Sendable {
    /// One code-point set repeated `min...max` times.
    struct Item: Sendable {
      var set: ScalarSet
      var min: Int
      var max: Int
    }

    let items: [Item]
    let isAnchoredAtStart: Bool
    let isAnchoredAtEnd: Bool

    /// The matcher for `node`, or nil when the node is not of the supported shape.
    init?(_ node: Node) {
      var elements: [Node] = []
      Self.flatten(node, into: &elements)
      let isAnchoredAtStart = elements.first == .assertion(.start)
      if isAnchoredAtStart { elements.removeFirst() }
      let isAnchoredAtEnd = elements.last == .assertion(.end)
      if isAnchoredAtEnd { elements.removeLast() }

      var items: [Item] = []
      for element in elements {
        guard let item = Self.item(element) else { return nil }
        if let last = items.last, last.set == item.set {
          // `[0-9]{2}[0-9]+` reads as one item `[0-9]{3,}`.
          let max = last.max == .max || item.max == .max ? Int.max : last.max + item.max
          items[items.count - 1] = Item(set: item.set, min: last.min + item.min, max: max)
        } else {
          items.append(item)
        }
      }
      for (item, following) in zip(items, items.dropFirst()) where item.min != item.max {
        guard following.min > 0, item.set.isDisjoint(with: following.set) else { return nil }
      }
      self.items = items
      self.isAnchoredAtStart = isAnchoredAtStart
      self.isAnchoredAtEnd = isAnchoredAtEnd
    }

    private static func flatten(_ node: Node, into elements: inout [Node]) {
      if case .concatenation(let items) = node {
        for item in items { flatten(item, into: &elements) }
      } else if node != .empty {
        elements.append(node)
      }
    }

    private static func item(_ node: Node) -> Item? {
      switch node {
      case .scalar(let value):
        return Item(set: ScalarSet(value), min: 1, max: 1)
      case .set(let set):
        return Item(set: set, min: 1, max: 1)
      case .repetition(let child, let min, let max, _):
        guard let inner = item(child), inner.min == 1, inner.max == 1 else { return nil }
        return Item(set: inner.set, min: min, max: max ?? .max)
      default:
        return nil
      }
    }

    /// Whether the pattern matches `input`, or nil when this matcher cannot answer (a search for
    /// a pattern without `^`, which the Pike VM handles).
    ///
    /// - Parameters:
    ///   - input: UTF-8 bytes.
    ///   - whole: When true, only a match of the whole input counts.
    func matches(_ input: UnsafeBufferPointer<UInt8>, whole: Bool) -> Bool? {
      guard whole || isAnchoredAtStart else { return nil }
      var index = 0
      for item in items {
        var count = 0
        while count < item.max {
          let (value, length) = UTF8Decoder.decode(input, at: index)
          guard value != UTF8Decoder.endOfInput, item.set.contains(value) else { break }
          count += 1
          index += length
        }
        if count < item.min { return false }
      }
      return whole || isAnchoredAtEnd ? index == input.count : true
    }
  }
}
