import Foundation

/// Runs the built `tally` (or any program) and captures what it printed.
public struct ProcessResult: Sendable {
  public var status: Int32
  public var stdout: String
  public var stderr: String
  public var stdoutBytes: [UInt8]
  /// The signal that ended the process, when one did (then `status` is its number).
  public var signal: Int32? = nil
}

public enum TallyProcess {
  /// The `tally` binary under test: `$TALLY_BIN`, or the one built next to the test bundle.
  public static var binary: String {
    if let explicit = ProcessInfo.processInfo.environment["TALLY_BIN"] { return explicit }
    var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for _ in 0..<4 {
      let candidate = directory.appendingPathComponent("tally").path
      if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
      directory = directory.deletingLastPathComponent()
    }
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
    return root.appendingPathComponent(".build/debug/tally").path
  }

  /// Runs `tally` with `arguments` in `directory`.
  @discardableResult
  public static func run(
    _ arguments: [String], in directory: String? = nil, environment: [String: String] = [:],
    stdin: String? = nil
  ) throws -> ProcessResult {
    try runProgram(binary, arguments, in: directory, environment: environment, stdin: stdin)
  }

  /// Runs any program (for `git`, found on PATH).
  @discardableResult
  public static func runProgram(
    _ program: String, _ arguments: [String], in directory: String? = nil,
    environment: [String: String] = [:], stdin: String? = nil
  ) throws -> ProcessResult {
    let process = Process()
    if program.contains("/") {
      process.executableURL = URL(fileURLWithPath: program)
      process.arguments = arguments
    } else {
      process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
      process.arguments = [program] + arguments
    }
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    let out = Pipe()
    let err = Pipe()
    let input = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = input
    try TestEnvironment.spawning {
      var env = ProcessInfo.processInfo.environment
      // Fixed, test-friendly defaults: no colour, a known width and locale.
      env["NO_COLOR"] = "1"
      env["COLUMNS"] = "100"
      env["LC_ALL"] = "C.UTF-8"
      env["TZ"] = "UTC"
      for (key, value) in environment { env[key] = value }
      process.environment = env
      try process.run()
    }
    if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
    try? input.fileHandleForWriting.close()
    // Read both pipes concurrently so a full pipe never blocks the child.
    nonisolated(unsafe) var errData = Data()
    let group = DispatchGroup()
    group.enter()
    DispatchQueue.global().async {
      errData = err.fileHandleForReading.readDataToEndOfFile()
      group.leave()
    }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    return ProcessResult(
      status: process.terminationStatus,
      stdout: String(decoding: outData, as: UTF8.self),
      stderr: String(decoding: errData, as: UTF8.self),
      stdoutBytes: [UInt8](outData))
  }
}

/// A `tally` process started but not yet waited for (to run several at once).
public final class RunningProcess: @unchecked Sendable {
  let process: Process
  let out: Pipe
  let err: Pipe

  init(process: Process, out: Pipe, err: Pipe) {
    self.process = process
    self.out = out
    self.err = err
  }

  /// Waits for the process and collects its output.
  public func wait() throws -> ProcessResult {
    nonisolated(unsafe) var errData = Data()
    let group = DispatchGroup()
    group.enter()
    let err = self.err
    DispatchQueue.global().async {
      errData = err.fileHandleForReading.readDataToEndOfFile()
      group.leave()
    }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    return ProcessResult(
      status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
      stderr: String(decoding: errData, as: UTF8.self), stdoutBytes: [UInt8](outData),
      signal: process.terminationReason == .uncaughtSignal ? process.terminationStatus : nil)
  }

  /// The process id.
  public var pid: Int32 { process.processIdentifier }

  /// Sends `signal` to the process (`kill`).
  public func send(_ signal: Int32) {
    kill(process.processIdentifier, signal)
  }
}

extension TallyProcess {
  /// Starts `tally` with `arguments` in `directory` without waiting for it.
  public static func start(
    _ arguments: [String], in directory: String, environment: [String: String] = [:]
  ) throws -> RunningProcess {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: binary)
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    // A child starts with its parent thread's signal mask, and a test runs on a thread pool
    // that blocks signals: unblocked here, the child gets SIGINT as from a shell.
    var signals = sigset_t()
    sigemptyset(&signals)
    for signal in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&signals, signal) }
    var previous = sigset_t()
    pthread_sigmask(SIG_UNBLOCK, &signals, &previous)
    defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
    try TestEnvironment.spawning {
      var env = ProcessInfo.processInfo.environment
      env["NO_COLOR"] = "1"
      env["LC_ALL"] = "C.UTF-8"
      for (key, value) in environment { env[key] = value }
      process.environment = env
      try process.run()
    }
    return RunningProcess(process: process, out: out, err: err)
  }
}

/// A temporary directory removed at the end of the test.
public final class TemporaryDirectory: @unchecked Sendable {
  public let path: String

  public init(prefix: String = "tally-test") throws {
    let base = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
    path = base.path
  }

  deinit {
    try? FileManager.default.removeItem(atPath: path)
  }

  /// Writes `text` to `relative` (creating directories) and returns the full path.
  @discardableResult
  public func write(_ relative: String, _ text: String) throws -> String {
    try write(relative, bytes: Array(text.utf8))
  }

  @discardableResult
  public func write(_ relative: String, bytes: [UInt8]) throws -> String {
    let url = URL(fileURLWithPath: path).appendingPathComponent(relative)
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(bytes).write(to: url)
    return url.path
  }

  public func read(_ relative: String) throws -> String {
    try String(contentsOfFile: URL(fileURLWithPath: path).appendingPathComponent(relative).path, encoding: .utf8)
  }

  public func bytes(_ relative: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: URL(fileURLWithPath: path).appendingPathComponent(relative)))
  }

  public func url(_ relative: String) -> URL {
    URL(fileURLWithPath: path).appendingPathComponent(relative)
  }
}
