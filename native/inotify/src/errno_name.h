// errno numbers to their symbolic names ("ENOSPC"), the form vigil's errors carry.
#pragma once

#include <string>

namespace vigil {

/** "ENOENT" for ENOENT; "E<number>" for a value the table does not know. Thread-safe. */
std::string errnoName(int err);

}  // namespace vigil
