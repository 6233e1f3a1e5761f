// longPathName(path): GetLongPathNameW, so @vigilfs/rdcw can turn an 8.3
// short name in a record (PROGRA~1) into the long one while the entry exists
// (windows-rdcw.md §5). Only the call; when to use it is the TypeScript's.
#pragma once

#include <napi.h>

namespace vigil {

/** JS thread. The long form of `path`, or undefined when it cannot be resolved (gone, no access). */
Napi::Value LongPathName(const Napi::CallbackInfo& info);

}  // namespace vigil
