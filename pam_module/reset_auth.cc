#include "pam_module/reset_auth.h"

#include <pwd.h>
#include <security/pam_ext.h>
#include <stdlib.h>
#include <syslog.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

#include "common/wipe.h"
#include "config/scope.h"
#include "config/user_name.h"
#include "pam_module/relay.h"
#include "pam_module/spawn.h"
#include "protocol/frame.h"

#ifndef SSPR_HELPER_PATH
#error "SSPR_HELPER_PATH must be defined by the build"
#endif
#ifndef SSPR_SETPASS_PATH
#error "SSPR_SETPASS_PATH must be defined by the build"
#endif

namespace sspr {
namespace {

// pam_chauthtok with yescrypt and pam_pwquality takes well under a second;
// a stack that waits on a network service gets this long.
constexpr int64_t kSetPassTimeoutMs = 30000;

std::string Item(pam_handle_t* pamh, int type) {
  const void* v = nullptr;
  if (pam_get_item(pamh, type, &v) != PAM_SUCCESS || v == nullptr) return "";
  return static_cast<const char*>(v);
}

}  // namespace

namespace {

// NSS's entry for `name`, or false.
bool Account(const std::string& name, bool by_uid, uid_t uid,
             std::string* pw_name, uid_t* pw_uid, gid_t* pw_gid) {
  struct passwd pw, *pwp = nullptr;
  std::vector<char> buf(16384);
  int r = by_uid ? getpwuid_r(uid, &pw, buf.data(), buf.size(), &pwp)
                 : getpwnam_r(name.c_str(), &pw, buf.data(), buf.size(), &pwp);
  if (r != 0 || pwp == nullptr) return false;
  *pw_name = pwp->pw_name;
  *pw_uid = pwp->pw_uid;
  *pw_gid = pwp->pw_gid;
  return true;
}

}  // namespace

bool ResetInScope(const ModuleConfig& c, const std::string& user,
                  std::string* why) {
  ModuleConfig r = c;
  r.check_root = false;  // never offered to root, whatever check_root says
  Why w;
  if (!InScope(r, user.c_str(), &w)) {
    *why = w.text;
    return false;
  }
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
  if (!Account(user, false, 0, &name, &uid, &gid)) {
    *why = "user unknown to the system (NSS)";
    return false;
  }
  if (uid == 0) {  // another name for uid 0
    *why = "uid 0";
    return false;
  }
  // A reset sets the password of a way into this uid, so the exemptions
  // hold for the account under any of its names: the name NSS returns (a
  // case-insensitive directory gives "alice" for "ALICE"), the uid's own
  // entry (an alias line in /etc/passwd with the same uid), and any
  // exempt name with this uid.
  std::vector<std::string> names = {user};
  if (name != user) names.push_back(name);
  std::string owner;
  uid_t ouid = 0;
  gid_t ogid = 0;
  if (Account("", true, uid, &owner, &ouid, &ogid) &&
      std::find(names.begin(), names.end(), owner) == names.end())
    names.push_back(owner);
  for (const auto& ex : c.exempt_users) {
    std::string n;
    uid_t u = 0;
    gid_t g = 0;
    if (std::find(names.begin(), names.end(), ex) != names.end() ||
        (Account(std::string(ex), false, 0, &n, &u, &g) && u == uid)) {
      *why = "exempt user (" + std::string(ex) + ") under another name";
      return false;
    }
  }
  std::vector<std::string> mine;
  for (const auto& n : names) {
    if (!UserGroups(n, n == owner ? ogid : gid, &mine)) {
      *why = "groups unknown: reset_exclude_groups cannot be checked";
      return false;
    }
  }
  auto member = [&](const ModuleConfig::List& groups, const char* what) {
    for (const auto& g : groups) {
      if (std::find(mine.begin(), mine.end(), g) != mine.end()) {
        *why = std::string(what) + " (" + std::string(g) + ")";
        return true;
      }
    }
    return false;
  };
  return !member(c.exempt_groups, "in exempt_groups") &&
         !member(c.reset_exclude_groups, "in reset_exclude_groups");
}

bool RunSetPass(const ModuleConfig& c, const std::string& user,
                const std::string& password, proto::SetPasswordResult* res,
                std::string* err) {
  Child child;
  if (!SpawnHelper(std::string(c.setpass), &child, err)) {
    *err = "sspr-setpass: " + *err;
    return false;
  }
  proto::SetPasswordRequest req{user, std::string(c.reset_passwd_service),
                                password};
  std::string wire = proto::EncodeSetPasswordRequest(req);
  Wipe(&req.password);
  const int64_t deadline = NowMs() + kSetPassTimeoutMs;
  bool ok = proto::WriteFrame(child.fd, proto::Type::kSetPassword, wire,
                              deadline, err) == proto::IoStatus::kOk;
  Wipe(&wire);
  proto::Decoder dec;
  proto::Frame f;
  if (ok) {
    proto::IoStatus st = proto::ReadFrame(child.fd, &dec, &f, deadline, err);
    if (st == proto::IoStatus::kTimeout) *err = "did not answer in time";
    ok = st == proto::IoStatus::kOk;
  }
  if (ok && f.type != proto::Type::kSetPasswordResult) {
    *err = std::string("sent ") + proto::TypeName(f.type);
    ok = false;
  }
  if (ok) ok = proto::DecodeSetPasswordResult(f.payload, res, err);
  FinishChild(&child, ok ? 2000 : 0);
  if (!ok) *err = "sspr-setpass: " + *err;
  return ok;
}

int Authenticate(pam_handle_t* pamh, int flags, int argc, const char** argv) {
  const char* user_c = nullptr;
  if (pam_get_user(pamh, &user_c, nullptr) != PAM_SUCCESS ||
      user_c == nullptr || *user_c == '\0')
    return PAM_IGNORE;  // nothing to offer; the stack decides
  const std::string user = user_c;
  ConfigText text;
  ModuleConfig c;
  c.helper = SSPR_HELPER_PATH;
  c.setpass = SSPR_SETPASS_PATH;
  std::vector<std::string> errors;
  if (!LoadModuleConfig(argc, argv, /*check_perms=*/true, &text, &c, &errors)) {
    // No reset on a config with errors; the password already failed.
    pam_syslog(pamh, LOG_ERR, "reset not offered: configuration error: %s",
               FirstError(errors).c_str());
    return PAM_IGNORE;
  }
  if (!c.reset) return PAM_IGNORE;
  std::string why;
  const std::string service = Item(pamh, PAM_SERVICE);
  const std::string tty = Item(pamh, PAM_TTY);
  const std::string rhost = Item(pamh, PAM_RHOST);
  Caller caller;
  caller.service = service;
  caller.tty = tty;
  caller.stdin_tty = isatty(STDIN_FILENO) == 1;
  Why w;
  const bool offered =
      ResetInScope(c, user, &why) && InServiceScope(c, service, rhost, &w) &&
      Interactive(c, caller, &w) && UserNameProblem(user) == nullptr;
  if (why.empty()) why = w.text;
  if (!offered) {
    if (c.debug)
      pam_syslog(pamh, LOG_DEBUG, "user=%s reset not offered: %s", user.c_str(),
                 why.empty() ? "user name" : why.c_str());
    return PAM_IGNORE;
  }
  proto::Start start;
  start.user = user;
  start.service = service;
  start.rhost = Item(pamh, PAM_RHOST);
  start.tty = caller.tty;
  const char* lang = pam_getenv(pamh, "LANG");
  if (lang == nullptr) lang = getenv("LANG");
  start.lang = lang ? lang : "";
  start.flags = proto::kFlagReset | proto::kFlagInteractive;
  if (flags & PAM_SILENT) start.flags |= proto::kFlagSilent;
  start.conf = std::string(c.conf);
  start.args.assign(argv, argv + argc);
  proto::Result res;
  std::string err;
  if (!RunHelper(pamh, c, start, &res, &err)) {
    pam_syslog(pamh, LOG_ERR,
               "reset: user=%s service=%s outcome=unavailable result=auth-err: "
               "%s",
               user.c_str(), service.c_str(), err.c_str());
    return PAM_AUTH_ERR;
  }
  if (res.outcome == proto::Outcome::kNotApplicable) {
    if (c.debug)
      pam_syslog(pamh, LOG_DEBUG, "user=%s reset not offered: %s", user.c_str(),
                 res.log.c_str());
    return PAM_IGNORE;
  }
  pam_syslog(
      pamh, res.outcome == proto::Outcome::kUnavailable ? LOG_ERR : LOG_NOTICE,
      "reset: user=%s service=%s rhost=%s outcome=%s result=auth-err%s%s",
      user.c_str(), service.c_str(),
      start.rhost.empty() ? "-" : start.rhost.c_str(),
      proto::OutcomeName(res.outcome), res.log.empty() ? "" : ": ",
      res.log.c_str());
  return PAM_AUTH_ERR;
}

}  // namespace sspr
