// vigil_inotify: a thin binding to Linux inotify. Reads, batches and forwards
// raw records; every meaning (mask to event, errno to error code) lives in
// @vigilfs/inotify's TypeScript tables.
//
// Exports:
//   InotifyReader            class, see inotify_reader.h
//   walk(reader, dirs, mask, flags, cb)  one watch-then-list level, see dir_walker.h
//   errnoName(n)             'ENOENT' for 2; decodes the walk buffer's errnos
//   lstatTypes(paths, n)     one DT_* per path (DT_UNKNOWN when lstat fails):
//                            what inotify's IN_CREATE does not say (file or
//                            symlink?), for a whole batch in one call
//   constants                every IN_* and DT_* value from the C headers,
//                            so tests can check the TypeScript table against them
#include <dirent.h>
#include <napi.h>
#include <sys/inotify.h>
#include <sys/stat.h>

#include <cstring>

#include "errno_name.h"
#include "inotify_reader.h"
#include "walk_worker.h"

namespace vigil {
namespace {

Napi::Value ErrnoName(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsNumber()) throw Napi::TypeError::New(info.Env(), "errnoName(n: number)");
  return Napi::String::New(info.Env(), errnoName(info[0].As<Napi::Number>().Int32Value()));
}

uint8_t DTypeOfMode(mode_t mode) {
  switch (mode & S_IFMT) {
    case S_IFREG:
      return DT_REG;
    case S_IFDIR:
      return DT_DIR;
    case S_IFLNK:
      return DT_LNK;
    case S_IFIFO:
      return DT_FIFO;
    case S_IFSOCK:
      return DT_SOCK;
    case S_IFCHR:
      return DT_CHR;
    case S_IFBLK:
      return DT_BLK;
    default:
      return DT_UNKNOWN;
  }
}

// lstatTypes(paths: Buffer, count): `paths` holds `count` NUL-terminated paths.
// On the JS thread, like the fs.lstatSync it replaces: one call per batch and
// 1-2 µs per path here, against 3-9 µs for lstatSync and its Stats object.
Napi::Value LstatTypes(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsBuffer() || !info[1].IsNumber())
    throw Napi::TypeError::New(env, "lstatTypes(paths: Buffer, count: number)");
  Napi::Buffer<char> paths = info[0].As<Napi::Buffer<char>>();
  int64_t count = info[1].As<Napi::Number>().Int64Value();
  // Each path takes at least its NUL: no more paths than bytes.
  if (count < 0) count = 0;
  if (static_cast<uint64_t>(count) > paths.Length()) count = static_cast<int64_t>(paths.Length());
  Napi::Uint8Array types = Napi::Uint8Array::New(env, static_cast<size_t>(count));
  const char* p = paths.Data();
  const char* end = p + paths.Length();
  for (int64_t i = 0; i < count && p < end; i++) {
    const char* nul = static_cast<const char*>(memchr(p, '\0', static_cast<size_t>(end - p)));
    if (nul == nullptr) break;  // malformed: the rest stays DT_UNKNOWN
    struct stat st;
    types[static_cast<size_t>(i)] = lstat(p, &st) == 0 ? DTypeOfMode(st.st_mode) : DT_UNKNOWN;
    p = nul + 1;
  }
  return types;
}

// A table laid out by hand: clang-format cannot lay out a list of macro calls stably.
// clang-format off
Napi::Object Constants(Napi::Env env) {
  Napi::Object c = Napi::Object::New(env);
#define VIGIL_CONST(name) c.Set(#name, Napi::Number::New(env, static_cast<double>(name)));
  VIGIL_CONST(IN_ACCESS) VIGIL_CONST(IN_MODIFY) VIGIL_CONST(IN_ATTRIB) VIGIL_CONST(IN_CLOSE_WRITE)
  VIGIL_CONST(IN_CLOSE_NOWRITE) VIGIL_CONST(IN_OPEN) VIGIL_CONST(IN_MOVED_FROM) VIGIL_CONST(IN_MOVED_TO)
  VIGIL_CONST(IN_CREATE) VIGIL_CONST(IN_DELETE) VIGIL_CONST(IN_DELETE_SELF) VIGIL_CONST(IN_MOVE_SELF)
  VIGIL_CONST(IN_UNMOUNT) VIGIL_CONST(IN_Q_OVERFLOW) VIGIL_CONST(IN_IGNORED) VIGIL_CONST(IN_CLOSE)
  VIGIL_CONST(IN_MOVE) VIGIL_CONST(IN_ONLYDIR) VIGIL_CONST(IN_DONT_FOLLOW) VIGIL_CONST(IN_EXCL_UNLINK)
  VIGIL_CONST(IN_MASK_ADD) VIGIL_CONST(IN_ISDIR) VIGIL_CONST(IN_ONESHOT) VIGIL_CONST(IN_ALL_EVENTS)
  VIGIL_CONST(IN_NONBLOCK) VIGIL_CONST(IN_CLOEXEC)
#ifdef IN_MASK_CREATE
  VIGIL_CONST(IN_MASK_CREATE)
#endif
  VIGIL_CONST(DT_UNKNOWN) VIGIL_CONST(DT_FIFO) VIGIL_CONST(DT_CHR) VIGIL_CONST(DT_DIR) VIGIL_CONST(DT_BLK)
  VIGIL_CONST(DT_REG) VIGIL_CONST(DT_LNK) VIGIL_CONST(DT_SOCK)
#undef VIGIL_CONST
  return c;
}
// clang-format on

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("InotifyReader", InotifyReader::Init(env));
  exports.Set("walk", Napi::Function::New(env, WalkWorker::Walk, "walk"));
  exports.Set("errnoName", Napi::Function::New(env, ErrnoName, "errnoName"));
  exports.Set("lstatTypes", Napi::Function::New(env, LstatTypes, "lstatTypes"));
  exports.Set("constants", Constants(env));
  exports.Set("abiVersion", Napi::Number::New(env, 4));
  return exports;
}

}  // namespace
}  // namespace vigil

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return vigil::Init(env, exports); }

NODE_API_MODULE(vigil_inotify, InitAddon)
