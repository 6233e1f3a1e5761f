// One scan of a set of directories, run on a libuv pool thread.
#pragma once

#include <napi.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "dir_state.h"
#include "listing.h"

namespace vigil_poll {

/** Scratch memory reused by every scan of one scanner (one scan at a time). */
struct ScanScratch {
  Listing fresh;
};

class ScanWorker : public Napi::AsyncWorker {
 public:
  ScanWorker(Napi::Env env, Napi::Object owner, std::vector<DirRef> dirs, bool followSymlinks,
             std::shared_ptr<ScanScratch> scratch, std::function<void()> onDone);

  Napi::Promise promise() { return deferred_.Promise(); }

 protected:
  /** Threading: pool thread. Reads the directories, compares, packs differences. */
  void Execute() override;
  /** Threading: JS thread. Resolves with a Buffer of differences, or null when none. */
  void OnOK() override;
  void OnError(const Napi::Error& e) override;

 private:
  Napi::Promise::Deferred deferred_;
  Napi::ObjectReference owner_;  // keeps the PollScanner alive while we run
  std::vector<DirRef> dirs_;
  bool followSymlinks_;
  std::shared_ptr<ScanScratch> scratch_;
  std::function<void()> onDone_;
  std::vector<uint8_t> out_;
};

}  // namespace vigil_poll
