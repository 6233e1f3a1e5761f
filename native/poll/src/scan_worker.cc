#include "scan_worker.h"

#include <cstring>

#include "listing_diff.h"

namespace vigil_poll {

void ScanJoin::finish(Napi::Env env, size_t index, std::vector<uint8_t> out, const Napi::Value& failure) {
  outs[index] = std::move(out);
  if (!failure.IsEmpty() && error.IsEmpty()) error = Napi::Persistent(failure);
  if (--pending > 0) return;
  onDone();
  if (!error.IsEmpty()) {
    deferred.Reject(error.Value());
    return;
  }
  size_t total = 0;
  for (auto& o : outs) total += o.size();
  if (total == 0) {
    deferred.Resolve(env.Null());
    return;
  }
  Napi::Buffer<uint8_t> buffer = Napi::Buffer<uint8_t>::New(env, total);
  if (buffer.IsEmpty() || env.IsExceptionPending()) {
    // Out of memory, or more than a Buffer may hold (built without C++ exceptions: no throw).
    deferred.Reject(env.GetAndClearPendingException().Value());
    return;
  }
  size_t at = 0;
  for (auto& o : outs) {
    if (!o.empty()) std::memcpy(buffer.Data() + at, o.data(), o.size());
    at += o.size();
  }
  deferred.Resolve(buffer);
}

ScanWorker::ScanWorker(Napi::Env env, std::shared_ptr<ScanJoin> join, size_t index, std::vector<DirRef> dirs,
                       bool followSymlinks, std::shared_ptr<ScanScratch> scratch)
    : Napi::AsyncWorker(env, "vigil_poll.scan"),
      join_(std::move(join)),
      index_(index),
      dirs_(std::move(dirs)),
      followSymlinks_(followSymlinks),
      scratch_(std::move(scratch)) {}

void ScanWorker::Execute() {
  DiffWriter writer(out_);
  Listing& fresh = scratch_->fresh;
  for (auto& [id, dir] : dirs_) {
    ReadFailure failure = readDirectory(dir->path, followSymlinks_, fresh);
    if (failure.failed()) {
      // Reported once per distinct failure: a directory that stays unreadable
      // is not reported again every scan.
      bool same = dir->lastFailure.error == failure.error && dir->lastFailure.syscall == failure.syscall;
      if (!same) writer.writeFailure(id, failure, dir->listing);
      dir->lastFailure = failure;
      dir->listing.release();
      continue;
    }
    dir->lastFailure = {};
    if (writer.writeDiff(id, dir->listing, fresh)) dir->listing.assign(fresh);
  }
  // A scan that found one huge directory should not keep its scratch forever.
  if (fresh.memoryBytes() > (8u << 20)) fresh.release();
}

void ScanWorker::OnOK() { join_->finish(Env(), index_, std::move(out_), Napi::Value()); }

void ScanWorker::OnError(const Napi::Error& e) { join_->finish(Env(), index_, {}, e.Value()); }

}  // namespace vigil_poll
