#include "reader_thread.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include "batch_packer.h"

namespace vigil {

ReaderThread::ReaderThread(std::shared_ptr<InotifyFd> inotify, size_t bufferSize, Sink sink, Gate gate,
                           UniqueFd mountTable)
    : inotify_(std::move(inotify)),
      bufferSize_(bufferSize < kMinBufferSize ? kMinBufferSize : bufferSize),
      sink_(std::move(sink)),
      gate_(std::move(gate)),
      mountTable_(std::move(mountTable)) {}

ReaderThread::~ReaderThread() { stop(); }

int ReaderThread::start(const char** syscall) {
  int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (efd < 0) {
    *syscall = "eventfd";
    return errno;
  }
  stop_ = UniqueFd(efd);
  try {
    thread_ = std::thread(&ReaderThread::run, this);
    // Named from here too, so the name is visible as soon as start() returns.
    pthread_setname_np(thread_.native_handle(), "vigil-inotify");
  } catch (const std::system_error& e) {
    stop_.reset();
    *syscall = "pthread_create";
    return e.code().value();
  }
  return 0;
}

void ReaderThread::stop() {
  if (!thread_.joinable()) return;
  stopping_.store(true, std::memory_order_release);
  uint64_t one = 1;
  // eventfd writes of 8 bytes cannot be partial; EAGAIN only if the counter
  // would overflow, which a single stop request cannot cause.
  while (write(stop_.get(), &one, sizeof one) < 0 && errno == EINTR) {
  }
  thread_.join();
  stop_.reset();
}

void ReaderThread::run() {
  // Threading: runs on its own thread from start() to stop(). Reads inotify_'s
  // fd (kept open by the shared_ptr), polls stop_, calls sink_. Nothing else.
  pthread_setname_np(pthread_self(), "vigil-inotify");
  std::vector<uint8_t> buf(bufferSize_);
  // The mount table is pollable (proc(5)): POLLPRI after a mount or unmount, so
  // mounts are noticed without any timer.
  if (mountTable_.valid()) drainMountTable();
  struct pollfd fds[3] = {{inotify_->fd(), POLLIN, 0}, {stop_.get(), POLLIN, 0}, {mountTable_.get(), POLLPRI, 0}};
  nfds_t count = mountTable_.valid() ? 3 : 2;
  for (;;) {
    // While JS is behind, wait on the stop fd alone and look again shortly:
    // unread records stay in the kernel queue (which overflows if JS stays stalled).
    bool open = gate_();
    int n = open ? poll(fds, count, -1) : poll(&fds[1], 1, kGateRecheckMs);
    if (!open) {
      if (n > 0) return;  // stop requested
      if (n < 0 && errno != EINTR) {
        fail(errno, "poll");
        return;
      }
      continue;
    }
    if (n < 0) {
      if (errno == EINTR) continue;
      fail(errno, "poll");
      return;
    }
    if (fds[1].revents != 0) return;  // stop requested
    if (count == 3 && (fds[2].revents & (POLLPRI | POLLERR)) != 0) {
      if (!mountsChanged()) return;
      continue;
    }
    if (fds[0].revents & POLLIN) {
      if (!drain(&buf)) return;
    } else if (fds[0].revents & (POLLERR | POLLHUP | POLLNVAL)) {
      fail(EBADF, "poll");
      return;
    }
  }
}

bool ReaderThread::drain(std::vector<uint8_t>* buf) {
  // Threading: reader thread only.
  // A burst can keep the fd readable for a long time: check for stop between reads.
  while (!stopping_.load(std::memory_order_acquire)) {
    if (!gate_()) return true;
    reading_.store(true);
    ssize_t n = read(inotify_->fd(), buf->data(), buf->size());
    if (n <= 0) {
      int err = errno;
      reading_.store(false);
      if (n == 0) return true;
      if (err == EINTR) continue;
      if (err == EAGAIN) return true;
      fail(err, "read");
      return false;
    }
    auto batch = std::make_unique<ReadBatch>();
    BatchPacker::pack(buf->data(), static_cast<size_t>(n), &batch->bytes);
    bool delivered = sink_(std::move(batch));
    reading_.store(false);
    if (!delivered) return false;
  }
  return false;
}

void ReaderThread::drainMountTable() {
  // Threading: reader thread only. Reading the table to its end re-arms POLLPRI.
  char scratch[4096];
  lseek(mountTable_.get(), 0, SEEK_SET);
  while (read(mountTable_.get(), scratch, sizeof scratch) > 0) {
  }
}

bool ReaderThread::mountsChanged() {
  // Threading: reader thread only.
  drainMountTable();
  auto batch = std::make_unique<ReadBatch>();
  batch->bytes.resize(BatchPacker::kHeaderSize, 0);
  int32_t wd = kMountsChangedWd;
  std::memcpy(batch->bytes.data(), &wd, sizeof wd);
  return sink_(std::move(batch));
}

void ReaderThread::fail(int err, const char* syscall) {
  // Threading: reader thread only.
  auto batch = std::make_unique<ReadBatch>();
  batch->err = err;
  batch->syscall = syscall;
  sink_(std::move(batch));
}

}  // namespace vigil
