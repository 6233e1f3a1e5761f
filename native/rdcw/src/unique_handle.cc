#include "unique_handle.h"

namespace vigil {

UniqueHandle::~UniqueHandle() { reset(); }

UniqueHandle& UniqueHandle::operator=(UniqueHandle&& other) noexcept {
  if (this != &other) {
    reset();
    h_ = other.release();
  }
  return *this;
}

HANDLE UniqueHandle::release() {
  HANDLE h = h_;
  h_ = nullptr;
  return h;
}

void UniqueHandle::reset() {
  if (valid()) CloseHandle(h_);
  h_ = nullptr;
}

}  // namespace vigil
