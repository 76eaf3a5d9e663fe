import TallySampleData

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// `write-example`, `write-history` and `gen-check`: the sample data of TallySampleData on
/// disk.
enum SampleCommands {
  /// The record directories of a records repository (schema/ and tally.yaml are left alone).
  static let recordDirectories = SampleRecordType.allCases.map(\.directory)

  /// `tally-bench write-example DIR`: the simulated team's records after the last commit.
  static func writeExample(directory: String) throws(BenchError) {
    let start = monotonicSeconds()
    let simulation = TeamSimulation()
    let simulated = monotonicSeconds()
    let bytes = try writeRecords(simulation.finalState, to: directory)
    let elapsed = monotonicSeconds() - start
    var counts: [String: Int] = [:]
    for path in simulation.finalState.keys { counts[String(path.prefix { $0 != "/" }), default: 0] += 1 }
    print(
      """
      example: \(simulation.finalState.count) records in \(directory) \
      (\(recordDirectories.map { "\($0) \(counts[$0] ?? 0)" }.joined(separator: ", "))), \
      \(Format.megabytes(bytes))
        simulated in \(Format.seconds(simulated - start)), written in \(Format.seconds(elapsed - (simulated - start)))
      """)
  }

  /// `tally-bench write-history FILE`: the simulated commits as JSON Lines.
  static func writeHistory(file: String) throws(BenchError) {
    let start = monotonicSeconds()
    let simulation = TeamSimulation()
    let simulated = monotonicSeconds()
    var out: [UInt8] = []
    out.reserveCapacity(8 << 20)
    var changes = 0
    for event in simulation.events {
      event.jsonLine(into: &out)
      out.append(0x0A)
      changes += event.changes.count
    }
    try FileIO.write(out, to: file)
    let elapsed = monotonicSeconds() - start
    let authors = Set(simulation.events.map(\.authorEmail)).count
    let viaTally = simulation.events.filter { $0.via == .tally }.count
    print(
      """
      history: \(simulation.events.count) commits by \(authors) authors (\(viaTally) via tally, \
      \(simulation.events.count - viaTally) via git), \(changes) file changes, \
      \(simulation.events.first?.timestamp ?? "-") … \(simulation.events.last?.timestamp ?? "-")
        \(file): \(Format.megabytes(out.count)); simulated in \(Format.seconds(simulated - start)), \
      written in \(Format.seconds(elapsed - (simulated - start)))
      """)
  }

  /// `tally-bench gen-check DIR --customers N --seed S`: a records repository for `tally check`
  /// benchmarks.
  static func generateCheckRepository(directory: String, customers: Int, seed: UInt64) throws(BenchError) {
    let start = monotonicSeconds()
    let files = SampleCorpus.checkRepository(customers: customers, seed: seed)
    let generated = monotonicSeconds()
    let bytes = try writeRecords(files, to: directory)
    let elapsed = monotonicSeconds() - start
    var counts: [String: Int] = [:]
    var customerBytes = 0
    for (path, content) in files {
      let directory = String(path.prefix { $0 != "/" })
      counts[directory, default: 0] += 1
      if directory == "customers" { customerBytes += content.count }
    }
    let n = max(counts["customers"] ?? 0, 1)
    print(
      """
      check repository: \(Format.grouped(files.count)) records in \(directory) (seed \(seed)): \
      \(recordDirectories.map { "\($0) \(Format.grouped(counts[$0] ?? 0))" }.joined(separator: ", "))
        size: \(Format.megabytes(bytes)); customers mean \(Format.grouped(customerBytes / n)) B
        generated in \(Format.seconds(generated - start)), written in \(Format.seconds(elapsed - (generated - start)))
      """)
  }

  /// Writes `files` under `directory`, creating the record directories and removing the
  /// `.yaml` files a previous run left in them that are not written again (rewriting a file
  /// in place is much faster than removing and creating it). Returns the bytes written.
  static func writeRecords(_ files: [String: [UInt8]], to directory: String) throws(BenchError) -> Int {
    let root = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
    try FileIO.makeDirectory(root)
    var subdirectories = Set(recordDirectories)
    for path in files.keys {
      if let slash = path.lastIndex(of: "/") { subdirectories.insert(String(path[..<slash])) }
    }
    for subdirectory in subdirectories.sorted() {
      var partial = root
      for component in subdirectory.split(separator: "/") {
        partial += "/" + component
        try FileIO.makeDirectory(partial)
      }
      if recordDirectories.contains(subdirectory) {
        for path in try FileIO.yamlFiles(in: partial) where files[String(path.dropFirst(root.count + 1))] == nil {
          guard unlink(path) == 0 else { throw .system("remove", path) }
        }
      }
    }
    var total = 0
    for path in files.keys.sorted() {
      let content = files[path]!
      try FileIO.write(content, to: root + "/" + path)
      total += content.count
    }
    return total
  }
}
