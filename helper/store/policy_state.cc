#include "helper/store/policy_state.h"

#include <errno.h>
#include <stdlib.h>

#include <algorithm>

#include "common/file.h"
#include "common/text.h"
#include "config/config.h"

namespace sspr {
namespace {

constexpr size_t kMaxPolicyFile = 1024;

bool ParseNumber(const std::string& v, int64_t* out) {
  if (v.empty() || v.size() > 18 ||
      v.find_first_not_of("0123456789") != std::string::npos)
    return false;
  *out = strtoll(v.c_str(), nullptr, 10);
  return true;
}

}  // namespace

std::string PolicyToText(const PolicyState& s) {
  return "snoozes " + std::to_string(s.snoozes) + "\nlast_snooze " +
         std::to_string(s.last_snooze) + "\nconfirmed_at " +
         std::to_string(s.confirmed_at) + "\n";
}

bool PolicyFromText(const std::string& text, PolicyState* s, std::string* err) {
  PolicyState out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    std::string line = text.substr(pos, nl - pos);
    pos = nl + 1;
    size_t sp = line.find(' ');
    int64_t v = 0;
    if (sp == std::string::npos || !ParseNumber(line.substr(sp + 1), &v)) {
      *err = "malformed line";
      return false;
    }
    std::string key = line.substr(0, sp);
    if (key == "snoozes" && v <= 1000000) out.snoozes = static_cast<int>(v);
    else if (key == "last_snooze") out.last_snooze = v;
    else if (key == "confirmed_at") out.confirmed_at = v;
    else {
      *err = "unknown or out-of-range key '" + key + "'";
      return false;
    }
  }
  *s = out;
  return true;
}

std::string PolicyStore::Path(const std::string& user) const {
  return dir_ + "/policy/" + SafeFileName(user);
}

bool PolicyStore::Init(std::string* err) {
  return EnsureDir(dir_ + "/policy", 0700, err) &&
         EnsureDir(dir_ + "/locks", 0700, err);
}

bool PolicyStore::Load(const std::string& user, PolicyState* s,
                       std::string* err) {
  std::string text, why;
  bool missing = false;
  if (!ReadFileLimited(Path(user), kMaxPolicyFile, &text, &missing, &why)) {
    *err = "policy state: " + why;
    return false;
  }
  *s = PolicyState{};
  if (missing) return true;
  if (!PolicyFromText(text, s, &why)) {
    *err = Path(user) + ": " + why;
    return false;
  }
  return true;
}

template <typename F>
bool PolicyStore::Update(const std::string& user, F change, std::string* err) {
  FileLock lock;
  if (!lock.Acquire(dir_ + "/locks/" + SafeFileName(user) + ".policy.lock",
                    kDefaultLockTimeoutMs, err))
    return false;
  PolicyState s;
  if (!Load(user, &s, err)) return false;
  change(&s);
  return WriteFileAtomic(Path(user), PolicyToText(s), 0600, err);
}

bool PolicyStore::RecordSnooze(const std::string& user, int64_t now,
                               std::string* err) {
  return Update(
      user,
      [now](PolicyState* s) {
        ++s->snoozes;
        s->last_snooze = now;
      },
      err);
}

bool PolicyStore::RecordConfirm(const std::string& user, int64_t now,
                                std::string* err) {
  return Update(
      user, [now](PolicyState* s) { s->confirmed_at = now; }, err);
}

int64_t ReconfirmAt(const Config& c, const PolicyState& p,
                    const UserRecord& rec) {
  int64_t base = p.confirmed_at;
  for (const Method& m : rec.methods) base = std::max(base, m.verified_at);
  return base + int64_t{c.reconfirm_days} * 86400;
}

bool ReconfirmDue(const Config& c, const PolicyState& p, const UserRecord& rec,
                  int64_t now) {
  return c.reconfirm_days > 0 && now >= ReconfirmAt(c, p, rec);
}

int64_t RemindedUntil(const Config& c, const PolicyState& p, int64_t now) {
  if (p.last_snooze > 0 && now < p.last_snooze + c.snooze_interval)
    return p.last_snooze + c.snooze_interval;
  return 0;
}

int SnoozesLeft(const Config& c, const PolicyState& p) {
  return std::max(0, c.snooze_max - p.snoozes);
}

bool LaterAllowed(const Config& c, const PolicyState& p, int64_t now) {
  return (c.grace_until > 0 && now < c.grace_until) || SnoozesLeft(c, p) > 0;
}

}  // namespace sspr
