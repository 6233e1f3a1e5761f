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

/** Scratch memory reused by every scan of one part of a scanner's directories (one scan at a time). */
struct ScanScratch {
  Listing fresh;
};

/**
 * One scan, split into parts that run on pool threads side by side (each
 * part a disjoint slice of the directories, with its own scratch). Threading:
 * JS thread only; each part reports in its OnOK/OnError, and the last one to
 * report resolves the promise with every part's differences, concatenated in
 * part order (the format is a sequence of per-directory reports).
 */
struct ScanJoin {
  ScanJoin(Napi::Env env, Napi::Object owner, size_t parts, std::function<void()> onDone)
      : deferred(Napi::Promise::Deferred::New(env)),
        owner(Napi::Persistent(owner)),
        outs(parts),
        pending(parts),
        onDone(std::move(onDone)) {}

  /** Called by part `index` when it is done (`error` empty on success). */
  void finish(Napi::Env env, size_t index, std::vector<uint8_t> out, const Napi::Value& error);

  Napi::Promise::Deferred deferred;
  Napi::ObjectReference owner;  // keeps the PollScanner alive while parts run
  std::vector<std::vector<uint8_t>> outs;
  size_t pending;
  Napi::Reference<Napi::Value> error;
  std::function<void()> onDone;
};

class ScanWorker : public Napi::AsyncWorker {
 public:
  ScanWorker(Napi::Env env, std::shared_ptr<ScanJoin> join, size_t index, std::vector<DirRef> dirs, bool followSymlinks,
             std::shared_ptr<ScanScratch> scratch);

 protected:
  /** Threading: pool thread. Reads the directories, compares, packs differences. */
  void Execute() override;
  /** Threading: JS thread. Hands the differences to the join. */
  void OnOK() override;
  void OnError(const Napi::Error& e) override;

 private:
  std::shared_ptr<ScanJoin> join_;
  size_t index_;
  std::vector<DirRef> dirs_;
  bool followSymlinks_;
  std::shared_ptr<ScanScratch> scratch_;
  std::vector<uint8_t> out_;
};

}  // namespace vigil_poll
