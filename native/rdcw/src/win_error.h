// Win32 error codes as data: 'ERROR_ACCESS_DENIED' for 5. The meaning of each
// (overflow, root deleted, poll this share) is decided in @vigilfs/rdcw.
#pragma once

#include <napi.h>

#include <cstdint>
#include <string>

namespace vigil {

/** 'ERROR_ACCESS_DENIED' for 5; 'ERROR_<n>' for a code not in the table. Pure; any thread. */
std::string win32ErrorName(uint32_t err);

/**
 * `{errno, code, syscall, path?}`: an OS error as a JS value (RdcwError in
 * INTERFACE.md). Main thread. `path` is omitted when empty.
 */
Napi::Object Win32ErrorValue(Napi::Env env, uint32_t err, const char* syscall, const std::u16string& path);

}  // namespace vigil
