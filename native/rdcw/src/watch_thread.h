// WatchThread: one recursive ReadDirectoryChangesW on one root directory,
// completed on a thread of its own. It copies each completion's bytes and hands
// them to a sink as they are: no record is parsed here (@vigilfs/rdcw does
// that). No N-API here.
//
// The root is opened with FILE_LIST_DIRECTORY and every share mode (so the
// watch never stops anyone renaming or deleting inside the tree, see
// atom/node-pathwatcher#101), FILE_FLAG_BACKUP_SEMANTICS (needed to open a
// directory) and FILE_FLAG_OVERLAPPED. The first read is issued by open(), on
// the caller's thread, so every change made after open() returns is reported.
#pragma once

#include <windows.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "unique_handle.h"

namespace vigil {

/** What one completion of the read became. */
struct Completion {
  enum class Kind { kBuffer, kOverflow, kError };
  Kind kind = Kind::kBuffer;
  /** kBuffer: exactly the completion's bytes, unparsed. */
  std::vector<uint8_t> bytes;
  /** kBuffer: records are FILE_NOTIFY_EXTENDED_INFORMATION (else FILE_NOTIFY_INFORMATION). */
  bool extended = false;
  /** kError: the Win32 error that ended the watch, and the call that returned it. */
  uint32_t err = 0;
  const char* syscall = nullptr;
};

class WatchThread {
 public:
  /** Called on the watch thread with each completion. Must not block. An error completion is the last. */
  using Sink = std::function<void(Completion&&)>;
  /** Called on the watch thread before each re-arm: false means "the consumer is behind, wait". Must not block. */
  using Gate = std::function<bool()>;

  /** The largest buffer a network redirector accepts (parcel's NETWORK_BUF_SIZE; gradle/gradle#13996). */
  static constexpr size_t kNetworkBufferBytes = 64 * 1024;
  static constexpr size_t kMinBufferBytes = 256;
  static constexpr size_t kMaxBufferBytes = 16 * 1024 * 1024;
  /** How often a gated thread looks again whether JS has caught up. */
  static constexpr DWORD kGateRecheckMs = 2;

  WatchThread() = default;
  ~WatchThread();
  WatchThread(const WatchThread&) = delete;
  WatchThread& operator=(const WatchThread&) = delete;

  /**
   * Caller's (JS) thread. Opens `path`, allocates the buffer and issues the
   * first read: ReadDirectoryChangesExW with extended information when
   * `extended` is asked and kernel32 exports it (Windows 10 1709+; Wine does
   * not), else ReadDirectoryChangesW. A buffer over 64 KiB refused with
   * ERROR_INVALID_PARAMETER (network shares) is retried at 64 KiB. Returns 0
   * or a Win32 error, naming the call in *syscall.
   */
  uint32_t open(const std::u16string& path, size_t bufferBytes, bool extended, const char** syscall);

  /** Caller's thread, after open(). Starts the thread. Returns 0 or a Win32 error (*syscall names the call). */
  uint32_t start(Sink sink, Gate gate, const char** syscall);

  /**
   * Caller's thread. Cancels the pending read (CancelIoEx), waits for it to
   * finish, joins the thread and closes every handle. Idempotent. After it
   * returns the sink is never called again.
   */
  void stop();

  /** The directory handle, or INVALID_HANDLE_VALUE after stop(). Caller's thread. */
  HANDLE dir() const { return dir_.valid() ? dir_.get() : INVALID_HANDLE_VALUE; }

 private:
  /** Issues one read with the current mode and size, falling back as open() says. 0 or a Win32 error. */
  uint32_t issueRead();
  /** The name errors of the read carry (also when its completion failed). */
  const char* readCall() const { return extended_ ? "ReadDirectoryChangesExW" : "ReadDirectoryChangesW"; }
  /** Cancels a pending read and waits until the OS is done with the buffer. */
  void cancelPending();
  /** Watch thread: waits for completions, hands them over, re-arms; ends on stop or error. */
  void run();
  /** Watch thread: waits while the gate is closed. False when stop was asked meanwhile. */
  bool waitForGate();

  std::u16string path_;
  UniqueHandle dir_;
  UniqueHandle completed_;  // OVERLAPPED event: a read completed
  UniqueHandle stop_;       // set by stop()
  OVERLAPPED overlapped_{};
  uint8_t* buffer_ = nullptr;  // VirtualAlloc: 64 KiB-aligned, DWORD-aligned as the call needs
  size_t capacity_ = 0;        // bytes allocated
  size_t readBytes_ = 0;       // bytes passed to the call (capacity_, or 64 KiB after the fallback)
  bool extended_ = false;      // reads use ReadDirectoryChangesExW(ReadDirectoryNotifyExtendedInformation)
  bool pending_ = false;       // a read is in flight (owned by the watch thread once started)
  bool delivered_ = false;     // a read has completed successfully: the size is settled
  Sink sink_;
  Gate gate_;
  std::thread thread_;
};

}  // namespace vigil
