#include "listing_diff.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstring>

namespace vigil_poll {

namespace {

uint8_t kindCode(uint32_t type) {
  switch (type) {
    case S_IFREG:
      return 0;
    case S_IFDIR:
      return 1;
    case S_IFLNK:
      return 2;
    default:
      return 3;
  }
}

template <typename T>
void put(std::vector<uint8_t>& out, T value) {
  uint8_t bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));
  out.insert(out.end(), bytes, bytes + sizeof(T));
}

template <typename T>
void patch(std::vector<uint8_t>& out, size_t at, T value) {
  std::memcpy(out.data() + at, &value, sizeof(T));
}

}  // namespace

void DiffWriter::beginDir(uint32_t id, int error, Syscall syscall) {
  headerAt_ = out_.size();
  records_ = 0;
  put<uint32_t>(out_, id);
  put<int32_t>(out_, error);
  put<uint32_t>(out_, static_cast<uint32_t>(syscall));
  put<uint32_t>(out_, 0);  // record count, patched by endDir
}

void DiffWriter::endDir() { patch<uint32_t>(out_, headerAt_ + 12, records_); }

void DiffWriter::writeRecord(RecordTag tag, const Listing& listing, const ListingEntry& e) {
  records_++;
  put<uint8_t>(out_, static_cast<uint8_t>(tag));
  put<uint8_t>(out_, tag == RecordTag::kRemoved ? 0 : kindCode(e.stat.type));
  put<uint16_t>(out_, 0);
  put<uint32_t>(out_, e.nameLength);
  if (tag != RecordTag::kRemoved) {
    put<double>(out_, static_cast<double>(e.stat.dev));
    put<double>(out_, static_cast<double>(e.stat.ino));
    put<double>(out_, static_cast<double>(e.stat.size));
    put<double>(out_, static_cast<double>(e.stat.mtimeSec) * 1e3 + static_cast<double>(e.stat.mtimeNsec) / 1e6);
  }
  auto name = listing.name(e);
  out_.insert(out_.end(), name.begin(), name.end());
}

void DiffWriter::writeFailure(uint32_t id, const ReadFailure& failure, const Listing& before) {
  beginDir(id, failure.error, failure.syscall);
  for (size_t i = 0; i < before.size(); i++) writeRecord(RecordTag::kRemoved, before, before.at(i));
  endDir();
}

bool DiffWriter::writeDiff(uint32_t id, const Listing& before, const Listing& after) {
  // readdir returns an unchanged directory in the same order (ext4 hash order,
  // tmpfs creation order), so the common idle case is a lockstep comparison
  // with no sorting and no allocation.
  bool sameNames = before.size() == after.size();
  for (size_t i = 0; sameNames && i < before.size(); i++) {
    sameNames = before.name(before.at(i)) == after.name(after.at(i));
  }
  return sameNames ? diffSameOrder(id, before, after) : diffSorted(id, before, after);
}

bool DiffWriter::diffSameOrder(uint32_t id, const Listing& before, const Listing& after) {
  bool any = false;
  for (size_t i = 0; i < before.size(); i++) {
    const ListingEntry& b = before.at(i);
    const ListingEntry& a = after.at(i);
    bool replaced = !sameIdentity(b.stat, a.stat);
    if (!replaced && sameContent(b.stat, a.stat)) continue;
    if (!any) beginDir(id, 0, Syscall::kNone);
    any = true;
    if (replaced) {
      writeRecord(RecordTag::kRemoved, before, b);
      writeRecord(RecordTag::kAdded, after, a);
    } else {
      writeRecord(RecordTag::kChanged, after, a);
    }
  }
  if (any) endDir();
  return any;
}

bool DiffWriter::diffSorted(uint32_t id, const Listing& before, const Listing& after) {
  auto sortByName = [](const Listing& l, std::vector<uint32_t>& order) {
    order.resize(l.size());
    for (size_t i = 0; i < order.size(); i++) order[i] = static_cast<uint32_t>(i);
    std::sort(order.begin(), order.end(), [&l](uint32_t x, uint32_t y) { return l.name(l.at(x)) < l.name(l.at(y)); });
  };
  sortByName(before, orderBefore_);
  sortByName(after, orderAfter_);
  bool any = false;
  auto begin = [&] {
    if (!any) beginDir(id, 0, Syscall::kNone);
    any = true;
  };
  size_t i = 0, j = 0;
  while (i < orderBefore_.size() || j < orderAfter_.size()) {
    const ListingEntry* b = i < orderBefore_.size() ? &before.at(orderBefore_[i]) : nullptr;
    const ListingEntry* a = j < orderAfter_.size() ? &after.at(orderAfter_[j]) : nullptr;
    int cmp = !b ? 1 : !a ? -1 : before.name(*b).compare(after.name(*a));
    if (cmp < 0) {
      begin();
      writeRecord(RecordTag::kRemoved, before, *b);
      i++;
    } else if (cmp > 0) {
      begin();
      writeRecord(RecordTag::kAdded, after, *a);
      j++;
    } else {
      if (!sameIdentity(b->stat, a->stat)) {
        begin();
        writeRecord(RecordTag::kRemoved, before, *b);
        writeRecord(RecordTag::kAdded, after, *a);
      } else if (!sameContent(b->stat, a->stat)) {
        begin();
        writeRecord(RecordTag::kChanged, after, *a);
      }
      i++;
      j++;
    }
  }
  if (any) endDir();
  return any;
}

}  // namespace vigil_poll
