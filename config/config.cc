// This file is long because every configuration key's setter and check, one
// table: split it and a key's rules would live in two places.
#include "config/config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <algorithm>
#include <utility>

#include "config/ldap_keys.h"
#include "common/net_match.h"
#include "common/sha256.h"

namespace sspr {

#ifndef SSPR_LOCALEDIR
#define SSPR_LOCALEDIR "/usr/share/locale"
#endif
const char kDefaultLocaleDir[] = SSPR_LOCALEDIR;
namespace {

std::string S(std::string_view v) { return std::string(v); }

// smtp_url's host: a name, an IPv4 address or [IPv6].
bool ValidSmtpHost(std::string_view h) {
  if (h.empty() || h.size() > 253) return false;
  if (h.front() == '[')
    return h.size() > 2 && h.back() == ']' &&
           std::all_of(h.begin() + 1, h.end() - 1, [](unsigned char c) {
             return isxdigit(c) || c == ':' || c == '.';
           });
  return std::all_of(h.begin(), h.end(), [](unsigned char c) {
    return isalnum(c) || c == '-' || c == '.';
  });
}

bool AllDigits(std::string_view v) {
  return !v.empty() && std::all_of(v.begin(), v.end(), [](char ch) {
    return ch >= '0' && ch <= '9';
  });
}

// A decimal number of at most 18 digits (AllDigits first).
long long Decimal(std::string_view v) {
  long long n = 0;
  for (char ch : v) n = n * 10 + (ch - '0');
  return n;
}

}  // namespace

bool SmtpUrlValid(std::string_view url, std::string* err) {
  std::string_view rest;
  if (url.rfind("smtp://", 0) == 0) rest = url.substr(7);
  else if (url.rfind("smtps://", 0) == 0) rest = url.substr(8);
  else {
    *err = "wants smtp://HOST[:PORT] (STARTTLS) or smtps://HOST[:PORT]";
    return false;
  }
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  std::string_view host = rest, port;
  size_t colon = rest.rfind(':');
  if (colon != std::string_view::npos &&
      (rest.front() != '[' || rest.find(']') < colon)) {
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
  }
  if (!ValidSmtpHost(host)) {
    *err = "wants a host name: smtp://HOST[:PORT] or smtps://HOST[:PORT]";
    return false;
  }
  if (colon != std::string_view::npos && host != rest) {
    bool digits = port.size() <= 5 && AllDigits(port);
    if (!digits || Decimal(port) < 1 || Decimal(port) > 65535) {
      *err = "has an invalid port";
      return false;
    }
  }
  return true;
}

bool SmtpAddressValid(std::string_view a) {
  if (a.empty() || a.size() > 254 || a[0] == '-') return false;
  size_t at = a.find('@');
  if (at == 0 || at == std::string_view::npos || at + 1 == a.size() ||
      a.find('@', at + 1) != std::string_view::npos)
    return false;
  return std::all_of(a.begin(), a.end(), [](unsigned char c) {
    return c > ' ' && c < 0x7f && !strchr("<>(),;:\"\\[]", c);
  });
}

void NameView::iterator::Settle() {
  done_ = true;
  if (list_ == nullptr || seen_ >= list_->max_) return;
  const std::string_view raw = list_->raw_;
  auto sep = [](char ch) { return ch == ',' || ch == ' ' || ch == '\t'; };
  while (pos_ < raw.size()) {
    while (pos_ < raw.size() && sep(raw[pos_])) ++pos_;
    size_t end = pos_;
    while (end < raw.size() && !sep(raw[end])) ++end;
    if (end == pos_) break;
    const std::string_view piece = raw.substr(pos_, end - pos_);
    if (list_->keep_ == nullptr || list_->keep_(piece)) {
      cur_ = piece;
      done_ = false;
      return;
    }
    pos_ = end;
  }
}

size_t NameView::size() const {
  size_t n = 0;
  for (auto it = begin(); it != end(); ++it) ++n;
  return n;
}

OwnedStorage::List OwnedStorage::ListOf(const char* names) {
  return SplitList(names);
}

namespace {

bool ParseInt(std::string_view key, std::string_view v, int lo, int hi,
              int* out, std::string* err) {
  if (v.size() > 10 || !AllDigits(v)) {
    *err = "'" + S(key) + "' wants a whole number from " + std::to_string(lo) +
           " to " + std::to_string(hi) + ", not '" + S(v) + "'";
    return false;
  }
  long long n = Decimal(v);
  if (n < lo || n > hi) {
    *err = "'" + S(key) + "' must be from " + std::to_string(lo) + " to " +
           std::to_string(hi) + ", not " + S(v);
    return false;
  }
  *out = static_cast<int>(n);
  return true;
}

bool PathOk(std::string_view key, std::string_view v, std::string* err) {
  if (v.empty() || v[0] != '/' || v.size() > 1024) {
    *err = "'" + S(key) + "' wants an absolute path, not '" + S(v) + "'";
    return false;
  }
  return true;
}

bool ParseBool(std::string_view key, std::string_view v, bool* out,
               std::string* err) {
  if (v == "yes" || v == "true" || v == "1" || v == "on" || v.empty()) {
    *out = true;
  } else if (v == "no" || v == "false" || v == "0" || v == "off") {
    *out = false;
  } else {
    *err = "'" + S(key) + "' wants yes or no, not '" + S(v) + "'";
    return false;
  }
  return true;
}

bool ValidName(std::string_view s) {
  if (s.empty() || s.size() > 256) return false;
  return std::all_of(s.begin(), s.end(), [](unsigned char ch) {
    return ch > ' ' && ch != ',' && ch != '=' && ch < 0x7f;
  });
}

// A list's valid entries replace *out. Config keeps copies, ModuleConfig
// the text itself with the same rule, which its iterator applies.
void AssignList(std::vector<std::string>* out, std::string_view v,
                NameView::Keep keep, size_t max = SIZE_MAX) {
  out->clear();
  for (std::string_view n : NameView(v, keep, max)) out->emplace_back(n);
}
void AssignList(NameView* out, std::string_view v, NameView::Keep keep,
                size_t max = SIZE_MAX) {
  *out = NameView(v, keep, max);
}

// The first entry of v that `keep` refuses, or "".
std::string_view FirstRefused(std::string_view v, NameView::Keep keep) {
  for (std::string_view n : NameView(v))
    if (!keep(n)) return n;
  return {};
}

// A bad entry is an error, but the valid entries are kept: a typo in one
// name of exempt_users must not drop the others.
template <class L>
bool ParseNames(std::string_view key, std::string_view v, L* out,
                std::string* err) {
  AssignList(out, v, ValidName);
  std::string_view bad = FirstRefused(v, ValidName);
  if (bad.empty()) return true;
  *err = "'" + S(key) + "' has an invalid name '" + S(bad) + "'";
  return false;
}

// "YYYY-MM-DD" (UTC): the grace lasts through that day. "" or "none": off.
bool ParseDate(std::string_view key, std::string_view v, int64_t* out,
               std::string* err) {
  if (v.empty() || v == "none") {
    *out = 0;
    return true;
  }
  struct tm tm = {};
  char text[11] = {};
  if (v.size() == 10) v.copy(text, 10);
  const char* end = v.size() == 10 ? strptime(text, "%Y-%m-%d", &tm) : nullptr;
  if (end == nullptr || *end != '\0' || tm.tm_year < 100 || tm.tm_year > 8099) {
    *err =
        "'" + S(key) + "' wants a date such as 2027-03-31, not '" + S(v) + "'";
    return false;
  }
  *out = static_cast<int64_t>(timegm(&tm)) + 86400;
  return true;
}

// delivery: outbox:PATH or command:PATH.
bool DeliveryOk(std::string_view k, std::string_view v, std::string* e) {
  std::string_view path;
  if (v == "smtp") {
    *e = "'" + S(k) +
         "' cannot be smtp: smtp sends e-mail only; set "
         "email_delivery = smtp and keep delivery = outbox:PATH or "
         "command:PATH for phones";
    return false;
  }
  if (v.rfind("outbox:", 0) == 0) path = v.substr(7);
  else if (v.rfind("command:", 0) == 0) path = v.substr(8);
  else {
    *e = "'" + S(k) + "' must be outbox:PATH or command:PATH, not '" + S(v) +
         "'";
    return false;
  }
  return PathOk(k, path, e);
}

// default_region: Config keeps it upper-cased; ModuleConfig as written.
void StoreRegion(std::string* out, std::string_view v) {
  *out = {static_cast<char>(toupper(static_cast<unsigned char>(v[0]))),
          static_cast<char>(toupper(static_cast<unsigned char>(v[1])))};
}
void StoreRegion(std::string_view* out, std::string_view v) { *out = v; }

// okta_scopes: Config keeps them joined by single spaces; ModuleConfig as
// written.
void StoreScopes(std::string* out, std::string_view v) {
  out->clear();
  for (std::string_view x : NameView(v)) {
    if (!out->empty()) out->push_back(' ');
    out->append(x);
  }
}
void StoreScopes(std::string_view* out, std::string_view v) { *out = v; }

bool ScopeOk(std::string_view x) {
  return x.size() <= 64 &&
         std::all_of(x.begin(), x.end(), [](unsigned char ch) {
           return isalnum(ch) || ch == '.' || ch == '_' || ch == ':';
         });
}

bool MethodOk(std::string_view m) {
  return m == "mobile" || m == "office" || m == "email" || m == "questions";
}

bool NetworkOk(std::string_view n) {
  Network parsed;
  std::string why;
  return ParseNetwork(n, &parsed, &why);
}

template <class C>
using Setter = bool (*)(C*, std::string_view key, std::string_view v,
                        std::string* err);

template <class C, auto M, int kLo, int kHi>
bool IntKey(C* c, std::string_view k, std::string_view v, std::string* e) {
  return ParseInt(k, v, kLo, kHi, &(c->*M), e);
}
template <class C, auto M>
bool PathKey(C* c, std::string_view k, std::string_view v, std::string* e) {
  if (!PathOk(k, v, e)) return false;
  c->*M = v;
  return true;
}
template <class C, auto M>
bool NamesKey(C* c, std::string_view k, std::string_view v, std::string* e) {
  return ParseNames(k, v, &(c->*M), e);
}
template <class C, auto M>
bool BoolKey(C* c, std::string_view k, std::string_view v, std::string* e) {
  return ParseBool(k, v, &(c->*M), e);
}

// A registration service's base URL: https://, or http:// to this host
// only (tests). No trailing slash, no query, no spaces.
template <class C, auto M>
bool UrlKey(C* c, std::string_view k, std::string_view v, std::string* e) {
  bool loopback = false;
  for (const std::string_view h :
       {"http://127.0.0.1", "http://[::1]", "http://localhost"}) {
    size_t n = h.size();
    if (v.compare(0, n, h) == 0 &&
        (v.size() == n || v[n] == ':' || v[n] == '/'))
      loopback = true;
  }
  if ((v.rfind("https://", 0) != 0 && !loopback) || v.size() > 400 ||
      v.find_first_of("?#") != std::string_view::npos ||
      !std::all_of(v.begin(), v.end(),
                   [](unsigned char ch) { return ch > ' ' && ch < 0x7f; })) {
    *e = "'" + S(k) +
         "' wants an https:// URL (http:// only to this host) of "
         "at most 400 characters, without ? or #";
    return false;
  }
  std::string_view u = v;
  while (!u.empty() && u.back() == '/') u.remove_suffix(1);
  c->*M = u;
  return true;
}

template <class C>
struct KeyEntry {
  std::string_view key;
  Setter<C> set;
};

constexpr bool Sorted(const std::string_view* keys, size_t n) {
  for (size_t i = 1; i < n; ++i)
    if (!(keys[i - 1] < keys[i])) return false;
  return true;
}

// Every key but the ldap_* ones (config/ldap_keys.cc), sorted by name:
// SetKey finds a key by binary search, and a static_assert below keeps
// the order. A new key is one line here (and its field, docs, default).
template <class C>
struct Keys {
  static constexpr KeyEntry<C> kTable[] = {
      {"backend",
       [](C* c, std::string_view k, std::string_view v, std::string* e) {
         for (BackendKind b :
              {BackendKind::kLocal, BackendKind::kRest, BackendKind::kGraph,
               BackendKind::kOkta, BackendKind::kLdap}) {
           if (v == BackendName(b)) {
             c->backend = b;
             return true;
           }
         }
         *e = "'" + S(k) + "' must be local, rest, graph or okta, not '" +
              S(v) + "'";
         return false;
       }},
      {"cache_dir", PathKey<C, &C::cache_dir>},
      {"cache_ttl", IntKey<C, &C::cache_ttl, 0, 30 * 86400>},
      {"cafile", PathKey<C, &C::cafile>},
      {"check_root", BoolKey<C, &C::check_root>},
      {"code_length", IntKey<C, &C::code_length, 6, 10>},
      {"code_ttl", IntKey<C, &C::code_ttl, 30, 3600>},
      {"conf", PathKey<C, &C::conf>},
      {"debug", BoolKey<C, &C::debug>},
      {"default_region",
       [](C* c, std::string_view k, std::string_view v, std::string* e) {
         if (v.size() != 2 || !isalpha(static_cast<unsigned char>(v[0])) ||
             !isalpha(static_cast<unsigned char>(v[1]))) {
           *e = "'" + S(k) +
                "' wants a two-letter region code such as US or GB, not '" +
                S(v) + "'";
           return false;
         }
         StoreRegion(&c->default_region, v);
         return true;
       }},
      {"delivery",
       [](C* c, std::string_view k, std::string_view v, std::string* e) {
         if (!DeliveryOk(k, v, e)) return false;
         c->delivery = v;
         return true;
       }},
      {"delivery_timeout", IntKey<C, &C::delivery_timeout, 1, 120>},
      {"dialogue_timeout", IntKey<C, &C::dialogue_timeout, 10, 3600>},
      {"directory_user",  // the user's name in the directory; %u = login
       [](C* c, std::string_view k, std::string_view v, std::string* e) {
         if (v.find("%u") == std::string::npos || v.size() > 256 ||
             !std::all_of(v.begin(), v.end(), [](unsigned char ch) {
               return ch > ' ' && ch < 0x7f && ch != '/' && ch != '\'';
             })) {
           *e =
               "'" + S(k) + "' wants a pattern with %u, such as %u@example.com";
           return false;
         }
         c->directory_user = v;
         return true;
       }},
      {"email_delivery",
       [](C* c, std::string_view k, std::string_view v, std::string* e) {
         if (v != "smtp" && !DeliveryOk("delivery", v, e)) {
           *e = "'" + S(k) +
                "' must be outbox:PATH, command:PATH or smtp, not '" + S(v) +
                "'";
           return false;
         }
         c->email_delivery = v;
         return true;
       }},
      {"enroll_url",
       [](C* c, std::string_view k, std::string_view v, std::string* e) {
         if (v.rfind("https://", 0) != 0 || v.size() > 400 ||
             !std::all_of(v.begin(), v.end(), [](unsigned char ch) {
               return ch > ' ' && ch < 0x7f;
             })) {
           *e =
               "'" + S(k) + "' wants an https:// URL of at most 400 characters";
           return false;
         }
         c->enroll_url = v;
         return true;
       }},
      {"exempt_groups", NamesKey<C, &C::exempt_groups>},
      {"exempt_users", NamesKey<C, &C::exempt_users>},
      {"failmode",
       [](C* c, std::string_view k, std::string_view v, std::string* e) {
         if (v == "safe") c->failmode = FailMode::kSafe;
         else if (v == "secure") c->failmode = FailMode::kSecure;
         else {
           *e = "'" + S(k) + "' must be safe or secure, not '" + S(v) + "'";
           return false;
         }
         return true;
       }},
      {"grace_until",
       [](C* c, std::string_view k, std::string_view v, std::string* e) {
         return ParseDate(k, v, &c->grace_until, e);
       }},
      {"graph_client_id",
       [](C* c, std::string_view k, std::string_view v, std::string* e) {
         if (v.empty() || v.size() > 128 ||
             !std::all_of(v.begin(), v.end(), [](unsigned char ch) {
               return isalnum(ch) || ch == '-';
             })) {
           *e = "'" + S(k) + "' wants an application (client) id, not '" +
                S(v) + "'";
           return false;
         }
         c->graph_client_id = v;
         return true;
       }},
      {"graph_login_url", UrlKey<C, &C::graph_login_url>},
      {"graph_status",  // where a user's status comes from
       [](C* c, std::string_view k, std::string_view v, std::string* e) {
         if (v != "methods" && v != "report") {
           *e = "'" + S(k) + "' must be methods or report, not '" + S(v) + "'";
           return false;
         }
         c->graph_status = v;
         return true;
       }},
      {"graph_tenant",  // a GUID or a domain name
       [](C* c, std::string_view k, std::string_view v, std::string* e) {
         if (v.empty() || v.size() > 128 ||
             !std::all_of(v.begin(), v.end(), [](unsigned char ch) {
               return isalnum(ch) || ch == '-' || ch == '.';
             })) {
           *e =
               "'" + S(k) + "' wants a tenant id or domain, not '" + S(v) + "'";
           return false;
         }
         c->graph_tenant = v;
         return true;
       }},
      {"graph_url", UrlKey<C, &C::graph_url>},
      {"graph_write", BoolKey<C, &C::graph_write>},
      {"groups", NamesKey<C, &C::groups>},
      {"helper", PathKey<C, &C::helper>},
      {"helper_timeout", IntKey<C, &C::helper_timeout, 1, 600>},
      {"helper_user",
       [](C* c, std::string_view k, std::string_view v, std::string* e) {
         if (!ValidName(v)) {
           *e = "'" + S(k) + "' wants a user name, not '" + S(v) + "'";
           return false;
         }
         c->helper_user = v;
         return true;
       }},
      {"interactive_services", NamesKey<C, &C::interactive_services>},
      {"locale_dir", PathKey<C, &C::locale_dir>},
      {"max_attempts", IntKey<C, &C::max_attempts, 1, 10>},
      {"max_input_attempts", IntKey<C, &C::max_input_attempts, 1, 10>},
      {"methods",
       [](C* c, std::string_view k, std::string_view v, std::string* e) {
         const NameView m(v);
         if (m.empty()) {
           *e = "'" + S(k) + "' needs at least one method";
           return false;
         }
         for (auto it = m.begin(); it != m.end(); ++it) {
           if (!MethodOk(*it)) {
             *e = "'" + S(k) + "': unknown method '" + S(*it) +
                  "' (known: mobile, office, email, questions)";
             return false;
           }
           if (std::find(m.begin(), it, *it) != it) {
             *e = "'" + S(k) + "' names '" + S(*it) + "' twice";
             return false;
           }
         }
         AssignList(&c->methods, v, nullptr);
         return true;
       }},
      {"methods_required", IntKey<C, &C::methods_required, 1, 2>},
      {"min_uid", IntKey<C, &C::min_uid, 0, 2147483647>},
      {"mode",
       [](C* c, std::string_view k, std::string_view v, std::string* e) {
         if (v == "register") c->mode = Mode::kRegister;
         else if (v == "block") c->mode = Mode::kBlock;
         else if (v == "warn") c->mode = Mode::kWarn;
         else {
           *e = "'" + S(k) + "' must be register, block or warn, not '" + S(v) +
                "'";
           return false;
         }
         return true;
       }},
      {"noninteractive",
       [](C* c, std::string_view k, std::string_view v, std::string* e) {
         if (v == "skip") c->noninteractive = NonInteractive::kSkip;
         else if (v == "check") c->noninteractive = NonInteractive::kCheck;
         else {
           *e = "'" + S(k) + "' must be skip or check, not '" + S(v) + "'";
           return false;
         }
         return true;
       }},
      {"noninteractive_services", NamesKey<C, &C::noninteractive_services>},
      {"okta_client_id",
       [](C* c, std::string_view k, std::string_view v, std::string* e) {
         if (v.empty() || v.size() > 128 ||
             !std::all_of(v.begin(), v.end(), [](unsigned char ch) {
               return isalnum(ch) || ch == '-' || ch == '_';
             })) {
           *e = "'" + S(k) + "' wants the service app's client id, not '" +
                S(v) + "'";
           return false;
         }
         c->okta_client_id = v;
         return true;
       }},
      {"okta_key_id",
       [](C* c, std::string_view k, std::string_view v, std::string* e) {
         if (v.size() > 128 ||
             !std::all_of(v.begin(), v.end(), [](unsigned char ch) {
               return isalnum(ch) || ch == '-' || ch == '_' || ch == '.';
             })) {
           *e = "'" + S(k) + "' wants a key id of letters, digits, - _ .";
           return false;
         }
         c->okta_key_id = v;
         return true;
       }},
      {"okta_scopes",
       [](C* c, std::string_view k, std::string_view v, std::string* e) {
         if (NameView(v).empty() || !FirstRefused(v, ScopeOk).empty()) {
           *e = "'" + S(k) +
                "' wants scopes such as okta.users.read okta.users.manage";
           return false;
         }
         StoreScopes(&c->okta_scopes, v);
         return true;
       }},
      {"okta_url", UrlKey<C, &C::okta_url>},
      {"only_services", NamesKey<C, &C::only_services>},
      {"pinned_pubkey",  // curl's form: sha256//BASE64;sha256//... or a file
       [](C* c, std::string_view k, std::string_view v, std::string* e) {
         bool hashes = v.rfind("sha256//", 0) == 0 && v.size() <= 1024 &&
                       std::all_of(v.begin(), v.end(), [](unsigned char ch) {
                         return isalnum(ch) || ch == '+' || ch == '/' ||
                                ch == '=' || ch == ';';
                       });
         if (!hashes && (v.empty() || v[0] != '/')) {
           *e = "'" + S(k) +
                "' wants sha256//BASE64[;sha256//BASE64...] or an "
                "absolute path to a public key file";
           return false;
         }
         c->pinned_pubkey = v;
         return true;
       }},
      {"questions_file", PathKey<C, &C::questions_file>},
      {"questions_required", IntKey<C, &C::questions_required, 3, 5>},
      {"rate_limit", IntKey<C, &C::rate_limit, 1, 1000>},
      {"rate_lockout", IntKey<C, &C::rate_lockout, 0, 30 * 86400>},
      {"rate_number_limit", IntKey<C, &C::rate_number_limit, 1, 10000>},
      {"rate_user_limit", IntKey<C, &C::rate_user_limit, 1, 1000>},
      {"rate_window", IntKey<C, &C::rate_window, 60, 7 * 86400>},
      {"reconfirm_days", IntKey<C, &C::reconfirm_days, 0, 730>},
      {"request_timeout", IntKey<C, &C::request_timeout, 1, 120>},
      {"resend_cooldown", IntKey<C, &C::resend_cooldown, 0, 3600>},
      {"reset", BoolKey<C, &C::reset>},
      {"reset_contact",
       [](C* c, std::string_view k, std::string_view v, std::string* e) {
         if (v.empty() || v.size() > 200 ||
             !std::all_of(v.begin(), v.end(), [](unsigned char ch) {
               return ch >= ' ' && ch != 0x7f;
             })) {
           *e = "'" + S(k) +
                "' wants a text of 1 to 200 characters without "
                "control characters";
           return false;
         }
         c->reset_contact = v;
         return true;
       }},
      {"reset_exclude_groups", NamesKey<C, &C::reset_exclude_groups>},
      {"reset_fail_limit", IntKey<C, &C::reset_fail_limit, 1, 100>},
      {"reset_limit", IntKey<C, &C::reset_limit, 1, 100>},
      {"reset_methods_required", IntKey<C, &C::reset_methods_required, 1, 2>},
      {"reset_passwd_service",
       [](C* c, std::string_view k, std::string_view v, std::string* e) {
         if (!ValidName(v) || v.size() > 64 ||
             v.find('/') != std::string::npos) {
           *e = "'" + S(k) + "' wants a PAM service name, not '" + S(v) + "'";
           return false;
         }
         c->reset_passwd_service = v;
         return true;
       }},
      {"reset_questions", IntKey<C, &C::reset_questions, 1, 5>},
      {"rest_url", UrlKey<C, &C::rest_url>},
      {"seccomp",  // off only to debug the helper (strace -f, valgrind)
       [](C* c, std::string_view k, std::string_view v, std::string* e) {
         return ParseBool(k, v, &c->seccomp, e);
       }},
      {"secrets_file", PathKey<C, &C::secrets_file>},
      {"setpass", PathKey<C, &C::setpass>},
      {"show_qr", BoolKey<C, &C::show_qr>},
      {"skip_rhosts",
       [](C* c, std::string_view k, std::string_view v, std::string* e) {
         AssignList(&c->skip_rhosts, v, NetworkOk);  // the valid entries hold
         const std::string_view bad = FirstRefused(v, NetworkOk);
         if (bad.empty()) return true;
         Network parsed;
         std::string why;
         ParseNetwork(bad, &parsed, &why);
         *e = "'" + S(k) + "': " + why;
         return false;
       }},
      {"skip_services", NamesKey<C, &C::skip_services>},
      {"smtp_from",
       [](C* c, std::string_view k, std::string_view v, std::string* e) {
         if (!SmtpAddressValid(v)) {
           *e = "'" + S(k) +
                "' wants an address such as noreply@example.com, not '" + S(v) +
                "'";
           return false;
         }
         c->smtp_from = v;
         return true;
       }},
      {"smtp_url",  // TLS always: smtp:// means STARTTLS required
       [](C* c, std::string_view k, std::string_view v, std::string* e) {
         std::string why;
         if (!SmtpUrlValid(v, &why)) {
           *e = "'" + S(k) + "' " + why + ", not '" + S(v) + "'";
           return false;
         }
         c->smtp_url = v;
         return true;
       }},
      {"smtp_user",
       [](C* c, std::string_view k, std::string_view v, std::string* e) {
         if (v.size() > 256 ||
             !std::all_of(v.begin(), v.end(), [](unsigned char ch) {
               return ch > ' ' && ch < 0x7f;
             })) {
           *e = "'" + S(k) + "' wants a user name without spaces";
           return false;
         }
         c->smtp_user = v;
         return true;
       }},
      {"snooze_interval", IntKey<C, &C::snooze_interval, 0, 30 * 86400>},
      {"snooze_max", IntKey<C, &C::snooze_max, 0, 100>},
      {"stale_ttl", IntKey<C, &C::stale_ttl, 0, 90 * 86400>},
      {"state_dir", PathKey<C, &C::state_dir>},
      {"texts_file", PathKey<C, &C::texts_file>},
  };
  static constexpr size_t kCount = sizeof(kTable) / sizeof(kTable[0]);
};

template <class C>
constexpr std::string_view KeyAt(size_t i) {
  return Keys<C>::kTable[i].key;
}
template <class C, size_t... I>
constexpr bool TableSorted(std::index_sequence<I...>) {
  constexpr std::string_view keys[] = {KeyAt<C>(I)...};
  return Sorted(keys, sizeof...(I));
}
static_assert(
    TableSorted<Config>(std::make_index_sequence<Keys<Config>::kCount>()),
    "config keys must stay sorted: SetKey searches them");

}  // namespace

std::vector<std::string> SplitList(std::string_view v) {
  std::vector<std::string> out;
  for (std::string_view n : NameView(v)) out.emplace_back(n);
  return out;
}

std::vector<std::string> ConfigKeyNames() {
  std::vector<std::string> keys;
  for (const auto& entry : Keys<Config>::kTable) keys.emplace_back(entry.key);
  for (const auto& k : LdapKeyNames()) keys.push_back(k);
  std::sort(keys.begin(), keys.end());
  return keys;
}

namespace {

template <class C>
bool SetKeyT(C* c, std::string_view key, std::string_view value,
             std::string* err) {
  const KeyEntry<C>* const first = Keys<C>::kTable;
  const KeyEntry<C>* const last = first + Keys<C>::kCount;
  const KeyEntry<C>* it = std::lower_bound(
      first, last, key,
      [](const KeyEntry<C>& e, std::string_view k) { return e.key < k; });
  const bool found = it != last && it->key == key;
  if (!found && !IsLdapKey(key)) {
    *err = "unknown key '" + S(key) + "'";
    return false;
  }
  if (value.size() > kMaxConfigLine) {
    *err = "value of '" + S(key) + "' is too long";
    return false;
  }
  return found ? it->set(c, key, value, err) : SetLdapKey(c, key, value, err);
}

template <class C>
bool ValidateT(const C& c, std::string* err) {
  if (static_cast<size_t>(c.methods_required) > c.methods.size()) {
    *err = "methods_required is " + std::to_string(c.methods_required) +
           " but methods offers only " + std::to_string(c.methods.size());
    return false;
  }
  if (c.email_delivery == "smtp" &&
      (c.smtp_url.empty() || c.smtp_from.empty())) {
    *err = "email_delivery = smtp needs smtp_url and smtp_from";
    return false;
  }
  if (c.backend == BackendKind::kLdap && !ValidateLdap(c, err)) return false;
  if (c.code_ttl < c.resend_cooldown) {
    *err = "code_ttl must not be shorter than resend_cooldown";
    return false;
  }
  return true;
}

}  // namespace

bool SetKey(Config* c, std::string_view key, std::string_view value,
            std::string* err) {
  return SetKeyT(c, key, value, err);
}
bool SetKey(ModuleConfig* c, std::string_view key, std::string_view value,
            std::string* err) {
  return SetKeyT(c, key, value, err);
}
bool Validate(const Config& c, std::string* err) { return ValidateT(c, err); }
bool Validate(const ModuleConfig& c, std::string* err) {
  return ValidateT(c, err);
}

namespace {

// Module arguments as PAM gives them.
struct Argv {
  int argc;
  const char** argv;
  const char** begin() const { return argv; }
  const char** end() const { return argv + argc; }
};

// Applies every argument; each bad one is added to *errors.
template <class C, class Args>
void ApplyArgsAll(const Args& args, C* c, std::vector<std::string>* errors) {
  for (std::string_view a : args) {
    const size_t eq = a.find('=');
    const bool pair = eq != std::string_view::npos;
    const std::string_view key = pair ? a.substr(0, eq) : a;
    const std::string_view val = pair ? a.substr(eq + 1) : std::string_view();
    if (!pair && key != "debug") {
      errors->push_back("module argument '" + S(a) + "' is not key=value");
      continue;
    }
    std::string e;
    if (!SetKey(c, key, val, &e)) errors->push_back("module argument: " + e);
  }
}

void LoadFile(Config* c, bool check_perms, bool must_exist, ConfigText*,
              std::vector<std::string>* errors) {
  LoadConfigFileAll(c->conf, check_perms, must_exist, c, errors);
}
void LoadFile(ModuleConfig* c, bool check_perms, bool must_exist,
              ConfigText* text, std::vector<std::string>* errors) {
  LoadConfigFileAll(c->conf, check_perms, must_exist, text, c, errors);
}

template <class C, class Args>
bool LoadAllT(const Args& args, bool check_perms, ConfigText* text, C* c,
              std::vector<std::string>* errors) {
  const size_t before = errors->size();
  bool explicit_conf = false, conf_ok = true;
  for (std::string_view a : args) {
    if (a.rfind("conf=", 0) == 0) {
      std::string e;
      explicit_conf = true;
      // A bad conf= is reported once, with the other arguments below.
      if (!SetKey(c, "conf", a.substr(5), &e)) conf_ok = false;
    }
  }
  // A conf= that is no absolute path names no file to read: the module
  // arguments alone decide.
  if (conf_ok) LoadFile(c, check_perms, explicit_conf, text, errors);
  ApplyArgsAll(args, c, errors);
  std::string e;
  if (!Validate(*c, &e)) errors->push_back(S(c->conf) + ": " + e);
  return errors->size() == before;
}

}  // namespace

std::string FirstError(const std::vector<std::string>& errors) {
  if (errors.empty()) return "";
  if (errors.size() == 1) return errors[0];
  return errors[0] + " (and " + std::to_string(errors.size() - 1) + " more)";
}

bool ApplyArgs(const std::vector<std::string>& args, Config* c,
               std::string* err) {
  std::vector<std::string> errors;
  ApplyArgsAll(args, c, &errors);
  *err = FirstError(errors);
  return errors.empty();
}

bool LoadConfigAll(const std::vector<std::string>& args, bool check_perms,
                   Config* c, std::vector<std::string>* errors) {
  return LoadAllT(args, check_perms, nullptr, c, errors);
}

bool LoadModuleConfig(int argc, const char** argv, bool check_perms,
                      ConfigText* text, ModuleConfig* c,
                      std::vector<std::string>* errors) {
  return LoadAllT(Argv{argc, argv}, check_perms, text, c, errors);
}

bool LoadConfig(const std::vector<std::string>& args, bool check_perms,
                Config* c, std::string* err) {
  std::vector<std::string> errors;
  bool ok = LoadConfigAll(args, check_perms, c, &errors);
  *err = FirstError(errors);
  return ok;
}

const char* ModeName(Mode m) {
  switch (m) {
    case Mode::kRegister:
      return "register";
    case Mode::kBlock:
      return "block";
    case Mode::kWarn:
      return "warn";
  }
  return "?";
}

const char* FailModeName(FailMode m) {
  return m == FailMode::kSafe ? "safe" : "secure";
}

const char* BackendName(BackendKind b) {
  switch (b) {
    case BackendKind::kLocal:
      return "local";
    case BackendKind::kRest:
      return "rest";
    case BackendKind::kGraph:
      return "graph";
    case BackendKind::kOkta:
      return "okta";
    case BackendKind::kLdap:
      return "ldap";
  }
  return "?";
}

}  // namespace sspr
