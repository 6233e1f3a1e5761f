// RdcwRoot: the JS face of one watched root (returned by addon.watch()).
//
//   finalPath()  GetFinalPathNameByHandleW of the open root handle (follows a
//                moved root), or {error}
//   close()      stops the watch thread, closes every handle; returns a
//                Promise that resolves once done; no onBatch call happens
//                after close() is called
//   ref()/unref() whether the watch keeps the event loop alive (default: it does)
//
// The watch thread's completions reach onBatch through a thread-safe function
// that never blocks the thread: completions made while JS is busy are queued
// in a mailbox and coalesced, so JS gets one batch with many buffers, not
// thousands of calls. See INTERFACE.md for the batch contract.
//
// Everything here runs on the JS thread except the WatchThread sink/gate
// lambdas (marked). Errors are returned as data, never thrown (only a wrong
// argument type throws TypeError).
#pragma once

#include <napi.h>

#include <atomic>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "watch_thread.h"

namespace vigil {

class RdcwRoot : public Napi::ObjectWrap<RdcwRoot> {
 public:
  static Napi::Function Init(Napi::Env env);
  explicit RdcwRoot(const Napi::CallbackInfo& info);
  ~RdcwRoot() override;

  /**
   * JS thread. addon.watch(rootPath, {bufferBytes, extended}, onBatch): an
   * RdcwRoot whose first read is already pending, or {error}.
   */
  static Napi::Value Watch(const Napi::CallbackInfo& info);

 private:
  /** One batch as JS will see it: buffers in completion order, then overflow and/or the final error. */
  struct PendingBatch {
    std::vector<std::vector<uint8_t>> buffers;
    bool extended = false;
    bool overflow = false;
    bool failed = false;
    uint32_t err = 0;
    const char* syscall = nullptr;
  };
  /** What the watch thread leaves for the JS thread. */
  struct Mailbox {
    std::mutex mutex;
    std::deque<PendingBatch> batches;
    bool scheduled = false;  // a TSFN call that will take the mailbox is queued
    /** Bytes queued and not yet taken by JS; the gate stops reading above a cap. */
    std::atomic<uint64_t> inFlight{0};
  };
  /** Context of the thread-safe function; lives until the TSFN is finalized. `closed` is JS-thread only. */
  struct Delivery {
    bool closed = false;
    std::u16string path;
    std::shared_ptr<Mailbox> mailbox = std::make_shared<Mailbox>();
    /** The TSFN itself, so CallJs can schedule the batches a throwing listener left undelivered. */
    napi_threadsafe_function tsfn = nullptr;
  };
  /**
   * JS thread: takes the mailbox and calls onBatch once per batch. Never
   * throws: a C++ exception leaving it would cross Node's C frames, which
   * at environment teardown (N-API refusing calls) ends the process with an
   * unhandled exception (seen under Wine: exit code 67, 0x20474343).
   */
  static void CallJs(Napi::Env env, Napi::Function onBatch, Delivery* delivery, void* unused);
  /** JS thread: one batch as its JS object. Throws Napi::Error when N-API refuses (environment going away). */
  static Napi::Object ToJs(Napi::Env env, const PendingBatch& b, const std::u16string& path);
  /** JS thread: puts undelivered batches back at the front of the mailbox and schedules a call for them. */
  static void Requeue(Delivery* delivery, std::deque<PendingBatch>&& rest);
  /** Bytes of the buffers in `batches` (what Mailbox::inFlight counts). */
  static uint64_t BufferBytes(const std::deque<PendingBatch>& batches);
  using Tsfn = Napi::TypedThreadSafeFunction<Delivery, void, CallJs>;

  /** Watch thread: files one completion into the mailbox (coalescing), schedules a JS call when none is queued. */
  static bool Post(const std::shared_ptr<Mailbox>& mailbox, Tsfn& tsfn, Completion&& c);

  Napi::Value FinalPath(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value Ref(const Napi::CallbackInfo& info);
  Napi::Value Unref(const Napi::CallbackInfo& info);

  /** JS thread: stop + join the thread, release the TSFN, close the handles. Idempotent. */
  void closeNow();
  /** JS thread, at environment teardown (worker exit, process exit). */
  static void OnEnvCleanup(void* self);

  napi_env env_ = nullptr;
  std::u16string path_;
  std::unique_ptr<WatchThread> watch_;
  Tsfn tsfn_;
  Delivery* delivery_ = nullptr;  // owned by the TSFN once started
  bool cleanupHook_ = false;
};

}  // namespace vigil
