internal import CTallyInterrupts

/// What TallyGit's writes need of interrupt handling (the public API is TallyRecords'
/// `Interrupts`): files to remove if a signal ends the process (locks, the index's copy),
/// critical sections (moving a branch, replacing the index, writing git's configuration), and
/// a check for a pending signal before a step that cannot be undone.
enum Signals {
  /// A file registered to be removed if a signal ends the process.
  struct RememberedFile: Sendable {
    let slot: Int32
  }

  static func remember(_ path: String) -> RememberedFile {
    RememberedFile(slot: tally_interrupts_register_file(path))
  }

  static func forget(_ file: RememberedFile) {
    tally_interrupts_unregister_file(file.slot)
  }

  /// Runs `body` with signals held until it ends.
  static func critical<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
    tally_interrupts_critical_begin()
    defer { tally_interrupts_critical_end() }
    return try body()
  }

  /// Throws ``GitError/Code/interrupted(_:)`` when a signal is pending.
  static func checkpoint() throws(GitError) {
    let signal = tally_interrupts_pending()
    if signal != 0 {
      throw GitError(code: .interrupted(signal), message: "interrupted by signal \(signal)", function: "signal")
    }
  }
}
