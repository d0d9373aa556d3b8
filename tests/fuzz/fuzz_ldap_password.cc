// Fuzzes what the reset makes of a directory's answer and of the entry's
// DN (helper/net/ldap_password.h). The input is three parts split at the
// first two NUL bytes: the policy's text, the server's diagnostic text
// (both as a server could send them) and the password typed. Oracles
// beyond the sanitizers:
//  - the refusal reason is valid UTF-8 without control characters, bounded,
//    and never contains the password (ASCII case folded);
//  - a request value built from the diagnostic as DN reads back with
//    liblber's decoder as exactly that DN and password, no old password.
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <algorithm>
#include <cctype>
#include <string>

#include "common/text.h"
#include "helper/net/ldap_password.h"
#include "tests/common/passmod_request.h"

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

  std::string value;
  if (PasswdModifyRequestValue(said, pw, &value)) {
    const sspr_test::PassmodRequest d = sspr_test::DecodePassmodRequest(value);
    Check(d.ok && d.id == said && d.new_pw == pw && !d.has_old);
  } else {
    Check(value.empty() &&
          (said.empty() || pw.empty() || said.size() > kMaxLdapDn));
  }
  return 0;
}
