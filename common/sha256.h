// SHA-256 (FIPS 180-4), self-contained: the module links libc and libpam
// only, and names long user names' files by this hash (SafeFileName).
#ifndef SSPR_COMMON_SHA256_H_
#define SSPR_COMMON_SHA256_H_

#include <string>

namespace sspr {

// The digest of `data` as 64 lower-case hex digits.
std::string Sha256Hex(const std::string& data);

}  // namespace sspr

#endif  // SSPR_COMMON_SHA256_H_
