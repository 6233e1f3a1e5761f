// A directory listing as the scanner remembers it between scans: for every
// entry its name bytes and the few stat fields that tell identity (dev, ino,
// file type) and content (size, mtime). Stored compactly: one vector of
// fixed-size records (48 bytes) and one arena holding every name back to back,
// so a 100,000-entry tree costs ~5 MB plus names, not 100,000 heap strings.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace vigil_poll {

/** The stat fields the scanner compares. `type` holds only the S_IFMT bits. */
struct PackedStat {
  uint64_t dev;
  uint64_t ino;
  uint64_t size;
  int64_t mtimeSec;
  uint32_t mtimeNsec;
  uint32_t type;
};

/** One entry: where its name lives in the arena, and its stat. */
struct ListingEntry {
  uint32_t nameOffset;
  uint32_t nameLength;
  PackedStat stat;
};

/** Same file: device, inode and file type unchanged. */
inline bool sameIdentity(const PackedStat& a, const PackedStat& b) {
  return a.ino == b.ino && a.dev == b.dev && a.type == b.type;
}

/** Same content as far as stat can tell: size and mtime (to the nanosecond). */
inline bool sameContent(const PackedStat& a, const PackedStat& b) {
  return a.size == b.size && a.mtimeSec == b.mtimeSec && a.mtimeNsec == b.mtimeNsec;
}

/** Names and stats of one directory's entries, in the order they were added. */
class Listing {
 public:
  void clear();
  void add(const char* name, size_t length, const PackedStat& stat);
  /** Copies `other` into this listing, reusing this listing's memory when it fits. */
  void assign(const Listing& other);
  /** Drops all entries and returns their memory. */
  void release();

  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  const ListingEntry& at(size_t i) const { return entries_[i]; }
  std::string_view name(const ListingEntry& e) const {
    return std::string_view(names_.data() + e.nameOffset, e.nameLength);
  }
  /** Heap bytes held (capacity, not size). */
  size_t memoryBytes() const;

 private:
  std::vector<ListingEntry> entries_;
  std::vector<char> names_;
};

}  // namespace vigil_poll
