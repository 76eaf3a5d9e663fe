/// Line-based differences between two texts, printed as a unified diff that `git apply`
/// (and `patch`) apply to the old bytes to give exactly the new ones.
///
/// Lines are compared as bytes, each with its line break, as git sees them: a line ends
/// at LF, so a CRLF line keeps its CR as its last byte of text; a byte order mark is text
/// of the first line; and a last line without a line break is not the same line as that
/// text with one (the diff marks it `\ No newline at end of file`). Text is never
/// compared as Swift strings, which call different bytes equal (`é` and `e` + `◌́`).
public enum LineDiff {
  public enum Edit: Equatable, Sendable {
    case same(String)
    case removed(String)
    case added(String)
  }

  /// One step of an edit script: keep a line of both texts, or remove one of the old, or
  /// add one of the new.
  enum Step: Equatable {
    case same
    case removed
    case added
  }

  /// A shortest edit script from `old` to `new` (lines compared by their UTF-8 bytes).
  public static func edits(_ old: [String], _ new: [String]) -> [Edit] {
    let a = old.map { Array($0.utf8) }
    let b = new.map { Array($0.utf8) }
    var i = 0
    var j = 0
    var result: [Edit] = []
    for step in steps(a, b) {
      switch step {
      case .same:
        result.append(.same(old[i]))
        i += 1
        j += 1
      case .removed:
        result.append(.removed(old[i]))
        i += 1
      case .added:
        result.append(.added(new[j]))
        j += 1
      }
    }
    return result
  }

  /// A unified diff (`---`/`+++` headers, `@@` hunks with `context` lines around changes),
  /// or an empty string when the texts are equal.
  public static func unified(
    old: String, new: String, oldName: String, newName: String, context: Int = 3
  ) -> String {
    unified(old: Array(old.utf8), new: Array(new.utf8), oldName: oldName, newName: newName, context: context)
  }

  /// A unified diff of two files' bytes that `git apply` applies to `old` to give exactly
  /// `new` — CRLF or mixed line ends, a byte order mark, a missing final line break, any
  /// text — or an empty string when the bytes are equal.
  ///
  /// - Parameters:
  ///   - old: The file's bytes before.
  ///   - new: The file's bytes after.
  ///   - oldName: The name on the `---` line (`a/path`, or `/dev/null` for a new file).
  ///   - newName: The name on the `+++` line (`b/path`).
  ///   - context: Unchanged lines shown around each change.
  /// - Returns: The diff; its text is UTF-8 when both files are.
  public static func unified(
    old: [UInt8], new: [UInt8], oldName: String, newName: String, context: Int = 3
  ) -> String {
    if old == new { return "" }
    let a = lines(old)
    let b = lines(new)
    let script = steps(a, b)
    // Hunks: runs of changes with `context` unchanged lines around them; changes with at
    // most 2 * context unchanged lines between them share a hunk.
    var hunks: [Range<Int>] = []
    var index = 0
    while index < script.count {
      if script[index] == .same {
        index += 1
        continue
      }
      var end = index
      while end < script.count {
        if script[end] == .same {
          var run = end
          while run < script.count, script[run] == .same { run += 1 }
          if run - end > 2 * context || run == script.count { break }
          end = run
        } else {
          end += 1
        }
      }
      hunks.append(max(0, index - context)..<min(script.count, end + context))
      index = end
    }
    // The old and new line (0-based) at each step.
    var oldIndex = [Int](repeating: 0, count: script.count + 1)
    var newIndex = [Int](repeating: 0, count: script.count + 1)
    var i = 0
    var j = 0
    for (step, edit) in script.enumerated() {
      oldIndex[step] = i
      newIndex[step] = j
      if edit != .added { i += 1 }
      if edit != .removed { j += 1 }
    }
    oldIndex[script.count] = i
    newIndex[script.count] = j

    var out = Array("--- \(oldName)\n+++ \(newName)\n".utf8)
    for hunk in hunks {
      var oldCount = 0
      var newCount = 0
      var body: [UInt8] = []
      for step in hunk {
        switch script[step] {
        case .same:
          oldCount += 1
          newCount += 1
          append(UInt8(ascii: " "), a[oldIndex[step]], to: &body)
        case .removed:
          oldCount += 1
          append(UInt8(ascii: "-"), a[oldIndex[step]], to: &body)
        case .added:
          newCount += 1
          append(UInt8(ascii: "+"), b[newIndex[step]], to: &body)
        }
      }
      // A side with no lines is numbered by the line before the hunk (0 at the start).
      let oldStart = oldCount == 0 ? oldIndex[hunk.lowerBound] : oldIndex[hunk.lowerBound] + 1
      let newStart = newCount == 0 ? newIndex[hunk.lowerBound] : newIndex[hunk.lowerBound] + 1
      out += Array("@@ -\(oldStart),\(oldCount) +\(newStart),\(newCount) @@\n".utf8)
      out += body
    }
    return String(decoding: out, as: UTF8.self)
  }

  /// Appends a diff line: its mark, its bytes, and for a last line without a line break,
  /// one and git's marker line.
  static func append(_ mark: UInt8, _ line: ArraySlice<UInt8>, to out: inout [UInt8]) {
    out.append(mark)
    out += line
    if line.last != 0x0A {
      out.append(0x0A)
      out += Array("\\ No newline at end of file\n".utf8)
    }
  }

  /// The lines of `bytes`, each with its LF (the last one may have none).
  static func lines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
    var result: [ArraySlice<UInt8>] = []
    var start = 0
    for (offset, byte) in bytes.enumerated() where byte == 0x0A {
      result.append(bytes[start...offset])
      start = offset + 1
    }
    if start < bytes.count { result.append(bytes[start...]) }
    return result
  }

  // MARK: - The edit script

  /// A shortest edit script from `a` to `b` (Myers' algorithm, O((N+M)·D)) between their
  /// common first and last lines. When the middle differs in too many lines to search
  /// (see ``costLimit(_:)``), it is removed and added whole: still a correct diff.
  static func steps<Line: Equatable>(_ a: [Line], _ b: [Line]) -> [Step] {
    let n = a.count
    let m = b.count
    var prefix = 0
    while prefix < n, prefix < m, a[prefix] == b[prefix] { prefix += 1 }
    var suffix = 0
    while suffix < n - prefix, suffix < m - prefix, a[n - 1 - suffix] == b[m - 1 - suffix] { suffix += 1 }
    var result = [Step](repeating: .same, count: prefix)
    result += middle(a, prefix..<(n - suffix), b, prefix..<(m - suffix))
    result += repeatElement(Step.same, count: suffix)
    return result
  }

  /// The most differences searched for between texts of `lines` lines in all: the search
  /// keeps a row of 2·D+3 numbers per difference and takes (N+M)·D steps.
  static func costLimit(_ lines: Int) -> Int {
    max(100, min(2000, 100_000_000 / max(lines, 1)))
  }

  static func middle<Line: Equatable>(_ a: [Line], _ ar: Range<Int>, _ b: [Line], _ br: Range<Int>) -> [Step] {
    let n = ar.count
    let m = br.count
    if n == 0 { return Array(repeating: .added, count: m) }
    if m == 0 { return Array(repeating: .removed, count: n) }
    let maxD = min(n + m, costLimit(n + m))
    let offset = maxD + 1
    var v = [Int](repeating: 0, count: 2 * maxD + 3)
    // trace[d]: v[offset - d - 1 ... offset + d + 1] as step d found it.
    var trace: [[Int]] = []
    var found = false
    outer: for d in 0...maxD {
      trace.append(Array(v[(offset - d - 1)...(offset + d + 1)]))
      var k = -d
      while k <= d {
        var x: Int
        if k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1]) {
          x = v[offset + k + 1]
        } else {
          x = v[offset + k - 1] + 1
        }
        var y = x - k
        while x < n, y < m, a[ar.lowerBound + x] == b[br.lowerBound + y] {
          x += 1
          y += 1
        }
        v[offset + k] = x
        if x >= n, y >= m {
          found = true
          break outer
        }
        k += 2
      }
    }
    guard found else {
      return Array(repeating: .removed, count: n) + Array(repeating: .added, count: m)
    }
    // Walk back through the trace.
    var reversed: [Step] = []
    var x = n
    var y = m
    for d in stride(from: trace.count - 1, through: 0, by: -1) {
      let row = trace[d]
      let k = x - y
      let previousK: Int
      if k == -d || (k != d && row[k - 1 + d + 1] < row[k + 1 + d + 1]) {
        previousK = k + 1
      } else {
        previousK = k - 1
      }
      let previousX = row[previousK + d + 1]
      let previousY = previousX - previousK
      while x > previousX, y > previousY {
        reversed.append(.same)
        x -= 1
        y -= 1
      }
      if d > 0 { reversed.append(x == previousX ? .added : .removed) }
      x = previousX
      y = previousY
    }
    return reversed.reversed()
  }
}
