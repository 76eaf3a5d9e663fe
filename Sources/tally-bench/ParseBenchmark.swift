import TallyText
import Yams

/// `tally-bench parse DIR --runs N`: in-process throughput on one core. Reads every file
/// into memory first, then times only the work named in each row, best of N runs.
enum ParseBenchmark {
  /// Results are folded into this so the optimiser cannot drop the work.
  nonisolated(unsafe) static var sink = 0

  static let goal = 30.0

  /// Runs the rows whose key is `only` (parse, print, json, yams, read), or all when nil:
  /// one kind of work at a time, for a profiler.
  static func run(directory: String, runs: Int, only: String? = nil) throws(BenchError) {
    let paths = try FileIO.yamlFiles(in: directory)
    guard !paths.isEmpty else { throw BenchError("no .yaml files in \(directory)") }

    // Read once for the corpus; the timed reads below hit the page cache, as the CLI's do
    // when it runs right after the files were written.
    var corpus: [[UInt8]] = []
    corpus.reserveCapacity(paths.count)
    for path in paths { corpus.append(try FileIO.read(path)) }
    let records = corpus.count
    let bytes = corpus.reduce(0) { $0 + $1.count }

    // Every file must parse, with TallyText and with Yams, before anything is timed.
    var documents: [Document] = []
    documents.reserveCapacity(records)
    for (path, source) in zip(paths, corpus) {
      let result = Document.parse(source, path: path)
      guard let document = result.document, !result.diagnostics.hasErrors else {
        let rendered = DiagnosticRenderer().render(
          result.diagnostics, file: SourceFile(path: path, bytes: source))
        throw BenchError("TallyText does not accept a corpus file:\n\(rendered)")
      }
      documents.append(document)
    }
    // Yams takes a String: the conversion is done here, outside the timing. Whether Yams
    // accepts every file is checked in the timed runs (a failure ends the benchmark).
    let texts = only == nil || only == "yams" ? corpus.map { String(decoding: $0, as: UTF8.self) } : []
    let values = only == nil || only == "json" ? documents.map(\.value) : []
    if only != nil && only != "print" && only != "json" { documents = [] }

    print(
      "in-process, one thread, best of \(runs) (files read into memory first; "
        + "\(Format.grouped(records)) files, \(Format.megabytes(bytes)))")
    var table = Table(["work timed", "best", "records/s", "MB/s"])
    func measure(
      _ name: String, _ key: String, _ body: () throws(BenchError) -> Int
    ) throws(BenchError) -> Double {
      if let only, only != key { return .nan }
      var best = Double.infinity
      for _ in 0..<runs {
        let start = monotonicSeconds()
        let result = try body()
        let elapsed = monotonicSeconds() - start
        sink &+= result
        best = min(best, elapsed)
      }
      table.add([
        name, Format.seconds(best), Format.fixed(Double(records) / best, 0),
        Format.fixed(Double(bytes) / 1e6 / best, 1),
      ])
      return best
    }

    _ = try measure("read files (open/read/close)", "read") { () throws(BenchError) -> Int in
      var total = 0
      for path in paths { total &+= try FileIO.read(path).count }
      return total
    }
    // The parse: bytes to the lossless syntax tree (flat form) that check, history and
    // `tally parse` read.
    let parse = try measure("TallyText parse (syntax tree)", "parse") { () throws(BenchError) -> Int in
      var total = 0
      for (path, source) in zip(paths, corpus) {
        total &+= SyntaxTree.parse(source, path: path).tree?.root.count ?? -1
      }
      return total
    }
    _ = try measure("  + node tree (Document.parse)", "parse") { () throws(BenchError) -> Int in
      var total = 0
      for (path, source) in zip(paths, corpus) {
        total &+= Document.parse(source, path: path).document?.root.entries.count ?? -1
      }
      return total
    }
    _ = try measure("TallyText parse + canonical print", "print") { () throws(BenchError) -> Int in
      let printer = CanonicalPrinter()
      var total = 0
      for (path, source) in zip(paths, corpus) {
        guard let document = Document.parse(source, path: path).document else { return -1 }
        total &+= printer.printBytes(document).count
      }
      return total
    }
    _ = try measure("  canonical print alone", "print") { () throws(BenchError) -> Int in
      let printer = CanonicalPrinter()
      var total = 0
      for document in documents { total &+= printer.printBytes(document).count }
      return total
    }
    _ = try measure("TallyText parse + JSON line", "json") { () throws(BenchError) -> Int in
      var total = 0
      var out: [UInt8] = []
      for (path, source) in zip(paths, corpus) {
        guard let tree = SyntaxTree.parse(source, path: path).tree else { return -1 }
        out.removeAll(keepingCapacity: true)
        out.append(contentsOf: #"{"path":"#.utf8)
        JSON.writeString(path, into: &out)
        out.append(contentsOf: #","value":"#.utf8)
        tree.root.writeJSON(into: &out)
        out.append(contentsOf: "}\n".utf8)
        total &+= out.count
      }
      return total
    }
    _ = try measure("TallyText parse + value", "json") { () throws(BenchError) -> Int in
      var total = 0
      for (path, source) in zip(paths, corpus) {
        guard let tree = SyntaxTree.parse(source, path: path).tree else { return -1 }
        if case .mapping(let pairs) = tree.value { total &+= pairs.count }
      }
      return total
    }
    _ = try measure("  document.value alone", "json") { () throws(BenchError) -> Int in
      var total = 0
      for document in documents {
        if case .mapping(let pairs) = document.value { total &+= pairs.count }
      }
      return total
    }
    _ = try measure("  JSON line alone (writeJSON)", "json") { () throws(BenchError) -> Int in
      var total = 0
      var out: [UInt8] = []
      for (path, value) in zip(paths, values) {
        out.removeAll(keepingCapacity: true)
        jsonLine(path: path, value: value, into: &out)
        total &+= out.count
      }
      return total
    }
    let yams = try measure("Yams compose(yaml:)", "yams") { () throws(BenchError) -> Int in
      var total = 0
      for (path, text) in zip(paths, texts) {
        let node: Yams.Node?
        do {
          node = try Yams.compose(yaml: text)
        } catch {
          throw BenchError("Yams does not accept \(path): \(error)")
        }
        guard case .mapping(let mapping)? = node else {
          throw BenchError("Yams does not read a mapping from \(path)")
        }
        total &+= mapping.count
      }
      return total
    }
    print(table.render(), terminator: "")
    guard only == nil else { return }
    let ratio = yams / parse
    print("  TallyText parse / Yams compose: \(Format.ratio(ratio)) faster")
    print("GOAL parse ≥30× Yams: \(Format.ratio(ratio)) \(ratio >= goal ? "PASS" : "FAIL")")
    if sink == 42 { print("") }  // keeps `sink` observable
  }

  /// The line `tally parse --format json` prints for one file of several.
  static func jsonLine(path: String, value: Value, into out: inout [UInt8]) {
    out.append(contentsOf: #"{"path":"#.utf8)
    JSON.writeString(path, into: &out)
    out.append(contentsOf: #","value":"#.utf8)
    value.writeJSON(into: &out)
    out.append(contentsOf: "}\n".utf8)
  }
}
