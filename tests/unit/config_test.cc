// This file is long because it checks every configuration key, one test per
// key's rules.
// Unit tests for config/config.h: every key's setter, Validate, ApplyArgs,
// LoadConfigFile (syntax, limits, file type, ownership and permissions),
// LoadConfig and SafeFileName.
#include "config/config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <locale.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "common/file.h"
#include "common/text.h"
#include "config/ldap_keys.h"

// clang-format off
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
extern "C" {  // cmocka 1.1 has no C++ guards of its own
#include <cmocka.h>
}
// clang-format on

namespace sspr {
namespace {

bool Contains(const std::string& hay, const std::string& needle) {
  return hay.find(needle) != std::string::npos;
}

#define ASSERT_CONTAINS(hay, needle)                                   \
  do {                                                                 \
    if (!Contains((hay), (needle)))                                    \
      fail_msg("'%s' does not contain '%s'", std::string(hay).c_str(), \
               std::string(needle).c_str());                           \
  } while (0)

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : "|") + s;
  return out;
}

// ---------------------------------------------------------------------------
// Every key: one good value, several bad ones, and the value it reads back.

struct KeyCase {
  const char* key;
  std::string good;
  std::string want;  // Get() after setting `good`
  std::vector<std::string> bad;
  std::function<std::string(const Config&)> get;
};

std::string I(int v) { return std::to_string(v); }

std::vector<KeyCase> AllKeys() {
  const std::string long_path = "/" + std::string(1024, 'p');
  return {
      {"backend",
       "ldap",
       "ldap",
       {"", "LOCAL", "ldapx", "local "},
       [](const Config& c) { return std::string(BackendName(c.backend)); }},
      {"mode",
       "warn",
       "warn",
       {"", "Warn", "deny", "register,block"},
       [](const Config& c) { return std::string(ModeName(c.mode)); }},
      {"methods",
       "office, mobile",
       "office|mobile",
       {"", ",", "fax", "Mobile", "mobile,mobile"},
       [](const Config& c) { return Join(c.methods); }},
      {"methods_required",
       "2",
       "2",
       {"0", "3", "x", ""},
       [](const Config& c) { return I(c.methods_required); }},
      {"default_region",
       "gb",
       "GB",
       {"", "G", "GBR", "1A", "\xc3\xa9"},
       [](const Config& c) { return c.default_region; }},
      {"failmode",
       "secure",
       "secure",
       {"", "Secure", "open"},
       [](const Config& c) { return std::string(FailModeName(c.failmode)); }},
      {"groups",
       "wheel,staff admins",
       "wheel|staff|admins",
       {"a=b", std::string("ctl\x01", 4), "caf\xc3\xa9", std::string(257, 'g')},
       [](const Config& c) { return Join(c.groups); }},
      {"exempt_users",
       "root, svc-backup",
       "root|svc-backup",
       {"x=y"},
       [](const Config& c) { return Join(c.exempt_users); }},
      {"exempt_groups",
       "nologin",
       "nologin",
       {"bad\x7fname"},
       [](const Config& c) { return Join(c.exempt_groups); }},
      {"state_dir",
       "/srv/sspr",
       "/srv/sspr",
       {"", "var/lib", long_path},
       [](const Config& c) { return c.state_dir; }},
      {"cache_dir",
       "/run/sspr",
       "/run/sspr",
       {"", "./cache"},
       [](const Config& c) { return c.cache_dir; }},
      {"cache_ttl",
       "600",
       "600",
       {"-1", "2592001", "1h"},
       [](const Config& c) { return I(c.cache_ttl); }},
      {"helper_timeout",
       "45",
       "45",
       {"0", "601"},
       [](const Config& c) { return I(c.helper_timeout); }},
      {"dialogue_timeout",
       "900",
       "900",
       {"9", "3601"},
       [](const Config& c) { return I(c.dialogue_timeout); }},
      {"request_timeout",
       "20",
       "20",
       {"0", "121"},
       [](const Config& c) { return I(c.request_timeout); }},
      {"code_length",
       "8",
       "8",
       {"5", "11"},
       [](const Config& c) { return I(c.code_length); }},
      {"code_ttl",
       "120",
       "120",
       {"29", "3601"},
       [](const Config& c) { return I(c.code_ttl); }},
      {"max_attempts",
       "5",
       "5",
       {"0", "11"},
       [](const Config& c) { return I(c.max_attempts); }},
      {"max_input_attempts",
       "4",
       "4",
       {"0", "11"},
       [](const Config& c) { return I(c.max_input_attempts); }},
      {"resend_cooldown",
       "60",
       "60",
       {"-1", "3601"},
       [](const Config& c) { return I(c.resend_cooldown); }},
      {"rate_limit",
       "10",
       "10",
       {"0", "1001"},
       [](const Config& c) { return I(c.rate_limit); }},
      {"rate_window",
       "7200",
       "7200",
       {"59", "604801"},
       [](const Config& c) { return I(c.rate_window); }},
      {"rate_lockout",
       "0",
       "0",
       {"-1", "2592001"},
       [](const Config& c) { return I(c.rate_lockout); }},
      {"delivery",
       "outbox:/var/spool/sspr/outbox",
       "outbox:/var/spool/sspr/outbox",
       {"", "outbox:", "outbox:rel/path", "command:", "smtp", "/usr/bin/x",
        "Outbox:/x", "file:/x"},
       [](const Config& c) { return c.delivery; }},
      {"delivery_timeout",
       "15",
       "15",
       {"0", "121"},
       [](const Config& c) { return I(c.delivery_timeout); }},
      {"helper_user",
       "sspr-helper",
       "sspr-helper",
       {"", "a=b", "two words"},
       [](const Config& c) { return c.helper_user; }},
      {"secrets_file",
       "/etc/sspr/secrets",
       "/etc/sspr/secrets",
       {"", "secrets"},
       [](const Config& c) { return c.secrets_file; }},
      {"enroll_url",
       "https://login.example.com/sspr?x=1",
       "https://login.example.com/sspr?x=1",
       {"", "http://example.com", "HTTPS://example.com", "ftp://x",
        "https://exa mple.com", "https://" + std::string(393, 'a'),
        "https://example.com/\xc3\xa9"},
       [](const Config& c) { return c.enroll_url; }},
      {"conf",
       "/tmp/other.conf",
       "/tmp/other.conf",
       {"", "other.conf"},
       [](const Config& c) { return c.conf; }},
      {"helper",
       "/usr/libexec/sspr-helper",
       "/usr/libexec/sspr-helper",
       {"", "sspr-helper"},
       [](const Config& c) { return c.helper; }},
      {"debug",
       "yes",
       "1",
       {"maybe", "2", "YES"},
       [](const Config& c) { return I(c.debug); }},
      {"only_services",
       "sshd, login",
       "sshd|login",
       {"a=b", "ssh d=x"},
       [](const Config& c) { return Join(c.only_services); }},
      {"skip_services",
       "sudo cron",
       "sudo|cron",
       {"bad\x7f", "x,y=z"},
       [](const Config& c) { return Join(c.skip_services); }},
      {"skip_rhosts",
       "10.0.0.0/8, 192.168.1.5 fd00::/8",
       "10.0.0.0/8|192.168.1.5|fd00::/8",
       {"host.example.com", "10.0.0.0/33", "10.1.2.3/8", "10.0.0.0/8,bad",
        "fe80::1%eth0", "::/129"},
       [](const Config& c) { return Join(c.skip_rhosts); }},
      {"show_qr",
       "no",
       "0",
       {"maybe", "2"},
       [](const Config& c) { return I(c.show_qr); }},
      {"min_uid",
       "500",
       "500",
       {"", "-1", "1k", "2147483648"},
       [](const Config& c) { return I(c.min_uid); }},
      {"check_root",
       "yes",
       "1",
       {"maybe", "root"},
       [](const Config& c) { return I(c.check_root); }},
      {"noninteractive",
       "check",
       "1",
       {"", "Skip", "deny"},
       [](const Config& c) {
         return I(c.noninteractive == NonInteractive::kCheck);
       }},
      {"noninteractive_services",
       "cron, sudo",
       "cron|sudo",
       {"a=b"},
       [](const Config& c) { return Join(c.noninteractive_services); }},
      {"interactive_services",
       "cockpit gdm-password",
       "cockpit|gdm-password",
       {"x=y"},
       [](const Config& c) { return Join(c.interactive_services); }},
      {"ldap_uri",
       "ldaps://a.example ldap://127.0.0.1:3389",
       "ldaps://a.example|ldap://127.0.0.1:3389",
       {"", "http://a.example", "ldap://a.example/dc=x", "ldapi:///"},
       [](const Config& c) { return Join(c.ldap_uri); }},
      {"ldap_starttls",
       "no",
       "0",
       {"", "maybe"},
       [](const Config& c) { return I(c.ldap_starttls); }},
      {"ldap_base",
       "dc=example,dc=com",
       "dc=example,dc=com",
       {"", std::string(600, 'a'), "dc=x\n\x01"},
       [](const Config& c) { return c.ldap_base; }},
      {"ldap_bind_dn",
       "cn=sspr,dc=x",
       "cn=sspr,dc=x",
       {std::string(600, 'a')},
       [](const Config& c) { return c.ldap_bind_dn; }},
      {"ldap_scope",
       "one",
       "one",
       {"", "subtree", "SUB"},
       [](const Config& c) { return c.ldap_scope; }},
      {"ldap_user_filter",
       "(uid=%u)",
       "(uid=%u)",
       {"uid=%u", "(uid=x)", "(uid=%u))(", "(a=%u)(b=%u)"},
       [](const Config& c) { return c.ldap_user_filter; }},
      {"ldap_schema",
       "ad",
       "ad",
       {"", "AD", "openldap"},
       [](const Config& c) { return c.ldap_schema; }},
      {"ldap_connect_timeout",
       "5",
       "5",
       {"", "0", "61", "1s", "-1"},
       [](const Config& c) { return I(c.ldap_connect_timeout); }},
      {"ldap_attr_mobile",
       "pager",
       "pager",
       {"pa ger", "-x", "1.2."},
       [](const Config& c) { return c.ldap_attr_mobile; }},
      {"ldap_attr_office",
       "2.5.4.20",
       "2.5.4.20",
       {"a,b"},
       [](const Config& c) { return c.ldap_attr_office; }},
      {"ldap_attr_email",
       "mail",
       "mail",
       {"m@il"},
       [](const Config& c) { return c.ldap_attr_email; }},
      {"ldap_attr_verified",
       "ssprVerified",
       "ssprVerified",
       {"x y"},
       [](const Config& c) { return c.ldap_attr_verified; }},
      {"ldap_attr_questions",
       "ssprQuestionHash",
       "ssprQuestionHash",
       {"x y", "a(b"},
       [](const Config& c) { return c.ldap_attr_questions; }},
      {"ldap_sasl_mech",
       "EXTERNAL",
       "EXTERNAL",
       {"gssapi", "external", "x"},
       [](const Config& c) { return c.ldap_sasl_mech; }},
      {"ldap_tls_cert",
       "/etc/sspr/c.pem",
       "/etc/sspr/c.pem",
       {"c.pem"},
       [](const Config& c) { return c.ldap_tls_cert; }},
      {"ldap_tls_key",
       "/etc/sspr/c.key",
       "/etc/sspr/c.key",
       {"./c.key"},
       [](const Config& c) { return c.ldap_tls_key; }},
      {"ldap_keytab",
       "/etc/sspr/host.keytab",
       "/etc/sspr/host.keytab",
       {"", "krb5.keytab", "FILE:/etc/krb5.keytab"},
       [](const Config& c) { return c.ldap_keytab; }},
      {"ldap_krb5_principal",
       "host/a.example.com@EXAMPLE.COM",
       "host/a.example.com@EXAMPLE.COM",
       {"host/a b", "x\ty"},
       [](const Config& c) { return c.ldap_krb5_principal; }},
      {"ldap_krb5_conf",
       "/etc/sspr/krb5.conf",
       "/etc/sspr/krb5.conf",
       {"", "krb5.conf"},
       [](const Config& c) { return c.ldap_krb5_conf; }},
  };
}

// Keys whose value is a list: a rejected value keeps its valid entries
// (a typo in one name of exempt_users must not drop the others).
bool IsList(const std::string& key) {
  static const std::set<std::string> lists = {"groups",
                                              "exempt_users",
                                              "exempt_groups",
                                              "only_services",
                                              "skip_services",
                                              "skip_rhosts",
                                              "noninteractive_services",
                                              "interactive_services",
                                              "ldap_uri"};
  return lists.count(key) != 0;
}

void every_key_takes_its_good_values_and_refuses_its_bad_ones(
    void** /*state*/) {
  for (const KeyCase& k : AllKeys()) {
    Config c;
    std::string err;
    if (!SetKey(&c, k.key, k.good, &err))
      fail_msg("%s = '%s' rejected: %s", k.key, k.good.c_str(), err.c_str());
    if (k.get(c) != k.want)
      fail_msg("%s = '%s' reads back '%s', want '%s'", k.key, k.good.c_str(),
               k.get(c).c_str(), k.want.c_str());
    for (const std::string& bad : k.bad) {
      Config d = c;
      err.clear();
      if (SetKey(&d, k.key, bad, &err))
        fail_msg("%s = '%s' accepted", k.key, bad.c_str());
      // The error names the key, and the old value stays (a list keeps
      // the valid entries of the new value:
      // a_list_with_a_bad_entry_keeps_its_valid_entries).
      ASSERT_CONTAINS(err, std::string("'") + k.key + "'");
      if (!IsList(k.key) && k.get(d) != k.want)
        fail_msg("%s changed to '%s' by a rejected value", k.key,
                 k.get(d).c_str());
    }
  }
}

void a_list_with_a_bad_entry_keeps_its_valid_entries(void** /*state*/) {
  Config c;
  std::string err;
  assert_false(SetKey(&c, "exempt_users", "alice, b=d carol", &err));
  ASSERT_CONTAINS(err, "'b=d'");
  assert_string_equal(Join(c.exempt_users).c_str(), "alice|carol");
  assert_false(SetKey(&c, "skip_rhosts", "10.0.0.0/8, gateway.lan", &err));
  assert_string_equal(Join(c.skip_rhosts).c_str(), "10.0.0.0/8");
  assert_false(SetKey(&c, "noninteractive_services", "cron x=y", &err));
  assert_string_equal(Join(c.noninteractive_services).c_str(), "cron");
}

// The scope keys' real defaults (documented in pam_sspr.conf(5)).
void the_scope_keys_have_their_documented_defaults(void** /*state*/) {
  Config c;
  assert_int_equal(c.min_uid, -1);  // UID_MIN of /etc/login.defs
  assert_false(c.check_root);
  assert_true(c.noninteractive == NonInteractive::kSkip);
  assert_string_equal(Join(c.noninteractive_services).c_str(),
                      "cron|crond|atd|systemd-user|sudo|sudo-i|runuser|"
                      "runuser-l|polkit-1|pkexec");
  assert_string_equal(Join(c.interactive_services).c_str(), "cockpit");
  std::string err;
  assert_true(SetKey(&c, "noninteractive_services", "", &err));
  assert_true(c.noninteractive_services.empty());
}

// A '#' after a space or tab starts a comment; "\#" is a literal '#'; a
// '#' inside a word is kept.
void a_hash_after_white_space_starts_a_comment(void** /*state*/) {
  assert_string_equal(StripComment("mode = block  # deny").c_str(),
                      "mode = block  ");
  assert_string_equal(StripComment("mode = block\t# deny").c_str(),
                      "mode = block\t");
  assert_string_equal(StripComment("# whole line").c_str(), "");
  assert_string_equal(StripComment("enroll_url = https://x/#a").c_str(),
                      "enroll_url = https://x/#a");
  assert_string_equal(StripComment("texts_file = /a \\#b # c").c_str(),
                      "texts_file = /a #b ");
  assert_string_equal(StripComment("a = b\\").c_str(), "a = b\\");
}

// An invalid skip_rhosts entry is named in the error; defaults are empty.
void an_invalid_skip_rhosts_entry_is_named_in_the_error(void** /*state*/) {
  Config c;
  assert_true(c.only_services.empty() && c.skip_services.empty() &&
              c.skip_rhosts.empty() && c.show_qr);
  std::string err;
  assert_false(SetKey(&c, "skip_rhosts", "10.0.0.0/8, gateway.lan", &err));
  ASSERT_CONTAINS(err, "'skip_rhosts'");
  ASSERT_CONTAINS(err, "'gateway.lan'");
  assert_true(SetKey(&c, "skip_rhosts", "", &err));
  assert_true(c.skip_rhosts.empty());
}

void an_unknown_key_is_refused_and_named(void** /*state*/) {
  const char* unknown[] = {"",        "Mode",     "mode ", " mode",
                           "unknown", "methods_", "email"};
  for (const char* k : unknown) {
    Config c;
    std::string err;
    assert_false(SetKey(&c, k, "x", &err));
    ASSERT_CONTAINS(err, "unknown key");
    ASSERT_CONTAINS(err, std::string("'") + k + "'");
  }
}

void a_value_longer_than_a_line_is_refused(void** /*state*/) {
  Config c;
  std::string err;
  assert_false(
      SetKey(&c, "groups", std::string(kMaxConfigLine + 1, 'g'), &err));
  ASSERT_CONTAINS(err, "'groups'");
}

// ---------------------------------------------------------------------------
// Integer keys: lo-1, lo, hi, hi+1 and malformed numbers.

struct IntCase {
  const char* key;
  int lo, hi;
  int Config::*field;
};

const IntCase kIntKeys[] = {
    {"methods_required", 1, 2, &Config::methods_required},
    {"cache_ttl", 0, 30 * 86400, &Config::cache_ttl},
    {"helper_timeout", 1, 600, &Config::helper_timeout},
    {"dialogue_timeout", 10, 3600, &Config::dialogue_timeout},
    {"request_timeout", 1, 120, &Config::request_timeout},
    {"code_length", 6, 10, &Config::code_length},
    {"code_ttl", 30, 3600, &Config::code_ttl},
    {"max_attempts", 1, 10, &Config::max_attempts},
    {"max_input_attempts", 1, 10, &Config::max_input_attempts},
    {"resend_cooldown", 0, 3600, &Config::resend_cooldown},
    {"rate_limit", 1, 1000, &Config::rate_limit},
    {"rate_window", 60, 7 * 86400, &Config::rate_window},
    {"rate_lockout", 0, 30 * 86400, &Config::rate_lockout},
    {"rate_user_limit", 1, 1000, &Config::rate_user_limit},
    {"rate_number_limit", 1, 10000, &Config::rate_number_limit},
    {"delivery_timeout", 1, 120, &Config::delivery_timeout},
};

void every_number_key_takes_its_bounds_and_refuses_beyond_them(
    void** /*state*/) {
  for (const IntCase& k : kIntKeys) {
    Config c;
    std::string err;
    for (int v : {k.lo, k.hi}) {
      if (!SetKey(&c, k.key, std::to_string(v), &err))
        fail_msg("%s = %d rejected: %s", k.key, v, err.c_str());
      assert_int_equal(c.*(k.field), v);
    }
    for (int v : {k.lo - 1, k.hi + 1}) {
      int before = c.*(k.field);
      err.clear();
      if (SetKey(&c, k.key, std::to_string(v), &err))
        fail_msg("%s = %d accepted", k.key, v);
      ASSERT_CONTAINS(err, std::string("'") + k.key + "'");
      assert_int_equal(c.*(k.field), before);
    }
    const char* malformed[] = {"",           "abc", "1.5",  " 5",
                               "5 ",         "+5",  "0x10", "99999999999",
                               "2147483648", "-0",  "5s",   "\xd9\xa5"};
    for (const char* v : malformed) {
      err.clear();
      if (SetKey(&c, k.key, v, &err)) fail_msg("%s = '%s' accepted", k.key, v);
      assert_false(err.empty());
    }
  }
}

// ---------------------------------------------------------------------------
// Enums and lists.

void the_enum_keys_take_each_of_their_names(void** /*state*/) {
  Config c;
  std::string err;
  const struct {
    const char* v;
    Mode m;
  } modes[] = {{"register", Mode::kRegister},
               {"block", Mode::kBlock},
               {"warn", Mode::kWarn}};
  for (const auto& m : modes) {
    assert_true(SetKey(&c, "mode", m.v, &err));
    assert_true(c.mode == m.m);
    assert_string_equal(ModeName(c.mode), m.v);
  }
  assert_true(SetKey(&c, "failmode", "secure", &err));
  assert_true(c.failmode == FailMode::kSecure);
  assert_string_equal(FailModeName(c.failmode), "secure");
  assert_true(SetKey(&c, "failmode", "safe", &err));
  assert_true(c.failmode == FailMode::kSafe);
  assert_string_equal(FailModeName(c.failmode), "safe");
  for (const char* b : {"local", "rest", "graph", "okta", "ldap"}) {
    assert_true(SetKey(&c, "backend", b, &err));
    assert_string_equal(BackendName(c.backend), b);
  }
}

void the_methods_list_is_trimmed_and_refuses_repeats(void** /*state*/) {
  Config c;
  std::string err;
  assert_true(SetKey(&c, "methods", "mobile", &err));
  assert_string_equal(Join(c.methods).c_str(), "mobile");
  assert_true(SetKey(&c, "methods", "office,mobile", &err));
  assert_string_equal(Join(c.methods).c_str(), "office|mobile");
  assert_true(SetKey(&c, "methods", " mobile\t,, office ", &err));
  assert_string_equal(Join(c.methods).c_str(), "mobile|office");

  const char* dups[] = {"mobile,mobile", "office mobile office",
                        "mobile,office,mobile"};
  for (const char* d : dups) {
    err.clear();
    assert_false(SetKey(&c, "methods", d, &err));
    ASSERT_CONTAINS(err, "twice");
  }
  const char* unknown[] = {"fax", "mobile,pigeon", "MOBILE", "mobile;office"};
  for (const char* u : unknown) {
    err.clear();
    assert_false(SetKey(&c, "methods", u, &err));
    ASSERT_CONTAINS(err, "'methods'");
  }
  err.clear();
  assert_false(SetKey(&c, "methods", " , ", &err));
  assert_false(err.empty());
  // The last good value is still there.
  assert_string_equal(Join(c.methods).c_str(), "mobile|office");
}

void default_region_is_two_letters_in_upper_case(void** /*state*/) {
  Config c;
  std::string err;
  const char* in[] = {"gb", "Gb", "gB", "GB", "de"};
  const char* want[] = {"GB", "GB", "GB", "GB", "DE"};
  for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); ++i) {
    assert_true(SetKey(&c, "default_region", in[i], &err));
    assert_string_equal(c.default_region.c_str(), want[i]);
  }
  const char* bad[] = {"", "g", "gbr", "g1", "  ", "g ", "+1"};
  for (const char* b : bad) {
    err.clear();
    assert_false(SetKey(&c, "default_region", b, &err));
    ASSERT_CONTAINS(err, "'default_region'");
  }
  assert_string_equal(c.default_region.c_str(), "DE");
}

void delivery_takes_an_absolute_outbox_or_command_only(void** /*state*/) {
  Config c;
  std::string err;
  assert_true(SetKey(&c, "delivery", "outbox:/tmp/outbox.jsonl", &err));
  assert_string_equal(c.delivery.c_str(), "outbox:/tmp/outbox.jsonl");
  assert_true(SetKey(&c, "delivery", "command:/usr/local/bin/send-sms", &err));
  assert_string_equal(c.delivery.c_str(), "command:/usr/local/bin/send-sms");
  const char* bad[] = {"outbox:",  "outbox:tmp/x",  "command:send",
                       "command:", "outbox /tmp/x", "sms:/x",
                       "/tmp/x",   "outbox"};
  for (const char* b : bad) {
    err.clear();
    assert_false(SetKey(&c, "delivery", b, &err));
    ASSERT_CONTAINS(err, "'delivery'");
  }
  assert_string_equal(c.delivery.c_str(), "command:/usr/local/bin/send-sms");
}

void enroll_url_takes_https_up_to_400_characters(void** /*state*/) {
  Config c;
  std::string err;
  assert_true(SetKey(&c, "enroll_url", "https://aka.ms/ssprsetup", &err));
  // 400 characters is the limit.
  std::string max = "https://" + std::string(392, 'a');
  assert_int_equal(max.size(), 400);
  assert_true(SetKey(&c, "enroll_url", max, &err));
  assert_true(c.enroll_url == max);
  const std::string bad[] = {"http://aka.ms/ssprsetup",
                             "aka.ms/ssprsetup",
                             "https:/aka.ms",
                             "javascript:alert(1)",
                             " https://aka.ms",
                             "https://aka.ms/\tx",
                             max + "a"};
  for (const auto& b : bad) {
    err.clear();
    assert_false(SetKey(&c, "enroll_url", b, &err));
    ASSERT_CONTAINS(err, "'enroll_url'");
  }
  assert_true(c.enroll_url == max);
}

void names_and_paths_have_their_length_limits(void** /*state*/) {
  Config c;
  std::string err;
  assert_true(SetKey(&c, "groups", "", &err));  // empty list: no restriction
  assert_true(c.groups.empty());
  std::string name256(256, 'n');
  assert_true(SetKey(&c, "exempt_users", name256, &err));
  assert_int_equal(c.exempt_users.size(), 1);
  assert_false(SetKey(&c, "exempt_users", name256 + "n", &err));

  std::string path1024 = "/" + std::string(1023, 'p');
  assert_true(SetKey(&c, "state_dir", path1024, &err));
  assert_false(SetKey(&c, "state_dir", path1024 + "p", &err));
}

void debug_takes_the_usual_yes_and_no_words(void** /*state*/) {
  std::string err;
  for (const char* t : {"", "yes", "true", "1", "on"}) {
    Config c;
    assert_true(SetKey(&c, "debug", t, &err));
    assert_true(c.debug);
  }
  for (const char* f : {"no", "false", "0", "off"}) {
    Config c;
    c.debug = true;
    assert_true(SetKey(&c, "debug", f, &err));
    assert_false(c.debug);
  }
}

void a_list_splits_at_commas_and_white_space(void** /*state*/) {
  assert_string_equal(Join(SplitList("a, b,,c\t d")).c_str(), "a|b|c|d");
  assert_true(SplitList("").empty());
  assert_true(SplitList(" ,\t, ").empty());
  assert_string_equal(Join(SplitList("single")).c_str(), "single");
}

// ---------------------------------------------------------------------------
// Validate and ApplyArgs.

void validate_refuses_settings_that_contradict_each_other(void** /*state*/) {
  Config c;
  std::string err;
  assert_true(Validate(c, &err));  // the defaults are consistent

  assert_true(SetKey(&c, "methods", "mobile", &err));
  assert_true(SetKey(&c, "methods_required", "2", &err));
  assert_false(Validate(c, &err));
  ASSERT_CONTAINS(err, "methods_required");

  assert_true(SetKey(&c, "methods", "mobile,office", &err));
  err.clear();
  assert_true(Validate(c, &err));

  assert_true(SetKey(&c, "code_ttl", "60", &err));
  assert_true(SetKey(&c, "resend_cooldown", "61", &err));
  assert_false(Validate(c, &err));
  ASSERT_CONTAINS(err, "code_ttl");
  assert_true(SetKey(&c, "resend_cooldown", "60", &err));
  assert_true(Validate(c, &err));
}

// backend = ldap: URIs and a base are needed; plain LDAP (no StartTLS)
// only to this host.
void plain_ldap_goes_only_to_this_host_and_one_way_to_bind_is_chosen(
    void** /*state*/) {
  Config c;
  std::string err;
  assert_true(SetKey(&c, "backend", "ldap", &err));
  assert_false(Validate(c, &err));
  ASSERT_CONTAINS(err, "ldap_uri and ldap_base");
  assert_true(SetKey(&c, "ldap_uri", "ldap://dir.example.com", &err));
  assert_true(SetKey(&c, "ldap_base", "dc=example,dc=com", &err));
  assert_true(Validate(c, &err));  // StartTLS by default
  assert_true(SetKey(&c, "ldap_starttls", "no", &err));
  assert_false(Validate(c, &err));
  ASSERT_CONTAINS(err, "ldap://dir.example.com");
  assert_true(
      SetKey(&c, "ldap_uri", "ldaps://dir.example.com ldap://127.0.0.1", &err));
  assert_true(Validate(c, &err));
  assert_true(SetKey(&c, "ldap_uri", "ldap://127.example.com", &err));
  assert_false(Validate(c, &err));
  assert_true(SetKey(&c, "ldap_uri", "ldaps://dir.example.com", &err));
  assert_true(SetKey(&c, "ldap_sasl_mech", "EXTERNAL", &err));
  assert_false(Validate(c, &err));  // no client certificate
  ASSERT_CONTAINS(err, "ldap_tls_cert");
  assert_true(SetKey(&c, "ldap_tls_cert", "/c.pem", &err));
  assert_true(SetKey(&c, "ldap_tls_key", "/c.key", &err));
  assert_true(Validate(c, &err));
  assert_true(SetKey(&c, "ldap_bind_dn", "cn=x", &err));
  assert_false(Validate(c, &err));  // one way to bind
  assert_true(SetKey(&c, "ldap_sasl_mech", "GSSAPI", &err));
  assert_false(Validate(c, &err));  // a bind DN and a client certificate
  ASSERT_CONTAINS(err, "ldap_keytab");
  assert_true(SetKey(&c, "ldap_bind_dn", "", &err));
  assert_false(Validate(c, &err));  // still the client certificate
  assert_true(SetKey(&c, "ldap_tls_cert", "", &err));
  assert_true(SetKey(&c, "ldap_tls_key", "", &err));
  assert_true(Validate(c, &err));  // the host keytab by default
  assert_string_equal(c.ldap_keytab.c_str(), "/etc/krb5.keytab");
}

// backend = ldap offers security questions only with a place for them.
void ldap_offers_questions_only_with_ldap_attr_questions(void** /*state*/) {
  Config c;
  std::string err;
  assert_true(SetKey(&c, "backend", "ldap", &err));
  assert_true(SetKey(&c, "ldap_uri", "ldaps://dir.example.com", &err));
  assert_true(SetKey(&c, "ldap_base", "dc=example,dc=com", &err));
  assert_true(SetKey(&c, "methods", "mobile, questions", &err));
  assert_false(Validate(c, &err));
  ASSERT_CONTAINS(err, "ldap_attr_questions");
  assert_true(SetKey(&c, "ldap_attr_questions", "ssprQuestionHash", &err));
  assert_true(Validate(c, &err));
  for (const char* schema : {"rfc2798", "freeipa", "ad"}) {  // no preset
    Config d;
    assert_true(SetKey(&d, "ldap_schema", schema, &err));
    assert_true(LdapAttr(d, "questions").empty());
  }
}

void module_arguments_set_keys_and_the_last_one_wins(void** /*state*/) {
  std::string err;
  {
    Config c;
    assert_true(ApplyArgs({"debug"}, &c, &err));
    assert_true(c.debug);
  }
  {
    Config c;
    assert_true(ApplyArgs({"debug", "debug=no"}, &c, &err));
    assert_false(c.debug);
  }
  {
    Config c;
    assert_true(ApplyArgs({"mode=block", "failmode=secure", "methods=office",
                           "helper=/opt/sspr/helper", "conf=/tmp/x.conf"},
                          &c, &err));
    assert_true(c.mode == Mode::kBlock);
    assert_true(c.failmode == FailMode::kSecure);
    assert_string_equal(Join(c.methods).c_str(), "office");
    assert_string_equal(c.helper.c_str(), "/opt/sspr/helper");
    assert_string_equal(c.conf.c_str(), "/tmp/x.conf");
  }
  // A value may contain '='.
  {
    Config c;
    assert_true(ApplyArgs({"enroll_url=https://x.example/?a=b"}, &c, &err));
    assert_string_equal(c.enroll_url.c_str(), "https://x.example/?a=b");
  }
  // A bare word other than debug.
  for (const char* bare : {"mode", "silent", "use_first_pass", "nodebug"}) {
    Config c;
    err.clear();
    assert_false(ApplyArgs({bare}, &c, &err));
    ASSERT_CONTAINS(err, std::string("'") + bare + "'");
  }
  // Unknown key, bad value, empty key.
  {
    Config c;
    err.clear();
    assert_false(ApplyArgs({"debug", "colour=red"}, &c, &err));
    ASSERT_CONTAINS(err, "'colour'");
    err.clear();
    assert_false(ApplyArgs({"mode=deny"}, &c, &err));
    ASSERT_CONTAINS(err, "'mode'");
    err.clear();
    assert_false(ApplyArgs({"=x"}, &c, &err));
    assert_false(err.empty());
    err.clear();
    assert_false(ApplyArgs({""}, &c, &err));
    assert_false(err.empty());
  }
}

// ---------------------------------------------------------------------------
// LoadConfigFile.

struct TempDir {
  std::string path;
};

int RemoveEntry(const char* p, const struct stat* /*sb*/, int /*flag*/,
                struct FTW* /*ftw*/) {
  chmod(p, 0700);
  return remove(p) == 0 ? 0 : 0;  // best effort, keep going
}

int DirSetup(void** state) {
  const char* tmp = getenv("TMPDIR");  // ctest's test-tmp: checked after
  std::string name =
      std::string(tmp && *tmp ? tmp : "/tmp") + "/sspr_config_test.XXXXXX";
  std::vector<char> tmpl(name.begin(), name.end());
  tmpl.push_back('\0');
  if (mkdtemp(tmpl.data()) == nullptr) return -1;
  auto* d = new TempDir;
  d->path = tmpl.data();
  *state = d;
  return 0;
}

int DirTeardown(void** state) {
  auto* d = static_cast<TempDir*>(*state);
  nftw(d->path.c_str(), RemoveEntry, 16, FTW_DEPTH | FTW_PHYS);
  delete d;
  return 0;
}

const std::string& Dir(void** state) {
  return static_cast<TempDir*>(*state)->path;
}

// Writes a file with exactly this content and mode (umask ignored).
std::string WriteFile(void** state, const std::string& name,
                      const std::string& content, mode_t mode = 0644) {
  std::string path = Dir(state) + "/" + name;
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  assert_true(fd >= 0);
  size_t off = 0;
  while (off < content.size()) {
    ssize_t n = write(fd, content.data() + off, content.size() - off);
    assert_true(n > 0);
    off += static_cast<size_t>(n);
  }
  assert_int_equal(close(fd), 0);
  assert_int_equal(chmod(path.c_str(), mode), 0);
  return path;
}

bool Load(const std::string& path, Config* c, std::string* err,
          bool check_perms = false, bool must_exist = true) {
  return LoadConfigFile(path, check_perms, must_exist, c, err);
}

template <class L>
std::string Joined(const L& list) {
  std::string out;
  for (std::string_view n : list) out += std::string(n) + "|";
  return out;
}

// The module's ModuleConfig and the helper's Config come from one parser:
// the same text and arguments give the same values and the same errors.
void a_module_config_is_parsed_as_the_helpers_config(void** state) {
  const std::string text =
      "# comment\n"
      "mode = block   # trailing comment\n"
      "failmode=secure\n"
      "texts_file = /etc/a\\#b # c\n"
      "exempt_users = alice, bad=name bob\t carol\n"
      "exempt_groups = wheel\n"
      "groups = staff admins\n"
      "skip_services = cron, sshd-x\n"
      "skip_rhosts = 10.0.0.0/8 not-a-net fd00::/8\n"
      "only_services = login sshd\n"
      "noninteractive_services = cron\n"
      "interactive_services = cockpit gdm\n"
      "cache_dir = /var/cache/a-rather-long-cache-directory\n"
      "cache_ttl = 1h\n"
      "min_uid = 1500\n"
      "rest_url = https://api.example.com/v1///\n"
      "methods = mobile email\n"
      "mdoe = warn\n"
      "no equals sign here\n"
      "reset_exclude_groups = sudo wheel\n"
      "backend = ldap\n"
      "ldap_uri = ldaps://a.example ldap://bad^host ldaps://b.example:636\n"
      "ldap_base = dc=example,dc=com\n"
      "ldap_connect_timeout = 7\n"
      "stale_ttl = 600\n";
  const std::string path = WriteFile(state, "same.conf", text);
  const std::vector<std::string> args = {"conf=" + path, "debug",
                                         "cache_ttl=120", "colour=red",
                                         "helper_timeout=9"};
  Config owned;
  std::vector<std::string> owned_errors;
  const bool owned_ok =
      LoadConfigAll(args, /*check_perms=*/false, &owned, &owned_errors);
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  ConfigText buf;
  ModuleConfig view;
  std::vector<std::string> view_errors;
  const bool view_ok =
      LoadModuleConfig(static_cast<int>(argv.size()), argv.data(),
                       /*check_perms=*/false, &buf, &view, &view_errors);
  assert_false(owned_ok);
  assert_int_equal(owned_ok, view_ok);
  assert_int_equal(owned_errors.size(), view_errors.size());
  for (size_t i = 0; i < owned_errors.size(); ++i)
    assert_string_equal(owned_errors[i].c_str(), view_errors[i].c_str());
  assert_int_equal(static_cast<int>(owned.mode), static_cast<int>(view.mode));
  assert_int_equal(static_cast<int>(owned.failmode),
                   static_cast<int>(view.failmode));
  assert_int_equal(static_cast<int>(owned.backend),
                   static_cast<int>(view.backend));
  assert_int_equal(owned.cache_ttl, 120);
  assert_int_equal(owned.cache_ttl, view.cache_ttl);
  assert_int_equal(owned.helper_timeout, view.helper_timeout);
  assert_int_equal(owned.min_uid, view.min_uid);
  assert_int_equal(owned.stale_ttl, view.stale_ttl);
  assert_int_equal(owned.ldap_connect_timeout, view.ldap_connect_timeout);
  assert_int_equal(owned.debug, view.debug);
  assert_string_equal(owned.texts_file.c_str(), "/etc/a#b");
  assert_string_equal(owned.texts_file.c_str(),
                      std::string(view.texts_file).c_str());
  assert_string_equal(owned.cache_dir.c_str(),
                      std::string(view.cache_dir).c_str());
  assert_string_equal(owned.rest_url.c_str(), "https://api.example.com/v1");
  assert_string_equal(owned.rest_url.c_str(),
                      std::string(view.rest_url).c_str());
  assert_string_equal(owned.conf.c_str(), std::string(view.conf).c_str());
  assert_string_equal(owned.ldap_base.c_str(),
                      std::string(view.ldap_base).c_str());
  assert_string_equal(Joined(owned.exempt_users).c_str(), "alice|bob|carol|");
  assert_string_equal(Joined(owned.skip_rhosts).c_str(),
                      "10.0.0.0/8|fd00::/8|");
  assert_string_equal(Joined(owned.ldap_uri).c_str(),
                      "ldaps://a.example|ldaps://b.example:636|");
  const std::pair<const std::vector<std::string>*, const NameView*> lists[] = {
      {&owned.methods, &view.methods},
      {&owned.groups, &view.groups},
      {&owned.exempt_users, &view.exempt_users},
      {&owned.exempt_groups, &view.exempt_groups},
      {&owned.only_services, &view.only_services},
      {&owned.skip_services, &view.skip_services},
      {&owned.skip_rhosts, &view.skip_rhosts},
      {&owned.noninteractive_services, &view.noninteractive_services},
      {&owned.interactive_services, &view.interactive_services},
      {&owned.ldap_uri, &view.ldap_uri},
      {&owned.reset_exclude_groups, &view.reset_exclude_groups},
  };
  for (const auto& l : lists) {
    assert_string_equal(Joined(*l.first).c_str(), Joined(*l.second).c_str());
    assert_int_equal(l.first->size(), l.second->size());
  }
}

// Both kinds start from the same defaults.
void a_module_config_has_the_helpers_defaults(void** /*state*/) {
  Config owned;
  ModuleConfig view;
  assert_string_equal(Joined(owned.methods).c_str(),
                      Joined(view.methods).c_str());
  assert_string_equal(Joined(owned.noninteractive_services).c_str(),
                      Joined(view.noninteractive_services).c_str());
  assert_string_equal(Joined(owned.interactive_services).c_str(),
                      Joined(view.interactive_services).c_str());
  assert_string_equal(Joined(owned.reset_exclude_groups).c_str(),
                      Joined(view.reset_exclude_groups).c_str());
  assert_string_equal(owned.cache_dir.c_str(),
                      std::string(view.cache_dir).c_str());
  assert_string_equal(owned.locale_dir.c_str(),
                      std::string(view.locale_dir).c_str());
  assert_string_equal(owned.conf.c_str(), std::string(view.conf).c_str());
  assert_int_equal(owned.cache_ttl, view.cache_ttl);
}

// A file too large for the module's stack buffer is read all the same
// (into one heap buffer), and one that fills 64 KiB is refused.
void a_module_config_larger_than_its_stack_buffer_loads(void** state) {
  std::string comments;  // 40 KiB of comment lines
  while (comments.size() < 40 * 1024) comments += "# a comment line\n";
  const std::string path =
      WriteFile(state, "big.conf", comments + "\nmode = warn\n");
  const std::string conf = "conf=" + path;
  const char* argv[] = {conf.c_str()};
  ConfigText buf;
  ModuleConfig c;
  std::vector<std::string> errors;
  assert_true(LoadModuleConfig(1, argv, false, &buf, &c, &errors));
  assert_int_equal(static_cast<int>(c.mode), static_cast<int>(Mode::kWarn));
  assert_non_null(buf.big.get());
  const std::string huge =
      WriteFile(state, "huge.conf", std::string(kMaxConfigFileSize + 1, '#'));
  const std::string conf2 = "conf=" + huge;
  const char* argv2[] = {conf2.c_str()};
  ConfigText buf2;
  ModuleConfig c2;
  assert_false(LoadModuleConfig(1, argv2, false, &buf2, &c2, &errors));
  assert_non_null(strstr(errors.back().c_str(), "larger than 65536 bytes"));
}

// A list view keeps only what its rule keeps, up to its limit.
void a_name_view_skips_refused_entries_and_stops_at_its_limit(void**) {
  auto no_x = [](std::string_view n) { return n.find('x') == n.npos; };
  const NameView all(" a,,bx\tc d ");
  assert_string_equal(Joined(all).c_str(), "a|bx|c|d|");
  assert_int_equal(all.size(), 4);
  const NameView kept(" a,,bx\tc d ", no_x, 2);
  assert_string_equal(Joined(kept).c_str(), "a|c|");
  assert_true(NameView(" ,\t").empty());
  assert_true(NameView("xx", no_x).empty());
}

// Every bad line is reported as file:line, in order, and every good line
// before and after it is applied.
void every_bad_line_is_reported_and_the_rest_applied(void** state) {
  std::string path = WriteFile(state, "typos.conf",
                               "failmode = secure\n"
                               "mdoe = block\n"
                               "exempt_users = alice\n"
                               "cache_ttl = 1h\n"
                               "no equals here\n"
                               "check_root = yes\n",
                               0644);
  Config c;
  std::vector<std::string> errors;
  assert_false(LoadConfigFileAll(path, false, true, &c, &errors));
  assert_int_equal(errors.size(), 3);
  ASSERT_CONTAINS(errors[0], path + ":2: unknown key 'mdoe'");
  ASSERT_CONTAINS(errors[1], path + ":4: 'cache_ttl'");
  ASSERT_CONTAINS(errors[2], path + ":5: expected 'key = value'");
  assert_true(c.failmode == FailMode::kSecure);
  assert_string_equal(Join(c.exempt_users).c_str(), "alice");
  assert_true(c.check_root);
  assert_int_equal(c.cache_ttl, Config().cache_ttl);
  // The one-string form says how many more there are.
  std::string err;
  Config d;
  assert_false(LoadConfigFile(path, false, true, &d, &err));
  ASSERT_CONTAINS(err, ":2: unknown key 'mdoe' (and 2 more)");
}

// The README's example style: "value   # comment" is a value and a comment.
void end_of_line_comments_are_comments(void** state) {
  std::string path = WriteFile(
      state, "eol.conf",
      "mode = block            # register | block | warn\n"
      "failmode = secure\t# deny when down\n"
      "delivery = command:/usr/local/sbin/send-sms   # argv: channel\n"
      "enroll_url = https://example.com/sspr#top\n"
      "exempt_users = alice, bob # people\n",
      0644);
  Config c;
  std::vector<std::string> errors;
  if (!LoadConfigFileAll(path, false, true, &c, &errors))
    fail_msg("%s", errors[0].c_str());
  assert_true(c.mode == Mode::kBlock);
  assert_true(c.failmode == FailMode::kSecure);
  assert_string_equal(c.delivery.c_str(), "command:/usr/local/sbin/send-sms");
  assert_string_equal(c.enroll_url.c_str(), "https://example.com/sspr#top");
  assert_string_equal(Join(c.exempt_users).c_str(), "alice|bob");
}

// LoadConfigAll: the exemptions and scope keys of a file with a typo hold,
// a module argument still wins, and every error is listed.
void exemptions_hold_when_another_line_is_bad(void** state) {
  std::string path = WriteFile(state, "mixed.conf",
                               "mdoe = block\n"
                               "exempt_users = alice, b=d\n"
                               "exempt_groups = wheel\n"
                               "min_uid = 5000\n"
                               "noninteractive = check\n"
                               "failmode = secure\n",
                               0644);
  Config c;
  std::vector<std::string> errors;
  assert_false(LoadConfigAll({"conf=" + path, "check_root", "failmode=safe"},
                             false, &c, &errors));
  assert_int_equal(errors.size(), 3);
  ASSERT_CONTAINS(errors[0], ":1: unknown key 'mdoe'");
  ASSERT_CONTAINS(errors[1], ":2: 'exempt_users' has an invalid name 'b=d'");
  ASSERT_CONTAINS(errors[2], "module argument 'check_root' is not key=value");
  assert_string_equal(Join(c.exempt_users).c_str(), "alice");
  assert_string_equal(Join(c.exempt_groups).c_str(), "wheel");
  assert_int_equal(c.min_uid, 5000);
  assert_true(c.noninteractive == NonInteractive::kCheck);
  assert_true(c.failmode == FailMode::kSafe);  // the argument wins
  assert_false(c.check_root);
}

// The shared reader: kRootPrivate wants root and no group/other bits,
// every rule refuses a non-regular file, and sizes are capped.
void small_files_follow_their_owner_mode_and_size_rules(void** state) {
  std::string text, err;
  std::string priv = WriteFile(state, "secret", "k = v\n", 0600);
  assert_true(ReadSmallFile(priv, FileRule::kRootPrivate, 64, &text, &err));
  assert_string_equal(text.c_str(), "k = v\n");
  assert_int_equal(chmod(priv.c_str(), 0640), 0);
  assert_false(ReadSmallFile(priv, FileRule::kRootPrivate, 64, &text, &err));
  assert_non_null(strstr(err.c_str(), "with mode 0600 (fix: chown"));
  assert_true(text.empty());
  assert_true(ReadSmallFile(priv, FileRule::kRootNotWritable, 64, &text, &err));
  assert_false(ReadSmallFile(priv, FileRule::kAnyOwner, 5, &text, &err));
  assert_non_null(strstr(err.c_str(), ": larger than 5 bytes"));
  assert_false(ReadSmallFile(Dir(state), FileRule::kAnyOwner, 64, &text, &err));
  assert_non_null(strstr(err.c_str(), ": not a regular file"));
  int open_errno = 0;
  assert_false(ReadSmallFile(Dir(state) + "/none", FileRule::kAnyOwner, 64,
                             &text, &err, &open_errno));
  assert_int_equal(open_errno, ENOENT);
}

void each_line_is_visited_with_its_file_and_line_number(void** state) {
  (void)state;
  std::vector<std::string> seen;
  assert_true(ForEachLine("a\r\n\nb", "f",
                          [&](std::string* line, const std::string& where) {
                            seen.push_back(where + *line);
                            return true;
                          }));
  assert_int_equal(seen.size(), 3);
  assert_string_equal(seen[0].c_str(), "f:1: a");
  assert_string_equal(seen[1].c_str(), "f:2: ");
  assert_string_equal(seen[2].c_str(), "f:3: b");
  int calls = 0;
  assert_false(ForEachLine(
      "x\ny\n", "f",
      [&](std::string*, const std::string&) { return ++calls < 1; }));
  assert_int_equal(calls, 1);
}

void a_file_with_comments_blank_lines_and_spaces_loads(void** state) {
  std::string path = WriteFile(state, "a.conf",
                               "# pam_sspr configuration\n"
                               "\n"
                               "   \n"
                               "\t# an indented comment\n"
                               "mode=warn\n"
                               "  failmode   =   secure  \n"
                               "methods\t=\toffice, mobile\n"
                               "#methods = mobile\n"
                               "default_region = gb\n"
                               "enroll_url = https://x.example/?a=b\n"
                               "debug =\n"
                               "cache_ttl = 60");  // no final newline
  Config c;
  std::string err;
  if (!Load(path, &c, &err)) fail_msg("%s", err.c_str());
  assert_true(c.mode == Mode::kWarn);
  assert_true(c.failmode == FailMode::kSecure);
  assert_string_equal(Join(c.methods).c_str(), "office|mobile");
  assert_string_equal(c.default_region.c_str(), "GB");
  assert_string_equal(c.enroll_url.c_str(), "https://x.example/?a=b");
  assert_true(c.debug);
  assert_int_equal(c.cache_ttl, 60);
}

void a_file_with_crlf_line_ends_loads(void** state) {
  std::string path = WriteFile(state, "crlf.conf",
                               "# windows line ends\r\n"
                               "\r\n"
                               "mode = block\r\n"
                               "helper_timeout = 12\r\n"
                               "methods = mobile\r\n");
  Config c;
  std::string err;
  if (!Load(path, &c, &err)) fail_msg("%s", err.c_str());
  assert_true(c.mode == Mode::kBlock);
  assert_int_equal(c.helper_timeout, 12);
  assert_string_equal(Join(c.methods).c_str(), "mobile");
}

void an_empty_file_leaves_the_defaults(void** state) {
  std::string path = WriteFile(state, "empty.conf", "");
  Config c;
  std::string err;
  assert_true(Load(path, &c, &err));
  assert_true(c.mode == Mode::kRegister);
}

void an_unknown_key_in_a_file_names_its_line(void** state) {
  std::string path = WriteFile(state, "u.conf",
                               "# comment\n"
                               "mode = warn\n"
                               "colour = blue\n"
                               "failmode = secure\n");
  Config c;
  std::string err;
  assert_false(Load(path, &c, &err));
  ASSERT_CONTAINS(err, path + ":3:");
  ASSERT_CONTAINS(err, "colour");
}

void a_bad_value_in_a_file_names_its_line(void** state) {
  std::string path = WriteFile(state, "v.conf", "\n\n\n\ncode_length = 4\n");
  Config c;
  std::string err;
  assert_false(Load(path, &c, &err));
  ASSERT_CONTAINS(err, path + ":5:");
  ASSERT_CONTAINS(err, "code_length");
}

void a_line_without_equals_or_key_is_refused(void** state) {
  std::string path = WriteFile(state, "n.conf", "mode = warn\ndebug\n");
  Config c;
  std::string err;
  assert_false(Load(path, &c, &err));
  ASSERT_CONTAINS(err, path + ":2:");
  // Also an empty key.
  path = WriteFile(state, "k.conf", " = warn\n");
  err.clear();
  assert_false(Load(path, &c, &err));
  ASSERT_CONTAINS(err, path + ":1:");
}

void conf_and_helper_are_refused_in_the_file(void** state) {
  for (const char* key : {"conf", "helper"}) {
    std::string path =
        WriteFile(state, std::string(key) + ".conf",
                  "mode = warn\n" + std::string(key) + " = /tmp/evil\n");
    Config c;
    std::string err;
    assert_false(Load(path, &c, &err));
    ASSERT_CONTAINS(err, path + ":2:");
    ASSERT_CONTAINS(err, key);
    assert_true(c.helper.empty());
    assert_string_equal(c.conf.c_str(), kDefaultConfPath);
  }
  // debug is allowed in the file.
  std::string path = WriteFile(state, "d.conf", "debug = yes\n");
  Config c;
  std::string err;
  assert_true(Load(path, &c, &err));
  assert_true(c.debug);
}

void a_line_longer_than_the_limit_is_refused(void** state) {
  // Exactly kMaxConfigLine bytes: fine.
  std::string ok_line = "# " + std::string(kMaxConfigLine - 2, 'x');
  std::string path = WriteFile(state, "ok.conf", ok_line + "\nmode = warn\n");
  Config c;
  std::string err;
  if (!Load(path, &c, &err)) fail_msg("%s", err.c_str());
  assert_true(c.mode == Mode::kWarn);
  // One more: rejected, naming the line.
  path = WriteFile(state, "long.conf",
                   "mode = warn\n" + ok_line + "x\nmode = block\n");
  err.clear();
  assert_false(Load(path, &c, &err));
  ASSERT_CONTAINS(err, path + ":2:");
  // A long value on a key line, too.
  path = WriteFile(state, "longv.conf",
                   "groups = " + std::string(kMaxConfigLine, 'g') + "\n");
  err.clear();
  assert_false(Load(path, &c, &err));
  ASSERT_CONTAINS(err, path + ":1:");
}

void a_file_larger_than_the_limit_is_refused(void** state) {
  // Exactly kMaxConfigFileSize bytes of comments: accepted.
  std::string line = "# " + std::string(1021, 'c') + "\n";  // 1024 bytes
  std::string text;
  while (text.size() < kMaxConfigFileSize) text += line;
  assert_int_equal(text.size(), kMaxConfigFileSize);
  std::string path = WriteFile(state, "max.conf", text);
  Config c;
  std::string err;
  if (!Load(path, &c, &err)) fail_msg("%s", err.c_str());
  // One byte more: rejected.
  path = WriteFile(state, "big.conf", text + "\n");
  err.clear();
  assert_false(Load(path, &c, &err));
  ASSERT_CONTAINS(err, path);
}

void a_nul_byte_in_a_file_is_refused(void** state) {
  std::string text = "mode = warn\nfailmode = se";
  text.push_back('\0');
  text += "cure\n";
  std::string path = WriteFile(state, "nul.conf", text);
  Config c;
  std::string err;
  assert_false(Load(path, &c, &err));
  ASSERT_CONTAINS(err, path + ":2:");
  // Inside a comment, too.
  text = "# a comment";
  text.push_back('\0');
  text += "\n";
  path = WriteFile(state, "nul2.conf", text);
  err.clear();
  assert_false(Load(path, &c, &err));
  ASSERT_CONTAINS(err, path + ":1:");
}

void a_directory_in_place_of_the_file_is_refused(void** state) {
  std::string path = Dir(state) + "/dir.conf";
  assert_int_equal(mkdir(path.c_str(), 0755), 0);
  Config c;
  std::string err;
  assert_false(Load(path, &c, &err, false, false));
  ASSERT_CONTAINS(err, path);
}

void a_device_in_place_of_the_file_is_refused(void** /*state*/) {
  Config c;
  std::string err;
  assert_false(Load("/dev/null", &c, &err, false, false));
  ASSERT_CONTAINS(err, "/dev/null");
}

void a_symlink_in_place_of_the_file_is_refused(void** state) {
  std::string target = WriteFile(state, "real.conf", "mode = warn\n");
  std::string link = Dir(state) + "/link.conf";
  assert_int_equal(symlink(target.c_str(), link.c_str()), 0);
  Config c;
  std::string err;
  assert_false(Load(link, &c, &err, false, false));
  ASSERT_CONTAINS(err, link);
  assert_true(c.mode == Mode::kRegister);
  // A dangling symlink is not "missing".
  std::string dangling = Dir(state) + "/dangling.conf";
  assert_int_equal(symlink("/nonexistent/sspr.conf", dangling.c_str()), 0);
  err.clear();
  assert_false(Load(dangling, &c, &err, false, false));
}

void a_missing_file_is_the_defaults_unless_it_must_exist(void** state) {
  std::string path = Dir(state) + "/missing.conf";
  Config c;
  std::string err;
  assert_true(Load(path, &c, &err, false, false));
  assert_true(c.mode == Mode::kRegister);
  assert_true(Load(path, &c, &err, true, false));
  err.clear();
  assert_false(Load(path, &c, &err, false, true));
  ASSERT_CONTAINS(err, path);
}

// A FIFO in place of the config file must not block the login.
void a_fifo_in_place_of_the_file_does_not_hang(void** state) {
  std::string path = Dir(state) + "/fifo.conf";
  assert_int_equal(mkfifo(path.c_str(), 0644), 0);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    alarm(10);
    Config c;
    std::string err;
    bool ok = LoadConfigFile(path, false, false, &c, &err);
    _exit(ok ? 1 : 0);  // must fail (not a regular file), and return
  }
  int status = 0;
  pid_t r = 0;
  for (int i = 0; i < 200 && r == 0; ++i) {  // up to ~2 s
    r = waitpid(pid, &status, WNOHANG);
    if (r == 0) {
      struct timespec ts = {0, 10 * 1000 * 1000};
      nanosleep(&ts, nullptr);
    }
  }
  if (r == 0) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    fail_msg("LoadConfigFile blocked opening a FIFO");
  }
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), 0);
}

// ---------------------------------------------------------------------------
// Ownership and permissions (need root to create root- and other-owned files).

void a_file_of_another_owner_is_refused_when_perms_are_checked(void** state) {
  if (geteuid() != 0) skip();
  std::string path = WriteFile(state, "nobody.conf", "mode = warn\n", 0644);
  assert_int_equal(chown(path.c_str(), 65534, 65534), 0);
  Config c;
  std::string err;
  assert_false(Load(path, &c, &err, true));
  ASSERT_CONTAINS(err, path);
  assert_true(c.mode == Mode::kRegister);
  err.clear();
  assert_true(Load(path, &c, &err, false));
  assert_true(c.mode == Mode::kWarn);
}

void a_group_writable_file_is_refused_when_perms_are_checked(void** state) {
  if (geteuid() != 0) skip();
  std::string path = WriteFile(state, "gw.conf", "mode = warn\n", 0664);
  assert_int_equal(chown(path.c_str(), 0, 0), 0);
  Config c;
  std::string err;
  assert_false(Load(path, &c, &err, true));
  ASSERT_CONTAINS(err, path);
  assert_true(Load(path, &c, &err, false));
}

void a_world_writable_file_is_refused(void** state) {
  if (geteuid() != 0) skip();
  std::string path = WriteFile(state, "ww.conf", "mode = warn\n", 0646);
  assert_int_equal(chown(path.c_str(), 0, 0), 0);
  Config c;
  std::string err;
  assert_false(Load(path, &c, &err, true));
  ASSERT_CONTAINS(err, path);
}

void a_root_owned_file_not_writable_by_others_loads(void** state) {
  if (geteuid() != 0) skip();
  for (mode_t mode : {0644, 0600, 0444, 0640}) {
    std::string path = WriteFile(state, "root.conf", "mode = block\n", mode);
    assert_int_equal(chown(path.c_str(), 0, 0), 0);
    Config c;
    std::string err;
    if (!Load(path, &c, &err, true)) fail_msg("mode %o: %s", mode, err.c_str());
    assert_true(c.mode == Mode::kBlock);
  }
  // Owned by root with a non-root group, not group-writable: fine.
  std::string path = WriteFile(state, "rootgrp.conf", "mode = block\n", 0644);
  assert_int_equal(chown(path.c_str(), 0, 65534), 0);
  Config c;
  std::string err;
  assert_true(Load(path, &c, &err, true));
}

// ---------------------------------------------------------------------------
// LoadConfig.

void load_config_reads_the_file_named_by_conf(void** state) {
  std::string path = WriteFile(
      state, "pick.conf", "mode = block\nmethods = mobile\ncache_ttl = 5\n");
  Config c;
  std::string err;
  if (!LoadConfig({"conf=" + path}, false, &c, &err))
    fail_msg("%s", err.c_str());
  assert_string_equal(c.conf.c_str(), path.c_str());
  assert_true(c.mode == Mode::kBlock);
  assert_int_equal(c.cache_ttl, 5);
}

void module_arguments_win_over_the_file(void** state) {
  std::string path =
      WriteFile(state, "win.conf", "mode = block\nfailmode = secure\n");
  Config c;
  std::string err;
  if (!LoadConfig({"mode=warn", "conf=" + path, "debug"}, false, &c, &err))
    fail_msg("%s", err.c_str());
  assert_true(c.mode == Mode::kWarn);            // arg beats file
  assert_true(c.failmode == FailMode::kSecure);  // file value kept
  assert_true(c.debug);
}

void load_config_names_a_missing_relative_or_bad_file(void** state) {
  Config c;
  std::string err;
  // An explicit conf= that does not exist is an error.
  std::string missing = Dir(state) + "/nope.conf";
  assert_false(LoadConfig({"conf=" + missing}, false, &c, &err));
  ASSERT_CONTAINS(err, missing);
  // conf= must be absolute.
  err.clear();
  assert_false(LoadConfig({"conf=relative.conf"}, false, &c, &err));
  ASSERT_CONTAINS(err, "'conf'");
  // A bad line in the file.
  std::string bad = WriteFile(state, "bad.conf", "mode = nope\n");
  Config c2;
  err.clear();
  assert_false(LoadConfig({"conf=" + bad}, false, &c2, &err));
  ASSERT_CONTAINS(err, bad + ":1:");
  // A bad argument.
  std::string good = WriteFile(state, "good.conf", "mode = warn\n");
  Config c3;
  err.clear();
  assert_false(LoadConfig({"conf=" + good, "bogus"}, false, &c3, &err));
  ASSERT_CONTAINS(err, "'bogus'");
  // The combined result is validated.
  std::string one = WriteFile(state, "one.conf", "methods = mobile\n");
  Config c4;
  err.clear();
  assert_false(
      LoadConfig({"conf=" + one, "methods_required=2"}, false, &c4, &err));
  ASSERT_CONTAINS(err, "methods_required");
}

void load_config_checks_the_file_perms(void** state) {
  if (geteuid() != 0) skip();
  std::string path = WriteFile(state, "p.conf", "mode = warn\n", 0666);
  assert_int_equal(chown(path.c_str(), 0, 0), 0);
  Config c;
  std::string err;
  assert_false(LoadConfig({"conf=" + path}, true, &c, &err));
  assert_int_equal(chmod(path.c_str(), 0644), 0);
  Config c2;
  err.clear();
  if (!LoadConfig({"conf=" + path}, true, &c2, &err))
    fail_msg("%s", err.c_str());
  assert_true(c2.mode == Mode::kWarn);
}

// ---------------------------------------------------------------------------
// SafeFileName.

bool OnlySafeChars(const std::string& s) {
  for (unsigned char ch : s) {
    bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
              (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-' ||
              ch == '%';
    if (!ok) return false;
  }
  return true;
}

void a_user_name_becomes_a_safe_file_name(void** /*state*/) {
  assert_string_equal(SafeFileName("alice").c_str(), "alice");
  assert_string_equal(SafeFileName("Bob_2-x.y").c_str(), "Bob_2-x.y");
  assert_string_equal(SafeFileName("a b").c_str(), "a%20b");
  assert_string_equal(SafeFileName("caf\xc3\xa9").c_str(), "caf%C3%A9");
  assert_string_equal(SafeFileName("%").c_str(), "%25");
  assert_string_equal(SafeFileName("a/b").c_str(), "a%2Fb");
  assert_string_equal(SafeFileName("DOMAIN\\user").c_str(), "DOMAIN%5Cuser");

  std::string up = SafeFileName("../x");
  assert_null(strchr(up.c_str(), '/'));
  assert_true(up[0] != '.');
  assert_true(OnlySafeChars(up));

  for (const char* dot : {".", "..", ".hidden", "...."}) {
    std::string s = SafeFileName(dot);
    assert_true(!s.empty() && s[0] != '.');
    assert_string_not_equal(s.c_str(), ".");
    assert_string_not_equal(s.c_str(), "..");
  }
  std::string nul = SafeFileName(std::string("a\0b", 3));
  assert_string_equal(nul.c_str(), "a%00b");
  assert_int_equal(nul.size(), 5);

  // Empty stays empty (callers must not use it as a file name).
  assert_string_equal(SafeFileName("").c_str(), "%");
}

void no_two_user_names_share_a_file_name(void** /*state*/) {
  const std::vector<std::string> users = {"alice",
                                          "Alice",
                                          ".alice",
                                          "%2Ealice",
                                          "a b",
                                          "a%20b",
                                          "a_b",
                                          "a-b",
                                          "a.b",
                                          "a/b",
                                          "a%2Fb",
                                          "..",
                                          ".",
                                          "%2E",
                                          "%2E.",
                                          "x",
                                          "\xc3\xa9",
                                          "%C3%A9",
                                          "%c3%a9",
                                          "user@example.com",
                                          "user%40example.com"};
  std::set<std::string> seen;
  for (const auto& u : users) {
    std::string s = SafeFileName(u);
    assert_true(OnlySafeChars(s));
    if (!seen.insert(s).second)
      fail_msg("SafeFileName('%s') = '%s' collides", u.c_str(), s.c_str());
  }
  // All single bytes map to distinct, safe names.
  std::set<std::string> bytes;
  for (int b = 1; b < 256; ++b) {
    std::string s = SafeFileName(std::string(1, static_cast<char>(b)));
    assert_true(OnlySafeChars(s));
    assert_true(s[0] != '.');
    assert_true(bytes.insert(s).second);
  }
}

void file_names_do_not_depend_on_the_locale(void** /*state*/) {
  // Under a UTF-8 or Latin-1 locale, bytes >= 0x80 are still escaped.
  const char* locales[] = {"C.UTF-8", "en_US.UTF-8", "en_US.ISO-8859-1",
                           "de_DE.ISO-8859-1"};
  for (const char* loc : locales) {
    if (setlocale(LC_ALL, loc) == nullptr) continue;
    for (int b = 0x80; b < 0x100; ++b) {
      std::string s = SafeFileName(std::string(1, static_cast<char>(b)));
      assert_int_equal(s.size(), 3);
      assert_int_equal(s[0], '%');
    }
  }
  setlocale(LC_ALL, "C");
}

}  // namespace
}  // namespace sspr

int main() {
  using namespace sspr;  // NOLINT(build/namespaces)
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(
          every_key_takes_its_good_values_and_refuses_its_bad_ones),
      cmocka_unit_test(a_list_with_a_bad_entry_keeps_its_valid_entries),
      cmocka_unit_test(the_scope_keys_have_their_documented_defaults),
      cmocka_unit_test(a_hash_after_white_space_starts_a_comment),
      cmocka_unit_test(an_invalid_skip_rhosts_entry_is_named_in_the_error),
      cmocka_unit_test(an_unknown_key_is_refused_and_named),
      cmocka_unit_test(a_value_longer_than_a_line_is_refused),
      cmocka_unit_test(
          every_number_key_takes_its_bounds_and_refuses_beyond_them),
      cmocka_unit_test(the_enum_keys_take_each_of_their_names),
      cmocka_unit_test(the_methods_list_is_trimmed_and_refuses_repeats),
      cmocka_unit_test(default_region_is_two_letters_in_upper_case),
      cmocka_unit_test(delivery_takes_an_absolute_outbox_or_command_only),
      cmocka_unit_test(enroll_url_takes_https_up_to_400_characters),
      cmocka_unit_test(names_and_paths_have_their_length_limits),
      cmocka_unit_test(debug_takes_the_usual_yes_and_no_words),
      cmocka_unit_test(a_list_splits_at_commas_and_white_space),
      cmocka_unit_test(validate_refuses_settings_that_contradict_each_other),
      cmocka_unit_test(module_arguments_set_keys_and_the_last_one_wins),
      cmocka_unit_test(
          plain_ldap_goes_only_to_this_host_and_one_way_to_bind_is_chosen),
      cmocka_unit_test(ldap_offers_questions_only_with_ldap_attr_questions),
#define DIR_TEST(f) cmocka_unit_test_setup_teardown(f, DirSetup, DirTeardown)
      DIR_TEST(every_bad_line_is_reported_and_the_rest_applied),
      DIR_TEST(end_of_line_comments_are_comments),
      DIR_TEST(exemptions_hold_when_another_line_is_bad),
      DIR_TEST(a_file_with_comments_blank_lines_and_spaces_loads),
      DIR_TEST(small_files_follow_their_owner_mode_and_size_rules),
      cmocka_unit_test(each_line_is_visited_with_its_file_and_line_number),
      DIR_TEST(a_file_with_crlf_line_ends_loads),
      DIR_TEST(an_empty_file_leaves_the_defaults),
      DIR_TEST(an_unknown_key_in_a_file_names_its_line),
      DIR_TEST(a_bad_value_in_a_file_names_its_line),
      DIR_TEST(a_line_without_equals_or_key_is_refused),
      DIR_TEST(conf_and_helper_are_refused_in_the_file),
      DIR_TEST(a_line_longer_than_the_limit_is_refused),
      DIR_TEST(a_file_larger_than_the_limit_is_refused),
      DIR_TEST(a_nul_byte_in_a_file_is_refused),
      DIR_TEST(a_directory_in_place_of_the_file_is_refused),
      cmocka_unit_test(a_device_in_place_of_the_file_is_refused),
      DIR_TEST(a_symlink_in_place_of_the_file_is_refused),
      DIR_TEST(a_missing_file_is_the_defaults_unless_it_must_exist),
      DIR_TEST(a_fifo_in_place_of_the_file_does_not_hang),
      DIR_TEST(a_file_of_another_owner_is_refused_when_perms_are_checked),
      DIR_TEST(a_group_writable_file_is_refused_when_perms_are_checked),
      DIR_TEST(a_world_writable_file_is_refused),
      DIR_TEST(a_root_owned_file_not_writable_by_others_loads),
      DIR_TEST(load_config_reads_the_file_named_by_conf),
      DIR_TEST(module_arguments_win_over_the_file),
      DIR_TEST(load_config_names_a_missing_relative_or_bad_file),
      DIR_TEST(load_config_checks_the_file_perms),
      DIR_TEST(a_module_config_is_parsed_as_the_helpers_config),
      DIR_TEST(a_module_config_larger_than_its_stack_buffer_loads),
#undef DIR_TEST
      cmocka_unit_test(a_module_config_has_the_helpers_defaults),
      cmocka_unit_test(
          a_name_view_skips_refused_entries_and_stops_at_its_limit),
      cmocka_unit_test(a_user_name_becomes_a_safe_file_name),
      cmocka_unit_test(no_two_user_names_share_a_file_name),
      cmocka_unit_test(file_names_do_not_depend_on_the_locale),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
