// What the scanner keeps per tracked directory between scans.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "dir_reader.h"
#include "listing.h"

namespace vigil_poll {

/**
 * Threading: `path` is immutable after construction. `listing` and
 * `lastFailure` are touched only by the ScanWorker that holds this state: one
 * scan runs at a time (PollScanner enforces it) and its parts hold disjoint
 * directories, so they need no lock.
 * The JS thread never reads them after track(). Untracking during a scan only
 * drops the PollScanner's shared_ptr; the worker's copy keeps the state alive.
 */
struct DirState {
  explicit DirState(std::string p) : path(std::move(p)) {}
  const std::string path;
  Listing listing;
  ReadFailure lastFailure;
};

using DirRef = std::pair<uint32_t, std::shared_ptr<DirState>>;

}  // namespace vigil_poll
