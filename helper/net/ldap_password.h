// The reset's password in LDAP (RFC 3062 Password Modify), as code the
// ldap backend calls around libldap: the request value (built here, in a
// buffer we wipe), what the answer means, the refusal text a person may
// see, and a libldap whose freed memory is wiped.
#ifndef SSPR_HELPER_NET_LDAP_PASSWORD_H_
#define SSPR_HELPER_NET_LDAP_PASSWORD_H_

#include <cstddef>
#include <string>

namespace sspr {

constexpr size_t kMaxLdapDn = 4096;          // bytes of the user's DN
constexpr size_t kMaxLdapRefusalText = 200;  // bytes of the server's words

// PasswdModifyRequestValue ::= SEQUENCE { userIdentity [0] dn,
// newPasswd [2] password } (DER; no oldPasswd: the service account
// resets). False when dn or password is empty or too long. The caller
// wipes *out after use.
bool PasswdModifyRequestValue(const std::string& dn,
                              const std::string& password, std::string* out);

enum class PasswordModifyResult {
  kSet,         // success
  kRefused,     // the directory's policy refused this password: try another
  kNotAllowed,  // the policy never lets this account's password be set so
  kNoRight,     // insufficientAccessRights: the service account's ACL
  kReplica,     // a referral: a read-only replica answered
  kError,       // anything else: nothing changed
};

// The LDAP result code of the operation and, when the server sent the
// password policy response control with an error, its error (0-8, as
// LDAPPasswordPolicyError; -1 without one).
PasswordModifyResult ClassifyPasswordModify(int rc, int ppolicy_error);

// What a person is shown for kRefused: the policy's reason (libldap's text
// for the control's error) and the server's diagnostic text, each valid
// UTF-8 without control characters, the server's cut to
// kMaxLdapRefusalText bytes; a text that contains the password is left
// out. "" when nothing is left.
std::string PasswordRefusalReason(const std::string& policy_text,
                                  const std::string& diagnostic,
                                  const std::string& password);

// Makes libldap (and liblber) overwrite every block before it frees or
// moves it, so the request that carried a new password does not stay in
// freed memory. Call once, before any other libldap call; false when
// libldap refused (it had allocated already).
bool WipeLdapMemoryOnFree();

}  // namespace sspr

#endif  // SSPR_HELPER_NET_LDAP_PASSWORD_H_
