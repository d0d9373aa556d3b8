#include "helper/answer.h"

#include <strings.h>

#include <cstdint>

#include "common/text.h"
#include "helper/texts.h"

namespace sspr {

bool CheckAnswer(const std::string& raw, size_t max_len, std::string* clean,
                 std::string* error_text) {
  if (raw.size() > max_len) {
    *error_text = TooLongText(max_len);
    return false;
  }
  // Control characters but tab (C1 too: U+009B is a terminal's CSI).
  if (!IsValidUtf8(raw) || HasControl(raw, "\t")) {
    *error_text = BadCharactersText();
    return false;
  }
  *clean = Trim(raw, " \t");
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
