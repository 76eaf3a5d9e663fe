#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Number formatting without Foundation, and a small aligned table.
enum Format {
  /// `x` with `decimals` digits after the point.
  static func fixed(_ x: Double, _ decimals: Int) -> String {
    guard x.isFinite else { return "–" }
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let scaled = (abs(x) * scale).rounded()
    let whole = Int(scaled / scale)
    let fraction = Int(scaled - Double(whole) * scale)
    var text = (x < 0 && scaled != 0 ? "-" : "") + grouped(whole)
    if decimals > 0 {
      let digits = String(fraction)
      text += "." + String(repeating: "0", count: decimals - digits.count) + digits
    }
    return text
  }

  /// `n` with thousands separators: `12,345`.
  static func grouped(_ n: Int) -> String {
    let digits = Array(String(n))
    var out = ""
    for (index, digit) in digits.enumerated() {
      if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
      out.append(digit)
    }
    return out
  }

  /// Seconds, with a unit that keeps three significant digits or so.
  static func seconds(_ s: Double) -> String {
    s < 1 ? fixed(s * 1000, s < 0.01 ? 2 : 1) + " ms" : fixed(s, 3) + " s"
  }

  /// A ratio: `41.2×`.
  static func ratio(_ r: Double) -> String {
    fixed(r, r < 10 ? 2 : 1) + "×"
  }

  /// Bytes as MB (10^6 bytes).
  static func megabytes(_ bytes: Int) -> String {
    fixed(Double(bytes) / 1e6, 2) + " MB"
  }
}

/// Rows of cells printed with aligned columns: the first column left-aligned, the others
/// right-aligned. Widths count characters, so keep cells ASCII.
struct Table {
  var header: [String]
  var rows: [[String]] = []

  init(_ header: [String]) {
    self.header = header
  }

  mutating func add(_ row: [String]) {
    rows.append(row)
  }

  func render(indent: Int = 2) -> String {
    let all = [header] + rows
    var widths = [Int](repeating: 0, count: header.count)
    for row in all {
      for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
    }
    var out = ""
    for (rowIndex, row) in all.enumerated() {
      var line = String(repeating: " ", count: indent)
      for (index, cell) in row.enumerated() {
        let pad = String(repeating: " ", count: widths[index] - cell.count)
        line += index == 0 ? cell + pad : "  " + pad + cell
      }
      while line.last == " " { line.removeLast() }
      out += line + "\n"
      if rowIndex == 0 {
        out +=
          String(repeating: " ", count: indent)
          + String(repeating: "-", count: widths.reduce(0, +) + 2 * (widths.count - 1)) + "\n"
      }
    }
    return out
  }
}

/// A line on standard error every ten seconds of a long generation (`12,000 of 200,000
/// commits, 14 s`), so that a run of half an hour shows it is moving.
struct Progress {
  let total: Int
  private var done = 0
  private let start = monotonicSeconds()
  private var next = monotonicSeconds() + 10

  init(total: Int) {
    self.total = total
  }

  mutating func step() {
    done += 1
    guard done & 255 == 0 else { return }
    let now = monotonicSeconds()
    guard now >= next else { return }
    next = now + 10
    let line = Array(
      "  \(Format.grouped(done)) of \(Format.grouped(total)) commits, \(Format.seconds(now - start))\n".utf8)
    _ = line.withUnsafeBytes { write(2, $0.baseAddress!, $0.count) }
  }
}
