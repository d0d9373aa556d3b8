// ldap_sasl_mech = GSSAPI: the host's Kerberos identity for the LDAP bind,
// split along the privilege drop. As root only local files are read: the
// keytab (root-only, like /etc/krb5.keytab) is copied into a MEMORY keytab
// of this process and SASL's mechanisms are loaded. After the drop the
// KDC is asked (AS, then TGS for the LDAP server) under a deadline, into a
// MEMORY credential cache; libldap's GSSAPI bind then uses that cache
// (KRB5CCNAME, set here: the helper's environment starts empty).
#ifndef SSPR_HELPER_NET_KRB5_LOGIN_H_
#define SSPR_HELPER_NET_KRB5_LOGIN_H_

#include <cstdint>
#include <string>

namespace sspr {

struct Config;

// As root, before the drop, when backend = ldap and ldap_sasl_mech =
// GSSAPI (else it does nothing): KRB5_CONFIG = ldap_krb5_conf; the keys of
// ldap_krb5_principal (else of the keytab's first principal) from
// ldap_keytab (owned by root, not writable by others, at most 1 MiB) into
// memory; SASL GSSAPI present. *err names the file or what is missing.
bool PrepareKrb5Login(const Config& c, std::string* err);

// After the drop: tickets for ldap/<host> (the URI's host, as written) in
// the MEMORY cache, the initial ticket only once per process. At most
// `budget_ms`: a KDC that does not answer costs no more (its request is
// left behind and the session ends). *next: another URI may still work
// (false when the KDC or the keytab failed, which holds for every URI).
bool Krb5TicketsFor(const std::string& host, int64_t budget_ms, bool* next,
                    std::string* err);

// The principal the tickets are for ("" before PrepareKrb5Login), for log
// lines.
const std::string& Krb5Principal();

}  // namespace sspr

#endif  // SSPR_HELPER_NET_KRB5_LOGIN_H_
