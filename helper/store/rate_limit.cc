#include "helper/store/rate_limit.h"

#include <json-c/json.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <vector>

#include "common/file.h"
#include "common/text.h"
#include "config/config.h"

namespace sspr {
namespace {

constexpr size_t kMaxStateSize = 64 * 1024;
constexpr size_t kMaxSends = 4096;
constexpr size_t kMaxKey = 256;
constexpr size_t kMaxPairs = 64;
constexpr int kMaxJsonDepth = 6;
constexpr int64_t kMaxTime = 253402300799;  // 9999-12-31T23:59:59Z

struct JsonDeleter {
  void operator()(json_object* o) const { json_object_put(o); }
};
using JsonPtr = std::unique_ptr<json_object, JsonDeleter>;

// Send times inside the window (ascending) and lockout.
struct Counter {
  std::vector<int64_t> sends;
  int64_t locked_until = 0;
};

// One file's state; a user's file also counts per destination.
struct KeyState {
  std::string path;
  Counter all;
  std::map<std::string, Counter> pairs;
};

bool ValidTime(json_object* v) {
  if (!json_object_is_type(v, json_type_int)) return false;
  int64_t t = json_object_get_int64(v);
  return t >= 0 && t <= kMaxTime;
}

bool ParseCounter(json_object* o, bool pairs_allowed, Counter* c,
                  json_object** pairs, std::string* err) {
  json_object* sends = nullptr;
  json_object* locked = nullptr;
  *pairs = nullptr;
  bool has_pairs = pairs_allowed && json_object_is_type(o, json_type_object) &&
                   json_object_object_get_ex(o, "pairs", pairs);
  if (!json_object_is_type(o, json_type_object) ||
      json_object_object_length(o) != (has_pairs ? 3 : 2)) {
    *err = "state must be an object with 'sends', 'locked_until'" +
           std::string(pairs_allowed ? " and maybe 'pairs'" : "");
    return false;
  }
  if (!json_object_object_get_ex(o, "sends", &sends) ||
      !json_object_is_type(sends, json_type_array) ||
      !json_object_object_get_ex(o, "locked_until", &locked) ||
      !ValidTime(locked)) {
    *err = "'sends' must be an array and 'locked_until' a time";
    return false;
  }
  size_t n = json_object_array_length(sends);
  if (n > kMaxSends) {
    *err = "too many sends recorded";
    return false;
  }
  c->sends.clear();
  for (size_t i = 0; i < n; ++i) {
    json_object* v = json_object_array_get_idx(sends, i);
    if (!ValidTime(v)) {
      *err = "'sends' must hold times";
      return false;
    }
    c->sends.push_back(json_object_get_int64(v));
  }
  std::sort(c->sends.begin(), c->sends.end());
  c->locked_until = json_object_get_int64(locked);
  return true;
}

bool ParseState(const std::string& text, KeyState* st, std::string* err) {
  if (text.find('\0') != std::string::npos) {
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
  json_object* pairs = nullptr;
  if (!ParseCounter(root.get(), true, &st->all, &pairs, err)) return false;
  st->pairs.clear();
  if (pairs == nullptr) return true;
  if (!json_object_is_type(pairs, json_type_object) ||
      static_cast<size_t>(json_object_object_length(pairs)) > kMaxPairs) {
    *err = "'pairs' must be an object of at most " + std::to_string(kMaxPairs) +
           " destinations";
    return false;
  }
  json_object_object_foreach(pairs, key, val) {
    json_object* none = nullptr;
    size_t len = strlen(key);
    if (len == 0 || len > kMaxKey ||
        !ParseCounter(val, false, &st->pairs[key], &none, err)) {
      if (err->empty() || len == 0 || len > kMaxKey)
        *err = "'pairs' has an invalid destination";
      return false;
    }
  }
  return true;
}

json_object* CounterToJson(const Counter& c) {
  json_object* o = json_object_new_object();
  json_object* arr = json_object_new_array();
  for (int64_t t : c.sends)
    json_object_array_add(arr, json_object_new_int64(t));
  json_object_object_add(o, "sends", arr);
  json_object_object_add(o, "locked_until",
                         json_object_new_int64(c.locked_until));
  return o;
}

std::string StateToJson(const KeyState& st) {
  JsonPtr root(CounterToJson(st.all));
  if (!st.pairs.empty()) {
    json_object* pairs = json_object_new_object();
    for (const auto& p : st.pairs)
      json_object_object_add(pairs, p.first.c_str(), CounterToJson(p.second));
    json_object_object_add(root.get(), "pairs", pairs);
  }
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
bool Prune(Counter* st, int64_t now, int window, int lockout) {
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

// Prunes a file's counters, and forgets destinations with nothing left.
bool PruneState(KeyState* st, int64_t now, int window, int lockout) {
  bool clamped = Prune(&st->all, now, window, lockout);
  for (auto it = st->pairs.begin(); it != st->pairs.end();) {
    clamped = Prune(&it->second, now, window, lockout) || clamped;
    if (it->second.sends.empty() && it->second.locked_until == 0)
      it = st->pairs.erase(it);
    else ++it;
  }
  return clamped;
}

int64_t Last(const Counter& c) {
  return c.sends.empty() ? c.locked_until : c.sends.back();
}

// When a counter with `limit` sends in the window lets the next one go.
int64_t NextFree(const Counter& c, size_t limit, int window) {
  return c.sends[c.sends.size() - limit] + window;
}

}  // namespace

bool RateLimiter::Init(std::string* err) {
  return EnsureDir(dir_ + "/rate", 0700, err);
}

std::string RateUserBase(const std::string& user) {
  return "user-" + SafeFileName(user);
}

bool RateLimiter::TryConsume(const std::string& user, const std::string& dest,
                             int64_t now, RateVerdict* verdict, int64_t* until,
                             std::string* err) {
  *verdict = RateVerdict::kLimited;
  *until = 0;
  if (user.empty() || dest.empty() || user.size() > kMaxKey ||
      dest.size() > kMaxKey) {
    *err = "invalid rate limit key";
    return false;
  }
  if (p_.limit < 1 || p_.user_limit < 1 || p_.dest_limit < 1 || p_.window < 1 ||
      p_.lockout < 0 || now < 0) {
    *err = "invalid rate limit policy";
    return false;
  }
  const std::string base = dir_ + "/" + kRateDir + "/";
  KeyState u, d;
  u.path = base + RateUserBase(user) + ".json";
  d.path = base + "dest-" + SafeFileName(dest) + ".json";
  // Always user first, then destination: one global order, no deadlock.
  FileLock user_lock, dest_lock;
  if (!user_lock.Acquire(base + RateUserBase(user) + ".lock",
                         kDefaultLockTimeoutMs, err) ||
      !dest_lock.Acquire(base + "dest-" + SafeFileName(dest) + ".lock",
                         kDefaultLockTimeoutMs, err)) {
    return false;
  }
  for (KeyState* k : {&u, &d}) {
    if (!LoadState(k, err)) return false;
    if (PruneState(k, now, p_.window, p_.lockout) && !SaveState(*k, err))
      return false;
  }
  // A lock on the destination is never honoured: earlier versions locked
  // it for every user, which let one account deny a number to others.
  d.all.locked_until = 0;
  d.pairs.clear();
  Counter& pair = u.pairs[dest];

  // This user's own limits first: they lock, for `lockout`.
  int64_t locked = std::max(u.all.locked_until, pair.locked_until);
  if (locked > now) {
    *until = locked;
    if (pair.sends.empty() && pair.locked_until == 0) u.pairs.erase(dest);
    return true;
  }
  bool full = false;
  const std::pair<Counter*, size_t> own[] = {
      {&u.all, static_cast<size_t>(p_.user_limit)},
      {&pair, static_cast<size_t>(p_.limit)}};
  for (const auto& c : own) {
    if (c.first->sends.size() < c.second) continue;
    full = true;
    c.first->locked_until = p_.lockout > 0
                                ? now + p_.lockout
                                : NextFree(*c.first, c.second, p_.window);
    locked = std::max(locked, c.first->locked_until);
  }
  if (full) {
    if (p_.lockout == 0) {  // no lock: allowed once sends leave the window
      u.all.locked_until = 0;
      pair.locked_until = 0;
    }
    if (pair.sends.empty() && pair.locked_until == 0) u.pairs.erase(dest);
    *until = locked;
    return p_.lockout == 0 || SaveState(u, err);
  }
  // Then the brake across users: another destination, or later.
  const size_t dest_limit = static_cast<size_t>(p_.dest_limit);
  if (d.all.sends.size() >= dest_limit) {
    if (pair.sends.empty()) u.pairs.erase(dest);
    *verdict = RateVerdict::kDestBusy;
    *until = NextFree(d.all, dest_limit, p_.window);
    return true;
  }
  if (u.pairs.size() > kMaxPairs) {  // drop the destination idle longest
    auto oldest = u.pairs.end();
    for (auto it = u.pairs.begin(); it != u.pairs.end(); ++it)
      if (it->first != dest &&
          (oldest == u.pairs.end() || Last(it->second) < Last(oldest->second)))
        oldest = it;
    if (oldest != u.pairs.end()) u.pairs.erase(oldest);
  }
  u.all.sends.push_back(now);
  pair.sends.push_back(now);
  d.all.sends.push_back(now);
  if (!SaveState(u, err) || !SaveState(d, err)) return false;
  *verdict = RateVerdict::kAllowed;
  return true;
}

}  // namespace sspr
