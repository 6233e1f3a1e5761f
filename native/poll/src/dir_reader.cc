#include "dir_reader.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace vigil_poll {

namespace {

struct DirCloser {
  void operator()(DIR* d) const { closedir(d); }
};
using DirHandle = std::unique_ptr<DIR, DirCloser>;

bool isDotOrDotDot(const char* n) { return n[0] == '.' && (n[1] == '\0' || (n[1] == '.' && n[2] == '\0')); }

PackedStat pack(const struct stat& st) {
  PackedStat p;
  p.dev = static_cast<uint64_t>(st.st_dev);
  p.ino = static_cast<uint64_t>(st.st_ino);
  p.size = static_cast<uint64_t>(st.st_size);
#if defined(__APPLE__)
  p.mtimeSec = static_cast<int64_t>(st.st_mtimespec.tv_sec);
  p.mtimeNsec = static_cast<uint32_t>(st.st_mtimespec.tv_nsec);
#else
  p.mtimeSec = static_cast<int64_t>(st.st_mtim.tv_sec);
  p.mtimeNsec = static_cast<uint32_t>(st.st_mtim.tv_nsec);
#endif
  p.type = static_cast<uint32_t>(st.st_mode & S_IFMT);
  return p;
}

}  // namespace

ReadFailure readDirectory(const std::string& path, bool followSymlinks, Listing& out) {
  out.clear();
  int fd = open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return {errno, Syscall::kOpendir};
  DirHandle dir(fdopendir(fd));
  if (!dir) {
    int err = errno;
    close(fd);
    return {err, Syscall::kOpendir};
  }
  for (;;) {
    errno = 0;
    struct dirent* e = readdir(dir.get());
    if (e == nullptr) {
      if (errno != 0) return {errno, Syscall::kReaddir};
      break;
    }
    const char* name = e->d_name;
    if (isDotOrDotDot(name)) continue;
    struct stat st;
    int rc;
    if (followSymlinks) {
      rc = fstatat(fd, name, &st, 0);
      // Dangling link or loop: describe the link itself (kind 'symlink').
      if (rc != 0) rc = fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW);
    } else {
      rc = fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW);
    }
    if (rc != 0) {
      if (errno == ENOENT) continue;  // deleted since readdir: it is simply gone
      return {errno, Syscall::kLstat};
    }
    out.add(name, std::strlen(name), pack(st));
  }
  return {};
}

}  // namespace vigil_poll
