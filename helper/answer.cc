#include "helper/answer.h"

#include <strings.h>

#include <cstdint>

#include "helper/texts.h"

namespace sspr {

bool IsValidUtf8(const std::string& s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t n = s.size(), i = 0;
  while (i < n) {
    unsigned char c = p[i];
    size_t len;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > n) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF.
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
        (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += len;
  }
  return true;
}

bool CheckAnswer(const std::string& raw, size_t max_len, std::string* clean,
                 std::string* error_text) {
  if (raw.size() > max_len) {
    *error_text = TooLongText(max_len);
    return false;
  }
  if (!IsValidUtf8(raw)) {
    *error_text = BadCharactersText();
    return false;
  }
  for (size_t i = 0; i < raw.size(); ++i) {
    auto c = static_cast<unsigned char>(raw[i]);
    // C0 controls but tab, DEL, and C1 controls (U+0080-U+009F, C2 80-9F in
    // valid UTF-8: U+009B is a terminal's CSI).
    if ((c < 0x20 && c != '\t') || c == 0x7F ||
        (c == 0xC2 && i + 1 < raw.size() &&
         static_cast<unsigned char>(raw[i + 1]) < 0xA0)) {
      *error_text = BadCharactersText();
      return false;
    }
  }
  size_t b = raw.find_first_not_of(" \t");
  size_t e = raw.find_last_not_of(" \t");
  *clean = b == std::string::npos ? "" : raw.substr(b, e - b + 1);
  return true;
}

size_t MenuPick(const std::string& a, size_t n, bool empty_is_first) {
  if (a.empty()) return empty_is_first && n >= 1 ? 1 : 0;
  if (a.size() > 3) return 0;
  size_t pick = 0;
  for (char ch : a) {
    if (ch < '0' || ch > '9') return 0;
    pick = pick * 10 + static_cast<size_t>(ch - '0');
  }
  return pick >= 1 && pick <= n ? pick : 0;
}

bool IsKey(const std::string& a, const char* key) {
  return strcasecmp(a.c_str(), key) == 0;
}

std::string MenuRange(size_t n) {
  return n == 1 ? std::string("1") : "1-" + std::to_string(n);
}

int YesNo(const std::string& a) {
  if (a.empty() || strcasecmp(a.c_str(), "n") == 0 ||
      strcasecmp(a.c_str(), "no") == 0)
    return 0;
  if (strcasecmp(a.c_str(), "y") == 0 || strcasecmp(a.c_str(), "yes") == 0)
    return 1;
  return -1;
}

}  // namespace sspr
