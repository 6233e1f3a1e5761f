#include "walk_worker.h"

#include "dir_walker.h"
#include "inotify_reader.h"

namespace vigil {

Napi::Value WalkWorker::Walk(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 5 || !info[1].IsArray() || !info[2].IsNumber() || !info[3].IsNumber() || !info[4].IsFunction()) {
    throw Napi::TypeError::New(
        env, "walk(reader: InotifyReader, dirs: (string | Buffer)[], mask: number, flags: number, cb: Function)");
  }
  InotifyReader* reader = InotifyReader::FromValue(info[0]);
  if (reader == nullptr) throw Napi::TypeError::New(env, "walk: first argument is not an InotifyReader");

  Napi::Array list = info[1].As<Napi::Array>();
  std::vector<std::string> dirs;
  dirs.reserve(list.Length());
  for (uint32_t i = 0; i < list.Length(); i++) {
    Napi::Value v = list.Get(i);
    // A Buffer carries a name's exact bytes; a string is accepted for the common
    // case of a valid UTF-8 path (no per-directory Buffer to make in JS).
    if (v.IsString()) {
      dirs.emplace_back(v.As<Napi::String>().Utf8Value());
    } else if (v.IsBuffer()) {
      auto b = v.As<Napi::Buffer<char>>();
      dirs.emplace_back(b.Data(), b.Length());
    } else {
      throw Napi::TypeError::New(env, "walk: dirs must be strings or Buffers");
    }
    if (dirs.back().find('\0') != std::string::npos)
      throw Napi::TypeError::New(env, "walk: a path contains a NUL byte");
  }
  std::shared_ptr<InotifyFd> inotify = reader->inotify();
  if (!inotify) {
    // Not open (or closed): an instance that is already closed, so every
    // directory still gets listed and reports watchErrno EBADF.
    inotify = std::make_shared<InotifyFd>(UniqueFd());
    inotify->markClosed();
  }
  auto* worker = new WalkWorker(info[4].As<Napi::Function>(), std::move(inotify), std::move(dirs),
                                info[2].As<Napi::Number>().Uint32Value(), info[3].As<Napi::Number>().Uint32Value());
  worker->Queue();
  return env.Undefined();
}

WalkWorker::WalkWorker(Napi::Function cb, std::shared_ptr<InotifyFd> inotify, std::vector<std::string> dirs,
                       uint32_t mask, uint32_t flags)
    : Napi::AsyncWorker(cb, "vigil-inotify-walk"),
      inotify_(std::move(inotify)),
      dirs_(std::move(dirs)),
      mask_(mask),
      flags_(flags) {}

void WalkWorker::Execute() { result_ = DirWalker::walk(*inotify_, dirs_, mask_, flags_); }

void WalkWorker::OnOK() {
  Napi::Env env = Env();
  Callback().Call({env.Null(), Napi::Buffer<uint8_t>::Copy(env, result_.data(), result_.size())});
  // The fd may close here if the reader was closed while we ran.
  inotify_.reset();
}

}  // namespace vigil
