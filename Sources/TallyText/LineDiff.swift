/// Line-based differences between two texts, printed as a unified diff.
public enum LineDiff {
  public enum Edit: Equatable, Sendable {
    case same(String)
    case removed(String)
    case added(String)
  }

  /// The shortest edit script from `old` to `new` (Myers' algorithm, O((N+M)·D)).
  public static func edits(_ old: [String], _ new: [String]) -> [Edit] {
    let n = old.count
    let m = new.count
    let max = n + m
    if max == 0 { return [] }
    var v = [Int](repeating: 0, count: 2 * max + 2)
    var trace: [[Int]] = []
    let offset = max + 1
    outer: for d in 0...max {
      trace.append(v)
      var k = -d
      while k <= d {
        var x: Int
        if k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1]) {
          x = v[offset + k + 1]
        } else {
          x = v[offset + k - 1] + 1
        }
        var y = x - k
        while x < n, y < m, old[x] == new[y] {
          x += 1
          y += 1
        }
        v[offset + k] = x
        if x >= n, y >= m { break outer }
        k += 2
      }
    }
    // Walk back through the trace.
    var edits: [Edit] = []
    var x = n
    var y = m
    for d in stride(from: trace.count - 1, through: 0, by: -1) {
      let v = trace[d]
      let k = x - y
      let prevK: Int
      if k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1]) {
        prevK = k + 1
      } else {
        prevK = k - 1
      }
      let prevX = v[offset + prevK]
      let prevY = prevX - prevK
      while x > prevX, y > prevY {
        edits.append(.same(old[x - 1]))
        x -= 1
        y -= 1
      }
      if d > 0 {
        if x == prevX {
          edits.append(.added(new[y - 1]))
        } else {
          edits.append(.removed(old[x - 1]))
        }
      }
      x = prevX
      y = prevY
    }
    return edits.reversed()
  }

  /// A unified diff (`---`/`+++` headers, `@@` hunks with `context` lines around changes),
  /// or an empty string when the texts are equal.
  public static func unified(
    old: String, new: String, oldName: String, newName: String, context: Int = 3
  ) -> String {
    if old == new { return "" }
    let a = splitLines(old)
    let b = splitLines(new)
    let script = edits(a.lines, b.lines)
    // Line numbers of each edit in old and new.
    var hunks: [(start: Int, end: Int)] = []
    var index = 0
    while index < script.count {
      if case .same = script[index] {
        index += 1
        continue
      }
      var end = index
      while end < script.count {
        if case .same = script[end] {
          // Look ahead: a run of more than 2*context equal lines ends the hunk.
          var run = end
          while run < script.count, case .same = script[run] { run += 1 }
          if run - end > 2 * context || run == script.count { break }
          end = run
        } else {
          end += 1
        }
      }
      hunks.append((max(0, index - context), min(script.count, end + context)))
      index = end
    }
    var out = "--- \(oldName)\n+++ \(newName)\n"
    // Precompute line numbers.
    var oldLine = [Int](repeating: 0, count: script.count + 1)
    var newLine = [Int](repeating: 0, count: script.count + 1)
    var o = 1
    var nn = 1
    for (i, edit) in script.enumerated() {
      oldLine[i] = o
      newLine[i] = nn
      switch edit {
      case .same:
        o += 1
        nn += 1
      case .removed: o += 1
      case .added: nn += 1
      }
    }
    oldLine[script.count] = o
    newLine[script.count] = nn
    for hunk in hunks {
      var oldCount = 0
      var newCount = 0
      var body = ""
      for i in hunk.start..<hunk.end {
        switch script[i] {
        case .same(let line):
          oldCount += 1
          newCount += 1
          body += " " + line + "\n"
        case .removed(let line):
          oldCount += 1
          body += "-" + line + "\n"
          if isLastOld(script, i), !a.endsWithNewline {
            body += "\\ No newline at end of file\n"
          }
        case .added(let line):
          newCount += 1
          body += "+" + line + "\n"
        }
      }
      let oldStart = oldCount == 0 ? oldLine[hunk.start] - 1 : oldLine[hunk.start]
      let newStart = newCount == 0 ? newLine[hunk.start] - 1 : newLine[hunk.start]
      out += "@@ -\(oldStart),\(oldCount) +\(newStart),\(newCount) @@\n" + body
    }
    return out
  }

  static func isLastOld(_ script: [Edit], _ i: Int) -> Bool {
    for j in (i + 1)..<script.count {
      switch script[j] {
      case .same, .removed: return false
      case .added: continue
      }
    }
    return true
  }

  static func splitLines(_ text: String) -> (lines: [String], endsWithNewline: Bool) {
    if text.isEmpty { return ([], true) }
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let endsWithNewline = text.hasSuffix("\n")
    if endsWithNewline { lines.removeLast() }
    return (lines, endsWithNewline)
  }
}
