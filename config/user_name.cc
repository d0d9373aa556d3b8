#include "config/user_name.h"

#include "common/text.h"

namespace sspr {

const char* UserNameProblem(std::string_view user) {
  if (user.empty()) return "empty user name";
  if (user.size() > kMaxUserName) return "user name longer than 256 bytes";
  for (size_t i = 0; i < user.size();) {
    uint32_t cp = 0;
    size_t n =
        Utf8Sequence(reinterpret_cast<const unsigned char*>(user.data()) + i,
                     user.size() - i, &cp);
    if (n == 0) return "user name is not valid UTF-8";
    if (IsControlChar(cp)) return "user name has a control character";
    i += n;
  }
  return nullptr;
}

}  // namespace sspr
