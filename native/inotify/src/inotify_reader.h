// InotifyReader: the JS face of one inotify instance (new addon.InotifyReader()).
//
//   open()                      inotify_init1; undefined or {errno, syscall}
//   addWatch(path: Buffer, mask) wd, or {errno, syscall}; mask passed through
//   removeWatch(wd)             undefined or {errno, syscall}
//   start(onBatch, bufferSize?) starts the reader thread; onBatch(batch: Buffer)
//                               with the records of one or more read(2)s
//                               (BatchPacker layout; reads made while JS was
//                               busy are joined into one batch), or
//                               onBatch(null, {errno, syscall}) once if reading fails
//   ref() / unref()             whether a started reader keeps the event loop alive
//   close()                     stops and joins the thread, closes the fd; no
//                               onBatch call happens after close() returns
//   pendingBytes()              bytes read but not yet handed to onBatch, plus
//                               bytes the kernel holds unread (FIONREAD)
//   fd                          the descriptor, -1 when not open
//
// Everything here runs on the JS thread except ReaderThread's loop; errors are
// returned as data, never thrown (only a wrong argument type throws TypeError).
#pragma once

#include <napi.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

#include "inotify_fd.h"
#include "reader_thread.h"

namespace vigil {

class InotifyReader : public Napi::ObjectWrap<InotifyReader> {
 public:
  static Napi::Function Init(Napi::Env env);
  /** The reader wrapped by `value`, or nullptr when it is not an InotifyReader (checked by type tag). */
  static InotifyReader* FromValue(Napi::Value value);

  explicit InotifyReader(const Napi::CallbackInfo& info);
  ~InotifyReader() override;

  /** The shared instance, or nullptr when not open. Main thread. */
  std::shared_ptr<InotifyFd> inotify() const { return inotify_; }

 private:
  /**
   * Where the reader thread leaves what it read for the JS thread. Reads made
   * while JS has not yet taken the previous ones are appended to them (the
   * batch layout is a plain sequence of records), so a busy JS thread gets one
   * large batch, not thousands of small ones: per-batch costs (a TSFN call, a
   * Buffer, a listener run) stay flat however fast the kernel produces.
   */
  struct Mailbox {
    std::mutex mutex;
    std::vector<uint8_t> bytes;     // records read and not yet taken
    int err = 0;                    // errno that ended reading, delivered after `bytes`
    const char* syscall = nullptr;  // ... and its syscall
    bool scheduled = false;         // a TSFN call that will take the mailbox is queued
    /**
     * Bytes in the mailbox (at least 1 for an error). Read without the mutex by
     * the reader's gate, which stops reading at the cap: memory stays bounded
     * and a stalled JS thread makes the kernel queue overflow (vigil then
     * rescans) instead of growing this process without limit.
     */
    std::atomic<uint64_t> inFlight{0};
  };
  /** Context of the thread-safe function; lives until the TSFN is finalized. `closed` is main-thread only. */
  struct Delivery {
    bool closed = false;
    std::shared_ptr<Mailbox> mailbox = std::make_shared<Mailbox>();
  };
  /** Main thread: takes the mailbox and runs onBatch on it (or drops it once closed or during teardown, when env is
   * null). */
  static void CallJs(Napi::Env env, Napi::Function onBatch, Delivery* delivery, ReadBatch* unused);
  using Tsfn = Napi::TypedThreadSafeFunction<Delivery, ReadBatch, CallJs>;

  Napi::Value Open(const Napi::CallbackInfo& info);
  Napi::Value AddWatch(const Napi::CallbackInfo& info);
  Napi::Value RemoveWatch(const Napi::CallbackInfo& info);
  Napi::Value Start(const Napi::CallbackInfo& info);
  Napi::Value Ref(const Napi::CallbackInfo& info);
  Napi::Value Unref(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value PendingBytes(const Napi::CallbackInfo& info);
  /** JS thread: the test hook InotifyFd::setWatchLimit (no effect before open()). */
  Napi::Value SetWatchLimit(const Napi::CallbackInfo& info);
  Napi::Value GetFd(const Napi::CallbackInfo& info);

  /** Main thread: stop + join the thread, release the TSFN, close the fd. Idempotent. */
  void closeNow();
  /** Main thread, at environment teardown (worker exit, process exit). */
  static void OnEnvCleanup(void* self);

  napi_env env_;
  std::shared_ptr<InotifyFd> inotify_;
  std::unique_ptr<ReaderThread> thread_;
  Tsfn tsfn_;
  Delivery* delivery_ = nullptr;  // owned by the TSFN once started
  bool cleanupHook_ = false;
};

/** {errno: 'ENOSPC', syscall: 'inotify_add_watch'}: an OS error as data. */
Napi::Object SysErrorValue(Napi::Env env, int err, const char* syscall);

}  // namespace vigil
