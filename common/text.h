// Text the project reads and checks: trimming, the lines and `key = value`
// lines of admin files, UTF-8, control characters, and user names as file
// names. Pure: no I/O, no locale.
#ifndef SSPR_COMMON_TEXT_H_
#define SSPR_COMMON_TEXT_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace sspr {

// Blanks Trim removes by default: space, tab and CR.
constexpr char kBlanks[] = " \t\r";

// `s` without leading and trailing `blanks`.
std::string Trim(const std::string& s, const char* blanks = kBlanks);

// Calls fn(line, where) for each line of text, a trailing '\r' removed;
// `where` is "path:N: " for error messages. The line is wiped after the
// call (admin files hold secrets). Stops at the first false.
bool ForEachLine(
    const std::string& text, const std::string& path,
    const std::function<bool(std::string* line, const std::string& where)>& fn);

// One `key = value` line, as ForEachKeyValue gives it.
struct KeyValueLine {
  bool pair = false;  // the line has a '='
  std::string key;    // left of the first '=', trimmed; the line if !pair
  std::string value;  // right of the first '=', trimmed
};

// Calls fn(kv, where) for each line of text (ForEachLine) that is not
// blank or a comment (its first non-blank is '#'): a line without '=' as
// kv->pair false, the caller words that error. `blanks` are trimmed off the
// line and both sides. Key and value are wiped after each call. Stops at
// the first false.
bool ForEachKeyValue(
    const std::string& text, const std::string& path, const char* blanks,
    const std::function<bool(KeyValueLine* kv, const std::string& where)>& fn);

// The UTF-8 decoder (RFC 3629: shortest form, no surrogates, at most
// U+10FFFF). The length (1-4) of the well-formed sequence at p[0..n)
// (n >= 1) with its code point in *cp; or 0 when it is ill-formed, with
// *bad (when given) the length of its maximal ill-formed subpart (>= 1:
// the lead byte and the continuation bytes that were still possible, as
// Unicode's chapter 3 recommends replacing them).
size_t Utf8Sequence(const unsigned char* p, size_t n, uint32_t* cp,
                    size_t* bad = nullptr);

// True when all of `s` is well-formed UTF-8.
bool IsValidUtf8(const std::string& s);

// C0 controls (U+0000-U+001F), DEL and C1 controls (U+0080-U+009F: U+009B
// is a terminal's CSI).
bool IsControlChar(uint32_t cp);

// True when `s` holds a control character (IsControlChar) other than the
// ASCII ones in `allowed` (e.g. "\n", "\t"). Ill-formed UTF-8 is skipped,
// not judged: check IsValidUtf8 too.
bool HasControl(const std::string& s, const char* allowed = "");

// A user name as a file name: [A-Za-z0-9._-] kept, everything else (and a
// leading dot) as %XX; "" becomes "%". When that would be longer than 200
// bytes: "+" and the SHA-256 of the name in hex (65 bytes), so that with
// the longest prefix and suffix the stores add (".user-", ".json.tmp-" and
// 16 hex digits) every name fits NAME_MAX. '+' never starts an escaped
// name, so the two kinds never meet. Independent of the locale.
std::string SafeFileName(const std::string& user);
// The same into out[0, kSafeFileNameSize), NUL-terminated; returns its
// length. Allocates nothing, except to hash a name too long to escape.
constexpr size_t kSafeFileNameSize = 208;
size_t SafeFileNameTo(std::string_view user, char* out);

}  // namespace sspr

#endif  // SSPR_COMMON_TEXT_H_
