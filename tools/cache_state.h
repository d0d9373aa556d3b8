// What the module's status cache holds for a user, in detail. Whether the
// module takes its fast path is decided by the module's own CacheIsFresh;
// this only explains the other cases.
#ifndef SSPR_TOOLS_CACHE_STATE_H_
#define SSPR_TOOLS_CACHE_STATE_H_

#include <cstdint>
#include <string>

#include "config/config.h"

namespace sspr {

enum class CacheState {
  kDisabled,   // cache_ttl = 0: the module never reads it
  kFresh,      // the module returns PAM_SUCCESS without a helper
  kExpired,    // a valid entry whose expiry has passed
  kMissing,    // no entry (or no cache_dir)
  kUntrusted,  // not a root-owned, closed file in a root-owned, closed dir
  kInvalid,    // not "registered <expiry>"
};

struct CacheInfo {
  CacheState state = CacheState::kMissing;
  int64_t expiry = 0;  // kFresh, kExpired
  std::string path;    // the entry's file
  std::string detail;  // kUntrusted, kInvalid: why
};

CacheInfo InspectCache(const Config& c, const std::string& user, int64_t now);

// "fresh", "expired", "missing", "disabled", "untrusted", "invalid".
const char* CacheStateName(CacheState s);

}  // namespace sspr

#endif  // SSPR_TOOLS_CACHE_STATE_H_
