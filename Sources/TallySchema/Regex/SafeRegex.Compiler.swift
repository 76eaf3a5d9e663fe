extension SafeRegex {
  /// Translates a ``Node`` tree into a ``Program``.
  ///
  /// Counted repetition is expanded into copies, so the compiler first predicts the size of every
  /// repetition and refuses, before emitting anything, one that would take the program past
  /// ``maxInstructions``.
  struct Compiler {
    /// The most instructions (NFA states) a program may have, the final `match` included.
    static let maxInstructions = 10_000

    private var instructions: [Instruction] = []
    private var sets: [ScalarSet] = []
    private var setIndices: [ScalarSet: Int32] = [:]
    private var lastRepetitionOffset = 0

    /// Compiles `node`.
    ///
    /// - Returns: The program.
    /// - Throws: ``RegexError`` when the program would be larger than ``maxInstructions``.
    static func compile(_ node: Node) throws(RegexError) -> Program {
      var compiler = Compiler()
      try compiler.emit(node)
      guard compiler.instructions.count < maxInstructions else {
        throw tooLarge(at: compiler.lastRepetitionOffset)
      }
      compiler.instructions.append(.match)
      return Program(instructions: compiler.instructions, sets: compiler.sets)
    }

    private static func tooLarge(at offset: Int) -> RegexError {
      RegexError("the pattern is too large (more than \(maxInstructions) states)", at: offset)
    }

    // MARK: - Emitting

    private mutating func emit(_ node: Node) throws(RegexError) {
      switch node {
      case .empty:
        break
      case .scalar(let value):
        append(.scalar(value))
      case .set(let set):
        if let value = set.singleValue {
          append(.scalar(value))
        } else {
          append(.set(index(of: set)))
        }
      case .assertion(let assertion):
        append(.assert(assertion))
      case .concatenation(let items):
        for item in items { try emit(item) }
      case .alternation(let branches):
        // split L1, L2; L1: first; jump end; L2: split ...; last branch falls through to end.
        var jumps: [Int] = []
        for branch in branches.dropLast() {
          let split = append(.split(0, 0))
          try emit(branch)
          jumps.append(append(.jump(0)))
          instructions[split] = .split(Int32(split + 1), pc)
        }
        try emit(branches[branches.count - 1])
        for jump in jumps { instructions[jump] = .jump(pc) }
      case .repetition(let child, let min, let max, let offset):
        lastRepetitionOffset = offset
        guard instructions.count + Self.size(of: node) < Self.maxInstructions else {
          throw Self.tooLarge(at: offset)
        }
        try emitRepetition(child, min: min, max: max)
      }
    }

    private mutating func emitRepetition(_ child: Node, min: Int, max: Int?) throws(RegexError) {
      guard let max else {
        if min == 0 {
          // loop: split body, out; body; jump loop; out:
          let loop = append(.split(0, 0))
          try emit(child)
          append(.jump(Int32(loop)))
          instructions[loop] = .split(Int32(loop + 1), pc)
        } else {
          // body (min - 1 times); loop: body; split loop, out; out:
          for _ in 1..<min { try emit(child) }
          let loop = pc
          try emit(child)
          append(.split(loop, pc + 1))
        }
        return
      }
      for _ in 0..<min { try emit(child) }
      // Optional copies, each able to skip to the end: (body (body ...)?)?
      var splits: [Int] = []
      for _ in min..<max {
        splits.append(append(.split(0, 0)))
        try emit(child)
      }
      for split in splits { instructions[split] = .split(Int32(split + 1), pc) }
    }

    @discardableResult
    private mutating func append(_ instruction: Instruction) -> Int {
      instructions.append(instruction)
      return instructions.count - 1
    }

    /// The index the next instruction will have.
    private var pc: Int32 { Int32(instructions.count) }

    private mutating func index(of set: ScalarSet) -> Int32 {
      if let index = setIndices[set] { return index }
      let index = Int32(sets.count)
      sets.append(set)
      setIndices[set] = index
      return index
    }

    // MARK: - Sizes

    /// How many instructions `emit(node)` appends, or any number above ``maxInstructions`` when
    /// that is more than the limit (so nested repetition cannot overflow).
    static func size(of node: Node) -> Int {
      let cap = maxInstructions + 1
      switch node {
      case .empty:
        return 0
      case .scalar, .set, .assertion:
        return 1
      case .concatenation(let items):
        return Swift.min(items.reduce(0) { $0 + size(of: $1) }, cap)
      case .alternation(let branches):
        return Swift.min(branches.reduce(0) { $0 + size(of: $1) } + 2 * (branches.count - 1), cap)
      case .repetition(let child, let min, let max, _):
        let body = size(of: child)
        guard let max else { return Swift.min(min == 0 ? body + 2 : min * body + 1, cap) }
        return Swift.min(max * body + (max - min), cap)
      }
    }
  }
}
