// walk(reader, dirs: (string | Buffer)[], mask, flags, cb): one level of
// DirWalker on the libuv thread pool; cb(null, packed: Buffer) on the JS
// thread (layout and flags in dir_walker.h).
#pragma once

#include <napi.h>

#include <memory>
#include <string>
#include <vector>

#include "inotify_fd.h"

namespace vigil {

class WalkWorker : public Napi::AsyncWorker {
 public:
  /** The `walk` export. Main thread; throws TypeError on wrong arguments only. */
  static Napi::Value Walk(const Napi::CallbackInfo& info);

  WalkWorker(Napi::Function cb, std::shared_ptr<InotifyFd> inotify, std::vector<std::string> dirs, uint32_t mask,
             uint32_t flags);

  /** libuv worker thread: touches only this object's fields and the thread-safe InotifyFd. */
  void Execute() override;
  /** Main thread. */
  void OnOK() override;

 private:
  std::shared_ptr<InotifyFd> inotify_;
  std::vector<std::string> dirs_;
  uint32_t mask_;
  uint32_t flags_;
  std::vector<uint8_t> result_;
};

}  // namespace vigil
