#include "dir_walker.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <limits>

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

/** Appends one stat record (see dir_walker.h); when `st` is null, NaN mtime seconds and `err` in the first slot. */
void putStat(std::vector<double>* out, const struct stat* st, int err = 0) {
  if (st == nullptr) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    out->insert(out->end(), {static_cast<double>(err), nan, nan, nan, nan});
    return;
  }
  out->insert(out->end(),
              {static_cast<double>(st->st_dev), static_cast<double>(st->st_ino), static_cast<double>(st->st_size),
               static_cast<double>(st->st_mtim.tv_sec), static_cast<double>(st->st_mtim.tv_nsec)});
}

}  // namespace

std::vector<uint8_t> DirWalker::walk(const InotifyFd& inotify, const std::vector<std::string>& dirs, uint32_t mask,
                                     uint32_t flags) {
  // Threading: libuv worker thread (WalkWorker::Execute).
  std::vector<uint8_t> table(kDirRecordSize * dirs.size(), 0);
  Output out;
  out.stats = (flags & kStats) != 0;
  out.types.reserve(dirs.size() * 32);
  out.names.reserve(dirs.size() * 32 * 16);
  if (out.stats) {
    out.dirStats.reserve(dirs.size() * kStatDoubles);
    out.entryStats.reserve(dirs.size() * 32 * kStatDoubles);
  }
  std::vector<char> buf(kGetdentsBufferSize);

  for (size_t i = 0; i < dirs.size(); i++) {
    SysResult watch = inotify.addWatch(dirs[i].c_str(), mask);
    uint32_t failedCall = kNone;
    size_t first = out.types.size();
    size_t firstNameByte = out.names.size();
    int readErr = list(dirs[i], mask, &out, &buf, &failedCall);

    size_t rec = kDirRecordSize * i;
    put32(&table, rec + 0, static_cast<uint32_t>(watch.ok() ? watch.value : -1));
    put32(&table, rec + 4, static_cast<uint32_t>(watch.err));
    put32(&table, rec + 8, static_cast<uint32_t>(readErr));
    put32(&table, rec + 12, failedCall);
    put32(&table, rec + 16, static_cast<uint32_t>(first));
    put32(&table, rec + 20, static_cast<uint32_t>(out.types.size() - first));
    // Where this directory's names lie in the names area, so JS can decode one
    // directory's names without scanning all of them.
    put32(&table, rec + 24, static_cast<uint32_t>(firstNameByte));
    put32(&table, rec + 28, static_cast<uint32_t>(out.names.size() - firstNameByte));
  }

  size_t namesOffset = kHeaderSize + table.size() + out.types.size();
  size_t statsOffset = out.stats ? (namesOffset + out.names.size() + 7) & ~static_cast<size_t>(7) : 0;
  size_t statsBytes = (out.dirStats.size() + out.entryStats.size()) * sizeof(double);
  std::vector<uint8_t> packed((out.stats ? statsOffset + statsBytes : namesOffset + out.names.size()), 0);
  put32(&packed, 0, kVersion);
  put32(&packed, 4, static_cast<uint32_t>(dirs.size()));
  put32(&packed, 8, static_cast<uint32_t>(out.types.size()));
  put32(&packed, 12, static_cast<uint32_t>(namesOffset));
  put32(&packed, 16, static_cast<uint32_t>(out.names.size()));
  put32(&packed, 20, static_cast<uint32_t>(statsOffset));
  if (!table.empty()) std::memcpy(packed.data() + kHeaderSize, table.data(), table.size());
  if (!out.types.empty()) std::memcpy(packed.data() + kHeaderSize + table.size(), out.types.data(), out.types.size());
  if (!out.names.empty()) std::memcpy(packed.data() + namesOffset, out.names.data(), out.names.size());
  if (out.stats) {
    size_t dirBytes = out.dirStats.size() * sizeof(double);
    if (dirBytes) std::memcpy(packed.data() + statsOffset, out.dirStats.data(), dirBytes);
    if (!out.entryStats.empty()) {
      std::memcpy(packed.data() + statsOffset + dirBytes, out.entryStats.data(),
                  out.entryStats.size() * sizeof(double));
    }
  }
  return packed;
}

int DirWalker::list(const std::string& dir, uint32_t mask, Output* out, std::vector<char>* buf, uint32_t* failedCall) {
  // Threading: libuv worker thread.
  int flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC | (isDontFollow(mask) ? O_NOFOLLOW : 0);
  UniqueFd dfd(open(dir.c_str(), flags));
  if (!dfd.valid()) {
    *failedCall = kOpen;
    int err = errno;
    if (out->stats) putStat(&out->dirStats, nullptr, err);
    return err;
  }
  if (out->stats) {
    struct stat self;
    bool ok = fstat(dfd.get(), &self) == 0;
    putStat(&out->dirStats, ok ? &self : nullptr, ok ? 0 : errno);
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
      if (out->stats) {
        // Asked for identities (a rescan): lstat every entry; its mode is the
        // type. An entry that cannot be stat'ed has no type either, so the walk
        // does not descend into it (as scanTree skips it).
        struct stat st;
        bool ok = fstatat(dfd.get(), d->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0;
        type = ok ? IFTODT(st.st_mode) : DT_UNKNOWN;
        putStat(&out->entryStats, ok ? &st : nullptr, ok ? 0 : errno);
      } else if (isUnknownType(type)) {
        struct stat st;
        if (fstatat(dfd.get(), d->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0) type = IFTODT(st.st_mode);
      }
      size_t nameLen = strlen(d->d_name);
      out->types.push_back(type);
      out->names.insert(out->names.end(), d->d_name, d->d_name + nameLen);
      out->names.push_back('/');
    }
  }
}

}  // namespace vigil
