// vigil_poll: the directory-set scanner behind vigil's polling backend.
// See poll_scanner.h for the JS API and listing_diff.h for the result format.
#include <napi.h>

#include "poll_scanner.h"

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("PollScanner", vigil_poll::PollScanner::Define(env));
  exports.Set("formatVersion", Napi::Number::New(env, 1));
  return exports;
}

}  // namespace

NODE_API_MODULE(vigil_poll, Init)
