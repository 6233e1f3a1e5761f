#include "inotify_fd.h"

#include <sys/inotify.h>

#include <cerrno>

namespace vigil {

std::shared_ptr<InotifyFd> InotifyFd::open(int* err) {
  int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) {
    *err = errno;
    return nullptr;
  }
  *err = 0;
  return std::make_shared<InotifyFd>(UniqueFd(fd));
}

SysResult InotifyFd::addWatch(const char* path, uint32_t mask) const {
  if (closed()) return {-1, EBADF};
  int wd = inotify_add_watch(fd_.get(), path, mask);
  if (wd < 0) return {-1, errno};
  int limit = watchLimit_.load(std::memory_order_acquire);
  if (limit >= 0 && wd > limit) {
    // The kernel hands out wds in increasing order, so this caps the watches of this instance.
    inotify_rm_watch(fd_.get(), wd);
    return {-1, ENOSPC};
  }
  return {wd, 0};
}

SysResult InotifyFd::removeWatch(int wd) const {
  if (closed()) return {-1, EBADF};
  if (inotify_rm_watch(fd_.get(), wd) < 0) return {-1, errno};
  return {0, 0};
}

}  // namespace vigil
