// What the ldap backend reads from and writes to the directory, as pure
// code (no libldap): filter escaping, and the checks that values read from
// the directory pass before they count (they are treated like user input).
#ifndef SSPR_HELPER_NET_LDAP_VALUES_H_
#define SSPR_HELPER_NET_LDAP_VALUES_H_

#include <cstdint>
#include <string>

#include "helper/store/record.h"

namespace sspr {

constexpr size_t kMaxLdapValue = 512;  // bytes of one value we look at
// One security question and its hash (ldap_attr_questions): a question of
// up to 200 characters, JSON-escaped, and a crypt hash.
constexpr size_t kMaxLdapQuestionValue = 2048;

// RFC 4515 assertion value: '*', '(', ')', '\\', NUL and every byte
// outside printable ASCII become \XX, so a name never widens a filter.
std::string LdapEscapeFilterValue(const std::string& v);

// `tmpl` (ldap_user_filter) with every %u replaced by the escaped user.
std::string LdapUserFilterFor(const std::string& tmpl, const std::string& user);

// A phone number read from the directory ("+1 425-555-0100",
// "+14255550100"): international form only (no region is guessed), checked
// like a typed one. True with *e164 set, else *why (for the log; it never
// contains the value).
bool LdapPhoneValue(const std::string& raw, bool mobile, std::string* e164,
                    std::string* why);
// An e-mail address read from the directory, domain lower-cased.
bool LdapEmailValue(const std::string& raw, std::string* address,
                    std::string* why);

// A value of ldap_attr_questions (contrib/ldap: ssprQuestionHash): one
// entry of the local record's "answers", {"question":...,"hash":...}
// (AnswerFromJson, helper/store/record.h), whose hash must be a salted
// crypt hash as HashAnswer makes ($y$ yescrypt or $6$ SHA-512 crypt). True
// with *qa set, else *why (for the log: never the question or the hash).
bool LdapQuestionValue(const std::string& raw, QuestionAnswer* qa,
                       std::string* why);

// The verified marker (ldap_attr_verified, contrib/ldap: ssprVerified):
// "<method> <unix seconds> <value>".
struct VerifiedMarker {
  std::string method;  // mobile | office | email | questions
  int64_t at = 0;
  std::string value;  // E.164 number or address, as written; for
                      // questions their count (3 to 5)
};
bool ParseVerifiedMarker(const std::string& raw, VerifiedMarker* out,
                         std::string* why);
std::string FormatVerifiedMarker(const VerifiedMarker& m);

}  // namespace sspr

#endif  // SSPR_HELPER_NET_LDAP_VALUES_H_
