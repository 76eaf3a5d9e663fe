// The async-signal-safe half of Tally's interrupt handling (see TallyRecords' Interrupts).
//
// A signal handler may only touch lock-free atomics and call async-signal-safe functions
// (unlink, raise, sigaction), so the handler, the pending signal and the list of files to
// remove when the process dies live here, in C, where that is plain to see.
#ifndef TALLY_INTERRUPTS_H
#define TALLY_INTERRUPTS_H

#ifdef __cplusplus
extern "C" {
#endif

/// Installs the handler for SIGINT, SIGTERM and SIGHUP (once; later calls do nothing).
///
/// Outside any section, a signal removes the registered files and ends the process by the
/// same signal (as git's tempfile handling does). Inside a cancellable section, the first
/// signal is only recorded: the code polls `tally_interrupts_pending` and unwinds; a second
/// one acts as outside. Inside a critical section every signal is only recorded.
void tally_interrupts_install(void);

/// The first signal received (SIGINT, SIGTERM or SIGHUP), or 0.
int tally_interrupts_pending(void);

/// Enters or leaves a cancellable section (they nest, across threads).
void tally_interrupts_cancellable_begin(void);
void tally_interrupts_cancellable_end(void);

/// Enters or leaves a critical section (they nest, across threads). Leaving the outermost one
/// outside any cancellable section with a signal pending ends the process by that signal.
void tally_interrupts_critical_begin(void);
void tally_interrupts_critical_end(void);

/// Registers a file to remove if the process dies by a signal (a temporary file, a lock).
/// Returns its slot, or -1 when the table is full (the file is then not removed).
int tally_interrupts_register_file(const char *path);

/// Forgets the file in `slot` (after renaming or removing it); -1 is ignored.
void tally_interrupts_unregister_file(int slot);

/// Removes every registered file and ends the process by `signal` (default action).
void tally_interrupts_die(int signal) __attribute__((noreturn));

#ifdef __cplusplus
}
#endif

#endif
