// vigil_rdcw: a thin binding to ReadDirectoryChangesW. Opens one recursive
// watch per root, copies each completion's bytes and forwards them unparsed;
// every meaning (action to event, error to code, overflow to rescan) lives in
// @vigilfs/rdcw's TypeScript. The contract is native/rdcw/INTERFACE.md.
//
// Exports:
//   watch(rootPath, {bufferBytes, extended}, onBatch)  RdcwRoot or {error}
//   volumeInfo(path)                                    {driveType, fsName, fsFlags, serial} or {error}
//   longPathName(path)                                  GetLongPathNameW, or undefined
//   abiVersion                                          bumped when INTERFACE.md changes
#include <napi.h>

#include "long_path.h"
#include "rdcw_root.h"
#include "volume_info.h"

namespace vigil {
namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  RdcwRoot::Init(env);
  exports.Set("watch", Napi::Function::New(env, RdcwRoot::Watch, "watch"));
  exports.Set("volumeInfo", Napi::Function::New(env, VolumeInfo, "volumeInfo"));
  exports.Set("longPathName", Napi::Function::New(env, LongPathName, "longPathName"));
  exports.Set("abiVersion", Napi::Number::New(env, 1));
  return exports;
}

}  // namespace
}  // namespace vigil

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return vigil::Init(env, exports); }

NODE_API_MODULE(vigil_rdcw, InitAddon)
