#include "tools/admin_output.h"

#include <time.h>

#include "helper/email_address.h"
#include "helper/phone_number.h"

namespace sspr {
namespace {

void Hex(unsigned char ch, std::string* out) {
  static const char kHex[] = "0123456789abcdef";
  out->append("\\x");
  out->push_back(kHex[ch >> 4]);
  out->push_back(kHex[ch & 15]);
}

// Length of the valid UTF-8 sequence at s[i], 0 if invalid.
size_t Utf8Len(const std::string& s, size_t i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  size_t n = c < 0x80         ? 1
             : (c >> 5) == 6  ? 2
             : (c >> 4) == 14 ? 3
             : (c >> 3) == 30 ? 4
                              : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return 0;
  }
  if (n == 2 && c < 0xc2) return 0;  // overlong
  return n;
}

}  // namespace

std::string UtcTime(int64_t t) {
  if (t <= 0) return "-";
  time_t tt = static_cast<time_t>(t);
  struct tm tm;
  char buf[64];
  if (gmtime_r(&tt, &tm) == nullptr ||
      strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
    return std::to_string(t);
  return buf;
}

std::string Printable(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = Utf8Len(s, i);
    bool c1 = n == 2 && c == 0xc2 &&
              static_cast<unsigned char>(s[i + 1]) < 0xa0;  // U+0080-U+009F
    if (n == 0 || c1 || c < 0x20 || c == 0x7f || c == '\\') {
      if (c == '\\') {
        out.append("\\\\");
      } else {
        Hex(c, &out);
      }
      ++i;
      continue;
    }
    out.append(s, i, n);
    i += n;
  }
  return out;
}

std::string MaskedValue(const Method& m) {
  if (IsPhone(m.Kind())) return MaskPhone(m.value);
  if (m.Kind() == MethodKind::kEmail) return Printable(MaskEmail(m.value));
  if (m.Kind() == MethodKind::kQuestions)
    return Printable(m.value) + " questions";
  return "(not shown)";
}

const char* RegistrationState(size_t methods, int required) {
  if (methods == 0) return "unregistered";
  return static_cast<int>(methods) >= required ? "registered" : "incomplete";
}

std::string JsonLine(json_object* o) {
  std::string s = json_object_to_json_string_ext(
      o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
  json_object_put(o);
  return s + "\n";
}

json_object* JsonString(const std::string& s) {
  return json_object_new_string_len(s.data(), static_cast<int>(s.size()));
}

}  // namespace sspr
