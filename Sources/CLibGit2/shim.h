#ifndef TALLY_CLIBGIT2_SHIM_H
#define TALLY_CLIBGIT2_SHIM_H
// Hide libgit2's deprecated API so nothing in Tally can come to depend on it.
#define GIT_DEPRECATE_HARD
#include <git2.h>
#endif
