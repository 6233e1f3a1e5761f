// One level of the watch-then-list walk. For each directory, in order:
// inotify_add_watch FIRST (so nothing created during the listing is missed),
// then open + getdents64, lstat only where d_type is DT_UNKNOWN. Which
// subdirectories to descend into is decided by JS (ignore filters live there).
//
// Packed result (one buffer, host byte order = little-endian everywhere vigil
// builds; all offsets are byte offsets from the start of the buffer):
//
//   header, 8 bytes:
//     0   u32 version      (1)
//     4   u32 dirCount     (= number of directories passed in, same order)
//   dir table, dirCount records of 28 bytes starting at offset 8:
//     0   i32 wd           (-1 when inotify_add_watch failed)
//     4   i32 watchErrno   (0, or errno of inotify_add_watch)
//     8   i32 readErrno    (0, or errno of open/getdents64)
//     12  u32 readSyscall  (0 none, 1 open, 2 getdents64)
//     16  u32 entryCount
//     20  u32 entriesOffset (first entry of this directory)
//     24  u32 entriesBytes
//   entries, packed back to back after the table:
//     0   u8  dType        (DT_* after lstat resolution; DT_UNKNOWN if lstat failed)
//     1   u8  reserved     (0)
//     2   u16 nameLen
//     4   nameLen bytes of name (raw, not NUL-terminated; "." and ".." omitted)
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "inotify_fd.h"

namespace vigil {

class DirWalker {
 public:
  static constexpr uint32_t kVersion = 1;
  static constexpr size_t kHeaderSize = 8;
  static constexpr size_t kDirRecordSize = 28;
  static constexpr size_t kEntryHeaderSize = 4;
  enum ReadSyscall : uint32_t { kNone = 0, kOpen = 1, kGetdents = 2 };

  /**
   * Watches and lists every directory in `dirs` (absolute paths, raw bytes).
   * Runs on a libuv worker thread: touches only its arguments and the
   * thread-safe InotifyFd. Once `inotify` is closed, the remaining directories
   * get watchErrno EBADF and are still listed.
   */
  static std::vector<uint8_t> walk(const InotifyFd& inotify, const std::vector<std::string>& dirs, uint32_t mask);

 private:
  /** Lists one directory into `out`; returns 0 or an errno and sets *failedCall. */
  static int list(const std::string& dir, uint32_t mask, std::vector<uint8_t>* out, std::vector<char>* buf,
                  uint32_t* count, uint32_t* failedCall);
};

}  // namespace vigil
