// pam_sspr.so: the account module. Links libpam, protocol and config only.
#include <security/pam_ext.h>
#include <security/pam_modules.h>
#include <stdlib.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <string>
#include <vector>

#include "config/config.h"
#include "config/scope.h"
#include "config/user_name.h"
#include "pam_module/relay.h"
#include "pam_module/reset_auth.h"
#include "pam_module/status_cache.h"
#include "protocol/messages.h"

#ifndef SSPR_HELPER_PATH
#error "SSPR_HELPER_PATH must be defined by the build"
#endif

namespace sspr {
namespace {

// The single-flight lock of a status check; let go on every return.
struct CheckLock {
  int fd = -1;
  CheckLock() = default;
  CheckLock(const CheckLock&) = delete;
  CheckLock& operator=(const CheckLock&) = delete;
  ~CheckLock() {
    if (fd >= 0) close(fd);
  }
};

// A PAM item, "" when unset (no copy: the fast path allocates nothing).
const char* ItemText(pam_handle_t* pamh, int type) {
  const void* v = nullptr;
  if (pam_get_item(pamh, type, &v) != PAM_SUCCESS || v == nullptr) return "";
  return static_cast<const char*>(v);
}

std::string Item(pam_handle_t* pamh, int type) { return ItemText(pamh, type); }

int FailModeCode(const ModuleConfig& c) {
  return c.failmode == FailMode::kSecure ? PAM_AUTHINFO_UNAVAIL : PAM_IGNORE;
}

// A config error is logged once per process (while the module stays
// loaded), not at every login of a long-lived sshd or cockpit: each bad
// line as file:line, at most kMaxErrorLines of them.
void LogConfigErrorsOnce(pam_handle_t* pamh,
                         const std::vector<std::string>& errors) {
  static std::atomic<bool> logged{false};
  if (logged.exchange(true)) return;
  constexpr size_t kMaxErrorLines = 20;
  for (size_t i = 0; i < errors.size() && i < kMaxErrorLines; ++i)
    pam_syslog(pamh, LOG_ERR, "configuration error: %s", errors[i].c_str());
  if (errors.size() > kMaxErrorLines)
    pam_syslog(pamh, LOG_ERR, "configuration error: ... and %zu more",
               errors.size() - kMaxErrorLines);
  pam_syslog(pamh, LOG_ERR,
             "configuration has %zu error(s): root, system accounts, "
             "exemptions and non-interactive callers are decided from the "
             "valid lines; users in scope get failmode (sspr-admin "
             "check-config lists the errors)",
             errors.size());
}

const char* CodeName(int code) {
  switch (code) {
    case PAM_SUCCESS:
      return "success";
    case PAM_IGNORE:
      return "ignore";
    case PAM_PERM_DENIED:
      return "denied";
    case PAM_AUTHINFO_UNAVAIL:
      return "unavailable";
    case PAM_USER_UNKNOWN:
      return "user-unknown";
    default:
      return "error";
  }
}

int MapOutcome(const ModuleConfig& c, proto::Outcome o) {
  if (proto::LetsIn(o)) return PAM_SUCCESS;
  if (o == proto::Outcome::kNotApplicable) return PAM_IGNORE;
  // kPasswordReset is a reset's outcome, never one at account time.
  if (o == proto::Outcome::kBlocked || o == proto::Outcome::kFailed ||
      o == proto::Outcome::kPasswordReset)
    return PAM_PERM_DENIED;
  return FailModeCode(c);  // kUnavailable, or a value no outcome has
}

// Stale-if-error: the service is unavailable, but a positive cache entry
// (fresh or expired) written less than stale_ttl ago says the user had
// registered. Logged, so an outage never passes unseen.
bool UseStale(pam_handle_t* pamh, const ModuleConfig& c,
              const std::string& user, const std::string& service, int64_t now,
              const std::string& why) {
  int64_t age = 0;
  if (c.stale_ttl <= 0 || !CacheStaleAge(c.cache_dir, user, now, &age) ||
      age < 0 || age >= c.stale_ttl)
    return false;
  pam_syslog(pamh, LOG_WARNING,
             "user=%s service=%s outcome=unavailable result=success "
             "(stale cache: registered as of %llds ago, stale_ttl=%d): %s",
             user.c_str(), service.c_str(), static_cast<long long>(age),
             c.stale_ttl, why.c_str());
  return true;
}

// A user in scope whose name the store cannot hold (not UTF-8, a control
// character, longer than kMaxUserName bytes) can never register. Only root
// creates such NSS names. PAM_IGNORE would exempt them from the policy, so
// they get what the policy gives a user who cannot register: refused in
// mode=register and block, let in with the notice in mode=warn. Exempt users
// and groups were let through before this (InScope), so exempting the
// account is the admin's way out; the log line says so. The name is logged
// only in a printable form.
int UserNameRefused(pam_handle_t* pamh, const ModuleConfig& c, int flags,
                    const std::string& user, const char* problem) {
  std::string shown;
  for (unsigned char ch : user.substr(0, 64))
    shown += ch >= 0x20 && ch < 0x7F ? static_cast<char>(ch) : '?';
  bool warn = c.mode == Mode::kWarn;
  int code = warn ? PAM_SUCCESS : PAM_PERM_DENIED;
  pam_syslog(pamh, LOG_ERR,
             "user=%s%s service=%s outcome=%s result=%s: %s; pam_sspr cannot "
             "store it (exempt the account with exempt_users or "
             "exempt_groups, or rename it)",
             shown.c_str(), user.size() > 64 ? "..." : "",
             Item(pamh, PAM_SERVICE).c_str(), warn ? "deferred" : "blocked",
             CodeName(code), problem);
  if (!(flags & PAM_SILENT))
    pam_error(pamh, "%s",
              warn ? "This user name cannot be registered for password reset "
                     "here; please ask your administrator."
                   : "This user name cannot be registered for password reset "
                     "here, and registration is required; please ask your "
                     "administrator.");
  return code;
}

int AcctMgmt(pam_handle_t* pamh, int flags, int argc, const char** argv) {
  // The fast path (out of scope, or registered and cached) allocates
  // nothing: the config is parsed in place in `text`, c points into it and
  // into argv, PAM items are not copied, and the scope rules say why in a
  // fixed buffer (tests/pam/test_allocations.py counts).
  const char* user_c = nullptr;
  if (pam_get_user(pamh, &user_c, nullptr) != PAM_SUCCESS ||
      user_c == nullptr || *user_c == '\0') {
    pam_syslog(pamh, LOG_ERR, "cannot determine the user name");
    return PAM_USER_UNKNOWN;
  }
  ConfigText text;
  ModuleConfig c;
  c.helper = SSPR_HELPER_PATH;
  // Everything valid is applied even when some line is bad: root, system
  // accounts and the exemptions hold with a broken config.
  std::vector<std::string> errors;
  const bool config_ok =
      LoadModuleConfig(argc, argv, /*check_perms=*/true, &text, &c, &errors);
  if (!config_ok) LogConfigErrorsOnce(pamh, errors);
  Why why;
  const char* const service_c = ItemText(pamh, PAM_SERVICE);
  if (!InScope(c, user_c, &why) ||
      !InServiceScope(c, service_c, ItemText(pamh, PAM_RHOST), &why)) {
    if (c.debug)
      pam_syslog(pamh, LOG_DEBUG, "user=%s not checked: %s", user_c, why.text);
    return PAM_IGNORE;
  }
  Caller caller;
  caller.service = service_c;
  caller.tty = ItemText(pamh, PAM_TTY);
  caller.stdin_tty = isatty(STDIN_FILENO) == 1;
  const bool interactive = Interactive(c, caller, &why);
  if (!interactive && c.noninteractive == NonInteractive::kSkip) {
    if (c.debug)
      pam_syslog(pamh, LOG_DEBUG,
                 "user=%s not checked: non-interactive caller (%s)", user_c,
                 why.text);
    return PAM_IGNORE;
  }
  if (!config_ok) {
    // In scope, but the policy is unknown.
    int code = FailModeCode(c);
    pam_syslog(pamh, LOG_NOTICE,
               "user=%s service=%s result=%s (failmode=%s): the "
               "configuration has errors",
               user_c, service_c, CodeName(code), FailModeName(c.failmode));
    return code;
  }
  // A name the store cannot hold is refused here, before any helper or
  // prompt: never after the user typed a code (see UserNameRefused).
  if (const char* problem = UserNameProblem(user_c))
    return UserNameRefused(pamh, c, flags, user_c, problem);
  int64_t now = time(nullptr);
  // Fast path: no fork, no exec, no network.
  if (c.cache_ttl > 0 && CacheIsFresh(c.cache_dir, user_c, now)) {
    if (c.debug)
      pam_syslog(pamh, LOG_DEBUG, "user=%s registered (cached)", user_c);
    return PAM_SUCCESS;
  }
  // The cold path: from here on, allocating is fine.
  const std::string user = user_c;
  const std::string service = service_c;
  std::string err;
  // Single flight: while another login of this user is checking its
  // status, wait for that answer instead of asking the service again. That
  // check is bounded by helper_timeout, and its lock is let go as soon as
  // it turns into a dialogue, so the wait is at most helper_timeout; what
  // was waited comes off this login's own helper_timeout (at least 1 s).
  CheckLock check_lock;
  if (c.cache_ttl > 0) {
    int64_t waited_ms = 0;
    check_lock.fd = CacheLockCheck(
        c.cache_dir, user, int64_t{c.helper_timeout} * 1000, &waited_ms);
    // Looked at again even without a wait: the login that held the lock
    // may have stored its answer just after our fast-path look.
    now = time(nullptr);
    if (CacheIsFresh(c.cache_dir, user, now)) {
      if (c.debug)
        pam_syslog(pamh, LOG_DEBUG,
                   "user=%s registered (cached by a concurrent login)",
                   user.c_str());
      return PAM_SUCCESS;
    }
    c.helper_timeout =
        std::max<int>(1, c.helper_timeout - static_cast<int>(waited_ms / 1000));
  }
  proto::Start start;
  start.user = user;
  start.service = Item(pamh, PAM_SERVICE);
  start.rhost = Item(pamh, PAM_RHOST);
  start.tty = Item(pamh, PAM_TTY);
  const char* lang = pam_getenv(pamh, "LANG");
  if (lang == nullptr) lang = getenv("LANG");
  start.lang = lang ? lang : "";
  start.flags = (flags & PAM_SILENT) ? proto::kFlagSilent : 0;
  // noninteractive = check: the helper answers by policy, without a
  // dialogue the caller could not hold.
  if (!interactive) start.flags |= proto::kFlagCannotPrompt;
  start.conf = std::string(c.conf);
  start.args.assign(argv, argv + argc);

  proto::Result res;
  if (!RunHelper(pamh, c, start, &res, &err, &check_lock.fd)) {
    if (UseStale(pamh, c, user, start.service, now, err)) return PAM_SUCCESS;
    // The helper could not start, hung or died. In a setuid application
    // (su, sudo) the user who started it controls much of what it inherits
    // and may have caused that: it counts as failmode=secure. A RESULT of
    // "unavailable" still follows failmode (pam_sspr.8, Failmode).
    const bool setuid_app = getuid() != geteuid();
    int code = setuid_app ? PAM_AUTHINFO_UNAVAIL : FailModeCode(c);
    pam_syslog(
        pamh, LOG_ERR,
        "user=%s service=%s outcome=unavailable result=%s "
        "(failmode=%s%s): %s",
        user.c_str(), start.service.c_str(), CodeName(code),
        FailModeName(c.failmode),
        setuid_app ? ", helper failure in a setuid application: secure" : "",
        err.c_str());
    return code;
  }
  if (res.outcome == proto::Outcome::kUnavailable &&
      UseStale(pamh, c, user, start.service, now, res.log))
    return PAM_SUCCESS;  // the entry stays as it is
  int code = MapOutcome(c, res.outcome);
  bool positive = proto::Cacheable(res.outcome);
  if (positive && c.cache_ttl > 0 && res.cache_ttl > 0) {
    int64_t ttl = std::min<int64_t>(c.cache_ttl, res.cache_ttl);
    if (!CacheStore(c.cache_dir, user, now + ttl, &err))
      pam_syslog(pamh, LOG_WARNING, "status cache: %s", err.c_str());
  } else if (!positive && res.outcome != proto::Outcome::kUnavailable) {
    // A negative answer drops the entry; "unavailable" is no answer, and
    // keeps it for stale_ttl.
    CacheDrop(c.cache_dir, user);
  }
  int prio = code == PAM_SUCCESS || code == PAM_IGNORE ? LOG_INFO : LOG_NOTICE;
  if (res.outcome == proto::Outcome::kUnavailable) prio = LOG_ERR;
  pam_syslog(pamh, prio, "user=%s service=%s rhost=%s outcome=%s result=%s%s%s",
             user.c_str(), start.service.c_str(),
             start.rhost.empty() ? "-" : start.rhost.c_str(),
             proto::OutcomeName(res.outcome), CodeName(code),
             res.log.empty() ? "" : ": ", res.log.c_str());
  return code;
}

}  // namespace
}  // namespace sspr

#ifdef SSPR_STATIC_CXX_RUNTIME
// Our private copy of libstdc++ keeps an emergency exception pool (about
// 70 KiB) that would be lost each time an application's pam_end unloads
// the module; hand it back when we are unloaded. Only for the copy linked
// into this module: a shared libstdc++ belongs to the application.
namespace __gnu_cxx {
// libstdc++'s own name, declared here only to call it.
void __freeres();  // NOLINT(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp)
}  // namespace __gnu_cxx
__attribute__((destructor)) static void ReleaseCxxRuntime() {
  __gnu_cxx::__freeres();
}
// std::terminate's default handler in libstdc++ prints the exception's
// demangled type, which links in the whole demangler (about 40 KiB, a
// third of the C++ runtime we carry). No exception leaves
// pam_sm_acct_mgmt (it catches everything), so terminate is reached only
// by a bug such as an exception thrown out of a destructor; defining the
// handler here keeps libstdc++'s copy, and the demangler, out of the link.
namespace __gnu_cxx {
// libstdc++'s own name, defined here to replace its copy.
void __verbose_terminate_handler() {  // NOLINT(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp)
  abort();
}
}  // namespace __gnu_cxx
#endif

extern "C" __attribute__((visibility("default"))) int pam_sm_acct_mgmt(
    pam_handle_t* pamh, int flags, int argc, const char** argv) {
  try {
    return sspr::AcctMgmt(pamh, flags, argc, argv);
  } catch (...) {
    pam_syslog(pamh, LOG_CRIT, "internal error; denying");
    return PAM_SERVICE_ERR;
  }
}

// The reset at the login prompt (pam_module/reset_auth.h): off unless
// reset = yes; never PAM_SUCCESS.
extern "C" __attribute__((visibility("default"))) int pam_sm_authenticate(
    pam_handle_t* pamh, int flags, int argc, const char** argv) {
  try {
    return sspr::Authenticate(pamh, flags, argc, argv);
  } catch (...) {
    pam_syslog(pamh, LOG_CRIT, "internal error in the reset; denying");
    return PAM_AUTH_ERR;
  }
}

// A reset gives no credentials.
extern "C" __attribute__((visibility("default"))) int pam_sm_setcred(
    pam_handle_t*, int, int, const char**) {
  return PAM_IGNORE;
}
