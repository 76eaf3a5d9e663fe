#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// `tally-bench processes DIR --tally PATH --python PATH --script PATH --runs N`: whole
/// processes over every file on disk, standard output to /dev/null, best of N wall times.
enum ProcessBenchmark {
  static let goal = 10.0

  struct Options {
    var directory: String
    var tally: String
    var python: String
    var script: String
    var runs: Int
    /// Where the outputs of the check run are kept.
    var outputDirectory: String
  }

  /// One finished run: wall time on the monotonic clock, CPU time from `wait4`.
  struct Timing {
    var wall: Double
    var user: Double
    var system: Double
    var cpu: Double { user + system }
  }

  static func run(_ options: Options) throws(BenchError) {
    let paths = try FileIO.yamlFiles(in: options.directory)
    guard !paths.isEmpty else { throw BenchError("no .yaml files in \(options.directory)") }
    var bytes = 0
    for path in paths {
      var info = stat()
      guard stat(path, &info) == 0 else { throw .system("stat", path) }
      bytes += Int(info.st_size)
    }
    let tally = [options.tally, "parse", "--format", "json", "--color", "never"] + paths
    let pyyaml = [options.python, options.script] + paths

    // Check run: both must succeed and print the same JSON Lines.
    let tallyOut = options.outputDirectory + "/tally.jsonl"
    let pyyamlOut = options.outputDirectory + "/pyyaml.jsonl"
    _ = try spawn(tally, stdout: tallyOut)
    _ = try spawn(pyyaml, stdout: pyyamlOut)
    let agreement = try compare(tallyOut, pyyamlOut, expectedLines: paths.count)

    // Python's own split of its time, one extra run (not part of the timings).
    let phasesOut = options.outputDirectory + "/pyyaml-phases.txt"
    _ = try spawn(
      [options.python, options.script, "--phases"] + paths, stdout: "/dev/null", stderr: phasesOut)
    let phases = String(decoding: try FileIO.read(phasesOut), as: UTF8.self)

    // The same files given to tally in batches of 1,000 through xargs: shows how much of
    // tally's time grows with the length of its argument list.
    let listPath = options.outputDirectory + "/files.txt"
    try FileIO.write(Array(paths.map { $0 + "\n" }.joined().utf8), to: listPath)
    let batched =
      ["/usr/bin/xargs", "-a", listPath, "-d", "\n", "-n", "1000"] + Array(tally.prefix(6))
    let haveXargs = access("/usr/bin/xargs", X_OK) == 0

    // Timed runs, interleaved so drift in the machine's speed affects both alike.
    let pinned = access("/usr/bin/taskset", X_OK) == 0
    var best: [String: Timing] = [:]
    func keep(_ name: String, _ timing: Timing) {
      if let old = best[name], old.wall <= timing.wall { return }
      best[name] = timing
    }
    for _ in 0..<options.runs {
      keep("tally", try spawn(tally))
      keep("pyyaml", try spawn(pyyaml))
      if pinned { keep("tally1", try spawn(["/usr/bin/taskset", "-c", "0"] + tally)) }
      if haveXargs { keep("tally-xargs", try spawn(batched)) }
      keep("tally-start", try spawn(Array(tally.prefix(7))))
      keep("pyyaml-start", try spawn(Array(pyyaml.prefix(3))))
    }

    let cores = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
    print(
      "whole processes over \(Format.grouped(paths.count)) files on disk (\(Format.megabytes(bytes))), "
        + "stdout to /dev/null, best of \(options.runs) (\(cores) cores)")
    var table = Table(["command", "wall", "CPU (user+sys)", "records/s", "MB/s"])
    func row(_ name: String, _ key: String, throughput: Bool = true) {
      guard let t = best[key] else { return }
      table.add([
        name, Format.seconds(t.wall), Format.seconds(t.cpu),
        throughput ? Format.fixed(Double(paths.count) / t.wall, 0) : "",
        throughput ? Format.fixed(Double(bytes) / 1e6 / t.wall, 1) : "",
      ])
    }
    row("tally parse --format json FILE...", "tally")
    if pinned { row("  same, pinned to one core (taskset -c 0)", "tally1") }
    if haveXargs { row("  same, 1,000 files per process (xargs -n)", "tally-xargs") }
    row("  startup: one file", "tally-start", throughput: false)
    row("PyYAML CBaseLoader + json.dumps", "pyyaml")
    row("  startup: one file", "pyyaml-start", throughput: false)
    print(table.render(), terminator: "")
    print("  outputs: \(agreement)")
    print("  PyYAML's time by phase (one extra run, perf_counter):")
    for line in phases.split(separator: "\n") { print("    " + line) }
    guard let t = best["tally"], let p = best["pyyaml"] else { return }
    let ratio = p.wall / t.wall
    if pinned, let t1 = best["tally1"] {
      print("  PyYAML / tally pinned to one core: \(Format.ratio(p.wall / t1.wall))")
    }
    if haveXargs, let tx = best["tally-xargs"] {
      print("  PyYAML / tally in batches of 1,000 files: \(Format.ratio(p.wall / tx.wall))")
    }
    print("  PyYAML / tally (wall): \(Format.ratio(ratio))")
    print("GOAL tally parse ≥10× PyYAML: \(Format.ratio(ratio)) \(ratio >= goal ? "PASS" : "FAIL")")
  }

  /// Compares the two JSON Lines outputs.
  static func compare(_ a: String, _ b: String, expectedLines: Int) throws(BenchError) -> String {
    let left = try FileIO.read(a)
    let right = try FileIO.read(b)
    let leftLines = left.split(separator: 0x0A, omittingEmptySubsequences: false).dropLast()
    let rightLines = right.split(separator: 0x0A, omittingEmptySubsequences: false).dropLast()
    guard leftLines.count == expectedLines, rightLines.count == expectedLines else {
      throw BenchError(
        "expected \(expectedLines) JSON lines; tally printed \(leftLines.count), PyYAML \(rightLines.count)")
    }
    if left == right {
      return "identical JSON Lines from both (\(Format.grouped(expectedLines)) lines, "
        + "\(Format.megabytes(left.count)); kept in \(a) and \(b))"
    }
    for (index, (l, r)) in zip(leftLines, rightLines).enumerated() where l != r {
      throw BenchError(
        "tally and PyYAML disagree on line \(index + 1) (see \(a) and \(b)):\n"
          + "  tally:  \(String(decoding: l.prefix(300), as: UTF8.self))\n"
          + "  PyYAML: \(String(decoding: r.prefix(300), as: UTF8.self))")
    }
    return "same lines, different bytes"
  }

  /// Runs `argv` to completion with stdout (and stderr) sent to files; fails unless it exits 0.
  static func spawn(
    _ argv: [String], stdout: String = "/dev/null", stderr: String? = nil
  ) throws(BenchError) -> Timing {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    if let stderr {
      posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    }
    var cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) }
    cArgs.append(nil)
    defer { for arg in cArgs { free(arg) } }
    var pid: pid_t = 0
    let start = monotonicSeconds()
    let rc = posix_spawnp(&pid, argv[0], &actions, nil, cArgs, environ)
    guard rc == 0 else {
      throw BenchError("cannot run \(argv[0]): \(String(cString: strerror(rc)))")
    }
    var status: Int32 = 0
    var usage = rusage()
    while wait4(pid, &status, 0, &usage) < 0 {
      guard errno == EINTR else { throw .system("wait for", argv[0]) }
    }
    let wall = monotonicSeconds() - start
    let exited = status & 0x7F == 0
    let code = (status >> 8) & 0xFF
    guard exited, code == 0 else {
      let how = exited ? "exit status \(code)" : "signal \(status & 0x7F)"
      throw BenchError(
        "\(argv.prefix(4).joined(separator: " ")) ... failed (\(how))"
          + (stderr.map { "; see \($0)" } ?? ""))
    }
    func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) * 1e-6 }
    return Timing(wall: wall, user: seconds(usage.ru_utime), system: seconds(usage.ru_stime))
  }
}
