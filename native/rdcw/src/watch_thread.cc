#include "watch_thread.h"

#include <system_error>

namespace vigil {

namespace {

/** What every watch reports: names, attributes, sizes, times, security; not last-access (every read would be an event).
 */
constexpr DWORD kNotifyFilter =
    FILE_NOTIFY_CHANGE_FILE_NAME | FILE_NOTIFY_CHANGE_DIR_NAME | FILE_NOTIFY_CHANGE_ATTRIBUTES |
    FILE_NOTIFY_CHANGE_SIZE | FILE_NOTIFY_CHANGE_LAST_WRITE | FILE_NOTIFY_CHANGE_CREATION | FILE_NOTIFY_CHANGE_SECURITY;

/** ReadDirectoryNotifyExtendedInformation (minwinbase.h; spelled out for older SDKs). */
constexpr int kExtendedInformationClass = 2;

using ReadDirectoryChangesExWFn = BOOL(WINAPI*)(HANDLE, LPVOID, DWORD, BOOL, DWORD, LPDWORD, LPOVERLAPPED,
                                                LPOVERLAPPED_COMPLETION_ROUTINE, int);

/** ReadDirectoryChangesExW when this Windows exports it (1709+), else null (Wine 8 does not: windows-under-wine.md). */
ReadDirectoryChangesExWFn findReadDirectoryChangesExW() {
  for (const wchar_t* dll : {L"kernel32.dll", L"kernelbase.dll"}) {
    HMODULE module = GetModuleHandleW(dll);
    if (module == nullptr) continue;
    FARPROC proc = GetProcAddress(module, "ReadDirectoryChangesExW");
    if (proc != nullptr) return reinterpret_cast<ReadDirectoryChangesExWFn>(reinterpret_cast<void*>(proc));
  }
  return nullptr;
}

bool isOverflow(bool ok, DWORD bytes, DWORD err) {
  // Windows documents overflow as success with 0 bytes; Wine reports it as
  // ERROR_NOTIFY_ENUM_DIR (STATUS_NOTIFY_ENUM_DIR is a success status that its
  // GetOverlappedResult turns into a failure). Both mean: events were lost.
  return ok ? bytes == 0 : err == ERROR_NOTIFY_ENUM_DIR;
}

}  // namespace

WatchThread::~WatchThread() { stop(); }

uint32_t WatchThread::open(const std::u16string& path, size_t bufferBytes, bool extended, const char** syscall) {
  path_ = path;
  const auto* wpath = reinterpret_cast<const wchar_t*>(path_.c_str());
  dir_ = UniqueHandle(CreateFileW(wpath, FILE_LIST_DIRECTORY, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                                  nullptr, OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OVERLAPPED, nullptr));
  if (!dir_.valid()) {
    *syscall = "CreateFileW";
    return GetLastError();
  }
  completed_ = UniqueHandle(CreateEventW(nullptr, TRUE, FALSE, nullptr));
  if (!completed_.valid()) {
    *syscall = "CreateEventW";
    return GetLastError();
  }
  if (bufferBytes < kMinBufferBytes) bufferBytes = kMinBufferBytes;
  if (bufferBytes > kMaxBufferBytes) bufferBytes = kMaxBufferBytes;
  capacity_ = (bufferBytes + 7) & ~static_cast<size_t>(7);
  buffer_ = static_cast<uint8_t*>(VirtualAlloc(nullptr, capacity_, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE));
  if (buffer_ == nullptr) {
    *syscall = "VirtualAlloc";
    return GetLastError();
  }
  readBytes_ = capacity_;
  extended_ = extended && findReadDirectoryChangesExW() != nullptr;
  uint32_t err = issueRead();
  if (err != 0) {
    *syscall = readCall();
    return err;
  }
  return 0;
}

uint32_t WatchThread::issueRead() {
  for (;;) {
    overlapped_ = OVERLAPPED{};
    overlapped_.hEvent = completed_.get();
    BOOL ok;
    if (extended_) {
      static const ReadDirectoryChangesExWFn readEx = findReadDirectoryChangesExW();
      ok = readEx(dir_.get(), buffer_, static_cast<DWORD>(readBytes_), TRUE, kNotifyFilter, nullptr, &overlapped_,
                  nullptr, kExtendedInformationClass);
    } else {
      ok = ReadDirectoryChangesW(dir_.get(), buffer_, static_cast<DWORD>(readBytes_), TRUE, kNotifyFilter, nullptr,
                                 &overlapped_, nullptr);
    }
    if (ok) {
      pending_ = true;
      return 0;
    }
    DWORD err = GetLastError();
    if (err == ERROR_INVALID_PARAMETER && readBytes_ > kNetworkBufferBytes) {
      readBytes_ = kNetworkBufferBytes;  // a network share: at most 64 KiB
      continue;
    }
    if (err == ERROR_INVALID_PARAMETER && extended_) {
      extended_ = false;  // a file system without extended information: the plain call
      continue;
    }
    return err;
  }
}

uint32_t WatchThread::start(Sink sink, Gate gate, const char** syscall) {
  stop_ = UniqueHandle(CreateEventW(nullptr, TRUE, FALSE, nullptr));
  if (!stop_.valid()) {
    *syscall = "CreateEventW";
    return GetLastError();
  }
  sink_ = std::move(sink);
  gate_ = std::move(gate);
  try {
    thread_ = std::thread(&WatchThread::run, this);
  } catch (const std::system_error& e) {
    *syscall = "CreateThread";
    return static_cast<uint32_t>(e.code().value());
  }
  return 0;
}

void WatchThread::cancelPending() {
  if (!pending_) return;
  CancelIoEx(dir_.get(), &overlapped_);
  DWORD bytes = 0;
  // Waits for the cancelled read to finish: until then the OS may still write into buffer_.
  GetOverlappedResult(dir_.get(), &overlapped_, &bytes, TRUE);
  pending_ = false;
}

void WatchThread::stop() {
  if (thread_.joinable()) {
    SetEvent(stop_.get());
    thread_.join();  // the thread cancels its own pending read before it returns
  } else {
    cancelPending();  // opened, never started
  }
  if (buffer_ != nullptr) {
    VirtualFree(buffer_, 0, MEM_RELEASE);
    buffer_ = nullptr;
  }
  dir_.reset();
  completed_.reset();
  stop_.reset();
}

bool WatchThread::waitForGate() {
  // Watch thread. While JS is behind, issue no read: Windows keeps recording
  // into the handle's own buffer and reports overflow when it fills, and
  // memory here stays bounded.
  while (!gate_()) {
    if (WaitForSingleObject(stop_.get(), kGateRecheckMs) == WAIT_OBJECT_0) return false;
  }
  return true;
}

void WatchThread::run() {
  // Threading: runs on its own thread from start() to stop(). Touches
  // overlapped_, buffer_, pending_ and the mode fields (open() wrote them
  // before the thread existed; stop() reads them after join), waits on stop_
  // and completed_, calls sink_ and gate_.
  HANDLE waits[2] = {stop_.get(), completed_.get()};
  for (;;) {
    DWORD w = WaitForMultipleObjects(2, waits, FALSE, INFINITE);
    if (w != WAIT_OBJECT_0 + 1) {
      // Stop asked (or the wait itself failed, which only a closed handle causes).
      cancelPending();
      return;
    }
    DWORD bytes = 0;
    bool ok = GetOverlappedResult(dir_.get(), &overlapped_, &bytes, FALSE) != 0;
    DWORD err = ok ? 0 : GetLastError();
    pending_ = false;
    Completion c;
    c.extended = extended_;
    if (isOverflow(ok, bytes, err)) {
      c.kind = Completion::Kind::kOverflow;
    } else if (ok) {
      delivered_ = true;
      c.bytes.assign(buffer_, buffer_ + (bytes < readBytes_ ? bytes : readBytes_));
    } else if (err == ERROR_INVALID_PARAMETER && !delivered_ && readBytes_ > kNetworkBufferBytes) {
      // Some redirectors refuse the size only when the read completes.
      readBytes_ = kNetworkBufferBytes;
      uint32_t again = issueRead();
      if (again == 0) continue;
      err = again;
      c.kind = Completion::Kind::kError;
      c.err = err;
      c.syscall = readCall();
      sink_(std::move(c));
      return;
    } else {
      // ERROR_ACCESS_DENIED: the root was deleted; ERROR_OPERATION_ABORTED
      // without a stop: someone else cancelled; others as they come.
      c.kind = Completion::Kind::kError;
      c.err = err;
      c.syscall = readCall();
      sink_(std::move(c));
      return;
    }
    sink_(std::move(c));
    if (!waitForGate()) return;
    uint32_t rearm = issueRead();
    if (rearm != 0) {
      Completion e;
      e.kind = Completion::Kind::kError;
      e.err = rearm;
      e.syscall = readCall();
      sink_(std::move(e));
      return;
    }
  }
}

}  // namespace vigil
