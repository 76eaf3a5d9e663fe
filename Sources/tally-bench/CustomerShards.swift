import TallySampleData
import TallySchema

/// Customer files in shard folders, for `gen-history --shard-digits N`: the history corpus
/// writes `customers/C-1000042.yaml`; this moves each to the folder `RecordLayout` gives its id
/// (`customers/042/C-1000042.yaml`) and adds `shard:` to the customer schema, so that the
/// repository is what `tally migrate layout customer --digits N` would have made of it from
/// its first commit.
struct CustomerShards {
  let layout: RecordLayout

  init(digits: Int) throws(BenchError) {
    guard (1...RecordLayout.maximumDigits).contains(digits) else {
      throw BenchError("--shard-digits must be 1...\(RecordLayout.maximumDigits)")
    }
    layout = .lastDigits(digits)
  }

  /// The path of a change in the sharded layout.
  func place(_ path: String) -> String {
    guard path.hasPrefix("customers/"), path.hasSuffix(".yaml") else { return path }
    let name = path.dropFirst("customers/".count)
    guard !name.contains("/"), let shard = layout.shard(of: name.dropLast(".yaml".count)) else { return path }
    return "customers/" + shard + "/" + name
  }

  /// The commit with its customer files in their shard folders.
  func place(_ commit: SampleEvent) -> SampleEvent {
    var commit = commit
    for index in commit.changes.indices { commit.changes[index].path = place(commit.changes[index].path) }
    return commit
  }

  /// The customer schema with `shard:` after its `directory:` line.
  func schema(_ content: [UInt8]) throws(BenchError) -> [UInt8] {
    guard case .lastDigits(let digits) = layout else { return content }
    let text = String(decoding: content, as: UTF8.self)
    guard let line = text.range(of: "\ndirectory: customers\n") else {
      throw BenchError("the customer schema has no `directory: customers` line to put `shard:` after")
    }
    var result = text
    result.insert(contentsOf: "shard:\n  digits: \(digits)\n", at: line.upperBound)
    return Array(result.utf8)
  }
}
