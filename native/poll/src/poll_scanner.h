// The JS-visible scanner object: a set of tracked directories with ids, and a
// scan() that runs a ScanWorker over them.
#pragma once

#include <napi.h>

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "dir_state.h"
#include "scan_worker.h"

namespace vigil_poll {

/**
 * JS API (wrapped by packages/poll/src/scanner/native-scanner.ts):
 *   new PollScanner(followSymlinks: boolean)
 *   track(path: Buffer): number            new id; empty baseline
 *   untrack(id: number): void
 *   scan(ids?: Uint32Array, parts?: number): Promise<Buffer | null>   (listing_diff.h format)
 *       `parts`: pool threads to split the directories over (default 1; fewer
 *       when there is little to read). Parts take disjoint directories, so
 *       no DirState is touched by two threads.
 *   memoryBytes(): number | undefined       heap held by listings (undefined while scanning)
 *   close(): void
 * Every method runs on the JS thread; the tracked-directory map is only touched
 * there. Ids are never reused, so results for an id untracked during a scan
 * can be told apart from a directory tracked again under the same path.
 */
class PollScanner : public Napi::ObjectWrap<PollScanner> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit PollScanner(const Napi::CallbackInfo& info);

 private:
  Napi::Value Track(const Napi::CallbackInfo& info);
  Napi::Value Untrack(const Napi::CallbackInfo& info);
  Napi::Value Scan(const Napi::CallbackInfo& info);
  Napi::Value MemoryBytes(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  bool checkOpen(Napi::Env env);

  bool followSymlinks_ = false;
  bool closed_ = false;
  bool scanning_ = false;
  uint32_t nextId_ = 1;
  std::map<uint32_t, std::shared_ptr<DirState>> dirs_;   // ordered by id = track order
  std::vector<std::shared_ptr<ScanScratch>> scratches_;  // one per part of a scan
};

}  // namespace vigil_poll
