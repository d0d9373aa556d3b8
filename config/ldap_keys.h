// The ldap backend's config keys (ldap_*), kept apart from config.cc's
// table; SetKey and ConfigKeyNames reach them through these functions.
#ifndef SSPR_CONFIG_LDAP_KEYS_H_
#define SSPR_CONFIG_LDAP_KEYS_H_

#include <string>
#include <vector>

namespace sspr {

struct Config;

bool IsLdapKey(const std::string& key);
std::vector<std::string> LdapKeyNames();
bool SetLdapKey(Config* c, const std::string& key, const std::string& v,
                std::string* err);
// backend = ldap: what no single key can check (a URI list, a base, plain
// LDAP only to loopback).
bool ValidateLdap(const Config& c, std::string* err);

// The effective filter and attributes: the key's value, else ldap_schema's.
std::string LdapUserFilter(const Config& c);
// For a method type (mobile, office, email; questions: ldap_attr_questions,
// "" when unmapped); "" for any other.
std::string LdapAttr(const Config& c, const std::string& method);

// True for an ldap:// URI to 127.0.0.0/8, ::1 or localhost.
bool LdapLoopback(const std::string& uri);

}  // namespace sspr

#endif  // SSPR_CONFIG_LDAP_KEYS_H_
