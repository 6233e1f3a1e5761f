// Named predicates for the few mask and d_type checks the native side makes.
// The native layer holds no event semantics (style.md "Thin C++"): these only
// decide how to read, never what an event means.
#pragma once

#include <dirent.h>
#include <sys/inotify.h>

#include <cstdint>

namespace vigil {

/** The caller asked inotify not to follow a final symlink, so the walker's open() must not either. */
inline bool isDontFollow(uint32_t mask) { return (mask & IN_DONT_FOLLOW) != 0; }

/** getdents could not tell the entry's type (some filesystems never fill d_type). */
inline bool isUnknownType(unsigned char dType) { return dType == DT_UNKNOWN; }

/** getdents' self and parent entries, which the walker never reports. */
inline bool isDotOrDotDot(const char* name) {
  return name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'));
}

}  // namespace vigil
