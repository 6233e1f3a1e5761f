#include "inotify_reader.h"

#include <fcntl.h>
#include <sys/ioctl.h>

#include <cstring>
#include <string>

#include "errno_name.h"

namespace vigil {

namespace {
// Distinguishes our wrapped objects from any other (napi_type_tag, N-API 8).
constexpr napi_type_tag kReaderTag = {0x7669676c696e6f74ULL, 0x6966792d72656164ULL};
}  // namespace

Napi::Object SysErrorValue(Napi::Env env, int err, const char* syscall) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("errno", errnoName(err));
  o.Set("syscall", syscall);
  return o;
}

Napi::Function InotifyReader::Init(Napi::Env env) {
  return DefineClass(env, "InotifyReader",
                     {
                         InstanceMethod<&InotifyReader::Open>("open"),
                         InstanceMethod<&InotifyReader::AddWatch>("addWatch"),
                         InstanceMethod<&InotifyReader::RemoveWatch>("removeWatch"),
                         InstanceMethod<&InotifyReader::Start>("start"),
                         InstanceMethod<&InotifyReader::Ref>("ref"),
                         InstanceMethod<&InotifyReader::Unref>("unref"),
                         InstanceMethod<&InotifyReader::Close>("close"),
                         InstanceMethod<&InotifyReader::PendingBytes>("pendingBytes"),
                         InstanceMethod<&InotifyReader::SetWatchLimit>("setWatchLimit"),
                         InstanceAccessor<&InotifyReader::GetFd>("fd"),
                     });
}

InotifyReader* InotifyReader::FromValue(Napi::Value value) {
  if (!value.IsObject()) return nullptr;
  Napi::Object obj = value.As<Napi::Object>();
  if (!obj.CheckTypeTag(&kReaderTag)) return nullptr;
  return Unwrap(obj);
}

InotifyReader::InotifyReader(const Napi::CallbackInfo& info) : Napi::ObjectWrap<InotifyReader>(info), env_(info.Env()) {
  info.This().As<Napi::Object>().TypeTag(&kReaderTag);
}

InotifyReader::~InotifyReader() { closeNow(); }

Napi::Value InotifyReader::SetWatchLimit(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) throw Napi::TypeError::New(env, "setWatchLimit(maxWd: number)");
  if (inotify_) inotify_->setWatchLimit(info[0].As<Napi::Number>().Int32Value());
  return env.Undefined();
}

Napi::Value InotifyReader::Open(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (inotify_) return env.Undefined();
  int err = 0;
  inotify_ = InotifyFd::open(&err);
  // EMFILE here means fs.inotify.max_user_instances; JS names the sysctl.
  if (!inotify_) return SysErrorValue(env, err, "inotify_init1");
  return env.Undefined();
}

Napi::Value InotifyReader::AddWatch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsBuffer() || !info[1].IsNumber()) {
    throw Napi::TypeError::New(env, "addWatch(path: Buffer, mask: number)");
  }
  Napi::Buffer<char> path = info[0].As<Napi::Buffer<char>>();
  std::string cpath(path.Data(), path.Length());
  if (cpath.find('\0') != std::string::npos) throw Napi::TypeError::New(env, "path contains a NUL byte");
  uint32_t mask = info[1].As<Napi::Number>().Uint32Value();
  if (!inotify_) return SysErrorValue(env, EBADF, "inotify_add_watch");
  SysResult r = inotify_->addWatch(cpath.c_str(), mask);
  if (!r.ok()) return SysErrorValue(env, r.err, "inotify_add_watch");
  return Napi::Number::New(env, r.value);
}

Napi::Value InotifyReader::RemoveWatch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) throw Napi::TypeError::New(env, "removeWatch(wd: number)");
  int wd = info[0].As<Napi::Number>().Int32Value();
  if (!inotify_) return SysErrorValue(env, EBADF, "inotify_rm_watch");
  SysResult r = inotify_->removeWatch(wd);
  if (!r.ok()) return SysErrorValue(env, r.err, "inotify_rm_watch");
  return env.Undefined();
}

Napi::Value InotifyReader::Start(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsFunction()) {
    throw Napi::TypeError::New(
        env, "start(onBatch: Function, bufferSize?: number, maxBytesInFlight?: number, watchMounts?: boolean)");
  }
  if (!inotify_) return SysErrorValue(env, EBADF, "start");
  if (thread_) return env.Undefined();
  size_t bufferSize = ReaderThread::kMinBufferSize * 4;
  if (info.Length() > 1 && info[1].IsNumber()) {
    int64_t requested = info[1].As<Napi::Number>().Int64Value();
    if (requested > 0) bufferSize = static_cast<size_t>(requested);
  }

  // Bytes of batches handed to JS and not yet run there. 16 MiB is about half a
  // million records: an ordinary burst never reaches it, a stalled JS thread does.
  uint64_t maxInFlight = 16u << 20;
  if (info.Length() > 2 && info[2].IsNumber()) {
    int64_t requested = info[2].As<Napi::Number>().Int64Value();
    if (requested > 0) maxInFlight = static_cast<uint64_t>(requested);
  }

  UniqueFd mountTable;
  if (info.Length() > 3 && info[3].IsBoolean() && info[3].As<Napi::Boolean>().Value()) {
    // Not fatal when missing (no /proc): the caller then sees no mount records.
    mountTable = UniqueFd(open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC));
  }

  auto* delivery = new Delivery();
  std::shared_ptr<Mailbox> mailbox = delivery->mailbox;
  tsfn_ = Tsfn::New(env, info[0].As<Napi::Function>(), "vigil-inotify", 0 /* unbounded: never block the reader */, 1,
                    delivery, [](Napi::Env, void*, Delivery* d) { delete d; });
  delivery_ = delivery;

  // The sink runs on the reader thread and never waits for JS: it appends to
  // the mailbox and queues a TSFN call only when none is queued already.
  Tsfn tsfn = tsfn_;
  thread_ = std::make_unique<ReaderThread>(
      inotify_, bufferSize,
      [tsfn, mailbox](std::unique_ptr<ReadBatch> batch) mutable {
        bool call;
        {
          std::lock_guard<std::mutex> lock(mailbox->mutex);
          if (batch->err != 0) {
            mailbox->err = batch->err;
            mailbox->syscall = batch->syscall;
            mailbox->inFlight.fetch_add(1);
          } else {
            mailbox->bytes.insert(mailbox->bytes.end(), batch->bytes.begin(), batch->bytes.end());
            mailbox->inFlight.fetch_add(batch->bytes.size());
          }
          call = !mailbox->scheduled;
          mailbox->scheduled = true;
        }
        // On failure (napi_closing at teardown) nobody will take the mailbox; it dies with its last owner.
        return !call || tsfn.NonBlockingCall(nullptr) == napi_ok;
      },
      [mailbox, maxInFlight]() { return mailbox->inFlight.load(std::memory_order_relaxed) < maxInFlight; },
      std::move(mountTable));
  const char* syscall = "start";
  int err = thread_->start(&syscall);
  if (err != 0) {
    thread_.reset();
    delivery_->closed = true;
    tsfn_.Release();
    delivery_ = nullptr;
    return SysErrorValue(env, err, syscall);
  }
  // Registered after the TSFN's own teardown hook, so it runs before it (hooks
  // run last-in first-out) and releases the TSFN while it is still valid.
  napi_add_env_cleanup_hook(env_, OnEnvCleanup, this);
  cleanupHook_ = true;
  return env.Undefined();
}

Napi::Value InotifyReader::Ref(const Napi::CallbackInfo& info) {
  if (delivery_) tsfn_.Ref(info.Env());
  return info.Env().Undefined();
}

Napi::Value InotifyReader::Unref(const Napi::CallbackInfo& info) {
  if (delivery_) tsfn_.Unref(info.Env());
  return info.Env().Undefined();
}

Napi::Value InotifyReader::Close(const Napi::CallbackInfo& info) {
  closeNow();
  return info.Env().Undefined();
}

Napi::Value InotifyReader::PendingBytes(const Napi::CallbackInfo& info) {
  // Where records can be, in the order they pass: the kernel queue, the reader
  // thread between read(2) and the mailbox, the mailbox. Looked at in that
  // same order, a record moving along cannot slip past unseen: if the kernel
  // queue was empty, whatever left it went through a read that had already
  // set reading(); if reading() is clear again, the append came before it.
  // A sum of kernel and packed bytes: only "is it 0" is exact.
  uint64_t pending = 0;
  int unread = 0;
  // FIONREAD on an inotify fd: bytes of records the kernel holds that nobody has read yet.
  if (inotify_ && ioctl(inotify_->fd(), FIONREAD, &unread) == 0 && unread > 0) pending += static_cast<uint64_t>(unread);
  if (thread_ && thread_->reading()) pending += 1;
  if (delivery_) pending += delivery_->mailbox->inFlight.load();
  return Napi::Number::New(info.Env(), static_cast<double>(pending));
}

Napi::Value InotifyReader::GetFd(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), inotify_ ? inotify_->fd() : -1);
}

void InotifyReader::CallJs(Napi::Env env, Napi::Function onBatch, Delivery* delivery, ReadBatch* /* unused */) {
  if (delivery == nullptr) return;
  Mailbox& mailbox = *delivery->mailbox;
  std::vector<uint8_t> bytes;
  int err = 0;
  const char* syscall = nullptr;
  {
    std::lock_guard<std::mutex> lock(mailbox.mutex);
    bytes.swap(mailbox.bytes);
    err = mailbox.err;
    syscall = mailbox.syscall;
    mailbox.err = 0;
    mailbox.scheduled = false;
    mailbox.inFlight.fetch_sub(bytes.size() + (err != 0 ? 1 : 0));
  }
  // env is null when the TSFN is being torn down with a call still queued.
  if (env == nullptr || onBatch.IsEmpty() || delivery->closed) return;
  // The error ended reading: it comes after every record read before it, also
  // when the listener that got those records threw.
  auto deliverError = [&]() {
    if (err != 0 && !delivery->closed) onBatch.Call({env.Null(), SysErrorValue(env, err, syscall)});
  };
  if (!bytes.empty()) {
    try {
      onBatch.Call({Napi::Buffer<uint8_t>::Copy(env, bytes.data(), bytes.size())});
    } catch (const Napi::Error&) {
      deliverError();
      throw;
    }
  }
  deliverError();
}

void InotifyReader::closeNow() {
  // Main thread. Order matters: mark closed first so batches already queued
  // are dropped, then join the thread (no more batches), then release the TSFN.
  if (delivery_) delivery_->closed = true;
  if (thread_) {
    thread_->stop();
    thread_.reset();
  }
  if (delivery_) {
    tsfn_.Release();
    delivery_ = nullptr;  // the TSFN's finalizer frees it
  }
  if (inotify_) {
    // Walks in flight hold their own reference; they see closed() and stop,
    // and the fd closes when the last of them finishes.
    inotify_->markClosed();
    inotify_.reset();
  }
  if (cleanupHook_) {
    cleanupHook_ = false;
    napi_remove_env_cleanup_hook(env_, OnEnvCleanup, this);
  }
}

void InotifyReader::OnEnvCleanup(void* self) {
  auto* reader = static_cast<InotifyReader*>(self);
  reader->cleanupHook_ = false;  // being run: nothing to remove
  reader->closeNow();
}

}  // namespace vigil
