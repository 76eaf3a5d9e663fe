extension SafeRegex {
  /// One step of a compiled pattern: a Thompson NFA written as a small instruction array.
  ///
  /// Program counters are `Int32` indices into the array, which keeps an instruction at 12 bytes.
  enum Instruction: Hashable, Sendable {
    /// Consume one code point equal to the value.
    case scalar(UInt32)
    /// Consume one code point in `Program.sets[index]`.
    case set(Int32)
    /// Continue at both targets.
    case split(Int32, Int32)
    /// Continue at the target.
    case jump(Int32)
    /// Continue at the next instruction only where the assertion holds.
    case assert(Assertion)
    /// The pattern has matched.
    case match
  }

  /// A compiled pattern, ready for ``PikeVM``.
  struct Program: Sendable {
    /// The instructions; execution starts at index 0.
    let instructions: [Instruction]
    /// The sets that `.set` instructions refer to.
    let sets: [ScalarSet]
    /// Whether every match must start at the beginning of the input (every path from the start
    /// passes `^` before it consumes anything), so a search need not try later positions.
    let isAnchoredAtStart: Bool
    /// Every code point that can begin a match, when a match must begin by consuming one and no
    /// assertion comes first; a search skips input until one of these.
    let firstScalars: ScalarSet?

    init(instructions: [Instruction], sets: [ScalarSet]) {
      self.instructions = instructions
      self.sets = sets
      (isAnchoredAtStart, firstScalars) = Self.analyzeStart(instructions, sets)
    }

    /// Follows the empty transitions from the start to find what a match begins with.
    private static func analyzeStart(
      _ instructions: [Instruction], _ sets: [ScalarSet]
    ) -> (isAnchored: Bool, first: ScalarSet?) {
      var seen = Set<Int32>()
      var pending: [Int32] = [0]
      var isAnchored = true
      var hasAssertion = false
      var first: [ClosedRange<UInt32>] = []
      while let pc = pending.popLast() {
        guard seen.insert(pc).inserted else { continue }
        switch instructions[Int(pc)] {
        case .scalar(let value):
          isAnchored = false
          first.append(value...value)
        case .set(let index):
          isAnchored = false
          first += sets[Int(index)].ranges
        case .split(let a, let b):
          pending += [a, b]
        case .jump(let target):
          pending.append(target)
        case .assert(.start):
          hasAssertion = true
        case .assert:
          hasAssertion = true
          pending.append(pc + 1)
        case .match:
          isAnchored = false
          hasAssertion = true
        }
      }
      return (isAnchored, hasAssertion ? nil : ScalarSet(first))
    }
  }
}
