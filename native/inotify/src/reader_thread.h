// The thread that drains one inotify fd: poll() on the fd and on an eventfd
// used only to ask it to stop, read() with a large buffer, pack each read into
// one batch and hand it to a sink that must not block. No N-API here.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "inotify_fd.h"
#include "unique_fd.h"

namespace vigil {

/** What the reader thread hands over: one packed batch, or the error that ended reading. */
struct ReadBatch {
  std::vector<uint8_t> bytes;  // BatchPacker layout; empty when err != 0
  int err = 0;                 // errno of a failed poll/read; the thread has ended
  const char* syscall = nullptr;
};

class ReaderThread {
 public:
  /**
   * Called on the reader thread with each batch. Must not block. Returns false
   * when the batch could not be delivered because the consumer is going away
   * (e.g. napi_closing); the thread then exits.
   */
  using Sink = std::function<bool(std::unique_ptr<ReadBatch>)>;
  /** Called on the reader thread before each read: false means "the consumer is behind, wait". Must not block. */
  using Gate = std::function<bool()>;

  /** Minimum read buffer: the kernel's records are up to 16+NAME_MAX+1 bytes. */
  static constexpr size_t kMinBufferSize = 64 * 1024;
  /** How often a gated reader looks again whether JS has caught up. */
  static constexpr int kGateRecheckMs = 2;

  /**
   * `mountTable`, when valid, is an open /proc/self/mountinfo: the thread also
   * waits for its POLLPRI (the mount table changed) and then delivers a batch
   * holding one synthetic record, wd kMountsChangedWd. Nothing else changes.
   */
  ReaderThread(std::shared_ptr<InotifyFd> inotify, size_t bufferSize, Sink sink, Gate gate,
               UniqueFd mountTable = UniqueFd());

  /** The wd of the synthetic "mount table changed" record (inotify never hands out negative wds). */
  static constexpr int32_t kMountsChangedWd = -2;
  ~ReaderThread();
  ReaderThread(const ReaderThread&) = delete;
  ReaderThread& operator=(const ReaderThread&) = delete;

  /** Main thread. Creates the stop eventfd and the thread. Returns 0 or an errno ("eventfd"/"pthread_create" in
   * *syscall). */
  int start(const char** syscall);

  /** Main thread. Wakes the thread through the eventfd and joins it. Idempotent. After it returns the sink is never
   * called again. */
  void stop();

  /**
   * Any thread. True from just before a read(2) of the inotify fd until its
   * records have been handed to the sink: records in neither the kernel queue
   * nor the sink's hands. See InotifyReader::PendingBytes for the order in
   * which to look.
   */
  bool reading() const { return reading_.load(); }

 private:
  /** Reader thread: the poll/read loop. Touches only inotify_ (read), stop_ (poll) and sink_. */
  void run();
  /** Reader thread: reads until EAGAIN. Returns false when the thread must end. */
  bool drain(std::vector<uint8_t>* buf);
  /** Reader thread: reads the mount table to its end, which re-arms its POLLPRI. */
  void drainMountTable();
  /** Reader thread: re-arms the mount table's POLLPRI and delivers the synthetic record. */
  bool mountsChanged();
  /** Reader thread: delivers an error batch; the thread ends after it. */
  void fail(int err, const char* syscall);

  std::shared_ptr<InotifyFd> inotify_;
  size_t bufferSize_;
  Sink sink_;
  Gate gate_;
  UniqueFd mountTable_;
  UniqueFd stop_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> reading_{false};
  std::thread thread_;
};

}  // namespace vigil
