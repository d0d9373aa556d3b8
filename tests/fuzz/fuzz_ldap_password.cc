// Fuzzes what the reset makes of a directory's answer and of the entry's
// DN (helper/net/ldap_password.h). The input is three parts split at the
// first two NUL bytes: the policy's text, the server's diagnostic text
// (both as a server could send them) and the password typed. Oracles
// beyond the sanitizers:
//  - the refusal reason is valid UTF-8 without control characters, bounded,
//    and never contains the password (ASCII case folded);
//  - a request value built from the diagnostic as DN reads back with
//    liblber's decoder as exactly that DN and password, no old password.
#include <lber.h>
#include <ldap.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <algorithm>
#include <cctype>
#include <string>

#include "common/text.h"
#include "helper/net/ldap_password.h"

using namespace sspr;

namespace {
void Check(bool ok) {
  if (!ok) abort();
}

std::string Lower(std::string s) {
  for (char& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// dn and password back out of a request value, or false.
bool ReadBack(const std::string& value, std::string* dn, std::string* pw,
              bool* old) {
  std::string copy = value;
  berval bv{static_cast<ber_len_t>(copy.size()), copy.data()};
  BerElement* ber = ber_init(&bv);
  if (!ber) return false;
  ber_len_t len = 0;
  bool ok = ber_skip_tag(ber, &len) == LBER_SEQUENCE;
  *old = false;
  while (ok) {
    ber_tag_t tag = ber_peek_tag(ber, &len);
    if (tag == LBER_DEFAULT) break;
    berval s{};
    if (ber_get_stringbv(ber, &s, LBER_BV_NOTERM) == LBER_ERROR) {
      ok = false;
      break;
    }
    std::string v(s.bv_val, s.bv_len);
    if (tag == LDAP_TAG_EXOP_MODIFY_PASSWD_ID) *dn = v;
    else if (tag == LDAP_TAG_EXOP_MODIFY_PASSWD_NEW) *pw = v;
    else *old = true;
  }
  ber_free(ber, 1);
  return ok;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 8192) return 0;
  const std::string in(reinterpret_cast<const char*>(data), size);
  size_t a = in.find('\0');
  size_t b = a == std::string::npos ? a : in.find('\0', a + 1);
  const std::string policy = in.substr(0, a);
  const std::string said =
      a == std::string::npos
          ? ""
          : in.substr(a + 1, b == std::string::npos ? b : b - a - 1);
  const std::string pw = b == std::string::npos ? "" : in.substr(b + 1);

  std::string r = PasswordRefusalReason(policy, said, pw);
  Check(IsValidUtf8(r) && !HasControl(r));
  Check(r.size() <= 2 * (kMaxLdapRefusalText + 3) + 3);
  if (!pw.empty()) Check(Lower(r).find(Lower(pw)) == std::string::npos);

  std::string value, dn, back;
  bool old = true;
  if (PasswdModifyRequestValue(said, pw, &value)) {
    Check(ReadBack(value, &dn, &back, &old));
    Check(dn == said && back == pw && !old);
  } else {
    Check(value.empty() &&
          (said.empty() || pw.empty() || said.size() > kMaxLdapDn));
  }
  return 0;
}
