// A file descriptor with one owner: closed exactly once, when the owner goes.
#pragma once

namespace vigil {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd();
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  /** Gives up ownership without closing. */
  int release();
  /** Closes now (idempotent); retries nothing, since close() on Linux always frees the fd. */
  void reset();

 private:
  int fd_ = -1;
};

}  // namespace vigil
