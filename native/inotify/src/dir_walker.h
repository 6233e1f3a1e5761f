// One level of the watch-then-list walk. For each directory, in order:
// inotify_add_watch FIRST (so nothing created during the listing is missed),
// then open + getdents64, lstat only where d_type is DT_UNKNOWN (or of every
// entry, with kStats). Which
// subdirectories to descend into is decided by JS (ignore filters live there).
//
// Packed result (one buffer, host byte order = little-endian everywhere vigil
// builds; offsets are byte offsets from the start of the buffer). Names are
// columnar so that JS decodes all of them with one toString + split:
//
//   header, 24 bytes:
//     0   u32 version      (4)
//     4   u32 dirCount     (= number of directories passed in, same order)
//     8   u32 entryCount   (all directories together)
//     12  u32 namesOffset  (start of the names area)
//     16  u32 namesBytes
//     20  u32 statsOffset  (start of the stats area; 0 when stats were not asked for)
//   dir table, dirCount records of 32 bytes from offset 24 (4-byte aligned,
//   so JS reads it as an Int32Array in place):
//     0   i32 wd           (-1 when inotify_add_watch failed)
//     4   i32 watchErrno   (0, or errno of inotify_add_watch)
//     8   i32 readErrno    (0, or errno of open/getdents64)
//     12  u32 readSyscall  (0 none, 1 open, 2 getdents64)
//     16  u32 firstEntry   (index of this directory's first entry)
//     20  u32 entryCount
//     24  u32 firstNameByte (this directory's names, relative to namesOffset)
//     28  u32 nameBytes
//   types area, from 24 + 32*dirCount: entryCount bytes, one d_type per entry
//     (after lstat for DT_UNKNOWN, or for every entry with kStats; stays
//     DT_UNKNOWN if lstat failed)
//   names area, from namesOffset: every entry's raw name bytes followed by '/'
//     (0x2F, the one byte no name can contain), same order as the types.
//     "." and ".." are omitted.
//   stats area (kStats only), from statsOffset (8-byte aligned): f64 records
//     of 5 (dev, ino, size, mtime seconds, mtime nanoseconds), first one per
//     directory (fstat of the open directory), then one per entry (lstat),
//     same order as the types. A record whose mtime seconds is NaN could not
//     be taken: its first slot holds the errno (ENOENT: the entry went away),
//     and an entry's type is then DT_UNKNOWN.
//     Doubles, as node's fs.Stats has them, so JS derives the same mtimeMs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "inotify_fd.h"

namespace vigil {

class DirWalker {
 public:
  static constexpr uint32_t kVersion = 4;
  static constexpr size_t kHeaderSize = 24;
  static constexpr size_t kDirRecordSize = 32;
  static constexpr size_t kStatDoubles = 5;
  enum ReadSyscall : uint32_t { kNone = 0, kOpen = 1, kGetdents = 2 };
  /** Walk flags (the `flags` argument of the addon's walk). */
  enum Flags : uint32_t { kStats = 1 };

  /**
   * Watches and lists every directory in `dirs` (absolute paths, raw bytes).
   * Runs on a libuv worker thread: touches only its arguments and the
   * thread-safe InotifyFd. Once `inotify` is closed, the remaining directories
   * get watchErrno EBADF and are still listed.
   */
  static std::vector<uint8_t> walk(const InotifyFd& inotify, const std::vector<std::string>& dirs, uint32_t mask,
                                   uint32_t flags);

 private:
  /** Where one directory's listing goes; `dirStats`/`entryStats` only with kStats. */
  struct Output {
    std::vector<uint8_t> types;
    std::vector<uint8_t> names;
    std::vector<double> dirStats;
    std::vector<double> entryStats;
    bool stats = false;
  };

  /** Lists one directory, appending to `out`; returns 0 or an errno and sets *failedCall. */
  static int list(const std::string& dir, uint32_t mask, Output* out, std::vector<char>* buf, uint32_t* failedCall);
};

}  // namespace vigil
