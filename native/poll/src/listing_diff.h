// Compares a directory's previous listing with a fresh one and packs only the
// differences into a byte buffer that JS decodes (native-binding.ts). This is
// the only "logic" in the addon, and it is comparison, not event semantics.
//
// Packed format, host byte order, no alignment (JS reads it with a DataView):
//   per reported directory, a 16-byte header:
//     u32 id        the id track() returned
//     i32 errno     0, or the errno that stopped the read
//     u32 syscall   Syscall (dir_reader.h) that failed, 0 when none
//     u32 records   number of records that follow
//   then `records` records:
//     u8  tag       0 removed, 1 added, 2 changed
//     u8  kind      0 file, 1 directory, 2 symlink, 3 other (0 for removed)
//     u16 reserved
//     u32 nameLength
//     f64 dev, f64 ino, f64 size, f64 mtimeMs   (absent for removed)
//     nameLength bytes of name
// The numbers are doubles computed exactly as Node computes fs.Stats fields
// (mtimeMs = sec * 1e3 + nsec / 1e6), so both scanners report equal values.
#pragma once

#include <cstdint>
#include <vector>

#include "dir_reader.h"
#include "listing.h"

namespace vigil_poll {

enum class RecordTag : uint8_t { kRemoved = 0, kAdded = 1, kChanged = 2 };

/** Appends directory reports to one output buffer. */
class DiffWriter {
 public:
  explicit DiffWriter(std::vector<uint8_t>& out) : out_(out) {}

  /**
   * Writes the differences between `before` and `after` for directory `id`.
   * Returns true when there were any (and only then writes anything).
   */
  bool writeDiff(uint32_t id, const Listing& before, const Listing& after);

  /** Writes a read failure for `id`: the error, and every name of `before` as removed. */
  void writeFailure(uint32_t id, const ReadFailure& failure, const Listing& before);

 private:
  void beginDir(uint32_t id, int error, Syscall syscall);
  void endDir();
  void writeRecord(RecordTag tag, const Listing& listing, const ListingEntry& e);
  bool diffSameOrder(uint32_t id, const Listing& before, const Listing& after);
  bool diffSorted(uint32_t id, const Listing& before, const Listing& after);

  std::vector<uint8_t>& out_;
  size_t headerAt_ = 0;
  uint32_t records_ = 0;
  std::vector<uint32_t> orderBefore_;  // scratch for diffSorted, reused
  std::vector<uint32_t> orderAfter_;
};

}  // namespace vigil_poll
