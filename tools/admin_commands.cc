// status, show, list, export and reset: the local backend's store, read
// directly as root (never through a symlink, sizes capped), and the
// module's status cache. status, show and reset also work with an LDAP
// directory (through a child dropped to helper_user); list and export
// refuse it.
#include "tools/admin_commands.h"

#include <algorithm>
#include <set>
#include <vector>

#include "helper/store/reset_limit.h"
#include "helper/store/user_store.h"
#include "config/ldap_keys.h"
#include "config/scope.h"
#include "tools/admin_output.h"
#include "tools/admin_reset.h"
#include "tools/backend_probe.h"
#include "tools/cache_state.h"
#include "tools/exit_codes.h"
#include "tools/system_users.h"

namespace sspr {
namespace {

void Print(FILE* f, const std::string& s) { fputs(s.c_str(), f); }

bool NeedLocal(const AdminContext& ctx) {
  if (ctx.config.backend == BackendKind::kLocal) return true;
  if (ctx.config.backend == BackendKind::kLdap) {
    // Walking a whole directory is the directory's own tools' job, with
    // the admin's rights and paging; the helper's account reads one entry.
    Print(ctx.err, "sspr-admin: " + ctx.opt.command +
                       " reads the local backend's store; with backend = "
                       "ldap the records are the directory's entries: ask "
                       "one person with 'sspr-admin status USER' or 'show "
                       "USER', or the directory itself, e.g. ldapsearch -b "
                       "'" +
                       Printable(ctx.config.ldap_base) + "' '(" +
                       Printable(ctx.config.ldap_attr_verified.empty()
                                     ? LdapAttr(ctx.config, "mobile")
                                     : ctx.config.ldap_attr_verified) +
                       "=*)'\n");
    return false;
  }
  Print(ctx.err, "sspr-admin: " + ctx.opt.command +
                     " reads the local backend's store, but backend = " +
                     BackendName(ctx.config.backend) +
                     "; use 'sspr-admin check USER'\n");
  return false;
}

// The user's record; false (message printed) when the store cannot be read.
bool LoadUser(const AdminContext& ctx, UserRecord* rec, bool* found) {
  UserStore store(ctx.config.state_dir);
  std::string e;
  if (store.LoadNoFollow(ctx.opt.user, rec, found, &e)) return true;
  Print(ctx.err, "sspr-admin: " + Printable(e) + "\n");
  return false;
}

// status and show: the local store, or for backend = ldap the directory
// itself (the entry the helper would read, through the same probe as
// `check`: dropped to helper_user, nothing written). Other backends: the
// message of NeedLocal. kOk, else the exit code to return.
int LoadAny(const AdminContext& ctx, UserRecord* rec, bool* found) {
  if (ctx.config.backend == BackendKind::kLdap) {
    ProbeResult p = ProbeBackend(ctx.config, ctx.opt.user);
    if (!p.ok && !p.user_unknown) {
      Print(ctx.err, "sspr-admin: " + Printable(p.error) + "\n");
      return admin_exit::kUnavailable;
    }
    *found = p.ok;
    *rec = p.rec;
    return admin_exit::kOk;
  }
  if (!NeedLocal(ctx)) return admin_exit::kConfig;
  return LoadUser(ctx, rec, found) ? admin_exit::kOk : admin_exit::kUnavailable;
}

std::string StateLine(const UserRecord& rec, bool found, int required) {
  if (!found) return "unregistered (no record)";
  return std::string(RegistrationState(rec.methods.size(), required)) + " (" +
         std::to_string(rec.methods.size()) + " of " +
         std::to_string(required) + " required method(s))";
}

std::string TypeList(const UserRecord& rec) {
  std::string s;
  for (const Method& m : rec.methods) s += (s.empty() ? "" : ",") + m.type;
  return s.empty() ? "-" : Printable(s);
}

json_object* TypeArray(const UserRecord& rec) {
  json_object* a = json_object_new_array();
  for (const Method& m : rec.methods)
    json_object_array_add(a, JsonString(m.type));
  return a;
}

int RegisteredCode(const UserRecord& rec, bool found, int required) {
  return found && static_cast<int>(rec.methods.size()) >= required
             ? admin_exit::kOk
             : admin_exit::kNotRegistered;
}

void PrintProblems(const AdminContext& ctx,
                   const std::vector<std::string>& problems) {
  for (const std::string& p : problems)
    Print(ctx.err, "sspr-admin: skipped " + Printable(p) + "\n");
}

}  // namespace

int RunStatus(const AdminContext& ctx) {
  UserRecord rec;
  bool found = false;
  if (int rc = LoadAny(ctx, &rec, &found); rc != admin_exit::kOk) return rc;
  const Config& c = ctx.config;
  CacheInfo cache = InspectCache(c, ctx.opt.user, ctx.now);
  const char* state =
      found ? RegistrationState(rec.methods.size(), c.methods_required)
            : "unregistered";
  if (ctx.opt.json) {
    json_object* o = json_object_new_object();
    json_object_object_add(o, "user", JsonString(ctx.opt.user));
    json_object_object_add(o, "state", JsonString(state));
    json_object_object_add(o, "methods", TypeArray(rec));
    json_object_object_add(o, "methods_required",
                           json_object_new_int(c.methods_required));
    json_object_object_add(o, "cache", JsonString(CacheStateName(cache.state)));
    json_object_object_add(
        o, "cache_expires",
        cache.expiry > 0 ? json_object_new_int64(cache.expiry) : nullptr);
    Print(ctx.out, JsonLine(o));
  } else {
    std::string cl = CacheStateName(cache.state);
    if (cache.expiry > 0)
      cl += (cache.state == CacheState::kFresh ? ", until " : ", since ") +
            UtcTime(cache.expiry);
    if (!cache.detail.empty()) cl += " (" + Printable(cache.detail) + ")";
    Print(ctx.out,
          "user:     " + Printable(ctx.opt.user) + "\n" +
              "status:   " + StateLine(rec, found, c.methods_required) + "\n" +
              "methods:  " + TypeList(rec) + "\n" + "cache:    " + cl + "\n");
  }
  return RegisteredCode(rec, found, c.methods_required);
}

int RunShow(const AdminContext& ctx) {
  UserRecord rec;
  bool found = false;
  if (int rc = LoadAny(ctx, &rec, &found); rc != admin_exit::kOk) return rc;
  const int required = ctx.config.methods_required;
  // The last reset at the login prompt (helper/store/reset_limit.h).
  ResetState reset;
  std::string reset_err;
  const bool reset_known = ResetLimiter(ctx.config.state_dir, {})
                               .Load(ctx.opt.user, &reset, &reset_err);
  if (ctx.opt.json) {
    json_object* o = json_object_new_object();
    json_object_object_add(o, "user", JsonString(ctx.opt.user));
    json_object_object_add(
        o, "state",
        JsonString(found ? RegistrationState(rec.methods.size(), required)
                         : "unregistered"));
    json_object_object_add(o, "methods_required",
                           json_object_new_int(required));
    json_object_object_add(o, "created_at",
                           found && rec.created_at > 0
                               ? json_object_new_int64(rec.created_at)
                               : nullptr);
    json_object_object_add(o, "updated_at",
                           found && rec.updated_at > 0
                               ? json_object_new_int64(rec.updated_at)
                               : nullptr);
    json_object* methods = json_object_new_array();
    for (const Method& m : rec.methods) {
      json_object* jm = json_object_new_object();
      json_object_object_add(jm, "type", JsonString(m.type));
      json_object_object_add(jm, "value_masked", JsonString(MaskedValue(m)));
      json_object_object_add(jm, "verified_at",
                             json_object_new_int64(m.verified_at));
      json_object_array_add(methods, jm);
    }
    json_object_object_add(o, "methods", methods);
    json_object_object_add(o, "last_reset",
                           reset_known && reset.last_reset > 0
                               ? json_object_new_int64(reset.last_reset)
                               : nullptr);
    Print(ctx.out, JsonLine(o));
  } else {
    std::string s = "user:     " + Printable(ctx.opt.user) + "\n" +
                    "status:   " + StateLine(rec, found, required) + "\n";
    if (found && rec.created_at > 0) {  // a directory keeps no such times
      s += "created:  " + UtcTime(rec.created_at) + "\n";
      s += "updated:  " + UtcTime(rec.updated_at) + "\n";
    }
    for (const Method& m : rec.methods) {
      s += "method:   " + Printable(m.type) + "  " + MaskedValue(m) +
           "  verified " + UtcTime(m.verified_at) + "\n";
    }
    s += "reset:    " +
         (!reset_known           ? "unknown (" + Printable(reset_err) + ")"
          : reset.last_reset > 0 ? "last " + UtcTime(reset.last_reset)
                                 : std::string("never")) +
         "\n";
    Print(ctx.out, s);
  }
  return RegisteredCode(rec, found, required);
}

namespace {

// Every record of the local store; the files that could not be read are
// reported on stderr and returned in *problems.
bool ListRecords(const AdminContext& ctx, std::vector<UserRecord>* recs,
                 std::vector<std::string>* problems) {
  UserStore store(ctx.config.state_dir);
  std::string e;
  if (!store.List(recs, problems, &e)) {
    Print(ctx.err, "sspr-admin: " + Printable(e) + "\n");
    return false;
  }
  PrintProblems(ctx, *problems);
  return true;
}

}  // namespace

int RunList(const AdminContext& ctx) {
  if (!NeedLocal(ctx)) return admin_exit::kConfig;
  const Config& c = ctx.config;
  std::vector<UserRecord> recs;
  std::vector<std::string> problems;
  if (!ListRecords(ctx, &recs, &problems)) return admin_exit::kUnavailable;
  struct Row {
    std::string user, state;
    UserRecord rec;
  };
  std::vector<Row> rows;
  std::set<std::string> seen;
  for (const UserRecord& r : recs) {
    seen.insert(r.user);
    std::string state = RegistrationState(r.methods.size(), c.methods_required);
    if (ctx.opt.unregistered) {
      std::string why;
      if (state == "registered" || !InScope(c, r.user, &why)) continue;
    }
    rows.push_back({r.user, state, r});
  }
  if (ctx.opt.unregistered) {
    // Accounts the module applies to that have no record at all.
    for (const std::string& u : CheckedAccounts(c)) {
      if (seen.count(u)) continue;
      rows.push_back({u, "unregistered", UserRecord{}});
    }
    std::sort(rows.begin(), rows.end(),
              [](const Row& a, const Row& b) { return a.user < b.user; });
  }
  if (ctx.opt.json) {
    json_object* o = json_object_new_object();
    json_object* users = json_object_new_array();
    for (const Row& r : rows) {
      json_object* u = json_object_new_object();
      json_object_object_add(u, "user", JsonString(r.user));
      json_object_object_add(u, "state", JsonString(r.state));
      json_object_object_add(u, "methods", TypeArray(r.rec));
      json_object_array_add(users, u);
    }
    json_object_object_add(o, "users", users);
    json_object* probs = json_object_new_array();
    for (const std::string& p : problems)
      json_object_array_add(probs, JsonString(p));
    json_object_object_add(o, "problems", probs);
    Print(ctx.out, JsonLine(o));
  } else {
    for (const Row& r : rows)
      Print(ctx.out,
            Printable(r.user) + " " + r.state + " " + TypeList(r.rec) + "\n");
  }
  return problems.empty() ? admin_exit::kOk : admin_exit::kUnavailable;
}

int RunExport(const AdminContext& ctx) {
  if (!NeedLocal(ctx)) return admin_exit::kConfig;
  std::vector<UserRecord> recs;
  std::vector<std::string> problems;
  if (!ListRecords(ctx, &recs, &problems)) return admin_exit::kUnavailable;
  json_object* o = json_object_new_object();
  json_object_object_add(o, "format", JsonString("pam_sspr-export"));
  json_object_object_add(o, "version", json_object_new_int(1));
  json_object_object_add(o, "exported_at", json_object_new_int64(ctx.now));
  json_object_object_add(o, "state_dir", JsonString(ctx.config.state_dir));
  json_object* arr = json_object_new_array();
  for (const UserRecord& r : recs) {
    // Exactly what the store holds: the record's own JSON form.
    json_object* jr = json_tokener_parse(RecordToJson(r).c_str());
    if (jr == nullptr) {
      json_object_put(o);
      json_object_put(arr);
      Print(ctx.err, "sspr-admin: out of memory\n");
      return admin_exit::kUnavailable;
    }
    json_object_array_add(arr, jr);
  }
  json_object_object_add(o, "records", arr);
  Print(ctx.out, JsonLine(o));
  return problems.empty() ? admin_exit::kOk : admin_exit::kUnavailable;
}

int RunReset(const AdminContext& ctx) {
  const std::string& user = ctx.opt.user;
  const bool ldap = ctx.config.backend == BackendKind::kLdap;
  if (!ctx.opt.yes) {
    Print(ctx.err,
          "Reset " + Printable(user) + ": " +
              (ldap ? DirectoryResetQuestion(ctx.config, ctx.opt.values)
                    : std::string("remove the registration record, the "
                                  "status cache entry and the rate-limit "
                                  "state?")) +
              " The user must register again at the next login. [y/N] ");
    fflush(ctx.err);
    char line[64] = "";
    bool yes = false;
    if (fgets(line, sizeof(line), ctx.in) != nullptr) {
      std::string a(line);
      a.erase(a.find_last_not_of(" \t\r\n") + 1);
      yes = a == "y" || a == "Y" || a == "yes" || a == "YES" || a == "Yes";
    }
    if (!yes) {
      Print(ctx.err, "Not confirmed; nothing changed.\n");
      return admin_exit::kNotRegistered;
    }
  }
  if (ldap) return RunDirectoryReset(ctx);
  ResetReport r;
  std::string e;
  if (!ResetUser(ctx.config, user, &r, &e)) {
    Print(ctx.err,
          "sspr-admin: reset " + Printable(user) + ": " + Printable(e) + "\n");
    return admin_exit::kUnavailable;
  }
  if (ctx.opt.json) {
    json_object* o = json_object_new_object();
    json_object_object_add(o, "user", JsonString(user));
    json_object_object_add(o, "record_removed",
                           json_object_new_boolean(r.record));
    json_object_object_add(o, "cache_removed",
                           json_object_new_boolean(r.cache));
    json_object_object_add(o, "rate_removed", json_object_new_boolean(r.rate));
    Print(ctx.out, JsonLine(o));
  } else {
    auto what = [](bool done, const char* thing) {
      return std::string(thing) + (done ? " removed" : " (none)");
    };
    Print(ctx.out, Printable(user) + ": " + what(r.record, "record") + ", " +
                       what(r.cache, "cache entry") + ", " +
                       what(r.rate, "rate-limit state") + "\n");
  }
  return admin_exit::kOk;
}

int RunCommand(const AdminContext& ctx) {
  const std::string& cmd = ctx.opt.command;
  if (cmd == "status") return RunStatus(ctx);
  if (cmd == "show") return RunShow(ctx);
  if (cmd == "list") return RunList(ctx);
  if (cmd == "export") return RunExport(ctx);
  if (cmd == "reset") return RunReset(ctx);
  if (cmd == "check") return RunCheck(ctx);
  if (cmd == "check-config") return RunCheckConfig(ctx);
  return admin_exit::kUsage;
}

}  // namespace sspr
