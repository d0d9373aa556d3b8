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

int YesNo(const std::string& a) {
  if (a.empty() || strcasecmp(a.c_str(), "n") == 0 ||
      strcasecmp(a.c_str(), "no") == 0)
    return 0;
  if (strcasecmp(a.c_str(), "y") == 0 || strcasecmp(a.c_str(), "yes") == 0)
    return 1;
  return -1;
}

}  // namespace sspr
