#include "poll_scanner.h"

#include <algorithm>
#include <iterator>
#include <unordered_set>

#include <string>
#include <vector>

namespace vigil_poll {

Napi::Function PollScanner::Define(Napi::Env env) {
  return DefineClass(env, "PollScanner",
                     {
                         InstanceMethod<&PollScanner::Track>("track"),
                         InstanceMethod<&PollScanner::Untrack>("untrack"),
                         InstanceMethod<&PollScanner::Scan>("scan"),
                         InstanceMethod<&PollScanner::MemoryBytes>("memoryBytes"),
                         InstanceMethod<&PollScanner::Close>("close"),
                     });
}

PollScanner::PollScanner(const Napi::CallbackInfo& info) : Napi::ObjectWrap<PollScanner>(info) {
  followSymlinks_ = info.Length() > 0 && info[0].ToBoolean().Value();
}

bool PollScanner::checkOpen(Napi::Env env) {
  if (!closed_) return true;
  Napi::Error::New(env, "scanner is closed").ThrowAsJavaScriptException();
  return false;
}

Napi::Value PollScanner::Track(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!checkOpen(env)) return env.Undefined();
  if (info.Length() < 1 || !info[0].IsBuffer()) {
    Napi::TypeError::New(env, "track(path: Buffer)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  auto buf = info[0].As<Napi::Buffer<char>>();
  std::string path(buf.Data(), buf.Length());
  if (path.find('\0') != std::string::npos) {
    Napi::TypeError::New(env, "path contains a NUL byte").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  uint32_t id = nextId_++;
  dirs_.emplace(id, std::make_shared<DirState>(std::move(path)));
  return Napi::Number::New(env, id);
}

Napi::Value PollScanner::Untrack(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!checkOpen(env)) return env.Undefined();
  if (info.Length() > 0 && info[0].IsNumber()) dirs_.erase(info[0].As<Napi::Number>().Uint32Value());
  return env.Undefined();
}

Napi::Value PollScanner::Scan(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!checkOpen(env)) return env.Undefined();
  if (scanning_) {
    Napi::Error::New(env, "a scan is already in flight").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  std::vector<DirRef> batch;
  if (info.Length() > 0 && info[0].IsTypedArray()) {
    auto ids = info[0].As<Napi::Uint32Array>();
    batch.reserve(ids.ElementLength());
    // An id given twice is read once (its first place): two parts must never
    // share a DirState, and a second read would find nothing new anyway.
    std::unordered_set<uint32_t> seen;
    for (size_t i = 0; i < ids.ElementLength(); i++) {
      auto it = dirs_.find(ids[i]);
      if (it != dirs_.end() && seen.insert(it->first).second) batch.emplace_back(it->first, it->second);
    }
  } else {
    batch.reserve(dirs_.size());
    for (auto& [id, dir] : dirs_) batch.emplace_back(id, dir);
  }
  size_t parts = 1;
  if (info.Length() > 1 && info[1].IsNumber()) parts = std::max<int64_t>(1, info[1].As<Napi::Number>().Int64Value());
  // Parts below this many entries are not worth a thread of their own.
  constexpr size_t kMinEntriesPerPart = 4096;
  size_t totalEntries = 0;
  for (auto& ref : batch) totalEntries += ref.second->listing.size() + 1;
  parts = std::max<size_t>(1, std::min({parts, batch.size(), totalEntries / kMinEntriesPerPart}));
  while (scratches_.size() < parts) scratches_.push_back(std::make_shared<ScanScratch>());

  scanning_ = true;
  // The join holds a reference to this object, so `this` outlives every part.
  auto join = std::make_shared<ScanJoin>(env, info.This().As<Napi::Object>(), parts, [this] { scanning_ = false; });
  Napi::Promise promise = join->deferred.Promise();
  // Contiguous slices of about equal entry counts (what a directory held at the
  // last scan is what reading it costs now). No scan is in flight, so reading
  // the listings' sizes here races with nothing.
  size_t from = 0;
  size_t done = 0;
  for (size_t part = 0; part < parts; part++) {
    size_t target = totalEntries * (part + 1) / parts;
    size_t to = from;
    if (part + 1 == parts) {
      to = batch.size();
    } else {
      // Take directories while that brings the part closer to its share; stop
      // before one that would overshoot by more than half its weight, and
      // leave at least one directory for each part still to come.
      size_t last = batch.size() - (parts - part - 1);
      while (to < last) {
        size_t weight = batch[to].second->listing.size() + 1;
        if (to > from && done + weight / 2 > target) break;
        done += weight;
        to++;
      }
    }
    std::vector<DirRef> slice(std::make_move_iterator(batch.begin() + from),
                              std::make_move_iterator(batch.begin() + to));
    (new ScanWorker(env, join, part, std::move(slice), followSymlinks_, scratches_[part]))->Queue();
    from = to;
  }
  return promise;
}

Napi::Value PollScanner::MemoryBytes(const Napi::CallbackInfo& info) {
  // Listings belong to the worker while a scan is in flight: no answer then.
  if (scanning_ || closed_) return info.Env().Undefined();
  size_t total = 0;
  for (auto& scratch : scratches_) total += scratch->fresh.memoryBytes();
  for (auto& [id, dir] : dirs_) total += sizeof(DirState) + dir->path.capacity() + dir->listing.memoryBytes();
  return Napi::Number::New(info.Env(), static_cast<double>(total));
}

Napi::Value PollScanner::Close(const Napi::CallbackInfo& info) {
  // A scan in flight keeps its own references and finishes; the JS wrapper
  // discards its result.
  closed_ = true;
  dirs_.clear();
  return info.Env().Undefined();
}

}  // namespace vigil_poll
