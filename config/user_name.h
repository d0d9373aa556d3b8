// Which user names pam_sspr can hold. Shared by the module (refused up
// front, before any helper or prompt), the helper and sspr-admin.
#ifndef SSPR_CONFIG_USER_NAME_H_
#define SSPR_CONFIG_USER_NAME_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace sspr {

// The longest user name taken, in bytes (Linux's LOGIN_NAME_MAX).
constexpr size_t kMaxUserName = 256;

// Why the store cannot hold `user`, or nullptr when it can: empty, longer
// than kMaxUserName bytes, not valid UTF-8 (the records are JSON), or with
// a control character (C0, DEL, C1: they would reach logs and terminals).
const char* UserNameProblem(std::string_view user);

}  // namespace sspr

#endif  // SSPR_CONFIG_USER_NAME_H_
