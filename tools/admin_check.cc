// `sspr-admin check USER`: what pam_sspr.so would decide for USER, and why,
// step by step in the module's own order (pam_module/pam_sspr.cc), then
// the helper's (helper/main.cc, Dialogue::Start).
#include <pwd.h>

#include <vector>

#include "helper/backends/remote.h"
#include "config/scope.h"
#include "tools/admin_commands.h"
#include "tools/admin_output.h"
#include "tools/backend_probe.h"
#include "tools/cache_state.h"
#include "tools/decision.h"
#include "tools/exit_codes.h"

namespace sspr {
namespace {

// Everything check found out, for either output.
struct Report {
  bool known = false;  // the account, to NSS
  uid_t uid = 0;
  bool service_checked = false;  // --service / --rhost given
  CacheInfo cache;
  bool asked = false;  // the backend
  ProbeResult probe;
  bool forced_block = false;  // register acts as block (graph_write = no)
  Facts facts;
  Decision decision;
};

// What the module returns when its configuration has errors: the valid
// lines still decide the scope; a user in scope gets the failmode (the
// file's, when its line was valid; a failmode= argument wins).
const char* BrokenConfigResult(const AdminContext& ctx, std::string* why) {
  const Config& c = ctx.config;
  if (!InScope(c, ctx.opt.user, why) ||
      ((!ctx.opt.service.empty() || !ctx.opt.rhost.empty()) &&
       !InServiceScope(c, ctx.opt.service, ctx.opt.rhost, why)))
    return "PAM_IGNORE";
  why->clear();
  return c.failmode == FailMode::kSecure ? "PAM_AUTHINFO_UNAVAIL"
                                         : "PAM_IGNORE";
}

bool KnownAccount(const std::string& user, uid_t* uid) {
  struct passwd pw, *pwp = nullptr;
  std::vector<char> buf(16384);
  if (getpwnam_r(user.c_str(), &pw, buf.data(), buf.size(), &pwp) != 0 ||
      pwp == nullptr)
    return false;
  *uid = pw.pw_uid;
  return true;
}

void Print(FILE* f, const std::string& s) { fputs(s.c_str(), f); }

json_object* Time(int64_t t) {
  return t > 0 ? json_object_new_int64(t) : nullptr;
}

int ConfigBroken(const AdminContext& ctx) {
  std::string out_of_scope;
  const std::string result = BrokenConfigResult(ctx, &out_of_scope);
  const std::string reason =
      out_of_scope.empty()
          ? "the configuration has errors: a user in scope gets failmode=" +
                std::string(FailModeName(ctx.config.failmode))
          : "the configuration has errors, but the user is not checked (" +
                out_of_scope + ")";
  if (ctx.opt.json) {
    json_object* o = json_object_new_object();
    json_object_object_add(o, "user", JsonString(ctx.opt.user));
    json_object* cfg = json_object_new_object();
    json_object_object_add(cfg, "ok", json_object_new_boolean(false));
    json_object_object_add(cfg, "error", JsonString(ctx.config_error));
    json_object_object_add(o, "config", cfg);
    json_object* d = json_object_new_object();
    json_object_object_add(d, "result", JsonString(result));
    json_object_object_add(
        d, "step", JsonString(out_of_scope.empty() ? "config" : "scope"));
    json_object_object_add(d, "reason", JsonString(reason));
    json_object_object_add(o, "decision", d);
    json_object_object_add(o, "exit", json_object_new_int(admin_exit::kConfig));
    Print(ctx.out, JsonLine(o));
  } else {
    Print(ctx.out, "user:      " + Printable(ctx.opt.user) + "\n" +
                       "config:    error: " + Printable(ctx.config_error) +
                       "\n" + "decision:  " + result + " (" +
                       (out_of_scope.empty() ? "config" : "scope") +
                       "): " + Printable(reason) + "\n");
  }
  return admin_exit::kConfig;
}

Report Gather(const AdminContext& ctx) {
  const Config& c = ctx.config;
  const std::string& user = ctx.opt.user;
  Report r;
  Facts& f = r.facts;
  r.known = KnownAccount(user, &r.uid);
  f.in_scope = InScope(c, user, &f.scope_why);
  r.service_checked = !ctx.opt.service.empty() || !ctx.opt.rhost.empty();
  if (f.in_scope && r.service_checked)
    f.in_scope =
        InServiceScope(c, ctx.opt.service, ctx.opt.rhost, &f.scope_why);
  r.cache = InspectCache(c, user, ctx.now);
  f.cache = r.cache.state;
  if (c.stale_ttl > 0 && r.cache.valid)  // the module's CacheStaleAge
    f.stale_age = ctx.now - r.cache.written;
  // The module asks no backend for a user outside its scope; for a fresh
  // cache entry it does not either, but the answer is worth showing.
  r.asked = f.in_scope;
  if (r.asked) {
    r.probe = ProbeBackend(c, user);
    f.backend_ok = r.probe.ok;
    f.backend_user_unknown = r.probe.user_unknown;
    f.backend_error = r.probe.error;
    f.methods = static_cast<int>(r.probe.rec.methods.size());
    if (r.probe.ok) AddPolicyFacts(c, r.probe.rec, r.probe.policy, ctx.now, &f);
  }
  // The helper shows enroll_url and denies when the service cannot take
  // registrations from it (graph_write = no).
  Config effective = c;
  r.forced_block = !BackendCanRegister(c) && c.mode == Mode::kRegister;
  if (r.forced_block) effective.mode = Mode::kBlock;
  r.decision = Decide(effective, f);
  return r;
}

std::string JsonReport(const AdminContext& ctx, const Report& r) {
  const Config& c = ctx.config;
  const Facts& f = r.facts;
  json_object* o = json_object_new_object();
  json_object_object_add(o, "user", JsonString(ctx.opt.user));
  json_object* cfg = json_object_new_object();
  json_object_object_add(cfg, "ok", json_object_new_boolean(true));
  json_object_object_add(cfg, "path", JsonString(c.conf));
  json_object_object_add(cfg, "backend", JsonString(BackendName(c.backend)));
  json_object_object_add(cfg, "mode", JsonString(ModeName(c.mode)));
  json_object_object_add(cfg, "failmode", JsonString(FailModeName(c.failmode)));
  json_object_object_add(cfg, "methods_required",
                         json_object_new_int(c.methods_required));
  json_object_object_add(cfg, "cache_ttl", json_object_new_int(c.cache_ttl));
  json_object_object_add(cfg, "stale_ttl", json_object_new_int(c.stale_ttl));
  json_object_object_add(cfg, "backend_can_register",
                         json_object_new_boolean(BackendCanRegister(c)));
  json_object_object_add(o, "config", cfg);
  json_object* acct = json_object_new_object();
  json_object_object_add(acct, "known", json_object_new_boolean(r.known));
  json_object_object_add(acct, "uid",
                         r.known ? json_object_new_int64(r.uid) : nullptr);
  json_object_object_add(o, "account", acct);
  json_object* scope = json_object_new_object();
  json_object_object_add(scope, "in_scope",
                         json_object_new_boolean(f.in_scope));
  json_object_object_add(scope, "reason",
                         f.in_scope ? nullptr : JsonString(f.scope_why));
  json_object_object_add(scope, "service_checked",
                         json_object_new_boolean(r.service_checked));
  json_object_object_add(o, "scope", scope);
  json_object* jc = json_object_new_object();
  json_object_object_add(jc, "state",
                         JsonString(CacheStateName(r.cache.state)));
  json_object_object_add(jc, "expires", Time(r.cache.expiry));
  json_object_object_add(jc, "path", JsonString(r.cache.path));
  json_object_object_add(
      jc, "detail",
      r.cache.detail.empty() ? nullptr : JsonString(r.cache.detail));
  json_object_object_add(
      jc, "age",
      f.stale_age >= 0 ? json_object_new_int64(f.stale_age) : nullptr);
  json_object_object_add(o, "cache", jc);
  json_object* jb = json_object_new_object();
  json_object_object_add(jb, "asked", json_object_new_boolean(r.asked));
  json_object_object_add(jb, "ok", json_object_new_boolean(r.probe.ok));
  json_object_object_add(
      jb, "state",
      r.probe.ok ? JsonString(RegistrationState(r.probe.rec.methods.size(),
                                                c.methods_required))
                 : nullptr);
  json_object* methods = json_object_new_array();
  for (const Method& m : r.probe.rec.methods) {
    json_object* jm = json_object_new_object();
    json_object_object_add(jm, "type", JsonString(m.type));
    json_object_object_add(jm, "value_masked", JsonString(MaskedValue(m)));
    json_object_array_add(methods, jm);
  }
  json_object_object_add(jb, "methods", methods);
  json_object_object_add(
      jb, "error",
      r.asked && !r.probe.ok ? JsonString(r.probe.error) : nullptr);
  json_object_object_add(o, "backend", jb);
  if (r.probe.ok) {
    json_object* jp = json_object_new_object();
    json_object_object_add(jp, "snoozes",
                           json_object_new_int(r.probe.policy.snoozes));
    json_object_object_add(jp, "last_snooze", Time(r.probe.policy.last_snooze));
    json_object_object_add(jp, "confirmed_at",
                           Time(r.probe.policy.confirmed_at));
    json_object_object_add(jp, "reconfirm_due",
                           json_object_new_boolean(f.reconfirm_due));
    json_object_object_add(
        jp, "reconfirm_at",
        c.reconfirm_days > 0 ? Time(f.reconfirm_at) : nullptr);
    json_object_object_add(jp, "later_available",
                           json_object_new_boolean(f.later_available));
    json_object_object_add(jp, "next_reminder", Time(f.next_reminder));
    json_object_object_add(o, "policy", jp);
  }
  json_object* jd = json_object_new_object();
  json_object_object_add(jd, "result", JsonString(r.decision.result));
  json_object_object_add(jd, "step", JsonString(r.decision.step));
  json_object_object_add(jd, "reason", JsonString(r.decision.reason));
  json_object_object_add(o, "decision", jd);
  json_object_object_add(o, "exit", json_object_new_int(r.decision.exit_code));
  return JsonLine(o);
}

std::string TextReport(const AdminContext& ctx, const Report& r) {
  const Config& c = ctx.config;
  const Facts& f = r.facts;
  const std::string& user = ctx.opt.user;
  std::string s = "user:      " + Printable(user) + "\n";
  s += "account:   " +
       (r.known ? "known to the system (uid " + std::to_string(r.uid) + ")"
                : std::string("unknown to the system (NSS)")) +
       "\n";
  s += "config:    " + Printable(c.conf) +
       ": backend=" + BackendName(c.backend) + " mode=" + ModeName(c.mode) +
       " failmode=" + FailModeName(c.failmode) +
       " methods_required=" + std::to_string(c.methods_required) +
       " cache_ttl=" + std::to_string(c.cache_ttl) +
       (c.stale_ttl > 0 ? " stale_ttl=" + std::to_string(c.stale_ttl) : "") +
       (r.forced_block ? " (mode=register acts as block: the backend takes no "
                         "registrations from this host)"
                       : "") +
       "\n";
  std::string sl = f.in_scope ? std::string("in scope")
                              : "not in scope: " + Printable(f.scope_why);
  bool by_service = !c.only_services.empty() || !c.skip_services.empty() ||
                    !c.skip_rhosts.empty();
  if (f.in_scope && by_service && !r.service_checked)
    sl +=
        " (only_services/skip_services/skip_rhosts not checked: give "
        "--service and --rhost)";
  s += "scope:     " + sl + "\n";
  std::string cl = CacheStateName(r.cache.state);
  if (r.cache.expiry > 0)
    cl += (r.cache.state == CacheState::kFresh ? ", until " : ", since ") +
          UtcTime(r.cache.expiry);
  if (!r.cache.detail.empty()) cl += " (" + Printable(r.cache.detail) + ")";
  s += "cache:     " + cl + "  [" + Printable(r.cache.path) + "]\n";
  std::string bl;
  if (!r.asked) {
    bl = "not asked (the module does not ask it for this user)";
  } else if (!r.probe.ok) {
    bl = std::string(BackendName(c.backend)) +
         ": unavailable: " + Printable(r.probe.error);
  } else {
    bl = std::string(BackendName(c.backend)) + ": " +
         RegistrationState(r.probe.rec.methods.size(), c.methods_required) +
         ", " + std::to_string(f.methods) + " of " +
         std::to_string(c.methods_required) + " required method(s)";
    std::string list;
    for (const Method& m : r.probe.rec.methods)
      list +=
          (list.empty() ? "" : ", ") + Printable(m.type) + " " + MaskedValue(m);
    if (!list.empty()) bl += ": " + list;
  }
  s += "backend:   " + bl + "\n";
  if (r.probe.ok) {
    const PolicyState& p = r.probe.policy;
    if (f.methods >= c.methods_required && c.reconfirm_days > 0)
      s += "policy:    reconfirmation " +
           std::string(f.reconfirm_due ? "due since " : "next due on ") +
           UtcTime(f.reconfirm_at) + "\n";
    if (f.methods < c.methods_required &&
        (c.snooze_max > 0 || c.grace_until > 0 || p.snoozes > 0))
      s += "policy:    'later' chosen " + std::to_string(p.snoozes) +
           " time(s)" +
           (p.last_snooze > 0 ? ", last on " + UtcTime(p.last_snooze) : "") +
           "; " + (f.later_available ? "offered" : "no longer offered") + "\n";
  }
  s += "decision:  " + r.decision.result + " (" + r.decision.step +
       "): " + Printable(r.decision.reason) + "\n";
  if (f.cache == CacheState::kFresh && r.asked &&
      (!r.probe.ok || f.methods < c.methods_required))
    s += "note:      the backend disagrees with the cache; the cache wins "
         "until it expires (sspr-admin reset " +
         Printable(user) + " removes it)\n";
  return s;
}

}  // namespace

int RunCheck(const AdminContext& ctx) {
  if (!ctx.config_ok) return ConfigBroken(ctx);
  Report r = Gather(ctx);
  Print(ctx.out, ctx.opt.json ? JsonReport(ctx, r) : TextReport(ctx, r));
  return r.decision.exit_code;
}

}  // namespace sspr
