#include "dir_walker.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>

#include "mask.h"
#include "unique_fd.h"

namespace vigil {

namespace {

// The kernel's getdents64 record (not exported by every libc).
struct LinuxDirent64 {
  uint64_t d_ino;
  int64_t d_off;
  unsigned short d_reclen;
  unsigned char d_type;
  char d_name[];
};

constexpr size_t kGetdentsBufferSize = 64 * 1024;

void put32(std::vector<uint8_t>* out, size_t at, uint32_t v) { std::memcpy(out->data() + at, &v, 4); }

}  // namespace

std::vector<uint8_t> DirWalker::walk(const InotifyFd& inotify, const std::vector<std::string>& dirs, uint32_t mask) {
  // Threading: libuv worker thread (WalkWorker::Execute).
  std::vector<uint8_t> out(kHeaderSize + kDirRecordSize * dirs.size(), 0);
  out.reserve(out.size() + dirs.size() * 1024);
  put32(&out, 0, kVersion);
  put32(&out, 4, static_cast<uint32_t>(dirs.size()));
  std::vector<char> buf(kGetdentsBufferSize);

  for (size_t i = 0; i < dirs.size(); i++) {
    SysResult watch = inotify.addWatch(dirs[i].c_str(), mask);
    uint32_t count = 0;
    uint32_t syscall = kNone;
    size_t start = out.size();
    int readErr = list(dirs[i], mask, &out, &buf, &count, &syscall);

    size_t rec = kHeaderSize + kDirRecordSize * i;
    put32(&out, rec + 0, static_cast<uint32_t>(watch.ok() ? watch.value : -1));
    put32(&out, rec + 4, static_cast<uint32_t>(watch.err));
    put32(&out, rec + 8, static_cast<uint32_t>(readErr));
    put32(&out, rec + 12, syscall);
    put32(&out, rec + 16, count);
    put32(&out, rec + 20, static_cast<uint32_t>(start));
    put32(&out, rec + 24, static_cast<uint32_t>(out.size() - start));
  }
  return out;
}

int DirWalker::list(const std::string& dir, uint32_t mask, std::vector<uint8_t>* out, std::vector<char>* buf,
                    uint32_t* count, uint32_t* failedCall) {
  // Threading: libuv worker thread.
  int flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC | (isDontFollow(mask) ? O_NOFOLLOW : 0);
  UniqueFd dfd(open(dir.c_str(), flags));
  if (!dfd.valid()) {
    *failedCall = kOpen;
    return errno;
  }
  for (;;) {
    long n = ::syscall(SYS_getdents64, dfd.get(), buf->data(), buf->size());
    if (n < 0) {
      if (errno == EINTR) continue;
      *failedCall = kGetdents;
      return errno;
    }
    if (n == 0) return 0;
    for (long off = 0; off < n;) {
      auto* d = reinterpret_cast<LinuxDirent64*>(buf->data() + off);
      off += d->d_reclen;
      if (isDotOrDotDot(d->d_name)) continue;
      unsigned char type = d->d_type;
      if (isUnknownType(type)) {
        struct stat st;
        if (fstatat(dfd.get(), d->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0) type = IFTODT(st.st_mode);
      }
      size_t nameLen = strlen(d->d_name);
      size_t at = out->size();
      out->resize(at + kEntryHeaderSize + nameLen);
      uint8_t* e = out->data() + at;
      uint16_t len16 = static_cast<uint16_t>(nameLen);
      e[0] = type;
      e[1] = 0;
      std::memcpy(e + 2, &len16, 2);
      std::memcpy(e + kEntryHeaderSize, d->d_name, nameLen);
      (*count)++;
    }
  }
}

}  // namespace vigil
