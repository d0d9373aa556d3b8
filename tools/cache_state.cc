#include "tools/cache_state.h"

#include <errno.h>
#include <string.h>

#include "common/cache_entry.h"
#include "common/text.h"

namespace sspr {
namespace {

// Explains what cache_entry::Read found, in the module's terms.
void Explain(const std::string& dir, cache_entry::Status s,
             const cache_entry::Entry& e, int64_t now, CacheInfo* info) {
  using cache_entry::Status;
  switch (s) {
    case Status::kOk:
      info->valid = true;
      info->expiry = e.expiry;
      info->written = e.written;
      info->state = e.expiry > now ? CacheState::kFresh : CacheState::kExpired;
      return;
    case Status::kNoDir:
    case Status::kNoEntry:
      info->state = CacheState::kMissing;
      return;
    case Status::kDirUntrusted:
      info->state = CacheState::kUntrusted;
      if (e.err == 0)
        info->detail = dir +
                       " is not owned by root or is writable by group or "
                       "others: the module ignores every entry in it";
      else
        info->detail =
            dir + ": " +
            (e.err == ELOOP || e.err == ENOTDIR ? "a symlink or not a directory"
                                                : strerror(e.err));
      return;
    case Status::kEntryUntrusted:
      info->state = CacheState::kUntrusted;
      info->detail = e.err == ELOOP
                         ? "the entry is a symlink"
                         : "the entry is not a regular file owned by root and "
                           "closed to group and others: the module ignores it";
      return;
    case Status::kError:
      info->state = CacheState::kUntrusted;
      info->detail = strerror(e.err);
      return;
    case Status::kInvalid:
      info->state = CacheState::kInvalid;
      info->detail = "the entry is not 'registered <expiry>'";
      return;
  }
}

}  // namespace

CacheInfo InspectCache(const Config& c, const std::string& user, int64_t now) {
  CacheInfo info;
  const std::string name = SafeFileName(user);
  info.path = c.cache_dir + "/" + name;
  // Read even when disabled: stale_ttl uses an entry left from before.
  cache_entry::Entry e;
  Explain(c.cache_dir, cache_entry::Read(c.cache_dir.c_str(), name.c_str(), &e),
          e, now, &info);
  if (c.cache_ttl <= 0) {
    info.state = CacheState::kDisabled;  // shown without expiry or detail
    info.expiry = 0;
    info.detail.clear();
  }
  return info;
}

const char* CacheStateName(CacheState s) {
  switch (s) {
    case CacheState::kDisabled:
      return "disabled";
    case CacheState::kFresh:
      return "fresh";
    case CacheState::kExpired:
      return "expired";
    case CacheState::kMissing:
      return "missing";
    case CacheState::kUntrusted:
      return "untrusted";
    case CacheState::kInvalid:
      return "invalid";
  }
  return "?";
}

}  // namespace sspr
