// `sspr-admin reset USER` with backend = ldap: the question, and the
// report of ResetDirectoryUser (tools/admin_reset.h) as text or JSON.
#include <string>
#include <utility>
#include <vector>

#include "config/ldap_keys.h"
#include "tools/admin_commands.h"
#include "tools/admin_output.h"
#include "tools/admin_reset.h"
#include "tools/exit_codes.h"

namespace sspr {
namespace {

void Print(FILE* f, const std::string& s) { fputs(s.c_str(), f); }

// "ssprVerified (2 values), mobile (1 value)"
std::string AttrCounts(const std::vector<std::pair<std::string, int>>& v) {
  std::string s;
  for (const auto& a : v)
    s += (s.empty() ? "" : ", ") + Printable(a.first) + " (" +
         std::to_string(a.second) + (a.second == 1 ? " value)" : " values)");
  return s;
}

json_object* AttrObject(const std::vector<std::pair<std::string, int>>& v) {
  json_object* o = json_object_new_object();
  for (const auto& a : v)
    json_object_object_add(o, a.first.c_str(), json_object_new_int(a.second));
  return o;
}

}  // namespace

std::string DirectoryResetQuestion(const Config& c, bool values) {
  std::string owned;
  for (const std::string* a : {&c.ldap_attr_verified, &c.ldap_attr_questions})
    if (!a->empty()) owned += (owned.empty() ? "" : ", ") + *a;
  std::string held;
  if (values)
    for (const auto& m : c.methods)
      if (m != "questions") held += (held.empty() ? "" : ", ") + LdapAttr(c, m);
  std::string s = "remove ";
  if (!owned.empty()) s += "pam_sspr's attributes (" + owned + ")";
  if (!held.empty())
    s += std::string(owned.empty() ? "" : " and ") + "the values of " + held +
         " (whoever wrote them)";
  if (owned.empty() && held.empty()) s += "nothing";
  return Printable(s) +
         " in the user's directory entry, the status cache "
         "entry and the rate-limit state?";
}

int RunDirectoryReset(const AdminContext& ctx) {
  const std::string& user = ctx.opt.user;
  ResetReport r;
  DirectoryReset d;
  std::string e;
  if (!ResetDirectoryUser(ctx.config, user, ctx.opt.values, &r, &d, &e)) {
    Print(ctx.err,
          "sspr-admin: reset " + Printable(user) + ": " + Printable(e) + "\n");
    return admin_exit::kUnavailable;
  }
  if (d.needs_values) {
    Print(ctx.err,
          "sspr-admin: reset " + Printable(user) +
              ": nothing changed. Without ldap_attr_verified every value of " +
              AttrCounts(d.kept) +
              " counts as registered, so the reset would have to delete "
              "them from " +
              Printable(d.dn) +
              ", whoever wrote them (HR's too). To do so: sspr-admin reset " +
              Printable(user) +
              " --values. Or set ldap_attr_verified (contrib/ldap: "
              "ssprVerified), so that only values proved through pam_sspr "
              "count.\n");
    if (ctx.opt.json) {
      json_object* o = json_object_new_object();
      json_object_object_add(o, "user", JsonString(user));
      json_object_object_add(o, "dn", JsonString(d.dn));
      json_object_object_add(o, "changed", json_object_new_boolean(false));
      json_object_object_add(o, "needs_values", json_object_new_boolean(true));
      json_object_object_add(o, "would_delete", AttrObject(d.kept));
      Print(ctx.out, JsonLine(o));
    }
    return admin_exit::kNotRegistered;
  }
  if (ctx.opt.json) {
    json_object* o = json_object_new_object();
    json_object_object_add(o, "user", JsonString(user));
    json_object_object_add(o, "dn", d.found ? JsonString(d.dn) : nullptr);
    json_object_object_add(o, "changed", json_object_new_boolean(true));
    json_object_object_add(o, "removed", AttrObject(d.removed));
    json_object_object_add(o, "kept", AttrObject(d.kept));
    json_object_object_add(o, "record_removed",
                           json_object_new_boolean(r.record));
    json_object_object_add(o, "cache_removed",
                           json_object_new_boolean(r.cache));
    json_object_object_add(o, "rate_removed", json_object_new_boolean(r.rate));
    Print(ctx.out, JsonLine(o));
    return admin_exit::kOk;
  }
  std::string s = Printable(user) + ": ";
  if (!d.found) {
    s += "no directory entry";
  } else {
    s += Printable(d.dn) + ": " +
         (d.removed.empty() ? std::string("nothing of pam_sspr's")
                            : "removed " + AttrCounts(d.removed));
    if (!d.kept.empty()) s += "; kept " + AttrCounts(d.kept);
  }
  s += std::string("; cache entry") + (r.cache ? " removed" : " (none)") +
       ", rate-limit state" + (r.rate ? " removed" : " (none)") + "\n";
  Print(ctx.out, s);
  return admin_exit::kOk;
}

}  // namespace sspr
