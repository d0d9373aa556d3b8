// backend = ldap: its keys, presets and checks.
#include "config/ldap_keys.h"

#include <ctype.h>

#include <algorithm>

#include "config/config.h"

namespace sspr {
namespace {

struct Preset {
  const char* name;
  const char* filter;
};
// All three map mobile / telephoneNumber / mail; they differ in the filter.
// None maps ldap_attr_questions: no standard schema (inetOrgPerson,
// FreeIPA's, AD's) has an attribute for salted answer hashes; it needs
// contrib/ldap's ssprQuestionHash (or an admin's choice), and a default
// that the directory lacks would turn every questions registration into an
// undefined-attribute error.
constexpr Preset kPresets[] = {
    {"rfc2798", "(&(objectClass=inetOrgPerson)(uid=%u))"},
    {"freeipa", "(&(objectClass=posixAccount)(uid=%u))"},
    {"ad", "(&(objectClass=user)(sAMAccountName=%u))"},
};

std::string S(std::string_view v) { return std::string(v); }

bool Printable(std::string_view v) {
  return std::all_of(v.begin(), v.end(),
                     [](unsigned char ch) { return ch >= ' ' && ch != 0x7f; });
}

// RFC 4512 descr (a name) or numericoid.
bool AttrName(std::string_view v) {
  if (v.empty() || v.size() > 64) return false;
  if (isalpha(static_cast<unsigned char>(v[0])))
    return std::all_of(v.begin(), v.end(), [](unsigned char ch) {
      return isalnum(ch) || ch == '-';
    });
  return std::all_of(
             v.begin(), v.end(),
             [](unsigned char ch) { return isdigit(ch) || ch == '.'; }) &&
         v.back() != '.';
}

// ldap[s]://host[:port][/]: no DN, no extensions in the URI.
bool UriOk(std::string_view u) {
  size_t p = u.rfind("ldaps://", 0) == 0  ? 8
             : u.rfind("ldap://", 0) == 0 ? 7
                                          : 0;
  if (p == 0 || u.size() > 300) return false;
  std::string_view rest = u.substr(p);
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.empty()) return false;
  return std::all_of(rest.begin(), rest.end(), [](unsigned char ch) {
    return isalnum(ch) || ch == '.' || ch == '-' || ch == ':' || ch == '[' ||
           ch == ']';
  });
}

bool FilterOk(std::string_view f) {
  if (f.size() < 3 || f.size() > 512 || f.front() != '(' || f.back() != ')' ||
      f.find("%u") == std::string_view::npos || !Printable(f))
    return false;
  int depth = 0;
  for (size_t i = 0; i < f.size(); ++i) {
    if (f[i] == '(') ++depth;
    if (f[i] == ')' && --depth < 0) return false;
    if (depth == 0 && i + 1 < f.size()) return false;  // one filter
  }
  return depth == 0;
}

bool YesNo(std::string_view k, std::string_view v, bool* out, std::string* e) {
  if (v == "yes" || v == "no") {
    *out = v == "yes";
    return true;
  }
  *e = "'" + S(k) + "' wants yes or no, not '" + S(v) + "'";
  return false;
}

bool Seconds(std::string_view k, std::string_view v, int* out, std::string* e) {
  const bool digits = !v.empty() && v.size() <= 2 &&
                      std::all_of(v.begin(), v.end(),
                                  [](unsigned char ch) { return isdigit(ch); });
  const int n = !digits         ? 0
                : v.size() == 1 ? v[0] - '0'
                                : (v[0] - '0') * 10 + (v[1] - '0');
  if (n < 1 || n > 60) {
    *e = "'" + S(k) + "' wants seconds from 1 to 60, not '" + S(v) + "'";
    return false;
  }
  *out = n;
  return true;
}

template <class C, class F>
bool Attr(C* c, F field, std::string_view k, std::string_view v,
          std::string* e) {
  if (!v.empty() && !AttrName(v)) {
    *e = "'" + S(k) + "' wants an attribute name, not '" + S(v) + "'";
    return false;
  }
  c->*field = v;
  return true;
}

const char* const kKeys[] = {
    "ldap_attr_email",      "ldap_attr_mobile", "ldap_attr_office",
    "ldap_attr_verified",   "ldap_base",        "ldap_bind_dn",
    "ldap_connect_timeout", "ldap_schema",      "ldap_scope",
    "ldap_starttls",        "ldap_uri",         "ldap_user_filter",
    "ldap_sasl_mech",       "ldap_tls_cert",    "ldap_tls_key",
    "ldap_attr_questions",  "ldap_keytab",      "ldap_krb5_conf",
    "ldap_krb5_principal",
};

}  // namespace

bool IsLdapKey(std::string_view key) {
  return std::find(std::begin(kKeys), std::end(kKeys), key) != std::end(kKeys);
}

std::vector<std::string> LdapKeyNames() {
  return std::vector<std::string>(std::begin(kKeys), std::end(kKeys));
}

namespace {

// ldap_uri's valid entries, at most 8: Config keeps copies, ModuleConfig
// the text with the same rule.
void AssignUris(std::vector<std::string>* out, std::string_view v) {
  out->clear();
  for (std::string_view u : NameView(v, UriOk, 8)) out->emplace_back(u);
}
void AssignUris(NameView* out, std::string_view v) {
  *out = NameView(v, UriOk, 8);
}

template <class C>
bool SetLdapKeyT(C* c, std::string_view k, std::string_view v, std::string* e) {
  if (k == "ldap_uri") {
    std::string_view bad;
    for (std::string_view u : NameView(v)) {
      if (!UriOk(u) && bad.empty()) bad = u;
    }
    AssignUris(&c->ldap_uri, v);  // the valid ones hold
    if (!bad.empty() || c->ldap_uri.empty()) {
      *e = "'" + S(k) +
           "' wants ldap:// or ldaps:// URIs (host[:port]), not '" +
           S(bad.empty() ? v : bad) + "'";
      return false;
    }
    return true;
  }
  if (k == "ldap_starttls") return YesNo(k, v, &c->ldap_starttls, e);
  if (k == "ldap_base" || k == "ldap_bind_dn") {
    if ((k == "ldap_base" && v.empty()) || v.size() > 512 || !Printable(v)) {
      *e = "'" + S(k) + "' wants a DN of at most 512 printable characters";
      return false;
    }
    (k == "ldap_base" ? c->ldap_base : c->ldap_bind_dn) = v;
    return true;
  }
  if (k == "ldap_scope") {
    if (v != "base" && v != "one" && v != "sub") {
      *e = "'" + S(k) + "' must be base, one or sub, not '" + S(v) + "'";
      return false;
    }
    c->ldap_scope = v;
    return true;
  }
  if (k == "ldap_user_filter") {
    if (!v.empty() && !FilterOk(v)) {
      *e = "'" + S(k) +
           "' wants one parenthesised filter with %u, of at most "
           "512 characters";
      return false;
    }
    c->ldap_user_filter = v;
    return true;
  }
  if (k == "ldap_schema") {
    for (const auto& p : kPresets) {
      if (v == p.name) {
        c->ldap_schema = v;
        return true;
      }
    }
    *e = "'" + S(k) + "' must be rfc2798, freeipa or ad, not '" + S(v) + "'";
    return false;
  }
  if (k == "ldap_sasl_mech") {
    if (!v.empty() && v != "EXTERNAL" && v != "GSSAPI") {
      *e = "'" + S(k) +
           "' must be empty (simple bind), EXTERNAL or GSSAPI, not '" + S(v) +
           "'";
      return false;
    }
    c->ldap_sasl_mech = v;
    return true;
  }
  if (k == "ldap_krb5_principal") {
    // name[/instance][@REALM]: no blanks, no control characters
    if (v.size() > 256 ||
        !std::all_of(v.begin(), v.end(),
                     [](unsigned char ch) { return ch > ' ' && ch != 0x7f; })) {
      *e = "'" + S(k) +
           "' wants a Kerberos principal (host/name@REALM) of at most 256 "
           "characters without blanks";
      return false;
    }
    c->ldap_krb5_principal = v;
    return true;
  }
  if (k == "ldap_keytab" || k == "ldap_krb5_conf") {
    if (v.empty() || v[0] != '/' || v.size() > 1024 || !Printable(v)) {
      *e = "'" + S(k) + "' wants an absolute path, not '" + S(v) + "'";
      return false;
    }
    (k == "ldap_keytab" ? c->ldap_keytab : c->ldap_krb5_conf) = v;
    return true;
  }
  if (k == "ldap_tls_cert" || k == "ldap_tls_key") {
    if (!v.empty() && (v[0] != '/' || v.size() > 1024 || !Printable(v))) {
      *e = "'" + S(k) + "' wants an absolute path, not '" + S(v) + "'";
      return false;
    }
    (k == "ldap_tls_cert" ? c->ldap_tls_cert : c->ldap_tls_key) = v;
    return true;
  }
  if (k == "ldap_connect_timeout")
    return Seconds(k, v, &c->ldap_connect_timeout, e);
  if (k == "ldap_attr_mobile") return Attr(c, &C::ldap_attr_mobile, k, v, e);
  if (k == "ldap_attr_office") return Attr(c, &C::ldap_attr_office, k, v, e);
  if (k == "ldap_attr_email") return Attr(c, &C::ldap_attr_email, k, v, e);
  if (k == "ldap_attr_verified")
    return Attr(c, &C::ldap_attr_verified, k, v, e);
  if (k == "ldap_attr_questions")
    return Attr(c, &C::ldap_attr_questions, k, v, e);
  *e = "unknown key '" + S(k) + "'";
  return false;
}

template <class C>
bool ValidateLdapT(const C& c, std::string* err) {
  if (c.ldap_uri.empty() || c.ldap_base.empty()) {
    *err = "backend = ldap needs ldap_uri and ldap_base";
    return false;
  }
  if (c.ldap_sasl_mech == "EXTERNAL" &&
      (c.ldap_tls_cert.empty() || c.ldap_tls_key.empty() ||
       !c.ldap_bind_dn.empty())) {
    *err =
        "ldap_sasl_mech = EXTERNAL binds with ldap_tls_cert and "
        "ldap_tls_key, without ldap_bind_dn";
    return false;
  }
  if (c.ldap_attr_questions.empty() &&
      std::find(c.methods.begin(), c.methods.end(), "questions") !=
          c.methods.end()) {
    *err =
        "backend = ldap keeps security questions only in ldap_attr_questions "
        "(e.g. ssprQuestionHash of contrib/ldap): set it, or remove "
        "'questions' from 'methods'";
    return false;
  }
  if (c.ldap_sasl_mech == "GSSAPI" &&
      (!c.ldap_bind_dn.empty() || !c.ldap_tls_cert.empty())) {
    *err =
        "ldap_sasl_mech = GSSAPI binds with ldap_keytab, without ldap_bind_dn "
        "or a client certificate";
    return false;
  }
  if (c.ldap_tls_cert.empty() != c.ldap_tls_key.empty()) {
    *err = "ldap_tls_cert and ldap_tls_key go together";
    return false;
  }
  auto plain = std::find_if(c.ldap_uri.begin(), c.ldap_uri.end(),
                            [&c](std::string_view u) {
                              return u.rfind("ldap://", 0) == 0 &&
                                     !c.ldap_starttls && !LdapLoopback(u);
                            });
  if (plain != c.ldap_uri.end()) {
    *err =
        "ldap_starttls = no sends the bind in clear: only to this host, "
        "not " +
        S(*plain) + " (use ldaps:// or StartTLS)";
    return false;
  }
  return true;
}

}  // namespace

bool SetLdapKey(Config* c, std::string_view k, std::string_view v,
                std::string* e) {
  return SetLdapKeyT(c, k, v, e);
}
bool SetLdapKey(ModuleConfig* c, std::string_view k, std::string_view v,
                std::string* e) {
  return SetLdapKeyT(c, k, v, e);
}
bool ValidateLdap(const Config& c, std::string* err) {
  return ValidateLdapT(c, err);
}
bool ValidateLdap(const ModuleConfig& c, std::string* err) {
  return ValidateLdapT(c, err);
}

std::string LdapUserFilter(const Config& c) {
  if (!c.ldap_user_filter.empty()) return c.ldap_user_filter;
  for (const auto& p : kPresets)
    if (c.ldap_schema == p.name) return p.filter;
  return kPresets[0].filter;
}

std::string LdapAttr(const Config& c, const std::string& method) {
  if (method == "mobile")
    return c.ldap_attr_mobile.empty() ? "mobile" : c.ldap_attr_mobile;
  if (method == "office")
    return c.ldap_attr_office.empty() ? "telephoneNumber" : c.ldap_attr_office;
  if (method == "email")
    return c.ldap_attr_email.empty() ? "mail" : c.ldap_attr_email;
  if (method == "questions") return c.ldap_attr_questions;
  return "";
}

bool LdapLoopback(std::string_view uri) {
  if (uri.rfind("ldap://", 0) != 0) return false;
  std::string_view host = uri.substr(7);
  if (host.rfind("[::1]", 0) == 0)
    return host.size() == 5 || host[5] == ':' || host[5] == '/';
  host = host.substr(0, host.find_first_of(":/"));
  return host == "localhost" ||
         (host.rfind("127.", 0) == 0 &&
          std::all_of(host.begin(), host.end(), [](unsigned char ch) {
            return isdigit(ch) || ch == '.';
          }));
}

}  // namespace sspr
