// `sspr-admin check USER`: what pam_sspr.so would decide for USER, and why,
// step by step in the module's own order (pam_module/pam_sspr.cc).
#include <pwd.h>

#include <vector>

#include "helper/backends/remote.h"
#include "pam_module/scope.h"
#include "pam_module/status_cache.h"
#include "tools/admin_commands.h"
#include "tools/admin_output.h"
#include "tools/backend_probe.h"
#include "tools/cache_state.h"
#include "tools/decision.h"
#include "tools/exit_codes.h"

namespace sspr {
namespace {

// What the module returns when its configuration cannot be loaded: the
// failmode read before the error, then a failmode= argument wins
// (BrokenConfigCode in pam_sspr.cc).
const char* BrokenConfigResult(const AdminContext& ctx) {
  Config c = ctx.config;
  for (const auto& a : ctx.opt.module_args) {
    std::string e;
    if (a.rfind("failmode=", 0) == 0) SetKey(&c, "failmode", a.substr(9), &e);
  }
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

std::string MethodsText(const UserRecord& rec) {
  std::string s;
  for (const Method& m : rec.methods)
    s += (s.empty() ? "" : ", ") + Printable(m.type) + " " + MaskedValue(m);
  return s;
}

void Print(FILE* f, const std::string& s) { fputs(s.c_str(), f); }

int ConfigBroken(const AdminContext& ctx) {
  const std::string result = BrokenConfigResult(ctx);
  if (ctx.opt.json) {
    json_object* o = json_object_new_object();
    json_object_object_add(o, "user", JsonString(ctx.opt.user));
    json_object* cfg = json_object_new_object();
    json_object_object_add(cfg, "ok", json_object_new_boolean(false));
    json_object_object_add(cfg, "error", JsonString(ctx.config_error));
    json_object_object_add(o, "config", cfg);
    json_object* d = json_object_new_object();
    json_object_object_add(d, "result", JsonString(result));
    json_object_object_add(d, "step", JsonString("config"));
    json_object_object_add(d, "reason",
                           JsonString("the configuration cannot be loaded"));
    json_object_object_add(o, "decision", d);
    json_object_object_add(o, "exit", json_object_new_int(admin_exit::kConfig));
    Print(ctx.out, JsonLine(o));
  } else {
    Print(ctx.out, "user:      " + Printable(ctx.opt.user) + "\n" +
                       "config:    error: " + Printable(ctx.config_error) +
                       "\n" + "decision:  " + result +
                       " (config): the module cannot load its configuration "
                       "and applies the failmode it could read\n");
  }
  return admin_exit::kConfig;
}

}  // namespace

int RunCheck(const AdminContext& ctx) {
  if (!ctx.config_ok) return ConfigBroken(ctx);
  const Config& c = ctx.config;
  const std::string& user = ctx.opt.user;
  Facts f;
  f.in_scope = InScope(c, user, &f.scope_why);
  uid_t uid = 0;
  bool known = KnownAccount(user, &uid);
  CacheInfo cache = InspectCache(c, user, ctx.now);
  f.cache = cache.state;
  int64_t age = 0;
  if (c.stale_ttl > 0 && CacheStaleAge(c.cache_dir, user, ctx.now, &age))
    f.stale_age = age;
  // The module asks no backend for a user outside its scope; for a fresh
  // cache entry it does not either, but the answer is worth showing.
  bool asked = f.in_scope;
  ProbeResult probe;
  if (asked) {
    probe = ProbeBackend(c, user);
    f.backend_ok = probe.ok;
    f.backend_user_unknown = probe.user_unknown;
    f.backend_error = probe.error;
    f.methods = static_cast<int>(probe.rec.methods.size());
  }
  // The helper shows enroll_url and denies when the service cannot take
  // registrations from it (graph_write = no).
  Config effective = c;
  bool forced_block = !BackendCanRegister(c) && c.mode == Mode::kRegister;
  if (forced_block) effective.mode = Mode::kBlock;
  Decision d = Decide(effective, f);
  const char* reg =
      RegistrationState(probe.rec.methods.size(), c.methods_required);

  if (ctx.opt.json) {
    json_object* o = json_object_new_object();
    json_object_object_add(o, "user", JsonString(user));
    json_object* cfg = json_object_new_object();
    json_object_object_add(cfg, "ok", json_object_new_boolean(true));
    json_object_object_add(cfg, "path", JsonString(c.conf));
    json_object_object_add(cfg, "backend", JsonString(c.backend));
    json_object_object_add(cfg, "mode", JsonString(ModeName(c.mode)));
    json_object_object_add(cfg, "failmode",
                           JsonString(FailModeName(c.failmode)));
    json_object_object_add(cfg, "methods_required",
                           json_object_new_int(c.methods_required));
    json_object_object_add(cfg, "cache_ttl", json_object_new_int(c.cache_ttl));
    json_object_object_add(cfg, "stale_ttl", json_object_new_int(c.stale_ttl));
    json_object_object_add(cfg, "backend_can_register",
                           json_object_new_boolean(BackendCanRegister(c)));
    json_object_object_add(o, "config", cfg);
    json_object* acct = json_object_new_object();
    json_object_object_add(acct, "known", json_object_new_boolean(known));
    json_object_object_add(acct, "uid",
                           known ? json_object_new_int64(uid) : nullptr);
    json_object_object_add(o, "account", acct);
    json_object* scope = json_object_new_object();
    json_object_object_add(scope, "in_scope",
                           json_object_new_boolean(f.in_scope));
    json_object_object_add(scope, "reason",
                           f.in_scope ? nullptr : JsonString(f.scope_why));
    json_object_object_add(o, "scope", scope);
    json_object* jc = json_object_new_object();
    json_object_object_add(jc, "state",
                           JsonString(CacheStateName(cache.state)));
    json_object_object_add(
        jc, "expires",
        cache.expiry > 0 ? json_object_new_int64(cache.expiry) : nullptr);
    json_object_object_add(jc, "path", JsonString(cache.path));
    json_object_object_add(
        jc, "age",
        f.stale_age >= 0 ? json_object_new_int64(f.stale_age) : nullptr);
    json_object_object_add(
        jc, "detail",
        cache.detail.empty() ? nullptr : JsonString(cache.detail));
    json_object_object_add(o, "cache", jc);
    json_object* jb = json_object_new_object();
    json_object_object_add(jb, "asked", json_object_new_boolean(asked));
    json_object_object_add(jb, "ok", json_object_new_boolean(probe.ok));
    json_object_object_add(jb, "state", probe.ok ? JsonString(reg) : nullptr);
    json_object* methods = json_object_new_array();
    for (const Method& m : probe.rec.methods) {
      json_object* jm = json_object_new_object();
      json_object_object_add(jm, "type", JsonString(m.type));
      json_object_object_add(jm, "value_masked", JsonString(MaskedValue(m)));
      json_object_array_add(methods, jm);
    }
    json_object_object_add(jb, "methods", methods);
    json_object_object_add(
        jb, "error", asked && !probe.ok ? JsonString(probe.error) : nullptr);
    json_object_object_add(o, "backend", jb);
    json_object* jd = json_object_new_object();
    json_object_object_add(jd, "result", JsonString(d.result));
    json_object_object_add(jd, "step", JsonString(d.step));
    json_object_object_add(jd, "reason", JsonString(d.reason));
    json_object_object_add(o, "decision", jd);
    json_object_object_add(o, "exit", json_object_new_int(d.exit_code));
    Print(ctx.out, JsonLine(o));
    return d.exit_code;
  }

  std::string s = "user:      " + Printable(user) + "\n";
  s += "account:   " +
       (known ? "known to the system (uid " + std::to_string(uid) + ")"
              : std::string("unknown to the system (NSS)")) +
       "\n";
  s += "config:    " + Printable(c.conf) + ": backend=" + c.backend +
       " mode=" + ModeName(c.mode) + " failmode=" + FailModeName(c.failmode) +
       " methods_required=" + std::to_string(c.methods_required) +
       " cache_ttl=" + std::to_string(c.cache_ttl) +
       (c.stale_ttl > 0 ? " stale_ttl=" + std::to_string(c.stale_ttl) : "") +
       (forced_block ? " (mode=register acts as block: the backend takes no "
                       "registrations from this host)"
                     : "") +
       "\n";
  s += "scope:     " +
       (f.in_scope ? std::string("in scope")
                   : "not in scope: " + Printable(f.scope_why)) +
       "\n";
  std::string cl = CacheStateName(cache.state);
  if (cache.expiry > 0)
    cl += (cache.state == CacheState::kFresh ? ", until " : ", since ") +
          UtcTime(cache.expiry);
  if (!cache.detail.empty()) cl += " (" + Printable(cache.detail) + ")";
  s += "cache:     " + cl + "  [" + Printable(cache.path) + "]\n";
  std::string bl;
  if (!asked) {
    bl = "not asked (the module does not ask it for this user)";
  } else if (!probe.ok) {
    bl = c.backend + ": unavailable: " + Printable(probe.error);
  } else {
    bl = c.backend + ": " + reg + ", " + std::to_string(f.methods) + " of " +
         std::to_string(c.methods_required) + " required method(s)";
    if (!probe.rec.methods.empty()) bl += ": " + MethodsText(probe.rec);
  }
  s += "backend:   " + bl + "\n";
  s += "decision:  " + d.result + " (" + d.step + "): " + d.reason + "\n";
  if (f.cache == CacheState::kFresh && asked &&
      (!probe.ok || f.methods < c.methods_required))
    s += "note:      the backend disagrees with the cache; the cache wins "
         "until it expires (sspr-admin reset " +
         Printable(user) + " removes it)\n";
  Print(ctx.out, s);
  return d.exit_code;
}

}  // namespace sspr
