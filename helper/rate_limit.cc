#include "helper/rate_limit.h"

#include <json-c/json.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

#include "config/config.h"
#include "helper/atomic_file.h"

namespace sspr {
namespace {

constexpr size_t kMaxStateSize = 64 * 1024;
constexpr size_t kMaxSends = 4096;
constexpr size_t kMaxKey = 256;
constexpr int kMaxJsonDepth = 4;
constexpr int64_t kMaxTime = 253402300799;  // 9999-12-31T23:59:59Z

struct JsonDeleter {
  void operator()(json_object* o) const { json_object_put(o); }
};
using JsonPtr = std::unique_ptr<json_object, JsonDeleter>;

// One key's state: send times inside the window (ascending) and lockout.
struct KeyState {
  std::string path;
  std::vector<int64_t> sends;
  int64_t locked_until = 0;
};

bool ValidTime(json_object* v) {
  if (!json_object_is_type(v, json_type_int)) return false;
  int64_t t = json_object_get_int64(v);
  return t >= 0 && t <= kMaxTime;
}

bool ParseState(const std::string& text, KeyState* st, std::string* err) {
  if (memchr(text.data(), '\0', text.size()) != nullptr) {
    *err = "NUL byte in JSON text";
    return false;
  }
  json_tokener* tok = json_tokener_new_ex(kMaxJsonDepth);
  if (tok == nullptr) {
    *err = "out of memory";
    return false;
  }
  json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
  JsonPtr root(json_tokener_parse_ex(tok, text.c_str(),
                                     static_cast<int>(text.size() + 1)));
  json_tokener_error jerr = json_tokener_get_error(tok);
  size_t end = json_tokener_get_parse_end(tok);
  json_tokener_free(tok);
  if (!root || jerr != json_tokener_success || end < text.size()) {
    *err = std::string("invalid JSON: ") +
           (root ? "trailing data" : json_tokener_error_desc(jerr));
    return false;
  }
  if (!json_object_is_type(root.get(), json_type_object) ||
      json_object_object_length(root.get()) != 2) {
    *err = "state must be an object with exactly 'sends' and 'locked_until'";
    return false;
  }
  json_object* sends = nullptr;
  json_object* locked = nullptr;
  if (!json_object_object_get_ex(root.get(), "sends", &sends) ||
      !json_object_is_type(sends, json_type_array) ||
      !json_object_object_get_ex(root.get(), "locked_until", &locked) ||
      !ValidTime(locked)) {
    *err = "'sends' must be an array and 'locked_until' a time";
    return false;
  }
  size_t n = json_object_array_length(sends);
  if (n > kMaxSends) {
    *err = "too many sends recorded";
    return false;
  }
  st->sends.clear();
  for (size_t i = 0; i < n; ++i) {
    json_object* v = json_object_array_get_idx(sends, i);
    if (!ValidTime(v)) {
      *err = "'sends' must hold times";
      return false;
    }
    st->sends.push_back(json_object_get_int64(v));
  }
  std::sort(st->sends.begin(), st->sends.end());
  st->locked_until = json_object_get_int64(locked);
  return true;
}

std::string StateToJson(const KeyState& st) {
  JsonPtr root(json_object_new_object());
  json_object* arr = json_object_new_array();
  for (int64_t t : st.sends)
    json_object_array_add(arr, json_object_new_int64(t));
  json_object_object_add(root.get(), "sends", arr);
  json_object_object_add(root.get(), "locked_until",
                         json_object_new_int64(st.locked_until));
  return std::string(json_object_to_json_string_ext(root.get(),
                                                    JSON_C_TO_STRING_PLAIN)) +
         "\n";
}

bool LoadState(KeyState* st, std::string* err) {
  std::string text, why;
  bool missing = false;
  if (!ReadFileLimited(st->path, kMaxStateSize, &text, &missing, &why)) {
    *err = "rate limit state: " + why;
    return false;
  }
  if (missing) return true;
  if (!ParseState(text, st, &why)) {
    *err = "rate limit state " + st->path + ": " + why;
    return false;
  }
  return true;
}

bool SaveState(const KeyState& st, std::string* err) {
  return WriteFileAtomic(st.path, StateToJson(st), 0600, err);
}

// Forgets sends that left the window and lockouts that ended. Times ahead
// of `now` mean the wall clock was set back since they were written: a send
// "in the future" counts as sent now, and a lockout ends at most `lockout`
// from now. So a clock set back a year neither locks anyone out for a year
// nor ends a lockout early. Returns true when it clamped such a time (the
// caller saves it, or every later call would start the lockout again).
bool Prune(KeyState* st, int64_t now, int window, int lockout) {
  const int64_t cutoff = now - window;
  st->sends.erase(std::remove_if(st->sends.begin(), st->sends.end(),
                                 [cutoff](int64_t t) { return t <= cutoff; }),
                  st->sends.end());
  bool clamped = false;
  for (int64_t& t : st->sends) {
    if (t > now) {
      t = now;
      clamped = true;
    }
  }
  if (st->locked_until <= now) st->locked_until = 0;
  if (st->locked_until > now + lockout) {
    st->locked_until = now + lockout;
    clamped = true;
  }
  return clamped;
}

}  // namespace

bool RateLimiter::Init(std::string* err) {
  return EnsureDir(dir_ + "/rate", 0700, err);
}

bool RateLimiter::TryConsume(const std::string& user, const std::string& dest,
                             int64_t now, bool* allowed, int64_t* locked_until,
                             std::string* err) {
  *allowed = false;
  *locked_until = 0;
  if (user.empty() || dest.empty() || user.size() > kMaxKey ||
      dest.size() > kMaxKey) {
    *err = "invalid rate limit key";
    return false;
  }
  if (p_.limit < 1 || p_.window < 1 || p_.lockout < 0 || now < 0) {
    *err = "invalid rate limit policy";
    return false;
  }
  const std::string base = dir_ + "/rate/";
  KeyState keys[2];
  keys[0].path = base + "user-" + SafeFileName(user) + ".json";
  keys[1].path = base + "dest-" + SafeFileName(dest) + ".json";
  // Always user first, then destination: one global order, no deadlock.
  FileLock user_lock, dest_lock;
  if (!user_lock.Acquire(base + "user-" + SafeFileName(user) + ".lock",
                         kDefaultLockTimeoutMs, err) ||
      !dest_lock.Acquire(base + "dest-" + SafeFileName(dest) + ".lock",
                         kDefaultLockTimeoutMs, err)) {
    return false;
  }
  for (KeyState& k : keys) {
    if (!LoadState(&k, err)) return false;
    if (Prune(&k, now, p_.window, p_.lockout) && !SaveState(k, err))
      return false;
  }

  int64_t until = 0;
  for (const KeyState& k : keys) until = std::max(until, k.locked_until);
  if (until > now) {
    *locked_until = until;
    return true;
  }

  const size_t limit = static_cast<size_t>(p_.limit);
  bool full = false;
  for (KeyState& k : keys) {
    if (k.sends.size() < limit) continue;
    full = true;
    if (p_.lockout > 0) {
      k.locked_until = now + p_.lockout;
      if (!SaveState(k, err)) return false;
      until = std::max(until, k.locked_until);
    } else {
      // Allowed again once enough sends have left the window.
      until = std::max(until, k.sends[k.sends.size() - limit] + p_.window);
    }
  }
  if (full) {
    *locked_until = until;
    return true;
  }

  for (KeyState& k : keys) {
    k.sends.push_back(now);
    if (!SaveState(k, err)) return false;
  }
  *allowed = true;
  return true;
}

}  // namespace sspr
