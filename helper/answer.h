// Checks one answer typed at a prompt before anything parses it.
#ifndef SSPR_HELPER_ANSWER_H_
#define SSPR_HELPER_ANSWER_H_

#include <string>

namespace sspr {

// Trims surrounding white space into *clean. Refuses answers longer than
// max_len bytes, invalid UTF-8 and control characters (C0 but tab, DEL,
// C1); *error_text is then the sentence to show the user.
bool CheckAnswer(const std::string& raw, size_t max_len, std::string* clean,
                 std::string* error_text);

// "y", "yes" -> 1; "n", "no", "" -> 0; anything else -> -1.
int YesNo(const std::string& a);

}  // namespace sspr

#endif  // SSPR_HELPER_ANSWER_H_
