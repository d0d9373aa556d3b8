#include "helper/store/reset_limit.h"

#include <algorithm>
#include <sstream>

#include "config/config.h"
#include "common/file.h"
#include "common/text.h"

namespace sspr {
namespace {

constexpr size_t kMaxEvents = 500;          // per kind
constexpr int64_t kMaxTime = 253402300799;  // 9999-12-31T23:59:59Z

bool ParseTime(const std::string& s, int64_t* t) {
  if (s.empty() || s.size() > 12 ||
      s.find_first_not_of("0123456789") != std::string::npos)
    return false;
  *t = std::stoll(s);
  return *t <= kMaxTime;
}

void Prune(std::vector<int64_t>* v, int64_t from) {
  v->erase(std::remove_if(v->begin(), v->end(),
                          [&](int64_t t) { return t <= from; }),
           v->end());
}

// The end of the lockout when `v` holds `limit` or more events.
int64_t Until(const std::vector<int64_t>& v, int limit, int window) {
  if (limit <= 0 || v.size() < static_cast<size_t>(limit)) return 0;
  return v[v.size() - static_cast<size_t>(limit)] + window;
}

}  // namespace

std::string ResetStateToText(const ResetState& s) {
  std::string out;
  for (int64_t t : s.resets) out += "reset " + std::to_string(t) + "\n";
  for (int64_t t : s.failures) out += "fail " + std::to_string(t) + "\n";
  if (s.last_reset > 0) out += "last " + std::to_string(s.last_reset) + "\n";
  return out;
}

bool ResetStateFromText(const std::string& text, ResetState* s,
                        std::string* err) {
  *s = ResetState();
  if (text.size() > kMaxResetStateSize) {
    *err = "reset state larger than " + std::to_string(kMaxResetStateSize);
    return false;
  }
  std::istringstream in(text);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    size_t sp = line.find(' ');
    std::string kind = line.substr(0, sp);
    int64_t t = 0;
    if (sp == std::string::npos || !ParseTime(line.substr(sp + 1), &t)) {
      *err = "reset state line " + std::to_string(n) + ": malformed";
      return false;
    }
    if (kind == "reset") s->resets.push_back(t);
    else if (kind == "fail") s->failures.push_back(t);
    else if (kind == "last") s->last_reset = std::max(s->last_reset, t);
    else {
      *err = "reset state line " + std::to_string(n) + ": unknown entry";
      return false;
    }
    if (s->resets.size() > kMaxEvents || s->failures.size() > kMaxEvents) {
      *err = "reset state: too many entries";
      return false;
    }
  }
  std::sort(s->resets.begin(), s->resets.end());
  std::sort(s->failures.begin(), s->failures.end());
  return true;
}

int64_t ResetLockedUntil(const ResetState& s, const ResetLimitPolicy& p,
                         int64_t now) {
  ResetState w = s;
  Prune(&w.resets, now - p.window);
  Prune(&w.failures, now - p.window);
  int64_t until = std::max(Until(w.resets, p.resets, p.window),
                           Until(w.failures, p.failures, p.window));
  return until > now ? until : 0;
}

bool ResetLimiter::Init(std::string* err) { return EnsureDir(dir_, 0700, err); }

bool ResetLimiter::Load(const std::string& user, ResetState* s,
                        std::string* err) const {
  std::string text;
  bool missing = false;
  if (!ReadFileLimited(dir_ + "/" + SafeFileName(user), kMaxResetStateSize,
                       &text, &missing, err))
    return false;
  if (missing) {
    *s = ResetState();
    return true;
  }
  return ResetStateFromText(text, s, err);
}

bool ResetLimiter::LockedUntil(const std::string& user, int64_t now,
                               int64_t* until, std::string* err) const {
  ResetState s;
  if (!Load(user, &s, err)) return false;
  *until = ResetLockedUntil(s, p_, now);
  return true;
}

bool ResetLimiter::Record(const std::string& user, int64_t now, bool reset,
                          int64_t* until, std::string* err) {
  const std::string path = dir_ + "/" + SafeFileName(user);
  FileLock lock;
  if (!lock.Acquire(path + ".lock", kDefaultLockTimeoutMs, err)) return false;
  ResetState s;
  if (!Load(user, &s, err)) return false;
  Prune(&s.resets, now - p_.window);
  Prune(&s.failures, now - p_.window);
  std::vector<int64_t>* v = reset ? &s.resets : &s.failures;
  if (v->size() >= kMaxEvents) v->erase(v->begin());
  v->push_back(now);
  if (reset) s.last_reset = now;
  if (!WriteFileAtomic(path, ResetStateToText(s), 0600, err)) return false;
  if (until != nullptr) *until = ResetLockedUntil(s, p_, now);
  return true;
}

bool ResetLimiter::RecordFailure(const std::string& user, int64_t now,
                                 int64_t* until, std::string* err) {
  return Record(user, now, false, until, err);
}

bool ResetLimiter::RecordReset(const std::string& user, int64_t now,
                               std::string* err) {
  return Record(user, now, true, nullptr, err);
}

}  // namespace sspr
