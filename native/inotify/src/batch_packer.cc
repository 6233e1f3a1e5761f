#include "batch_packer.h"

#include <sys/inotify.h>

#include <cstring>

namespace vigil {

void BatchPacker::pack(const uint8_t* data, size_t len, std::vector<uint8_t>* out) {
  out->reserve(out->size() + len);
  size_t off = 0;
  while (off + sizeof(struct inotify_event) <= len) {
    struct inotify_event ev;
    std::memcpy(&ev, data + off, sizeof ev);
    const char* name = reinterpret_cast<const char*>(data + off + sizeof ev);
    size_t recordEnd = off + sizeof ev + ev.len;
    if (recordEnd > len) break;  // never happens: the kernel returns whole records
    uint32_t nameLen = ev.len ? static_cast<uint32_t>(strnlen(name, ev.len)) : 0;

    size_t at = out->size();
    size_t padded = (nameLen + 3u) & ~static_cast<size_t>(3);
    out->resize(at + kHeaderSize + padded, 0);
    uint8_t* rec = out->data() + at;
    std::memcpy(rec + 0, &ev.wd, 4);
    std::memcpy(rec + 4, &ev.mask, 4);
    std::memcpy(rec + 8, &ev.cookie, 4);
    std::memcpy(rec + 12, &nameLen, 4);
    if (nameLen) std::memcpy(rec + kHeaderSize, name, nameLen);
    off = recordEnd;
  }
}

}  // namespace vigil
