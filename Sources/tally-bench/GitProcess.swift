#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Runs `git` (found on PATH) for `gen-history`: to completion with files for its standard
/// input and output, or with a pipe to feed it (`git fast-import`). Its standard error is
/// the caller's.
enum GitProcess {
  /// Runs `git arguments...`; fails unless it exits 0.
  static func run(_ arguments: [String], stdin: String = "/dev/null", stdout: String = "/dev/null")
    throws(BenchError)
  {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, stdin, O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    let pid = try spawn(arguments, actions: &actions)
    try wait(pid, arguments)
  }

  /// The standard output of `git arguments...`, through a temporary file in `scratch`.
  static func output(_ arguments: [String], stdin: String = "/dev/null", scratch: String) throws(BenchError)
    -> [UInt8]
  {
    let path = scratch + "/tally-bench-\(getpid()).out"
    defer { unlink(path) }
    try run(arguments, stdin: stdin, stdout: path)
    return try FileIO.read(path)
  }

  /// The standard output of `git arguments...` as text without the final line break.
  static func text(_ arguments: [String], scratch: String) throws(BenchError) -> String {
    var bytes = try output(arguments, scratch: scratch)
    while bytes.last == 0x0A { bytes.removeLast() }
    return String(decoding: bytes, as: UTF8.self)
  }

  /// Starts `git arguments...` reading from a pipe; returns its process id and the pipe's
  /// end to write to (close it, then `wait`).
  static func start(_ arguments: [String]) throws(BenchError) -> (pid: pid_t, input: Int32) {
    var ends: [Int32] = [0, 0]
    guard pipe(&ends) == 0 else { throw .system("create a pipe for", "git") }
    _ = fcntl(ends[1], F_SETFD, FD_CLOEXEC)
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, ends[0], 0)
    posix_spawn_file_actions_addclose(&actions, ends[0])
    let pid: pid_t
    do {
      pid = try spawn(arguments, actions: &actions)
    } catch {
      close(ends[0])
      close(ends[1])
      throw error
    }
    close(ends[0])
    // A git that exits early must give an error from write, not kill this process.
    signal(SIGPIPE, SIG_IGN)
    return (pid, ends[1])
  }

  private static func spawn(_ arguments: [String], actions: inout posix_spawn_file_actions_t) throws(BenchError)
    -> pid_t
  {
    let argv = ["git"] + arguments
    var cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) }
    cArgs.append(nil)
    defer { for arg in cArgs { free(arg) } }
    var pid: pid_t = 0
    let rc = posix_spawnp(&pid, "git", &actions, nil, cArgs, environ)
    guard rc == 0 else { throw BenchError("cannot run git: \(String(cString: strerror(rc)))") }
    return pid
  }

  /// Waits for `pid`; fails unless it exited 0.
  static func wait(_ pid: pid_t, _ arguments: [String]) throws(BenchError) {
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 {
      guard errno == EINTR else { throw .system("wait for", "git") }
    }
    let exited = status & 0x7F == 0
    let code = (status >> 8) & 0xFF
    guard exited, code == 0 else {
      let how = exited ? "exit status \(code)" : "signal \(status & 0x7F)"
      throw BenchError("git \(arguments.prefix(4).joined(separator: " ")) failed (\(how))")
    }
  }
}
