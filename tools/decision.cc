#include "tools/decision.h"

#include <algorithm>

#include "tools/admin_output.h"
#include "tools/exit_codes.h"

namespace sspr {
namespace {

Decision Make(const char* result, const char* step, std::string reason,
              int code) {
  Decision d;
  d.result = result;
  d.step = step;
  d.reason = std::move(reason);
  d.exit_code = code;
  return d;
}

}  // namespace

Decision Decide(const Config& c, const Facts& f) {
  if (!f.in_scope)
    return Make("PAM_IGNORE", "scope",
                "not checked (" + f.scope_why + "): no cache read, no helper",
                admin_exit::kOutOfScope);
  if (f.cache == CacheState::kFresh)
    return Make("PAM_SUCCESS", "cache",
                "the status cache entry is fresh: no helper is started",
                admin_exit::kOk);
  if (!f.backend_ok && f.backend_user_unknown)
    return Make("PAM_IGNORE", "backend",
                "the backend does not know the user (outcome "
                "NOT_APPLICABLE)",
                admin_exit::kOutOfScope);
  if (!f.backend_ok && f.stale_age >= 0 && f.stale_age < c.stale_ttl)
    return Make("PAM_SUCCESS", "stale-cache",
                "the backend is unavailable (" + f.backend_error +
                    "), but a cache entry written " +
                    std::to_string(f.stale_age) +
                    " s ago is within stale_ttl (" +
                    std::to_string(c.stale_ttl) + " s): logged and let in",
                admin_exit::kUnavailable);
  if (!f.backend_ok) {
    bool secure = c.failmode == FailMode::kSecure;
    return Make(secure ? "PAM_AUTHINFO_UNAVAIL" : "PAM_IGNORE", "backend",
                "the backend is unavailable (" + f.backend_error +
                    "), so failmode=" + FailModeName(c.failmode) + " decides",
                admin_exit::kUnavailable);
  }
  const std::string have = std::to_string(f.methods) + " of " +
                           std::to_string(c.methods_required) +
                           " required method(s) registered";
  if (f.methods >= c.methods_required && f.reconfirm_due)
    return Make("dialogue", "reconfirm",
                have + "; reconfirmation was due on " +
                    UtcTime(f.reconfirm_at) +
                    ": the user sees the methods (masked) and keeps or "
                    "updates them. PAM_SUCCESS unless the dialogue times out",
                admin_exit::kOk);
  if (f.methods >= c.methods_required) {
    std::string why = have;
    if (c.cache_ttl > 0)
      why += "; the answer is cached for up to " + std::to_string(c.cache_ttl) +
             " s";
    return Make("PAM_SUCCESS", "backend", why, admin_exit::kOk);
  }
  switch (c.mode) {
    case Mode::kBlock:
      return Make("PAM_PERM_DENIED", "mode",
                  have + "; mode=block: the user is told to register at " +
                      c.enroll_url + " and denied",
                  admin_exit::kNotRegistered);
    case Mode::kWarn:
      return Make("PAM_SUCCESS", "mode",
                  have + "; mode=warn: the user is told to register at " +
                      c.enroll_url + " and let in",
                  admin_exit::kNotRegistered);
    case Mode::kRegister:
      break;
  }
  if (f.next_reminder > 0)
    return Make("PAM_SUCCESS", "later",
                have + "; the user chose 'later': no reminder before " +
                    UtcTime(f.next_reminder) + " (snooze_interval)",
                admin_exit::kNotRegistered);
  std::string later;
  if (f.later_available) {
    later = " The menu offers 'later'";
    if (c.grace_until > 0) later += " until " + UtcTime(c.grace_until);
    if (f.snoozes_left > 0)
      later += std::string(c.grace_until > 0 ? " or" : "") + " " +
               std::to_string(f.snoozes_left) + " more time(s)";
    later += " (PAM_SUCCESS).";
  }
  return Make("dialogue", "mode",
              have + "; mode=register: the registration dialogue runs." +
                  later +
                  " PAM_SUCCESS once the user has registered; "
                  "PAM_PERM_DENIED if they quit, fail or time out, or if "
                  "the application cannot prompt (e.g. publickey-only "
                  "ssh)",
              admin_exit::kNotRegistered);
}

void AddPolicyFacts(const Config& c, const UserRecord& rec,
                    const PolicyState& p, int64_t now, Facts* f) {
  const bool registered =
      static_cast<int>(rec.methods.size()) >= c.methods_required;
  // The dialogue's own rules (helper/store/policy_state.h).
  f->reconfirm_at = ReconfirmAt(c, p, rec);
  f->reconfirm_due = registered && ReconfirmDue(c, p, rec, now);
  if (registered) return;
  f->next_reminder = RemindedUntil(c, p, now);
  f->snoozes_left = SnoozesLeft(c, p);
  f->later_available = LaterAllowed(c, p, now);
}

}  // namespace sspr
