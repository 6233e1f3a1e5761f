#include "listing.h"

#include <cstring>

namespace vigil_poll {

void Listing::clear() {
  entries_.clear();
  names_.clear();
}

void Listing::add(const char* name, size_t length, const PackedStat& stat) {
  ListingEntry e;
  e.nameOffset = static_cast<uint32_t>(names_.size());
  e.nameLength = static_cast<uint32_t>(length);
  e.stat = stat;
  names_.insert(names_.end(), name, name + length);
  entries_.push_back(e);
}

// A listing that shrank a lot gives memory back, so one burst of files in a
// directory does not pin that memory for the life of the watcher.
template <typename V>
static void assignCompact(V& to, const V& from) {
  if (to.capacity() > 2 * from.size() + 64) {
    V fresh(from.begin(), from.end());
    to.swap(fresh);
  } else {
    to.assign(from.begin(), from.end());
  }
}

void Listing::assign(const Listing& other) {
  assignCompact(entries_, other.entries_);
  assignCompact(names_, other.names_);
}

void Listing::release() {
  std::vector<ListingEntry>().swap(entries_);
  std::vector<char>().swap(names_);
}

size_t Listing::memoryBytes() const { return entries_.capacity() * sizeof(ListingEntry) + names_.capacity(); }

}  // namespace vigil_poll
