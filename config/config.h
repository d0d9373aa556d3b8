// The configuration shared by pam_sspr.so, sspr-helper and the CLIs.
// One setter serves both the config file and the module arguments.
#ifndef SSPR_CONFIG_CONFIG_H_
#define SSPR_CONFIG_CONFIG_H_

#include <cstdint>
#include <string>
#include <vector>

namespace sspr {

enum class Mode { kRegister, kBlock, kWarn };
enum class FailMode { kSafe, kSecure };
enum class NonInteractive { kSkip, kCheck };
enum class BackendKind { kLocal, kRest, kGraph, kOkta, kLdap };

constexpr const char* kDefaultConfPath = "/etc/security/pam_sspr.conf";
constexpr size_t kMaxConfigFileSize = 64 * 1024;
constexpr size_t kMaxConfigLine = 4096;
// Where the message catalogues are installed (CMAKE_INSTALL_FULL_LOCALEDIR).
extern const char kDefaultLocaleDir[];

struct Config {
  BackendKind backend = BackendKind::kLocal;
  Mode mode = Mode::kRegister;
  std::vector<std::string> methods = {"mobile", "office"};
  int methods_required = 1;
  int questions_required = 3;   // security questions to answer (3-5)
  std::string questions_file;   // the admin's own questions, one a line
  std::string email_delivery;   // like delivery, for e-mail; "" = delivery
  int reconfirm_days = 180;     // ask to confirm methods; 0 = never
  int snooze_max = 0;           // "later" answers allowed per user
  int snooze_interval = 86400;  // seconds between two reminders
  int64_t grace_until = 0;      // "later" allowed until (unix time); 0 = no
  std::string default_region = "US";
  FailMode failmode = FailMode::kSafe;
  std::vector<std::string> groups, exempt_users, exempt_groups;
  std::string state_dir = "/var/lib/pam_sspr";
  std::string cache_dir = "/var/cache/pam_sspr";
  int cache_ttl = 86400;       // seconds a positive answer is cached
  int helper_timeout = 30;     // seconds the module waits for one frame
  int dialogue_timeout = 600;  // seconds for the whole dialogue
  int request_timeout = 10;    // seconds for one backend request
  int code_length = 6;
  int code_ttl = 300;          // seconds a code stays valid
  int max_attempts = 3;        // wrong codes before the dialogue fails
  int max_input_attempts = 3;  // invalid answers at one prompt
  int resend_cooldown = 30;    // seconds between two codes
  int rate_limit = 5;          // codes per user to one number per window
  int rate_user_limit = 10;    // codes per user to all numbers per window
  int rate_number_limit = 20;  // codes to one number from all users per
                               // window: a brake, never a lockout
  int rate_window = 3600;
  int rate_lockout = 86400;  // lockout once the limit is hit
  std::string delivery;      // outbox:PATH | command:PATH
  int delivery_timeout = 10;
  std::string helper_user = "_sspr";
  std::string secrets_file = "/etc/security/pam_sspr.secrets";
  std::string enroll_url = "https://aka.ms/ssprsetup";
  // Module-only keys.
  std::string conf = kDefaultConfPath;
  std::string helper;
  bool debug = false;
  // Registration services (backend = rest | graph | okta) and the module's
  // stale-if-error cache; each documented in pam_sspr.conf(5).
  int stale_ttl =
      0;  // s an expired positive entry may answer while the service is down
  std::string cafile;         // CA bundle for the services ("" = system store)
  std::string pinned_pubkey;  // sha256//BASE64[;...] or a key file ("" = none)
  std::string directory_user = "%u";  // name in the directory, %u = login
  std::string rest_url;               // base URL of the rest API
  std::string graph_tenant;           // Entra tenant id or domain
  std::string graph_client_id;        // application (client) id
  std::string graph_login_url = "https://login.microsoftonline.com";
  std::string graph_url = "https://graph.microsoft.com";
  std::string graph_status = "methods";  // methods | report
  bool graph_write = true;               // the app may add phone/email methods
  std::string okta_url;                  // https://example.okta.com
  // Scope by service and remote host (config/scope.h).
  std::vector<std::string> only_services, skip_services;
  std::vector<std::string> skip_rhosts;  // CIDR networks, checked when set
  // Scope by account and caller (config/scope.h).
  int min_uid = -1;         // -1: UID_MIN of /etc/login.defs at run time
  bool check_root = false;  // root is checked only when named
  NonInteractive noninteractive = NonInteractive::kSkip;
  std::vector<std::string> noninteractive_services = {
      "cron",   "crond",   "atd",       "systemd-user", "sudo",
      "sudo-i", "runuser", "runuser-l", "polkit-1",     "pkexec"};
  std::vector<std::string> interactive_services = {"cockpit"};
  bool show_qr = true;  // block/warn messages add a QR code of enroll_url
  bool seccomp =
      true;  // the helper's system-call filter (helper/sandbox/seccomp.h)
  // Translations and the admin's own texts (helper/i18n.h).
  std::string locale_dir = kDefaultLocaleDir;  // <lang>/LC_MESSAGES/pam_sspr.mo
  std::string texts_file;  // intro/help texts ("" = the built-in ones)
  // email_delivery = smtp (helper/delivery/smtp_sender.h); the password is
  // secrets_file's smtp_password.
  std::string smtp_url;   // smtp://host[:port] (STARTTLS) | smtps://host[:port]
  std::string smtp_from;  // sender address
  std::string smtp_user;  // "" = no AUTH
  // backend = okta as an OAuth 2.0 service app (private_key_jwt) instead
  // of an SSWS API token; the key is secrets_file's okta_private_key_file.
  std::string okta_client_id;  // "" = use okta_api_token
  std::string okta_key_id;     // "kid" of the JWT ("" = none)
  std::string okta_scopes = "okta.users.read okta.users.manage";
  // backend = ldap (helper/backends/ldap.cc; keys in config/ldap_keys.cc).
  // An empty attribute or filter means ldap_schema's (LdapEffective*).
  std::vector<std::string> ldap_uri;  // tried in order
  bool ldap_starttls = true;          // for ldap:// URIs
  std::string ldap_base;
  std::string ldap_scope = "sub";  // base | one | sub
  std::string ldap_user_filter;    // "" = the schema's; %u escaped
  std::string ldap_bind_dn;  // password: secrets_file's ldap_bind_password
  std::string ldap_schema = "rfc2798";  // rfc2798 | freeipa | ad
  std::string ldap_attr_mobile, ldap_attr_office, ldap_attr_email;
  std::string ldap_attr_verified;   // "" = any value counts
  std::string ldap_attr_questions;  // "" = questions not offered (no preset)
  int ldap_connect_timeout = 3;     // seconds per URI
  std::string ldap_sasl_mech;       // "" (simple bind) | EXTERNAL
  std::string ldap_tls_cert, ldap_tls_key;  // client certificate (EXTERNAL)
  // ldap_sasl_mech = GSSAPI: the keytab (read as root, before the drop),
  // its principal ("" = the keytab's first) and libkrb5's configuration.
  std::string ldap_keytab = "/etc/krb5.keytab";
  std::string ldap_krb5_principal;
  std::string ldap_krb5_conf = "/etc/krb5.conf";
  // Reset at the login prompt (pam_sm_authenticate; helper/reset_dialogue.h).
  bool reset = false;              // offered after a wrong password
  int reset_methods_required = 1;  // registered methods to prove (1-2)
  int reset_questions = 3;         // security questions asked (1-5)
  std::string reset_contact = "your administrator";  // in the notice
  std::vector<std::string> reset_exclude_groups = {"sudo", "wheel", "adm",
                                                   "admin"};
  int reset_limit = 3;       // resets per user per day
  int reset_fail_limit = 5;  // failed proofs per user per day
  std::string reset_passwd_service = "passwd";  // PAM service of sspr-setpass
  std::string setpass;  // module argument only: sspr-setpass path
};

// Sets one key. On failure *err names the key and says what is wrong.
bool SetKey(Config* c, const std::string& key, const std::string& value,
            std::string* err);

// Every key SetKey knows, sorted (from its own table; for the docs check).
std::vector<std::string> ConfigKeyNames();

// Checks relations between keys (e.g. methods_required <= methods).
bool Validate(const Config& c, std::string* err);

// Reads `path` and applies every valid `key = value` line; every invalid
// one is added to *errors ("/etc/security/pam_sspr.conf:12: unknown key
// 'foo'") and the reading goes on. A '#' at the start of a line, or after
// a space or tab, starts a comment; "\#" is a literal '#'. With
// check_perms the file must be a regular file owned by root and not
// writable by group or others. A missing file is an error only when
// `must_exist`. True when nothing was added to *errors.
// One config line without its comment: from a '#' at the start or after a
// space or tab to the end; "\#" stands for a literal '#'.
std::string StripComment(const std::string& line);
bool LoadConfigFileAll(const std::string& path, bool check_perms,
                       bool must_exist, Config* c,
                       std::vector<std::string>* errors);
// The same; *err is the first error (and how many more there are).
bool LoadConfigFile(const std::string& path, bool check_perms, bool must_exist,
                    Config* c, std::string* err);

// Applies module arguments (`key=value` or a bare flag such as `debug`).
// Non-config arguments are rejected with a clear error.
bool ApplyArgs(const std::vector<std::string>& args, Config* c,
               std::string* err);

// Loads the whole configuration the way the module and the helper do:
// `conf=` from args picks the file, the file is read, then args win, then
// the relations between keys are checked. Every problem is added to
// *errors and the loading goes on, so *c holds everything that is valid
// (a list with one bad entry keeps its other entries). True when clean.
bool LoadConfigAll(const std::vector<std::string>& args, bool check_perms,
                   Config* c, std::vector<std::string>* errors);
// The same; *err is the first error (and how many more there are).
bool LoadConfig(const std::vector<std::string>& args, bool check_perms,
                Config* c, std::string* err);
// "first error" or "first error (and N more)".
std::string FirstError(const std::vector<std::string>& errors);

const char* ModeName(Mode m);
const char* FailModeName(FailMode m);
// "local" | "rest" | "graph" | "okta", as the `backend` key spells it.
const char* BackendName(BackendKind b);
std::vector<std::string> SplitList(const std::string& v);

// email_delivery = smtp: smtp://HOST[:PORT] or smtps://HOST[:PORT], a host
// always, nothing else (*err says what is wrong).
bool SmtpUrlValid(const std::string& url, std::string* err);
// An address such as smtp_from: printable ASCII without <>(),;:"\[] and
// spaces, one '@' with text on both sides, at most 254 characters.
bool SmtpAddressValid(const std::string& a);

}  // namespace sspr

#endif  // SSPR_CONFIG_CONFIG_H_
