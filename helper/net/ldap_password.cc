// helper/net/ldap_password: RFC 3062's request value, the meaning of its
// answer, the refusal a person may read, and libldap's wiped frees.
#include "helper/net/ldap_password.h"

#include <lber.h>
#include <ldap.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include <algorithm>
#include <cctype>
#include <cstdint>

#include "common/text.h"

namespace sspr {
namespace {

// A DER length: short form below 128, else 0x80|n and n big-endian bytes.
void PutLength(size_t n, std::string* out) {
  if (n < 0x80) {
    out->push_back(static_cast<char>(n));
    return;
  }
  unsigned char bytes[sizeof(size_t)];
  int k = 0;
  for (; n > 0; n >>= 8) bytes[k++] = static_cast<unsigned char>(n & 0xff);
  out->push_back(static_cast<char>(0x80 | k));
  while (k > 0) out->push_back(static_cast<char>(bytes[--k]));
}

void PutOctets(unsigned char tag, const std::string& v, std::string* out) {
  out->push_back(static_cast<char>(tag));
  PutLength(v.size(), out);
  out->append(v);
}

size_t LengthOfLength(size_t n) {
  size_t k = 1;
  if (n >= 0x80)
    for (; n > 0; n >>= 8) ++k;
  return k;
}

// Valid UTF-8, control characters as blanks, blanks collapsed and trimmed,
// at most `max` bytes (cut before a whole character, marked "...").
std::string Readable(const std::string& raw, size_t max) {
  if (!IsValidUtf8(raw)) return "";
  std::string out;
  const auto* p = reinterpret_cast<const unsigned char*>(raw.data());
  size_t i = 0;
  bool cut = false;
  while (i < raw.size()) {
    uint32_t cp = 0;
    size_t n = Utf8Sequence(p + i, raw.size() - i, &cp);
    if (n == 0) return "";
    bool blank = cp == ' ' || IsControlChar(cp);
    if (blank) {
      if (!out.empty() && out.back() != ' ') out.push_back(' ');
    } else {
      if (out.size() + n > max) {
        cut = true;
        break;
      }
      out.append(raw, i, n);
    }
    i += n;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  if (cut) out += "...";
  return out;
}

bool ContainsFolded(const std::string& hay, const std::string& needle) {
  if (needle.empty() || needle.size() > hay.size()) return false;
  auto fold = [](char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  };
  return std::search(hay.begin(), hay.end(), needle.begin(), needle.end(),
                     [&](char a, char b) { return fold(a) == fold(b); }) !=
         hay.end();
}

// The text as a person may read it, or "" (nothing readable, or it holds
// the password: what a server echoes is never shown back or logged).
std::string Shown(const std::string& raw, size_t max,
                  const std::string& password) {
  if (ContainsFolded(raw, password)) return "";
  std::string s = Readable(raw, max);
  return ContainsFolded(s, password) ? "" : s;
}

// liblber's allocator, with every block overwritten before it is released.
// malloc_usable_size covers the whole block (with the sanitizers: exactly
// what was asked for).
void* WipingMalloc(ber_len_t n, void*) { return malloc(n); }
void* WipingCalloc(ber_len_t n, ber_len_t size, void*) {
  return calloc(n, size);
}
void WipingFree(void* p, void*) {
  if (!p) return;
  explicit_bzero(p, malloc_usable_size(p));
  free(p);
}
void* WipingRealloc(void* p, ber_len_t n, void*) {
  if (!p) return malloc(n);
  void* q = malloc(n);
  if (!q) return nullptr;
  memcpy(q, p, std::min<size_t>(malloc_usable_size(p), n));
  WipingFree(p, nullptr);
  return q;
}

}  // namespace

bool PasswdModifyRequestValue(const std::string& dn,
                              const std::string& password, std::string* out) {
  out->clear();
  if (dn.empty() || dn.size() > kMaxLdapDn || password.empty() ||
      password.size() > 64 * 1024)
    return false;
  const size_t body = 1 + LengthOfLength(dn.size()) + dn.size() + 1 +
                      LengthOfLength(password.size()) + password.size();
  // One allocation: no growth leaves a copy of the password behind.
  out->reserve(1 + LengthOfLength(body) + body);
  out->push_back(0x30);  // SEQUENCE
  PutLength(body, out);
  PutOctets(0x80, dn, out);        // [0] userIdentity
  PutOctets(0x82, password, out);  // [2] newPasswd
  return true;
}

PasswordModifyResult ClassifyPasswordModify(int rc, int ppolicy_error) {
  // The policy forbids changing it at all (pwdAllowUserChange, the old
  // password required): another password will not do.
  const bool never = ppolicy_error == PP_passwordModNotAllowed ||
                     ppolicy_error == PP_mustSupplyOldPassword;
  switch (rc) {
    case LDAP_SUCCESS:
      return PasswordModifyResult::kSet;
    case LDAP_CONSTRAINT_VIOLATION:
      return never ? PasswordModifyResult::kNotAllowed
                   : PasswordModifyResult::kRefused;
    case LDAP_INSUFFICIENT_ACCESS:
      return never ? PasswordModifyResult::kNotAllowed
                   : PasswordModifyResult::kNoRight;
    case LDAP_REFERRAL:
      return PasswordModifyResult::kReplica;
    default:
      return PasswordModifyResult::kError;
  }
}

std::string PasswordRefusalReason(const std::string& policy_text,
                                  const std::string& diagnostic,
                                  const std::string& password) {
  std::string policy = Shown(policy_text, kMaxLdapRefusalText, password);
  std::string said = Shown(diagnostic, kMaxLdapRefusalText, password);
  if (policy.empty()) return said;
  if (said.empty() || ContainsFolded(policy, said)) return policy;
  // Joined, the two could spell the password across the seam.
  std::string both = policy + " (" + said + ")";
  return ContainsFolded(both, password) ? policy : both;
}

bool WipeLdapMemoryOnFree() {
  static BerMemoryFunctions fns = {WipingMalloc, WipingCalloc, WipingRealloc,
                                   WipingFree};
  return ber_set_option(nullptr, LBER_OPT_MEMORY_FNS, &fns) == LBER_OPT_SUCCESS;
}

}  // namespace sspr
