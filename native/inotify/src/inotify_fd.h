// One inotify instance, shared by the JS-facing reader, its reader thread and
// any walks in flight (std::shared_ptr), so the descriptor stays valid until
// the last user is done even when JS closes the reader mid-walk.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "unique_fd.h"

namespace vigil {

/** A syscall's result: a value, or the errno that replaced it. */
struct SysResult {
  int value = -1;
  int err = 0;
  bool ok() const { return err == 0; }
};

class InotifyFd {
 public:
  /**
   * inotify_init1(IN_NONBLOCK | IN_CLOEXEC). On failure (EMFILE when the user's
   * fs.inotify.max_user_instances is exhausted) returns the errno and no object.
   */
  static std::shared_ptr<InotifyFd> open(int* err);

  explicit InotifyFd(UniqueFd fd) : fd_(std::move(fd)) {}

  int fd() const { return fd_.get(); }

  /**
   * inotify_add_watch(path, mask) with the mask passed through untouched.
   * Thread-safe (the kernel serialises watch changes per instance); called from
   * the JS thread (addWatch) and from walk workers. EBADF once markClosed().
   */
  SysResult addWatch(const char* path, uint32_t mask) const;

  /** inotify_rm_watch(wd). Thread-safe, like addWatch. */
  SysResult removeWatch(int wd) const;

  /**
   * A test hook: from now on, a watch whose wd would exceed `maxWd` is removed
   * again and addWatch fails with ENOSPC, as when fs.inotify.max_user_watches
   * is reached. Lets a test run out of watches without lowering the sysctl,
   * which would hit every process of the user. Negative: no limit. Any thread.
   */
  void setWatchLimit(int maxWd) { watchLimit_.store(maxWd, std::memory_order_release); }

  /** Marks the instance closed: later addWatch calls fail with EBADF. Any thread. */
  void markClosed() { closed_.store(true, std::memory_order_release); }
  bool closed() const { return closed_.load(std::memory_order_acquire); }

 private:
  UniqueFd fd_;
  std::atomic<bool> closed_{false};
  std::atomic<int> watchLimit_{-1};
};

}  // namespace vigil
