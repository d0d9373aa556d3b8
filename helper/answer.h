// Checks one answer typed at a prompt before anything parses it.
#ifndef SSPR_HELPER_ANSWER_H_
#define SSPR_HELPER_ANSWER_H_

#include <cstddef>
#include <string>

namespace sspr {

// Trims surrounding white space into *clean. Refuses answers longer than
// max_len bytes, invalid UTF-8 and control characters (C0 but tab, DEL,
// C1); *error_text is then the sentence to show the user.
bool CheckAnswer(const std::string& raw, size_t max_len, std::string* clean,
                 std::string* error_text);

// The one menu-choice parser. The entry of a menu of `n` numbered entries
// that answer `a` picks: a number 1..n (digits only, at most 3 of them), or
// entry 1 for an empty answer when `empty_is_first`; 0 when it picks none
// (a key such as "q" is then the caller's to test with IsKey).
size_t MenuPick(const std::string& a, size_t n, bool empty_is_first = true);
// `a` is the key or word `key`, in any case ("Q" for "q").
bool IsKey(const std::string& a, const char* key);
// What may be typed at a menu of n numbered entries: "1-3"; "1" for one.
std::string MenuRange(size_t n);

// "y", "yes" -> 1; "n", "no", "" -> 0; anything else -> -1.
int YesNo(const std::string& a);

}  // namespace sspr

#endif  // SSPR_HELPER_ANSWER_H_
