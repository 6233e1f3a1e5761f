#include "rdcw_root.h"

#include <cstring>
#include <iterator>

#include "win_error.h"

namespace vigil {

namespace {
/**
 * Bytes handed to JS and not yet run there. 16 MiB is some 200 000 records:
 * an ordinary burst never reaches it, a stalled JS thread does, and then the
 * watch thread stops re-arming and Windows reports overflow (vigil rescans).
 */
constexpr uint64_t kMaxInFlight = 16u << 20;

Napi::Object ErrorResult(Napi::Env env, uint32_t err, const char* syscall, const std::u16string& path) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("error", Win32ErrorValue(env, err, syscall, path));
  return o;
}
}  // namespace

Napi::Function RdcwRoot::Init(Napi::Env env) {
  Napi::Function ctor = DefineClass(env, "RdcwRoot",
                                    {
                                        InstanceMethod<&RdcwRoot::FinalPath>("finalPath"),
                                        InstanceMethod<&RdcwRoot::Close>("close"),
                                        InstanceMethod<&RdcwRoot::Ref>("ref"),
                                        InstanceMethod<&RdcwRoot::Unref>("unref"),
                                    });
  env.SetInstanceData<Napi::FunctionReference>(new Napi::FunctionReference(Napi::Persistent(ctor)));
  return ctor;
}

RdcwRoot::RdcwRoot(const Napi::CallbackInfo& info) : Napi::ObjectWrap<RdcwRoot>(info), env_(info.Env()) {}

RdcwRoot::~RdcwRoot() { closeNow(); }

Napi::Value RdcwRoot::Watch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsString() || !info[1].IsObject() || !info[2].IsFunction()) {
    throw Napi::TypeError::New(env,
                               "watch(rootPath: string, options: {bufferBytes: number, extended: boolean}, onBatch)");
  }
  std::u16string path = info[0].As<Napi::String>().Utf16Value();
  if (path.find(u'\0') != std::u16string::npos) throw Napi::TypeError::New(env, "rootPath contains a NUL character");
  Napi::Object options = info[1].As<Napi::Object>();
  size_t bufferBytes = 64 * 1024;
  Napi::Value requested = options.Get("bufferBytes");
  if (requested.IsNumber() && requested.As<Napi::Number>().Int64Value() > 0) {
    bufferBytes = static_cast<size_t>(requested.As<Napi::Number>().Int64Value());
  }
  bool extended = options.Get("extended").ToBoolean().Value();

  auto watch = std::make_unique<WatchThread>();
  const char* syscall = "watch";
  uint32_t err = watch->open(path, bufferBytes, extended, &syscall);
  if (err != 0) return ErrorResult(env, err, syscall, path);

  Napi::FunctionReference* ctor = env.GetInstanceData<Napi::FunctionReference>();
  Napi::Object object = ctor->New({});
  RdcwRoot* self = Unwrap(object);
  self->path_ = path;

  auto* delivery = new Delivery();
  delivery->path = path;
  std::shared_ptr<Mailbox> mailbox = delivery->mailbox;
  self->tsfn_ = Tsfn::New(env, info[2].As<Napi::Function>(), "vigil-rdcw", 0 /* unbounded: never block the thread */, 1,
                          delivery, [](Napi::Env, void*, Delivery* d) { delete d; });
  self->delivery_ = delivery;
  delivery->tsfn = self->tsfn_;
  Tsfn tsfn = self->tsfn_;
  err = watch->start(
      // Watch thread.
      [mailbox, tsfn](Completion&& c) mutable { Post(mailbox, tsfn, std::move(c)); },
      // Watch thread.
      [mailbox]() { return mailbox->inFlight.load(std::memory_order_relaxed) < kMaxInFlight; }, &syscall);
  self->watch_ = std::move(watch);
  if (err != 0) {
    self->closeNow();
    return ErrorResult(env, err, syscall, path);
  }
  // Registered after the TSFN's own teardown hook, so it runs before it (hooks
  // run last-in first-out) and releases the TSFN while it is still valid.
  napi_add_env_cleanup_hook(env, OnEnvCleanup, self);
  self->cleanupHook_ = true;
  return object;
}

bool RdcwRoot::Post(const std::shared_ptr<Mailbox>& mailbox, Tsfn& tsfn, Completion&& c) {
  // Threading: watch thread. Never waits for JS.
  bool call;
  {
    std::lock_guard<std::mutex> lock(mailbox->mutex);
    auto& q = mailbox->batches;
    // A buffer joins the last batch unless that batch already ends in an
    // overflow or error, or holds the other record format: order is kept.
    bool fresh = q.empty() || q.back().overflow || q.back().failed ||
                 (c.kind == Completion::Kind::kBuffer && q.back().extended != c.extended && !q.back().buffers.empty());
    if (fresh) {
      q.emplace_back();
      q.back().extended = c.extended;
    }
    PendingBatch& b = q.back();
    switch (c.kind) {
      case Completion::Kind::kBuffer:
        b.extended = c.extended;
        mailbox->inFlight.fetch_add(c.bytes.size());
        b.buffers.push_back(std::move(c.bytes));
        break;
      case Completion::Kind::kOverflow:
        b.overflow = true;
        break;
      case Completion::Kind::kError:
        b.failed = true;
        b.err = c.err;
        b.syscall = c.syscall;
        break;
    }
    call = !mailbox->scheduled;
    mailbox->scheduled = true;
  }
  // On failure (napi_closing at teardown) nobody will take the mailbox; it dies with its last owner.
  return !call || tsfn.NonBlockingCall() == napi_ok;
}

void RdcwRoot::CallJs(Napi::Env env, Napi::Function onBatch, Delivery* delivery, void* /* unused */) {
  if (delivery == nullptr) return;
  Mailbox& mailbox = *delivery->mailbox;
  std::deque<PendingBatch> batches;
  {
    std::lock_guard<std::mutex> lock(mailbox.mutex);
    batches.swap(mailbox.batches);
    mailbox.scheduled = false;
    mailbox.inFlight.fetch_sub(BufferBytes(batches));
  }
  // env is null when the TSFN is being torn down with a call still queued.
  if (env == nullptr || onBatch.IsEmpty()) return;
  try {
    while (!batches.empty()) {
      if (delivery->closed) return;  // a listener called close()
      napi_value batch = ToJs(env, batches.front(), delivery->path);
      batches.pop_front();
      napi_value result;
      if (napi_call_function(env, env.Undefined(), onBatch, 1, &batch, &result) == napi_ok) continue;
      // The listener threw, or JS can no longer run. A listener's exception
      // is made an 'uncaughtException' (Node 20 would otherwise swallow an
      // exception thrown in a TSFN callback of an N-API 8 addon, with only a
      // DEP0168 warning); the rest goes to a later call, in order.
      bool pending = false;
      if (napi_is_exception_pending(env, &pending) == napi_ok && pending) {
        napi_value error;
        if (napi_get_and_clear_last_exception(env, &error) != napi_ok) return;
        if (!delivery->closed) Requeue(delivery, std::move(batches));
        napi_fatal_exception(env, error);
      }
      return;
    }
  } catch (const Napi::Error&) {
    // N-API refused to make the batch: the environment is going away, and nobody is left to deliver to.
  }
}

uint64_t RdcwRoot::BufferBytes(const std::deque<PendingBatch>& batches) {
  uint64_t n = 0;
  for (const PendingBatch& b : batches) {
    for (const auto& buf : b.buffers) n += buf.size();
  }
  return n;
}

void RdcwRoot::Requeue(Delivery* delivery, std::deque<PendingBatch>&& rest) {
  if (rest.empty()) return;
  Mailbox& mailbox = *delivery->mailbox;
  bool call;
  {
    std::lock_guard<std::mutex> lock(mailbox.mutex);
    mailbox.inFlight.fetch_add(BufferBytes(rest));
    rest.insert(rest.end(), std::make_move_iterator(mailbox.batches.begin()),
                std::make_move_iterator(mailbox.batches.end()));
    mailbox.batches.swap(rest);
    call = !mailbox.scheduled;
    mailbox.scheduled = true;
  }
  if (call) napi_call_threadsafe_function(delivery->tsfn, nullptr, napi_tsfn_nonblocking);
}

Napi::Object RdcwRoot::ToJs(Napi::Env env, const PendingBatch& b, const std::u16string& path) {
  Napi::Object batch = Napi::Object::New(env);
  Napi::Array buffers = Napi::Array::New(env, b.buffers.size());
  for (size_t i = 0; i < b.buffers.size(); i++) {
    Napi::ArrayBuffer ab = Napi::ArrayBuffer::New(env, b.buffers[i].size());
    if (!b.buffers[i].empty()) std::memcpy(ab.Data(), b.buffers[i].data(), b.buffers[i].size());
    buffers.Set(static_cast<uint32_t>(i), ab);
  }
  batch.Set("buffers", buffers);
  batch.Set("extended", Napi::Boolean::New(env, b.extended));
  if (b.overflow) batch.Set("overflow", Napi::Boolean::New(env, true));
  if (b.failed) batch.Set("error", Win32ErrorValue(env, b.err, b.syscall, path));
  return batch;
}

Napi::Value RdcwRoot::FinalPath(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  HANDLE dir = watch_ ? watch_->dir() : INVALID_HANDLE_VALUE;
  if (dir == INVALID_HANDLE_VALUE) return ErrorResult(env, ERROR_INVALID_HANDLE, "GetFinalPathNameByHandleW", path_);
  // No MAX_PATH anywhere (SpartanJ/efsw#152): ask, then size to the answer.
  std::u16string out(512, u'\0');
  for (int attempt = 0; attempt < 3; attempt++) {
    DWORD n = GetFinalPathNameByHandleW(dir, reinterpret_cast<wchar_t*>(&out[0]), static_cast<DWORD>(out.size()),
                                        FILE_NAME_NORMALIZED | VOLUME_NAME_DOS);
    if (n == 0) return ErrorResult(env, GetLastError(), "GetFinalPathNameByHandleW", path_);
    if (n < out.size()) {
      out.resize(n);
      return Napi::String::New(env, out);
    }
    out.assign(n + 1, u'\0');  // n counts the terminating NUL when the buffer was too small
  }
  return ErrorResult(env, ERROR_INSUFFICIENT_BUFFER, "GetFinalPathNameByHandleW", path_);
}

Napi::Value RdcwRoot::Close(const Napi::CallbackInfo& info) {
  closeNow();
  // The join is done: cancelling one read and waiting for it takes microseconds.
  Napi::Promise::Deferred done = Napi::Promise::Deferred::New(info.Env());
  done.Resolve(info.Env().Undefined());
  return done.Promise();
}

Napi::Value RdcwRoot::Ref(const Napi::CallbackInfo& info) {
  if (delivery_) tsfn_.Ref(info.Env());
  return info.Env().Undefined();
}

Napi::Value RdcwRoot::Unref(const Napi::CallbackInfo& info) {
  if (delivery_) tsfn_.Unref(info.Env());
  return info.Env().Undefined();
}

void RdcwRoot::closeNow() {
  // JS thread. Order matters: mark closed first so batches already queued are
  // dropped, then stop the thread (no more batches), then release the TSFN.
  if (delivery_) delivery_->closed = true;
  if (watch_) {
    watch_->stop();
    watch_.reset();
  }
  if (delivery_) {
    tsfn_.Release();
    delivery_ = nullptr;  // the TSFN's finalizer frees it
  }
  if (cleanupHook_) {
    cleanupHook_ = false;
    napi_remove_env_cleanup_hook(env_, OnEnvCleanup, this);
  }
}

void RdcwRoot::OnEnvCleanup(void* self) {
  auto* root = static_cast<RdcwRoot*>(self);
  root->cleanupHook_ = false;  // being run: nothing to remove
  root->closeNow();
}

}  // namespace vigil
