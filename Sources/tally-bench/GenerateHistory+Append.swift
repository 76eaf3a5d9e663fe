import TallySampleData

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// `tally-bench gen-history DIR --append N --seed S`: N more working commits on `main` of an
/// existing records repository, written by `git fast-import`. The staff and customers are
/// read from the tip, so the new commits continue the history validly whatever made it;
/// the commits follow the tip's time, a few minutes apart in working hours. The checkout
/// is moved to the new tip. In a repository whose customers are in shard folders, the new
/// commits' files are too.
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
    var records: [(path: String, content: [UInt8])] = []
    var position = 0
    for (path, _) in paths {
      guard let newline = contents[position...].firstIndex(of: 0x0A),
        let size = Int(String(decoding: contents[position..<newline], as: UTF8.self).split(separator: " ").last ?? ""),
        newline + 1 + size <= contents.count
      else { throw BenchError("unexpected output from git cat-file for \(path)") }
      records.append((path, Array(contents[(newline + 1)..<(newline + 1 + size)])))
      position = newline + 1 + size + 1
    }
    var commits: [SampleEvent]
    do {
      commits = try HistoryCorpus.continuing(records, after: lastTime, count: count, seed: seed)
    } catch {
      throw BenchError("\(error) (at \(tip.prefix(10)))")
    }
    // A sharded repository (`customers/042/C-1000042.yaml`) gets its new files in shard folders.
    if let sharded = paths.first(where: { $0.path.hasPrefix("customers/") && $0.path.split(separator: "/").count == 3 })
    {
      let shards = try CustomerShards(digits: sharded.path.split(separator: "/")[1].count)
      commits = commits.map { shards.place($0) }
    }

    // The commits, streamed to git fast-import.
    let (pid, input) = try GitProcess.start(git + ["fast-import", "--quiet"])
    var failure: BenchError?
    for (index, commit) in commits.enumerated() {
      guard let stream = fastImport(commit, from: index == 0 ? tip : nil) else {
        failure = BenchError("a commit at no time: \(commit.timestamp)")
        break
      }
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
        + "\(Format.grouped(records.count)) records read, seed \(seed), \(Format.seconds(monotonicSeconds() - start))"
    )
  }

  /// The fast-import commands of one commit on refs/heads/main.
  static func fastImport(_ commit: SampleEvent, from parent: String?) -> [UInt8]? {
    guard let time = commit.epochSeconds else { return nil }
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
    let person = "\(commit.authorName) <\(commit.authorEmail)> \(time) +0800"
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
