#include "unique_fd.h"

#include <unistd.h>

namespace vigil {

UniqueFd::~UniqueFd() { reset(); }

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) {
    reset();
    fd_ = other.release();
  }
  return *this;
}

int UniqueFd::release() {
  int fd = fd_;
  fd_ = -1;
  return fd;
}

void UniqueFd::reset() {
  if (fd_ >= 0) {
    // Linux frees the descriptor even when close() reports EINTR, so no retry
    // (retrying could close a descriptor another thread just got).
    ::close(fd_);
    fd_ = -1;
  }
}

}  // namespace vigil
