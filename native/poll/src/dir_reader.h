// Reads one directory into a Listing: open(O_DIRECTORY), readdir, and one
// fstatat per entry relative to the directory fd (no path building, no lookup
// from the root). Failures are returned as data (errno + which call failed).
#pragma once

#include <string>

#include "listing.h"

namespace vigil_poll {

/**
 * Which call failed; mapped to names in JS (ScanSyscall in types.ts). With
 * followSymlinks a failed stat() falls back to lstat(), so the call that
 * fails an entry is always an lstat.
 */
enum class Syscall : uint32_t { kNone = 0, kOpendir = 1, kReaddir = 2, kLstat = 3 };

struct ReadFailure {
  int error = 0;  // errno, 0 when the directory was read
  Syscall syscall = Syscall::kNone;
  bool failed() const { return error != 0; }
};

/**
 * Reads `path` into `out` (cleared first). With `followSymlinks`, entries are
 * stat()ed, falling back to lstat() when the link is dangling or loops.
 * An entry that vanishes between readdir and stat (ENOENT) is skipped: it is
 * gone. Any other stat failure fails the whole directory (e.g. a directory
 * with read but no search permission), so it is reported rather than hidden.
 *
 * Threading: runs on a worker thread; touches only its arguments.
 */
ReadFailure readDirectory(const std::string& path, bool followSymlinks, Listing& out);

}  // namespace vigil_poll
