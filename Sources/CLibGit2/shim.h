#ifndef TALLY_CLIBGIT2_SHIM_H
#define TALLY_CLIBGIT2_SHIM_H
// Hide libgit2's deprecated API so nothing in Tally can come to depend on it.
#define GIT_DEPRECATE_HARD
#include <git2.h>
// git_index_reuc_add: staging a conflicted path keeps its stages for `git checkout -m`, as git does.
#include <git2/sys/index.h>
// git_repository_set_index, for attributes read from the working tree alone.
#include <git2/sys/repository.h>

// git_libgit2_opts is variadic, which Swift cannot call: one wrapper per option used.

/// Whether every object read is hashed again to check its id (libgit2's default: yes).
static inline int tally_set_strict_hash_verification(int enabled) {
  return git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, enabled);
}
/// How much of the pack files is mapped at most, and in windows of what size.
static inline int tally_set_pack_mapping(size_t window, size_t limit) {
  int error = git_libgit2_opts(GIT_OPT_SET_MWINDOW_SIZE, window);
  return error ? error : git_libgit2_opts(GIT_OPT_SET_MWINDOW_MAPPED_LIMIT, limit);
}
#endif
