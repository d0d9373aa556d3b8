// The configuration shared by pam_sspr.so, sspr-helper and the CLIs.
// One parser and one table of setters serve the config file and the module
// arguments, for two kinds of Config (ConfigT below): the helper's and the
// tools' Config owns its strings; the module's ModuleConfig only points
// into the text it was parsed from, so its fast path allocates nothing.
#ifndef SSPR_CONFIG_CONFIG_H_
#define SSPR_CONFIG_CONFIG_H_

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>
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

// A list as the config writes it: entries split at ',', ' ' and tab, only
// those `keep` accepts (all when null), at most `max`. It points into the
// text it was given and allocates nothing; entries are std::string_view.
class NameView {
 public:
  using Keep = bool (*)(std::string_view);
  constexpr NameView() = default;
  constexpr explicit NameView(std::string_view raw, Keep keep = nullptr,
                              size_t max = SIZE_MAX)
      : raw_(raw), keep_(keep), max_(max) {}

  class iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = std::string_view;
    using difference_type = std::ptrdiff_t;
    using pointer = const std::string_view*;
    using reference = const std::string_view&;
    iterator() = default;
    iterator(const NameView* list, size_t pos) : list_(list), pos_(pos) {
      Settle();
    }
    reference operator*() const { return cur_; }
    pointer operator->() const { return &cur_; }
    iterator& operator++() {
      pos_ =
          static_cast<size_t>(cur_.data() + cur_.size() - list_->raw_.data());
      ++seen_;
      Settle();
      return *this;
    }
    bool operator==(const iterator& o) const {
      return done_ == o.done_ && (done_ || pos_ == o.pos_);
    }
    bool operator!=(const iterator& o) const { return !(*this == o); }

   private:
    void Settle();  // moves to the next kept entry at or after pos_
    const NameView* list_ = nullptr;
    size_t pos_ = 0, seen_ = 0;
    std::string_view cur_;
    bool done_ = true;
  };

  iterator begin() const { return iterator(this, 0); }
  // NOLINTNEXTLINE(readability-convert-member-functions-to-static)
  iterator end() const { return iterator(); }
  size_t size() const;
  bool empty() const { return begin() == end(); }
  std::string_view raw() const { return raw_; }

 private:
  std::string_view raw_;
  Keep keep_ = nullptr;
  size_t max_ = SIZE_MAX;
};

// Config: owned strings and lists (the helper, sspr-admin, the tests).
struct OwnedStorage {
  using Str = std::string;
  using List = std::vector<std::string>;
  static List ListOf(const char* names);
};
// ModuleConfig: views into the parsed text, which must outlive it.
struct ViewStorage {
  using Str = std::string_view;
  using List = NameView;
  static constexpr List ListOf(const char* names) { return NameView(names); }
};

template <class P>
struct ConfigT {
  using Str = typename P::Str;
  using List = typename P::List;

  BackendKind backend = BackendKind::kLocal;
  Mode mode = Mode::kRegister;
  List methods = P::ListOf("mobile office");
  int methods_required = 1;
  int questions_required = 3;   // security questions to answer (3-5)
  Str questions_file;           // the admin's own questions, one a line
  Str email_delivery;           // like delivery, for e-mail; "" = delivery
  int reconfirm_days = 180;     // ask to confirm methods; 0 = never
  int snooze_max = 0;           // "later" answers allowed per user
  int snooze_interval = 86400;  // seconds between two reminders
  int64_t grace_until = 0;      // "later" allowed until (unix time); 0 = no
  Str default_region = "US";
  FailMode failmode = FailMode::kSafe;
  List groups, exempt_users, exempt_groups;
  Str state_dir = "/var/lib/pam_sspr";
  Str cache_dir = "/var/cache/pam_sspr";
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
  Str delivery;              // outbox:PATH | command:PATH
  int delivery_timeout = 10;
  Str helper_user = "_sspr";
  Str secrets_file = "/etc/security/pam_sspr.secrets";
  Str enroll_url = "https://aka.ms/ssprsetup";
  // Module-only keys.
  Str conf = kDefaultConfPath;
  Str helper;
  bool debug = false;
  // Registration services (backend = rest | graph | okta) and the module's
  // stale-if-error cache; each documented in pam_sspr.conf(5).
  int stale_ttl =
      0;  // s an expired positive entry may answer while the service is down
  Str cafile;                 // CA bundle for the services ("" = system store)
  Str pinned_pubkey;          // sha256//BASE64[;...] or a key file ("" = none)
  Str directory_user = "%u";  // name in the directory, %u = login
  Str rest_url;               // base URL of the rest API
  Str graph_tenant;           // Entra tenant id or domain
  Str graph_client_id;        // application (client) id
  Str graph_login_url = "https://login.microsoftonline.com";
  Str graph_url = "https://graph.microsoft.com";
  Str graph_status = "methods";  // methods | report
  bool graph_write = true;       // the app may add phone/email methods
  Str okta_url;                  // https://example.okta.com
  // Scope by service and remote host (config/scope.h).
  List only_services, skip_services;
  List skip_rhosts;  // CIDR networks, checked when set
  // Scope by account and caller (config/scope.h).
  int min_uid = -1;         // -1: UID_MIN of /etc/login.defs at run time
  bool check_root = false;  // root is checked only when named
  NonInteractive noninteractive = NonInteractive::kSkip;
  List noninteractive_services = P::ListOf(
      "cron crond atd systemd-user sudo sudo-i runuser runuser-l polkit-1 "
      "pkexec");
  List interactive_services = P::ListOf("cockpit");
  bool show_qr = true;  // block/warn messages add a QR code of enroll_url
  bool seccomp =
      true;  // the helper's system-call filter (helper/sandbox/seccomp.h)
  // Translations and the admin's own texts (helper/i18n.h).
  Str locale_dir = kDefaultLocaleDir;  // <lang>/LC_MESSAGES/pam_sspr.mo
  Str texts_file;  // intro/help texts ("" = the built-in ones)
  // email_delivery = smtp (helper/delivery/smtp_sender.h); the password is
  // secrets_file's smtp_password.
  Str smtp_url;   // smtp://host[:port] (STARTTLS) | smtps://host[:port]
  Str smtp_from;  // sender address
  Str smtp_user;  // "" = no AUTH
  // backend = okta as an OAuth 2.0 service app (private_key_jwt) instead
  // of an SSWS API token; the key is secrets_file's okta_private_key_file.
  Str okta_client_id;  // "" = use okta_api_token
  Str okta_key_id;     // "kid" of the JWT ("" = none)
  Str okta_scopes = "okta.users.read okta.users.manage";
  // backend = ldap (helper/backends/ldap.cc; keys in config/ldap_keys.cc).
  // An empty attribute or filter means ldap_schema's (LdapEffective*).
  List ldap_uri;              // tried in order
  bool ldap_starttls = true;  // for ldap:// URIs
  Str ldap_base;
  Str ldap_scope = "sub";       // base | one | sub
  Str ldap_user_filter;         // "" = the schema's; %u escaped
  Str ldap_bind_dn;             // password: secrets_file's ldap_bind_password
  Str ldap_schema = "rfc2798";  // rfc2798 | freeipa | ad
  Str ldap_attr_mobile, ldap_attr_office, ldap_attr_email;
  Str ldap_attr_verified;           // "" = any value counts
  Str ldap_attr_questions;          // "" = questions not offered (no preset)
  int ldap_connect_timeout = 3;     // seconds per URI
  Str ldap_sasl_mech;               // "" (simple bind) | EXTERNAL
  Str ldap_tls_cert, ldap_tls_key;  // client certificate (EXTERNAL)
  // ldap_sasl_mech = GSSAPI: the keytab (read as root, before the drop),
  // its principal ("" = the keytab's first) and libkrb5's configuration.
  Str ldap_keytab = "/etc/krb5.keytab";
  Str ldap_krb5_principal;
  Str ldap_krb5_conf = "/etc/krb5.conf";
  // Reset at the login prompt (pam_sm_authenticate; helper/reset_dialogue.h).
  bool reset = false;              // offered after a wrong password
  int reset_methods_required = 1;  // registered methods to prove (1-2)
  int reset_questions = 3;         // security questions asked (1-5)
  Str reset_contact = "your administrator";  // in the notice
  List reset_exclude_groups = P::ListOf("sudo wheel adm admin");
  int reset_limit = 3;                  // resets per user per day
  int reset_fail_limit = 5;             // failed proofs per user per day
  Str reset_passwd_service = "passwd";  // PAM service of sspr-setpass
  Str setpass;  // module argument only: sspr-setpass path
};

struct Config : ConfigT<OwnedStorage> {};
// The module's own: every key is parsed and checked exactly as for Config
// (the same setters), but strings and lists point into the config text
// and the module arguments, which must outlive it. Two values are kept as
// written, for the module never reads them: default_region (Config
// upper-cases it) and okta_scopes (Config joins it with single spaces).
struct ModuleConfig : ConfigT<ViewStorage> {};

// Sets one key. On failure *err names the key and says what is wrong.
// For a ModuleConfig, `value` must outlive it.
bool SetKey(Config* c, std::string_view key, std::string_view value,
            std::string* err);
bool SetKey(ModuleConfig* c, std::string_view key, std::string_view value,
            std::string* err);

// Every key SetKey knows, sorted (from its own table; for the docs check).
std::vector<std::string> ConfigKeyNames();

// Checks relations between keys (e.g. methods_required <= methods).
bool Validate(const Config& c, std::string* err);
bool Validate(const ModuleConfig& c, std::string* err);

// One config line without its comment: from a '#' at the start or after a
// space or tab to the end; "\#" stands for a literal '#'.
std::string StripComment(const std::string& line);

// Reads `path` and applies every valid `key = value` line; every invalid
// one is added to *errors ("/etc/security/pam_sspr.conf:12: unknown key
// 'foo'") and the reading goes on. A '#' at the start of a line, or after
// a space or tab, starts a comment; "\#" is a literal '#'. With
// check_perms the file must be a regular file owned by root and not
// writable by group or others. A missing file is an error only when
// `must_exist`. True when nothing was added to *errors.
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

// The module's text: the config file is read into `small` when it fits
// (no allocation: the fast path), else into one heap buffer. A
// ModuleConfig loaded from it points into it: keep it while *c is used.
struct ConfigText {
  char small[32 * 1024];
  std::unique_ptr<char[]> big;
};
// LoadConfigFileAll for a ModuleConfig, whose values point into *text.
bool LoadConfigFileAll(std::string_view path, bool check_perms, bool must_exist,
                       ConfigText* text, ModuleConfig* c,
                       std::vector<std::string>* errors);
// LoadConfigAll for the module: the same steps and errors, argv as PAM
// gives it (argv must outlive *c too). Allocates nothing while the file
// fits ConfigText::small and nothing is wrong.
bool LoadModuleConfig(int argc, const char** argv, bool check_perms,
                      ConfigText* text, ModuleConfig* c,
                      std::vector<std::string>* errors);

// "first error" or "first error (and N more)".
std::string FirstError(const std::vector<std::string>& errors);

const char* ModeName(Mode m);
const char* FailModeName(FailMode m);
// "local" | "rest" | "graph" | "okta", as the `backend` key spells it.
const char* BackendName(BackendKind b);
std::vector<std::string> SplitList(std::string_view v);

// email_delivery = smtp: smtp://HOST[:PORT] or smtps://HOST[:PORT], a host
// always, nothing else (*err says what is wrong).
bool SmtpUrlValid(std::string_view url, std::string* err);
// An address such as smtp_from: printable ASCII without <>(),;:"\[] and
// spaces, one '@' with text on both sides, at most 254 characters.
bool SmtpAddressValid(std::string_view a);

}  // namespace sspr

#endif  // SSPR_CONFIG_CONFIG_H_
