import TallySampleData
import TallySchema
import TallyText

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// `tally-bench gen-history DIR --append N --seed S`: N more working commits on `main` of an
/// existing records repository, written by `git fast-import`. The staff and customers are
/// read from the tip, so the new commits continue the history validly whatever made it;
/// the commits follow the tip's time, a few minutes apart in working hours. The checkout
/// is moved to the new tip.
extension GenerateHistory {
  static func append(directory: String, count: Int, seed: UInt64) throws(BenchError) {
    let start = monotonicSeconds()
    let git = ["-C", directory]
    let scratch = try GitProcess.text(git + ["rev-parse", "--absolute-git-dir"], scratch: "/tmp")
    let tip = try GitProcess.text(git + ["rev-parse", "--verify", "-q", "refs/heads/main^{commit}"], scratch: scratch)
    guard let lastTime = Int(try GitProcess.text(git + ["log", "-1", "--format=%ct", tip], scratch: scratch)) else {
      throw BenchError("cannot read the time of \(tip)")
    }

    // The records at the tip: list the blobs, then read them all with one cat-file.
    let listing = try GitProcess.output(git + ["ls-tree", "-r", tip, "--", "staff", "customers"], scratch: scratch)
    var paths: [(path: String, hash: String)] = []
    for line in listing.split(separator: 0x0A) {
      guard let tab = line.firstIndex(of: 0x09) else { continue }
      let fields = line[..<tab].split(separator: 0x20)
      guard fields.count == 3, fields[1].elementsEqual("blob".utf8) else { continue }
      paths.append((String(decoding: line[(tab + 1)...], as: UTF8.self), String(decoding: fields[2], as: UTF8.self)))
    }
    let requests = scratch + "/tally-bench-\(getpid()).in"
    defer { unlink(requests) }
    try FileIO.write(Array(paths.map { $0.hash + "\n" }.joined().utf8), to: requests)
    let contents = try GitProcess.output(git + ["cat-file", "--batch"], stdin: requests, scratch: scratch)
    var staff: [HistoryStaff] = []
    var customers: [HistoryCustomer] = []
    var position = 0
    for (path, _) in paths {
      guard let newline = contents[position...].firstIndex(of: 0x0A),
        let size = Int(String(decoding: contents[position..<newline], as: UTF8.self).split(separator: " ").last ?? "")
      else { throw BenchError("unexpected output from git cat-file for \(path)") }
      let bytes = Array(contents[(newline + 1)..<(newline + 1 + size)])
      position = newline + 1 + size + 1
      let id = String(path.split(separator: "/").last!.dropLast(5))
      guard path.hasSuffix(".yaml"), let value = Document.parse(bytes, path: path).document?.value else {
        throw BenchError("\(path) at \(tip.prefix(10)) is not a record")
      }
      if path.hasPrefix("staff/") {
        guard let member = HistoryStaff(id: id, value: value) else { throw BenchError("\(path): cannot read it") }
        staff.append(member)
      } else {
        guard let customer = HistoryCustomer(id: id, value: value) else {
          throw BenchError("\(path): cannot read it")
        }
        customers.append(customer)
      }
    }
    let largest = customers.compactMap { Int($0.id.dropFirst(2)) }.max() ?? 0
    let team = HistoryTeam(staff: staff, rng: SplitMix64(seed: seed, index: 0xA99E), nextNumber: largest + 1)
    guard !team.owners.isEmpty, !customers.isEmpty else { throw BenchError("no customers or no sellers at the tip") }
    for customer in customers { team.add(customer) }

    // The commits, streamed to git fast-import.
    let (pid, input) = try GitProcess.start(git + ["fast-import", "--quiet"])
    var failure: BenchError?
    var rng = SplitMix64(seed: seed, index: 0x71AE)
    var time = lastTime
    for index in 0..<count {
      time = nextWorkingMoment(after: time, rng: &rng)
      let commit = team.regularCommit(time: time)
      let stream = fastImport(commit, from: index == 0 ? tip : nil)
      guard stream.withUnsafeBytes({ PackWriter.writeAll(input, $0) }) else {
        failure = .system("write to", "git fast-import")
        break
      }
    }
    close(input)
    try GitProcess.wait(pid, ["fast-import"])
    if let failure { throw failure }
    try GitProcess.run(git + ["reset", "-q", "--hard"])
    let head = try GitProcess.text(git + ["rev-parse", "refs/heads/main"], scratch: scratch)
    print(
      "gen-history --append: \(count) commits on top of \(tip.prefix(10)) (now \(head.prefix(10))) in \(directory), "
        + "\(Format.grouped(customers.count)) customers read, seed \(seed), \(Format.seconds(monotonicSeconds() - start))"
    )
  }

  /// A few minutes after `time`, moved to 09:00–12:00 of the next weekday after 21:00.
  static func nextWorkingMoment(after time: Int, rng: inout SplitMix64) -> Int {
    let next = time + rng.int(in: 120...1800)
    let day = CivilDate(time: next)
    if !day.isWeekend && next - day.midnight < 21 * 3600 && next - day.midnight >= 9 * 3600 { return next }
    var morning = day.adding(days: next - day.midnight >= 9 * 3600 ? 1 : 0)
    while morning.isWeekend { morning = morning.adding(days: 1) }
    return max(time + 1, morning.midnight + 9 * 3600 + rng.below(3 * 3600))
  }

  /// The fast-import commands of one commit on refs/heads/main.
  static func fastImport(_ commit: HistoryCommit, from parent: String?) -> [UInt8] {
    var out: [UInt8] = []
    func line(_ text: String) {
      out.append(contentsOf: text.utf8)
      out.append(0x0A)
    }
    func data(_ bytes: [UInt8]) {
      line("data \(bytes.count)")
      out.append(contentsOf: bytes)
      out.append(0x0A)
    }
    let person = "\(commit.author.name) <\(commit.author.email)> \(commit.time) +0800"
    line("commit refs/heads/main")
    line("author \(person)")
    line("committer \(person)")
    data(Array(commit.message.utf8))
    if let parent { line("from \(parent)") }
    for change in commit.changes {
      if let content = change.content {
        line("M 100644 inline \(change.path)")
        data(content)
      } else {
        line("D \(change.path)")
      }
    }
    out.append(0x0A)
    return out
  }
}
