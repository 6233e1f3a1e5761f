#include "scan_worker.h"

#include "listing_diff.h"

namespace vigil_poll {

ScanWorker::ScanWorker(Napi::Env env, Napi::Object owner, std::vector<DirRef> dirs, bool followSymlinks,
                       std::shared_ptr<ScanScratch> scratch, std::function<void()> onDone)
    : Napi::AsyncWorker(env, "vigil_poll.scan"),
      deferred_(Napi::Promise::Deferred::New(env)),
      owner_(Napi::Persistent(owner)),
      dirs_(std::move(dirs)),
      followSymlinks_(followSymlinks),
      scratch_(std::move(scratch)),
      onDone_(std::move(onDone)) {}

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

void ScanWorker::OnOK() {
  Napi::Env env = Env();
  onDone_();
  if (out_.empty()) {
    deferred_.Resolve(env.Null());
  } else {
    deferred_.Resolve(Napi::Buffer<uint8_t>::Copy(env, out_.data(), out_.size()));
  }
}

void ScanWorker::OnError(const Napi::Error& e) {
  onDone_();
  deferred_.Reject(e.Value());
}

}  // namespace vigil_poll
