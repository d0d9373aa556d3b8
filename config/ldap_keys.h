// The ldap backend's config keys (ldap_*), kept apart from config.cc's
// table; SetKey and ConfigKeyNames reach them through these functions.
#ifndef SSPR_CONFIG_LDAP_KEYS_H_
#define SSPR_CONFIG_LDAP_KEYS_H_

#include <string>
#include <string_view>
#include <vector>

namespace sspr {

struct Config;
struct ModuleConfig;

bool IsLdapKey(std::string_view key);
std::vector<std::string> LdapKeyNames();
// One setter for both kinds of Config (config.h); a ModuleConfig keeps
// pointing into `v`.
bool SetLdapKey(Config* c, std::string_view key, std::string_view v,
                std::string* err);
bool SetLdapKey(ModuleConfig* c, std::string_view key, std::string_view v,
                std::string* err);
// backend = ldap: what no single key can check (a URI list, a base, plain
// LDAP only to loopback).
bool ValidateLdap(const Config& c, std::string* err);
bool ValidateLdap(const ModuleConfig& c, std::string* err);

// The effective filter and attributes: the key's value, else ldap_schema's.
std::string LdapUserFilter(const Config& c);
// For a method type (mobile, office, email; questions: ldap_attr_questions,
// "" when unmapped); "" for any other.
std::string LdapAttr(const Config& c, const std::string& method);

// True for an ldap:// URI to 127.0.0.0/8, ::1 or localhost.
bool LdapLoopback(std::string_view uri);

}  // namespace sspr

#endif  // SSPR_CONFIG_LDAP_KEYS_H_
