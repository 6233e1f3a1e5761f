// Repacks what read(2) returned from an inotify fd into vigil's batch layout.
//
// Batch layout (the records of one or more read(2)s: batches are plain
// sequences, so two of them concatenated are one; host byte order = little-endian on
// every platform vigil builds for), a sequence of records:
//
//   offset  size  field
//   0       4     wd      (int32; -1 for IN_Q_OVERFLOW)
//   4       4     mask    (uint32, exactly as the kernel reported it)
//   8       4     cookie  (uint32; pairs IN_MOVED_FROM with IN_MOVED_TO)
//   12      4     nameLen (uint32; bytes of name, without the kernel's NUL padding)
//   16      n     name    (raw bytes, not NUL-terminated, not decoded)
//   16+n    0..3  zero padding so the next record starts 4-aligned
//
// The only difference from the kernel's struct inotify_event is that nameLen is
// the name's real length, so JS never scans for the NUL.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace vigil {

class BatchPacker {
 public:
  /** Size of a record's fixed part. */
  static constexpr size_t kHeaderSize = 16;

  /**
   * Appends every complete kernel record in [data, data+len) to `out`.
   * Pure function of its input; safe on any thread.
   */
  static void pack(const uint8_t* data, size_t len, std::vector<uint8_t>* out);
};

}  // namespace vigil
