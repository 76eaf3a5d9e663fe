#include "tally_interrupts.h"

#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { SLOTS = 1024 };

static atomic_int pending = 0;
static atomic_int cancellable = 0;
static atomic_int critical = 0;
static atomic_int installed = 0;
/// Paths to remove when the process dies; a slot is claimed by compare-and-swap from NULL.
static _Atomic(char *) files[SLOTS];
/// Set (for good) when a handler starts removing the files: from then on no path is freed,
/// since the handler may be reading it.
static atomic_int removing = 0;

static void remove_files(void) {
  atomic_store(&removing, 1);
  for (int slot = 0; slot < SLOTS; slot++) {
    char *path = atomic_load(&files[slot]);
    if (path != NULL) unlink(path);
  }
}

void tally_interrupts_die(int sig) {
  remove_files();
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_handler = SIG_DFL;
  sigemptyset(&action.sa_mask);
  sigaction(sig, &action, NULL);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, sig);
  sigprocmask(SIG_UNBLOCK, &set, NULL);
  raise(sig);
  _exit(128 + sig);  // not reached: the default action of these signals ends the process
}

static void handler(int sig) {
  int expected = 0;
  int first = atomic_compare_exchange_strong(&pending, &expected, sig);
  if (atomic_load(&critical) > 0) return;
  if (first && atomic_load(&cancellable) > 0) return;
  tally_interrupts_die(first ? sig : expected);
}

void tally_interrupts_install(void) {
  int expected = 0;
  if (!atomic_compare_exchange_strong(&installed, &expected, 1)) return;
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_handler = handler;
  // System calls interrupted by a recorded signal go on: the code polls at safe points.
  action.sa_flags = SA_RESTART;
  sigemptyset(&action.sa_mask);
  const int signals[] = {SIGINT, SIGTERM, SIGHUP};
  for (unsigned i = 0; i < sizeof signals / sizeof signals[0]; i++) {
    struct sigaction old;
    // A signal the parent told this process to ignore (nohup) stays ignored.
    if (sigaction(signals[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN) continue;
    sigaddset(&action.sa_mask, signals[i]);
  }
  sigset_t unblock;
  sigemptyset(&unblock);
  for (unsigned i = 0; i < sizeof signals / sizeof signals[0]; i++) {
    struct sigaction old;
    if (sigaction(signals[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN) continue;
    sigaction(signals[i], &action, NULL);
    sigaddset(&unblock, signals[i]);
  }
  // A process started from a thread that blocks signals (a thread pool's) inherits the
  // mask: these would wait unseen until the process ends. An ignored signal is a choice of
  // the parent (nohup, a background job) and stays ignored; a blocked one is not.
  sigprocmask(SIG_UNBLOCK, &unblock, NULL);
}

int tally_interrupts_pending(void) { return atomic_load(&pending); }

void tally_interrupts_cancellable_begin(void) { atomic_fetch_add(&cancellable, 1); }

void tally_interrupts_cancellable_end(void) { atomic_fetch_sub(&cancellable, 1); }

void tally_interrupts_critical_begin(void) { atomic_fetch_add(&critical, 1); }

void tally_interrupts_critical_end(void) {
  if (atomic_fetch_sub(&critical, 1) == 1) {
    int sig = atomic_load(&pending);
    if (sig != 0 && atomic_load(&cancellable) == 0 && atomic_load(&critical) == 0) tally_interrupts_die(sig);
  }
}

int tally_interrupts_register_file(const char *path) {
  char *copy = strdup(path);
  if (copy == NULL) return -1;
  for (int slot = 0; slot < SLOTS; slot++) {
    char *empty = NULL;
    if (atomic_compare_exchange_strong(&files[slot], &empty, copy)) return slot;
  }
  free(copy);
  return -1;
}

void tally_interrupts_unregister_file(int slot) {
  if (slot < 0 || slot >= SLOTS) return;
  char *path = atomic_exchange(&files[slot], NULL);
  // A handler that loaded the path before the exchange may still be unlinking it; it ends
  // the process, so waiting for the signal that does is all there is to do.
  while (atomic_load(&removing)) pause();
  free(path);
}
