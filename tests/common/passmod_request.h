// The RFC 3062 Password Modify request value read back the way slapd's
// parser reads it (a SEQUENCE of optional [0] userIdentity, [1] oldPasswd,
// [2] newPasswd OCTET STRINGs, nothing else), with liblber's own decoder.
// Shared by tests/unit/ldap_password_test.cc and the fuzz target.
#ifndef SSPR_TESTS_COMMON_PASSMOD_REQUEST_H_
#define SSPR_TESTS_COMMON_PASSMOD_REQUEST_H_

#include <lber.h>
#include <ldap.h>

#include <string>

namespace sspr_test {

struct PassmodRequest {
  bool ok = false;       // well formed, no tag but the three
  bool has_old = false;  // an oldPasswd was there (even empty)
  std::string id, old_pw, new_pw;
};

inline PassmodRequest DecodePassmodRequest(const std::string& value) {
  PassmodRequest d;
  std::string copy = value;
  berval bv{static_cast<ber_len_t>(copy.size()), copy.data()};
  BerElement* ber = ber_init(&bv);  // a copy of its own
  if (!ber) return d;
  ber_len_t len = 0;
  bool ok = ber_skip_tag(ber, &len) == LBER_SEQUENCE;
  while (ok) {
    ber_tag_t tag = ber_peek_tag(ber, &len);
    if (tag == LBER_DEFAULT) break;
    berval s{};
    if (ber_get_stringbv(ber, &s, LBER_BV_NOTERM) == LBER_ERROR) {
      ok = false;
      break;
    }
    std::string v(s.bv_val, s.bv_len);
    if (tag == LDAP_TAG_EXOP_MODIFY_PASSWD_ID) {
      d.id = v;
    } else if (tag == LDAP_TAG_EXOP_MODIFY_PASSWD_OLD) {
      d.old_pw = v;
      d.has_old = true;
    } else if (tag == LDAP_TAG_EXOP_MODIFY_PASSWD_NEW) {
      d.new_pw = v;
    } else {
      ok = false;
    }
  }
  ber_free(ber, 1);
  d.ok = ok;
  return d;
}

}  // namespace sspr_test

#endif  // SSPR_TESTS_COMMON_PASSMOD_REQUEST_H_
