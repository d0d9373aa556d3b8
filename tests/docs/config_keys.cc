// sspr-config-keys: the keys the parser knows and their compiled defaults,
// for tests/docs/check_docs.py.
//
//   sspr-config-keys          one line per key (ConfigKeyNames(), i.e. the
//                             parser's own table): KEY TAB WHERE TAB DEFAULT
//                             WHERE is "file" or "module" (a module argument
//                             that the config file refuses)
//   sspr-config-keys --canon  reads "KEY TAB VALUE" lines; prints
//                             "KEY TAB ok TAB VALUE-AS-SET" ("?" when it
//                             cannot be shown) or "KEY TAB error TAB MESSAGE"
//
// A key without a getter in Value() below (nor a plain member of the same
// name, see SSPR_MEMBER) prints "?" as its default: the check then still
// wants its entry in the man page and the shipped config and a shipped
// value that the parser takes, and names this file for the comparison.
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <functional>
#include <iostream>
#include <map>
#include <string>
#include <type_traits>
#include <vector>

#include "config/config.h"
#include "config/scope.h"

namespace {

using sspr::Config;

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& x : v) out += (out.empty() ? "" : ", ") + x;
  return out;
}
std::string YesNo(bool b) { return b ? "yes" : "no"; }

// A member this build may not have yet (keys added in parallel): shown
// when Config has a member of that name of a plain type, else "no getter".
template <class T>
bool Show(const T& v, std::string* out) {
  if constexpr (std::is_same_v<T, bool>) {
    *out = YesNo(v);
  } else if constexpr (std::is_arithmetic_v<T>) {
    *out = std::to_string(v);
  } else if constexpr (std::is_convertible_v<T, std::string>) {
    *out = v;
  } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
    *out = Join(v);
  } else {
    return false;
  }
  return true;
}
template <class Get>
bool ShowIfMember(Get get, const Config& c, std::string* out) {
  if constexpr (std::is_invocable_v<Get, const Config&>) {
    return Show(get(c), out);
  } else {
    return false;
  }
}
#define SSPR_MEMBER(name)                                             \
  {                                                                   \
#name, [](const Config& cfg, std::string* text) {                   \
      auto get = [](const auto& x) -> decltype((x.name)) { return x.name; }; \
      return ShowIfMember(get, cfg, text);                              \
    } \
  }

bool MaybeValue(const Config& c, const std::string& key, std::string* out) {
  using Get = std::function<bool(const Config&, std::string*)>;
  static const std::map<std::string, Get> kMaybe = {
      SSPR_MEMBER(check_root),
      SSPR_MEMBER(noninteractive),
      SSPR_MEMBER(noninteractive_services),
      SSPR_MEMBER(interactive_services),
      SSPR_MEMBER(ldap_uri),
      SSPR_MEMBER(ldap_starttls),
      SSPR_MEMBER(ldap_base),
      SSPR_MEMBER(ldap_scope),
      SSPR_MEMBER(ldap_user_filter),
      SSPR_MEMBER(ldap_bind_dn),
      SSPR_MEMBER(ldap_schema),
      SSPR_MEMBER(ldap_attr_mobile),
      SSPR_MEMBER(ldap_attr_office),
      SSPR_MEMBER(ldap_attr_email),
      SSPR_MEMBER(ldap_attr_verified),
      SSPR_MEMBER(ldap_attr_questions),
      SSPR_MEMBER(ldap_connect_timeout),
      SSPR_MEMBER(ldap_sasl_mech),
      SSPR_MEMBER(ldap_tls_cert),
      SSPR_MEMBER(ldap_tls_key),
  };
  auto it = kMaybe.find(key);
  return it != kMaybe.end() && it->second(c, out);
}

// The value of one key in `c`, written as the config file writes it.
bool Value(const Config& c, const std::string& key, std::string* out) {
  using Get = std::function<std::string(const Config&)>;
  static const std::map<std::string, Get> kGet = {
      {"backend",
       [](const Config& x) { return std::string(BackendName(x.backend)); }},
      {"mode",
       [](const Config& x) { return std::string(sspr::ModeName(x.mode)); }},
      {"methods", [](const Config& x) { return Join(x.methods); }},
      {"methods_required",
       [](const Config& x) { return std::to_string(x.methods_required); }},
      {"questions_required",
       [](const Config& x) { return std::to_string(x.questions_required); }},
      {"questions_file", [](const Config& x) { return x.questions_file; }},
      {"email_delivery", [](const Config& x) { return x.email_delivery; }},
      {"reconfirm_days",
       [](const Config& x) { return std::to_string(x.reconfirm_days); }},
      {"snooze_max",
       [](const Config& x) { return std::to_string(x.snooze_max); }},
      {"snooze_interval",
       [](const Config& x) { return std::to_string(x.snooze_interval); }},
      {"grace_until",
       [](const Config& x) {
         return x.grace_until == 0 ? std::string()
                                   : std::to_string(x.grace_until);
       }},
      {"default_region", [](const Config& x) { return x.default_region; }},
      {"failmode",
       [](const Config& x) {
         return std::string(sspr::FailModeName(x.failmode));
       }},
      {"groups", [](const Config& x) { return Join(x.groups); }},
      {"exempt_users", [](const Config& x) { return Join(x.exempt_users); }},
      {"exempt_groups", [](const Config& x) { return Join(x.exempt_groups); }},
      {"state_dir", [](const Config& x) { return x.state_dir; }},
      {"cache_dir", [](const Config& x) { return x.cache_dir; }},
      {"cache_ttl",
       [](const Config& x) { return std::to_string(x.cache_ttl); }},
      {"helper_timeout",
       [](const Config& x) { return std::to_string(x.helper_timeout); }},
      {"dialogue_timeout",
       [](const Config& x) { return std::to_string(x.dialogue_timeout); }},
      {"request_timeout",
       [](const Config& x) { return std::to_string(x.request_timeout); }},
      {"code_length",
       [](const Config& x) { return std::to_string(x.code_length); }},
      {"code_ttl", [](const Config& x) { return std::to_string(x.code_ttl); }},
      {"rate_user_limit",
       [](const Config& x) { return std::to_string(x.rate_user_limit); }},
      {"rate_number_limit",
       [](const Config& x) { return std::to_string(x.rate_number_limit); }},
      {"noninteractive",
       [](const Config& x) {
         return std::string(x.noninteractive == sspr::NonInteractive::kSkip
                                ? "skip"
                                : "check");
       }},
      {"max_attempts",
       [](const Config& x) { return std::to_string(x.max_attempts); }},
      {"max_input_attempts",
       [](const Config& x) { return std::to_string(x.max_input_attempts); }},
      {"resend_cooldown",
       [](const Config& x) { return std::to_string(x.resend_cooldown); }},
      {"rate_limit",
       [](const Config& x) { return std::to_string(x.rate_limit); }},
      {"rate_window",
       [](const Config& x) { return std::to_string(x.rate_window); }},
      {"rate_lockout",
       [](const Config& x) { return std::to_string(x.rate_lockout); }},
      {"delivery", [](const Config& x) { return x.delivery; }},
      {"delivery_timeout",
       [](const Config& x) { return std::to_string(x.delivery_timeout); }},
      {"helper_user", [](const Config& x) { return x.helper_user; }},
      {"secrets_file", [](const Config& x) { return x.secrets_file; }},
      {"enroll_url", [](const Config& x) { return x.enroll_url; }},
      {"conf", [](const Config& x) { return x.conf; }},
      {"helper", [](const Config& x) { return x.helper; }},
      {"debug", [](const Config& x) { return YesNo(x.debug); }},
      {"stale_ttl",
       [](const Config& x) { return std::to_string(x.stale_ttl); }},
      {"cafile", [](const Config& x) { return x.cafile; }},
      {"pinned_pubkey", [](const Config& x) { return x.pinned_pubkey; }},
      {"directory_user", [](const Config& x) { return x.directory_user; }},
      {"rest_url", [](const Config& x) { return x.rest_url; }},
      {"graph_tenant", [](const Config& x) { return x.graph_tenant; }},
      {"graph_client_id", [](const Config& x) { return x.graph_client_id; }},
      {"graph_login_url", [](const Config& x) { return x.graph_login_url; }},
      {"graph_url", [](const Config& x) { return x.graph_url; }},
      {"graph_status", [](const Config& x) { return x.graph_status; }},
      {"graph_write", [](const Config& x) { return YesNo(x.graph_write); }},
      {"okta_url", [](const Config& x) { return x.okta_url; }},
      {"only_services", [](const Config& x) { return Join(x.only_services); }},
      {"skip_services", [](const Config& x) { return Join(x.skip_services); }},
      {"skip_rhosts", [](const Config& x) { return Join(x.skip_rhosts); }},
      {"show_qr", [](const Config& x) { return YesNo(x.show_qr); }},
      {"seccomp", [](const Config& x) { return YesNo(x.seccomp); }},
      {"locale_dir", [](const Config& x) { return x.locale_dir; }},
      {"texts_file", [](const Config& x) { return x.texts_file; }},
      {"smtp_url", [](const Config& x) { return x.smtp_url; }},
      {"smtp_from", [](const Config& x) { return x.smtp_from; }},
      {"smtp_user", [](const Config& x) { return x.smtp_user; }},
      {"okta_client_id", [](const Config& x) { return x.okta_client_id; }},
      {"okta_key_id", [](const Config& x) { return x.okta_key_id; }},
      {"okta_scopes", [](const Config& x) { return x.okta_scopes; }},
      {"reset", [](const Config& x) { return YesNo(x.reset); }},
      {"reset_methods_required",
       [](const Config& x) {
         return std::to_string(x.reset_methods_required);
       }},
      {"reset_questions",
       [](const Config& x) { return std::to_string(x.reset_questions); }},
      {"reset_contact", [](const Config& x) { return x.reset_contact; }},
      {"reset_exclude_groups",
       [](const Config& x) { return Join(x.reset_exclude_groups); }},
      {"reset_limit",
       [](const Config& x) { return std::to_string(x.reset_limit); }},
      {"reset_fail_limit",
       [](const Config& x) { return std::to_string(x.reset_fail_limit); }},
      {"reset_passwd_service",
       [](const Config& x) { return x.reset_passwd_service; }},
      {"setpass", [](const Config& x) { return x.setpass; }},
  };
  auto it = kGet.find(key);
  // min_uid's compiled default (-1) means UID_MIN of /etc/login.defs, read
  // at each login: what the docs name is that value.
  if (key == "min_uid") {
    *out = std::to_string(sspr::MinUid(c));
    return true;
  }
  if (it == kGet.end()) return MaybeValue(c, key, out);
  *out = it->second(c);
  return true;
}

// A key the config file refuses ("... is a module argument only").
bool ModuleOnly(const std::string& key) {
  char path[] = "/tmp/sspr-config-keys.XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) return false;
  std::string line = key + " = x\n";
  bool wrote =
      write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  close(fd);
  Config c;
  std::string err;
  bool refused = wrote && !sspr::LoadConfigFile(path, false, true, &c, &err) &&
                 err.find("module argument") != std::string::npos;
  unlink(path);
  return refused;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "--canon") {
    std::string line;
    while (std::getline(std::cin, line)) {
      size_t tab = line.find('\t');
      std::string key = line.substr(0, tab);
      std::string value = tab == std::string::npos ? "" : line.substr(tab + 1);
      Config c;
      std::string err, shown;
      if (!sspr::SetKey(&c, key, value, &err))
        printf("%s\terror\t%s\n", key.c_str(), err.c_str());
      else if (!Value(c, key, &shown))
        printf("%s\tok\t?\n", key.c_str());  // taken; cannot be shown
      else printf("%s\tok\t%s\n", key.c_str(), shown.c_str());
    }
    return 0;
  }
  const Config defaults;
  for (const std::string& key : sspr::ConfigKeyNames()) {
    std::string v;
    if (!Value(defaults, key, &v)) v = "?";
    printf("%s\t%s\t%s\n", key.c_str(), ModuleOnly(key) ? "module" : "file",
           v.c_str());
  }
  return 0;
}
