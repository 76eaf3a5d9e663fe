import TallySampleData

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// `tally-bench gen-history DIR`: a new git repository with a long, realistic history of a
/// team's records, for `make bench-history` (TallySampleData's `HistoryCorpus` makes the
/// commits; this writes them).
///
/// The objects are written as one pack by `PackWriter`, not through `git fast-import`:
/// fast-import writes every changed tree in full before deltifying it, formatting each entry
/// with printf, which for a `customers/` directory of 10,000 files costs about 8 ms of CPU
/// per commit (measured with git 2.39: 16 s for 2,000 commits), so 20,000 commits would take
/// minutes. Here the `customers` tree is kept serialized, updated in place, hashed again
/// only from its first changed block and stored as a delta of the ids that changed. The
/// pack has the shape fast-import gives (each tree and blob a delta against the previous
/// version of the same path, chains of at most 50), but its data is in stored zlib blocks,
/// so it is about twice as large. `--append N` adds commits to an existing repository
/// through `git fast-import`, which is quick for a few hundred commits.
///
/// The schema files come from `--schema-dir` (default `schema`, relative to the current
/// directory), read at run time so the repository always has the project's schemas.
enum GenerateHistory {
  struct Options {
    var directory: String
    var customers = 10_000
    var commits = 20_000
    var authors = 20
    var seed: UInt64 = 7
    var schemaDirectory = "schema"
    /// Customer files in shard folders of this many digits (`--shard-digits`); nil: flat.
    var shardDigits: Int?
  }

  static func run(_ options: Options) throws(BenchError) {
    let start = monotonicSeconds()
    guard HistoryCorpus.authorRange.contains(options.authors) else {
      throw BenchError("--authors must be \(HistoryCorpus.authorRange)")
    }
    guard options.customers <= HistoryCorpus.maximumCustomers else {
      throw BenchError("--customers must be at most \(Format.grouped(HistoryCorpus.maximumCustomers))")
    }
    let minimum = HistoryCorpus.minimumCommits(customers: options.customers)
    guard options.commits >= minimum else {
      throw BenchError("--commits must be at least \(minimum) for \(options.customers) customers (set-up and import)")
    }
    let shards = try options.shardDigits.map { digits throws(BenchError) in try CustomerShards(digits: digits) }
    var schemaFiles = try readSchemas(options.schemaDirectory)
    if let shards, let index = schemaFiles.firstIndex(where: { $0.name == "customer.yaml" }) {
      schemaFiles[index].content = try shards.schema(schemaFiles[index].content)
    }
    let directory = options.directory.hasSuffix("/") ? String(options.directory.dropLast()) : options.directory
    if let dir = opendir(directory) {
      var entries = 0
      while let entry = readdir(dir) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
          String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
        }
        if name != "." && name != ".." { entries += 1 }
      }
      closedir(dir)
      guard entries == 0 else { throw BenchError("\(directory) exists and is not empty (gen-history makes a new one)") }
    }
    try GitProcess.run(["init", "-q", "-b", "main", directory])
    let packDirectory = directory + "/.git/objects/pack"
    let temporaryPack = packDirectory + "/tmp_pack_gen_history"
    let temporaryIndex = packDirectory + "/tmp_idx_gen_history"
    let pack = try PackWriter(path: temporaryPack)
    let writer = PackedRepositoryWriter(pack: pack)
    let history: HistoryCorpus
    do {
      history = try HistoryCorpus(
        HistoryCorpus.Options(
          customers: options.customers, commits: options.commits, authors: options.authors, seed: options.seed,
          schemaFiles: schemaFiles))
    } catch {
      throw BenchError(error.description)
    }
    var authors: Set<String> = []
    var days: (first: Substring, last: Substring)?
    var progress = Progress(total: options.commits)
    while let commit = history.next() {
      progress.step()
      authors.insert(commit.authorEmail)
      days = (days?.first ?? commit.timestamp.prefix(10), commit.timestamp.prefix(10))
      try writer.write(shards?.place(commit) ?? commit)
    }
    let packHash = try pack.finish(indexPath: temporaryIndex)
    let name = packDirectory + "/pack-" + packHash.hex
    guard rename(temporaryPack, name + ".pack") == 0 else { throw .system("rename", temporaryPack) }
    guard rename(temporaryIndex, name + ".idx") == 0 else { throw .system("rename", temporaryIndex) }
    guard let head = writer.head else { throw BenchError("no commits") }
    try GitProcess.run(["-C", directory, "update-ref", "refs/heads/main", head.hex])
    let written = monotonicSeconds()
    try GitProcess.run(["-C", directory, "reset", "-q", "--hard"])
    let end = monotonicSeconds()
    print(
      "gen-history: \(Format.grouped(writer.commitCount)) commits by \(authors.count) authors "
        + "(\(days?.first ?? "") … \(days?.last ?? "")), "
        + "\(Format.grouped(history.customerCount)) customers and \(history.staffCount) staff "
        + "(\(Format.grouped(writer.fileCount)) files) at \(head.hex.prefix(10)); \(history.rareCommits); "
        + "pack \(Format.megabytes(pack.size)) (\(Format.grouped(pack.objectCount)) objects, "
        + "\(Format.grouped(pack.deltaCount)) deltas, \(Format.megabytes(pack.objectBytes)) unpacked) in \(directory); "
        + "\(Format.seconds(end - start)) (written \(Format.seconds(written - start)), "
        + "checkout \(Format.seconds(end - written))), seed \(options.seed)")
  }

  /// The `.yaml` files of the schema directory, by name.
  static func readSchemas(_ directory: String) throws(BenchError) -> [(name: String, content: [UInt8])] {
    let paths: [String]
    do {
      paths = try FileIO.yamlFiles(in: directory)
    } catch {
      throw BenchError("cannot read the schemas in \(directory) (run from the package root or pass --schema-dir)")
    }
    let files = try paths.map { path throws(BenchError) in
      (String(path.split(separator: "/").last!), try FileIO.read(path))
    }
    for required in ["customer.yaml", "staff.yaml"] where !files.contains(where: { $0.0 == required }) {
      throw BenchError("\(directory) has no \(required)")
    }
    return files
  }
}
