// tally-bench: the benchmarks behind `make bench-*` (see bench/parse.sh).
//
//   tally-bench generate-customers DIR [--count N] [--seed S]
//   tally-bench parse DIR [--runs N] [--only parse|print|json|yams|read]
//   tally-bench processes DIR --tally PATH --python PATH --script PATH [--runs N] [--out DIR]
//   tally-bench write-example DIR
//   tally-bench write-history FILE
//   tally-bench gen-check DIR [--customers N] [--seed S]
//   tally-bench gen-history DIR [--customers N] [--commits N] [--authors N] [--seed S] [--schema-dir DIR]
//                               [--shard-digits N]
//   tally-bench gen-history DIR --append N [--seed S]
import TallyText

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

let usage = """
  usage: tally-bench generate-customers DIR [--count N] [--seed S]
         tally-bench parse DIR [--runs N] [--only parse|print|json|yams|read]
         tally-bench processes DIR --tally PATH --python PATH --script PATH [--runs N] [--out DIR]
         tally-bench write-example DIR
         tally-bench write-history FILE
         tally-bench gen-check DIR [--customers N] [--seed S]
         tally-bench gen-history DIR [--customers N] [--commits N] [--authors N] [--seed S] [--schema-dir DIR]
                                       [--shard-digits N]
         tally-bench gen-history DIR --append N [--seed S]
  """

/// `--name value` options and positional arguments.
struct Arguments {
  var positional: [String] = []
  var options: [String: String] = [:]

  init(_ args: ArraySlice<String>) throws(BenchError) {
    var rest = args
    while let arg = rest.popFirst() {
      if arg.hasPrefix("--") {
        guard let value = rest.popFirst() else { throw BenchError("\(arg) needs a value\n\(usage)") }
        options[String(arg.dropFirst(2))] = value
      } else {
        positional.append(arg)
      }
    }
  }

  func string(_ name: String) throws(BenchError) -> String {
    guard let value = options[name] else { throw BenchError("--\(name) is required\n\(usage)") }
    return value
  }

  func int(_ name: String, default value: Int) throws(BenchError) -> Int {
    guard let text = options[name] else { return value }
    guard let number = Int(text), number > 0 else { throw BenchError("--\(name): not a positive number") }
    return number
  }

  func directory() throws(BenchError) -> String {
    guard positional.count == 1 else { throw BenchError("expected one directory\n\(usage)") }
    return positional[0]
  }

  func file() throws(BenchError) -> String {
    guard positional.count == 1 else { throw BenchError("expected one file\n\(usage)") }
    return positional[0]
  }
}

func main() throws(BenchError) {
  // The same allocator settings as the tally executable.
  MemoryTuning.keepFreedMemory()
  let args = CommandLine.arguments
  guard args.count >= 2 else { throw BenchError(usage) }
  let arguments = try Arguments(args.dropFirst(2))
  switch args[1] {
  case "generate-customers":
    guard let seed = UInt64(arguments.options["seed"] ?? "42") else { throw BenchError("--seed: not a number") }
    try GenerateCustomers.run(
      directory: try arguments.directory(), count: try arguments.int("count", default: 10_000), seed: seed)
  case "parse":
    try ParseBenchmark.run(
      directory: try arguments.directory(), runs: try arguments.int("runs", default: 3),
      only: arguments.options["only"])
  case "processes":
    let directory = try arguments.directory()
    try ProcessBenchmark.run(
      ProcessBenchmark.Options(
        directory: directory, tally: try arguments.string("tally"),
        python: try arguments.string("python"), script: try arguments.string("script"),
        runs: try arguments.int("runs", default: 3),
        outputDirectory: arguments.options["out"] ?? directory + "/.."))
  case "write-example":
    try SampleCommands.writeExample(directory: try arguments.directory())
  case "write-history":
    try SampleCommands.writeHistory(file: try arguments.file())
  case "gen-check":
    guard let seed = UInt64(arguments.options["seed"] ?? "42") else { throw BenchError("--seed: not a number") }
    try SampleCommands.generateCheckRepository(
      directory: try arguments.directory(), customers: try arguments.int("customers", default: 10_000), seed: seed)
  case "gen-history":
    guard let seed = UInt64(arguments.options["seed"] ?? "7") else { throw BenchError("--seed: not a number") }
    let directory = try arguments.directory()
    if arguments.options["append"] != nil {
      try GenerateHistory.append(directory: directory, count: try arguments.int("append", default: 100), seed: seed)
    } else {
      try GenerateHistory.run(
        GenerateHistory.Options(
          directory: directory, customers: try arguments.int("customers", default: 10_000),
          commits: try arguments.int("commits", default: 20_000), authors: try arguments.int("authors", default: 20),
          seed: seed, schemaDirectory: arguments.options["schema-dir"] ?? "schema",
          shardDigits: arguments.options["shard-digits"] == nil ? nil : try arguments.int("shard-digits", default: 0)))
    }
  default:
    throw BenchError("unknown command \(args[1])\n\(usage)")
  }
}

do {
  try main()
} catch {
  let message = Array("tally-bench: \(error)\n".utf8)
  _ = message.withUnsafeBytes { write(2, $0.baseAddress!, $0.count) }
  exit(1)
}
