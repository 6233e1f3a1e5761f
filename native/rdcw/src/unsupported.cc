// Built instead of the real addon where there is no ReadDirectoryChangesW
// (Linux, macOS), so `node scripts/setup.mjs` succeeds everywhere; the loader
// reports BACKEND_UNAVAILABLE from `unsupported`.
#include <napi.h>

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("unsupported", Napi::String::New(env, "ReadDirectoryChangesW exists only on Windows"));
  return exports;
}

NODE_API_MODULE(vigil_rdcw, Init)
