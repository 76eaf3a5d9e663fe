internal import CTallyInterrupts
import TallyGit

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// What Ctrl-C (SIGINT), SIGTERM and SIGHUP do to Tally: never leave a lock, a temporary
/// file, a half-written file or a half-made commit behind.
///
/// The handler itself is in C (`CTallyInterrupts`, async-signal-safe). Three regimes:
/// - **Outside any section** (reading commands): a signal removes the registered files
///   (temporary files, locks) and ends the process by that signal, as git does.
/// - **Cancellable sections** (the writing commands: commit, fmt, set, new, add, init, hook):
///   the first signal is only recorded. The command polls with ``checkpoint()`` between
///   steps, unwinds by throwing ``Interrupted``, puts back what it changed, and ends by the
///   signal (``die(_:)``). A second signal acts as outside a section: the user insists.
/// - **Critical sections** (moving a branch, replacing the index, writing git's
///   configuration): every signal waits until the section ends, so a step that cannot be
///   undone is never cut in half.
///
/// TallyGit's own writes use the same handler through its internal `Signals`.
public enum Interrupts {
  /// Installs the handler (once). Call it first thing in a process.
  public static func install() { tally_interrupts_install() }

  /// The first signal received, if any.
  public static var pending: Int32? {
    let signal = tally_interrupts_pending()
    return signal == 0 ? nil : signal
  }

  /// Throws ``Interrupted`` when a signal has been received.
  public static func checkpoint() throws(Interrupted) {
    if let signal = pending { throw Interrupted(signal: signal) }
  }

  /// Runs `body` as a cancellable section: the first signal is recorded for
  /// ``checkpoint()`` to report.
  public static func cancellable<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
    tally_interrupts_cancellable_begin()
    defer { tally_interrupts_cancellable_end() }
    return try body()
  }

  /// Runs `body` as a critical section: signals wait until it ends.
  public static func critical<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
    tally_interrupts_critical_begin()
    defer { tally_interrupts_critical_end() }
    return try body()
  }

  /// Removes the registered files and ends the process by `signal`, as its default action
  /// would (the shell then reports the signal, e.g. exit status 130 for SIGINT).
  public static func die(_ signal: Int32) -> Never {
    tally_interrupts_die(signal)
  }

  /// Registers `path` (a temporary file or a lock this process created) to be removed if
  /// the process is ended by a signal; ``forget(_:)`` it once it is renamed or removed.
  public static func remember(_ path: String) -> RememberedFile {
    RememberedFile(slot: tally_interrupts_register_file(path))
  }

  /// Stops removing a file registered with ``remember(_:)``.
  public static func forget(_ file: RememberedFile) {
    tally_interrupts_unregister_file(file.slot)
  }

  /// A file that ``remember(_:)`` registered.
  public struct RememberedFile: Sendable {
    let slot: Int32
  }

  /// The signal that stopped an operation, when `error` says one did (``Interrupted``, or a
  /// git operation stopped by a signal).
  public static func signal(of error: any Error) -> Int32? {
    if let interrupted = error as? Interrupted { return interrupted.signal }
    if let git = error as? GitError, case .interrupted(let signal) = git.code { return signal }
    return nil
  }

  /// The name of a signal, for messages.
  public static func name(of signal: Int32) -> String {
    switch signal {
    case SIGINT: "SIGINT"
    case SIGTERM: "SIGTERM"
    case SIGHUP: "SIGHUP"
    default: "signal \(signal)"
    }
  }
}

/// The operation was stopped by a signal (Ctrl-C, SIGTERM, SIGHUP) at a point where nothing
/// was left half-done.
public struct Interrupted: Error, CustomStringConvertible, Sendable {
  public var signal: Int32

  public init(signal: Int32) { self.signal = signal }

  public var description: String { "interrupted by \(Interrupts.name(of: signal))" }
}
