// volumeInfo(path): what kind of volume a root is on, so @vigilfs/rdcw can
// choose (a network share gets a 64 KiB buffer and may need polling; FAT has
// no file ids). Only the facts; no decision here.
#pragma once

#include <napi.h>

namespace vigil {

/** JS thread. {driveType, fsName, fsFlags, serial} or {error}. */
Napi::Value VolumeInfo(const Napi::CallbackInfo& info);

}  // namespace vigil
