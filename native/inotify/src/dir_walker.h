// One level of the watch-then-list walk. For each directory, in order:
// inotify_add_watch FIRST (so nothing created during the listing is missed),
// then open + getdents64, lstat only where d_type is DT_UNKNOWN. Which
// subdirectories to descend into is decided by JS (ignore filters live there).
//
// Packed result (one buffer, host byte order = little-endian everywhere vigil
// builds; offsets are byte offsets from the start of the buffer). Names are
// columnar so that JS decodes all of them with one toString + split:
//
//   header, 20 bytes:
//     0   u32 version      (3)
//     4   u32 dirCount     (= number of directories passed in, same order)
//     8   u32 entryCount   (all directories together)
//     12  u32 namesOffset  (start of the names area)
//     16  u32 namesBytes
//   dir table, dirCount records of 32 bytes from offset 20 (4-byte aligned,
//   so JS reads it as an Int32Array in place):
//     0   i32 wd           (-1 when inotify_add_watch failed)
//     4   i32 watchErrno   (0, or errno of inotify_add_watch)
//     8   i32 readErrno    (0, or errno of open/getdents64)
//     12  u32 readSyscall  (0 none, 1 open, 2 getdents64)
//     16  u32 firstEntry   (index of this directory's first entry)
//     20  u32 entryCount
//     24  u32 firstNameByte (this directory's names, relative to namesOffset)
//     28  u32 nameBytes
//   types area, from 20 + 32*dirCount: entryCount bytes, one d_type per entry
//     (after lstat for DT_UNKNOWN; stays DT_UNKNOWN if lstat failed)
//   names area, from namesOffset: every entry's raw name bytes followed by '/'
//     (0x2F, the one byte no name can contain), same order as the types.
//     "." and ".." are omitted.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "inotify_fd.h"

namespace vigil {

class DirWalker {
 public:
  static constexpr uint32_t kVersion = 3;
  static constexpr size_t kHeaderSize = 20;
  static constexpr size_t kDirRecordSize = 32;
  enum ReadSyscall : uint32_t { kNone = 0, kOpen = 1, kGetdents = 2 };

  /**
   * Watches and lists every directory in `dirs` (absolute paths, raw bytes).
   * Runs on a libuv worker thread: touches only its arguments and the
   * thread-safe InotifyFd. Once `inotify` is closed, the remaining directories
   * get watchErrno EBADF and are still listed.
   */
  static std::vector<uint8_t> walk(const InotifyFd& inotify, const std::vector<std::string>& dirs, uint32_t mask);

 private:
  /** Lists one directory, appending to `types` and `names`; returns 0 or an errno and sets *failedCall. */
  static int list(const std::string& dir, uint32_t mask, std::vector<uint8_t>* types, std::vector<uint8_t>* names,
                  std::vector<char>* buf, uint32_t* failedCall);
};

}  // namespace vigil
