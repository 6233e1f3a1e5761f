// A Win32 HANDLE with one owner: closed exactly once, when the owner goes.
// Both "no handle" values (NULL and INVALID_HANDLE_VALUE) count as empty.
#pragma once

#include <windows.h>

namespace vigil {

class UniqueHandle {
 public:
  UniqueHandle() = default;
  explicit UniqueHandle(HANDLE h) : h_(h) {}
  ~UniqueHandle();
  UniqueHandle(const UniqueHandle&) = delete;
  UniqueHandle& operator=(const UniqueHandle&) = delete;
  UniqueHandle(UniqueHandle&& other) noexcept : h_(other.release()) {}
  UniqueHandle& operator=(UniqueHandle&& other) noexcept;

  HANDLE get() const { return h_; }
  bool valid() const { return h_ != nullptr && h_ != INVALID_HANDLE_VALUE; }
  /** Gives up ownership without closing. */
  HANDLE release();
  /** Closes now (idempotent). */
  void reset();

 private:
  HANDLE h_ = nullptr;
};

}  // namespace vigil
