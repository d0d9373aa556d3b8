#include "config/user_name.h"

namespace sspr {
namespace {

// Length of the UTF-8 sequence at s[i] (shortest form, no surrogates, at
// most U+10FFFF) and its code point, or 0 when it is not one.
size_t Utf8At(const std::string& s, size_t i, unsigned* cp) {
  const unsigned char b = static_cast<unsigned char>(s[i]);
  size_t n = 0;
  unsigned v = 0, min = 0;
  if (b < 0x80) {
    *cp = b;
    return 1;
  } else if ((b & 0xE0) == 0xC0) {
    n = 2, v = b & 0x1F, min = 0x80;
  } else if ((b & 0xF0) == 0xE0) {
    n = 3, v = b & 0x0F, min = 0x800;
  } else if ((b & 0xF8) == 0xF0) {
    n = 4, v = b & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    const unsigned char c = static_cast<unsigned char>(s[i + k]);
    if ((c & 0xC0) != 0x80) return 0;
    v = (v << 6) | (c & 0x3F);
  }
  if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
  *cp = v;
  return n;
}

}  // namespace

const char* UserNameProblem(const std::string& user) {
  if (user.empty()) return "empty user name";
  if (user.size() > kMaxUserName) return "user name longer than 256 bytes";
  for (size_t i = 0; i < user.size();) {
    unsigned cp = 0;
    size_t n = Utf8At(user, i, &cp);
    if (n == 0) return "user name is not valid UTF-8";
    if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F))
      return "user name has a control character";
    i += n;
  }
  return nullptr;
}

}  // namespace sspr
