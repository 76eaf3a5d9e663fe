extension SafeRegex {
  /// Runs a ``Program`` over UTF-8 input by Thompson's construction, as a Pike VM: it keeps the
  /// set of live instructions ("threads") and steps all of them over each code point together.
  ///
  /// Each instruction is in a set at most once (a generation mark per instruction removes
  /// duplicates, which also cuts empty loops such as `(a*)*`), so a run costs
  /// O(input length × program size) time and O(program size) memory, whatever the pattern.
  /// There is no backtracking and no recursion. A yes/no answer needs no thread priorities or
  /// captures, so the run stops at the first `match` reached.
  enum PikeVM {
    /// Whether `program` matches `input`.
    ///
    /// - Parameters:
    ///   - program: The compiled pattern.
    ///   - input: UTF-8 bytes (ill-formed sequences read as U+FFFD).
    ///   - whole: When true, only a match of the whole input counts; otherwise a match anywhere.
    /// - Returns: Whether there is a match.
    static func run(_ program: Program, on input: UnsafeBufferPointer<UInt8>, whole: Bool) -> Bool {
      let count = program.instructions.count
      return program.instructions.withUnsafeBufferPointer { code in
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: 3 * count) { lists in
          withUnsafeTemporaryAllocation(of: Int.self, capacity: count) { marks in
            marks.initialize(repeating: -1)
            var simulation = Simulation(
              code: code, sets: program.sets, marks: marks.baseAddress!,
              stack: lists.baseAddress! + 2 * count, requiresEnd: whole)
            return simulation.run(
              input, current: lists.baseAddress!, next: lists.baseAddress! + count,
              isAnchored: whole || program.isAnchoredAtStart,
              firstScalars: whole ? nil : program.firstScalars)
          }
        }
      }
    }
  }

  /// The state of one run: scratch buffers owned by ``PikeVM/run(_:on:whole:)``.
  private struct Simulation {
    let code: UnsafeBufferPointer<Instruction>
    let sets: [ScalarSet]
    /// `marks[pc] == generation` when `pc` is already in the list being built.
    let marks: UnsafeMutablePointer<Int>
    /// Room for every instruction once: the work list of `addThread`.
    let stack: UnsafeMutablePointer<Int32>
    /// Whether `match` counts only at the end of the input.
    let requiresEnd: Bool
    var generation = 0

    mutating func run(
      _ input: UnsafeBufferPointer<UInt8>,
      current startList: UnsafeMutablePointer<Int32>, next nextList: UnsafeMutablePointer<Int32>,
      isAnchored: Bool, firstScalars: ScalarSet?
    ) -> Bool {
      let end = UTF8Decoder.endOfInput
      var current = startList
      var next = nextList
      var currentCount = 0
      var index = 0
      var previous = end
      var (scalar, length) = UTF8Decoder.decode(input, at: 0)
      while true {
        if index == 0 || !isAnchored {
          if currentCount == 0, let firstScalars {
            // No thread is alive: skip to where a match could begin.
            while scalar != end && !firstScalars.contains(scalar) {
              previous = scalar
              index += length
              (scalar, length) = UTF8Decoder.decode(input, at: index)
            }
            if scalar == end { return false }
          }
          if addThread(0, to: current, count: &currentCount, previous: previous, next: scalar) {
            return true
          }
        }
        if scalar == end || (currentCount == 0 && isAnchored) { return false }

        let nextIndex = index + length
        let (following, followingLength) = UTF8Decoder.decode(input, at: nextIndex)
        generation += 1
        var nextCount = 0
        for k in 0..<currentCount {
          let pc = Int(current[k])
          let accepts: Bool
          switch code[pc] {
          case .scalar(let value): accepts = value == scalar
          case .set(let set): accepts = sets[Int(set)].contains(scalar)
          default: accepts = false
          }
          if accepts && addThread(Int32(pc + 1), to: next, count: &nextCount, previous: scalar, next: following) {
            return true
          }
        }
        swap(&current, &next)
        currentCount = nextCount
        previous = scalar
        scalar = following
        index = nextIndex
        length = followingLength
      }
    }

    /// Adds `pc` and every instruction reachable from it without consuming input to `list`,
    /// keeping only the consuming ones. `previous` and `next` are the code points either side of
    /// the position, for the assertions.
    ///
    /// - Returns: True when `match` is reached (and, for a whole match, at the end).
    @inline(__always)
    private func addThread(
      _ start: Int32, to list: UnsafeMutablePointer<Int32>, count: inout Int, previous: UInt32, next: UInt32
    ) -> Bool {
      var top = 0
      @inline(__always) func push(_ pc: Int32) {
        if marks[Int(pc)] != generation {
          marks[Int(pc)] = generation
          stack[top] = pc
          top += 1
        }
      }
      push(start)
      while top > 0 {
        top -= 1
        let pc = stack[top]
        switch code[Int(pc)] {
        case .scalar, .set:
          list[count] = pc
          count += 1
        case .split(let first, let second):
          push(second)
          push(first)
        case .jump(let target):
          push(target)
        case .assert(let assertion):
          if Self.holds(assertion, previous: previous, next: next) { push(pc + 1) }
        case .match:
          if !requiresEnd || next == UTF8Decoder.endOfInput { return true }
        }
      }
      return false
    }

    @inline(__always)
    private static func holds(_ assertion: Assertion, previous: UInt32, next: UInt32) -> Bool {
      switch assertion {
      case .start: return previous == UTF8Decoder.endOfInput
      case .end: return next == UTF8Decoder.endOfInput
      case .wordBoundary: return isWordCharacter(previous) != isWordCharacter(next)
      case .notWordBoundary: return isWordCharacter(previous) == isWordCharacter(next)
      }
    }

    @inline(__always)
    private static func isWordCharacter(_ value: UInt32) -> Bool {
      value < 128 && ScalarSet.wordCharacters.contains(value)
    }
  }
}
