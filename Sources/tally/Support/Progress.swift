import Foundation

/// A one-line progress bar on standard error for long work: items done, rate and an estimate
/// of the time left. Shown only when standard error is a terminal, from 0.3 s into the work
/// and at most ten times a second; `finish()` clears the line. Safe to update from several
/// threads.
final class Progress: @unchecked Sendable {
  private let lock = NSLock()
  let label: String
  let enabled: Bool
  let start = Date()
  private var lastDraw = Date.distantPast
  private var drawn = false

  init(label: String, enabled: Bool = Console.stderrIsTerminal) {
    self.label = label
    self.enabled = enabled
  }

  func update(_ done: Int, of total: Int) {
    guard enabled else { return }
    lock.lock()
    defer { lock.unlock() }
    let now = Date()
    // Quick work shows no bar at all; after that, at most ten frames a second.
    guard now.timeIntervalSince(start) >= 0.3, done == total || now.timeIntervalSince(lastDraw) >= 0.1 else { return }
    lastDraw = now
    let elapsed = max(now.timeIntervalSince(start), 0.001)
    let rate = Double(done) / elapsed
    let width = 24
    let filled = total > 0 ? min(width, done * width / total) : 0
    let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
    var line = "\r\(label) [\(bar)] \(done)/\(total)  \(Int(rate.rounded()))/s"
    if done < total, rate > 0 {
      let left = Int((Double(total - done) / rate).rounded())
      line += "  ~\(left / 60)m\(String(format: "%02d", left % 60))s left"
    }
    Console.err(line + "\u{1B}[K")
    drawn = true
  }

  func finish() {
    lock.lock()
    defer { lock.unlock() }
    guard enabled, drawn else { return }
    Console.err("\r\u{1B}[K")
  }
}
