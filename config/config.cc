// This file is long because every configuration key's setter and check, one
// table: split it and a key's rules would live in two places.
#include "config/config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <algorithm>
#include <functional>
#include <map>

#include "config/ldap_keys.h"
#include "common/net_match.h"
#include "common/sha256.h"

namespace sspr {

#ifndef SSPR_LOCALEDIR
#define SSPR_LOCALEDIR "/usr/share/locale"
#endif
const char kDefaultLocaleDir[] = SSPR_LOCALEDIR;
namespace {

// smtp_url's host: a name, an IPv4 address or [IPv6].
bool ValidSmtpHost(const std::string& h) {
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

}  // namespace

bool SmtpUrlValid(const std::string& url, std::string* err) {
  std::string rest;
  if (url.rfind("smtp://", 0) == 0) rest = url.substr(7);
  else if (url.rfind("smtps://", 0) == 0) rest = url.substr(8);
  else {
    *err = "wants smtp://HOST[:PORT] (STARTTLS) or smtps://HOST[:PORT]";
    return false;
  }
  if (!rest.empty() && rest.back() == '/') rest.pop_back();
  std::string host = rest, port;
  size_t colon = rest.rfind(':');
  if (colon != std::string::npos &&
      (rest.front() != '[' || rest.find(']') < colon)) {
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
  }
  if (!ValidSmtpHost(host)) {
    *err = "wants a host name: smtp://HOST[:PORT] or smtps://HOST[:PORT]";
    return false;
  }
  if (colon != std::string::npos && host != rest) {
    bool digits = !port.empty() && port.size() <= 5 &&
                  std::all_of(port.begin(), port.end(), ::isdigit);
    if (!digits || std::stoi(port) < 1 || std::stoi(port) > 65535) {
      *err = "has an invalid port";
      return false;
    }
  }
  return true;
}

bool SmtpAddressValid(const std::string& a) {
  if (a.empty() || a.size() > 254 || a[0] == '-') return false;
  size_t at = a.find('@');
  if (at == 0 || at == std::string::npos || at + 1 == a.size() ||
      a.find('@', at + 1) != std::string::npos)
    return false;
  return std::all_of(a.begin(), a.end(), [](unsigned char c) {
    return c > ' ' && c < 0x7f && !strchr("<>(),;:\"\\[]", c);
  });
}

namespace {

bool ParseInt(const std::string& key, const std::string& v, int lo, int hi,
              int* out, std::string* err) {
  if (v.empty() || v.size() > 10 ||
      !std::all_of(v.begin(), v.end(),
                   [](char ch) { return ch >= '0' && ch <= '9'; })) {
    *err = "'" + key + "' wants a whole number from " + std::to_string(lo) +
           " to " + std::to_string(hi) + ", not '" + v + "'";
    return false;
  }
  long n = strtol(v.c_str(), nullptr, 10);
  if (n < lo || n > hi) {
    *err = "'" + key + "' must be from " + std::to_string(lo) + " to " +
           std::to_string(hi) + ", not " + v;
    return false;
  }
  *out = static_cast<int>(n);
  return true;
}

bool ParsePath(const std::string& key, const std::string& v, std::string* out,
               std::string* err) {
  if (v.empty() || v[0] != '/' || v.size() > 1024) {
    *err = "'" + key + "' wants an absolute path, not '" + v + "'";
    return false;
  }
  *out = v;
  return true;
}

bool ParseBool(const std::string& key, const std::string& v, bool* out,
               std::string* err) {
  if (v == "yes" || v == "true" || v == "1" || v == "on" || v.empty()) {
    *out = true;
  } else if (v == "no" || v == "false" || v == "0" || v == "off") {
    *out = false;
  } else {
    *err = "'" + key + "' wants yes or no, not '" + v + "'";
    return false;
  }
  return true;
}

bool ValidName(const std::string& s) {
  if (s.empty() || s.size() > 256) return false;
  return std::all_of(s.begin(), s.end(), [](unsigned char ch) {
    return ch > ' ' && ch != ',' && ch != '=' && ch < 0x7f;
  });
}

// A bad entry is an error, but the valid entries are kept: a typo in one
// name of exempt_users must not drop the others.
bool ParseNames(const std::string& key, const std::string& v,
                std::vector<std::string>* out, std::string* err) {
  std::vector<std::string> good;
  std::string bad;
  for (const auto& i : SplitList(v)) {
    if (ValidName(i)) good.push_back(i);
    else if (bad.empty()) bad = i;
  }
  *out = good;
  if (bad.empty()) return true;
  *err = "'" + key + "' has an invalid name '" + bad + "'";
  return false;
}

// "YYYY-MM-DD" (UTC): the grace lasts through that day. "" or "none": off.
bool ParseDate(const std::string& key, const std::string& v, int64_t* out,
               std::string* err) {
  if (v.empty() || v == "none") {
    *out = 0;
    return true;
  }
  struct tm tm = {};
  const char* end =
      v.size() == 10 ? strptime(v.c_str(), "%Y-%m-%d", &tm) : nullptr;
  if (end == nullptr || *end != '\0' || tm.tm_year < 100 || tm.tm_year > 8099) {
    *err = "'" + key + "' wants a date such as 2027-03-31, not '" + v + "'";
    return false;
  }
  *out = static_cast<int64_t>(timegm(&tm)) + 86400;
  return true;
}

using Setter = std::function<bool(Config*, const std::string& key,
                                  const std::string& v, std::string* err)>;

Setter Int(int Config::*field, int lo, int hi) {
  return
      [=](Config* c, const std::string& k, const std::string& v,
          std::string* e) { return ParseInt(k, v, lo, hi, &(c->*field), e); };
}
Setter Path(std::string Config::*field) {
  return [=](Config* c, const std::string& k, const std::string& v,
             std::string* e) { return ParsePath(k, v, &(c->*field), e); };
}
Setter Names(std::vector<std::string> Config::*field) {
  return [=](Config* c, const std::string& k, const std::string& v,
             std::string* e) { return ParseNames(k, v, &(c->*field), e); };
}

// A registration service's base URL: https://, or http:// to this host
// only (tests). No trailing slash, no query, no spaces.
Setter ServiceUrl(std::string Config::*field) {
  return [=](Config* c, const std::string& k, const std::string& v,
             std::string* e) {
    bool loopback = false;
    for (const std::string h :
         {"http://127.0.0.1", "http://[::1]", "http://localhost"}) {
      size_t n = h.size();
      if (v.compare(0, n, h) == 0 &&
          (v.size() == n || v[n] == ':' || v[n] == '/'))
        loopback = true;
    }
    if ((v.rfind("https://", 0) != 0 && !loopback) || v.size() > 400 ||
        v.find_first_of("?#") != std::string::npos ||
        !std::all_of(v.begin(), v.end(),
                     [](unsigned char ch) { return ch > ' ' && ch < 0x7f; })) {
      *e = "'" + k +
           "' wants an https:// URL (http:// only to this host) of "
           "at most 400 characters, without ? or #";
      return false;
    }
    std::string u = v;
    while (!u.empty() && u.back() == '/') u.pop_back();
    c->*field = u;
    return true;
  };
}

const std::map<std::string, Setter>& Setters() {
  static const std::map<std::string, Setter> table = {
      {"backend",
       [](Config* c, const std::string& k, const std::string& v, std::string* e) {
         for (BackendKind b : {BackendKind::kLocal, BackendKind::kRest,
                               BackendKind::kGraph, BackendKind::kOkta,
                               BackendKind::kLdap}) {
           if (v == BackendName(b)) {
             c->backend = b;
             return true;
           }
         }
         *e = "'" + k + "' must be local, rest, graph or okta, not '" + v + "'";
         return false;
       }},
      {"mode",
       [](Config* c, const std::string& k, const std::string& v, std::string* e) {
         if (v == "register") c->mode = Mode::kRegister;
         else if (v == "block") c->mode = Mode::kBlock;
         else if (v == "warn") c->mode = Mode::kWarn;
         else {
           *e = "'" + k + "' must be register, block or warn, not '" + v + "'";
           return false;
         }
         return true;
       }},
      {"methods",
       [](Config* c, const std::string& k, const std::string& v, std::string* e) {
         std::vector<std::string> m = SplitList(v);
         if (m.empty()) {
           *e = "'" + k + "' needs at least one method";
           return false;
         }
         for (size_t i = 0; i < m.size(); ++i) {
           if (m[i] != "mobile" && m[i] != "office" && m[i] != "email" &&
               m[i] != "questions") {
             *e = "'" + k + "': unknown method '" + m[i] +
                  "' (known: mobile, office, email, questions)";
             return false;
           }
           const auto here = m.begin() + static_cast<std::ptrdiff_t>(i);
           if (std::find(m.begin(), here, m[i]) != here) {
             *e = "'" + k + "' names '" + m[i] + "' twice";
             return false;
           }
         }
         c->methods = m;
         return true;
       }},
      {"methods_required", Int(&Config::methods_required, 1, 2)},
      {"questions_required", Int(&Config::questions_required, 3, 5)},
      {"questions_file", Path(&Config::questions_file)},
      {"email_delivery",
       [](Config* c, const std::string& k, const std::string& v, std::string* e) {
         Config probe;
         if (v != "smtp" && !SetKey(&probe, "delivery", v, e)) {
           *e = "'" + k + "' must be outbox:PATH, command:PATH or smtp, not '" + v + "'";
           return false;
         }
         c->email_delivery = v;
         return true;
       }},
      {"reconfirm_days", Int(&Config::reconfirm_days, 0, 730)},
      {"snooze_max", Int(&Config::snooze_max, 0, 100)},
      {"snooze_interval", Int(&Config::snooze_interval, 0, 30 * 86400)},
      {"grace_until",
       [](Config* c, const std::string& k, const std::string& v, std::string* e) {
         return ParseDate(k, v, &c->grace_until, e);
       }},
      {"default_region",
       [](Config* c, const std::string& k, const std::string& v, std::string* e) {
         if (v.size() != 2 || !isalpha(static_cast<unsigned char>(v[0])) ||
             !isalpha(static_cast<unsigned char>(v[1]))) {
           *e = "'" + k + "' wants a two-letter region code such as US or GB, not '" + v + "'";
           return false;
         }
         c->default_region = {static_cast<char>(toupper(v[0])),
                              static_cast<char>(toupper(v[1]))};
         return true;
       }},
      {"failmode",
       [](Config* c, const std::string& k, const std::string& v, std::string* e) {
         if (v == "safe") c->failmode = FailMode::kSafe;
         else if (v == "secure") c->failmode = FailMode::kSecure;
         else {
           *e = "'" + k + "' must be safe or secure, not '" + v + "'";
           return false;
         }
         return true;
       }},
      {"groups", Names(&Config::groups)},
      {"exempt_users", Names(&Config::exempt_users)},
      {"exempt_groups", Names(&Config::exempt_groups)},
      {"state_dir", Path(&Config::state_dir)},
      {"cache_dir", Path(&Config::cache_dir)},
      {"cache_ttl", Int(&Config::cache_ttl, 0, 30 * 86400)},
      {"helper_timeout", Int(&Config::helper_timeout, 1, 600)},
      {"dialogue_timeout", Int(&Config::dialogue_timeout, 10, 3600)},
      {"request_timeout", Int(&Config::request_timeout, 1, 120)},
      {"code_length", Int(&Config::code_length, 6, 10)},
      {"code_ttl", Int(&Config::code_ttl, 30, 3600)},
      {"max_attempts", Int(&Config::max_attempts, 1, 10)},
      {"max_input_attempts", Int(&Config::max_input_attempts, 1, 10)},
      {"resend_cooldown", Int(&Config::resend_cooldown, 0, 3600)},
      {"rate_limit", Int(&Config::rate_limit, 1, 1000)},
      {"rate_user_limit", Int(&Config::rate_user_limit, 1, 1000)},
      {"rate_number_limit", Int(&Config::rate_number_limit, 1, 10000)},
      {"rate_window", Int(&Config::rate_window, 60, 7 * 86400)},
      {"rate_lockout", Int(&Config::rate_lockout, 0, 30 * 86400)},
      {"delivery",
       [](Config* c, const std::string& k, const std::string& v, std::string* e) {
         std::string path;
         if (v == "smtp") {
           *e = "'" + k + "' cannot be smtp: smtp sends e-mail only; set "
                "email_delivery = smtp and keep delivery = outbox:PATH or "
                "command:PATH for phones";
           return false;
         }
         if (v.rfind("outbox:", 0) == 0) path = v.substr(7);
         else if (v.rfind("command:", 0) == 0) path = v.substr(8);
         else {
           *e = "'" + k + "' must be outbox:PATH or command:PATH, not '" + v + "'";
           return false;
         }
         std::string tmp;
         if (!ParsePath(k, path, &tmp, e)) return false;
         c->delivery = v;
         return true;
       }},
      {"delivery_timeout", Int(&Config::delivery_timeout, 1, 120)},
      {"helper_user",
       [](Config* c, const std::string& k, const std::string& v, std::string* e) {
         if (!ValidName(v)) {
           *e = "'" + k + "' wants a user name, not '" + v + "'";
           return false;
         }
         c->helper_user = v;
         return true;
       }},
      {"secrets_file", Path(&Config::secrets_file)},
      {"enroll_url",
       [](Config* c, const std::string& k, const std::string& v, std::string* e) {
         if (v.rfind("https://", 0) != 0 || v.size() > 400 ||
             !std::all_of(v.begin(), v.end(), [](unsigned char ch) {
               return ch > ' ' && ch < 0x7f;
             })) {
           *e = "'" + k + "' wants an https:// URL of at most 400 characters";
           return false;
         }
         c->enroll_url = v;
         return true;
       }},
      {"conf", Path(&Config::conf)},
      {"helper", Path(&Config::helper)},
      {"debug",
       [](Config* c, const std::string& k, const std::string& v, std::string* e) {
         return ParseBool(k, v, &c->debug, e);
       }},
      // Registration services and the module's stale-if-error cache.
      {"stale_ttl", Int(&Config::stale_ttl, 0, 90 * 86400)},
      {"cafile", Path(&Config::cafile)},
      {"pinned_pubkey",  // curl's form: sha256//BASE64;sha256//... or a file
       [](Config* c, const std::string& k, const std::string& v, std::string* e) {
         bool hashes = v.rfind("sha256//", 0) == 0 && v.size() <= 1024 &&
                       std::all_of(v.begin(), v.end(), [](unsigned char ch) {
                         return isalnum(ch) || ch == '+' || ch == '/' ||
                                ch == '=' || ch == ';';
                       });
         if (!hashes && (v.empty() || v[0] != '/')) {
           *e = "'" + k + "' wants sha256//BASE64[;sha256//BASE64...] or an "
                "absolute path to a public key file";
           return false;
         }
         c->pinned_pubkey = v;
         return true;
       }},
      {"directory_user",  // the user's name in the directory; %u = login
       [](Config* c, const std::string& k, const std::string& v, std::string* e) {
         if (v.find("%u") == std::string::npos || v.size() > 256 ||
             !std::all_of(v.begin(), v.end(), [](unsigned char ch) {
               return ch > ' ' && ch < 0x7f && ch != '/' && ch != '\'';
             })) {
           *e = "'" + k + "' wants a pattern with %u, such as %u@example.com";
           return false;
         }
         c->directory_user = v;
         return true;
       }},
      {"rest_url", ServiceUrl(&Config::rest_url)},
      {"graph_tenant",  // a GUID or a domain name
       [](Config* c, const std::string& k, const std::string& v, std::string* e) {
         if (v.empty() || v.size() > 128 ||
             !std::all_of(v.begin(), v.end(), [](unsigned char ch) {
               return isalnum(ch) || ch == '-' || ch == '.';
             })) {
           *e = "'" + k + "' wants a tenant id or domain, not '" + v + "'";
           return false;
         }
         c->graph_tenant = v;
         return true;
       }},
      {"graph_client_id",
       [](Config* c, const std::string& k, const std::string& v, std::string* e) {
         if (v.empty() || v.size() > 128 ||
             !std::all_of(v.begin(), v.end(), [](unsigned char ch) {
               return isalnum(ch) || ch == '-';
             })) {
           *e = "'" + k + "' wants an application (client) id, not '" + v + "'";
           return false;
         }
         c->graph_client_id = v;
         return true;
       }},
      {"graph_login_url", ServiceUrl(&Config::graph_login_url)},
      {"graph_url", ServiceUrl(&Config::graph_url)},
      {"graph_status",  // where a user's status comes from
       [](Config* c, const std::string& k, const std::string& v, std::string* e) {
         if (v != "methods" && v != "report") {
           *e = "'" + k + "' must be methods or report, not '" + v + "'";
           return false;
         }
         c->graph_status = v;
         return true;
       }},
      {"graph_write",
       [](Config* c, const std::string& k, const std::string& v, std::string* e) {
         return ParseBool(k, v, &c->graph_write, e);
       }},
      {"okta_url", ServiceUrl(&Config::okta_url)},
      {"only_services", Names(&Config::only_services)},
      {"skip_services", Names(&Config::skip_services)},
      {"skip_rhosts",
       [](Config* c, const std::string& k, const std::string& v, std::string* e) {
         std::vector<std::string> good;
         std::string why, first;
         for (const auto& n : SplitList(v)) {
           Network parsed;
           if (ParseNetwork(n, &parsed, &why)) good.push_back(n);
           else if (first.empty()) first = why;
         }
         c->skip_rhosts = good;  // the valid entries hold
         if (first.empty()) return true;
         *e = "'" + k + "': " + first;
         return false;
       }},
      {"min_uid", Int(&Config::min_uid, 0, 2147483647)},
      {"check_root",
       [](Config* c, const std::string& k, const std::string& v, std::string* e) {
         return ParseBool(k, v, &c->check_root, e);
       }},
      {"noninteractive",
       [](Config* c, const std::string& k, const std::string& v, std::string* e) {
         if (v == "skip") c->noninteractive = NonInteractive::kSkip;
         else if (v == "check") c->noninteractive = NonInteractive::kCheck;
         else {
           *e = "'" + k + "' must be skip or check, not '" + v + "'";
           return false;
         }
         return true;
       }},
      {"noninteractive_services", Names(&Config::noninteractive_services)},
      {"interactive_services", Names(&Config::interactive_services)},
      {"show_qr",
       [](Config* c, const std::string& k, const std::string& v, std::string* e) {
         return ParseBool(k, v, &c->show_qr, e);
       }},
      {"seccomp",  // off only to debug the helper (strace -f, valgrind)
       [](Config* c, const std::string& k, const std::string& v, std::string* e) {
         return ParseBool(k, v, &c->seccomp, e);
       }},
      {"locale_dir", Path(&Config::locale_dir)},
      {"texts_file", Path(&Config::texts_file)},
      {"smtp_url",  // TLS always: smtp:// means STARTTLS required
       [](Config* c, const std::string& k, const std::string& v, std::string* e) {
         std::string why;
         if (!SmtpUrlValid(v, &why)) {
           *e = "'" + k + "' " + why + ", not '" + v + "'";
           return false;
         }
         c->smtp_url = v;
         return true;
       }},
      {"smtp_from",
       [](Config* c, const std::string& k, const std::string& v, std::string* e) {
         if (!SmtpAddressValid(v)) {
           *e = "'" + k + "' wants an address such as noreply@example.com, not '" + v + "'";
           return false;
         }
         c->smtp_from = v;
         return true;
       }},
      {"smtp_user",
       [](Config* c, const std::string& k, const std::string& v, std::string* e) {
         if (v.size() > 256 || !std::all_of(v.begin(), v.end(), [](unsigned char ch) {
               return ch > ' ' && ch < 0x7f;
             })) {
           *e = "'" + k + "' wants a user name without spaces";
           return false;
         }
         c->smtp_user = v;
         return true;
       }},
      // backend = okta as an OAuth 2.0 service app.
      {"okta_client_id",
       [](Config* c, const std::string& k, const std::string& v, std::string* e) {
         if (v.empty() || v.size() > 128 ||
             !std::all_of(v.begin(), v.end(), [](unsigned char ch) {
               return isalnum(ch) || ch == '-' || ch == '_';
             })) {
           *e = "'" + k + "' wants the service app's client id, not '" + v + "'";
           return false;
         }
         c->okta_client_id = v;
         return true;
       }},
      {"okta_key_id",
       [](Config* c, const std::string& k, const std::string& v, std::string* e) {
         if (v.size() > 128 || !std::all_of(v.begin(), v.end(), [](unsigned char ch) {
               return isalnum(ch) || ch == '-' || ch == '_' || ch == '.';
             })) {
           *e = "'" + k + "' wants a key id of letters, digits, - _ .";
           return false;
         }
         c->okta_key_id = v;
         return true;
       }},
      {"reset",
       [](Config* c, const std::string& k, const std::string& v, std::string* e) {
         return ParseBool(k, v, &c->reset, e);
       }},
      {"reset_methods_required", Int(&Config::reset_methods_required, 1, 2)},
      {"reset_questions", Int(&Config::reset_questions, 1, 5)},
      {"reset_contact",
       [](Config* c, const std::string& k, const std::string& v, std::string* e) {
         if (v.empty() || v.size() > 200 ||
             !std::all_of(v.begin(), v.end(),
                          [](unsigned char ch) { return ch >= ' ' && ch != 0x7f; })) {
           *e = "'" + k + "' wants a text of 1 to 200 characters without "
                "control characters";
           return false;
         }
         c->reset_contact = v;
         return true;
       }},
      {"reset_exclude_groups", Names(&Config::reset_exclude_groups)},
      {"reset_limit", Int(&Config::reset_limit, 1, 100)},
      {"reset_fail_limit", Int(&Config::reset_fail_limit, 1, 100)},
      {"reset_passwd_service",
       [](Config* c, const std::string& k, const std::string& v, std::string* e) {
         if (!ValidName(v) || v.size() > 64 || v.find('/') != std::string::npos) {
           *e = "'" + k + "' wants a PAM service name, not '" + v + "'";
           return false;
         }
         c->reset_passwd_service = v;
         return true;
       }},
      {"setpass", Path(&Config::setpass)},
      {"okta_scopes",
       [](Config* c, const std::string& k, const std::string& v, std::string* e) {
         std::vector<std::string> s = SplitList(v);
         if (s.empty() || !std::all_of(s.begin(), s.end(), [](const std::string& x) {
               return x.size() <= 64 && std::all_of(x.begin(), x.end(), [](unsigned char ch) {
                        return isalnum(ch) || ch == '.' || ch == '_' || ch == ':';
                      });
             })) {
           *e = "'" + k + "' wants scopes such as okta.users.read okta.users.manage";
           return false;
         }
         std::string joined;
         for (const auto& x : s) joined += (joined.empty() ? "" : " ") + x;
         c->okta_scopes = joined;
         return true;
       }},
  };
  return table;
}

}  // namespace

std::vector<std::string> SplitList(const std::string& v) {
  std::vector<std::string> out;
  std::string cur;
  for (char ch : v) {
    if (ch == ',' || ch == ' ' || ch == '\t') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(ch);
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

std::vector<std::string> ConfigKeyNames() {
  std::vector<std::string> keys;
  for (const auto& entry : Setters()) keys.push_back(entry.first);
  for (const auto& k : LdapKeyNames()) keys.push_back(k);
  std::sort(keys.begin(), keys.end());
  return keys;
}

bool SetKey(Config* c, const std::string& key, const std::string& value,
            std::string* err) {
  const auto& t = Setters();
  auto it = t.find(key);
  if (it == t.end() && IsLdapKey(key)) {
    if (value.size() > kMaxConfigLine) {
      *err = "value of '" + key + "' is too long";
      return false;
    }
    return SetLdapKey(c, key, value, err);
  }
  if (it == t.end()) {
    *err = "unknown key '" + key + "'";
    return false;
  }
  if (value.size() > kMaxConfigLine) {
    *err = "value of '" + key + "' is too long";
    return false;
  }
  return it->second(c, key, value, err);
}

bool Validate(const Config& c, std::string* err) {
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

namespace {

// Applies every argument; each bad one is added to *errors.
void ApplyArgsAll(const std::vector<std::string>& args, Config* c,
                  std::vector<std::string>* errors) {
  for (const auto& a : args) {
    size_t eq = a.find('=');
    std::string key = eq == std::string::npos ? a : a.substr(0, eq);
    std::string val = eq == std::string::npos ? "" : a.substr(eq + 1);
    if (eq == std::string::npos && key != "debug") {
      errors->push_back("module argument '" + a + "' is not key=value");
      continue;
    }
    std::string e;
    if (!SetKey(c, key, val, &e)) errors->push_back("module argument: " + e);
  }
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
  const size_t before = errors->size();
  bool explicit_conf = false, conf_ok = true;
  for (const auto& a : args) {
    if (a.rfind("conf=", 0) == 0) {
      std::string e;
      explicit_conf = true;
      // A bad conf= is reported once, with the other arguments below.
      if (!SetKey(c, "conf", a.substr(5), &e)) conf_ok = false;
    }
  }
  // A conf= that is no absolute path names no file to read: the module
  // arguments alone decide.
  if (conf_ok)
    LoadConfigFileAll(c->conf, check_perms, explicit_conf, c, errors);
  ApplyArgsAll(args, c, errors);
  std::string e;
  if (!Validate(*c, &e)) errors->push_back(c->conf + ": " + e);
  return errors->size() == before;
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
