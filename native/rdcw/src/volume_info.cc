#include "volume_info.h"

#include <windows.h>

#include <string>

#include "win_error.h"

namespace vigil {

namespace {
Napi::Object ErrorResult(Napi::Env env, DWORD err, const char* syscall, const std::u16string& path) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("error", Win32ErrorValue(env, err, syscall, path));
  return o;
}
}  // namespace

Napi::Value VolumeInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) throw Napi::TypeError::New(env, "volumeInfo(path: string)");
  std::u16string path = info[0].As<Napi::String>().Utf16Value();
  if (path.find(u'\0') != std::u16string::npos) throw Napi::TypeError::New(env, "path contains a NUL character");
  // The volume's mount point is never longer than the path it contains (plus a trailing backslash).
  std::u16string volume(path.size() + 2, u'\0');
  if (!GetVolumePathNameW(reinterpret_cast<const wchar_t*>(path.c_str()), reinterpret_cast<wchar_t*>(&volume[0]),
                          static_cast<DWORD>(volume.size()))) {
    return ErrorResult(env, GetLastError(), "GetVolumePathNameW", path);
  }
  volume.resize(std::char_traits<char16_t>::length(volume.c_str()));
  const auto* wvolume = reinterpret_cast<const wchar_t*>(volume.c_str());
  UINT driveType = GetDriveTypeW(wvolume);
  wchar_t fsName[MAX_PATH + 1] = {0};  // the API's own limit for this name
  DWORD serial = 0, maxComponent = 0, flags = 0;
  if (!GetVolumeInformationW(wvolume, nullptr, 0, &serial, &maxComponent, &flags, fsName, MAX_PATH + 1)) {
    return ErrorResult(env, GetLastError(), "GetVolumeInformationW", volume);
  }
  Napi::Object o = Napi::Object::New(env);
  o.Set("driveType", Napi::Number::New(env, driveType));
  o.Set("fsName", Napi::String::New(env, reinterpret_cast<const char16_t*>(fsName)));
  o.Set("fsFlags", Napi::Number::New(env, flags));
  o.Set("serial", Napi::Number::New(env, serial));
  return o;
}

}  // namespace vigil
