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
  std::vector<uint8_t> table(kDirRecordSize * dirs.size(), 0);
  std::vector<uint8_t> types;
  std::vector<uint8_t> names;
  types.reserve(dirs.size() * 32);
  names.reserve(dirs.size() * 32 * 16);
  std::vector<char> buf(kGetdentsBufferSize);

  for (size_t i = 0; i < dirs.size(); i++) {
    SysResult watch = inotify.addWatch(dirs[i].c_str(), mask);
    uint32_t failedCall = kNone;
    size_t first = types.size();
    size_t firstNameByte = names.size();
    int readErr = list(dirs[i], mask, &types, &names, &buf, &failedCall);

    size_t rec = kDirRecordSize * i;
    put32(&table, rec + 0, static_cast<uint32_t>(watch.ok() ? watch.value : -1));
    put32(&table, rec + 4, static_cast<uint32_t>(watch.err));
    put32(&table, rec + 8, static_cast<uint32_t>(readErr));
    put32(&table, rec + 12, failedCall);
    put32(&table, rec + 16, static_cast<uint32_t>(first));
    put32(&table, rec + 20, static_cast<uint32_t>(types.size() - first));
    // Where this directory's names lie in the names area, so JS can decode one
    // directory's names without scanning all of them.
    put32(&table, rec + 24, static_cast<uint32_t>(firstNameByte));
    put32(&table, rec + 28, static_cast<uint32_t>(names.size() - firstNameByte));
  }

  size_t namesOffset = kHeaderSize + table.size() + types.size();
  std::vector<uint8_t> out(namesOffset + names.size());
  put32(&out, 0, kVersion);
  put32(&out, 4, static_cast<uint32_t>(dirs.size()));
  put32(&out, 8, static_cast<uint32_t>(types.size()));
  put32(&out, 12, static_cast<uint32_t>(namesOffset));
  put32(&out, 16, static_cast<uint32_t>(names.size()));
  if (!table.empty()) std::memcpy(out.data() + kHeaderSize, table.data(), table.size());
  if (!types.empty()) std::memcpy(out.data() + kHeaderSize + table.size(), types.data(), types.size());
  if (!names.empty()) std::memcpy(out.data() + namesOffset, names.data(), names.size());
  return out;
}

int DirWalker::list(const std::string& dir, uint32_t mask, std::vector<uint8_t>* types, std::vector<uint8_t>* names,
                    std::vector<char>* buf, uint32_t* failedCall) {
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
      types->push_back(type);
      names->insert(names->end(), d->d_name, d->d_name + nameLen);
      names->push_back('/');
    }
  }
}

}  // namespace vigil
