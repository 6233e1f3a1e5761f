#include "long_path.h"

#include <windows.h>

#include <string>

namespace vigil {

Napi::Value LongPathName(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) throw Napi::TypeError::New(env, "longPathName(path: string)");
  std::u16string path = info[0].As<Napi::String>().Utf16Value();
  if (path.find(u'\0') != std::u16string::npos) throw Napi::TypeError::New(env, "path contains a NUL character");
  const auto* wpath = reinterpret_cast<const wchar_t*>(path.c_str());
  // No MAX_PATH (SpartanJ/efsw#152): the call says how much it needs.
  std::u16string out(path.size() + 64, u'\0');
  for (int attempt = 0; attempt < 3; attempt++) {
    DWORD n = GetLongPathNameW(wpath, reinterpret_cast<wchar_t*>(&out[0]), static_cast<DWORD>(out.size()));
    if (n == 0) return env.Undefined();
    if (n < out.size()) {
      out.resize(n);
      return Napi::String::New(env, out);
    }
    out.assign(n + 1, u'\0');  // too small: n is the size needed, with the NUL
  }
  return env.Undefined();
}

}  // namespace vigil
